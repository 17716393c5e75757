r"""A matrix-product-state warm start: a small-bond-dimension approximation of a Hamiltonian's
ground state, turned into a circuit in the workbench's gate set (TensorRL-QAS's idea, NeurIPS
2025).

**The state.** :math:`|\psi\rangle = \sum_s B^{(0)}_{s_0} B^{(1)}_{s_1}\cdots B^{(n-1)}_{s_{n-1}}
|s_0\dots s_{n-1}\rangle`, wire 0 first (the most significant bit, as everywhere in the
workbench), tensors :math:`B^{(i)}` of shape :math:`(\chi_i, 2, \chi_{i+1})` with
:math:`\chi_i = \min(2^i, 2^{n-i}, \chi)`.

**The optimisation** is one-site DMRG with exact environments: the state is contracted densely
(:math:`2^n` amplitudes — this workbench diagonalises registers up to 18 qubits, so the dense
environments are exact and cheap), each site's tensor is replaced by the lowest eigenvector of
the projected Hamiltonian :math:`P^T H P` (P: the map from the site's tensor to the state, an
isometry in mixed-canonical form), sweeping left and right until the energy changes by less than
``tolerance``. The variational problem is the one DMRG solves; no MPO is built.

**The circuit.** In right-canonical form every :math:`B^{(i)}` (:math:`i \ge 1`) is an isometry
from the bond into (physical, next bond), so with :math:`\chi \le 2` a bond fits on one qubit and
the state is prepared from :math:`|0\dots0\rangle` by a staircase: a two-qubit unitary on wires
(0, 1) whose first column is :math:`B^{(0)}`, then on each (i, i+1) the unitary completing
:math:`|b\rangle|0\rangle \mapsto \sum_{s,c} B^{(i)}_{b s c}|s\rangle|c\rangle`, last a one-qubit
unitary on wire n−1. Each unitary is compiled to RZ/RY/RZ rotations and at most three CNOTs
(PennyLane's ``two_qubit_decomposition``, one-qubit parts as ZYZ Euler angles; four where that
decomposition is not accurate to 1e-10, see :func:`_two_qubit_ops`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from workbench.errors import ConfigError
from workbench.paulis import PauliHamiltonian
from workbench.sim.circuit import GATES, Circuit

MAX_CIRCUIT_BOND = 2
"""A bond of dimension 2 is carried by one qubit: the largest bond the staircase can prepare."""


@dataclass(frozen=True)
class MatrixProductState:
    """Right-canonical tensors ``(χ_left, 2, χ_right)`` (wire 0 first, the first one normalised)
    and the state's energy (Ha)."""

    tensors: tuple[np.ndarray, ...]
    energy: float

    def vector(self) -> np.ndarray:
        """The :math:`2^n` amplitudes, wire 0 the most significant bit."""
        return _contract(self.tensors)[:, 0]

    def circuit(self) -> tuple[Circuit, np.ndarray]:
        """The staircase preparing this state from :math:`|0\\dots0\\rangle` (see the module
        doc): the circuit and its angles (rad)."""
        n = len(self.tensors)
        if max(t.shape[2] for t in self.tensors) > MAX_CIRCUIT_BOND:
            raise ConfigError(f"a circuit needs bond dimension <= {MAX_CIRCUIT_BOND}")
        if n == 1:
            return _compiled([(_completed(self.tensors[0][0, :, :1]), (0,))], 1)
        blocks = [(_completed(_padded(self.tensors[0][0]).reshape(4, 1)), (0, 1))]
        for i in range(1, n - 1):
            tensor = self.tensors[i]  # |b>|0> -> sum_{s,c} B[b,s,c] |s>|c>
            columns = np.zeros((4, tensor.shape[0]))
            for b in range(tensor.shape[0]):
                columns[:, b] = _padded(tensor[b]).reshape(4)
            blocks.append((_completed(columns, stride=2), (i, i + 1)))
        last = self.tensors[-1][:, :, 0].T  # (2, χ): |b> -> sum_s B[b,s] |s>
        blocks.append((_completed(last), (n - 1,)))
        return _compiled(blocks, n)


def _padded(matrix: np.ndarray) -> np.ndarray:
    """A ``(2, χ)`` block with χ < 2 padded to ``(2, 2)`` (the unused bond level stays 0)."""
    out = np.zeros((2, 2))
    out[:, : matrix.shape[1]] = matrix
    return out


def _completed(columns: np.ndarray, stride: int = 1) -> np.ndarray:
    """A real orthogonal matrix whose columns ``0, stride, 2·stride, …`` are ``columns`` (which
    are orthonormal); the other columns complete the basis."""
    dim = columns.shape[0]
    chosen = [k * stride for k in range(columns.shape[1])]
    others = [k for k in range(dim) if k not in chosen]
    # QR of [columns | identity] keeps span(columns) first; fix signs so they are reproduced
    q, r = np.linalg.qr(np.hstack([columns, np.eye(dim)]))
    q = q[:, :dim] * np.sign(np.diag(r)[:dim] + (np.diag(r)[:dim] == 0))
    unitary = np.zeros((dim, dim))
    unitary[:, chosen] = columns
    unitary[:, others] = q[:, columns.shape[1] :]
    return unitary


