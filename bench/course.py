"""Run times of the course notebooks at their default parameters: the lesson plan's numbers.

Run by hand: ``.venv/bin/python -m bench.course [--only 01 02 ...] [--doc]``. Each course notebook
(teacher edition, so the solutions' cells are timed too) runs under papermill in a fresh folder
under ``bench/runs/course``, its cells timed by papermill (``metadata.papermill.duration``).
``--doc`` replaces the table between the ``lesson-times`` markers in ``docs/lesson-plan.md``:
per notebook the total, the student edition's share (without solution cells) and every cell
that takes more than a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

import papermill

from bench.readme import replace_block
from workbench.course import SOLUTION, course_notebooks

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "runs" / "course"
LESSON_PLAN = ROOT / "docs" / "lesson-plan.md"
SLOW = 60.0  # seconds: a cell worth warning a teacher about


def time_notebook(path: Path) -> dict:
    folder = OUT / path.stem
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    parameters = {}
    if "runs_dir" in papermill.inspect_notebook(str(path)):
        parameters["runs_dir"] = str(folder / "runs")
    start = time.perf_counter()
    executed = papermill.execute_notebook(
        str(path), str(folder / path.name), parameters=parameters, kernel_name="python3",
        cwd=str(path.parent), progress_bar=False,
    )  # fmt: skip
    total = time.perf_counter() - start
    cells = [c for c in executed["cells"] if c["cell_type"] == "code"]
    durations = [(c, c["metadata"].get("papermill", {}).get("duration") or 0.0) for c in cells]
    slow = [
        ("".join(c["source"]).split("\n")[0][:60], d, SOLUTION in c["metadata"].get("tags", []))
        for c, d in durations
        if d > SLOW
    ]
    solutions = sum(d for c, d in durations if SOLUTION in c["metadata"].get("tags", []))
    return {"name": path.stem, "total": total, "student": total - solutions, "slow": slow}


def table(rows: list[dict]) -> str:
    lines = [
        "| notebook | teacher edition [s] | student edition [s] | cells over a minute |",
        "|---|---|---|---|",
    ]
    for row in rows:
        slow = "; ".join(
            f"`{first}` {d / 60:.1f} min" + (" (solution)" if solution else "")
            for first, d, solution in row["slow"]
        )
        lines.append(
            f"| {row['name']} | {row['total']:.0f} | {row['student']:.0f} | "
            f"{slow or '—'} |"
        )
    lines.append(
        f"\nMeasured with `python -m bench.course --doc` on {os.cpu_count()} cores, default "
        "parameters, a fresh runs folder (a rerun reuses finished runs and is much faster)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="notebook number prefixes, e.g. 01 04")
    parser.add_argument("--doc", action="store_true")
    args = parser.parse_args()
    paths = [p for p in course_notebooks() if not args.only or p.name[:2] in args.only]
    rows = []
    for path in paths:
        rows.append(time_notebook(path))
        print(json.dumps(rows[-1]), flush=True)
    text = table(rows)
    print(text)
    if args.doc:
        replace_block("lesson-times", text, LESSON_PLAN)


if __name__ == "__main__":
    main()
