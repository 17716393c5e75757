r"""Compile a circuit and its noise into a flat program of fused, sparse local PTMs.

For a rotation :math:`R_P(\theta)` the PTM is a trigonometric polynomial of degree one,
:math:`R(\theta) = R_0 + \cos\theta\,R_1 + \sin\theta\,R_2`, with
:math:`R_0 = \tfrac12(R(0)+R(\pi))`, :math:`R_1 = \tfrac12(R(0)-R(\pi))`,
:math:`R_2 = R(\pi/2) - R_0`. The channels that follow the gate (a linear map :math:`N`) are fused
into it once: :math:`N R(\theta) = N R_0 + \cos\theta\,N R_1 + \sin\theta\,N R_2`. At run time a
gate costs three scalars per non-zero entry and one sparse local product; the program is cached
by (circuit, noise model), so angle changes never recompile.

Local index of a two-qubit op on wires ``(w0, w1)``: ``4 * digit(w0) + digit(w1)``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.paulis import ptm_from_unitary
from workbench.sim.circuit import Circuit, Operation

SPARSITY_TOLERANCE = 1e-15


@dataclass(frozen=True, eq=False)
class Program:
    """Flat arrays describing every op; entries of op ``k`` row ``r`` are
    ``rowptr[op_rowptr[k] + r] : rowptr[op_rowptr[k] + r + 1]``."""

    n_qubits: int
    op_wires: np.ndarray  # (n_ops, 2), second wire -1 for one-qubit ops
    op_param: np.ndarray  # (n_ops,), -1 for fixed ops
    op_rowptr: np.ndarray  # (n_ops,)
    op_swaps: np.ndarray  # (n_ops,) 1 where the local matrix is a scaled involutive permutation
    rowptr: np.ndarray
    cols: np.ndarray
    const: np.ndarray
    cos: np.ndarray
    sin: np.ndarray

    @property
    def n_ops(self) -> int:
        return len(self.op_param)


def _gate_components(op: Operation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gate = op.type
    if not gate.parametric:
        fixed = ptm_from_unitary(gate.unitary())
        return fixed, np.zeros_like(fixed), np.zeros_like(fixed)
    at_0, at_pi = ptm_from_unitary(gate.unitary(0.0)), ptm_from_unitary(gate.unitary(np.pi))
    r0 = (at_0 + at_pi) / 2
    return r0, (at_0 - at_pi) / 2, ptm_from_unitary(gate.unitary(np.pi / 2)) - r0


def _noise_ptm(op: Operation, noise: NoiseModel | None) -> np.ndarray:
    """Local PTM of the channels after ``op`` (identity without noise)."""
    if noise is None or not noise.acts_after(op.gate):
        return np.eye(4 ** len(op.wires))
    return noise.channel_ptm(op.wires)


def _is_scaled_involution(support: np.ndarray) -> bool:
    """One entry per row, at a column ``π(r)`` with ``π(π(r)) = r`` (e.g. a Clifford gate with
    Pauli noise): the op is then a set of scaled row swaps, applied in place."""
    if not np.all(support.sum(axis=1) == 1):
        return False
    permutation = support.argmax(axis=1)
    return bool(np.all(permutation[permutation] == np.arange(len(permutation))))


def _check_coupling(circuit: Circuit, noise: NoiseModel) -> None:
    if noise.coupling_map is None:
        return
    allowed = set(noise.coupling_map)
    for op in circuit.operations:
        if len(op.wires) == 2 and tuple(op.wires) not in allowed:
            raise ConfigError(
                f"{op.gate} on wires {op.wires} is not on the coupling map of {noise.name!r}: "
                f"allowed pairs are {sorted(allowed)}"
            )


@functools.lru_cache(maxsize=512)
def compile_program(circuit: Circuit, noise: NoiseModel | None = None) -> Program:
    """Compile (and cache) the fused sparse program of ``circuit`` under ``noise``."""
    if noise is not None:
        noise.check_size(circuit.n_qubits)
        _check_coupling(circuit, noise)
    wires, params, op_rowptr, swaps = [], [], [], []
    rowptr, cols, values = [0], [], []
    for op, param in zip(circuit.operations, circuit.parameter_indices(), strict=True):
        fused = [_noise_ptm(op, noise) @ m for m in _gate_components(op)]
        support = sum(np.abs(m) for m in fused) > SPARSITY_TOLERANCE
        op_rowptr.append(len(rowptr) - 1)
        for row in range(support.shape[0]):
            for col in np.flatnonzero(support[row]):
                cols.append(col)
                values.append([m[row, col] for m in fused])
            rowptr.append(len(cols))
        swaps.append(_is_scaled_involution(support))
        wires.append([op.wires[0], op.wires[1] if len(op.wires) == 2 else -1])
        params.append(param)
    values = np.array(values, dtype=np.float64).reshape(-1, 3)
    return Program(
        n_qubits=circuit.n_qubits,
        op_wires=np.array(wires, dtype=np.int64).reshape(-1, 2),
        op_param=np.array(params, dtype=np.int64),
        op_rowptr=np.array(op_rowptr, dtype=np.int64),
        op_swaps=np.array(swaps, dtype=np.int64),
        rowptr=np.array(rowptr, dtype=np.int64),
        cols=np.array(cols, dtype=np.int64),
        const=np.ascontiguousarray(values[:, 0]),
        cos=np.ascontiguousarray(values[:, 1]),
        sin=np.ascontiguousarray(values[:, 2]),
    )


@functools.lru_cache(maxsize=16)
def initial_pauli_vector(n_qubits: int) -> np.ndarray:
    r"""Pauli vector of :math:`|0\dots0\rangle`: 1 on every word made of I and Z, else 0.

    Cached and read-only: callers copy it.
    """
    vector = np.ones(1)
    for _ in range(n_qubits):
        vector = np.kron(vector, np.array([1.0, 0.0, 0.0, 1.0]))
    vector.setflags(write=False)
    return vector
