r"""Propagate Pauli vectors through a compiled program: numba kernel and pure-numpy fallback.

Both compute, for every parameter set ``b``, :math:`r_b = M_L(\theta_b)\cdots M_1(\theta_b)\,r_0`
with each :math:`M_k` a sparse 4×4 or 16×16 local matrix. A local op on wire :math:`q` touches
index digit :math:`q` (stride :math:`4^{n-1-q}`); rows are written out of place, row by row, with
the innermost loop over the contiguous low digits (the whole kernel is one targeted contraction,
as in Cirq's ``targeted_left_multiply``).
"""

from __future__ import annotations

import numpy as np

from workbench.errors import ConfigError
from workbench.sim.program import Program, initial_pauli_vector

try:  # numba is a dependency; the numpy path keeps the simulator usable without it.
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None

BACKENDS = ("numba", "numpy")


def default_backend() -> str:
    return "numba" if numba is not None else "numpy"


def _coefficients(program: Program, k: int, params: np.ndarray) -> tuple[np.ndarray, int]:
    arity = 1 if program.op_wires[k, 1] < 0 else 2
    first = program.op_rowptr[k]
    start, stop = program.rowptr[first], program.rowptr[first + 4**arity]
    p = program.op_param[k]
    const = program.const[start:stop][None, :]
    if p < 0:
        return np.broadcast_to(const, (params.shape[0], stop - start)), start
    theta = params[:, p : p + 1]
    return const + np.cos(theta) * program.cos[start:stop] + np.sin(theta) * program.sin[
        start:stop
    ], start


