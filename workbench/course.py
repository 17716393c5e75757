"""The course notebooks in two editions: for students (no solutions, no instructor notes) and
for teachers (everything).

The notebooks in ``notebooks/`` are the teacher edition. Cells are marked by a notebook cell
tag: ``solution`` (a solution's text or code) and ``instructor`` (the "For instructors" notes);
the student edition leaves those cells out and says so at the top. Every code cell a student
edition keeps must run without the cells it lost — :func:`names_lost_with_solutions` checks it
statically (names assigned only in solution cells and read by a later kept cell), and the test
suite runs a student edition under papermill. ``docs/lesson-plan.md`` gives the measured run
times per notebook.
"""

from __future__ import annotations

import ast
import copy
import json
import shutil
import tempfile
from pathlib import Path

from workbench.errors import ConfigError
from workbench.paths import REPOSITORY_ROOT

COURSE_DIR = REPOSITORY_ROOT / "notebooks"
COURSE_GLOB = "0*.ipynb"  # the numbered course notebooks (not the panel or the report)
SOLUTION, INSTRUCTOR = "solution", "instructor"
EDITIONS = ("student", "teacher")
BANNER = {
    "student": "> **Student edition.** Solutions and instructor notes are left out; your teacher "
    "has the teacher edition (`workbench course --teacher DIR`).",
    "teacher": "> **Teacher edition.** Solutions (folded under *Solution*) and the *For "
    "instructors* notes are included; students get `workbench course --student DIR`.",
}


def course_notebooks(folder: Path = COURSE_DIR) -> list[Path]:
    return sorted(folder.glob(COURSE_GLOB))


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def edition(notebook: dict, kind: str) -> dict:
    """A copy of ``notebook`` (nbformat JSON) as the ``kind`` edition, outputs cleared."""
    if kind not in EDITIONS:
        raise ConfigError(f"edition {kind!r}: choose one of {', '.join(EDITIONS)}")
    result = copy.deepcopy(notebook)
    dropped = {SOLUTION, INSTRUCTOR} if kind == "student" else set()
    cells = [c for c in result["cells"] if not _tags(c) & dropped]
    for cell in cells:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    banner = {"cell_type": "markdown", "metadata": {}, "source": [BANNER[kind]]}
    if result.get("nbformat_minor", 0) >= 5:
        banner["id"] = f"{kind}-edition"
    result["cells"] = [banner, *cells]
    return result


def names_lost_with_solutions(notebook: dict) -> set[str]:
    """Names that only solution cells assign but a later non-solution code cell reads: a
    student edition would fail on them (empty for a notebook whose editions both run)."""
    kept_before: set[str] = set()
    only_solutions: set[str] = set()
    lost: set[str] = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        stored = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Store)}  # fmt: skip
        stored |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if SOLUTION in _tags(cell):
            only_solutions |= stored - kept_before
            continue
        loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                  and isinstance(n.ctx, ast.Load)}  # fmt: skip
        lost |= (loaded & only_solutions) - kept_before - stored  # not the cell's own names
        kept_before |= stored
    return lost


def write_course(out: Path, kind: str, source: Path = COURSE_DIR) -> list[Path]:
    """Write the ``kind`` edition of every course notebook into ``out`` (created; refused when
    it holds anything), all at once: a failure leaves nothing behind."""
    if kind not in EDITIONS:
        raise ConfigError(f"edition {kind!r}: choose one of {', '.join(EDITIONS)}")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ConfigError(f"{str(out)!r} exists and is not an empty folder: choose another")
    notebooks = course_notebooks(source)
    if not notebooks:
        raise ConfigError(f"no course notebooks ({COURSE_GLOB}) in {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for path in notebooks:
            notebook = json.loads(path.read_text(encoding="utf-8"))
            text = json.dumps(edition(notebook, kind), indent=1, ensure_ascii=False) + "\n"
            (staging / path.name).write_text(text, encoding="utf-8")
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / path.name for path in notebooks]
