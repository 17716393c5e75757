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
    "08_which_agent": {
        "episodes": 4,
        "test_every": 1,
        "kinds": ["ddqn", "dueling_ddqn"],
        "curve_episodes": 4,
        "curve_bond_lengths": [1.0, 1.25],
    },
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
    CHECKS[notebook.stem](json.loads(results.read_text()), SMALL[notebook.stem])


def _molecules(recorded, small):
    from workbench.chem import get_problem

    problem = get_problem(small["problem"])
    assert recorded["problem"] == small["problem"] and recorded["scan_points"] == 3
    assert recorded["ground_energy"] == pytest.approx(problem.ground_energy, abs=1e-9)
    assert recorded["ground_energy"] <= recorded["hartree_fock_energy"]
    # the MPS start: its circuit prepares the state DMRG found, and a bond lowers the energy
    assert recorded["large_problem"] == "h2o-10q"
    assert recorded["mps_circuit_difference"] < 1e-8
    errors = recorded["mps_errors"]
    assert 0 <= errors["2"] <= errors["1"] <= recorded["large_hartree_fock_error"] + 1e-9
    assert 0 < recorded["mps_cnots"] <= 4 * 9


def _noise(recorded, small):
    from workbench.devices import available_profiles

    assert recorded["reference_difference"] < 1e-8  # an independent engine agrees
    assert recorded["profiles"] == available_profiles()
    minima = recorded["minima"]
    assert set(minima) == {str(s) for s in small["scales"]}
    assert minima["0.0"] < minima["1.0"] < minima["10.0"]  # noise raises the reachable minimum


def _optimisers(recorded, small):
    rows = recorded["rows"]
    assert recorded["problem"] == small["problem"] and rows
    assert recorded["ranking"] == [r["method"] for r in rows]
    errors = [r["final error, median (Ha)"] for r in rows]
    assert errors == sorted(errors) and all(e >= 0 for e in errors)


def _agent(recorded, small):
    assert recorded["ran"] and recorded["status"] == "complete"
    assert recorded["episodes_done"] == small["episodes"]


def _rows(recorded, small):
    assert recorded["rows"] and all(isinstance(r, dict) and r for r in recorded["rows"])


def _baselines(recorded, small):
    for kind in ("noiseless", "noisy"):
        methods = {r["method"] for r in recorded[kind]}
        assert methods == {"crlqas", "hea", "uccsd", "adapt", "random"}, methods
    assert len(recorded["mitigated"]) == len(recorded["noisy"])


def _agents(recorded, small):
    for kind in small["kinds"]:
        (run,) = recorded[kind]
        assert run["status"] == "complete" and run["episodes_done"] == small["episodes"]
        assert run["greedy_test_episodes"] == 2 and 0 <= run["greedy_success_rate"] <= 1
    assert len(recorded["thresholds"]) == 3 and all(t > 0 for t in recorded["thresholds"])
    for key in ("curve", "curve_plain"):
        proposals = recorded[key]
        assert [p["bond_length"] for p in proposals] == small["curve_bond_lengths"]
        for p in proposals:
            assert p["circuit"]["error"] >= 0 and p["circuit"]["n_gates"] >= 1
            assert p["within_chemical_accuracy"] == (p["circuit"]["error"] < 1.6e-3)


def _report(recorded, small):
    assert recorded["problem"] and recorded["runs"]
    assert all(r["status"] == "complete" for r in recorded["runs"])
    assert all(r["episodes_done"] == small["episodes"] for r in recorded["runs"])


CHECKS = {
    "01_molecules_and_hamiltonians": _molecules,
    "02_noise_and_the_ptm_picture": _noise,
    "03_optimisers_under_shot_noise": _optimisers,
    "04_watch_the_agent": _agent,
    "05_curriculum_halting_masks_ablations": _rows,
    "06_noise_levels_and_circuit_size": _rows,
    "07_is_the_agent_worth_it": _baselines,
    "08_which_agent": _agents,
    "panel": lambda recorded, small: None,  # the panel notebook records nothing: it must run
    "report": _report,
}
"""What each notebook's recorded results must show (every key asserted, none optional)."""


def test_every_notebook_has_a_check():
    assert set(CHECKS) == set(SMALL)
