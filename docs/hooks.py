"""MkDocs hooks: the reference pages generated from the code, the course notebooks, and a check
that the built site loads nothing from the network.

* ``<!-- cli-reference -->`` in a page becomes every ``workbench`` command with its arguments,
  read from the argparse parsers (:func:`cli_reference`);
* ``<!-- config-reference -->`` becomes every configuration field (dotted, as ``--set`` takes
  it) with its default and its documentation, read from the frozen config classes and their
  ``Attributes:`` docstring sections (:func:`config_reference`; a field without one fails);
* the numbered course notebooks are added as ``course/<name>.ipynb`` pages (rendered by
  mkdocs-jupyter) from ``$DOCS_NOTEBOOKS`` — executed copies with outputs, e.g. those
  ``python -m bench.course`` writes — or, without it, from ``notebooks/`` (no outputs);
* after the build every HTML page is scanned for scripts, stylesheets, fonts or frames loaded
  from ``http(s)://``: the site must read offline.
"""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import os
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent

# Where a configuration section lives in a RunConfig (dotted prefix → class), in page order.
SECTIONS = {
    "": "RunConfig",
    "problem": "ProblemConfig",
    "problem.molecule": "MoleculeSpec",
    "noise": "NoiseConfig",
    "env": "EnvConfig",
    "env.random_halting": "HaltingConfig",
    "curriculum": "CurriculumConfig",
    "optimizer": "OptimizerConfig",
    "agent": "AgentConfig",
}
_STAGED: list[Path] = []  # the course notebooks' staging folders of this build
REMOTE = re.compile(
    r"""<(?:script|iframe|img)[^>]*\ssrc=["']https?://|<link[^>]*\shref=["']https?://"""
    r"""|@import\s+url\(["']?https?://|@font-face[^}]*url\(["']?https?://"""
    r"""|import\(\s*["']https?://""",
    re.I,
)


def attribute_docs(cls) -> dict[str, str]:
    """``{field: text}`` from the class docstring's Google-style ``Attributes:`` section; one
    entry may name several fields (``a, alpha, c: the SPSA schedule``)."""
    doc = inspect.getdoc(cls) or ""
    if "Attributes:" not in doc:
        return {}
    section = doc.split("Attributes:", 1)[1]
    docs, names = {}, []
    for line in section.splitlines():
        if line and not line.startswith(" "):
            break  # the section ended
        entry = re.match(r"^ {4}([a-z_0-9]+(?:, [a-z_0-9]+)*): ?(.*)$", line)
        if entry:
            names = entry.group(1).split(", ")
            for name in names:
                docs[name] = entry.group(2)
        elif line.strip() and names:
            for name in names:
                docs[name] += " " + line.strip()
    return docs


def _default(field: dataclasses.Field) -> str:
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
        if dataclasses.is_dataclass(value):
            return "(section)"
    else:
        return "required"
    return f"`{value!r}`"


def config_fields() -> list[tuple[str, str, str, str]]:
    """``(section, dotted name, default, doc)`` of every configuration field, in page order."""
    import workbench.config as config
    from workbench.config.agent import NUMBER_RANGES

    rows = []
    for prefix, name in SECTIONS.items():
        cls = getattr(config, name)
        docs = attribute_docs(cls)
        for field in dataclasses.fields(cls):
            dotted = f"{prefix}.{field.name}" if prefix else field.name
            doc = docs.get(field.name, "")
            if name == "AgentConfig" and field.name in NUMBER_RANGES:
                low, high, open_low = NUMBER_RANGES[field.name]
                doc += f" Range {'(' if open_low else '['}{low}, {high}]."
            rows.append((name, dotted, _default(field), doc))
    return rows


def markdown_of(rst: str) -> str:
    """A docstring fragment's reStructuredText roles and literals as Markdown code spans."""
    text = re.sub(r":math:`([^`]+)`", r"`\1`", rst)
    text = re.sub(r":[a-z]+:`~?([^`]+)`", lambda m: f"`{m.group(1).split('.')[-1]}`", text)
    return text.replace("``", "`")


