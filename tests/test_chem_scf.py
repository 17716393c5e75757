"""Closed-shell Hartree–Fock repairs: frozen core against PennyLane's own active-space integrals,
the minimiser against PennyLane's SCF where that is sound, and stretched bonds against
hand-built determinants."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from pennylane import qchem

from workbench.chem import build_problem, get_preset, get_problem, scf
from workbench.chem.build import _molecule, _orbital_lists, active_space_from_orbitals


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


def _scf_pieces(spec):
    molecule = _molecule(spec)
    _, orbitals, _, core_hamiltonian, eri = qchem.scf(molecule)()
    constant = float(
        np.ravel(qchem.nuclear_energy(molecule.nuclear_charges, molecule.coordinates)())[0]
    )
    core, active = _orbital_lists(spec, molecule.n_orbitals)
    arrays = (np.asarray(a) for a in (orbitals, core_hamiltonian, eri))
    return constant, *arrays, core, active


def _qubit_hamiltonian(spec, pieces):
    from pennylane import qchem as pl_qchem

    from workbench.chem.encoding import QubitEncoding

    space = active_space_from_orbitals(spec, *pieces)
    fermionic = pl_qchem.fermionic_observable(
        np.array([space.core_constant]), space.one_body, space.two_body
    )
    return QubitEncoding(spec, space.n_orbitals, space.n_electrons, fermionic)(fermionic), space


@pytest.mark.parametrize(
    ("preset_id", "bond_length"), [("lih-4q", None), ("h2o-8q", None), ("lih-6q", 4.0)]
)
def test_random_orbital_sign_flips_give_a_bit_identical_hamiltonian(preset_id, bond_length):
    """The eigensolver's sign of each orbital is machine-dependent (issue 24: 48 of LiH-4q's 99
    coefficients flipped between two processors). With the phase rule, any flips of the SCF
    orbitals — at equilibrium and through the stretched-bond repair — give the same bits."""
    spec = get_preset(preset_id).spec(bond_length)
    constant, orbitals, h, eri, core, active = _scf_pieces(spec)
    reference, space = _qubit_hamiltonian(spec, (constant, orbitals, h, eri, core, active))
    assert space.scf == ("re-minimised" if bond_length else "aufbau")
    rng = np.random.default_rng(7)
    for _ in range(3):
        signs = rng.choice([-1.0, 1.0], size=orbitals.shape[1])
        signs[active[0]] = -1.0  # at least one active orbital flips
        flipped, _ = _qubit_hamiltonian(spec, (constant, orbitals * signs, h, eri, core, active))
        assert flipped.words == reference.words
        assert np.array_equal(flipped.coefficients, reference.coefficients)
        assert flipped.shift == reference.shift
    # without the rule the same flips change the coefficients' signs (the test can fail)
    one, _ = scf.molecular_integrals(orbitals * signs, h, eri)
    plain, _ = scf.molecular_integrals(orbitals, h, eri)
    assert not np.allclose(one, plain)


def test_the_phase_rule_makes_the_largest_coefficient_positive_with_a_tie_break():
    c = np.array([[0.5, -0.7, 0.6], [-0.5, 0.2, -0.6 + 1e-9], [0.1, 0.1, 0.1]])
    fixed = scf.fix_phases(c)
    np.testing.assert_array_equal(fixed[:, 0], c[:, 0])  # tie: the first index decides (+)
    np.testing.assert_array_equal(fixed[:, 1], -c[:, 1])  # -0.7 is the largest: made positive
    np.testing.assert_array_equal(fixed[:, 2], c[:, 2])  # a 1e-9 difference is a tie too
    np.testing.assert_array_equal(scf.fix_phases(-c), fixed)
