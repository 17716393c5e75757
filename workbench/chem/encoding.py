r"""Fermion-to-qubit encoding of an active space: mapping, orbital order, tapering, relabelling.

One :class:`QubitEncoding` turns any fermionic operator (the Hamiltonian, number operators)
into a :class:`~workbench.paulis.PauliHamiltonian` on the final register, so that every derived
quantity (particle-number sector, Hartree–Fock basis state) is consistent with the Hamiltonian.

* Mappings: Jordan–Wigner, parity, Bravyi–Kitaev (PennyLane's transforms).
* Spin-orbital order: interleaved (:math:`2p=\alpha`, :math:`2p+1=\beta`), or blocks of α then β
  for the two-qubit reduction, where qubit :math:`m-1` of the parity mapping holds the α-number
  parity and qubit :math:`2m-1` the total parity.
* Tapering: ``parity`` and ``two_qubit`` fix those parity qubits to their eigenvalues
  :math:`(-1)^{N}` and :math:`(-1)^{N_\alpha}`; ``z2`` uses PennyLane's symmetry generators
  :math:`\tau_i` and Clifford rotations, in the sector of the Hartree–Fock determinant (computed
  in the mapped basis, so it is right for every mapping).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pennylane as qml
from pennylane.fermi import FermiSentence, FermiWord
from pennylane.pauli import PauliSentence, PauliWord

from workbench.config import MoleculeSpec
from workbench.errors import ProblemError
from workbench.paulis import PauliHamiltonian

Terms = dict[str, complex]


def block_spin_order(operator: FermiSentence, n_orbitals: int) -> FermiSentence:
    """Relabel interleaved spin-orbitals (2p=α, 2p+1=β) to blocks (α: p, β: p + n_orbitals)."""
    relabelled = FermiSentence({})
    for word, coefficient in operator.items():
        new = FermiWord(
            {(pos, orb // 2 + (orb % 2) * n_orbitals): op for (pos, orb), op in word.items()}
        )
        relabelled[new] = relabelled.get(new, 0.0) + coefficient
    return relabelled


def sentence_terms(sentence, wires: list) -> Terms:
    """PauliSentence → ``{word: coefficient}`` with one letter per wire of ``wires`` (in order)."""
    position = {w: i for i, w in enumerate(wires)}
    terms: Terms = {}
    for pauli_word, coefficient in sentence.items():
        letters = ["I"] * len(wires)
        for wire, letter in pauli_word.items():
            letters[position[wire]] = letter
        word = "".join(letters)
        terms[word] = terms.get(word, 0.0) + complex(coefficient)
    return terms


def fix_qubits(terms: Terms, fixed: dict[int, int]) -> Terms:
    """Replace Z on the ``fixed`` qubits by their eigenvalue (±1) and drop those qubits."""
    reduced: Terms = {}
    for word, coefficient in terms.items():
        for qubit, eigenvalue in fixed.items():
            if word[qubit] in "XY":
                raise ProblemError(f"term {word} does not conserve the tapered qubit {qubit}")
            if word[qubit] == "Z":
                coefficient = coefficient * eigenvalue
        kept = "".join(letter for q, letter in enumerate(word) if q not in fixed)
        reduced[kept] = reduced.get(kept, 0.0) + coefficient
    return reduced


def number_operator(mode: int) -> FermiSentence:
    r""":math:`n_k = a_k^\dagger a_k` for spin-orbital ``mode`` (interleaved label)."""
    return FermiSentence({FermiWord({(0, mode): "+", (1, mode): "-"}): 1.0})


def occupation_index(diagonals: np.ndarray, occupation: np.ndarray) -> int:
    """Index of the basis state whose number-operator diagonals equal ``occupation``."""
    matches = np.flatnonzero(np.all(np.isclose(diagonals.T, occupation), axis=1))
    if matches.size != 1:
        raise ProblemError("the Hartree–Fock determinant is not a basis state of this register")
    return int(matches[0])


class QubitEncoding:
    """The full map from fermionic operators to the final qubit register of a problem.

    Args:
        spec: the recipe (mapping, tapering, basis flips).
        n_orbitals: active spatial orbitals; the register starts with ``2 * n_orbitals`` modes.
        n_electrons: active electrons (fixes the tapered parities).
        hamiltonian: the fermionic Hamiltonian (needed to find the ``z2`` symmetries).
    """

    def __init__(
        self, spec: MoleculeSpec, n_orbitals: int, n_electrons: int, hamiltonian: FermiSentence
    ) -> None:
        self.spec = spec
        self.n_orbitals = n_orbitals
        self.n_modes = 2 * n_orbitals
        self.n_electrons = n_electrons
        self.n_alpha = (n_electrons + spec.multiplicity - 1) // 2
        self.hartree_fock_occupation = np.zeros(self.n_modes)
        self.hartree_fock_occupation[0 : 2 * self.n_alpha : 2] = 1
        self.hartree_fock_occupation[1 : 2 * (n_electrons - self.n_alpha) : 2] = 1
        self._taper = self._make_taper(hamiltonian)

    def _map(self, operator: FermiSentence) -> Terms:
        """Mapping only (in block order for the two-qubit reduction), before tapering."""
        n, wires = self.n_modes, list(range(self.n_modes))
        if self.spec.tapering == "two_qubit":
            operator = block_spin_order(operator, self.n_orbitals)
        transforms = {
            "jordan_wigner": lambda op: qml.jordan_wigner(op, ps=True),
            "parity": lambda op: qml.parity_transform(op, n, ps=True),
            "bravyi_kitaev": lambda op: qml.bravyi_kitaev(op, n, ps=True),
        }
        return sentence_terms(transforms[self.spec.mapping](operator), wires)

    def _make_taper(self, hamiltonian: FermiSentence) -> Callable[[Terms], Terms]:
        tapering, n = self.spec.tapering, self.n_modes
        if tapering == "two_qubit":
            fixed = {self.n_orbitals - 1: (-1) ** self.n_alpha, n - 1: (-1) ** self.n_electrons}
            return lambda terms: fix_qubits(terms, fixed)
        if tapering == "parity":
            return lambda terms: fix_qubits(terms, {n - 1: (-1) ** self.n_electrons})
        if tapering == "z2":
            return self._z2_taper(hamiltonian)
        return lambda terms: terms

    def _z2_taper(self, hamiltonian: FermiSentence) -> Callable[[Terms], Terms]:
        r"""Taper with :math:`U=\prod_i (X_{q_i}+\tau_i)/\sqrt2`: :math:`U H U`, then
        :math:`X_{q_i}\to\sigma_i`, the eigenvalue of :math:`\tau_i` on the HF determinant.

        The generators come from ``qml.symmetry_generators``; the pivot wires :math:`q_i` are
        chosen here by row reduction (PennyLane's ``paulix_ops`` can pick an :math:`X_q` that
        commutes with its generator when the generators skip wires).
        """
        generators = qml.symmetry_generators(_operator(self._map(hamiltonian)))
        hf_bits = self._hartree_fock_bits_before_tapering()
        clifford = PauliSentence({PauliWord({}): 1.0})
        tapered = {}
        for support, pivot in z_symmetry_pivots(generators, self.n_modes):
            tau = PauliWord({w: "Z" for w in support})
            factor = PauliSentence({tau: 1.0, PauliWord({pivot: "X"}): 1.0})
            clifford = clifford @ factor * (1 / np.sqrt(2))
            tapered[pivot] = (-1) ** int(sum(hf_bits[w] for w in support))
        kept = [w for w in range(self.n_modes) if w not in tapered]

        def taper(terms: Terms) -> Terms:
            rotated = clifford @ _sentence(terms) @ clifford
            reduced: Terms = {}
            for word, coefficient in rotated.items():
                if abs(coefficient) < 1e-12:
                    continue
                for wire, eigenvalue in tapered.items():
                    if word.get(wire, "I") in "YZ":
                        raise ProblemError(f"term {word} does not commute with the symmetries")
                    if word.get(wire, "I") == "X":
                        coefficient = coefficient * eigenvalue
                key = "".join(word.get(w, "I") for w in kept)
                reduced[key] = reduced.get(key, 0.0) + complex(coefficient)
            return reduced

        return taper

    def _hartree_fock_bits_before_tapering(self) -> np.ndarray:
        operators = [
            PauliHamiltonian.from_terms(self._map(number_operator(k)), self.n_modes)
            for k in range(self.n_modes)
        ]
        index = occupation_index(
            np.array([op.diagonal() for op in operators]), self.hartree_fock_occupation
        )
        return np.array([int(b) for b in np.binary_repr(index, width=self.n_modes)])

    def __call__(self, operator: FermiSentence, n_qubits: int | None = None) -> PauliHamiltonian:
        """Map, taper and relabel ``operator``; ``n_qubits`` is needed if it may vanish."""
        terms = self._taper(self._map(operator))
        n_qubits = len(next(iter(terms))) if terms else n_qubits
        hamiltonian = PauliHamiltonian.from_terms(terms, n_qubits)
        return hamiltonian.flipped(self.spec.basis_flips) if self.spec.basis_flips else hamiltonian

    def occupations(self, n_qubits: int) -> np.ndarray:
        """Diagonals ``(n_modes, 2**n_qubits)`` of every number operator on the final register."""
        diagonals = []
        for mode in range(self.n_modes):
            operator = self(number_operator(mode), n_qubits)
            if any(set(word) & set("XY") for word in operator.words):
                raise ProblemError(f"number operators are not diagonal after {self.spec.tapering}")
            diagonals.append(operator.diagonal())
        return np.array(diagonals)


def _sentence(terms: Terms) -> PauliSentence:
    return PauliSentence(
        {
            PauliWord({q: letter for q, letter in enumerate(word) if letter != "I"}): coefficient
            for word, coefficient in terms.items()
        }
    )


def _operator(terms: Terms) -> qml.operation.Operator:
    n = len(next(iter(terms)))
    wire_map = {q: q for q in range(n)}
    ops = [qml.pauli.string_to_pauli_word(word, wire_map=wire_map) for word in terms]
    return qml.dot([complex(c).real for c in terms.values()], ops)


def z_symmetry_pivots(generators, n_wires: int) -> list[tuple[list[int], int]]:
    """Row-reduce Z-type generators over GF(2): ``[(support, pivot wire), ...]``.

    Each pivot wire lies in the support of exactly one reduced generator, so :math:`X_{pivot}`
    anticommutes with that generator and commutes with the others.
    """
    rows = []
    for generator in generators:
        ((word, _),) = qml.pauli.pauli_sentence(generator).items()
        if set(word.values()) - {"Z"}:
            raise ProblemError(f"symmetry generator {generator} is not Z-type; cannot taper it")
        row = np.zeros(n_wires, dtype=np.uint8)
        row[list(word.keys())] = 1
        rows.append(row)
    matrix, pivots, rank = np.array(rows).reshape(-1, n_wires), [], 0
    for column in range(n_wires):
        below = np.flatnonzero(matrix[rank:, column]) + rank
        if below.size == 0:
            continue
        matrix[[rank, below[0]]] = matrix[[below[0], rank]]
        for other in np.flatnonzero(matrix[:, column]):
            if other != rank:
                matrix[other] ^= matrix[rank]
        pivots.append(column)
        rank += 1
        if rank == matrix.shape[0]:
            break
    return [(np.flatnonzero(matrix[i]).tolist(), pivot) for i, pivot in enumerate(pivots)]
