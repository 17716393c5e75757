"""Every notebook runs top to bottom under papermill at a small budget, and is committed clean."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import papermill
import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tools"))
from strip_notebooks import main as strip_main  # noqa: E402

NOTEBOOKS = sorted((REPOSITORY / "notebooks").glob("*.ipynb"))

# Small-budget parameters per notebook; a new notebook must be added here.
SMALL = {
    "01_molecules_and_hamiltonians": {"problem": "h2-3q", "scan_points": 3},
    "02_noise_and_the_ptm_picture": {"scales": [0.0, 1.0, 10.0]},
    "03_optimisers_under_shot_noise": {"problem": "h2-2q", "budget": 40, "seeds": [0]},
    "04_watch_the_agent": {"episodes": 3, "autostart": True},
    "05_curriculum_halting_masks_ablations": {"preset": "h2-2q-demo", "episodes": 3, "seeds": [0]},
    "06_noise_levels_and_circuit_size": {"scales": [0.0, 2.0], "episodes": 2, "progress": False},
    "07_is_the_agent_worth_it": {"episodes": 3, "zne_scales": [1, 3]},
    "panel": {},
    "report": {"episodes": 3},
}


def test_every_notebook_has_small_parameters():
    assert NOTEBOOKS, "no notebooks found"
    assert {p.stem for p in NOTEBOOKS} == set(SMALL)


def test_notebooks_are_committed_without_outputs():
    assert strip_main(["--check", *map(str, NOTEBOOKS)]) == 0


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_under_papermill(notebook, tmp_path, isolated_data):
    results = tmp_path / "results.json"
    parameters = SMALL[notebook.stem] | {"results_path": str(results)}
    if "runs_dir" in papermill.inspect_notebook(str(notebook)):  # never write into notebooks/
        parameters["runs_dir"] = str(tmp_path / "runs")
    papermill.execute_notebook(
        str(notebook),
        str(tmp_path / notebook.name),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(REPOSITORY / "notebooks"),
        progress_bar=False,
    )
    recorded = json.loads(results.read_text())
    if "reference_difference" in recorded:  # an independent engine agrees
        assert recorded["reference_difference"] < 1e-8
    if recorded.get("ran"):
        assert recorded["status"] == "complete"
    if "problem" in SMALL[notebook.stem]:
        assert recorded["problem"] == SMALL[notebook.stem]["problem"]
