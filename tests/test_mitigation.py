"""Error mitigation against known answers: pure readout error is removed exactly by inversion
with exact expectations, the simplex projection and the fits by hand, folding keeps the ideal
circuit, and ZNE on a depolarized circuit recovers the noiseless energy to the order of the fit."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.cli import main
from workbench.config import get_run_preset
from workbench.devices import load_profile
from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.runs import run
from workbench.sim import Circuit, energies
from workbench.sim.measurement import apply_readout
from workbench.sim.mitigation import (
    extrapolate,
    fold,
    invert_readout,
    project_to_simplex,
    readout_mitigated_energies,
    zne_energy,
)

H2 = get_problem("h2-4q")
CIRCUIT = Circuit.from_gates(4, [("X", 0), ("X", 1), ("RY", 2), ("CNOT", 2, 3), ("CNOT", 2, 0),
                                 ("RX", 1), ("CNOT", 3, 1), ("RZ", 0)])  # fmt: skip
ANGLES = np.array([0.3, -0.7, 1.1])


def test_pure_readout_error_is_removed_exactly():
    readout = NoiseModel(readout_p01=(0.02, 0.05, 0.01, 0.08), readout_p10=(0.04, 0.01, 0.1, 0.03))
    raw = energies(CIRCUIT, ANGLES, H2, readout)[0]
    clean = energies(CIRCUIT, ANGLES, H2)[0]
    assert abs(raw - clean) > 1e-2
    assert abs(readout_mitigated_energies(CIRCUIT, ANGLES, H2, readout)[0] - clean) < 1e-12
    device = load_profile("ibm-mumbai-median")  # gate noise stays, readout goes
    gates_only = load_profile("ibm-mumbai-median", readout_p01=0.0, readout_p10=0.0)
    mitigated = readout_mitigated_energies(CIRCUIT, ANGLES, H2, device)[0]
    assert abs(mitigated - energies(CIRCUIT, ANGLES, H2, gates_only)[0]) < 1e-12


def test_inversion_undoes_the_confusion_and_least_squares_gives_a_distribution():
    noise = NoiseModel(readout_p01=0.1, readout_p10=0.2)
    rng = np.random.default_rng(0)
    true = rng.dirichlet(np.ones(8), size=3)
    np.testing.assert_allclose(invert_readout(apply_readout(true, noise), noise), true, atol=1e-12)
    sampled = rng.multinomial(50, apply_readout(true, noise)) / 50
    raw = invert_readout(sampled, noise)
    fixed = invert_readout(sampled, noise, least_squares=True)
    assert (raw < 0).any() and (fixed >= 0).all()
    np.testing.assert_allclose(fixed.sum(axis=1), 1.0)
    np.testing.assert_allclose(project_to_simplex(np.array([[0.6, 0.6, -0.2]])), [[0.5, 0.5, 0]])


def test_shots_with_mitigation_estimate_the_readout_free_energy():
    device = load_profile("ibm-mumbai-median")
    no_readout = load_profile("ibm-mumbai-median", readout_p01=0.0, readout_p10=0.0)
    gates_only = energies(CIRCUIT, ANGLES, H2, no_readout)[0]
    raw = energies(CIRCUIT, ANGLES, H2, device)[0]
    estimate = readout_mitigated_energies(CIRCUIT, ANGLES, H2, device, 200_000, 1, True)[0]
    assert abs(estimate - gates_only) < 5e-3 < abs(raw - gates_only)


def test_folding_keeps_the_ideal_circuit_and_multiplies_the_gates():
    folded, angles = fold(CIRCUIT, ANGLES, 5)
    assert folded.n_gates == 5 * CIRCUIT.n_gates and angles.size == 5 * ANGLES.size
    assert abs(energies(folded, angles, H2)[0] - energies(CIRCUIT, ANGLES, H2)[0]) < 1e-12
    with pytest.raises(ConfigError, match="odd integer"):
        fold(CIRCUIT, ANGLES, 2)
    with pytest.raises(ConfigError, match=r"cannot fold gates \['S'\]"):
        fold(Circuit.from_gates(1, [("S", 0)]), [], 3)


def test_fits_by_hand():
    assert extrapolate([1, 3], [2.0, 4.0], "linear") == pytest.approx(1.0)
    assert extrapolate([1, 2, 3], [1.0, 4.0, 9.0], "richardson") == pytest.approx(0.0, abs=1e-12)
    assert extrapolate([1, 3, 5], [2 + np.exp(-s) for s in (1, 3, 5)], "exponential") == (
        pytest.approx(3.0, abs=1e-6)
    )
    with pytest.raises(ConfigError, match="allowed are"):
        extrapolate([1, 3], [1, 2], "cubic")
    with pytest.raises(ConfigError, match="at least three"):
        extrapolate([1, 3], [1, 2], "exponential")


def test_zne_on_a_depolarized_circuit_recovers_the_noiseless_energy():
    noise = NoiseModel(depolarizing_1q=1e-3, depolarizing_2q=1e-2)
    clean = energies(CIRCUIT, ANGLES, H2)[0]
    for fit, tolerance in (("linear", 5e-3), ("richardson", 2e-4), ("exponential", 1e-5)):
        value, raw = zne_energy(CIRCUIT, ANGLES, H2, noise, (1, 3, 5), fit)
        assert abs(value - clean) < tolerance < abs(raw[0] - clean), fit


def test_mitigate_command_on_a_noisy_run(tmp_path, capsys):
    folder = tmp_path / "run"
    run(get_run_preset("h2-2q-mumbai-demo").with_overrides({"episodes": 4}), out=folder,
        progress=False)  # fmt: skip
    assert main(["mitigate", str(folder), "--json"]) == 0
    (row,) = [r for r in json.loads(capsys.readouterr().out) if r["circuit"] == "lowest energy"]
    assert row["readout_error"] < row["raw_error"] and row["zne+readout_error"] < row["raw_error"]
    assert row["shots_spent"] is None
    quiet = tmp_path / "clean"
    run(get_run_preset("h2-2q-demo").with_overrides({"episodes": 2}), out=quiet, progress=False)
    assert main(["mitigate", str(quiet)]) == 2
    assert "ran without noise" in capsys.readouterr().err


def test_the_search_can_see_readout_mitigated_energies(tmp_path):
    """noise.readout_mitigation: the environment's objective and the recorded energies are the
    readout-inverted ones (exact: the gate noise alone), the noiseless re-evaluation unchanged."""
    from workbench.experiment import build

    config = get_run_preset("h2-2q-mumbai-demo").with_overrides(
        {"noise.readout_mitigation": True, "noise.shots": None, "episodes": 3}
    )
    env = build(config).env
    assert env.mitigation.exact_noise(env.noise).readout_p01 == 0.0 and env.noise.readout_p01 > 0
    result = run(config, out=tmp_path / "run", progress=False)
    best = result.best
    circuit = Circuit.from_gates(2, best["gates"])
    params = np.asarray(best["params"])
    gates_only = load_profile("ibm-mumbai-median", readout_p01=0.0, readout_p10=0.0)
    assert (
        abs(best["energy"] - energies(circuit, params, get_problem("h2-2q"), gates_only)[0]) < 1e-12
    )
    assert "readout mitigated" in config.noise.label
    with_shots = get_run_preset("h2-2q-mumbai-demo").with_overrides(
        {"noise.readout_mitigation": True, "episodes": 2}
    )
    assert run(with_shots, out=tmp_path / "shots", progress=False).status == "complete"
