"""The compiled noiseless path: energies against the numpy state vector, adjoint gradients against
central finite differences and PennyLane's own adjoint method, parameter-shift gradients under
noise against finite differences of the PTM engine."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.noise import NoiseModel
from workbench.paulis import PauliHamiltonian
from workbench.sim import Circuit, adjoint, energies, energy_and_gradient
from workbench.sim.reference import pennylane_energy_and_gradient
from workbench.sim.statevector import propagate_statevector, statevector_expectation


def agent_circuit(rng, n, n_gates, preparation=()):
    """A random circuit over the agent's gate set, after fixed X gates on ``preparation``."""
    gates = [("X", q) for q in preparation]
    for _ in range(n_gates):
        if n > 1 and rng.random() < 0.35:
            gates.append(("CNOT", *(int(w) for w in rng.choice(n, 2, replace=False))))
        else:
            gates.append((str(rng.choice(["RX", "RY", "RZ"])), int(rng.integers(n))))
    return Circuit.from_gates(n, gates)


def random_hamiltonian(rng, n, n_terms=12):
    words = ["".join(rng.choice(list("IXYZ"), n)) for _ in range(n_terms)]
    return PauliHamiltonian.from_terms(
        zip(words, rng.normal(size=n_terms), strict=True), n, shift=float(rng.normal())
    )


def finite_differences(circuit, x, hamiltonian, noise=None, h=1e-5):
    shifts = h * np.eye(x.size)
    plus = energies(circuit, x + shifts, hamiltonian, noise)
    minus = energies(circuit, x - shifts, hamiltonian, noise)
    return (plus - minus) / (2 * h)


@pytest.mark.parametrize("n_qubits", [1, 2, 3, 5, 7])
def test_compiled_energies_match_numpy_state_vector(n_qubits):
    rng = np.random.default_rng(n_qubits)
    for _ in range(10):
        circuit = agent_circuit(rng, n_qubits, int(rng.integers(1, 25)), preparation=[0])
        hamiltonian = random_hamiltonian(rng, n_qubits)
        x = rng.uniform(-np.pi, np.pi, (4, circuit.n_params))
        reference = statevector_expectation(propagate_statevector(circuit, x), hamiltonian)
        assert adjoint.supported(circuit)
        np.testing.assert_allclose(energies(circuit, x, hamiltonian), reference, atol=1e-12)


@pytest.mark.parametrize("n_qubits", [1, 2, 4, 6])
def test_adjoint_gradient_matches_finite_differences(n_qubits):
    rng = np.random.default_rng(10 + n_qubits)
    for _ in range(8):
        circuit = agent_circuit(rng, n_qubits, int(rng.integers(1, 30)), preparation=[n_qubits - 1])
        hamiltonian = random_hamiltonian(rng, n_qubits)
        x = rng.uniform(-np.pi, np.pi, circuit.n_params)
        energy, gradient = energy_and_gradient(circuit, x, hamiltonian)
        assert energy == pytest.approx(energies(circuit, x, hamiltonian)[0], abs=1e-12)
        np.testing.assert_allclose(gradient, finite_differences(circuit, x, hamiltonian), atol=1e-8)


@pytest.mark.parametrize(
    ("problem_id", "n_gates"), [("h2-4q", 24), ("lih-4q", 24), ("lih-12q", 120)]
)
def test_adjoint_gradient_matches_pennylane(problem_id, n_gates):
    """At 12 qubits too: the CSR Hamiltonian and every wire's run length of the gate kernels."""
    problem = get_problem(problem_id)
    rng = np.random.default_rng(7)
    hartree_fock = [q for q, bit in enumerate(problem.hartree_fock_state) if bit]
    circuit = agent_circuit(rng, problem.n_qubits, n_gates, preparation=hartree_fock)
    x = rng.uniform(-np.pi, np.pi, circuit.n_params)
    energy, gradient = energy_and_gradient(circuit, x, problem)
    reference_energy, reference_gradient = pennylane_energy_and_gradient(circuit, x, problem)
    assert energy == pytest.approx(reference_energy, abs=1e-8)
    np.testing.assert_allclose(gradient, reference_gradient, atol=1e-8)


def test_parameter_shift_gradient_under_noise_matches_finite_differences():
    rng = np.random.default_rng(3)
    n = 3
    noise = NoiseModel(
        n_qubits=n,
        depolarizing_1q=(0.01, 0.02, 0.005),
        depolarizing_2q=0.03,
        readout_p01=(0.02, 0.01, 0.03),
        readout_p10=(0.01, 0.02, 0.0),
    )
    circuit = agent_circuit(rng, n, 15)
    hamiltonian = random_hamiltonian(rng, n)
    x = rng.uniform(-np.pi, np.pi, circuit.n_params)
    energy, gradient = energy_and_gradient(circuit, x, hamiltonian, noise)
    assert energy == pytest.approx(energies(circuit, x, hamiltonian, noise)[0], abs=1e-12)
    np.testing.assert_allclose(
        gradient, finite_differences(circuit, x, hamiltonian, noise), atol=1e-8
    )


def test_readout_only_noise_uses_the_distorted_observable():
    """Readout error without channels keeps the compiled path, on the readout observable."""
    rng = np.random.default_rng(4)
    noise = NoiseModel(n_qubits=2, readout_p01=(0.05, 0.02), readout_p10=(0.03, 0.01))
    circuit = agent_circuit(rng, 2, 8)
    hamiltonian = random_hamiltonian(rng, 2)
    x = rng.uniform(-np.pi, np.pi, circuit.n_params)
    energy, gradient = energy_and_gradient(circuit, x, hamiltonian, noise)
    assert energy != pytest.approx(energies(circuit, x, hamiltonian)[0], abs=1e-6)
    np.testing.assert_allclose(
        gradient, finite_differences(circuit, x, hamiltonian, noise), atol=1e-8
    )