def _compiled(blocks, n_qubits: int) -> tuple[Circuit, np.ndarray]:
    """Unitaries on wires, in order, as RZ/RY/RZ rotations and CNOTs."""
    import pennylane as qml  # ~2 s: only where a warm start is built

    gates, angles = [], []

    def rotations(matrix, wire):
        for op in qml.ops.one_qubit_decomposition(matrix, wire, rotations="ZYZ"):
            gates.append((op.name, wire))
            angles.append(float(op.parameters[0]))

    for unitary, wires in blocks:
        if len(wires) == 1:
            rotations(unitary, wires[0])
            continue
        for op in _two_qubit_ops(qml, unitary, list(wires)):
            if op.name == "CNOT":
                gates.append(("CNOT", *op.wires.tolist()))
            elif op.name in ("RZ", "RY", "RX"):
                gates.append((op.name, op.wires.tolist()[0]))
                angles.append(float(op.parameters[0]))
            elif op.name == "QubitUnitary":
                rotations(np.asarray(op.parameters[0]), op.wires.tolist()[0])
            elif op.name != "GlobalPhase":
                raise ConfigError(f"unexpected gate {op.name} in a two-qubit decomposition")
    return Circuit.from_gates(n_qubits, gates), np.asarray(angles)


def _two_qubit_ops(qml, unitary: np.ndarray, wires: list[int]) -> list:
    """PennyLane's decomposition of ``unitary``, checked. It picks the CNOT count by a tolerance
    and, for a block close to (but not) a product, can return one that is far off (seen on
    N2-12q); its angles are also only accurate to ~1e-10-1e-8. So the block is also decomposed
    after a CNOT, ``U = (U·CNOT)·CNOT`` (one more CNOT); the plain one is kept when it is
    accurate to 1e-10, else the more accurate, if the product of its gates equals ``U`` to 1e-8
    (up to a phase)."""
    found = []
    for dressed in (False, True):
        target = unitary @ GATES["CNOT"].unitary() if dressed else unitary
        ops = [qml.CNOT([0, 1])] * dressed + list(qml.ops.two_qubit_decomposition(target, [0, 1]))
        product = qml.matrix(qml.tape.QuantumScript(ops), wire_order=[0, 1])
        overlap = np.vdot(product.ravel(), unitary.ravel())
        found.append((np.abs(product * overlap / abs(overlap) - unitary).max(), ops))
        if found[0][0] <= 1e-10:  # the plain one is accurate: fewer CNOTs, no second try
            break
    error, ops = min(found, key=lambda f: f[0])
    if error > 1e-8:
        raise ConfigError(f"a two-qubit block of the MPS circuit compiles only to {error:.1e}")
    return [op.map_wires({0: wires[0], 1: wires[1]}) for op in ops]


def _contract(tensors) -> np.ndarray:
    """The tensors contracted left to right: ``(2^n, χ_last)``."""
    state = np.ones((1, 1))
    for tensor in tensors:
        state = np.einsum("pa,asb->psb", state, tensor).reshape(-1, tensor.shape[2])
    return state


@functools.lru_cache(maxsize=16)
def ground_state_mps(hamiltonian: PauliHamiltonian, bond_dimension: int = 2, sweeps: int = 30,
                     tolerance: float = 1e-10, seed: int = 0) -> MatrixProductState:  # fmt: skip
    """The lowest-energy MPS of ``bond_dimension`` found by one-site DMRG sweeps (module doc)
    from two starts — the basis state of lowest diagonal energy (for a molecule, Hartree–Fock)
    slightly perturbed, and a random state (``seed``) — keeping the lower; cached."""
    if isinstance(bond_dimension, bool) or not isinstance(bond_dimension, int) \
            or bond_dimension < 1:  # fmt: skip
        raise ConfigError(f"bond_dimension={bond_dimension!r}: expected an integer >= 1")
    n = hamiltonian.n_qubits
    matrix = hamiltonian.sparse_matrix().real.tocsr()
    bonds = [min(2**i, 2 ** (n - i), bond_dimension) for i in range(n + 1)]
    rng = np.random.default_rng(seed)
    lowest = int(np.argmin(matrix.diagonal()))
    product = []
    for i in range(n):
        tensor = 0.05 * rng.normal(size=(bonds[i], 2, bonds[i + 1]))
        tensor[0, (lowest >> (n - 1 - i)) & 1, 0] = 1.0
        product.append(tensor)
    random = [rng.normal(size=(bonds[i], 2, bonds[i + 1])) for i in range(n)]
    found = [_sweep(matrix, start, sweeps, tolerance) for start in (product, random)]
    return min(found, key=lambda state: state.energy)


