r"""Noiseless fast path: batched state vectors and Pauli expectations without dense matrices.

A Pauli word acts as :math:`P|b\rangle = i^{n_Y}(-1)^{|b\wedge m_{YZ}|}|b\oplus m_{XY}\rangle`,
so :math:`\langle\psi|H|\psi\rangle = s + \sum_f \sum_b \overline{\psi_{b\oplus f}}\,D_f(b)\,\psi_b`
with one diagonal :math:`D_f` per distinct flip mask :math:`f` (terms sharing X/Y positions are
evaluated together).
"""

from __future__ import annotations

import functools

import numpy as np

from workbench.paulis import PauliHamiltonian, pauli_signs, word_masks
from workbench.sim.circuit import Circuit


def propagate_statevector(circuit: Circuit, params: np.ndarray) -> np.ndarray:
    """State vectors ``(batch, 2**n)`` of the circuit from :math:`|0\\dots0\\rangle`."""
    n, batch = circuit.n_qubits, params.shape[0]
    states = np.zeros((batch, 2**n), dtype=complex)
    states[:, 0] = 1.0
    for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
        if p >= 0:
            unitaries = np.array([op.type.unitary(theta) for theta in params[:, p]])
        else:
            unitaries = np.broadcast_to(op.type.unitary(), (batch, *op.type.unitary().shape))
        k = len(op.wires)
        tensor = states.reshape((batch,) + (2,) * n)
        gate = unitaries.reshape((batch,) + (2,) * (2 * k))
        axes = [w + 1 for w in op.wires]
        moved = np.moveaxis(tensor, axes, list(range(1, k + 1)))
        shape = moved.shape
        flat = moved.reshape(batch, 2**k, -1)
        flat = np.einsum("bij,bjr->bir", gate.reshape(batch, 2**k, 2**k), flat)
        states = np.moveaxis(flat.reshape(shape), list(range(1, k + 1)), axes).reshape(batch, 2**n)
    return states


@functools.lru_cache(maxsize=64)
def _flip_diagonals(hamiltonian: PauliHamiltonian) -> tuple[tuple[int, np.ndarray], ...]:
    index = np.arange(2**hamiltonian.n_qubits, dtype=np.int64)
    diagonals: dict[int, np.ndarray] = {}
    for word, coefficient in hamiltonian.terms():
        flip, phase, n_y = word_masks(word)
        signs = pauli_signs(index & phase)
        diagonals.setdefault(flip, np.zeros(index.size, dtype=complex))
        diagonals[flip] += coefficient * (1j**n_y) * signs
    return tuple(diagonals.items())


def statevector_expectation(states: np.ndarray, hamiltonian: PauliHamiltonian) -> np.ndarray:
    """:math:`\\langle\\psi|H|\\psi\\rangle` for each state vector (shift included)."""
    index = np.arange(states.shape[1], dtype=np.int64)
    energies = np.full(states.shape[0], hamiltonian.shift)
    for flip, diagonal in _flip_diagonals(hamiltonian):
        energies += np.einsum("bi,i,bi->b", states[:, index ^ flip].conj(), diagonal, states).real
    return energies
