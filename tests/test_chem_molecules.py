"""Any molecule: energies against an independent pipeline and exact diagonalisation."""

from __future__ import annotations

import numpy as np
import pennylane as qml
import pytest
from pennylane import qchem

from workbench.chem import MoleculeSpec, build_problem, get_preset

HEH_PLUS = {"symbols": ("He", "H"), "geometry": ((0, 0, 0), (0, 0, 0.9)), "charge": 1}
H3_PLUS = {
    "symbols": ("H", "H", "H"),
    "geometry": ((0, 0, 0), (0, 0, 0.9), (0, 0.78, 0.45)),
    "charge": 1,
}
LIH_SMALL = {
    "symbols": ("Li", "H"),
    "geometry": ((0, 0, 0), (0, 0, 1.6)),
    "active_electrons": 2,
    "active_orbitals": 3,
}


def reference_spectrum(spec: MoleculeSpec) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues and JW particle numbers from PennyLane's own molecular_hamiltonian."""
    hamiltonian, n_qubits = qchem.molecular_hamiltonian(
        list(spec.symbols),
        np.array(spec.geometry, dtype=float),
        charge=spec.charge,
        unit=spec.unit,
        active_electrons=spec.active_electrons,
        active_orbitals=spec.active_orbitals,
        mapping="jordan_wigner",
    )
    matrix = hamiltonian.sparse_matrix(wire_order=range(n_qubits)).toarray()
    weights = np.array([bin(i).count("1") for i in range(2**n_qubits)])
    return matrix, weights


@pytest.mark.parametrize("molecule", [HEH_PLUS, H3_PLUS, LIH_SMALL], ids=["HeH+", "H3+", "LiH"])
@pytest.mark.parametrize("mapping", ["jordan_wigner", "parity", "bravyi_kitaev"])
def test_energies_match_independent_exact_diagonalisation(molecule, mapping):
    spec = MoleculeSpec(mapping=mapping, **molecule)
    problem = build_problem(spec)
    matrix, weights = reference_spectrum(spec)
    whole = np.linalg.eigvalsh(matrix)
    in_sector = weights == spec.n_electrons - 2 * ((spec.n_electrons - problem.n_electrons) // 2)
    sector = np.linalg.eigvalsh(matrix[np.ix_(in_sector, in_sector)])
    assert problem.ground_energy == pytest.approx(whole[0], abs=1e-8)
    assert problem.first_excited_energy == pytest.approx(whole[1], abs=1e-8)
    assert problem.ground_energy_sector == pytest.approx(sector[0], abs=1e-8)
    assert problem.lower_bound <= problem.ground_energy


def test_sector_energy_differs_where_the_mapping_admits_other_particle_numbers():
    problem = build_problem(MoleculeSpec(**HEH_PLUS))
    assert problem.ground_energy < problem.ground_energy_sector - 0.1


@pytest.mark.parametrize("molecule", [HEH_PLUS, H3_PLUS], ids=["HeH+", "H3+"])
@pytest.mark.parametrize("mapping", ["jordan_wigner", "parity", "bravyi_kitaev"])
def test_hartree_fock_energy_matches_pennylane(molecule, mapping):
    spec = MoleculeSpec(mapping=mapping, **molecule)
    problem = build_problem(spec)
    scale = 1 / 0.529177210903
    mol = qchem.Molecule(
        list(spec.symbols), np.array(spec.geometry, dtype=float) * scale, charge=spec.charge
    )
    assert problem.hartree_fock_energy == pytest.approx(float(qchem.hf_energy(mol)()), abs=1e-8)


@pytest.mark.parametrize("bond_length", [0.5, 0.7414, 1.5, 2.5])
def test_tapering_keeps_the_ground_energy(bond_length):
    reference = build_problem(get_preset("h2-4q").spec(bond_length)).ground_energy_sector
    recipes = [
        ("parity", "two_qubit", 2),
        ("parity", "parity", 3),
        ("jordan_wigner", "z2", 1),
        ("bravyi_kitaev", "z2", 1),
    ]
    geometry = ((0, 0, 0), (0, 0, bond_length))
    for mapping, tapering, n_qubits in recipes:
        spec = MoleculeSpec(("H", "H"), geometry, mapping=mapping, tapering=tapering)
        problem = build_problem(spec)
        assert problem.n_qubits == n_qubits
        assert problem.ground_energy_sector == pytest.approx(reference, abs=1e-9)
        assert problem.hartree_fock_energy == pytest.approx(
            build_problem(get_preset("h2-4q").spec(bond_length)).hartree_fock_energy, abs=1e-9
        )


def test_lih_two_qubit_reduction_keeps_the_ground_energy():
    six = build_problem(get_preset("lih-6q").spec(2.2))
    four = build_problem(get_preset("lih-4q").spec(2.2))
    assert four.n_qubits == 4
    assert four.ground_energy_sector == pytest.approx(six.ground_energy_sector, abs=1e-9)


def test_dissociation_scan_has_its_minimum_near_equilibrium():
    preset = get_preset("h2-2q")
    lengths = [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1.2, 2.0]
    energies = [build_problem(preset.spec(r)).ground_energy for r in lengths]
    assert lengths[int(np.argmin(energies))] in (0.7, 0.75)
    # Far apart: two STO-3G hydrogen atoms, 2 × (−0.46658) Ha.
    assert build_problem(preset.spec(4.0)).ground_energy == pytest.approx(-0.9332, abs=2e-3)


def test_to_pennylane_matches_our_matrix():
    problem = build_problem(MoleculeSpec(**H3_PLUS, mapping="parity"))
    theirs = qml.matrix(problem.to_pennylane(), wire_order=range(problem.n_qubits))
    np.testing.assert_allclose(theirs, problem.hamiltonian.sparse_matrix().toarray(), atol=1e-12)


@pytest.mark.parametrize("mapping", ["jordan_wigner", "parity", "bravyi_kitaev"])
def test_z2_tapering_of_water_agrees_for_every_mapping(mapping):
    geometry = ((0, 0, 0), (0.96, 0, 0), (-0.24, 0.93, 0))
    active = {"active_electrons": 4, "active_orbitals": 4}
    full = build_problem(MoleculeSpec(("H", "O", "H"), geometry, **active))
    tapered = build_problem(
        MoleculeSpec(("H", "O", "H"), geometry, mapping=mapping, tapering="z2", **active)
    )
    assert tapered.n_qubits == 5
    assert tapered.ground_energy_sector == pytest.approx(full.ground_energy_sector, abs=1e-9)
    assert tapered.hartree_fock_energy == pytest.approx(full.hartree_fock_energy, abs=1e-9)


def test_symmetry_pivots_anticommute_with_exactly_one_generator():
    from workbench.chem.encoding import z_symmetry_pivots

    generators = [qml.Z(1), qml.Z(0) @ qml.Z(2) @ qml.Z(4) @ qml.Z(6), qml.Z(7)]
    pivots = z_symmetry_pivots(generators, 8)
    assert len(pivots) == 3
    for support, pivot in pivots:
        assert sum(pivot in other for other, _ in pivots) == 1
        assert pivot in support
