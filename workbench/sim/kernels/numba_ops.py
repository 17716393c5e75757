"""The numba kernels: one local op applied to Pauli vectors, and whole programs propagated.

Op level: where an op's entries lie and their values at an angle (:func:`op_span`,
:func:`angle_terms`, :func:`entry`), the index layout of its rows and free ranges
(:func:`layout`, :func:`inner_axis`); the chunk kernel (:func:`apply_chunk`: out of place,
parameter sets innermost) and the in-place kernels for one Pauli vector
(:func:`one_qubit_in_place`, :func:`swap_rows`, :func:`apply_in_place`). Program level:
:func:`propagate_chunk`, :func:`propagate_in_place` and the parallel :func:`run_batch`.

All kernels live in this one module on purpose: numba does not inline a jitted function from
another module into its caller, and split across two modules the in-place propagation ran
1.3x slower (noisy two-qubit ops, 6 qubits). The host side is
:mod:`~workbench.sim.kernels.numba_path`.
"""

from __future__ import annotations

import numpy as np

try:  # numba is a dependency; the numpy path keeps the simulator usable without it.
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None

TILE = 256
"""Length of the slices of the free range the in-place kernel combines at once."""
MIN_CONTIGUOUS_RUN = 16
"""The contiguous low digits are the inner axis of the in-place kernels when at least this
long; otherwise the longest free range is (a wire near the end leaves short runs)."""

