"""Closed-shell Hartree–Fock repairs: frozen core against PennyLane's own active-space integrals,
the minimiser against PennyLane's SCF where that is sound, and stretched bonds against
hand-built determinants."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pennylane import qchem

from workbench.chem import build_problem, get_preset, get_problem, scf
from workbench.chem.build import _molecule, _orbital_lists


def _full_integrals(spec):
    molecule = _molecule(spec)
    constant, one, two = qchem.electron_integrals(molecule)()
    return molecule, float(np.ravel(constant)[0]), np.asarray(one), np.asarray(two)


def test_frozen_core_equals_pennylanes_active_space_integrals():
    spec = get_preset("lih-6q").spec()  # core (0,), active (1, 2, 5)
    molecule, constant, one, two = _full_integrals(spec)
    core, active = _orbital_lists(spec, molecule.n_orbitals)
    expected = qchem.electron_integrals(molecule, core=core, active=active)()
    found = scf.frozen_core(constant, one, two, core, active)
    for mine, theirs in zip(found, expected, strict=True):
        np.testing.assert_allclose(np.ravel(mine), np.ravel(np.asarray(theirs)), atol=1e-12)


def test_the_minimiser_finds_pennylanes_scf_energy_from_scrambled_orbitals():
    """Water at equilibrium (PennyLane's SCF is sound there): mix occupied and virtual orbitals
    by a random rotation, and the minimiser comes back to the same energy and an aufbau set."""
    spec = get_preset("h2o-8q").spec()
    _, constant, one, two = _full_integrals(spec)
    n = spec.n_electrons // 2
    occupied = scf.occupied_density(len(one), range(n))
    reference = scf.closed_shell_energy(constant, one, two, occupied)
    q, _ = np.linalg.qr(np.random.default_rng(3).standard_normal(one.shape))
    scrambled = scf.rotate_integrals(one, two, q)
    start = scf.closed_shell_energy(constant, *scrambled, occupied)
    assert start > reference + 1.0 and not scf.is_aufbau(*scrambled, n)
    found = scf.minimise_rhf(constant, *scrambled, n)
    assert found.converged and found.aufbau
    assert found.energy == pytest.approx(reference, abs=1e-8)
    rotated = scf.rotate_integrals(*scrambled, found.orbitals)
    assert scf.is_aufbau(*rotated, n)
    np.testing.assert_allclose(found.orbitals.T @ found.orbitals, np.eye(len(one)), atol=1e-12)


def test_stretched_h2_gets_the_delocalised_hartree_fock_determinant(isolated_data):
    """H2 at 10 Å: PennyLane's SCF ends on an ionic H⁻H⁺ determinant (−0.2115 Ha, local atomic
    orbitals); the problem now reports the σg² determinant, whose energy is computed here by
    hand from PennyLane's orbitals (density ½ on every entry), and E0 stays exact."""
    spec = get_preset("h2-4q").spec(10.0)
    _, constant, one, two = _full_integrals(spec)
    ionic = scf.closed_shell_energy(constant, one, two, scf.occupied_density(2, [0]))
    sigma_g = scf.closed_shell_energy(constant, one, two, np.full((2, 2), 0.5))
    assert ionic == pytest.approx(-0.2115, abs=1e-4) and sigma_g == pytest.approx(-0.5723, abs=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a repaired SCF is recorded, not warned about
        stretched = get_problem("h2-4q", bond_length=10.0)
    assert stretched.hartree_fock_energy == pytest.approx(sigma_g, abs=1e-9)
    assert stretched.hartree_fock_is_scf_minimum is True
    facts = stretched.summary()
    assert facts["scf_orbitals"] == "re-minimised"
    assert facts["scf_energy_pennylane"] == pytest.approx(ionic, abs=1e-9)
    assert stretched.ground_energy == pytest.approx(-0.93316, abs=1e-4)  # two free H atoms
    assert "scf_orbitals" not in get_problem("h2-4q", bond_length=1.0).summary()


def test_the_hartree_fock_curve_is_continuous_through_the_repair(isolated_data):
    """Before the repair H2's HF energy jumped by 0.34 Ha between 5 Å (sound) and 6 Å (ionic);
    LiH (frozen core, active space) was 0.33 Ha too high at 4 Å."""
    energies = [build_problem(get_preset("h2-4q").spec(r)).hartree_fock_energy for r in (5, 6)]
    assert abs(energies[1] - energies[0]) < 0.02
    lih = build_problem(get_preset("lih-6q").spec(4.0))
    assert lih.provenance["scf"] == "re-minimised"
    assert (
        lih.ground_energy < lih.hartree_fock_energy < lih.provenance["scf_energy_pennylane"] - 0.3
    )
