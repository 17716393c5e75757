"""Circuits in and out: OpenQASM 2 and 3 text, Qiskit ``QuantumCircuit`` objects.

Export writes the workbench's gates (RX, RY, RZ, CNOT, X, … — :data:`workbench.sim.GATES`) with
their angles filled in; import reads the same gate set back, one register, and refuses anything
else (``u3``, classical control, several registers) with the line and the allowed gates named.
``barrier`` and final ``measure`` statements are skipped: an energy is an expectation value, not
a sample of the measured bits. Wire ``i`` is ``q[i]`` both ways (Qiskit prints ``q[0]`` as the
rightmost bit of a bit string; the circuit is the same).

Example:
    >>> circuit, params = parse_qasm('OPENQASM 3.0; qubit[2] q; ry(pi/4) q[0]; cx q[0], q[1];')
    >>> circuit.gate_list(), [round(p, 6) for p in params]
    ([['RY', 0], ['CNOT', 0, 1]], [0.785398])
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Sequence

import numpy as np

from workbench.errors import ConfigError
from workbench.sim.circuit import GATES, Circuit

# QASM names ↔ workbench names (qelib1.inc / stdgates.inc spellings).
TO_QASM = {"CNOT": "cx", "CZ": "cz", "SX": "sx", "H": "h", "S": "s", "X": "x", "Y": "y", "Z": "z"}
TO_QASM |= {"RX": "rx", "RY": "ry", "RZ": "rz"}
FROM_QASM = {v: k for k, v in TO_QASM.items()} | {"cnot": "CNOT"}
_SKIPPED = ("barrier", "measure", "creg", "bit", "include", "OPENQASM")
QASM_VERSIONS = ("2.0", "2", "3.0", "3")
MAX_ANGLE_LENGTH = 1000
_STATEMENT = re.compile(r"^(\w+)\s*(?:\((.*)\))?\s*([^()]+)$")  # name(angle) qubits
_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def to_qasm3(circuit: Circuit, params: Sequence[float] = ()) -> str:
    """OpenQASM 3 text (``stdgates.inc``) with the angles filled in; ``q[i]`` is wire i."""
    return _to_text(circuit, params, ["OPENQASM 3.0;", 'include "stdgates.inc";',
                                      f"qubit[{circuit.n_qubits}] q;"])  # fmt: skip


def _to_text(circuit: Circuit, params: Sequence[float], header: list[str]) -> str:
    values = circuit.check_parameters(np.asarray(params, dtype=float)[None, :])[0]
    lines = list(header)
    for op, index in zip(circuit.operations, circuit.parameter_indices(), strict=True):
        angle = f"({float(values[index])!r})" if index >= 0 else ""
        lines.append(f"{TO_QASM[op.gate]}{angle} " + ", ".join(f"q[{w}]" for w in op.wires) + ";")
    return "\n".join(lines) + "\n"


def _angle(text: str, where: str) -> float:
    """A QASM angle expression: numbers, ``pi``/``π``, + − × ÷ and parentheses only, at most
    :data:`MAX_ANGLE_LENGTH` characters."""
    if len(text) > MAX_ANGLE_LENGTH:
        raise ConfigError(
            f"{where}: an angle expression of {len(text)} characters; at most "
            f"{MAX_ANGLE_LENGTH} are read (write the number itself)"
        )

    def value(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in ("pi", "π"):
            return math.pi
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](value(node.operand))
        raise ValueError(ast.dump(node))

    try:
        result = value(ast.parse(text.replace("π", "pi"), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError, MemoryError):
        raise ConfigError(
            f"{where}: angle {text[:60]!r} is not a number or an expression in pi"
        ) from None
    if not math.isfinite(result):
        raise ConfigError(f"{where}: angle {text!r} is not finite")
    return result


def _check_header(statement: str) -> None:
    version = re.fullmatch(r"OPENQASM\s+(\S+)", statement)
    if version is None:
        raise ConfigError(
            f"the QASM text starts with {statement[:40]!r}: expected its version first "
            "(OPENQASM 2.0; or OPENQASM 3.0;)"
        )
    if version.group(1) not in QASM_VERSIONS:
        raise ConfigError(
            f"OPENQASM {version.group(1)} is not a version read here: expected "
            f"{' or '.join(QASM_VERSIONS[::2])}"
        )


def _register(statement: str, where: str) -> tuple[str, int] | None:
    for pattern in (r"^qreg\s+(\w+)\s*\[\s*(\d+)\s*\]$", r"^qubit\s*\[\s*(\d+)\s*\]\s+(\w+)$"):
        match = re.match(pattern, statement)
        if match:
            a, b = match.groups()
            return (a, int(b)) if a.isidentifier() and not a.isdigit() else (b, int(a))
    if re.match(r"^(qreg|qubit)\b", statement):
        raise ConfigError(f"{where}: cannot read the register declaration {statement!r}")
    return None


def parse_qasm(text: str) -> tuple[Circuit, np.ndarray]:
    """A circuit and its angles from OpenQASM 2 or 3 text in the workbench's gate set; the text
    starts with its version (``OPENQASM 2.0;`` or ``OPENQASM 3.0;``)."""
    statements = [s.strip() for s in re.sub(r"//[^\n]*", "", text).split(";")]
    _check_header(next((s for s in statements if s), ""))
    register, n_qubits, gates, params = None, None, [], []
    for number, statement in enumerate(s for s in statements if s):
        where = f"QASM statement {number + 1} ({statement[:40]!r})"
        found = _register(statement, where)
        if found is not None:
            if register is not None:
                raise ConfigError(f"{where}: one quantum register only (found a second)")
            register, n_qubits = found
            continue
        if statement.split()[0].split("[")[0] in _SKIPPED or "measure" in statement:
            continue
        match = _STATEMENT.match(statement)
        name = match.group(1).lower() if match else statement.split()[0]
        if match is None or name not in FROM_QASM:
            allowed = ", ".join(sorted(FROM_QASM))
            raise ConfigError(f"{where}: gate {name!r} is not in the workbench's set ({allowed})")
        if register is None:
            raise ConfigError(f"{where}: a gate before the register declaration")
        gate = FROM_QASM[name]
        wires = _wires(match.group(3), register, n_qubits, where)
        if len(wires) != GATES[gate].n_qubits:
            raise ConfigError(f"{where}: {name} acts on {GATES[gate].n_qubits} qubit(s)")
        if GATES[gate].parametric != (match.group(2) is not None):
            needs = "needs an" if GATES[gate].parametric else "takes no"
            raise ConfigError(f"{where}: {name} {needs} angle")
        if match.group(2) is not None:
            params.append(_angle(match.group(2), where))
        gates.append((gate, *wires))
    if register is None:
        raise ConfigError("no quantum register (qreg q[n]; or qubit[n] q;) in the QASM text")
    return Circuit.from_gates(n_qubits, gates), np.asarray(params, dtype=float)


def _wires(text: str, register: str, n_qubits: int, where: str) -> tuple[int, ...]:
    wires = []
    for item in (w.strip() for w in text.split(",")):
        match = re.fullmatch(rf"{re.escape(register)}\s*\[\s*(\d+)\s*\]", item)
        if match is None:
            raise ConfigError(f"{where}: {item!r} is not a qubit of register {register!r}")
        wire = int(match.group(1))
        if wire >= n_qubits:
            raise ConfigError(f"{where}: {item} is outside {register}[{n_qubits}]")
        wires.append(wire)
    return tuple(wires)


def to_qiskit(circuit: Circuit, params: Sequence[float] = ()):
    """A Qiskit ``QuantumCircuit`` (needs the ``devices`` extra)."""
    try:
        import qiskit.qasm2
    except ImportError:
        raise ConfigError("Qiskit is not installed: pip install -e '.[devices]'") from None
    # qelib1.inc as Qiskit's loader reads it lacks sx: the legacy set has every gate we write
    legacy = qiskit.qasm2.LEGACY_CUSTOM_INSTRUCTIONS
    return qiskit.qasm2.loads(circuit.to_qasm(params), custom_instructions=legacy)


def from_qiskit(quantum_circuit) -> tuple[Circuit, np.ndarray]:
    """A Qiskit ``QuantumCircuit`` in the workbench's gate set, as a circuit and its angles."""
    import qiskit.qasm2

    try:
        text = qiskit.qasm2.dumps(quantum_circuit)
    except Exception as error:  # Qiskit's own error types vary between versions
        raise ConfigError(f"the Qiskit circuit cannot be written as OpenQASM 2: {error}") from None
    return parse_qasm(text)
