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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRADIENT_TOLERANCE = 1e-6
"""Largest :math:`|4F_{ai}|` (Ha) at which a minimised determinant counts as converged."""
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