def propagate_numpy(program: Program, params: np.ndarray) -> np.ndarray:
    """Pauli vectors ``(batch, 4**n)`` after the program, for each parameter set (numpy)."""
    n, batch = program.n_qubits, params.shape[0]
    vector = np.tile(initial_pauli_vector(n), (batch, 1))
    for k in range(program.n_ops):
        coef, start = _coefficients(program, k, params)
        w0, w1 = program.op_wires[k]
        if w1 < 0:
            view = vector.reshape(batch, 4**w0, 4, 4 ** (n - 1 - w0))
            index = [(slice(None), slice(None), row, slice(None)) for row in range(4)]
            source = [(slice(None), slice(None), col, slice(None)) for col in range(4)]
        else:
            a, b = sorted((w0, w1))
            view = vector.reshape(batch, 4**a, 4, 4 ** (b - a - 1), 4, 4 ** (n - 1 - b))
            pairs = [(r // 4, r % 4) if w0 == a else (r % 4, r // 4) for r in range(16)]
            index = [(slice(None), slice(None), i, slice(None), j, slice(None)) for i, j in pairs]
            source = index
        out = np.empty_like(view)
        first = program.op_rowptr[k]
        for row, target in enumerate(index):
            entries = range(program.rowptr[first + row], program.rowptr[first + row + 1])
            if not entries:
                out[target] = 0.0
                continue
            shape = (batch,) + (1,) * (view.ndim - 1 - (1 if w1 < 0 else 2))
            acc = (
                coef[:, entries[0] - start].reshape(shape) * view[source[program.cols[entries[0]]]]
            )
            for e in entries[1:]:
                acc += coef[:, e - start].reshape(shape) * view[source[program.cols[e]]]
            out[target] = acc
        vector = out.reshape(batch, 4**n)
    return vector


CHUNK = 16
"""Parameter sets processed together (innermost, contiguous) by the small-register kernel."""
IN_PLACE_MIN_QUBITS = 7
"""From this size one Pauli vector (4^n doubles) is too big to multiply by a chunk: registers
this large are updated in place, one parameter set per thread, to stay in the L2 cache."""
TILE = 256

if numba is not None:

    @numba.njit(cache=True)
    def _coefficients_chunk(
        k, op_wires, op_param, op_rowptr, rowptr, const, cosine, sine, theta, coef
    ):  # pragma: no cover
        arity = 1 if op_wires[k, 1] < 0 else 2
        first = op_rowptr[k]
        start, stop = rowptr[first], rowptr[first + 4**arity]
        p = op_param[k]
        for b in range(theta.shape[0]):
            c = np.cos(theta[b, p]) if p >= 0 else 0.0
            s = np.sin(theta[b, p]) if p >= 0 else 0.0
            for e in range(start, stop):
                coef[e - start, b] = const[e] + c * cosine[e] + s * sine[e]
        return arity, first, start

    @numba.njit(cache=True)
    def _layout(n, w0, w1, offsets, free_counts, free_strides):  # pragma: no cover
        """Offsets of the local rows and the three free index ranges (count, stride)."""
        if w1 < 0:
            s = 4 ** (n - 1 - w0)
            for r in range(4):
                offsets[r] = r * s
            free_counts[:] = (4**w0, 1, s)
            free_strides[:] = (4 * s, 0, 1)
        else:
            a, b = min(w0, w1), max(w0, w1)
            sa, sb = 4 ** (n - 1 - a), 4 ** (n - 1 - b)
            for r in range(16):
                offsets[r] = (r // 4) * 4 ** (n - 1 - w0) + (r % 4) * 4 ** (n - 1 - w1)
            free_counts[:] = (4**a, 4 ** (b - a - 1), sb)
            free_strides[:] = (4 * sa, 4 * sb, 1)

    @numba.njit(cache=True)
    def _apply_chunk(
        v, w, n_rows, offsets, counts, strides, rowptr, first, cols, coef, start
    ):  # pragma: no cover
        """Out of place, chunk of parameter sets innermost: ``w = M v`` on one local op."""
        nb = v.shape[1]
        for row in range(n_rows):
            e0, e1 = rowptr[first + row], rowptr[first + row + 1]
            for i0 in range(counts[0]):
                for i1 in range(counts[1]):
                    for i2 in range(counts[2]):
                        base = i0 * strides[0] + i1 * strides[1] + i2 * strides[2]
                        dst = base + offsets[row]
                        if e0 == e1:
                            for b in range(nb):
                                w[dst, b] = 0.0
                            continue
                        src = base + offsets[cols[e0]]
                        for b in range(nb):
                            w[dst, b] = coef[e0 - start, b] * v[src, b]
                        for e in range(e0 + 1, e1):
                            src = base + offsets[cols[e]]
                            for b in range(nb):
                                w[dst, b] += coef[e - start, b] * v[src, b]

    @numba.njit(cache=True)
    def _propagate_chunk(
        program,
        theta,
        initial,
        out,
    ):  # pragma: no cover
        n, op_wires, op_param, op_rowptr, _, rowptr, cols, const, cosine, sine = program
        nb = theta.shape[0]
        v = np.empty((initial.shape[0], nb))
        for i in range(initial.shape[0]):
            v[i, :] = initial[i]
        w = np.empty_like(v)
        coef = np.empty((256, nb))
        offsets = np.empty(16, dtype=np.int64)
        counts = np.empty(3, dtype=np.int64)
        strides = np.empty(3, dtype=np.int64)
        for k in range(op_param.shape[0]):
            arity, first, start = _coefficients_chunk(
                k, op_wires, op_param, op_rowptr, rowptr, const, cosine, sine, theta, coef
            )
            _layout(n, op_wires[k, 0], op_wires[k, 1], offsets, counts, strides)
            _apply_chunk(v, w, 4**arity, offsets, counts, strides, rowptr, first, cols, coef, start)
            v, w = w, v
        out[:, :] = v.T

    @numba.njit(cache=True, fastmath=True)
    def _one_qubit_in_place(v, n, q, m):  # pragma: no cover
        """``v ← (I ⊗ m ⊗ I) v`` for a dense 4×4 ``m`` on wire ``q``, in registers."""
        s = 4 ** (n - 1 - q)
        if s >= 8:  # long contiguous runs: vectorise along the low digits
            for hi in range(4**q):
                base = hi * 4 * s
                _combine_4(
                    v[base : base + s],
                    v[base + s : base + 2 * s],
                    v[base + 2 * s : base + 3 * s],
                    v[base + 3 * s : base + 4 * s],
                    m,
                )
        else:  # wire near the end: run along the high digits with stride 4s
            for lo in range(s):
                _combine_4(
                    v[lo :: 4 * s],
                    v[lo + s :: 4 * s],
                    v[lo + 2 * s :: 4 * s],
                    v[lo + 3 * s :: 4 * s],
                    m,
                )

    @numba.njit(cache=True, fastmath=True, inline="always")
    def _combine_4(a, b, c, d, m):  # pragma: no cover
        """``(a, b, c, d)[i] ← m @ (a, b, c, d)[i]`` element-wise, the matrix in registers."""
        m00, m01, m02, m03 = m[0, 0], m[0, 1], m[0, 2], m[0, 3]
        m10, m11, m12, m13 = m[1, 0], m[1, 1], m[1, 2], m[1, 3]
        m20, m21, m22, m23 = m[2, 0], m[2, 1], m[2, 2], m[2, 3]
        m30, m31, m32, m33 = m[3, 0], m[3, 1], m[3, 2], m[3, 3]
        for i in range(a.shape[0]):
            x0, x1, x2, x3 = a[i], b[i], c[i], d[i]
            a[i] = m00 * x0 + m01 * x1 + m02 * x2 + m03 * x3
            b[i] = m10 * x0 + m11 * x1 + m12 * x2 + m13 * x3
            c[i] = m20 * x0 + m21 * x1 + m22 * x2 + m23 * x3
            d[i] = m30 * x0 + m31 * x1 + m32 * x2 + m33 * x3

    @numba.njit(cache=True, fastmath=True)
    def _swap_rows(
        v, offsets, counts, strides, rowptr, first, cols, coef, start, n_rows
    ):  # pragma: no cover
        """Apply a scaled involutive permutation in place: row r ← c_r · row π(r)."""
        inner = 2
        if not (strides[2] == 1 and counts[2] >= 8):
            for i in range(3):
                if counts[i] > counts[inner]:
                    inner = i
        o0, o1 = (1, 2) if inner == 0 else ((0, 2) if inner == 1 else (0, 1))
        step, length = strides[inner], counts[inner]
        for r in range(n_rows):
            e = rowptr[first + r]
            partner, c = cols[e], coef[e - start]
            if partner < r or (partner == r and c == 1.0):
                continue
            c_partner = coef[rowptr[first + partner] - start]
            for i0 in range(counts[o0]):
                for i1 in range(counts[o1]):
                    base = i0 * strides[o0] + i1 * strides[o1]
                    a = v[base + offsets[r] : base + offsets[r] + length * step : step]
                    if partner == r:
                        for i in range(length):
                            a[i] *= c
                        continue
                    b = v[base + offsets[partner] : base + offsets[partner] + length * step : step]
                    for i in range(length):
                        x = a[i]
                        a[i] = c * b[i]
                        b[i] = c_partner * x

    @numba.njit(cache=True, fastmath=True)
    def _tile_contiguous(
        v, b0, length, n_rows, offsets, rowptr, first, cols, coef, start, tmp
    ):  # pragma: no cover
        for row in range(n_rows):
            e0, e1 = rowptr[first + row], rowptr[first + row + 1]
            out = tmp[row]
            if e0 == e1:
                out[:length] = 0.0
                continue
            c = coef[e0 - start]
            src = v[b0 + offsets[cols[e0]] : b0 + offsets[cols[e0]] + length]
            for t in range(length):
                out[t] = c * src[t]
            for e in range(e0 + 1, e1):
                c = coef[e - start]
                src = v[b0 + offsets[cols[e]] : b0 + offsets[cols[e]] + length]
                for t in range(length):
                    out[t] += c * src[t]
        for row in range(n_rows):
            v[b0 + offsets[row] : b0 + offsets[row] + length] = tmp[row, :length]

    @numba.njit(cache=True)
    def _tile_strided(
        v, b0, length, step, n_rows, offsets, rowptr, first, cols, coef, start, tmp
    ):  # pragma: no cover
        for row in range(n_rows):
            e0, e1 = rowptr[first + row], rowptr[first + row + 1]
            if e0 == e1:
                tmp[row, :length] = 0.0
                continue
            c = coef[e0 - start]
            src = b0 + offsets[cols[e0]]
            for t in range(length):
                tmp[row, t] = c * v[src + t * step]
            for e in range(e0 + 1, e1):
                c = coef[e - start]
                src = b0 + offsets[cols[e]]
                for t in range(length):
                    tmp[row, t] += c * v[src + t * step]
        for row in range(n_rows):
            dst = b0 + offsets[row]
            for t in range(length):
                v[dst + t * step] = tmp[row, t]

    @numba.njit(cache=True)
    def _apply_in_place(
        v, n_rows, offsets, counts, strides, rowptr, first, cols, coef, start, tmp
    ):  # pragma: no cover
        """In place, one parameter set: gather a tile along the inner free index, combine the
        local rows into ``tmp``, scatter back."""
        inner = 2
        if not (strides[2] == 1 and counts[2] >= 16):  # prefer contiguous low digits
            for i in range(3):
                if counts[i] > counts[inner]:
                    inner = i
        o0, o1 = (1, 2) if inner == 0 else ((0, 2) if inner == 1 else (0, 1))
        step = strides[inner]
        for i0 in range(counts[o0]):
            for i1 in range(counts[o1]):
                base = i0 * strides[o0] + i1 * strides[o1]
                for j in range(0, counts[inner], TILE):
                    length = min(TILE, counts[inner] - j)
                    if step == 1:
                        _tile_contiguous(
                            v,
                            base + j,
                            length,
                            n_rows,
                            offsets,
                            rowptr,
                            first,
                            cols,
                            coef,
                            start,
                            tmp,
                        )
                    else:
                        _tile_strided(
                            v,
                            base + j * step,
                            length,
                            step,
                            n_rows,
                            offsets,
                            rowptr,
                            first,
                            cols,
                            coef,
                            start,
                            tmp,
                        )

    @numba.njit(cache=True)
    def _propagate_in_place(
        program,
        theta,
        initial,
        out,
    ):  # pragma: no cover
        n, op_wires, op_param, op_rowptr, op_swaps, rowptr, cols, const, cosine, sine = program
        out[:] = initial
        coef = np.empty(256)
        dense = np.empty((4, 4))
        tmp = np.empty((16, TILE))
        offsets = np.empty(16, dtype=np.int64)
        counts = np.empty(3, dtype=np.int64)
        strides = np.empty(3, dtype=np.int64)
        for k in range(op_param.shape[0]):
            arity = 1 if op_wires[k, 1] < 0 else 2
            first = op_rowptr[k]
            start, stop = rowptr[first], rowptr[first + 4**arity]
            p = op_param[k]
            c = np.cos(theta[p]) if p >= 0 else 0.0
            s = np.sin(theta[p]) if p >= 0 else 0.0
            for e in range(start, stop):
                coef[e - start] = const[e] + c * cosine[e] + s * sine[e]
            if arity == 1:
                dense[:, :] = 0.0
                for row in range(4):
                    for e in range(rowptr[first + row], rowptr[first + row + 1]):
                        dense[row, cols[e]] = coef[e - start]
                _one_qubit_in_place(out, n, op_wires[k, 0], dense)
                continue
            _layout(n, op_wires[k, 0], op_wires[k, 1], offsets, counts, strides)
            if op_swaps[k]:
                _swap_rows(out, offsets, counts, strides, rowptr, first, cols, coef, start, 16)
            else:
                _apply_in_place(
                    out, 16, offsets, counts, strides, rowptr, first, cols, coef, start, tmp
                )

    @numba.njit(cache=True, parallel=True)
    def _propagate_batch(
        program,
        params,
        initial,
        out,
        chunk,
        in_place,
    ):  # pragma: no cover
        n_sets = params.shape[0]
        n_chunks = (n_sets + chunk - 1) // chunk
        for c in numba.prange(n_chunks):
            lo, hi = c * chunk, min((c + 1) * chunk, n_sets)
            if in_place:
                for b in range(lo, hi):
                    _propagate_in_place(
                        program,
                        params[b],
                        initial,
                        out[b],
                    )
            else:
                _propagate_chunk(
                    program,
                    params[lo:hi],
                    initial,
                    out[lo:hi],
                )

    @numba.njit(cache=True, parallel=True)
    def _energies_batch(
        program,
        params,
        initial,
        chunk,
        in_place,
        indices,
        coefficients,
        shift,
        energies,
    ):  # pragma: no cover
        """Energies only: one working vector (or chunk block) per task, no 4^n output."""
        n_sets = params.shape[0]
        n_chunks = (n_sets + chunk - 1) // chunk
        for c in numba.prange(n_chunks):
            lo, hi = c * chunk, min((c + 1) * chunk, n_sets)
            if in_place:
                vector = np.empty(initial.shape[0])
                for b in range(lo, hi):
                    _propagate_in_place(
                        program,
                        params[b],
                        initial,
                        vector,
                    )
                    total = shift
                    for k in range(indices.shape[0]):
                        total += coefficients[k] * vector[indices[k]]
                    energies[b] = total
            else:
                block = np.empty((hi - lo, initial.shape[0]))
                _propagate_chunk(
                    program,
                    params[lo:hi],
                    initial,
                    block,
                )
                for b in range(lo, hi):
                    total = shift
                    for k in range(indices.shape[0]):
                        total += coefficients[k] * block[b - lo, indices[k]]
                    energies[b] = total


def _kernel_args(program: Program) -> tuple:
    """The program as one tuple, the form the numba kernels take (and unpack)."""
    return (
        program.n_qubits,
        program.op_wires,
        program.op_param,
        program.op_rowptr,
        program.op_swaps,
        program.rowptr,
        program.cols,
        program.const,
        program.cos,
        program.sin,
    )


def _chunk_size(n_sets: int, in_place: bool) -> int:
    """Parameter sets per parallel task: an even split over the threads, capped at ``CHUNK``
    where the chunk is the innermost (vectorised) axis."""
    per_thread = -(-n_sets // numba.get_num_threads())
    return max(1, per_thread if in_place else min(CHUNK, per_thread))


def propagate_numba(program: Program, params: np.ndarray) -> np.ndarray:
    """Pauli vectors ``(batch, 4**n)`` after the program (numba, parallel over the batch)."""
    n = program.n_qubits
    out = np.empty((params.shape[0], 4**n))
    in_place = n >= IN_PLACE_MIN_QUBITS
    arrays = _kernel_args(program)
    params = np.ascontiguousarray(params, dtype=np.float64)
    initial = initial_pauli_vector(n)
    if params.shape[0] == 1:  # one evaluation: no thread start-up, no chunk to vectorise over
        _propagate_in_place(arrays, params[0], initial, out[0])
        return out
    _propagate_batch(arrays, params, initial, out, _chunk_size(params.shape[0], in_place), in_place)
    return out


def expectation_numba(
    program: Program,
    params: np.ndarray,
    indices: np.ndarray,
    coefficients: np.ndarray,
    shift: float,
) -> np.ndarray:
    """``shift + Σ_k c_k r_{P_k}`` for each parameter set, without storing the Pauli vectors."""
    n = program.n_qubits
    params = np.ascontiguousarray(params, dtype=np.float64)
    if params.shape[0] == 1:  # one evaluation: no parallel region to start
        vector = np.empty(4**n)
        _propagate_in_place(_kernel_args(program), params[0], initial_pauli_vector(n), vector)
        return np.array([shift + vector[indices] @ coefficients])
    in_place = n >= IN_PLACE_MIN_QUBITS
    energies = np.empty(params.shape[0])
    _energies_batch(
        _kernel_args(program),
        params,
        initial_pauli_vector(n),
        _chunk_size(params.shape[0], in_place),
        in_place,
        indices,
        np.ascontiguousarray(coefficients, dtype=np.float64),
        float(shift),
        energies,
    )
    return energies


def expectation(
    program: Program,
    params: np.ndarray,
    indices: np.ndarray,
    coefficients: np.ndarray,
    shift: float,
    backend: str | None = None,
) -> np.ndarray:
    """Exact energies from the program's final Pauli vectors (numba or numpy)."""
    if (backend or default_backend()) == "numba" and numba is not None:
        return expectation_numba(program, params, indices, coefficients, shift)
    return shift + propagate(program, params, backend)[:, indices] @ coefficients


def propagate(program: Program, params: np.ndarray, backend: str | None = None) -> np.ndarray:
    """Dispatch to the numba kernel (default when available) or the numpy fallback."""
    backend = backend or default_backend()
    if backend == "numba" and numba is not None:
        return propagate_numba(program, params)
    if backend in BACKENDS:
        return propagate_numpy(program, params)

    raise ConfigError(f"backend={backend!r}: expected one of {', '.join(BACKENDS)}")
