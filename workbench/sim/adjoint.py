r"""Compiled noiseless path: state-vector energies and exact adjoint gradients (numba).

Circuits of RX/RY/RZ/CNOT/X gates (the agent's gate set plus the Hartree–Fock preparation) are
run by one numba call per parameter set, without Python-level gate loops. Wire 0 is the most
significant bit; :math:`R_P(\theta) = e^{-i\theta P/2}`.

**Energy.** With the flip-mask form of :mod:`workbench.sim.statevector`,
:math:`(H\psi)_c = \sum_f D_f(c\oplus f)\,\psi_{c\oplus f}` and
:math:`E = s + \mathrm{Re}\langle\psi|H\psi\rangle`.

**Adjoint gradient** (Jones & Gacon 2020): with :math:`|\psi_k\rangle` the state after gate
:math:`k` and :math:`\langle\lambda_k| = \langle\psi|H\,U_N\cdots U_{k+1}`, a rotation
:math:`U_k = e^{-i\theta_k P/2}` gives

.. math::
    \frac{\partial E}{\partial\theta_k} = 2\,\mathrm{Re}\,\langle\lambda_k|\,(-\tfrac{i}{2}P)\,
    |\psi_k\rangle = \mathrm{Im}\,\langle\lambda_k|P|\psi_k\rangle .

Walking back from :math:`k=N`, :math:`|\psi_{k-1}\rangle = U_k^\dagger|\psi_k\rangle` and
:math:`|\lambda_{k-1}\rangle = U_k^\dagger|\lambda_k\rangle`: one forward pass, one
:math:`H\psi`, and two backward passes give every derivative exactly (three state vectors of
memory), against :math:`2P` circuit runs for the parameter-shift rule.
"""

from __future__ import annotations

import functools

import numba
import numpy as np

from workbench.paulis import PauliHamiltonian
from workbench.sim.circuit import Circuit
from workbench.sim.statevector import flip_diagonals

CODES = {"RX": 0, "RY": 1, "RZ": 2, "CNOT": 3, "X": 4}
"""Gates the compiled path runs; any other gate sends a circuit to the numpy path."""


def supported(circuit: Circuit) -> bool:
    return all(op.gate in CODES for op in circuit.operations)


@functools.lru_cache(maxsize=4096)
def compile_ops(circuit: Circuit) -> np.ndarray:
    """``(n_ops, 4)`` int64 rows ``(code, wire0, wire1 or -1, parameter index or -1)``."""
    rows = [
        (CODES[op.gate], op.wires[0], op.wires[1] if len(op.wires) > 1 else -1, p)
        for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True)
    ]
    return np.array(rows, dtype=np.int64).reshape(-1, 4)


@functools.lru_cache(maxsize=64)
def compile_hamiltonian(hamiltonian: PauliHamiltonian) -> tuple[np.ndarray, np.ndarray, float]:
    """Flip masks ``(n_flips,)``, diagonals ``(n_flips, 2**n)`` and the constant shift."""
    pairs = flip_diagonals(hamiltonian)
    flips = np.array([f for f, _ in pairs], dtype=np.int64)
    diagonals = np.array([d for _, d in pairs], dtype=np.complex128).reshape(len(pairs), -1)
    return flips, diagonals, float(hamiltonian.shift)


@numba.njit(cache=True)
def _apply(state, n, code, w0, w1, theta):
    """Apply one gate in place; ``theta`` is ignored by fixed gates (pass −θ to invert)."""
    dim = state.size
    bit = 1 << (n - 1 - w0)
    if code == 3:  # CNOT(w0 → w1): swap the target pair where the control is 1
        target = 1 << (n - 1 - w1)
        for i in range(dim):
            if (i & bit) and not (i & target):
                j = i | target
                state[i], state[j] = state[j], state[i]
        return
    c, s = np.cos(theta / 2), np.sin(theta / 2)
    for i in range(dim):
        if i & bit:
            continue
        j = i | bit
        a, b = state[i], state[j]
        if code == 0:
            state[i], state[j] = c * a - 1j * s * b, c * b - 1j * s * a
        elif code == 1:
            state[i], state[j] = c * a - s * b, c * b + s * a
        elif code == 2:
            state[i], state[j] = (c - 1j * s) * a, (c + 1j * s) * b
        else:  # X
            state[i], state[j] = b, a


@numba.njit(cache=True)
def _forward(ops, params, n, initial):
    state = initial.copy()
    for k in range(ops.shape[0]):
        p = ops[k, 3]
        _apply(state, n, ops[k, 0], ops[k, 1], ops[k, 2], params[p] if p >= 0 else 0.0)
    return state


