r"""Fermionic excitation generators of a problem, in the problem's own qubit basis.

An excitation :math:`T` moves electrons from occupied Hartree–Fock spin-orbitals to virtual ones:
single :math:`T = a_a^\dagger a_i`, double :math:`T = a_a^\dagger a_b^\dagger a_j a_i`
(PennyLane's ``qchem.excitations`` lists, spin-conserving, interleaved labels 2p = α,
2p+1 = β). Its unitary is :math:`U(\theta) = e^{\theta (T - T^\dagger)} = e^{-i\theta G}` with
the Hermitian generator :math:`G = i(T - T^\dagger)`, mapped through the *same*
:class:`~workbench.chem.encoding.QubitEncoding` as the Hamiltonian (mapping, tapering, basis
flips), so UCCSD and ADAPT-VQE work on every preset, tapered ones included.

The Pauli words of one generator commute (checked), so :math:`e^{-i\theta G} =
\prod_k e^{-i\theta c_k P_k}` exactly: a circuit of Pauli rotations sharing one angle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.chem.build import Problem, active_space_encoding
from workbench.errors import ProblemError
from workbench.paulis import PauliHamiltonian, word_masks

POOLS = ("fermionic", "qubit")
"""ADAPT-VQE operator pools: whole fermionic excitations, or their single Pauli words
(qubit-ADAPT, Tang et al. 2021: each word :math:`P` of a mapped generator alone, as
:math:`e^{-i\\theta P}`; the Z strings are kept, so the pool is defined for every mapping)."""


@dataclass(frozen=True, eq=False)
class Excitation:
    """One pool operator: ``label`` (e.g. ``"D(0,1→2,3)"``), spin-orbitals, and the generator
    :math:`G` on the problem's register (real coefficients, commuting words)."""

    label: str
    orbitals: tuple[int, ...]
    generator: PauliHamiltonian


def _commute(a: str, b: str) -> bool:
    xa, za, _ = word_masks(a)
    xb, zb, _ = word_masks(b)
    return (bin(xa & zb).count("1") + bin(za & xb).count("1")) % 2 == 0


def _excitation_operator(orbitals: list[int]):
    from pennylane.fermi import FermiSentence, FermiWord

    half = len(orbitals) // 2
    occupied, virtual = orbitals[:half], orbitals[half:]
    creators = [(v, "+") for v in virtual]
    annihilators = [(o, "-") for o in reversed(occupied)]
    word = FermiWord({(k, orb): op for k, (orb, op) in enumerate(creators + annihilators)})
    return FermiSentence({word: 1j, word.adjoint(): -1j})


_CACHE: dict[str, list[Excitation]] = {}


def excitations(problem: Problem) -> list[Excitation]:
    """Every spin-conserving single and double excitation of ``problem``'s active space from its
    Hartree–Fock determinant, singles first; generators on the problem's register.

    Raises:
        ProblemError: a generator maps to non-commuting words or vanishes (cannot happen for
            the shipped recipes; named rather than compiled wrongly).
    """
    if problem.key in _CACHE:
        return _CACHE[problem.key]
    from pennylane import qchem

    space, _, encoding = active_space_encoding(problem.spec)
    singles, doubles = qchem.excitations(space.n_electrons, 2 * space.n_orbitals)
    found = []
    for orbitals in [*singles, *doubles]:
        half = len(orbitals) // 2
        kind = "S" if half == 1 else "D"
        arrow = ",".join(map(str, orbitals[:half])) + "→" + ",".join(map(str, orbitals[half:]))
        generator = encoding(_excitation_operator(list(orbitals)), problem.n_qubits)
        if generator.n_terms == 0:
            continue  # removed by tapering (acts only on a fixed qubit's sector)
        words = generator.words
        if not all(_commute(a, b) for i, a in enumerate(words) for b in words[i + 1 :]):
            raise ProblemError(f"excitation {kind}({arrow}) maps to non-commuting Pauli words")
        found.append(Excitation(f"{kind}({arrow})", tuple(orbitals), generator))
    _CACHE[problem.key] = found
    return found


def pool(problem: Problem, kind: str = "fermionic") -> list[Excitation]:
    """The ADAPT-VQE pool of ``kind`` (see :data:`POOLS`); qubit words appear once each, with
    generator :math:`P` (coefficient 1)."""
    if kind not in POOLS:
        raise ProblemError(f"pool={kind!r}: expected one of {', '.join(POOLS)}")
    fermionic = excitations(problem)
    if kind == "fermionic":
        return fermionic
    words: dict[str, Excitation] = {}
    for excitation in fermionic:
        for word in excitation.generator.words:
            if word not in words:
                single = PauliHamiltonian(problem.n_qubits, (word,), np.ones(1), 0.0)
                words[word] = Excitation(word, excitation.orbitals, single)
    return list(words.values())
