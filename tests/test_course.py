"""The course's two editions: every solution and instructor note is tagged (so the student
edition cannot leak one), the student edition runs without them, bad output folders are refused
before anything is written."""

from __future__ import annotations

import json

import papermill
import pytest

from tests.test_notebooks import REPOSITORY, SMALL
from workbench.cli import main
from workbench.course import (
    INSTRUCTOR,
    SOLUTION,
    course_notebooks,
    edition,
    names_lost_with_solutions,
    write_course,
)

NOTEBOOKS = course_notebooks()


def _text(cell) -> str:
    return "".join(cell["source"])


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solutions_and_instructor_notes_are_tagged(path):
    notebook = json.loads(path.read_text())
    tagged = 0
    for cell in notebook["cells"]:
        text = _text(cell)
        if "<summary><b>Solution" in text or text.startswith("# Solution"):
            assert SOLUTION in _tags(cell), text[:80]
        if "For instructors" in text:
            assert INSTRUCTOR in _tags(cell), text[:80]
        if _tags(cell) & {SOLUTION, INSTRUCTOR}:
            tagged += 1
            assert "## Exercises" not in text, "an exercise would vanish with its solution"
    assert tagged, "a course notebook without solutions"
    assert names_lost_with_solutions(notebook) == set()


def test_names_lost_with_solutions_finds_a_dependency():
    code = [("x = 1\n", []), ("answer = x + 1\n", [SOLUTION]), ("print(answer)\n", [])]
    cells = [{"cell_type": "code", "metadata": {"tags": t}, "source": [s]} for s, t in code]
    assert names_lost_with_solutions({"cells": cells}) == {"answer"}
    cells[2]["source"] = ["answer = 2\nprint(answer)\n"]
    assert names_lost_with_solutions({"cells": cells}) == set()


def test_student_and_teacher_editions(tmp_path, capsys):
    assert main(["course", "--student", str(tmp_path / "student")]) == 0
    assert main(["course", "--teacher", str(tmp_path / "teacher")]) == 0
    assert "8 notebooks" in capsys.readouterr().out or len(NOTEBOOKS) != 8
    for path in NOTEBOOKS:
        source = json.loads(path.read_text())
        student = json.loads((tmp_path / "student" / path.name).read_text())
        teacher = json.loads((tmp_path / "teacher" / path.name).read_text())
        assert "Student edition" in _text(student["cells"][0])
        assert "Teacher edition" in _text(teacher["cells"][0])
        assert teacher["cells"][1:] == edition(source, "teacher")["cells"][1:]
        assert len(teacher["cells"]) == len(source["cells"]) + 1
        for cell in student["cells"]:
            assert not _tags(cell) & {SOLUTION, INSTRUCTOR}
            text = _text(cell)
            assert "<summary><b>Solution" not in text and "For instructors" not in text
        kept = [c for c in source["cells"] if not _tags(c) & {SOLUTION, INSTRUCTOR}]
        assert [_text(c) for c in student["cells"][1:]] == [_text(c) for c in kept]


def test_course_refuses_a_used_folder_and_writes_nothing(tmp_path, capsys):
    used = tmp_path / "used"
    used.mkdir()
    (used / "mine.txt").write_text("keep")
    assert main(["course", "--student", str(used)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
    assert [p.name for p in used.iterdir()] == ["mine.txt"]
    with pytest.raises(Exception, match="edition 'pupil'"):
        write_course(tmp_path / "other", "pupil")
    assert not (tmp_path / "other").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["used"]  # no staging folder left


def test_a_student_edition_runs_under_papermill(tmp_path, isolated_data):
    """The student edition of notebook 08 (whose results cell read two solutions' names before
    the editions existed) runs top to bottom without its solution cells."""
    name = "08_which_agent"
    (path,) = write_course(tmp_path / "student", "student", REPOSITORY / "notebooks")[7:8]
    assert path.stem == name
    results = tmp_path / "results.json"
    parameters = SMALL[name] | {"results_path": str(results), "runs_dir": str(tmp_path / "runs")}
    papermill.execute_notebook(
        str(path), str(tmp_path / "out.ipynb"), parameters=parameters, kernel_name="python3",
        cwd=str(REPOSITORY / "notebooks"), progress_bar=False,
    )  # fmt: skip
    recorded = json.loads(results.read_text())
    assert recorded["thresholds"] is None and recorded["curve_plain"] == []
    for kind in SMALL[name]["kinds"]:
        assert recorded[kind][0]["episodes_done"] == SMALL[name]["episodes"]
