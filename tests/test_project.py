"""Project hygiene: import layering, set-up files that agree with each other, README commands."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

REPOSITORY = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())


# Imports flow one way: a module may import workbench modules of its own layer or below.
LAYERS = {
    "errors": 0,
    "config": 0,
    "paths": 0,
    "lock": 0,
    "paulis": 1,
    "chem": 1,
    "channels": 1,
    "noise": 1,
    "devices": 1,
    "sim": 2,
    "optim": 2,
    "env": 3,
    "agent": 3,
    "train": 4,
    "experiment": 4,
    "propose": 4,
    "runs": 4,
    "run_folders": 4,
    "callbacks": 4,
    "results": 4,
    "baselines": 4,
    "plots": 5,
    "figures": 5,
    "widgets": 6,
    "report": 6,
    "rendering": 6,
    "course": 6,
    "sweep": 7,
    "cli": 8,
}
# Third-party packages only some layers may import.
RESTRICTED = {
    "ipywidgets": {"widgets"},
    "matplotlib": {"plots", "widgets", "report"},
    "plotly": {"figures", "widgets", "report"},
    "torch": {
        "agent",
        "train",
        "experiment",
        "runs",
        "callbacks",
        "results",
        "plots",
        "widgets",
        "report",
        "sweep",
        "cli",
    },
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_imports_flow_one_way():
    package = REPOSITORY / "workbench"
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        if parts == ("__init__",):
            continue
        home = parts[0]
        assert home in LAYERS, f"{path}: add module {home!r} to LAYERS"
        for name in _imports(path):
            top, _, rest = name.partition(".")
            if top == "workbench" and rest:
                target = rest.split(".")[0]
                assert LAYERS[target] <= LAYERS[home], f"{path} imports upward: {name}"
            elif top in RESTRICTED:
                assert home in RESTRICTED[top], f"{path} must not import {top}"


def test_bench_is_a_package_on_top_of_workbench_without_cycles():
    """Experiments import the shared bench modules and workbench; nothing imports back."""
    modules = {p.stem: _imports(p) for p in (REPOSITORY / "bench").glob("*.py")}
    assert "__init__" in modules, "bench/ must be a package: python -m bench.NAME"
    for path in (REPOSITORY / "workbench").rglob("*.py"):
        assert not {n for n in _imports(path) if n.split(".")[0] == "bench"}, path
    edges = {
        name: {n.split(".")[1] for n in imports if n.startswith("bench.")}
        for name, imports in modules.items()
    }
    assert all(not {n for n in imports if n in modules} for imports in modules.values()), (
        "bench modules import each other as bench.NAME, not as top-level scripts"
    )
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle in bench: {' → '.join((*path, name))}"
        if name not in done:
            for target in edges.get(name, ()):
                visit(target, (*path, name))
            done.add(name)

    for name in edges:
        visit(name, ())


def test_lower_layers_load_no_torch_or_widgets_at_run_time():
    code = (
        "import sys, workbench.chem, workbench.paulis, workbench.config; "
        "print(sorted({'torch', 'ipywidgets', 'plotly'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_the_package_prints_nothing():
    code = "import workbench.chem, workbench.cli"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == ""


def _names(requirements):
    return {Requirement(r).name.lower() for r in requirements}


def test_environment_yml_agrees_with_pyproject():
    environment = yaml.safe_load((REPOSITORY / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    declared = _names(PYPROJECT["project"]["dependencies"])
    for extra in PYPROJECT["project"]["optional-dependencies"].values():
        declared |= _names(extra)
    for dependency in conda:
        name = re.split(r"[=<>]", dependency)[0]
        assert name in declared | {"python", "pip"}, f"{name} is not declared in pyproject.toml"
    python = next(d for d in conda if d.startswith("python="))
    assert python == "python=" + PYPROJECT["project"]["requires-python"].split(",")[0][2:]
    assert "-e .[dev]" in pip
    constraints = (REPOSITORY / "constraints.txt").read_text()
    torch_pin = next(p for p in pip if p.startswith("torch"))
    assert torch_pin in constraints


def test_readme_starts_with_the_two_fresh_machine_commands():
    head = (REPOSITORY / "README.md").read_text().split("\n## ")[0]
    commands = re.findall(r"^(make \w+)", head, flags=re.MULTILINE)
    assert commands[:2] == ["make run", "make test"]
    makefile = (REPOSITORY / "Makefile").read_text()
    # the first run installs only what the report needs: the notebooks extra, not dev
    assert re.search(r"^run: \$\(RUN_STAMP\)", makefile, re.MULTILINE)
    recipe = makefile.split("$(RUN_STAMP): ")[1].split("\n\n")[0]
    assert "-e '.[notebooks]'" in recipe and "[dev]" not in recipe
    assert re.search(r"^test: setup", makefile, re.MULTILINE)
    assert "make test" in (REPOSITORY / ".ci" / "run").read_text()


def test_console_script_is_declared():
    assert PYPROJECT["project"]["scripts"]["workbench"] == "workbench.cli:main"


def test_the_license_file_is_the_one_pyproject_names():
    assert PYPROJECT["project"]["license"] == {"text": "Apache-2.0"}
    text = (REPOSITORY / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
