r"""Shot counts drawn parameter set by parameter set: a batch samples what one-by-one calls do.

A batch of ``B`` parameter sets is sampled in the order a device would run them one after
another: for each parameter set, each circuit it needs (one per fold factor under zero-noise
extrapolation), each measurement group, one multinomial draw of ``shots`` outcomes. A batch
therefore consumes the random generator exactly as ``B`` calls of one set each, so an optimiser
that batches its evaluations (SPSA's iterate with its ± pair, the parameter-shift rule) gets the
same energies for the same seed as one that evaluates them one at a time.

Each draw is NumPy's ``Generator.multinomial``, a chain of binomials
:math:`n_k \sim \mathrm{Bin}\big(N - \sum_{j<k} n_j,\; p_k / (1 - \sum_{j<k} p_j)\big)`, stopped
when the shots run out. With numba the chain is compiled and calls ``Generator.binomial`` on the
same bit generator — NumPy's stream, draw for draw (tested) — without a Python call per row;
without numba each parameter set is one ``Generator.multinomial`` call.
"""

from __future__ import annotations

import numpy as np

from workbench.sim.kernels import resolve_backend

try:  # numba is a dependency; NumPy's own multinomial keeps sampling usable without it.
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None


def multinomial_counts(
    probabilities: np.ndarray, shots: int, rng: np.random.Generator, backend: str | None = None
) -> np.ndarray:
    """Counts ``(B, R, K)`` of ``shots`` outcomes drawn from each row of ``probabilities``
    ``(B, R, K)`` (every row a distribution over K outcomes), row after row in C order: all R
    rows of parameter set 0 first. ``backend``: ``"numba"`` (default when installed) or
    ``"numpy"``; both draw the same counts from the same generator state."""
    probabilities = np.ascontiguousarray(np.minimum(probabilities, 1.0), dtype=np.float64)
    counts = np.zeros(probabilities.shape, dtype=np.int64)
    if resolve_backend(backend) == "numba":
        _counts_kernel(probabilities, int(shots), rng, counts)
        return counts
    for b in range(probabilities.shape[0]):
        counts[b] = rng.multinomial(shots, probabilities[b])
    return counts


def class_energies(
    distributions: np.ndarray,
    class_of: np.ndarray,
    values: np.ndarray,
    weights: np.ndarray,
    shots: int,
    rng: np.random.Generator,
    backend: str | None = None,
) -> np.ndarray:
    r"""Sampled :math:`\sum_c w_c \sum_g \bar X_{cg}` for each parameter set ``(B,)``.

    ``distributions`` ``(C, G, B, 2**n)``: outcome probabilities (unnormalised) of group g of
    circuit c for parameter set b; ``class_of`` ``(G, 2**n)``: each outcome's value class in its
    group, ``values`` ``(G, K)`` the classes' values :math:`X_g`; ``weights`` ``(C,)``. For every
    set, circuit and group in turn, the class probabilities are drawn from with ``shots`` shots
    (:func:`multinomial_counts`' draws) and :math:`\bar X = \sum_k n_k X_k / N`."""
    distributions = np.ascontiguousarray(distributions, dtype=np.float64)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if resolve_backend(backend) == "numba":
        out = np.empty(distributions.shape[2])
        _energy_kernel(distributions, class_of, values, weights, int(shots), rng, out)
        return out
    _, n_groups, n_sets, size = distributions.shape
    normalised = distributions / distributions.sum(axis=3, keepdims=True)
    merge = np.zeros((n_groups, size, values.shape[1]))
    merge[np.arange(n_groups)[:, None], np.arange(size)[None, :], class_of] = 1.0
    merged = np.einsum("cgbm,gmk->bcgk", normalised, merge)
    counts = multinomial_counts(merged.reshape(n_sets, -1, values.shape[1]), shots, rng, backend)
    per_group = (counts.reshape(merged.shape) * values).sum(axis=3) / shots  # (B, C, G)
    return per_group.sum(axis=2) @ weights


if numba is not None:

    @numba.njit(cache=True, inline="always")
    def _draw(probabilities, shots, rng, counts):  # pragma: no cover - compiled
        """NumPy's ``random_multinomial`` for one row (``counts`` zeroed by the caller)."""
        width = probabilities.shape[0]
        left, mass = shots, 1.0
        for k in range(width - 1):
            part = probabilities[k]
            # NumPy divides unclipped; a ratio past 1 by rounding draws all the shots there,
            # which Bin(n, 1) does too (and numba refuses p > 1)
            ratio = 0.0 if part <= 0.0 else min(part / mass, 1.0) if mass > 0 else 1.0
            counts[k] = rng.binomial(left, ratio)
            left -= counts[k]
            if left <= 0:
                break
            mass -= part
        if left > 0:
            counts[width - 1] = left

    @numba.njit(cache=True)
    def _counts_kernel(probabilities, shots, rng, counts):  # pragma: no cover - compiled
        for b in range(probabilities.shape[0]):
            for r in range(probabilities.shape[1]):
                _draw(probabilities[b, r], shots, rng, counts[b, r])

    @numba.njit(cache=True)
    def _energy_kernel(
        distributions, class_of, values, weights, shots, rng, out
    ):  # pragma: no cover - compiled
        """:func:`class_energies` (every row normalised, merged into its classes, drawn)."""
        n_circuits, n_groups, n_sets, size = distributions.shape
        width = values.shape[1]
        merged, counts = np.empty(width), np.empty(width, dtype=np.int64)
        for b in range(n_sets):
            energy = 0.0
            for c in range(n_circuits):
                circuit_sum = 0.0
                for g in range(n_groups):
                    row = distributions[c, g, b]
                    total = row.sum()
                    merged[:] = 0.0
                    for m in range(size):
                        merged[class_of[g, m]] += row[m] / total
                    for k in range(width):
                        merged[k] = min(merged[k], 1.0)
                    counts[:] = 0
                    _draw(merged, shots, rng, counts)
                    for k in range(width):
                        circuit_sum += counts[k] * values[g, k]
                energy += weights[c] * circuit_sum / shots
            out[b] = energy
