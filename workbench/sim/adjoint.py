r"""Compiled noiseless path: state-vector energies and exact adjoint gradients (numba).

Circuits of RX/RY/RZ/CNOT/X gates (the agent's gate set plus the Hartree–Fock preparation) are
run by one numba call per parameter set, without Python-level gate loops. Wire 0 is the most
significant bit; :math:`R_P(\theta) = e^{-i\theta P/2}`.

**Energy.** :math:`E = s + \mathrm{Re}\langle\psi|(H-s)\psi\rangle` with :math:`H-s` a sparse
matrix built from the flip-mask form of :mod:`workbench.sim.statevector`:
:math:`((H-s)\psi)_c = \sum_f D_f(c\oplus f)\,\psi_{c\oplus f}`, i.e. row :math:`c` holds
:math:`D_f(c\oplus f)` in column :math:`c\oplus f`, entries that cancel exactly dropped. A
molecular Hamiltonian keeps about a third of the :math:`n_f 2^n` flip entries (h2o-12q: 230 000
of 640 000), and its entries are real.

**Adjoint gradient** (Jones & Gacon 2020): with :math:`|\psi_k\rangle` the state after gate
:math:`k` and :math:`\langle\lambda_k| = \langle\psi|H\,U_N\cdots U_{k+1}`, a rotation
:math:`U_k = e^{-i\theta_k P/2}` gives

.. math::
    \frac{\partial E}{\partial\theta_k} = 2\,\mathrm{Re}\,\langle\lambda_k|\,(-\tfrac{i}{2}P)\,
    |\psi_k\rangle = \mathrm{Im}\,\langle\lambda_k|P|\psi_k\rangle .

Walking back from :math:`k=N`, :math:`|\psi_{k-1}\rangle = U_k^\dagger|\psi_k\rangle` and
:math:`|\lambda_{k-1}\rangle = U_k^\dagger|\lambda_k\rangle`: one forward pass, one
:math:`H\psi`, and two backward passes give every derivative exactly (three state vectors of
memory), against :math:`2P` circuit runs for the parameter-shift rule. The walk starts from
:math:`(H-s)|\psi\rangle`: the shift adds :math:`s\,\mathrm{Im}\langle\psi_k|P|\psi_k\rangle = 0`.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numba
import numpy as np
import scipy.sparse as sp

from workbench.paulis import PauliHamiltonian
from workbench.sim.circuit import Circuit
from workbench.sim.statevector import flip_diagonals

CODES = {"RX": 0, "RY": 1, "RZ": 2, "CNOT": 3, "X": 4}
"""Gates the compiled path runs; any other gate sends a circuit to the numpy path."""


class SparseHamiltonian(NamedTuple):
    """CSR rows of :math:`H - s` (``indptr``, ``indices``; values split into ``real`` and
    ``imag``, ``imag`` empty for a real matrix — every molecular Hamiltonian) and the shift
    :math:`s`; a tuple so that it unpacks into the kernels' arguments."""

    indptr: np.ndarray
    indices: np.ndarray
    real: np.ndarray
    imag: np.ndarray
    shift: float


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
def compile_hamiltonian(hamiltonian: PauliHamiltonian) -> SparseHamiltonian:
    """The Hamiltonian less its shift as CSR rows (module doc), from the flip-mask form."""
    pairs = flip_diagonals(hamiltonian)
    dim = 2**hamiltonian.n_qubits
    index = np.arange(dim, dtype=np.int64)
    flips = [f for f, _ in pairs]
    rows = np.tile(index, len(flips))
    columns = np.concatenate([index ^ f for f in flips]) if flips else index[:0]
    values = np.concatenate([d[index ^ f] for f, d in pairs]) if pairs else np.zeros(0, complex)
    keep = values != 0  # exact cancellations (e.g. XX + YY on equal bits) leave no entry
    matrix = sp.csr_matrix((values[keep], (rows[keep], columns[keep])), shape=(dim, dim))
    matrix.sort_indices()  # a fixed summation order in every row
    imaginary = bool(np.any(matrix.data.imag))
    return SparseHamiltonian(
        matrix.indptr.astype(np.int64),
        matrix.indices.astype(np.int64),
        np.ascontiguousarray(matrix.data.real),
        np.ascontiguousarray(matrix.data.imag) if imaginary else np.zeros(0),
        float(hamiltonian.shift),
    )


