"""Pauli conventions: word matrices against Kronecker products and PennyLane; algebra."""

from __future__ import annotations

import functools

import numpy as np
import pennylane as qml
import pytest

from workbench.errors import ConfigError
from workbench.paulis import PauliHamiltonian, lowest_eigenvalues, pauli_word_sparse

SINGLE = {
    "I": np.eye(2),
    "X": np.array([[0, 1], [1, 0]]),
    "Y": np.array([[0, -1j], [1j, 0]]),
    "Z": np.diag([1, -1]),
}


def random_hamiltonian(rng, n_qubits, n_terms):
    words = ["".join(rng.choice(list("IXYZ"), n_qubits)) for _ in range(n_terms)]
    return PauliHamiltonian.from_terms(
        zip(words, rng.normal(size=n_terms), strict=True), n_qubits, shift=rng.normal()
    )


@pytest.mark.parametrize("word", ["X", "Y", "Z", "XY", "ZY", "IXZ", "YYX", "ZIXY"])
def test_word_matrix_is_kronecker_product_with_wire_zero_most_significant(word):
    expected = functools.reduce(np.kron, [SINGLE[letter] for letter in word])
    np.testing.assert_allclose(pauli_word_sparse(word).toarray(), expected, atol=0)


def test_hamiltonian_matrix_matches_pennylane():
    rng = np.random.default_rng(7)
    hamiltonian = random_hamiltonian(rng, 4, 25)
    ops = [
        qml.pauli.string_to_pauli_word(w, wire_map={q: q for q in range(4)})
        for w in hamiltonian.words
    ]
    reference = qml.dot(list(hamiltonian.coefficients), ops).sparse_matrix(wire_order=range(4))
    reference = reference.toarray() + hamiltonian.shift * np.eye(16)
    np.testing.assert_allclose(hamiltonian.sparse_matrix().toarray(), reference, atol=1e-12)


def test_diagonal_and_basis_state_energy_agree_with_matrix():
    rng = np.random.default_rng(3)
    hamiltonian = random_hamiltonian(rng, 3, 20)
    diagonal = hamiltonian.sparse_matrix().diagonal().real
    np.testing.assert_allclose(hamiltonian.diagonal(), diagonal, atol=1e-12)
    for index in range(8):
        bits = [int(b) for b in np.binary_repr(index, 3)]
        assert hamiltonian.basis_state_energy(bits) == pytest.approx(diagonal[index], abs=1e-12)


def test_from_terms_merges_words_and_folds_identity():
    hamiltonian = PauliHamiltonian.from_terms(
        [("II", 0.5), ("ZI", 1.0), ("ZI", 0.25), ("XX", 1e-15)], 2, shift=-1.0
    )
    assert hamiltonian.words == ("ZI",)
    assert hamiltonian.coefficients.tolist() == [1.25]
    assert hamiltonian.shift == -0.5
    assert hamiltonian.lower_bound == pytest.approx(-1.75)


def test_lower_bound_is_below_every_eigenvalue():
    rng = np.random.default_rng(11)
    for _ in range(5):
        hamiltonian = random_hamiltonian(rng, 3, 12)
        assert hamiltonian.lower_bound <= lowest_eigenvalues(hamiltonian.sparse_matrix(), 1)[0]


def test_basis_flip_keeps_spectrum_and_moves_zero_state():
    rng = np.random.default_rng(5)
    hamiltonian = random_hamiltonian(rng, 3, 15)
    flipped = hamiltonian.flipped([1])
    np.testing.assert_allclose(
        np.linalg.eigvalsh(flipped.sparse_matrix().toarray()),
        np.linalg.eigvalsh(hamiltonian.sparse_matrix().toarray()),
        atol=1e-12,
    )
    assert flipped.basis_state_energy([0, 0, 0]) == pytest.approx(
        hamiltonian.basis_state_energy([0, 1, 0]), abs=1e-12
    )


def test_sparse_eigensolver_path_agrees_with_dense():
    rng = np.random.default_rng(2)
    hamiltonian = random_hamiltonian(rng, 11, 40)
    matrix = hamiltonian.sparse_matrix()
    dense = np.linalg.eigvalsh(matrix.toarray())[:2]
    np.testing.assert_allclose(lowest_eigenvalues(matrix, 2), dense, atol=1e-8)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ([("XQ", 1.0)], "Pauli word 'XQ'"),
        ([("XXX", 1.0)], "expected 2 letters"),
        ([("XX", float("nan"))], "must be finite"),
        ([("XX", 1j)], "real"),
    ],
)
def test_bad_terms_are_rejected(terms, message):
    with pytest.raises(ConfigError, match=message):
        PauliHamiltonian.from_terms(terms, 2)
