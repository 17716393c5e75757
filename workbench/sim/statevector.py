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
    """State vectors ``(batch, 2**n)`` of the circuit from :math:`|0\\dots0\rangle`.

    Rotations update the amplitude pairs of their wire in place from ``cos``/``sin`` of the
    half angles; CNOT is an index permutation; other gates use their unitary. (Called thousands
    of times per episode by COBYLA: no per-gate matrices are built for the common gates.)
    """
    n, batch = circuit.n_qubits, params.shape[0]
    states = np.zeros((batch, 2**n), dtype=complex)
    states[:, 0] = 1.0
    for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
        if op.gate in _ROTATIONS:
            _rotate(states, n, op.wires[0], op.gate, params[:, p])
        elif op.gate == "CNOT":
            states = states[:, _cnot_permutation(n, *op.wires)]
        else:
            states = _apply_unitary(states, n, op, params[:, p] if p >= 0 else None)
    return states


_ROTATIONS = ("RX", "RY", "RZ")


def _rotate(states: np.ndarray, n: int, wire: int, gate: str, theta: np.ndarray) -> None:
    view = states.reshape(states.shape[0], 2**wire, 2, 2 ** (n - wire - 1))
    a, b = view[:, :, 0, :].copy(), view[:, :, 1, :]
    c = np.cos(theta / 2)[:, None, None]
    s = np.sin(theta / 2)[:, None, None]
    if gate == "RX":
        view[:, :, 0, :] = c * a - 1j * s * b
        view[:, :, 1, :] = c * b - 1j * s * a
    elif gate == "RY":
        view[:, :, 0, :] = c * a - s * b
        view[:, :, 1, :] = c * b + s * a
    else:
        view[:, :, 0, :] = (c - 1j * s) * a
        view[:, :, 1, :] = (c + 1j * s) * b


@functools.lru_cache(maxsize=256)
def _cnot_permutation(n: int, control: int, target: int) -> np.ndarray:
    index = np.arange(2**n)
    control_bit, target_bit = 1 << (n - 1 - control), 1 << (n - 1 - target)
    return np.where(index & control_bit, index ^ target_bit, index)


def _apply_unitary(states: np.ndarray, n: int, op, thetas: np.ndarray | None) -> np.ndarray:
    batch = states.shape[0]
    if thetas is not None:
        unitaries = np.array([op.type.unitary(theta) for theta in thetas])
    else:
        unitaries = np.broadcast_to(op.type.unitary(), (batch, *op.type.unitary().shape))
    k = len(op.wires)
    tensor = states.reshape((batch,) + (2,) * n)
    axes = [w + 1 for w in op.wires]
    moved = np.moveaxis(tensor, axes, list(range(1, k + 1)))
    shape = moved.shape
    flat = np.einsum(
        "bij,bjr->bir", unitaries.reshape(batch, 2**k, 2**k), moved.reshape(batch, 2**k, -1)
    )
    return np.moveaxis(flat.reshape(shape), list(range(1, k + 1)), axes).reshape(batch, 2**n)


@functools.lru_cache(maxsize=64)
def flip_diagonals(hamiltonian: PauliHamiltonian) -> tuple[tuple[int, np.ndarray], ...]:
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
    for flip, diagonal in flip_diagonals(hamiltonian):
        energies += np.einsum("bi,i,bi->b", states[:, index ^ flip].conj(), diagonal, states).real
    return energies