# Kernels work on the interleaved (re, im) float64 view of a complex state, amplitude c at
# floats 2c and 2c+1, with unsigned indices: real arithmetic over contiguous runs, which LLVM
# vectorises (complex numbers and signed indices kept every gate scalar, ~2.5x slower at 12
# qubits). The loops pair amplitude c (the wire's bit 0) with c + bit over blocks of 2·bit
# amplitudes, 4·bit floats.
_U0, _U1, _U2, _U4 = np.uint64(0), np.uint64(1), np.uint64(2), np.uint64(4)


@numba.njit(cache=True)
def _rotate(f, bit, code, c, s):
    """RX/RY/RZ (codes 0/1/2, cos and sin of θ/2) or X (code 4) on the wire of ``bit``."""
    if code == 0:
        _rotate_pairs(f, bit, c, s, _rx_pair)
        return
    if code == 2:
        _rotate_pairs(f, bit, c, s, _rz_pair)
        return
    for start in range(_U0, np.uint64(f.size), _U4 * bit):  # floats
        a, b = start, start + _U2 * bit  # the blocks with the wire's bit 0 and 1 (floats)
        if code == 1:  # RY is real: the same on real and imaginary parts
            for t in range(_U2 * bit):
                x, y = f[a + t], f[b + t]
                f[a + t], f[b + t] = c * x - s * y, c * y + s * x
        else:  # X swaps the blocks
            for t in range(_U2 * bit):
                f[a + t], f[b + t] = f[b + t], f[a + t]


@numba.njit(cache=True, inline="always")
def _rotate_pairs(f, bit, c, s, rotate):
    """One state's amplitude pairs (wire bit 0, 1) through the gate's pair rotation."""
    for start in range(_U0, np.uint64(f.size), _U4 * bit):  # floats
        for i in range(start, start + _U2 * bit, _U2):
            j = i + _U2 * bit
            f[i], f[i + _U1], f[j], f[j + _U1] = rotate(f[i], f[i + _U1], f[j], f[j + _U1], c, s)


