"""Optimisers: Adam-SPSA recomputed from its formula, stages and shots, Rotosolve, COBYLA."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.config import OptimizerConfig
from workbench.errors import ConfigError
from workbench.optim import (
    COBYLA,
    AdamSPSA,
    Rotosolve,
    adam_spsa,
    build_optimizer,
    cobyla,
    rotosolve_angle,
    three_stage_shots,
)

CENTRE = np.array([0.3, -0.7, 1.1])


def quadratic(params, shots=None):
    return np.sum((np.atleast_2d(params) - CENTRE) ** 2 * [1.0, 2.0, 0.5], axis=1)


def reference_adam_spsa(f, x0, s: AdamSPSA, seed):
    """The spec's pseudo-code (§6.1), written out plainly."""
    rng = np.random.default_rng(seed)
    theta = np.array(x0, float)
    best = (f(theta[None])[0], theta.copy())
    m = v = np.zeros_like(theta)
    iterations = sum(math.ceil(maxfev / 2) for maxfev, _ in s.stages)
    for k in range(iterations):
        a_k, c_k = s.a / (k + 1) ** s.alpha, s.c / (k + 1) ** s.gamma
        delta = rng.choice([-1.0, 1.0], size=theta.size)
        g = (f((theta + c_k * delta)[None])[0] - f((theta - c_k * delta)[None])[0]) / (
            2 * c_k * delta
        )
        if k == 0:
            step = g
        else:
            b1 = s.beta1 / (k + 1) ** s.lam
            m = b1 * m + (1 - b1) * g
            v = s.beta2 * v + (1 - s.beta2) * g**2
            step = (m / (1 - b1 ** (k + 1))) / (np.sqrt(v / (1 - s.beta2 ** (k + 1))) + s.epsilon)
        theta = theta - a_k * step
        value = f(theta[None])[0]
        if value < best[0]:
            best = (value, theta.copy())
    return best


def test_adam_spsa_matches_the_formula():
    settings = AdamSPSA(0.6, 0.602, 0.1, 0.101, 0.5, 0.9, 0.999, stages=((60, None),))
    ours = adam_spsa(quadratic, np.zeros(3), settings, np.random.default_rng(11))
    value, x = reference_adam_spsa(quadratic, np.zeros(3), settings, 11)
    np.testing.assert_allclose(ours.x, x, atol=1e-12)
    assert ours.fun == pytest.approx(value, abs=1e-12)
    assert ours.n_evaluations == 1 + 3 * 30
    assert ours.fun < quadratic(np.zeros(3))[0] / 5


def test_three_stage_schedule_passes_shots_per_stage():
    seen = []

    def objective(params, shots=None):
        seen.append((len(params), shots))
        return quadratic(params)

    settings = build_optimizer(OptimizerConfig(method="adam_spsa3", maxfev=(6, 4, 2)), 1000)
    result = adam_spsa(objective, np.zeros(3), settings, np.random.default_rng(0))
    shots = [s for _, s in seen]
    # 3 + 2 + 1 iterations; the ± pair of iteration k is evaluated with stage k's shots
    assert shots == [10, 10, 10, 100, 100, 1000, 1000]
    assert result.n_evaluations == 1 + 3 * 6
    assert three_stage_shots(10**7) == (10**5, 10**6, 10**7)


def test_plain_spsa_converges():
    settings = AdamSPSA(0.3, 0.602, 0.1, 0.101, 0.5, 0.9, 0.999, stages=((400, None),))
    result = adam_spsa(quadratic, np.zeros(3), settings, np.random.default_rng(3), plain=True)
    np.testing.assert_allclose(result.x, CENTRE, atol=0.05)


def test_rotosolve_finds_the_exact_minimum_of_a_sinusoid():
    def objective(params, shots=None):
        theta = np.atleast_2d(params)[:, 1]
        return 2.0 * np.sin(theta + 0.3) + 1.0

    result = rotosolve_angle(objective, [5.0, 0.4], index=1)
    assert result.fun == pytest.approx(-1.0, abs=1e-12)
    assert result.x[0] == 5.0
    assert result.x[1] == pytest.approx(-np.pi / 2 - 0.3)


