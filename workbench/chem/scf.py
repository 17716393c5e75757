r"""Closed-shell Hartree–Fock in an orthonormal orbital basis: the checks and repairs applied to
PennyLane's SCF orbitals before an active space is cut from them.

Conventions: real orthonormal orbitals; one-body integrals :math:`h_{pq}` and two-body integrals
in PennyLane's layout ``two[p, r, s, q]`` :math:`= (pq|rs)` (chemists' notation); a closed-shell
determinant is given by its per-spin density :math:`D = C_\mathrm{occ} C_\mathrm{occ}^T`;
energies in Ha.

* Fock matrix :math:`F_{pq} = h_{pq} + \sum_{rs} D_{rs}\,[2(pq|rs) - (pr|sq)]`;
* energy :math:`E = c + \sum_{pq} D_{pq}\,(h_{pq} + F_{pq})`;
* frozen core (orbitals ``core`` doubly occupied): :math:`c' = E` of the core density,
  :math:`h'` the core Fock matrix on the active orbitals, :math:`g'` the active block.

A stretched bond can end PennyLane's SCF on a stationary determinant that is not the
Hartree–Fock minimum (H2 at 10 Å: an ionic H⁻H⁺ determinant at −0.2115 Ha, where the
delocalised σg² one is at −0.5723 Ha); such a determinant breaks the aufbau rule. The energy is
then minimised directly over orbital rotations :math:`U = \exp(\kappa - \kappa^T)`, κ
virtual × occupied, with the analytic gradient :math:`\partial E/\partial\kappa_{ai} = 4F_{ai}`
(BFGS from a small fixed kick, since the stationary start has zero gradient).

Orbital phases: an eigensolver may return any orbital as :math:`\pm\phi`, and which sign it
picks depends on the linear-algebra library and the processor. Every integral over a flipped
orbital flips sign with it, and so do the Pauli coefficients of the qubit Hamiltonian (same
spectrum, different coefficients: a circuit's energy would depend on the machine that built the
problem). :func:`fix_phases` applies one rule to the atomic-orbital coefficients before any
integral is transformed: in each orbital, the coefficient of largest magnitude is positive; where
several lie within :data:`PHASE_TIE_TOLERANCE` of that magnitude, the one of the lowest
atomic-orbital index decides. (A degenerate pair of orbitals may also come back rotated into
each other; no shipped active space holds one.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRADIENT_TOLERANCE = 1e-6
"""Largest :math:`|4F_{ai}|` (Ha) at which a minimised determinant counts as converged."""
PHASE_TIE_TOLERANCE = 1e-6
"""Coefficients whose magnitudes differ by less than this count as tied for the phase rule
(symmetric molecules: H2's σ orbitals have equal weights on both atoms up to round-off)."""
AUFBAU_TOLERANCE = 1e-8
"""How far (Ha) an occupied orbital energy may lie above a virtual one and still count as
aufbau (degenerate orbitals at a bond's dissociation limit)."""


def fock_matrix(one: np.ndarray, two: np.ndarray, density: np.ndarray) -> np.ndarray:
    """:math:`F = h + 2J - K` of the per-spin ``density`` (layout in the module docstring)."""
    coulomb = np.einsum("rs,prsq->pq", density, two)
    exchange = np.einsum("rs,prqs->pq", density, two)
    return one + 2 * coulomb - exchange


def closed_shell_energy(
    constant: float, one: np.ndarray, two: np.ndarray, density: np.ndarray, fock=None
) -> float:
    """:math:`E = c + \\sum D (h + F)` of the closed-shell determinant with ``density`` (``fock``:
    its Fock matrix, when already built)."""
    fock = fock_matrix(one, two, density) if fock is None else fock
    return float(constant + np.sum(density * (one + fock)))


def occupied_density(n_orbitals: int, occupied) -> np.ndarray:
    """The per-spin density of the given orbitals doubly occupied."""
    density = np.zeros((n_orbitals, n_orbitals))
    density[list(occupied), list(occupied)] = 1.0
    return density


def is_aufbau(one: np.ndarray, two: np.ndarray, n_occupied: int) -> bool:
    """Whether the first ``n_occupied`` orbitals, doubly occupied, obey the aufbau rule: every
    occupied orbital energy :math:`F_{ii}` at or below every virtual one."""
    density = occupied_density(one.shape[0], range(n_occupied))
    return _aufbau(np.diag(fock_matrix(one, two, density)), n_occupied)


def _aufbau(energies: np.ndarray, n_occupied: int) -> bool:
    if n_occupied in (0, len(energies)):
        return True
    return bool(energies[:n_occupied].max() <= energies[n_occupied:].min() + AUFBAU_TOLERANCE)


@dataclass(frozen=True)
class ScfSolution:
    """A minimised closed-shell determinant: ``orbitals`` the canonical orbitals as columns in
    the input basis (occupied first, each block by orbital energy), their ``orbital_energies``,
    the ``energy`` (Ha), whether the gradient vanished (``converged``) and whether the result
    obeys the aufbau rule."""

    orbitals: np.ndarray
    orbital_energies: np.ndarray
    energy: float
    converged: bool
    aufbau: bool


def minimise_rhf(
    constant: float, one: np.ndarray, two: np.ndarray, n_occupied: int, seed: int = 0
) -> ScfSolution:
    """The lowest closed-shell determinant reachable from the first ``n_occupied`` orbitals."""
    from scipy.linalg import expm
    from scipy.optimize import minimize

    n, m = n_occupied, one.shape[0]

    def rotation(x: np.ndarray) -> np.ndarray:
        kappa = np.zeros((m, m))
        kappa[n:, :n] = x.reshape(m - n, n)
        return expm(kappa - kappa.T)

    def energy_and_gradient(x: np.ndarray):
        u = rotation(x)
        density = u[:, :n] @ u[:, :n].T
        fock = fock_matrix(one, two, density)
        energy = closed_shell_energy(constant, one, two, density, fock)
        return energy, 4 * (u.T @ fock @ u)[n:, :n].ravel()

    kick = 1e-2 * np.random.default_rng(seed).standard_normal((m - n) * n)
    found = minimize(energy_and_gradient, kick, jac=True, method="BFGS", options={"gtol": 1e-10})
    energy, gradient = energy_and_gradient(found.x)
    orbitals, energies = _canonical(rotation(found.x), one, two, n)
    converged = bool(np.abs(gradient).max(initial=0.0) < GRADIENT_TOLERANCE)
    return ScfSolution(orbitals, energies, energy, converged, _aufbau(energies, n))


def _canonical(u: np.ndarray, one: np.ndarray, two: np.ndarray, n: int):
    """Rotate within the occupied and within the virtual block so that the Fock matrix is
    diagonal there (energies ascending); each column's largest entry made positive."""
    fock = u.T @ fock_matrix(one, two, u[:, :n] @ u[:, :n].T) @ u
    blocks = [np.linalg.eigh(fock[s, s]) for s in (slice(0, n), slice(n, None))]
    energies = np.concatenate([b[0] for b in blocks])
    mix = np.zeros_like(u)
    mix[:n, :n], mix[n:, n:] = blocks[0][1], blocks[1][1]
    orbitals = u @ mix
    signs = np.sign(orbitals[np.abs(orbitals).argmax(axis=0), np.arange(orbitals.shape[1])])
    return orbitals * signs, energies


def fix_phases(coefficients: np.ndarray) -> np.ndarray:
    """The orbitals (columns of ``coefficients``, atomic orbitals as rows) with the phase rule of
    the module docstring applied: a sign flip of any input column gives a bit-identical result."""
    c = np.array(coefficients, dtype=float)
    magnitudes = np.abs(c)
    tied = magnitudes >= magnitudes.max(axis=0) - PHASE_TIE_TOLERANCE
    deciding = tied.argmax(axis=0)  # the first (lowest) atomic-orbital index among the tied
    signs = np.where(c[deciding, np.arange(c.shape[1])] < 0, -1.0, 1.0)
    return c * signs


def molecular_integrals(coefficients: np.ndarray, core_hamiltonian: np.ndarray, eri: np.ndarray):
    """One- and two-body integrals over the orbitals ``coefficients`` (columns, in the atomic
    basis) from the atomic-orbital core Hamiltonian and repulsion tensor ``eri[μ,ν,ρ,σ]`` =
    (μν|ρσ), in the layout of the module docstring (PennyLane's ``electron_integrals``)."""
    c = coefficients
    one = c.T @ core_hamiltonian @ c
    two = np.einsum("ba,dc,bdeg,ef,gh->acfh", c, c, eri, c, c, optimize=True)
    return one, np.swapaxes(two, 1, 3)


def rotate_integrals(one: np.ndarray, two: np.ndarray, orbitals: np.ndarray):
    """Integrals in the basis of the columns of ``orbitals`` (every index transforms alike)."""
    c = orbitals
    return c.T @ one @ c, np.einsum("pa,rb,sc,qd,prsq->abcd", c, c, c, c, two, optimize=True)


def frozen_core(constant: float, one: np.ndarray, two: np.ndarray, core, active):
    """Constant, one- and two-body integrals of the ``active`` orbitals with ``core`` doubly
    occupied (module docstring)."""
    density = occupied_density(one.shape[0], core)
    constant = closed_shell_energy(constant, one, two, density)
    one = fock_matrix(one, two, density)[np.ix_(active, active)]
    return constant, one, two[np.ix_(active, active, active, active)]
