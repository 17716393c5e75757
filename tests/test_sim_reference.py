"""The simulator against independent references: PennyLane default.mixed and default.qubit."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest

from workbench.noise import NoiseModel
from workbench.paulis import PAULI_MATRICES, PauliHamiltonian
from workbench.sim import GATES, Circuit, energies
from workbench.sim.reference import (
    PENNYLANE_GATES,
    measured_energy,
    reference_density_matrix,
)


def random_circuit(rng, n):
    gates = []
    names = [g for g in GATES if GATES[g].n_qubits == 1 or n > 1]
    for _ in range(rng.integers(2, 3 * n + 6)):
        name = str(rng.choice(names))
        if GATES[name].n_qubits == 2:
            gates.append((name, *rng.choice(n, 2, replace=False)))
        else:
            gates.append((name, int(rng.integers(n))))
    return Circuit.from_gates(n, gates)


def random_noise(rng, n):
    t1 = rng.uniform(20, 100, n)
    thermal = rng.random() < 0.7
    return NoiseModel(
        n_qubits=n,
        depolarizing_1q=tuple(rng.uniform(0, 0.05, n)),
        depolarizing_2q=float(rng.uniform(0, 0.1)),
        two_qubit_depolarizing=str(rng.choice(["joint", "independent"])),
        t1=tuple(t1) if thermal else None,
        t2=tuple(t1 * rng.uniform(0.3, 2.0, n)) if thermal else None,
        gate_time_1q=float(rng.uniform(20, 60)),
        gate_time_2q=float(rng.uniform(200, 800)),
        amplitude_damping=float(rng.uniform(0, 0.02)) * (rng.random() < 0.5),
        phase_damping=float(rng.uniform(0, 0.02)) * (rng.random() < 0.5),
        readout_p01=tuple(rng.uniform(0, 0.08, n)),
        readout_p10=tuple(rng.uniform(0, 0.08, n)),
    )


def random_hamiltonian(rng, n, n_terms=8):
    words = ["".join(rng.choice(list("IXYZ"), n)) for _ in range(n_terms)]
    return PauliHamiltonian.from_terms(
        zip(words, rng.normal(size=n_terms), strict=True), n, shift=float(rng.normal())
    )


@pytest.mark.parametrize("n_qubits", [1, 2, 3, 4, 5])
def test_noisy_energies_match_default_mixed(n_qubits):
    rng = np.random.default_rng(100 + n_qubits)
    for _ in range(50):
        circuit = random_circuit(rng, n_qubits)
        noise = random_noise(rng, n_qubits)
        hamiltonian = random_hamiltonian(rng, n_qubits)
        params = rng.uniform(-np.pi, np.pi, (2, circuit.n_params))
        expected = [
            measured_energy(reference_density_matrix(circuit, p, noise), hamiltonian, noise)
            for p in params
        ]
        for backend in ("numba", "numpy"):
            ours = energies(circuit, params, hamiltonian, noise, backend=backend)
            np.testing.assert_allclose(ours, expected, atol=1e-10, rtol=0)


@pytest.mark.parametrize("n_qubits", [1, 2, 3, 4, 5])
def test_noiseless_energies_match_default_qubit(n_qubits):
    rng = np.random.default_rng(200 + n_qubits)
    device = qml.device("default.qubit", wires=n_qubits)
    for _ in range(50):
        circuit = random_circuit(rng, n_qubits)
        hamiltonian = random_hamiltonian(rng, n_qubits)
        params = rng.uniform(-np.pi, np.pi, circuit.n_params)
        observable = qml.dot(
            [hamiltonian.shift, *hamiltonian.coefficients],
            [qml.Identity(0)] + [qml.pauli.string_to_pauli_word(w) for w in hamiltonian.words],
        )

        @qml.qnode(device)
        def run(circuit=circuit, params=params, observable=observable):
            for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
                gate = PENNYLANE_GATES[op.gate]
                gate(params[p], wires=op.wires) if p >= 0 else gate(wires=op.wires)
            return qml.expval(observable)

        assert energies(circuit, params, hamiltonian)[0] == pytest.approx(float(run()), abs=1e-10)


def test_gate_unitaries_match_pennylane():
    for name, gate in GATES.items():
        wires = list(range(gate.n_qubits))
        op = (
            PENNYLANE_GATES[name](0.37, wires=wires)
            if gate.parametric
            else PENNYLANE_GATES[name](wires=wires)
        )
        np.testing.assert_allclose(gate.unitary(0.37), qml.matrix(op), atol=1e-12, err_msg=name)


def test_pauli_matrices_are_the_standard_ones():
    assert np.allclose(PAULI_MATRICES["Y"], qml.matrix(qml.PauliY(0)))


@pytest.mark.parametrize("thermal", [False, True], ids=["pauli-noise", "thermal"])
def test_large_register_kernels_agree_with_the_numpy_path(thermal):
    """n = 7 uses the in-place kernels (swap path for Pauli noise, tiles otherwise)."""
    rng = np.random.default_rng(7)
    n = 7
    circuit = random_circuit(rng, n)
    circuit = Circuit.from_gates(n, [(op.gate, *op.wires) for op in circuit.operations] * 2)
    noise = NoiseModel(
        depolarizing_1q=2e-3,
        depolarizing_2q=1e-2,
        readout_p01=0.02,
        t1=60.0 if thermal else None,
        t2=70.0 if thermal else None,
    )
    hamiltonian = random_hamiltonian(rng, n, n_terms=20)
    params = rng.uniform(-np.pi, np.pi, (3, circuit.n_params))
    expected = energies(circuit, params, hamiltonian, noise, backend="numpy")
    np.testing.assert_allclose(energies(circuit, params, hamiltonian, noise), expected, atol=1e-12)
    single = energies(circuit, params[0], hamiltonian, noise)
    assert single[0] == pytest.approx(expected[0], abs=1e-12)
    from workbench.sim.kernels import propagate
    from workbench.sim.program import compile_program

    program = compile_program(circuit, noise)  # the kept vectors of a batch, in place
    np.testing.assert_allclose(
        propagate(program, params), propagate(program, params, "numpy"), atol=1e-12
    )


@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_every_pauli_component_matches_the_dense_reference(backend):
    from workbench.sim.kernels import propagate
    from workbench.sim.program import compile_program
    from workbench.sim.reference import density_matrix, pauli_vector

    rng = np.random.default_rng(31)
    for _ in range(10):
        circuit = random_circuit(rng, 3)
        noise = random_noise(rng, 3)
        params = rng.uniform(-np.pi, np.pi, (2, circuit.n_params))
        vectors = propagate(compile_program(circuit, noise), params, backend)
        for p, vector in zip(params, vectors, strict=True):
            expected = pauli_vector(density_matrix(circuit, p, noise))
            np.testing.assert_allclose(vector, expected, atol=1e-12)
