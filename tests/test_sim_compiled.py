"""CompiledEnergy: the same kernels as energies()/energy_and_gradient(), compiled once — so the
same floats, bit for bit, noiseless and noisy, on both backends."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.devices import load_profile
from workbench.errors import ConfigError
from workbench.sim import Circuit, CompiledEnergy, energies, energy_and_gradient


def _random_circuit(n: int, rng, extra=()) -> Circuit:
    gates = list(extra)
    for _ in range(4 * n):
        if rng.random() < 0.3:
            a, b = rng.choice(n, 2, replace=False)
            gates.append(("CNOT", int(a), int(b)))
        else:
            gates.append((str(rng.choice(["RX", "RY", "RZ"])), int(rng.integers(n))))
    return Circuit.from_gates(n, gates)


@pytest.mark.parametrize("problem_id", ["h2-2q", "lih-4q"])
@pytest.mark.parametrize("noise_name", [None, "ibm-mumbai-median"])
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_compiled_energy_equals_energies_bit_for_bit(problem_id, noise_name, backend):
    rng = np.random.default_rng(7)
    problem = get_problem(problem_id)
    noise = None if noise_name is None else load_profile(noise_name)
    circuit = _random_circuit(problem.n_qubits, rng)
    objective = CompiledEnergy(circuit, problem, noise, backend=backend)
    for _ in range(3):
        theta = rng.uniform(-np.pi, np.pi, circuit.n_params)
        reference = energies(circuit, theta[None, :], problem, noise, backend=backend)[0]
        assert objective(theta) == reference
    value, gradient = objective.value_and_gradient(theta)
    expected_value, expected_gradient = energy_and_gradient(circuit, theta, problem, noise)
    assert value == expected_value and np.array_equal(gradient, expected_gradient)


def test_gates_outside_the_compiled_set_take_the_generic_path():
    problem = get_problem("h2-2q")
    circuit = Circuit.from_gates(2, [("H", 0), ("RY", 1), ("CNOT", 0, 1), ("S", 1)])
    objective = CompiledEnergy(circuit, problem)
    theta = np.array([0.3])
    assert objective(theta) == energies(circuit, theta[None, :], problem)[0]


def test_a_mismatch_is_refused_once_at_construction():
    circuit = Circuit.from_gates(3, [("RY", 0)])
    with pytest.raises(ConfigError, match="must match"):
        CompiledEnergy(circuit, get_problem("h2-2q"))


@pytest.mark.parametrize("problem_id", ["h2-2q", "lih-4q"])  # 3 sets x 4^n < 4096 entries
def test_small_batches_in_turn_equal_the_parallel_kernel_and_single_calls(problem_id, monkeypatch):
    """A batch under ``SERIAL_MAX_WORK`` runs set by set in this thread: each energy equals a
    call with that set alone bit for bit, and the parallel kernel's to 1e-12; shot estimates
    from a seeded batch are the same whichever path propagated it."""
    from workbench.sim.kernels import numba_path

    if not numba_path.available():
        pytest.skip("numba is not installed")
    problem = get_problem(problem_id)
    n = problem.n_qubits
    circuit = Circuit.from_gates(n, [("RY", 0), ("CNOT", 0, 1), ("RX", n - 1), ("CNOT", n - 1, 0),
                                     ("RZ", 1), ("RY", n - 2)])  # fmt: skip
    noise = load_profile("depolarizing-1e-3")
    batch = np.random.default_rng(3).normal(size=(3, circuit.n_params))
    serial = energies(circuit, batch, problem, noise, backend="numba")
    alone = [energies(circuit, x, problem, noise, backend="numba")[0] for x in batch]
    assert serial.tolist() == alone
    sampled = energies(circuit, batch, problem, noise, 1000, 5, backend="numba")
    monkeypatch.setattr(numba_path, "SERIAL_MAX_WORK", 0)  # every batch in a parallel region
    np.testing.assert_allclose(energies(circuit, batch, problem, noise, backend="numba"), serial,
                               atol=1e-12)  # fmt: skip
    parallel = energies(circuit, batch, problem, noise, 1000, 5, backend="numba")
    np.testing.assert_allclose(parallel, sampled, atol=1e-12)
