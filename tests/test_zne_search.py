"""Zero-noise extrapolation inside the search (``noise.zne_scales``): the weights by hand, the
search's energies against hand-folded circuits (exact and with shots, the same random draws),
the extrapolated gradient against finite differences, the shot and circuit accounting of the
environment and of a run, and the settings' errors."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.cli import main
from workbench.config import NoiseConfig, get_run_preset
from workbench.devices import load_profile
from workbench.env.vqe import CircuitGrowthEnv
from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.optim import AdamSPSA
from workbench.results import load_run
from workbench.runs import run
from workbench.sim import Circuit, Mitigation, compiled_search_energy, energies, search_energies
from workbench.sim.measurement import measurement_groups
from workbench.sim.mitigation import fold, readout_mitigated_energies, zne_weights

H2 = get_problem("h2-4q")
CIRCUIT = Circuit.from_gates(4, [("X", 0), ("X", 1), ("RY", 2), ("CNOT", 2, 3), ("CNOT", 2, 0),
                                 ("RX", 1), ("CNOT", 3, 1), ("RZ", 0)])  # fmt: skip
ANGLES = np.array([[0.3, -0.7, 1.1], [0.5, 0.2, -0.4]])
DEPOLARIZING = NoiseModel(depolarizing_1q=2e-3, depolarizing_2q=2e-2, readout_p01=0.03,
                          readout_p10=0.05)  # fmt: skip


def test_extrapolation_weights_by_hand():
    # Richardson through (1, E1), (3, E3), (5, E5) at 0: Lagrange weights 15/8, -10/8, 3/8
    assert zne_weights((1, 3, 5), "richardson") == pytest.approx([1.875, -1.25, 0.375])
    assert zne_weights((1, 3), "richardson") == pytest.approx([1.5, -0.5])
    # least-squares line through three points: w_i = 1/3 - x̄ (x_i - x̄) / Σ(x - x̄)², x̄ = 3
    assert zne_weights((1, 3, 5), "linear") == pytest.approx([1 / 3 + 0.75, 1 / 3, 1 / 3 - 0.75])
    assert zne_weights((1, 3), "linear") == pytest.approx([1.5, -0.5])


@pytest.mark.parametrize("readout", [False, True])
def test_exact_search_energies_are_the_weighted_folded_energies(readout):
    mitigation = Mitigation(readout=readout, zne_scales=(1, 3, 5))
    seen = search_energies(CIRCUIT, ANGLES, H2, DEPOLARIZING, None, None, mitigation)
    channels = DEPOLARIZING.without_readout() if readout else DEPOLARIZING
    by_hand = []
    for params in ANGLES:
        folded = [energies(*fold(CIRCUIT, params, k), H2, channels)[0] for k in (1, 3, 5)]
        by_hand.append(1.875 * folded[0] - 1.25 * folded[1] + 0.375 * folded[2])
    assert seen == pytest.approx(by_hand, abs=1e-12)
    clean = energies(CIRCUIT, ANGLES, H2)
    raw = energies(CIRCUIT, ANGLES, H2, channels)
    # it extrapolates the gate noise away; readout error (not amplified by folding) stays
    assert np.all(np.abs(seen - clean) < np.abs(raw - clean) / (10 if readout else 1))


@pytest.mark.parametrize("readout", [False, True])
def test_shots_sample_each_folded_circuit_with_the_full_shots(readout):
    """By hand: for each parameter set in turn, each folded circuit sampled with the full shots
    (one set per call) and combined with the linear fit's weights 1.5, -0.5 — what the batch
    draws from the same seed."""
    mitigation = Mitigation(readout=readout, zne_scales=(1, 3), zne_fit="linear")
    seen = search_energies(CIRCUIT, ANGLES, H2, DEPOLARIZING, 500, 7, mitigation)
    generator, by_hand = np.random.default_rng(7), np.zeros(len(ANGLES))
    for b, params in enumerate(ANGLES):
        for weight, scale in zip((1.5, -0.5), (1, 3), strict=True):
            folded, angles = fold(CIRCUIT, params, scale)
            if readout:
                value = readout_mitigated_energies(folded, angles, H2, DEPOLARIZING, 500,
                                                   generator, least_squares=True)  # fmt: skip
            else:
                value = energies(folded, angles, H2, DEPOLARIZING, 500, generator)
            by_hand[b] += weight * value[0]
    assert seen == pytest.approx(by_hand, abs=1e-12)


def test_shot_estimates_average_to_the_exact_extrapolation():
    mitigation = Mitigation(zne_scales=(1, 3))
    exact = search_energies(CIRCUIT, ANGLES[:1], H2, DEPOLARIZING, None, None, mitigation)[0]
    batch = np.repeat(ANGLES[:1], 400, axis=0)
    sampled = search_energies(CIRCUIT, batch, H2, DEPOLARIZING, 2000, 3, mitigation)
    assert abs(sampled.mean() - exact) < 4 * sampled.std() / np.sqrt(len(sampled))


@pytest.mark.parametrize("readout", [False, True])
def test_the_compiled_extrapolated_energy_and_its_gradient(readout):
    mitigation = Mitigation(readout=readout, zne_scales=(1, 3, 5))
    compiled = compiled_search_energy(CIRCUIT, H2, DEPOLARIZING, mitigation)
    theta = ANGLES[0]
    batch = search_energies(CIRCUIT, theta, H2, DEPOLARIZING, None, None, mitigation)[0]
    assert compiled(theta) == pytest.approx(batch, abs=1e-12)
    value, gradient = compiled.value_and_gradient(theta)
    assert value == pytest.approx(batch, abs=1e-12)
    step = 1e-6
    for i in range(theta.size):
        shift = np.eye(theta.size)[i] * step
        difference = (compiled(theta + shift) - compiled(theta - shift)) / (2 * step)
        assert gradient[i] == pytest.approx(difference, abs=1e-7)


def test_the_environment_counts_circuits_and_shots_as_a_device_spends_them():
    noise = load_profile("ibm-mumbai-median")
    problem = get_problem("h2-2q")
    optimizer = AdamSPSA(1.2, 0.95, 0.1, 0.1, 0.9, 0.94, 0.998, stages=((20, 100),))
    env = CircuitGrowthEnv(problem, noise, optimizer=optimizer, shots=100, seed=0,
                           mitigation=Mitigation(readout=True, zne_scales=(1, 3, 5)))  # fmt: skip
    env.reset()
    evaluations, shots = env.evaluations, env.shots_spent
    rotation = next(i for i, (gate, _) in enumerate(env.table.actions) if gate != "CNOT")
    env.step(rotation)
    circuits = env.evaluations - evaluations
    groups = len(measurement_groups(problem.hamiltonian))
    assert circuits % 3 == 0 and circuits >= 3 * 20  # three folded circuits per energy
    assert env.shots_spent - shots == circuits * 100 * groups


def test_a_run_with_zne_records_extrapolated_energies_and_its_shots(tmp_path, capsys):
    config = get_run_preset("h2-2q-mumbai-demo").with_overrides(
        {
            "episodes": 3,
            "noise.readout_mitigation": True,
            "noise.zne_scales": [1, 3],
            "noise.zne_fit": "linear",
        }
    )
    assert config.noise.label.endswith("readout mitigated, ZNE 1,3 (linear)")
    result = run(config, out=tmp_path / "run", progress=False)
    best = result.best
    circuit = Circuit.from_gates(2, best["gates"])
    mitigation = Mitigation(readout=True, zne_scales=(1, 3), zne_fit="linear")
    noise = load_profile("ibm-mumbai-median")
    expected = search_energies(circuit, np.asarray(best["params"]), get_problem("h2-2q"), noise,
                               None, None, mitigation)  # fmt: skip
    assert best["energy"] == pytest.approx(expected[0], abs=1e-12)
    loaded = load_run(tmp_path / "run")
    groups = len(measurement_groups(get_problem("h2-2q").hamiltonian))
    assert loaded.shots_spent == loaded.energy_evaluations * 1000 * groups > 0
    assert main(["show", str(tmp_path / "run")]) == 0
    assert f"{loaded.energy_evaluations:,} circuits run" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"zne_scales": [1, 2]}, "2 is even"),
        ({"zne_scales": [3]}, "at least two different scales"),
        ({"zne_scales": [1, 1, 3]}, "appears twice"),
        ({"zne_scales": [1, 17]}, "in [1, 15]"),
        ({"zne_scales": "1,3"}, "expected a list"),
        ({"zne_scales": [1, 3], "zne_fit": "exponential"}, "linear, richardson"),
    ],
)
def test_bad_zne_settings_name_the_value_and_what_is_allowed(settings, message):
    with pytest.raises(ConfigError, match=r"noise\.zne") as error:
        NoiseConfig("ibm-ourense", **settings)
    assert message in str(error.value)


def test_zne_without_device_noise_is_refused():
    with pytest.raises(ConfigError, match="needs device noise"):
        NoiseConfig(zne_scales=(1, 3))
    assert NoiseConfig(overrides={"depolarizing_1q": 1e-3}, zne_scales=[5, 1, 3]).zne_scales == (
        1, 3, 5)  # fmt: skip
