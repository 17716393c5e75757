"""The pure-numpy propagation: row by row, out of place, whole batch at once (vectorised over
the parameter sets and the free index ranges). The reference for the numba kernels, and the
path where numba is missing."""

from __future__ import annotations

import numpy as np

from workbench.sim.program import Program, initial_pauli_vector


def _coefficients(program: Program, k: int, params: np.ndarray) -> tuple[np.ndarray, int]:
    """Entries ``(batch, nnz)`` of op ``k``'s local matrix and the offset of its first entry."""
    arity = 1 if program.op_wires[k, 1] < 0 else 2
    first = program.op_rowptr[k]
    start, stop = program.rowptr[first], program.rowptr[first + 4**arity]
    p = program.op_param[k]
    const = program.const[start:stop][None, :]
    if p < 0:
        return np.broadcast_to(const, (params.shape[0], stop - start)), start
    theta = params[:, p : p + 1]
    cos, sin = program.cos[start:stop], program.sin[start:stop]
    return const + np.cos(theta) * cos + np.sin(theta) * sin, start


def propagate_numpy(program: Program, params: np.ndarray) -> np.ndarray:
    """Pauli vectors ``(batch, 4**n)`` after the program, for each parameter set."""
    n, batch = program.n_qubits, params.shape[0]
    vector = np.tile(initial_pauli_vector(n), (batch, 1))
    for k in range(program.n_ops):
        coef, start = _coefficients(program, k, params)
        w0, w1 = program.op_wires[k]
        if w1 < 0:
            view = vector.reshape(batch, 4**w0, 4, 4 ** (n - 1 - w0))
            index = [(slice(None), slice(None), row, slice(None)) for row in range(4)]
        else:
            a, b = sorted((w0, w1))
            view = vector.reshape(batch, 4**a, 4, 4 ** (b - a - 1), 4, 4 ** (n - 1 - b))
            pairs = [(r // 4, r % 4) if w0 == a else (r % 4, r // 4) for r in range(16)]
            index = [(slice(None), slice(None), i, slice(None), j, slice(None)) for i, j in pairs]
        out = np.empty_like(view)
        first = program.op_rowptr[k]
        shape = (batch,) + (1,) * (view.ndim - 1 - (1 if w1 < 0 else 2))
        for row, target in enumerate(index):
            entries = range(program.rowptr[first + row], program.rowptr[first + row + 1])
            acc = np.zeros_like(out[target])
            for e in entries:
                acc += coef[:, e - start].reshape(shape) * view[index[program.cols[e]]]
            out[target] = acc
        vector = out.reshape(batch, 4**n)
    return vector