if numba is not None:

    @numba.njit(cache=True, inline="always")
    def op_span(k, op_wires, op_rowptr, rowptr):  # pragma: no cover
        """Arity of op ``k``, its first row, and the range ``[start, stop)`` of its entries."""
        arity = 1 if op_wires[k, 1] < 0 else 2
        first = op_rowptr[k]
        return arity, first, rowptr[first], rowptr[first + 4**arity]

    @numba.njit(cache=True, inline="always")
    def angle_terms(theta, p):  # pragma: no cover
        """``(cos θ_p, sin θ_p)`` of one parameter set; ``(0, 0)`` for a fixed op (``p < 0``)."""
        if p < 0:
            return 0.0, 0.0
        return np.cos(theta[p]), np.sin(theta[p])

    @numba.njit(cache=True, inline="always")
    def entry(e, const, cosine, sine, c, s):  # pragma: no cover
        """Entry ``e`` of a local matrix at the angle with ``(cos, sin) = (c, s)``:
        :math:`R_0 + \\cos\theta R_1 + \\sin\theta R_2`."""
        return const[e] + c * cosine[e] + s * sine[e]

    @numba.njit(cache=True)
    def layout(n, w0, w1, offsets, free_counts, free_strides):  # pragma: no cover
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

    @numba.njit(cache=True, inline="always")
    def inner_axis(counts, strides):  # pragma: no cover
        """The free range to run innermost, and the two outer ones (see MIN_CONTIGUOUS_RUN)."""
        inner = 2
        if not (strides[2] == 1 and counts[2] >= MIN_CONTIGUOUS_RUN):
            for i in range(3):
                if counts[i] > counts[inner]:
                    inner = i
        o0, o1 = (1, 2) if inner == 0 else ((0, 2) if inner == 1 else (0, 1))
        return inner, o0, o1

    @numba.njit(cache=True)
    def apply_chunk(
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
                        if e0 == e1:  # an all-zero row
                            for b in range(nb):
                                w[dst, b] = 0.0
                            continue
                        src = base + offsets[cols[e0]]
                        for b in range(nb):  # the first entry assigns: no zeroing pass
                            w[dst, b] = coef[e0 - start, b] * v[src, b]
                        for e in range(e0 + 1, e1):
                            src = base + offsets[cols[e]]
                            for b in range(nb):
                                w[dst, b] += coef[e - start, b] * v[src, b]

    @numba.njit(cache=True, fastmath=True)
    def one_qubit_in_place(v, n, q, m):  # pragma: no cover
        """``v ← (I ⊗ m ⊗ I) v`` for a dense 4×4 ``m`` on wire ``q``, the matrix in registers."""
        s = 4 ** (n - 1 - q)
        if s >= 8:  # long contiguous runs: vectorise along the low digits
            for hi in range(4**q):
                base = hi * 4 * s
                a, b = v[base : base + s], v[base + s : base + 2 * s]
                _combine_4(a, b, v[base + 2 * s : base + 3 * s], v[base + 3 * s : base + 4 * s], m)
        else:  # wire near the end: run along the high digits with stride 4s
            for lo in range(s):
                _combine_4(v[lo :: 4 * s], v[lo + s :: 4 * s], v[lo + 2 * s :: 4 * s],
                           v[lo + 3 * s :: 4 * s], m)  # fmt: skip

    @numba.njit(cache=True, fastmath=True, inline="always")
    def _combine_4(a, b, c, d, m):  # pragma: no cover
        """``(a, b, c, d)[i] ← m @ (a, b, c, d)[i]`` element-wise."""
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
    def swap_rows(
        v, offsets, counts, strides, rowptr, first, cols, coef, start, n_rows
    ):  # pragma: no cover
        """Apply a scaled involutive permutation in place: row r ← c_r · row π(r)."""
        inner, o0, o1 = inner_axis(counts, strides)
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

    # Two tile kernels on purpose: merged into one with a runtime stride (strided views, or a
    # helper specialised per array layout) the contiguous case stops vectorising — measured
    # 1.2–1.3x slower on noisy two-qubit ops of a 6-qubit register.
    @numba.njit(cache=True, fastmath=True)
    def _tile_contiguous(
        v, b0, length, n_rows, offsets, rowptr, first, cols, coef, start, tmp
    ):  # pragma: no cover
        """Combine the local rows of one tile of ``length`` contiguous elements from ``b0``."""
        for row in range(n_rows):
            e0, e1 = rowptr[first + row], rowptr[first + row + 1]
            out = tmp[row]
            if e0 == e1:  # an all-zero row
                out[:length] = 0.0
                continue
            c, at = coef[e0 - start], b0 + offsets[cols[e0]]
            src = v[at : at + length]
            for t in range(length):  # the first entry assigns: no zeroing pass
                out[t] = c * src[t]
            for e in range(e0 + 1, e1):
                c, at = coef[e - start], b0 + offsets[cols[e]]
                src = v[at : at + length]
                for t in range(length):
                    out[t] += c * src[t]
        for row in range(n_rows):
            v[b0 + offsets[row] : b0 + offsets[row] + length] = tmp[row, :length]

    @numba.njit(cache=True)
    def _tile_strided(
        v, b0, length, step, n_rows, offsets, rowptr, first, cols, coef, start, tmp
    ):  # pragma: no cover
        """The same for ``length`` elements ``step`` apart (a gather and a scatter)."""
        for row in range(n_rows):
            e0, e1 = rowptr[first + row], rowptr[first + row + 1]
            if e0 == e1:
                tmp[row, :length] = 0.0
                continue
            c, at = coef[e0 - start], b0 + offsets[cols[e0]]
            for t in range(length):
                tmp[row, t] = c * v[at + t * step]
            for e in range(e0 + 1, e1):
                c, at = coef[e - start], b0 + offsets[cols[e]]
                for t in range(length):
                    tmp[row, t] += c * v[at + t * step]
        for row in range(n_rows):
            at = b0 + offsets[row]
            for t in range(length):
                v[at + t * step] = tmp[row, t]

    @numba.njit(cache=True)
    def apply_in_place(
        v, n_rows, offsets, counts, strides, rowptr, first, cols, coef, start, tmp
    ):  # pragma: no cover
        """In place, one parameter set: gather a tile along the inner free range (see
        :func:`inner_axis`), combine the local rows into ``tmp``, scatter back."""
        inner, o0, o1 = inner_axis(counts, strides)
        step = strides[inner]
        for i0 in range(counts[o0]):
            for i1 in range(counts[o1]):
                base = i0 * strides[o0] + i1 * strides[o1]
                for j in range(0, counts[inner], TILE):
                    length = min(TILE, counts[inner] - j)
                    if step == 1:
                        _tile_contiguous(v, base + j, length, n_rows, offsets, rowptr, first,
                                         cols, coef, start, tmp)  # fmt: skip
                    else:
                        _tile_strided(v, base + j * step, length, step, n_rows, offsets, rowptr,
                                      first, cols, coef, start, tmp)  # fmt: skip

    @numba.njit(cache=True)
    def propagate_chunk(program, theta, initial, out):  # pragma: no cover
        """``out[b] = r_b`` for the chunk of parameter sets ``theta``, out of place."""
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
            arity, first, start, stop = op_span(k, op_wires, op_rowptr, rowptr)
            for b in range(nb):
                c, s = angle_terms(theta[b], op_param[k])
                for e in range(start, stop):
                    coef[e - start, b] = entry(e, const, cosine, sine, c, s)
            layout(n, op_wires[k, 0], op_wires[k, 1], offsets, counts, strides)
            apply_chunk(v, w, 4**arity, offsets, counts, strides, rowptr, first, cols, coef, start)
            v, w = w, v
        out[:, :] = v.T

    @numba.njit(cache=True)
    def propagate_in_place(program, theta, initial, out):  # pragma: no cover
        """``out = r`` for one parameter set ``theta``, updated in place op by op."""
        n, op_wires, op_param, op_rowptr, op_swaps, rowptr, cols, const, cosine, sine = program
        out[:] = initial
        coef = np.empty(256)
        dense = np.empty((4, 4))
        tmp = np.empty((16, 256))
        offsets = np.empty(16, dtype=np.int64)
        counts = np.empty(3, dtype=np.int64)
        strides = np.empty(3, dtype=np.int64)
        for k in range(op_param.shape[0]):
            arity, first, start, stop = op_span(k, op_wires, op_rowptr, rowptr)
            c, s = angle_terms(theta, op_param[k])
            for e in range(start, stop):
                coef[e - start] = entry(e, const, cosine, sine, c, s)
            if arity == 1:
                dense[:, :] = 0.0
                for row in range(4):
                    for e in range(rowptr[first + row], rowptr[first + row + 1]):
                        dense[row, cols[e]] = coef[e - start]
                one_qubit_in_place(out, n, op_wires[k, 0], dense)
                continue
            layout(n, op_wires[k, 0], op_wires[k, 1], offsets, counts, strides)
            if op_swaps[k]:
                swap_rows(out, offsets, counts, strides, rowptr, first, cols, coef, start, 16)
            else:
                apply_in_place(out, 16, offsets, counts, strides, rowptr, first, cols, coef,
                               start, tmp)  # fmt: skip

    @numba.njit(cache=True, parallel=True)
    def run_batch(program, params, initial, chunk, in_place, keep, out, indices, coefficients,
                  shift, energies):  # pragma: no cover  # fmt: skip
        """Propagate every parameter set, ``chunk`` per parallel task; with ``keep`` the final
        vectors go to ``out`` (``(batch, 4**n)``), else each task works in its own buffer; with
        ``indices`` the energies ``shift + Σ_k c_k r[indices[k]]`` go to ``energies``."""
        n_sets, size = params.shape[0], initial.shape[0]
        for c in numba.prange((n_sets + chunk - 1) // chunk):
            lo, hi = c * chunk, min((c + 1) * chunk, n_sets)
            block = out[lo:hi] if keep else np.empty((hi - lo, size))
            if in_place:
                for b in range(lo, hi):
                    propagate_in_place(program, params[b], initial, block[b - lo])
            else:
                propagate_chunk(program, params[lo:hi], initial, block)
            for b in range(lo, hi):
                total = shift
                for k in range(indices.shape[0]):
                    total += coefficients[k] * block[b - lo, indices[k]]
                energies[b] = total

    @numba.njit(cache=True)
    def propagate_each(program, params, initial, out):  # pragma: no cover
        """``out[b] = r`` for every parameter set in turn, in this thread (small batches: no
        parallel region to start)."""
        for b in range(params.shape[0]):
            propagate_in_place(program, params[b], initial, out[b])