@numba.njit(cache=True)
def _cnot(f, control, target):
    """Swap the target's pairs where the control bit is 1: runs of ``min(bits)`` amplitudes
    with both bits fixed, in blocks of the higher bit."""
    high, low = max(control, target), min(control, target)
    for outer in range(_U0, np.uint64(f.size) // _U2, _U2 * high):
        for inner in range(outer, outer + high, _U2 * low):
            a = _U2 * (inner + control)
            b = a + _U2 * target
            for t in range(_U2 * low):
                f[a + t], f[b + t] = f[b + t], f[a + t]


@numba.njit(cache=True)
def _apply(f, n, code, w0, w1, theta):
    """Apply one gate in place; ``theta`` is ignored by fixed gates (pass −θ to invert)."""
    bit = _U1 << np.uint64(n - 1 - w0)
    if code == 3:  # CNOT(w0 → w1)
        _cnot(f, bit, _U1 << np.uint64(n - 1 - w1))
    else:
        _rotate(f, bit, code, np.cos(theta / 2), np.sin(theta / 2))


@numba.njit(cache=True)
def _forward(ops, params, n, initial):
    state = initial.copy()
    for k in range(ops.shape[0]):
        p = ops[k, 3]
        _apply(state, n, ops[k, 0], ops[k, 1], ops[k, 2], params[p] if p >= 0 else 0.0)
    return state


@numba.njit(cache=True)
def _apply_hamiltonian(f, indptr, indices, real, imag):
    r""":math:`H\psi` (shift excluded) from CSR rows, in each row's column order."""
    out = np.empty_like(f)
    for r in range(indptr.size - 1):
        x, y = 0.0, 0.0
        for k in range(indptr[r], indptr[r + 1]):
            j = _U2 * np.uint64(indices[k])
            x += real[k] * f[j]
            y += real[k] * f[j + _U1]
            if imag.size:
                x -= imag[k] * f[j + _U1]
                y += imag[k] * f[j]
        out[2 * r], out[2 * r + 1] = x, y
    return out


@numba.njit(cache=True)
def _expectation(f, h_f, shift):
    total = shift
    for i in range(f.size):  # Re<ψ|Hψ>: the dot product of the float views
        total += f[i] * h_f[i]
    return total


@numba.njit(cache=True)
def _unrotate_both(g, f, n, code, wire, theta):
    r"""One backward step of a rotation :math:`R_P(\theta)`, in one pass over both states:
    returns :math:`\mathrm{Im}\langle g|P|f\rangle` and applies :math:`R_P(-\theta)` to ``g``
    and ``f``. Fused, the step reads each amplitude once instead of three times (the overlap,
    then one un-rotation per state); the gate kind is chosen outside the loop, so that each loop
    is straight-line arithmetic."""
    bit = _U1 << np.uint64(n - 1 - wire)
    c, s = np.cos(-theta / 2), np.sin(-theta / 2)
    if code == 0:
        return _unrotate_pairs(g, f, bit, c, s, _rx_pair, _x_overlap)
    if code == 1:
        return _unrotate_pairs(g, f, bit, c, s, _ry_pair, _y_overlap)
    return _unrotate_pairs(g, f, bit, c, s, _rz_pair, _z_overlap)


@numba.njit(cache=True, inline="always")
def _unrotate_pairs(g, f, bit, c, s, rotate, overlap):
    """The loop of :func:`_unrotate_both` over amplitude pairs (wire bit 0, 1), with the
    gate's pair rotation and generator overlap (compiled once per gate kind)."""
    total = 0.0
    for start in range(_U0, np.uint64(f.size), _U4 * bit):  # floats
        for i in range(start, start + _U2 * bit, _U2):
            j = i + _U2 * bit
            gar, gai, gbr, gbi = g[i], g[i + _U1], g[j], g[j + _U1]
            far, fai, fbr, fbi = f[i], f[i + _U1], f[j], f[j + _U1]
            total += overlap(gar, gai, gbr, gbi, far, fai, fbr, fbi)
            g[i], g[i + _U1], g[j], g[j + _U1] = rotate(gar, gai, gbr, gbi, c, s)
            f[i], f[i + _U1], f[j], f[j + _U1] = rotate(far, fai, fbr, fbi, c, s)
    return total


# Pair rotations (α = ar + i ai on the wire's 0, β on its 1; c, s of the half angle) and
# generator overlaps Im<g|P|f> per pair, for X, Y, Z.
@numba.njit(cache=True, inline="always")
def _rx_pair(ar, ai, br, bi, c, s):  # (α, β) -> (c α - i s β, c β - i s α)
    return c * ar + s * bi, c * ai - s * br, c * br + s * ai, c * bi - s * ar


@numba.njit(cache=True, inline="always")
def _ry_pair(ar, ai, br, bi, c, s):  # (α, β) -> (c α - s β, c β + s α)
    return c * ar - s * br, c * ai - s * bi, c * br + s * ar, c * bi + s * ai


@numba.njit(cache=True, inline="always")
def _rz_pair(ar, ai, br, bi, c, s):  # α (c - i s), β (c + i s)
    return c * ar + s * ai, c * ai - s * ar, c * br - s * bi, c * bi + s * br


@numba.njit(cache=True, inline="always")
def _x_overlap(gar, gai, gbr, gbi, far, fai, fbr, fbi):  # Im(ḡ_a f_b + ḡ_b f_a)
    return gar * fbi - gai * fbr + gbr * fai - gbi * far


@numba.njit(cache=True, inline="always")
def _y_overlap(gar, gai, gbr, gbi, far, fai, fbr, fbi):  # Y|0> = i|1>: Re(ḡ_b f_a - ḡ_a f_b)
    return gbr * far + gbi * fai - gar * fbr - gai * fbi


@numba.njit(cache=True, inline="always")
def _z_overlap(gar, gai, gbr, gbi, far, fai, fbr, fbi):  # Im(ḡ_a f_a - ḡ_b f_b)
    return gar * fai - gai * far - gbr * fbi + gbi * fbr


@numba.njit(cache=True)
def _energy_batch(ops, params, n, initial, indptr, indices, real, imag, shift):
    out = np.empty(params.shape[0])
    for b in range(params.shape[0]):
        state = _forward(ops, params[b], n, initial)
        h_state = _apply_hamiltonian(state, indptr, indices, real, imag)
        out[b] = _expectation(state, h_state, shift)
    return out


@numba.njit(cache=True)
def _energy_gradient(ops, params, n, initial, indptr, indices, real, imag, shift):
    state = _forward(ops, params, n, initial)
    lam = _apply_hamiltonian(state, indptr, indices, real, imag)
    energy = _expectation(state, lam, shift)
    gradient = np.zeros(params.size)
    for k in range(ops.shape[0] - 1, -1, -1):
        code, w0, w1, p = ops[k, 0], ops[k, 1], ops[k, 2], ops[k, 3]
        if p >= 0:  # a rotation (the only parametrised gates)
            gradient[p] = _unrotate_both(lam, state, n, code, w0, params[p])
        else:  # CNOT and X are their own inverses
            _apply(state, n, code, w0, w1, 0.0)
            _apply(lam, n, code, w0, w1, 0.0)
    return energy, gradient


def _initial(n: int) -> np.ndarray:
    r""":math:`|0\dots0\rangle` as the interleaved float view."""
    state = np.zeros(2 ** (n + 1))
    state[0] = 1.0
    return state


class CompiledCircuit:
    """One circuit and Hamiltonian compiled for repeated single evaluations: the gate rows,
    the Hamiltonian's CSR rows and the initial state built once."""

    def __init__(self, circuit: Circuit, hamiltonian: PauliHamiltonian) -> None:
        self.hamiltonian = compile_hamiltonian(hamiltonian)
        self.n, self.ops = circuit.n_qubits, compile_ops(circuit)
        self.initial = _initial(self.n)

    def energy(self, params: np.ndarray) -> float:
        return float(_energy_batch(self.ops, params[None, :], self.n, self.initial,
                                   *self.hamiltonian)[0])  # fmt: skip

    def energy_and_gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        energy, gradient = _energy_gradient(
            self.ops, params, self.n, self.initial, *self.hamiltonian
        )
        return float(energy), gradient


def energies(circuit: Circuit, params: np.ndarray, hamiltonian: PauliHamiltonian) -> np.ndarray:
    """Exact energies (Ha) for each row of ``params`` ``(batch, n_params)``, validated."""
    n = circuit.n_qubits
    return _energy_batch(compile_ops(circuit), params, n, _initial(n),
                         *compile_hamiltonian(hamiltonian))  # fmt: skip


def energy_and_gradient(
    circuit: Circuit, params: np.ndarray, hamiltonian: PauliHamiltonian
) -> tuple[float, np.ndarray]:
    """The exact energy (Ha) and its gradient (Ha/rad) at one parameter set ``(n_params,)``."""
    n = circuit.n_qubits
    params = np.ascontiguousarray(params, dtype=np.float64)
    energy, gradient = _energy_gradient(
        compile_ops(circuit), params, n, _initial(n), *compile_hamiltonian(hamiltonian)
    )
    return float(energy), gradient
