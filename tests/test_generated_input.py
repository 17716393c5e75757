"""Generated bad input, family by family (issue 24): QASM text, noise models, sweep grids and
damaged run folders under `resume`. Each case must end in a named error or a sane result — never
another exception — and a refused command must leave the disk as it was.

With the default budgets the suite replays the same ≥ 1000 cases on every run (derandomised:
CI must not flake on a new example); ``BAD_INPUT_EXAMPLES=N`` explores N fresh random cases per
family, as done by hand after adding a field or a file format.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.cli import main
from workbench.config import get_run_preset
from workbench.errors import WorkbenchError
from workbench.noise import NoiseModel
from workbench.runs import run
from workbench.sim import Circuit, energies
from workbench.sim.qasm import parse_qasm
from workbench.sweep import grid_points

FRESH = int(os.environ.get("BAD_INPUT_EXAMPLES", "0"))


def budget(default: int):
    """Hypothesis settings for one family: ``default`` replayed cases, or FRESH random ones."""
    return settings(
        max_examples=FRESH or default,
        deadline=None,
        derandomize=not FRESH,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# ---- QASM text -----------------------------------------------------------------------------
HEADERS = ["OPENQASM 2.0;", "OPENQASM 3.0;", "OPENQASM 3;", "OPENQASM 9.0;", "", "OPENQASM;",
           "openqasm 2.0;", "OPENQASM 2.0; include \"qelib1.inc\";"]  # fmt: skip
REGISTERS = ["qreg q[2];", "qubit[2] q;", "qreg q[0];", "qreg q[99999999999];", "qreg q[-1];",
             "", "qreg q[2]; qreg r[1];", "qubit q;", "creg c[2];"]  # fmt: skip
GATE = st.builds(
    lambda name, angle, wires: f"{name}{angle} {wires};",
    st.sampled_from(["rx", "ry", "rz", "cx", "x", "h", "u3", "RX", "measure", "barrier"]),
    st.sampled_from(["", "(0.1)", "(pi/2)", "(1/0)", "(nan)", "(inf)", "(pi**2)", "(--1)", "()",
                     "(1e999)", "(π)", "(2*(pi-1))", "(x)", "(" + "+1" * 600 + ")"]),
    st.sampled_from(["q[0]", "q[1]", "q[0], q[1]", "q[5]", "q[-1]", "r[0]", "q", "q[0], q[0]"]),
)  # fmt: skip
QASM = st.builds(
    lambda header, register, gates, junk: "\n".join([header, register, *gates, junk]),
    st.sampled_from(HEADERS), st.sampled_from(REGISTERS), st.lists(GATE, max_size=6),
    st.text(alphabet="qreg[];(),. 0123456789πx", max_size=10),
)  # fmt: skip


@budget(400)
@given(text=QASM)
def test_generated_qasm_is_parsed_or_refused_by_name(text):
    try:
        circuit, params = parse_qasm(text)
    except WorkbenchError:
        return
    assert circuit.n_qubits >= 1 and circuit.n_params == params.size
    assert np.all(np.isfinite(params))


# ---- noise models --------------------------------------------------------------------------
NUMBER = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 10**6))
NOISE_VALUE = st.one_of(
    st.none(), st.booleans(), NUMBER, st.text(max_size=4),
    st.lists(st.one_of(st.floats(-0.1, 1.1), st.integers(0, 300)), max_size=4),
    st.lists(st.lists(st.integers(-1, 4), min_size=2, max_size=2), max_size=3),
)  # fmt: skip
NOISE_FIELDS = ["depolarizing_1q", "depolarizing_2q", "t1", "t2", "readout_p01", "readout_p10",
                "gate_time_1q", "gate_time_2q", "amplitude_damping", "phase_damping",
                "coupling_map", "two_qubit_depolarizing", "channel_order", "virtual_rz",
                "n_qubits", "bogus"]  # fmt: skip
PROBE = Circuit.from_gates(2, [("RY", 0), ("CNOT", 0, 1), ("RX", 1)])


@budget(300)
@given(fields=st.dictionaries(st.sampled_from(NOISE_FIELDS), NOISE_VALUE, min_size=1, max_size=4))
def test_generated_noise_models_are_refused_by_name_or_give_finite_energies(fields):
    from workbench.chem import get_problem

    problem = get_problem("h2-2q")
    try:
        model = NoiseModel.from_dict({"name": "custom", **fields})
        model.check_size(2)
    except WorkbenchError:
        return
    values = energies(PROBE, np.array([[0.3, -0.2]]), problem, model)
    bound = float(np.abs(problem.hamiltonian.coefficients).sum())
    assert np.all(np.isfinite(values)) and np.all(
        np.abs(values - problem.hamiltonian.shift) <= bound + 1e-9
    )


# ---- sweep grids ---------------------------------------------------------------------------
GRID_FIELDS = ["noise.scale", "noise.profile", "problem", "episodes", "agent.hidden",
               "optimizer.method", "noise_profile", "env.max_steps", "bogus", "seed"]  # fmt: skip
GRID_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 50), st.floats(-1, 5), st.just(math.nan),
    st.sampled_from(["h2-2q", "h2-9q", "ibm-mumbai-median", "nosuch", "cobyla", "spsa"]),
    st.lists(st.integers(1, 16), max_size=2),
)  # fmt: skip


@budget(150)
@given(
    grid=st.dictionaries(st.sampled_from(GRID_FIELDS), st.lists(GRID_VALUE, max_size=3),
                         max_size=2),
    seeds=st.lists(st.integers(-1, 3), max_size=3),
)  # fmt: skip
def test_generated_sweep_grids_are_checked_before_anything_runs(grid, seeds):
    try:
        points = grid_points({"preset": "h2-2q-demo", "episodes": 2}, grid, seeds)
    except WorkbenchError:
        return
    assert len(points) == math.prod(len(v) for v in grid.values()) * len(seeds)
    assert len({p.name for p in points}) == len(points)


# ---- damaged run folders under `resume` ------------------------------------------------------
def _cut(path: Path, keep: int) -> None:
    path.write_bytes(path.read_bytes()[:keep])


HOST = os.uname().nodename
DAMAGE = {
    "none": lambda f: None,
    "metrics cut": lambda f: _cut(f / "metrics.jsonl", 57),
    "metrics deleted": lambda f: (f / "metrics.jsonl").unlink(),
    "checkpoint cut": lambda f: _cut(f / "checkpoint.pt", 99),
    "config garbage": lambda f: (f / "config.json").write_text('{"config": 3}'),
    "config deleted": lambda f: (f / "config.json").unlink(),
    "summary cut": lambda f: (f / "summary.json").write_text('{"status": "runn'),
    "best deleted": lambda f: (f / "best.json").unlink(),
    "stale lock": lambda f: (f / ".lock").write_text(f'{{"pid": 999999999, "host": "{HOST}"}}'),
    "temp file": lambda f: (f / ".best.json.x.tmp").write_text("{"),
}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("resume") / "run"
    config = get_run_preset("h2-2q-demo").with_overrides(
        {"episodes": 4, "checkpoint_every": 2, "env.max_steps": 3}
    )
    run(config, out=folder, progress=False)
    return folder


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


@budget(150)
@given(
    damage=st.lists(st.sampled_from(sorted(DAMAGE)), max_size=2, unique=True),
    words=st.lists(st.sampled_from(["--episodes", "3", "4", "6", "-1", "0", "x", "1e3",
                                    "--quiet", "--seed"]), max_size=3),
)  # fmt: skip
def test_generated_damage_under_resume_is_refused_by_name_and_changes_nothing(
    damage, words, finished_run, tmp_path_factory
):
    folder = tmp_path_factory.mktemp("case") / "run"
    shutil.copytree(finished_run, folder)
    for name in damage:
        with contextlib.suppress(FileNotFoundError):
            DAMAGE[name](folder)
    before = _snapshot(folder)
    try:
        status = main(["resume", str(folder), "--quiet", *words])
    except SystemExit as stop:  # argparse's usage errors
        status = stop.code
    assert status in (0, 2), status
    if status == 2:
        after = _snapshot(folder)
        assert after == before or set(after) == set(before) - {".lock"} - {
            k for k in before if k.endswith(".tmp")
        }, sorted(set(after) ^ set(before))