def config_reference() -> str:
    """Markdown: one table per configuration section."""
    out, current = [], None
    for section, dotted, default, doc in config_fields():
        if doc == "":
            raise ValueError(f"configuration field {dotted} ({section}) has no documentation")
        if section != current:
            prefix = next(p for p, c in SECTIONS.items() if c == section)
            out += [f"\n## `{prefix or 'run'}` — {section}\n", "| field | default | meaning |",
                    "|---|---|---|"]  # fmt: skip
            current = section
        out.append(f"| `{dotted}` | {default} | {markdown_of(doc).replace('|', '/')} |")
    return "\n".join(out) + "\n"


def _arguments(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        names = ", ".join(f"`{n}`" for n in action.option_strings) or f"`{action.dest}`"
        if action.option_strings and action.nargs != 0:
            names += f" `{action.metavar or action.dest.upper()}`"
        default = "" if action.default in (None, False, argparse.SUPPRESS) else action.default
        help_text = (action.help or "").replace("|", "/").replace("\n", " ")
        rows.append(f"| {names} | {help_text} | {f'`{default}`' if default != '' else ''} |")
    return rows


def cli_reference() -> str:
    """Markdown: every ``workbench`` command, its purpose and its arguments."""
    from workbench.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in commands._choices_actions}
    out = []
    for name, sub in commands.choices.items():
        out += [f"\n## `workbench {name}`\n", f"{helps.get(name) or ''}\n",
                "```text", sub.format_usage().strip(), "```\n",
                "| argument | meaning | default |", "|---|---|---|", *_arguments(sub)]  # fmt: skip
    return "\n".join(out) + "\n"


def course_sources() -> list[Path]:
    """The course notebooks the site renders: executed copies from ``$DOCS_NOTEBOOKS`` where
    they exist (``<dir>/<stem>/<name>`` as bench.course writes them, or ``<dir>/<name>``)."""
    from workbench.course import course_notebooks

    executed = os.environ.get("DOCS_NOTEBOOKS")
    sources = []
    for path in course_notebooks():
        found = path
        if executed:
            for candidate in (Path(executed) / path.stem / path.name, Path(executed) / path.name):
                if candidate.exists():
                    found = candidate
                    break
        sources.append(found)
    return sources


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files, config):
    # staged as <tmp>/course/<name>: mkdocs-jupyter wraps plain files (not generated ones)
    staging = Path(tempfile.mkdtemp(prefix="course-"))
    _STAGED.append(staging)
    (staging / "course").mkdir()
    for source in course_sources():
        shutil.copy(source, staging / "course" / source.name)
        files.append(File(f"course/{source.name}", str(staging), config["site_dir"],
                          config["use_directory_urls"]))  # fmt: skip
    return files


def on_page_markdown(markdown, page, config, files):
    if "<!-- cli-reference -->" in markdown:
        markdown = markdown.replace("<!-- cli-reference -->", cli_reference())
    if "<!-- config-reference -->" in markdown:
        markdown = markdown.replace("<!-- config-reference -->", config_reference())
    return markdown


MERMAID = re.compile(r'<script type="module">\s*document\.addEventListener\("DOMContentLoaded".*?'
                     r"\.jp-Mermaid.*?</script>", re.S)


def on_post_page(output, page, config):
    # nbconvert's template imports mermaid from a CDN when a notebook has a diagram (ours have
    # none) and adds an empty MathJax <script src="">: neither belongs in an offline site
    return re.sub(r'<script src="">\s*</script>', "", MERMAID.sub("", output))


def on_post_build(config):
    while _STAGED:
        shutil.rmtree(_STAGED.pop(), ignore_errors=True)
    loads = []
    for page in Path(config["site_dir"]).rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        loads += [f"{page.name}: {m.group(0)[:80]}" for m in REMOTE.finditer(text)]
    if loads:
        raise ValueError("the site loads from the network: " + "; ".join(loads[:5]))
