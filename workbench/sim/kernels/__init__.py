r"""Propagate Pauli vectors through a compiled :class:`~workbench.sim.program.Program`.

For every parameter set :math:`b`, :math:`r_b = M_L(\theta_b)\cdots M_1(\theta_b)\,r_0`, each
:math:`M_k` a sparse 4×4 or 16×16 local matrix whose entries are
:math:`R_0 + \cos\theta R_1 + \sin\theta R_2`. A local op on wire :math:`q` touches index digit
:math:`q` (stride :math:`4^{n-1-q}`); the rest of the index splits into three free ranges
(count, stride) around the one or two touched digits (as in Cirq's ``targeted_left_multiply``).

Two backends, one interface (:func:`propagate`, :func:`expectation`):

* :mod:`~workbench.sim.kernels.numba_path` (default): small registers (n < 7) propagate a chunk
  of parameter sets at once, the chunk the innermost contiguous axis, out of place; larger
  registers update one Pauli vector in place per parameter set (4ⁿ doubles stay in cache):
  dense 4×4 ops in registers, scaled row swaps for Clifford-with-Pauli-noise ops, tiles along
  the longest free range otherwise. Parallel over the batch; energies are read without storing
  the 4ⁿ vectors.
* :mod:`~workbench.sim.kernels.numpy_path`: pure numpy, row by row, out of place (the
  reference, and the path where numba is missing).
"""

from __future__ import annotations

import numpy as np

from workbench.errors import ConfigError
from workbench.sim.kernels import numba_path
from workbench.sim.kernels.numpy_path import propagate_numpy
from workbench.sim.program import Program

BACKENDS = ("numba", "numpy")


def default_backend() -> str:
    return "numba" if numba_path.available() else "numpy"


def resolve_backend(backend: str | None) -> str:
    """The backend a call runs on: ``backend`` (checked) or the default; ``"numba"`` only where
    numba is installed. The kernels and the shot sampler (:mod:`workbench.sim.sampling`) choose
    by it."""
    backend = backend or default_backend()
    if backend not in BACKENDS:
        raise ConfigError(f"backend={backend!r}: expected one of {', '.join(BACKENDS)}")
    return "numba" if backend == "numba" and numba_path.available() else "numpy"


def propagate(program: Program, params: np.ndarray, backend: str | None = None) -> np.ndarray:
    """Pauli vectors ``(batch, 4**n)`` after the program, one per parameter set."""
    if resolve_backend(backend) == "numba":
        return numba_path.propagate(program, params)
    return propagate_numpy(program, params)


def expectation(
    program: Program,
    params: np.ndarray,
    indices: np.ndarray,
    coefficients: np.ndarray,
    shift: float,
    backend: str | None = None,
) -> np.ndarray:
    r"""Exact energies :math:`s + \sum_k c_k r_{P_k}` (``indices``: the words' vector indices)."""
    if resolve_backend(backend) == "numba":
        return numba_path.expectation(program, params, indices, coefficients, shift)
    return shift + propagate_numpy(program, params)[:, indices] @ coefficients


class _NumpyExpectation:
    def __init__(self, program, indices, coefficients, shift) -> None:
        self.args = (program, indices, coefficients, shift)

    def energy(self, params: np.ndarray) -> float:
        program, indices, coefficients, shift = self.args
        vectors = propagate_numpy(program, params[None, :])
        return float((shift + vectors[:, indices] @ coefficients)[0])  # expectation()'s rounding


def compiled_expectation(program: Program, indices: np.ndarray, coefficients: np.ndarray,
                         shift: float, backend: str | None = None):  # fmt: skip
    """An object whose ``energy(params)`` is :func:`expectation` of one parameter set with the
    kernel's arguments prepared once (the same kernel and arithmetic, so the same floats)."""
    if resolve_backend(backend) == "numba":
        return numba_path.SingleExpectation(program, indices, coefficients, shift)
    return _NumpyExpectation(program, indices, coefficients, shift)
