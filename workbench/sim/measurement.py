r"""Measuring a Hamiltonian: readout error in the measured basis, measurement groups, shot noise.

**Readout.** A term :math:`c\,P` is measured by rotating each qubit of its support into the Z basis
and reading bits. With flip probabilities :math:`p_{01}` (read 1 given 0) and :math:`p_{10}`, the
read value of :math:`Z_q` has mean :math:`a_q\langle Z_q\rangle + b_q` with
:math:`a_q = 1-p_{01}-p_{10}` and :math:`b_q = p_{10}-p_{01}`, independently per qubit, so the
effective observable is :math:`c\prod_{q\in S}(a_q P_q + b_q I)` — X and Y terms included (the
original code let X terms escape readout error).

**Groups.** Terms are grouped greedily (largest |c| first) into qubit-wise commuting sets; each
group is measured in one product basis with ``shots`` shots.

**Shots.** ``"sample"`` draws real outcomes: the outcome distribution of a group's basis comes from
the state (Walsh–Hadamard transform of the Pauli vector, or the rotated state vector), is passed
through each qubit's confusion matrix, and is sampled multinomially. ``"gaussian"`` adds to the
exact value one normal draw per group with the group estimator's variance
:math:`\mathrm{Var}(X_g)/N`, :math:`X_g(m) = \sum_{k\in g} c_k (-1)^{|m\wedge S_k|}`.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.noise import NoiseModel
from workbench.paulis import (
    PauliHamiltonian,
    lowest_eigenvalues,
    pauli_signs,
    word_index,
    word_masks,
)
from workbench.sim.sampling import class_energies

SHOT_NOISE = ("sample", "gaussian")


def readout_observable(hamiltonian: PauliHamiltonian, noise: NoiseModel | None) -> PauliHamiltonian:
    """The observable whose exact expectation is the readout-corrupted measured energy."""
    if noise is None or not noise.has_readout_error:
        return hamiltonian
    n = hamiltonian.n_qubits
    slopes, offsets = zip(
        *[(1 - p01 - p10, p10 - p01) for p01, p10 in map(noise.readout, range(n))], strict=True
    )
    terms: dict[str, float] = {}
    shift = hamiltonian.shift
    for word, coefficient in hamiltonian.terms():
        support = [q for q, letter in enumerate(word) if letter != "I"]
        biased = [q for q in support if offsets[q] != 0.0]
        scale = coefficient * np.prod([slopes[q] for q in support if q not in biased])
        for dropped in itertools.chain.from_iterable(
            itertools.combinations(biased, r) for r in range(len(biased) + 1)
        ):
            value = (
                scale
                * np.prod([offsets[q] for q in dropped])
                * np.prod([slopes[q] for q in biased if q not in dropped])
            )
            reduced = "".join("I" if q in dropped else letter for q, letter in enumerate(word))
            if set(reduced) == {"I"}:
                shift += value
            else:
                terms[reduced] = terms.get(reduced, 0.0) + value
    return PauliHamiltonian.from_terms(terms, n, shift, tolerance=0.0)


def readout_energy_floor(hamiltonian: PauliHamiltonian, noise: NoiseModel | None) -> float:
    r"""The lowest measured energy any state can give under ``noise``'s readout error (Ha).

    Every measured energy is :math:`\mathrm{Tr}(H_{\mathrm{ro}}\,\rho)` with
    :math:`H_{\mathrm{ro}}` the :func:`readout_observable`, so it is bounded below by
    :math:`\lambda_{\min}(H_{\mathrm{ro}})`, whatever the circuit and its gate noise. Without
    readout error this is the exact ground energy :math:`E_0`.
    """
    observable = readout_observable(hamiltonian, noise)
    return float(lowest_eigenvalues(observable.sparse_matrix(), k=1)[0])


@dataclass(frozen=True, eq=False)
class MeasurementGroup:
    """Qubit-wise commuting terms measured together in the product ``basis`` (one letter a wire)."""

    basis: str
    words: tuple[str, ...]
    coefficients: np.ndarray
    signs: np.ndarray  # (n_terms, 2**n): (-1)^{|m & S_k|} for every outcome m
    outcome_values: np.ndarray  # X_g(m) = Σ_k c_k signs[k, m]


def _qubit_wise_commute(word: str, basis: list[str]) -> bool:
    return all(a == "I" or b in ("I", a) for a, b in zip(word, basis, strict=True))


@functools.lru_cache(maxsize=64)
def measurement_groups(hamiltonian: PauliHamiltonian) -> tuple[MeasurementGroup, ...]:
    """Greedy qubit-wise-commuting grouping (largest |c| first); deterministic."""
    n = hamiltonian.n_qubits
    order = sorted(range(hamiltonian.n_terms), key=lambda k: (-abs(hamiltonian.coefficients[k]), k))
    bases: list[list[str]] = []
    members: list[list[int]] = []
    for k in order:
        word = hamiltonian.words[k]
        for basis, group in zip(bases, members, strict=True):
            if _qubit_wise_commute(word, basis):
                basis[:] = [b if a == "I" else a for a, b in zip(word, basis, strict=True)]
                group.append(k)
                break
        else:
            bases.append(list(word))
            members.append([k])
    outcomes = np.arange(2**n)
    groups = []
    for basis, group in zip(bases, members, strict=True):
        words = tuple(hamiltonian.words[k] for k in group)
        coefficients = hamiltonian.coefficients[group]
        supports = [int(np.bitwise_or(*word_masks(w)[:2])) for w in words]  # non-I wires
        signs = np.array([pauli_signs(outcomes & support) for support in supports], dtype=float)
        groups.append(
            MeasurementGroup(
                "".join("Z" if b == "I" else b for b in basis),
                words,
                coefficients,
                signs,
                coefficients @ signs,
            )
        )
    return tuple(groups)


# Dense 2^n x 2^n transforms beat the axis-by-axis loops up to this size (64 MiB at 11 qubits).
DENSE_MAX_QUBITS = 10


@functools.lru_cache(maxsize=256)
def _basis_word_indices(basis: str) -> np.ndarray:
    """Pauli-vector index of every word ``B_T`` (basis letter on the wires of T, I elsewhere)."""
    n = len(basis)
    return np.array(
        [
            word_index("".join(basis[q] if (t >> (n - 1 - q)) & 1 else "I" for q in range(n)))
            for t in range(2**n)
        ],
        dtype=np.int64,
    )


@functools.lru_cache(maxsize=64)
def _stacked_word_indices(bases: tuple[str, ...]) -> np.ndarray:
    """:func:`_basis_word_indices` of every basis, concatenated (looked up once per grouping,
    not per call: ~10 µs at 25 groups)."""
    return np.concatenate([_basis_word_indices(basis) for basis in bases])


@functools.lru_cache(maxsize=8)
def _walsh_hadamard(n: int) -> np.ndarray:
    """``W[t, m] = (-1)^{|m ∧ t|} / 2^n``, symmetric."""
    outcomes = np.arange(2**n)
    return pauli_signs(outcomes[:, None] & outcomes[None, :]) / 2**n


def pauli_vector_distribution(vectors: np.ndarray, basis: str) -> np.ndarray:
    r"""Outcome probabilities ``(batch, 2**n)`` of measuring every wire in ``basis``.

    :math:`p(m) = 2^{-n}\sum_{T} (-1)^{|m\wedge T|}\, r_{B_T}`, with :math:`B_T` the word that
    has the basis letter on the wires of :math:`T` and I elsewhere (a Walsh–Hadamard transform).
    """
    n = len(basis)
    values = vectors[:, _basis_word_indices(basis)]
    if n <= DENSE_MAX_QUBITS:
        return np.clip(values @ _walsh_hadamard(n), 0.0, None)
    values = values.reshape((-1,) + (2,) * n)
    for axis in range(1, n + 1):
        first, second = np.split(values, 2, axis=axis)
        values = np.concatenate([first + second, first - second], axis=axis)
    return np.clip(values.reshape(vectors.shape[0], 2**n) / 2**n, 0.0, None)


def pauli_vector_distributions(vectors: np.ndarray, bases: tuple[str, ...]) -> np.ndarray:
    """:func:`pauli_vector_distribution` for every basis at once, ``(len(bases), batch, 2**n)``:
    one gather and one product for all groups (a measured energy needs tens of groups; one
    call each cost ~18 µs of Python at 4 qubits, more than the arithmetic)."""
    n = len(bases[0])
    if n > DENSE_MAX_QUBITS:
        return np.stack([pauli_vector_distribution(vectors, basis) for basis in bases])
    values = vectors[:, _stacked_word_indices(bases)].reshape(vectors.shape[0], len(bases), 2**n)
    return np.clip(values @ _walsh_hadamard(n), 0.0, None).transpose(1, 0, 2)


def statevector_distribution(states: np.ndarray, basis: str) -> np.ndarray:
    """Outcome probabilities of measuring every wire of the state vectors in ``basis``."""
    n = len(basis)
    hadamard = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
    rotations = {"Z": np.eye(2), "X": hadamard, "Y": hadamard @ np.diag([1, -1j])}
    tensor = states.reshape((-1,) + (2,) * n)
    for q, letter in enumerate(basis):
        if letter != "Z":
            tensor = np.moveaxis(np.tensordot(rotations[letter], tensor, axes=(1, q + 1)), 0, q + 1)
    return np.abs(tensor.reshape(states.shape[0], 2**n)) ** 2


def confusion_matrices(noise: NoiseModel, n: int) -> list[np.ndarray]:
    """Each wire's ``[read, true]`` confusion matrix, wire 0 first."""
    matrices = []
    for q in range(n):
        p01, p10 = noise.readout(q)
        matrices.append(np.array([[1 - p01, p10], [p01, 1 - p10]]))
    return matrices


