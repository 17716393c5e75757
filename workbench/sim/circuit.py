r"""Circuit IR: a gate registry and immutable circuits whose rotations each own one parameter.

Conventions: :math:`R_P(\theta) = e^{-i\theta P/2}`; ``CNOT`` wires are ``(control, target)``;
wire 0 is the most significant bit (as everywhere in the workbench). Parameters are numbered in
the order the parametric gates appear.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from workbench.errors import ConfigError
from workbench.paulis import PAULI_MATRICES

_X, _Y, _Z, _I = (PAULI_MATRICES[k] for k in "XYZI")


def _rotation(pauli: np.ndarray) -> Callable[[float], np.ndarray]:
    return lambda theta: math.cos(theta / 2) * _I - 1j * math.sin(theta / 2) * pauli


def _controlled(u: np.ndarray) -> np.ndarray:
    matrix = np.eye(4, dtype=complex)
    matrix[2:, 2:] = u
    return matrix


@dataclass(frozen=True)
class GateType:
    """A gate kind: its name, arity, and unitary (a function of θ for parametric gates)."""

    name: str
    n_qubits: int
    parametric: bool
    matrix: Callable[[float], np.ndarray]

    def unitary(self, theta: float = 0.0) -> np.ndarray:
        return np.asarray(self.matrix(theta), dtype=complex)


GATES: dict[str, GateType] = {
    g.name: g
    for g in (
        GateType("RX", 1, True, _rotation(_X)),
        GateType("RY", 1, True, _rotation(_Y)),
        GateType("RZ", 1, True, _rotation(_Z)),
        GateType("H", 1, False, lambda _: (_X + _Z) / math.sqrt(2)),
        GateType("X", 1, False, lambda _: _X),
        GateType("Y", 1, False, lambda _: _Y),
        GateType("Z", 1, False, lambda _: _Z),
        GateType("S", 1, False, lambda _: np.diag([1, 1j])),
        GateType("SX", 1, False, lambda _: 0.5 * np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]])),
        GateType("CNOT", 2, False, lambda _: _controlled(_X)),
        GateType("CZ", 2, False, lambda _: _controlled(_Z)),
    )
}
"""The gate registry. Simulators ask a gate for its unitary; they never switch on names."""


@dataclass(frozen=True)
class Operation:
    """One gate on ``wires``."""

    gate: str
    wires: tuple[int, ...]

    @property
    def type(self) -> GateType:
        return GATES[self.gate]


@dataclass(frozen=True)
class Circuit:
    """An immutable circuit on ``n_qubits`` wires; hashable, so compiled programs can be cached.

    Example:
        >>> Circuit.from_gates(2, [("RY", 0), ("CNOT", 0, 1)]).n_params
        1
    """

    n_qubits: int
    operations: tuple[Operation, ...] = ()

    def __post_init__(self) -> None:
        if (
            isinstance(self.n_qubits, bool)
            or not isinstance(self.n_qubits, int)
            or not (1 <= self.n_qubits <= 12)
        ):
            raise ConfigError(f"n_qubits={self.n_qubits!r}: expected an integer from 1 to 12")
        operations = tuple(self.operations)
        for op in operations:
            if op.gate not in GATES:
                raise ConfigError(f"unknown gate {op.gate!r}: expected one of {', '.join(GATES)}")
            wires = op.wires
            if len(wires) != op.type.n_qubits:
                raise ConfigError(f"{op.gate} acts on {op.type.n_qubits} wire(s), got {wires}")
            if any(isinstance(w, bool) or not isinstance(w, int | np.integer) for w in wires):
                raise ConfigError(f"{op.gate} wires {wires} must be integers")
            bad = [w for w in wires if not 0 <= w < self.n_qubits]
            if bad:
                raise ConfigError(
                    f"{op.gate} on wires {wires}: wire(s) {bad} outside 0..{self.n_qubits - 1}"
                )
            if len(set(wires)) != len(wires):
                raise ConfigError(f"{op.gate} on wires {wires}: wires must be distinct")
        object.__setattr__(self, "operations", operations)

    @classmethod
    def from_gates(cls, n_qubits: int, gates: Iterable[Sequence]) -> Circuit:
        """Build from ``[(name, wire, ...), ...]``, e.g. ``[("RX", 0), ("CNOT", 0, 1)]``."""
        return cls(
            n_qubits, tuple(Operation(str(g[0]), tuple(int(w) for w in g[1:])) for g in gates)
        )

    def append(self, gate: str, *wires: int) -> Circuit:
        """A new circuit with one more gate."""
        return Circuit(self.n_qubits, (*self.operations, Operation(gate, tuple(wires))))

    @property
    def n_params(self) -> int:
        return sum(op.type.parametric for op in self.operations)

    @property
    def n_gates(self) -> int:
        return len(self.operations)

    @property
    def n_two_qubit(self) -> int:
        """Number of two-qubit gates (CNOTs and CZs)."""
        return sum(op.type.n_qubits == 2 for op in self.operations)

    def moments(self) -> list[int]:
        """The ASAP moment of each gate: one after the latest gate on any of its wires (the
        layering the environment's encoding and the circuit drawings use)."""
        front, moments = [0] * self.n_qubits, []
        for op in self.operations:
            start = max(front[w] for w in op.wires)
            for w in op.wires:
                front[w] = start + 1
            moments.append(start)
        return moments

    @property
    def depth(self) -> int:
        """ASAP depth: the number of moments (see :meth:`moments`)."""
        return max(self.moments(), default=-1) + 1

    def gate_list(self) -> list[list]:
        """``[[name, wire, ...], ...]``, the JSON form (inverse of :meth:`from_gates`)."""
        return [[op.gate, *op.wires] for op in self.operations]

    def to_qasm(self, params: Sequence[float] = ()) -> str:
        """OpenQASM 2.0 text with the angles filled in; ``q[i]`` is wire i.

        Qiskit prints ``q[0]`` as the least significant bit of a bit string, while the
        workbench writes wire 0 leftmost: the circuit is the same, only bit strings read
        reversed.
        """
        values = self.check_parameters(np.asarray(params, dtype=float)[None, :])[0]
        lines = ["OPENQASM 2.0;", 'include "qelib1.inc";', f"qreg q[{self.n_qubits}];"]
        for op, index in zip(self.operations, self.parameter_indices(), strict=True):
            name = {"CNOT": "cx", "SX": "sx"}.get(op.gate, op.gate.lower())
            angle = f"({float(values[index])!r})" if index >= 0 else ""
            lines.append(f"{name}{angle} " + ",".join(f"q[{w}]" for w in op.wires) + ";")
        return "\n".join(lines) + "\n"

    def pennylane_source(self, params: Sequence[float] = ()) -> str:
        """Python source of a function applying this circuit with PennyLane operations (wire i is
        wire i), for use inside a QNode: ``exec`` it or save it as a module."""
        values = self.check_parameters(np.asarray(params, dtype=float)[None, :])[0]
        names = {
            "CNOT": "CNOT",
            "SX": "SX",
            "H": "Hadamard",
            "X": "PauliX",
            "Y": "PauliY",
            "Z": "PauliZ",
            "S": "S",
            "CZ": "CZ",
            "RX": "RX",
            "RY": "RY",
            "RZ": "RZ",
        }
        lines = [
            "import pennylane as qml",
            "",
            "",
            "def circuit():",
            f'    """{self.n_gates} gates on {self.n_qubits} wires (from qas-workbench)."""',
        ]
        for op, index in zip(self.operations, self.parameter_indices(), strict=True):
            angle = f"{float(values[index])!r}, " if index >= 0 else ""
            wires = list(op.wires) if len(op.wires) > 1 else op.wires[0]
            lines.append(f"    qml.{names[op.gate]}({angle}wires={wires})")
        if not self.operations:
            lines.append("    pass")
        return "\n".join(lines) + "\n"

    def record(self, params, energy: float, noiseless_energy: float, ground_energy: float) -> dict:
        """The JSON record of this circuit at ``params`` that run folders store (``best.json``):
        gates, angles, energies (Ha) and errors against ``ground_energy``, size, OpenQASM 2."""
        params = np.asarray(params, dtype=float)
        return {
            "gates": self.gate_list(),
            "params": params.tolist(),
            "energy": energy,
            "error": abs(energy - ground_energy),
            "noiseless_energy": noiseless_energy,
            "noiseless_error": abs(noiseless_energy - ground_energy),
            "n_gates": self.n_gates,
            "n_cnots": self.n_two_qubit,
            "depth": self.depth,
            "n_params": self.n_params,
            "qasm": self.to_qasm(params),
        }

    def parameter_indices(self) -> list[int]:
        """For each operation, its parameter index (−1 for fixed gates)."""
        indices, count = [], 0
        for op in self.operations:
            indices.append(count if op.type.parametric else -1)
            count += op.type.parametric
        return indices

    def check_parameters(self, params: np.ndarray) -> np.ndarray:
        """Parameters as a ``(batch, n_params)`` float array, validated."""
        array = np.asarray(params, dtype=float)
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2 or array.shape[1] != self.n_params:
            raise ConfigError(
                f"parameters of shape {np.shape(params)}: this circuit needs {self.n_params} "
                "per set, as (n_params,) or (batch, n_params)"
            )
        if not np.all(np.isfinite(array)):
            raise ConfigError("parameters contain non-finite values (nan or inf)")
        return array
