"""The documentation site builds offline in strict mode (broken links and references fail), its
references cover every command and configuration field, and the README's links resolve."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", REPOSITORY / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("DOCS_NOTEBOOKS", None)
    command = [str(mkdocs), "build", "--strict", "--site-dir", str(out)]
    done = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, env=env,
                          timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_the_site_builds_strictly_and_reads_offline(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 30
    hooks = _hooks()
    for page in pages:  # the build's own check, repeated on the result
        assert not hooks.REMOTE.search(page.read_text(encoding="utf-8", errors="replace")), page
    for page in ("course/04_watch_the_agent.html", "reference/api.html", "howto/agents.html"):
        assert (site / page).exists(), page
    api = (site / "reference" / "api.html").read_text()
    assert "run_or_load" in api and "TensorBoardLog" in api  # rendered from the docstrings


def test_every_command_is_in_the_cli_reference(site):
    from workbench.cli import build_parser

    page = (site / "reference" / "cli.html").read_text()
    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in commands.choices.items():
        assert f"workbench {name}</code>" in page, name
        for action in sub._actions:
            if action.__class__.__name__ == "_HelpAction":
                continue
            for option in action.option_strings:
                assert f"<code>{option}</code>" in page, (name, option)


def test_every_config_field_is_in_the_config_reference(site):
    page = (site / "reference" / "config.html").read_text()
    rows = _hooks().config_fields()
    assert len(rows) > 90
    for _, dotted, _, doc in rows:
        assert f"<code>{dotted}</code>" in page and doc, dotted


def test_a_field_without_documentation_fails_the_reference(monkeypatch):
    import workbench.config as config

    @dataclasses.dataclass(frozen=True)
    class Undocumented:
        """A section whose Attributes section forgot a field.

        Attributes:
            documented: here.
        """

        documented: int = 0
        forgotten: int = 1

    hooks = _hooks()
    monkeypatch.setattr(config, "Undocumented", Undocumented, raising=False)
    monkeypatch.setitem(hooks.SECTIONS, "extra", "Undocumented")
    with pytest.raises(ValueError, match=r"extra\.forgotten"):
        hooks.config_reference()


def test_readme_links_resolve_and_it_stays_a_front_door():
    text = (REPOSITORY / "README.md").read_text()
    assert len(text.splitlines()) <= 250
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if not target.startswith("http"):
            assert (REPOSITORY / target).exists(), target