@functools.lru_cache(maxsize=32)
def _confusion(noise: NoiseModel, n: int) -> np.ndarray:
    """The register's confusion matrix, ``⊗_q C_q`` with wire 0 the most significant bit."""
    return functools.reduce(np.kron, confusion_matrices(noise, n))


def apply_readout(probabilities: np.ndarray, noise: NoiseModel | None) -> np.ndarray:
    """Pass outcome distributions ``(..., 2**n)`` through each wire's confusion matrix."""
    if noise is None or not noise.has_readout_error:
        return probabilities
    n = int(np.log2(probabilities.shape[-1]))
    if n <= DENSE_MAX_QUBITS:
        return probabilities @ _confusion(noise, n).T
    return apply_per_wire(probabilities, confusion_matrices(noise, n))


def apply_per_wire(probabilities: np.ndarray, matrices: Sequence[np.ndarray]) -> np.ndarray:
    """Distributions ``(batch, 2**n)`` through ``⊗_q matrices[q]`` one wire at a time (wire 0
    the most significant bit), never forming the ``2^n × 2^n`` product."""
    n = len(matrices)
    tensor = probabilities.reshape((-1,) + (2,) * n)
    for q, matrix in enumerate(matrices):
        tensor = np.moveaxis(np.tensordot(matrix, tensor, axes=(1, q + 1)), 0, q + 1)
    return tensor.reshape(probabilities.shape)


