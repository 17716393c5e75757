r"""Molecule specification → qubit Hamiltonian and its exact reference energies.

Pipeline (all offline, PennyLane's built-in restricted Hartree–Fock):

1. integrals :math:`h_{pq}, g_{pqrs}` over PennyLane's SCF orbitals — re-minimised when that SCF
   ended on a determinant that breaks the aufbau rule (stretched bonds; :mod:`.scf`), their
   phases fixed by one rule (:func:`workbench.chem.scf.fix_phases`: the same Hamiltonian on
   every machine) — then those of the active space and the core constant (nuclear repulsion +
   frozen-core energy);
2. the second-quantised Hamiltonian
   :math:`\hat H = c + \sum_{pq} h_{pq} a_p^\dagger a_q
   + \tfrac12 \sum_{pqrs} g_{pqrs} a_p^\dagger a_q^\dagger a_r a_s` over spin-orbitals;
3. a fermion-to-qubit mapping (Jordan–Wigner, parity, Bravyi–Kitaev);
4. optional tapering of conserved parities, then optional basis relabelling
   (:mod:`workbench.chem.encoding`).

Every number operator :math:`n_k = a_k^\dagger a_k` goes through the same encoding. It stays
diagonal in the final computational basis, which gives the particle-number sector and the
Hartree–Fock basis state without any mapping-specific code.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

import workbench
from workbench.config import BOHR_PER_ANGSTROM, MoleculeSpec
from workbench.errors import ProblemError, WorkbenchWarning
from workbench.paulis import MAX_QUBITS_EXACT, PauliHamiltonian, lowest_eigenvalues

if TYPE_CHECKING:
    import pennylane as qml
# PennyLane (≈ 2 s to import) is imported where a problem is built or exported, so reading
# shipped or cached problems — and every CLI command that only reads — never pays for it.

RECIPE_VERSION = 3
"""Bumped whenever the construction below changes results: cached problems then rebuild
(2: non-aufbau SCF orbitals re-minimised, the frozen core built here; 3: orbital phases fixed by
a rule, so that a problem builds to the same Hamiltonian on every machine)."""


@dataclass(frozen=True, eq=False)
class Problem:
    r"""A molecular ground-state problem on qubits, with the exact numbers a search needs.

    Attributes:
        id: preset id (``"h2-2q"``) or a label derived from the formula.
        spec: the molecule and recipe.
        hamiltonian: Pauli words, real coefficients (Ha) and constant shift.
        n_electrons: electrons in the active space.
        ground_energy: :math:`E_0`, the lowest eigenvalue over the whole qubit space (the paper's
            target; Ha).
        ground_energy_sector: lowest eigenvalue with exactly ``n_electrons`` particles (Ha).
            Differs from ``ground_energy`` only where the mapping admits lower states with
            another particle number.
        first_excited_energy: second-lowest eigenvalue over the whole space (Ha).
        hartree_fock_energy: :math:`\langle \mathrm{HF}|H|\mathrm{HF}\rangle` (Ha).
        hartree_fock_state: bits of the Hartree–Fock basis state (wire 0 first).
        zero_state_energy: :math:`\langle 0\dots0|H|0\dots0\rangle`, where every circuit starts.
        key: SHA-256 of the specification and recipe version (the cache key).
        provenance: library versions and build time.
    """

    id: str
    spec: MoleculeSpec
    hamiltonian: PauliHamiltonian
    n_electrons: int
    ground_energy: float
    ground_energy_sector: float
    first_excited_energy: float
    hartree_fock_energy: float
    hartree_fock_state: tuple[int, ...]
    zero_state_energy: float
    key: str
    provenance: dict = dataclasses.field(default_factory=dict)

    @property
    def n_qubits(self) -> int:
        return self.hamiltonian.n_qubits

    @property
    def n_terms(self) -> int:
        return self.hamiltonian.n_terms

    @property
    def lower_bound(self) -> float:
        r"""Curriculum bound :math:`s - \sum_k |c_k|` (the paper's ``fake_min_energy``)."""
        return self.hamiltonian.lower_bound

    @property
    def spectral_gap(self) -> float:
        return self.first_excited_energy - self.ground_energy

    @property
    def hartree_fock_is_scf_minimum(self) -> bool | None:
        """False when the Hartree–Fock determinant breaks the aufbau rule even after the
        orbitals were re-minimised (see ``_ActiveSpace``); None for problems built before the
        check existed."""
        return self.provenance.get("scf_aufbau")

    def summary(self) -> dict:
        """One row of facts for tables and JSON (no Pauli terms)."""
        return {
            "id": self.id,
            "formula": self.spec.formula(),
            "qubits": self.n_qubits,
            "terms": self.n_terms,
            "mapping": self.spec.mapping,
            "tapering": self.spec.tapering,
            "electrons": self.n_electrons,
            "ground_energy": self.ground_energy,
            "ground_energy_sector": self.ground_energy_sector,
            "hartree_fock_energy": self.hartree_fock_energy,
            **(
                {}
                if self.hartree_fock_is_scf_minimum is None
                else {"hartree_fock_is_scf_minimum": self.hartree_fock_is_scf_minimum}
            ),
            # only where PennyLane's SCF orbitals were not used as they are
            **(
                {}
                if self.provenance.get("scf", "aufbau") == "aufbau"
                else {
                    "scf_orbitals": self.provenance["scf"],
                    "scf_energy_pennylane": self.provenance["scf_energy_pennylane"],
                }
            ),
            "lower_bound": self.lower_bound,
            "zero_state_energy": self.zero_state_energy,
            "spectral_gap": self.spectral_gap,
        }

    def to_pennylane(self) -> qml.Hamiltonian:
        """The Hamiltonian as a PennyLane operator on wires ``0..n-1`` (shift included)."""
        import pennylane as qml

        n = self.n_qubits
        coeffs = [self.hamiltonian.shift, *self.hamiltonian.coefficients.tolist()]
        ops = [qml.Identity(0)] + [
            qml.pauli.string_to_pauli_word(w, wire_map={q: q for q in range(n)})
            for w in self.hamiltonian.words
        ]
        return qml.dot(coeffs, ops)


@dataclass(frozen=True)
class _ActiveSpace:
    """Active-space integrals (module docstring, step 1) and how the orbitals were obtained:
    ``scf`` is ``"aufbau"`` (PennyLane's SCF orbitals as they are), ``"re-minimised"``
    (PennyLane's SCF ended on a non-aufbau determinant, ``scf_energy_pennylane``; the energy
    was minimised over orbital rotations, :mod:`workbench.chem.scf`) or ``"non-aufbau"`` (that
    minimisation did not converge to an aufbau determinant either)."""

    core_constant: float
    one_body: np.ndarray
    two_body: np.ndarray
    n_electrons: int
    n_orbitals: int
    scf: str = "aufbau"
    scf_energy_pennylane: float | None = None


def _active_space(spec: MoleculeSpec) -> _ActiveSpace:
    from pennylane import qchem

    molecule = _molecule(spec)
    core, active = _orbital_lists(spec, molecule.n_orbitals)
    if 2 * len(active) > MAX_QUBITS_EXACT:
        raise ProblemError(
            f"{len(active)} active orbitals need {2 * len(active)} qubits; at most "
            f"{MAX_QUBITS_EXACT} are supported (exact diagonalisation): set active_orbitals"
        )
    _, orbitals, _, core_hamiltonian, eri = qchem.scf(molecule)()
    constant = float(np.asarray(qchem.nuclear_energy(molecule.nuclear_charges,
                                                     molecule.coordinates)()).ravel()[0])
    return active_space_from_orbitals(
        spec, constant, np.asarray(orbitals), np.asarray(core_hamiltonian), np.asarray(eri),
        core, active,
    )  # fmt: skip


def active_space_from_orbitals(
    spec: MoleculeSpec, constant: float, orbitals, core_hamiltonian, eri, core, active
) -> _ActiveSpace:
    """Step 1 of the module docstring from SCF ``orbitals`` (columns, atomic basis) and the
    atomic-orbital integrals: the phase rule (:func:`workbench.chem.scf.fix_phases`) before any
    integral is transformed — the aufbau repair's minimiser included — and again after it, so
    the result is the same whatever signs the eigensolver gave the orbitals."""
    from workbench.chem import scf

    orbitals = scf.fix_phases(orbitals)
    one, two = scf.molecular_integrals(orbitals, core_hamiltonian, eri)
    n_occupied, state, before = spec.n_electrons // 2, "aufbau", None
    if not scf.is_aufbau(one, two, n_occupied):
        before = scf.closed_shell_energy(
            constant, one, two, scf.occupied_density(len(one), range(n_occupied))
        )
        found = scf.minimise_rhf(constant, one, two, n_occupied)
        if found.converged and found.aufbau and found.energy < before:
            orbitals = orbitals @ found.orbitals
            state = "re-minimised"
        else:
            state = "non-aufbau"
    one, two = scf.molecular_integrals(scf.fix_phases(orbitals), core_hamiltonian, eri)
    constant, one, two = scf.frozen_core(constant, one, two, core, active)
    n_active_electrons = spec.n_electrons - 2 * len(core)
    return _ActiveSpace(constant, one, two, n_active_electrons, len(active), state, before)


def _molecule(spec: MoleculeSpec):
    from pennylane import qchem

    for symbol in spec.symbols:
        if symbol not in qchem.basis_data.basis_sets.get(spec.basis, {}):
            available = ", ".join(qchem.basis_data.basis_sets.get(spec.basis, {})) or "none"
            raise ProblemError(
                f"element {symbol!r} has no built-in {spec.basis!r} basis in PennyLane "
                f"(available offline: {available}); built-in bases: "
                f"{', '.join(qchem.basis_data.basis_sets)}"
            )
    if spec.multiplicity != 1:
        raise ProblemError(
            f"multiplicity={spec.multiplicity}: PennyLane's built-in Hartree–Fock handles "
            "closed-shell molecules only (multiplicity 1); change the charge or multiplicity"
        )
    scale = BOHR_PER_ANGSTROM if spec.unit == "angstrom" else 1.0
    return qchem.Molecule(
        list(spec.symbols),
        np.array(spec.geometry, dtype=float) * scale,
        charge=spec.charge,
        mult=spec.multiplicity,
        basis_name=spec.basis,
        unit="bohr",
    )


def _orbital_lists(spec: MoleculeSpec, n_orbitals: int) -> tuple[list[int], list[int]]:
    if spec.active is not None:
        core, active = list(spec.core or ()), list(spec.active)
        outside = [i for i in core + active if i >= n_orbitals]
        if outside:
            raise ProblemError(
                f"orbitals {outside} do not exist: {spec.formula()} in {spec.basis} has "
                f"{n_orbitals} spatial orbitals (0..{n_orbitals - 1})"
            )
        return core, active
    if spec.active_orbitals is not None and spec.active_orbitals > n_orbitals:
        raise ProblemError(
            f"active_orbitals={spec.active_orbitals} is larger than the molecule: "
            f"{spec.formula()} in {spec.basis} has {n_orbitals} spatial orbitals"
        )
    electrons = spec.active_electrons or spec.n_electrons
    orbitals = spec.active_orbitals or n_orbitals
    n_core = (spec.n_electrons - electrons) // 2
    if n_core + orbitals > n_orbitals:
        raise ProblemError(
            f"{n_core} core orbitals plus {orbitals} active orbitals exceed the "
            f"{n_orbitals} spatial orbitals of {spec.formula()} in {spec.basis}"
        )
    if electrons > 2 * orbitals:
        raise ProblemError(f"{electrons} active electrons do not fit in {orbitals} active orbitals")
    return list(range(n_core)), list(range(n_core, n_core + orbitals))


def active_space_encoding(spec: MoleculeSpec):
    """The active space of ``spec``, its fermionic Hamiltonian and the :class:`QubitEncoding`
    that maps any fermionic operator onto the problem's register (mapping, tapering, flips)."""
    from pennylane import qchem

    from workbench.chem.encoding import QubitEncoding

    space = _active_space(spec)
    fermionic = qchem.fermionic_observable(
        np.array([space.core_constant]), space.one_body, space.two_body
    )
    return space, fermionic, QubitEncoding(spec, space.n_orbitals, space.n_electrons, fermionic)


def build_problem(spec: MoleculeSpec, problem_id: str | None = None) -> Problem:
    """Build a problem from scratch (no cache): integrals, mapping, tapering, exact energies.

    Raises:
        ProblemError: when the molecule cannot be built (basis, open shell, active space).
    """
    from workbench.chem.encoding import occupation_index

    space, fermionic, encoding = active_space_encoding(spec)
    hamiltonian = encoding(fermionic)
    n = hamiltonian.n_qubits
    matrix = hamiltonian.sparse_matrix()
    lowest = lowest_eigenvalues(matrix, k=2)
    if space.scf == "non-aufbau":
        warnings.warn(
            f"{problem_id or default_label(spec)}: PennyLane's SCF ended on a non-aufbau "
            "determinant (an occupied orbital above a virtual one) and minimising over orbital "
            "rotations did not repair it; the reported Hartree–Fock energy is that "
            "determinant's, not the HF minimum. E0 is exact.",
            WorkbenchWarning,
            stacklevel=2,
        )
    occupations = encoding.occupations(n)
    sector = np.isclose(occupations.sum(axis=0), space.n_electrons)
    hf_index = occupation_index(occupations, encoding.hartree_fock_occupation)
    hf_state = tuple(int(b) for b in np.binary_repr(hf_index, width=n))
    return Problem(
        id=problem_id or default_label(spec),
        spec=spec,
        hamiltonian=hamiltonian,
        n_electrons=space.n_electrons,
        ground_energy=float(lowest[0]),
        ground_energy_sector=float(lowest_eigenvalues(matrix[sector][:, sector], k=1)[0]),
        first_excited_energy=float(lowest[1]) if lowest.size > 1 else float(lowest[0]),
        hartree_fock_energy=hamiltonian.basis_state_energy(hf_state),
        hartree_fock_state=hf_state,
        zero_state_energy=hamiltonian.basis_state_energy([0] * n),
        key=problem_key(spec),
        provenance={
            **provenance(),
            "scf": space.scf,
            "scf_aufbau": space.scf != "non-aufbau",
            "scf_energy_pennylane": space.scf_energy_pennylane,
        },
    )


def provenance() -> dict:
    """Versions and time recorded with every built problem."""
    import pennylane as qml

    return {
        "pennylane": qml.__version__,
        "numpy": np.__version__,
        "workbench": workbench.__version__,
        "recipe_version": RECIPE_VERSION,
        "built": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def problem_key(spec: MoleculeSpec) -> str:
    """Cache key: the specification's hash combined with the recipe version."""
    return hashlib.sha256(f"recipe-{RECIPE_VERSION}:{spec.key()}".encode()).hexdigest()


def default_label(spec: MoleculeSpec) -> str:
    """A readable label for custom molecules, e.g. ``HLi-jordan_wigner``."""
    label = f"{spec.formula()}-{spec.mapping}"
    return label if spec.tapering == "none" else f"{label}-{spec.tapering}"
