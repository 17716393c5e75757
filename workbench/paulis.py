r"""Pauli-basis conventions in one place: Pauli words, qubit order, and qubit Hamiltonians.

Conventions used everywhere in the workbench:

* A Pauli word is a string over ``I, X, Y, Z``; letter ``q`` acts on wire ``q`` (wire 0 is the
  leftmost letter).
* Wire 0 is the most significant bit of a computational-basis index, as in PennyLane:
  :math:`|b_0 b_1 \dots b_{n-1}\rangle` has index :math:`\sum_q b_q 2^{n-1-q}`.
* :math:`Y = \begin{pmatrix}0 & -i\\ i & 0\end{pmatrix}`, so for a single qubit
  :math:`X|b\rangle = |1-b\rangle`, :math:`Y|b\rangle = i(-1)^b|1-b\rangle`,
  :math:`Z|b\rangle = (-1)^b|b\rangle`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

from workbench.errors import ConfigError

PAULI_LETTERS = "IXYZ"
DENSE_DIAGONALISATION_MAX_QUBITS = 10
MAX_QUBITS_EXACT = 18


def _check_word(word: str, n_qubits: int) -> str:
    if not isinstance(word, str) or len(word) != n_qubits or set(word) - set(PAULI_LETTERS):
        raise ConfigError(
            f"Pauli word {word!r} is not allowed: expected {n_qubits} letters from I, X, Y, Z"
        )
    return word


def word_masks(word: str) -> tuple[int, int, int]:
    """Bit masks (flip, phase, number of Y) of a Pauli word in the wire-0-is-MSB order.

    ``flip`` has the bits of X and Y letters, ``phase`` the bits of Y and Z letters.
    """
    n = len(word)
    flip = phase = 0
    for q, letter in enumerate(word):
        bit = 1 << (n - 1 - q)
        if letter in "XY":
            flip |= bit
        if letter in "YZ":
            phase |= bit
    return flip, phase, word.count("Y")


def pauli_signs(values: np.ndarray) -> np.ndarray:
    r""":math:`(-1)^{|v|}` (popcount parity) of non-negative integers, as int64.

    With ``values = index & mask`` this is the sign a Pauli word's Z/Y letters give a basis state.
    """
    return 1 - 2 * (np.bitwise_count(values).astype(np.int64) % 2)


def pauli_word_sparse(word: str) -> sp.csr_matrix:
    r"""Sparse matrix of a Pauli word.

    :math:`P|b\rangle = i^{n_Y}(-1)^{|b \wedge m_{YZ}|}\,|b \oplus m_{XY}\rangle` with the masks
    of :func:`word_masks` and :math:`|\cdot|` the popcount.
    """
    flip, phase, n_y = word_masks(word)
    index = np.arange(2 ** len(word), dtype=np.int64)
    values = (1j**n_y) * pauli_signs(index & phase)
    return sp.csr_matrix((values, (index ^ flip, index)), shape=(index.size, index.size))


@dataclass(frozen=True, eq=False)
class PauliHamiltonian:
    r"""A qubit Hamiltonian :math:`H = s\,I + \sum_k c_k P_k` with real :math:`c_k`.

    ``words`` never contains the identity: its coefficient is folded into ``shift``.

    Attributes:
        n_qubits: number of wires.
        words: Pauli words, one letter per wire (wire 0 leftmost).
        coefficients: real coefficients in hartree, aligned with ``words``.
        shift: the constant (identity) part in hartree.
    """

    n_qubits: int
    words: tuple[str, ...]
    coefficients: np.ndarray
    shift: float

    @classmethod
    def from_terms(
        cls,
        terms: Mapping[str, complex] | Iterable[tuple[str, complex]],
        n_qubits: int,
        shift: float = 0.0,
        tolerance: float = 1e-12,
    ) -> PauliHamiltonian:
        """Merge repeated words, fold the identity into ``shift`` and drop tiny terms.

        Raises:
            ConfigError: for a malformed word, a non-finite or complex coefficient.
        """
        items = terms.items() if isinstance(terms, Mapping) else terms
        merged: dict[str, float] = {}
        identity = "I" * n_qubits
        for word, coefficient in items:
            _check_word(word, n_qubits)
            value = complex(coefficient)
            if not (math.isfinite(value.real) and math.isfinite(value.imag)):
                raise ConfigError(f"coefficient of {word} is {coefficient!r}: must be finite")
            if abs(value.imag) > 1e-9:
                raise ConfigError(
                    f"coefficient of {word} is {coefficient!r}: a Hamiltonian needs real ones"
                )
            if word == identity:
                shift += value.real
            else:
                merged[word] = merged.get(word, 0.0) + value.real
        kept = sorted((w, c) for w, c in merged.items() if abs(c) > tolerance)
        words = tuple(w for w, _ in kept)
        coefficients = np.array([c for _, c in kept], dtype=np.float64)
        coefficients.setflags(write=False)
        return cls(n_qubits, words, coefficients, float(shift))

    @property
    def n_terms(self) -> int:
        """Number of non-identity Pauli terms."""
        return len(self.words)

    @property
    def lower_bound(self) -> float:
        r"""The bound :math:`s - \sum_k |c_k| \le E_0` (each :math:`P_k` has eigenvalues ±1)."""
        return self.shift - float(np.abs(self.coefficients).sum())

    def terms(self) -> list[tuple[str, float]]:
        """``[(word, coefficient), ...]`` without the identity."""
        return list(zip(self.words, self.coefficients.tolist(), strict=True))

    def all_terms(self) -> dict[str, float]:
        """``{word: coefficient}`` with the identity word carrying ``shift``: the whole operator
        as plain JSON (what a run folder records of its problem)."""
        return {"I" * self.n_qubits: float(self.shift), **dict(self.terms())}

    def largest_difference(self, terms: Mapping[str, float]) -> float:
        """The largest coefficient difference (Ha) from ``terms`` (as :meth:`all_terms` gives
        them; a word missing on either side counts as 0): 0 for the same operator, the size of
        the largest flipped or changed coefficient otherwise."""
        mine = self.all_terms()
        words = mine.keys() | terms.keys()
        return max((abs(mine.get(w, 0.0) - float(terms.get(w, 0.0))) for w in words), default=0.0)

    def flipped(self, qubits: Iterable[int]) -> PauliHamiltonian:
        r"""Relabel the computational basis on ``qubits``: :math:`X_q H X_q` flips Y and Z signs."""
        qubits = set(qubits)
        if any(q < 0 or q >= self.n_qubits for q in qubits):
            raise ConfigError(
                f"basis_flips={sorted(qubits)} names a wire outside 0..{self.n_qubits - 1}"
            )
        signs = [(-1) ** sum(w[q] in "YZ" for q in qubits) for w in self.words]
        return PauliHamiltonian.from_terms(
            zip(self.words, self.coefficients * np.array(signs), strict=True),
            self.n_qubits,
            self.shift,
        )

    def sparse_matrix(self, include_shift: bool = True) -> sp.csr_matrix:
        """The :math:`2^n \\times 2^n` matrix (complex CSR). Only for small registers and tests."""
        if self.n_qubits > MAX_QUBITS_EXACT:
            raise ConfigError(
                f"{self.n_qubits} qubits is too many for an exact matrix (at most "
                f"{MAX_QUBITS_EXACT}); choose a smaller active space"
            )
        dim = 2**self.n_qubits
        matrix = sp.csr_matrix((dim, dim), dtype=np.complex128)
        for word, coefficient in self.terms():
            matrix = matrix + coefficient * pauli_word_sparse(word)
        if include_shift and self.shift:
            matrix = matrix + self.shift * sp.identity(dim, dtype=np.complex128, format="csr")
        return matrix.tocsr()

    def diagonal(self) -> np.ndarray:
        r"""Energies :math:`\langle b|H|b\rangle` of all basis states, shift included."""
        index = np.arange(2**self.n_qubits, dtype=np.int64)
        energies = np.full(index.size, self.shift)
        for word, coefficient in self.terms():
            flip, phase, _ = word_masks(word)
            if flip == 0:
                energies += coefficient * pauli_signs(index & phase)
        return energies

    def basis_state_energy(self, bits: Iterable[int]) -> float:
        r"""Energy :math:`\langle b|H|b\rangle` of one basis state given as bits (wire 0 first)."""
        bits = list(bits)
        if len(bits) != self.n_qubits or set(bits) - {0, 1}:
            raise ConfigError(f"basis state {bits} must have {self.n_qubits} bits of 0/1")
        index = int("".join(map(str, bits)), 2) if bits else 0
        energy = self.shift
        for word, coefficient in self.terms():
            flip, phase, _ = word_masks(word)
            if flip == 0:
                energy += coefficient * (1 - 2 * (bin(index & phase).count("1") % 2))
        return float(energy)


def lowest_eigenvalues(matrix: sp.spmatrix, k: int = 2) -> np.ndarray:
    """The ``k`` lowest eigenvalues of a Hermitian sparse matrix (dense below 2^10 rows)."""
    dim = matrix.shape[0]
    k = min(k, dim)
    if dim <= 2**DENSE_DIAGONALISATION_MAX_QUBITS:
        return np.linalg.eigvalsh(matrix.toarray())[:k]
    values = sla.eigsh(matrix, k=k, which="SA", return_eigenvectors=False, tol=1e-12)
    return np.sort(values.real)


# --- Pauli-transfer-matrix conventions -------------------------------------------------------
#
# A state is stored as its Pauli vector r_P = Tr(P ρ) over the 4^n Pauli words P (so that
# ρ = 2^{-n} Σ_P r_P P and ⟨H⟩ = s + Σ_k c_k r_{P_k}). Words are indexed in base 4 with
# I=0, X=1, Y=2, Z=3 and wire 0 the most significant digit. A k-qubit channel Λ acts as
# r'_P = Σ_Q R_{PQ} r_Q with R_{PQ} = Tr(P Λ(Q)) / 2^k, a real 4^k × 4^k matrix.

PAULI_MATRICES = {
    "I": np.eye(2, dtype=complex),
    "X": np.array([[0, 1], [1, 0]], dtype=complex),
    "Y": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "Z": np.array([[1, 0], [0, -1]], dtype=complex),
}


def word_index(word: str) -> int:
    """Index of a Pauli word in a Pauli vector (base 4, I=0 X=1 Y=2 Z=3, wire 0 first)."""
    index = 0
    for letter in word:
        index = 4 * index + PAULI_LETTERS.index(letter)
    return index


def pauli_basis(n_qubits: int) -> np.ndarray:
    """All ``4**n`` Pauli words as matrices, shape ``(4**n, 2**n, 2**n)``, in vector order."""
    basis = np.ones((1, 1, 1), dtype=complex)
    for _ in range(n_qubits):
        single = np.array([PAULI_MATRICES[letter] for letter in PAULI_LETTERS])
        basis = np.einsum("aij,bkl->abikjl", basis, single).reshape(
            basis.shape[0] * 4, basis.shape[1] * 2, basis.shape[2] * 2
        )
    return basis


def ptm_from_kraus(kraus: Iterable[np.ndarray]) -> np.ndarray:
    r"""PTM :math:`R_{PQ} = 2^{-k}\,\mathrm{Tr}\big(P \sum_i K_i Q K_i^\dagger\big)` (real)."""
    kraus = [np.asarray(k, dtype=complex) for k in kraus]
    n_qubits = int(np.log2(kraus[0].shape[0]))
    basis = pauli_basis(n_qubits)
    image = sum(np.einsum("ij,qjk,lk->qil", k, basis, k.conj()) for k in kraus)
    ptm = np.einsum("pji,qij->pq", basis, image) / 2**n_qubits
    if np.abs(ptm.imag).max() > 1e-12:
        raise ConfigError("the Kraus operators do not define a Hermiticity-preserving map")
    return ptm.real


def ptm_from_unitary(unitary: np.ndarray) -> np.ndarray:
    r"""PTM of :math:`\rho \mapsto U \rho U^\dagger`."""
    return ptm_from_kraus([unitary])