def shot_noise_energies(
    distributions,
    groups,
    shift: float,
    shots: int,
    rng: np.random.Generator,
    method: str,
    weights=(1.0,),
) -> np.ndarray:
    r"""Energies estimated from ``shots`` shots per group and circuit.

    ``distributions``: ``(G, B, 2**n)`` — each group's outcome distribution for each of B
    parameter sets — or ``(C, G, B, 2**n)`` for C circuits per parameter set whose energies are
    combined as :math:`\sum_c w_c E_c` (``weights``, one per circuit; zero-noise extrapolation,
    where :math:`\sum_c w_c = 1`). Draws go parameter set by parameter set, then circuit, then
    group (:mod:`workbench.sim.sampling`), so a batch draws what one call per set draws.
    Outcomes with the same value :math:`X_g(m)` are merged before the draw
    (:func:`_value_classes`): the estimator depends on the counts per value only, so its
    distribution is unchanged, and a group of a few terms needs a few binomial draws, not
    :math:`2^n - 1`. ``"gaussian"`` draws one normal per set, circuit and group instead.
    """
    probabilities = np.asarray(distributions)
    probabilities = probabilities[None] if probabilities.ndim == 3 else probabilities
    weights = np.asarray(weights, dtype=float)
    if method == "gaussian":
        probabilities = probabilities / probabilities.sum(axis=3, keepdims=True)
        values = np.stack([group.outcome_values for group in groups])  # (G, 2**n)
        mean = np.einsum("cgbm,gm->bcg", probabilities, values)
        variance = np.einsum("cgbm,gm->bcg", probabilities, values**2) - mean**2
        noise = rng.normal(size=mean.shape) * np.sqrt(np.maximum(variance, 0) / shots)
        return shift + np.einsum("bcg,c->b", mean + noise, weights)
    class_of, values = _value_classes(tuple(groups))
    return shift + class_energies(probabilities, class_of, values, weights, shots, rng)


@functools.lru_cache(maxsize=64)
def _value_classes(groups: tuple[MeasurementGroup, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Per group, each outcome's class among the group's distinct values :math:`X_g(m)`
    ``(G, 2**n)`` and those values ``(G, K)``, padded to the largest K with empty classes last
    (a multinomial draw stops at the first class after the shots run out)."""
    classes = [np.unique(g.outcome_values, return_inverse=True) for g in groups]
    width = max(len(distinct) for distinct, _ in classes)
    class_of = np.stack([inverse.astype(np.int64) for _, inverse in classes])
    values = np.zeros((len(groups), width))
    for g, (distinct, _) in enumerate(classes):
        values[g, : len(distinct)] = distinct
    return class_of, values
