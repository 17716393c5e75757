"""Host side of the numba backend: one parameter set in place in this thread; a batch in
parallel tasks, per chunk of parameter sets (small registers) or in place per set (from
:data:`IN_PLACE_MIN_QUBITS`), with the final Pauli vectors kept or only the energies read
(:func:`workbench.sim.kernels.numba_ops.run_batch`)."""

from __future__ import annotations

import numpy as np

from workbench.sim.kernels.numba_ops import numba, propagate_each, propagate_in_place, run_batch
from workbench.sim.program import Program, initial_pauli_vector

SERIAL_MAX_WORK = 4096
"""Batches with fewer Pauli-vector entries than this (parameter sets × 4^n: under 16 sets at 4
qubits, one at 6) run set by set in this thread. A parallel region costs more than it saves on
so little work, and when other processes hold the cores its threads wait for them: three sets
at 4 qubits took 4.6 ms in parallel against 73 µs in turn with two searches on the 2 cores
(an SPSA step evaluates 3 sets per call)."""
CHUNK = 16
"""Parameter sets processed together (innermost, contiguous) by the small-register kernel."""
IN_PLACE_MIN_QUBITS = 7
"""From this size one Pauli vector (4^n doubles) is too big to multiply by a chunk: registers
this large are updated in place, one parameter set per thread, to stay in the L2 cache."""


def available() -> bool:
    return numba is not None


def _kernel_args(program: Program) -> tuple:
    """The program as one tuple, the form the numba kernels take (and unpack)."""
    return (program.n_qubits, program.op_wires, program.op_param, program.op_rowptr,
            program.op_swaps, program.rowptr, program.cols, program.const, program.cos,
            program.sin)  # fmt: skip


def _run(program: Program, params, keep: bool, indices, coefficients, shift):
    """Vectors (``keep``) and energies of every parameter set: a small batch (under
    :data:`SERIAL_MAX_WORK`) runs set by set in place in this thread (no parallel region to
    start, no chunk to vectorise over), a larger one in parallel tasks of an even split over
    the threads (capped at ``CHUNK`` where the chunk is the innermost axis)."""
    n = program.n_qubits
    params = np.ascontiguousarray(params, dtype=np.float64)
    initial, arrays = initial_pauli_vector(n), _kernel_args(program)
    if params.shape[0] * 4**n < SERIAL_MAX_WORK or params.shape[0] == 1:
        vectors = np.empty((params.shape[0], 4**n))
        propagate_each(arrays, params, initial, vectors)
        return vectors, shift + vectors[:, indices] @ coefficients
    out = np.empty((params.shape[0], 4**n) if keep else (0, 0))
    energies = np.empty(params.shape[0])
    in_place = n >= IN_PLACE_MIN_QUBITS
    per_thread = -(-params.shape[0] // numba.get_num_threads())
    chunk = max(1, per_thread if in_place else min(CHUNK, per_thread))
    terms = (np.ascontiguousarray(indices, np.int64), np.ascontiguousarray(coefficients, float))
    run_batch(arrays, params, initial, chunk, in_place, keep, out, *terms, float(shift), energies)
    return out, energies


_NO_TERMS = (np.zeros(0, dtype=np.int64), np.zeros(0))


def propagate(program: Program, params: np.ndarray) -> np.ndarray:
    """Pauli vectors ``(batch, 4**n)`` after the program."""
    return _run(program, params, True, *_NO_TERMS, 0.0)[0]


def expectation(program: Program, params: np.ndarray, indices: np.ndarray,
                coefficients: np.ndarray, shift: float) -> np.ndarray:  # fmt: skip
    """Energies of each parameter set without storing the Pauli vectors."""
    return _run(program, params, False, indices, coefficients, shift)[1]


class SingleExpectation:
    """One parameter set at a time, in place in this thread, as :func:`_run` does for a batch
    of one — with the program's kernel arguments, the initial vector and the output buffer
    built once (what a point-by-point optimiser calls thousands of times)."""

    def __init__(self, program: Program, indices, coefficients, shift: float) -> None:
        self.arrays, self.initial = _kernel_args(program), initial_pauli_vector(program.n_qubits)
        self.vector = np.empty(4**program.n_qubits)
        self.indices, self.coefficients, self.shift = indices, coefficients, shift

    def energy(self, params: np.ndarray) -> float:
        propagate_in_place(self.arrays, params, self.initial, self.vector)
        return float(self.shift + self.vector[self.indices] @ self.coefficients)
