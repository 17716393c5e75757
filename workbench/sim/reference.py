"""Independent references for the PTM engine: a slow in-house dense density matrix, and
PennyLane's ``default.mixed`` with the same channels (:func:`pennylane_energy`).

Both apply each gate's unitary and then the channels the noise model puts after it, on the full
2^n × 2^n matrix; no caching, no tricks. Readout acts on each term in its own measurement basis
(rotate, apply the confusion matrix to the outcome distribution, take the signed sum).
"""

from __future__ import annotations

import numpy as np
import pennylane as qml

from workbench.noise import NoiseModel
from workbench.paulis import PauliHamiltonian, pauli_basis
from workbench.sim.circuit import Circuit


def _embed(matrix: np.ndarray, wires: tuple[int, ...], n_qubits: int) -> np.ndarray:
    """Full-register operator of a local matrix on ``wires`` (wire 0 most significant)."""
    k = len(wires)
    tensor = matrix.reshape((2,) * (2 * k))
    identity = np.eye(2**n_qubits).reshape((2,) * (2 * n_qubits))
    full = np.tensordot(tensor, identity, axes=(list(range(k, 2 * k)), list(wires)))
    moved = np.moveaxis(full, list(range(k)), list(wires))
    return moved.reshape(2**n_qubits, 2**n_qubits)


def density_matrix(circuit: Circuit, params, noise: NoiseModel | None = None) -> np.ndarray:
    n = circuit.n_qubits
    rho = np.zeros((2**n, 2**n), dtype=complex)
    rho[0, 0] = 1.0
    params = np.asarray(params, dtype=float)
    for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
        u = _embed(op.type.unitary(params[p] if p >= 0 else 0.0), op.wires, n)
        rho = u @ rho @ u.conj().T
        for channel in _channels(noise, op):
            ks = [_embed(k, channel.wires, n) for k in channel.kraus]
            rho = sum(k @ rho @ k.conj().T for k in ks)
    return rho


def pauli_vector(rho: np.ndarray) -> np.ndarray:
    """``r_P = Tr(P ρ)`` for all Pauli words, in vector order."""
    n = int(np.log2(rho.shape[0]))
    return np.einsum("pij,ji->p", pauli_basis(n), rho).real


PENNYLANE_GATES = {
    "RX": qml.RX,
    "RY": qml.RY,
    "RZ": qml.RZ,
    "H": qml.Hadamard,
    "X": qml.PauliX,
    "Y": qml.PauliY,
    "Z": qml.PauliZ,
    "S": qml.S,
    "SX": qml.SX,
    "CNOT": qml.CNOT,
    "CZ": qml.CZ,
}


def pennylane_channel(channel):
    """The PennyLane operation of one workbench channel."""
    if channel.name == "thermal_relaxation":
        t1, t2, gate_time = channel.parameters
        return qml.ThermalRelaxationError(0.0, t1, t2, gate_time / 1000, wires=channel.wires)
    if channel.name == "depolarizing" and len(channel.wires) == 1:
        return qml.DepolarizingChannel(channel.parameters[0], wires=channel.wires)
    if channel.name == "amplitude_damping":
        return qml.AmplitudeDamping(channel.parameters[0], wires=channel.wires)
    if channel.name == "phase_damping":
        return qml.PhaseDamping(channel.parameters[0], wires=channel.wires)
    return qml.QubitChannel(list(channel.kraus), wires=channel.wires)  # 2-qubit depolarizing


def reference_density_matrix(circuit: Circuit, params, noise) -> np.ndarray:
    """The density matrix from PennyLane ``default.mixed``."""
    device = qml.device("default.mixed", wires=circuit.n_qubits)

    @qml.qnode(device)
    def run():
        for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
            gate = PENNYLANE_GATES[op.gate]
            gate(params[p], wires=op.wires) if p >= 0 else gate(wires=op.wires)
            for channel in _channels(noise, op):
                pennylane_channel(channel)
        return qml.density_matrix(wires=range(circuit.n_qubits))

    return np.asarray(run())


def measured_energy(rho, hamiltonian: PauliHamiltonian, noise):
    """Each term measured in its own basis, with readout applied to the sampled bits."""
    n = hamiltonian.n_qubits
    hadamard = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    rotation = {"I": np.eye(2), "Z": np.eye(2), "X": hadamard, "Y": hadamard @ np.diag([1, -1j])}
    energy = hamiltonian.shift
    for word, coefficient in hamiltonian.terms():
        u = np.array([[1.0]])
        confusion = np.array([[1.0]])
        for q, letter in enumerate(word):
            u = np.kron(u, rotation[letter])
            p01, p10 = noise.readout(q) if noise is not None else (0.0, 0.0)
            confusion = np.kron(confusion, np.array([[1 - p01, p10], [p01, 1 - p10]]))
        probabilities = confusion @ np.real(np.diag(u @ rho @ u.conj().T))
        support = [q for q, letter in enumerate(word) if letter != "I"]
        signs = [(-1) ** sum((m >> (n - 1 - q)) & 1 for q in support) for m in range(2**n)]
        energy += coefficient * probabilities @ signs
    return energy


def pennylane_energy(circuit: Circuit, params, hamiltonian, noise: NoiseModel | None) -> float:
    """Energy (Ha) from PennyLane ``default.mixed`` with the same noise (a Problem or a
    PauliHamiltonian; exact expectation, no shots)."""
    hamiltonian = getattr(hamiltonian, "hamiltonian", hamiltonian)
    rho = reference_density_matrix(circuit, np.asarray(params, dtype=float), noise)
    return float(measured_energy(rho, hamiltonian, noise))


SPARSE_REFERENCE_QUBITS = 8


def pennylane_energy_and_gradient(
    circuit: Circuit, params, hamiltonian
) -> tuple[float, np.ndarray]:
    """Noiseless energy (Ha) and gradient (Ha/rad) from PennyLane ``default.qubit`` with its own
    adjoint differentiation (independent of :mod:`workbench.sim.adjoint`). Past
    ``SPARSE_REFERENCE_QUBITS`` the observable is PennyLane's own sparse matrix of the Pauli sum
    (term by term a 12-qubit molecule takes ~30 s, as a matrix ~3 s)."""
    hamiltonian = getattr(hamiltonian, "hamiltonian", hamiltonian)
    wires = range(circuit.n_qubits)
    wire_map = {q: q for q in wires}
    observable = qml.Hamiltonian(
        list(hamiltonian.coefficients),
        [qml.pauli.string_to_pauli_word(w, wire_map) for w in hamiltonian.words],
    )
    if circuit.n_qubits > SPARSE_REFERENCE_QUBITS:
        observable = qml.SparseHamiltonian(observable.sparse_matrix(wire_order=wires), wires)
    device = qml.device("default.qubit", wires=circuit.n_qubits)

    @qml.qnode(device, diff_method="adjoint")
    def run(x):
        for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
            gate = PENNYLANE_GATES[op.gate]
            gate(x[p], wires=op.wires) if p >= 0 else gate(wires=op.wires)
        return qml.expval(observable)

    x = qml.numpy.array(np.asarray(params, dtype=float), requires_grad=True)
    energy = float(run(x)) + hamiltonian.shift
    return energy, np.asarray(qml.grad(run)(x), dtype=float)


def _channels(noise: NoiseModel | None, op) -> list:
    """The channels after ``op`` (none without noise, or after a virtual RZ)."""
    return noise.after_gate(op.wires) if noise is not None and noise.acts_after(op.gate) else []