@numba.njit(cache=True)
def _apply_hamiltonian(state, flips, diagonals):
    out = np.zeros_like(state)
    for f in range(flips.size):
        flip = flips[f]
        for c in range(state.size):
            out[c] += diagonals[f, c ^ flip] * state[c ^ flip]
    return out


@numba.njit(cache=True)
def _expectation(state, h_state, shift):
    return shift + np.real(np.vdot(state, h_state))


@numba.njit(cache=True)
def _generator_overlap(bra, ket, n, code, wire):
    r""":math:`\mathrm{Im}\langle\text{bra}|P|\text{ket}\rangle` for the rotation's Pauli P."""
    bit = 1 << (n - 1 - wire)
    total = 0.0 + 0.0j
    for i in range(ket.size):
        if i & bit:
            continue
        j = i | bit
        if code == 0:  # X swaps the pair
            total += np.conj(bra[i]) * ket[j] + np.conj(bra[j]) * ket[i]
        elif code == 1:  # Y|0> = i|1>, Y|1> = -i|0>
            total += np.conj(bra[i]) * (-1j) * ket[j] + np.conj(bra[j]) * 1j * ket[i]
        else:  # Z
            total += np.conj(bra[i]) * ket[i] - np.conj(bra[j]) * ket[j]
    return total.imag


@numba.njit(cache=True)
def _energy_batch(ops, params, n, initial, flips, diagonals, shift):
    out = np.empty(params.shape[0])
    for b in range(params.shape[0]):
        state = _forward(ops, params[b], n, initial)
        out[b] = _expectation(state, _apply_hamiltonian(state, flips, diagonals), shift)
    return out


@numba.njit(cache=True)
def _energy_gradient(ops, params, n, initial, flips, diagonals, shift):
    state = _forward(ops, params, n, initial)
    lam = _apply_hamiltonian(state, flips, diagonals)
    energy = _expectation(state, lam, shift)
    gradient = np.zeros(params.size)
    for k in range(ops.shape[0] - 1, -1, -1):
        code, w0, w1, p = ops[k, 0], ops[k, 1], ops[k, 2], ops[k, 3]
        theta = params[p] if p >= 0 else 0.0
        if p >= 0:
            gradient[p] = _generator_overlap(lam, state, n, code, w0)
        _apply(state, n, code, w0, w1, -theta)
        _apply(lam, n, code, w0, w1, -theta)
    return energy, gradient


def _initial(n: int) -> np.ndarray:
    state = np.zeros(2**n, dtype=np.complex128)
    state[0] = 1.0
    return state


class CompiledCircuit:
    """One circuit and Hamiltonian compiled for repeated single evaluations: the gate rows,
    the Hamiltonian's flips and diagonals and the initial state built once."""

    def __init__(self, circuit: Circuit, hamiltonian: PauliHamiltonian) -> None:
        self.flips, self.diagonals, self.shift = compile_hamiltonian(hamiltonian)
        self.n, self.ops = circuit.n_qubits, compile_ops(circuit)
        self.initial = _initial(self.n)

    def energy(self, params: np.ndarray) -> float:
        return float(_energy_batch(self.ops, params[None, :], self.n, self.initial, self.flips,
                                   self.diagonals, self.shift)[0])  # fmt: skip

    def energy_and_gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        energy, gradient = _energy_gradient(
            self.ops, params, self.n, self.initial, self.flips, self.diagonals, self.shift
        )
        return float(energy), gradient


def energies(circuit: Circuit, params: np.ndarray, hamiltonian: PauliHamiltonian) -> np.ndarray:
    """Exact energies (Ha) for each row of ``params`` ``(batch, n_params)``, validated."""
    flips, diagonals, shift = compile_hamiltonian(hamiltonian)
    n = circuit.n_qubits
    return _energy_batch(compile_ops(circuit), params, n, _initial(n), flips, diagonals, shift)


def energy_and_gradient(
    circuit: Circuit, params: np.ndarray, hamiltonian: PauliHamiltonian
) -> tuple[float, np.ndarray]:
    """The exact energy (Ha) and its gradient (Ha/rad) at one parameter set ``(n_params,)``."""
    flips, diagonals, shift = compile_hamiltonian(hamiltonian)
    n = circuit.n_qubits
    params = np.ascontiguousarray(params, dtype=np.float64)
    energy, gradient = _energy_gradient(
        compile_ops(circuit), params, n, _initial(n), flips, diagonals, shift
    )
    return float(energy), gradient