def test_cobyla_and_empty_parameter_lists():
    result = cobyla(quadratic, np.zeros(3), max_iterations=500)
    np.testing.assert_allclose(result.x, CENTRE, atol=1e-3)
    assert cobyla(lambda p, shots=None: np.array([1.5]), np.zeros(0)).n_evaluations == 1
    empty = adam_spsa(
        lambda p, shots=None: np.array([2.0]),
        np.zeros(0),
        build_optimizer(OptimizerConfig("adam_spsa")),
        np.random.default_rng(0),
    )
    assert empty.fun == 2.0 and empty.n_evaluations == 1


def test_rotosolve_sweeps_solve_a_sum_of_sinusoids():
    # E(θ) = Σ cos(θ_i − φ_i): separable, so one sweep lands every angle on its minimum.
    phases = np.array([0.3, -1.2, 2.0])

    def f(params, shots=None):
        return np.cos(np.atleast_2d(params) - phases).sum(axis=1)

    result = Rotosolve(sweeps=1).minimize(f, np.zeros(3), np.random.default_rng(0))
    assert result.fun == pytest.approx(-3.0, abs=1e-12)
    assert result.n_evaluations == 3 * 3 + 1


def test_build_optimizer_from_config():
    assert build_optimizer(OptimizerConfig(max_iterations=7)) == COBYLA(7)
    assert build_optimizer(OptimizerConfig(method="rotosolve", max_iterations=2)) == Rotosolve(2)
    spsa = build_optimizer(OptimizerConfig(method="spsa", maxfev=(40,)), shots=100)
    assert spsa.plain and spsa.stages == ((40, 100),)
    three = build_optimizer(OptimizerConfig(method="adam_spsa3", maxfev=(30, 20, 10)), 10_000)
    assert three.stages == ((30, 100), (20, 1000), (10, 10_000)) and not three.plain
    with pytest.raises(ConfigError, match="shot budget"):
        build_optimizer(OptimizerConfig(method="adam_spsa3", maxfev=(30, 20, 10)))


@pytest.mark.parametrize("zne_scales", [(), (1, 3, 5)])
def test_three_stage_adam_spsa_batched_equals_one_point_at_a_time_under_noise(zne_scales):
    """The noisy search's optimiser evaluates θ and the next ± pair in one batched call through
    the PTM engine (with ZNE: every folded circuit batched); evaluating the rows one at a time
    gives the same iterates and the same best energy: bit for bit where the batch is small enough
    to run set by set (``numba_path.SERIAL_MAX_WORK``), to rounding where the folded circuits
    send it to the parallel kernel. (With shots the estimates
    have the same distribution either way, but a batch draws its groups' counts group by group
    across the batch, so a batch of three and three single calls use the generator in a
    different order.)"""
    from workbench.chem import get_problem
    from workbench.devices import load_profile
    from workbench.sim import Circuit, Mitigation, search_energies

    problem = get_problem("lih-4q")
    circuit = Circuit.from_gates(4, [("X", 0), ("X", 1), ("RY", 1), ("CNOT", 1, 2), ("RX", 2),
                                     ("CNOT", 0, 3), ("RZ", 3), ("RY", 0)])  # fmt: skip
    noise, mitigation = load_profile("depolarizing-1e-3"), Mitigation(zne_scales=zne_scales)
    settings = build_optimizer(OptimizerConfig(method="adam_spsa3", maxfev=(30, 9, 3)), 10_000)

    def batched(params, shots=None):  # exact expectations: the stages' shots are not drawn
        return search_energies(circuit, params, problem, noise, None, None, mitigation)

    def one_at_a_time(params, shots=None):
        return np.array([batched(row[None])[0] for row in np.atleast_2d(params)])

    x0 = np.full(circuit.n_params, 0.1)
    runs = [adam_spsa(f, x0, settings, np.random.default_rng(5)) for f in (batched, one_at_a_time)]
    from workbench.sim.kernels import numba_path

    if not zne_scales and numba_path.available():  # numpy's batched einsum may round otherwise
        assert runs[0].x.tolist() == runs[1].x.tolist() and runs[0].fun == runs[1].fun
    np.testing.assert_allclose(runs[0].x, runs[1].x, atol=1e-12)
    assert runs[0].fun == pytest.approx(runs[1].fun, abs=1e-12)
    assert runs[0].n_evaluations == runs[1].n_evaluations == 1 + 3 * (15 + 5 + 2)
    assert runs[0].fun < batched(x0[None])[0]  # it optimised