def truncated_mps(vector: np.ndarray, bond_dimension: int) -> list[np.ndarray]:
    """The MPS of ``vector`` (:math:`2^n` amplitudes, wire 0 first) cut to ``bond_dimension``
    by successive SVDs from the left, keeping the largest singular values (left-canonical
    tensors, the norm in the last). A diagnostic start for :func:`refined_mps`: it needs the
    state it approximates."""
    n = int(np.log2(vector.size))
    tensors, rest, left = [], np.asarray(vector, dtype=float).reshape(1, -1), 1
    for _ in range(n - 1):
        u, s, vt = np.linalg.svd(rest.reshape(2 * left, -1), full_matrices=False)
        keep = min(bond_dimension, s.size)
        tensors.append(u[:, :keep].reshape(left, 2, keep))
        rest, left = s[:keep, None] * vt[:keep], keep
    return [*tensors, rest.reshape(left, 2, 1)]


def refined_mps(hamiltonian: PauliHamiltonian, tensors: list[np.ndarray], sweeps: int = 30,
                tolerance: float = 1e-10) -> MatrixProductState:  # fmt: skip
    """One-site DMRG sweeps (module doc) from the given tensors (any gauge; the bonds stay)."""
    matrix = hamiltonian.sparse_matrix().real.tocsr()
    return _sweep(matrix, [np.array(t, dtype=float) for t in tensors], sweeps, tolerance)


def _sweep(matrix, tensors: list, sweeps: int, tolerance: float) -> MatrixProductState:
    """One-site DMRG from ``tensors`` until the energy changes by less than ``tolerance``."""
    n = len(tensors)
    for i in range(n - 1, 0, -1):  # right-canonical: the centre at site 0
        tensors[i - 1], tensors[i] = _shift_left(tensors[i - 1], tensors[i])
    energy = np.inf
    for _ in range(sweeps):
        for i in range(n - 1):  # centre moving right
            tensors[i] = _local_ground_state(matrix, tensors, i)
            tensors[i], tensors[i + 1] = _shift_right(tensors[i], tensors[i + 1])
        for i in range(n - 1, 0, -1):  # and back
            tensors[i] = _local_ground_state(matrix, tensors, i)
            tensors[i - 1], tensors[i] = _shift_left(tensors[i - 1], tensors[i])
        previous, energy = energy, _energy(matrix, tensors)
        if abs(previous - energy) < tolerance:
            break
    tensors[0] = tensors[0] / np.linalg.norm(tensors[0])
    return MatrixProductState(tuple(tensors), _energy(matrix, tensors))


def _energy(matrix, tensors) -> float:
    vector = _contract(tensors)[:, 0]
    return float(vector @ (matrix @ vector) / (vector @ vector))


def _right(tensors) -> np.ndarray:
    """The tensors contracted right to left: ``(χ_first, 2^m)``, the first wire most
    significant (orthonormal rows for right-canonical tensors)."""
    state = np.ones((1, 1))
    for tensor in reversed(tensors):
        state = np.einsum("asb,br->asr", tensor, state).reshape(tensor.shape[0], -1)
    return state


def _local_ground_state(matrix, tensors, i: int) -> np.ndarray:
    """The site tensor minimising the energy with the others fixed. With the sites left of i
    left-canonical and those right of it right-canonical, the map from the site tensor to the
    state is an isometry, so this is an ordinary eigenproblem of size χ·2·χ."""
    left, right = _contract(tensors[:i]), _right(tensors[i + 1 :])
    chi_left, chi_right = tensors[i].shape[0], tensors[i].shape[2]
    basis = np.stack(
        [np.kron(np.kron(left[:, a], np.eye(2)[s]), right[b])
         for a in range(chi_left) for s in range(2) for b in range(chi_right)],
        axis=1,
    )  # fmt: skip
    effective = basis.T @ (matrix @ basis)
    _, vectors = np.linalg.eigh((effective + effective.T) / 2)
    return vectors[:, 0].reshape(chi_left, 2, chi_right)


def _shift_right(site: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make ``site`` left-canonical, pushing its non-isometric part into ``right``."""
    chi_l, _, chi_r = site.shape
    q, r = np.linalg.qr(site.reshape(2 * chi_l, chi_r))
    return q.reshape(chi_l, 2, -1), np.einsum("ab,bsc->asc", r, right)


def _shift_left(left: np.ndarray, site: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Make ``site`` right-canonical, pushing its non-isometric part into ``left``."""
    chi_l, _, chi_r = site.shape
    q, r = np.linalg.qr(site.reshape(chi_l, 2 * chi_r).T)
    return np.einsum("asb,bc->asc", left, r.T), q.T.reshape(-1, 2, chi_r)
