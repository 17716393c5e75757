"""Slow, dense density-matrix simulation: an in-house cross-check for tests only.

Applies each gate's unitary and then the Kraus operators of the channels the noise model puts
after it, on the full 2^n × 2^n matrix. No caching, no tricks.
"""

from __future__ import annotations

import numpy as np

from workbench.noise import NoiseModel
from workbench.paulis import pauli_basis
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
        for channel in noise.after_gate(op.wires) if noise is not None else ():
            ks = [_embed(k, channel.wires, n) for k in channel.kraus]
            rho = sum(k @ rho @ k.conj().T for k in ks)
    return rho


def pauli_vector(rho: np.ndarray) -> np.ndarray:
    """``r_P = Tr(P ρ)`` for all Pauli words, in vector order."""
    n = int(np.log2(rho.shape[0]))
    return np.einsum("pij,ji->p", pauli_basis(n), rho).real
