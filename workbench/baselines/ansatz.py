r"""Parametrised ansätze in the workbench's gate set, with angles tied to shared parameters.

An :class:`Ansatz` is a :class:`~workbench.sim.Circuit` plus an affine map from its parameters
:math:`\theta` (one per excitation, or one per rotation) to the circuit's gate angles:
:math:`\phi = W\theta + b`. Fixed rotations (basis changes) have a zero row and their angle in
:math:`b`; every gate is a real gate of the circuit and gets the noise model's channels.

Pauli rotation :math:`e^{-i\varphi P}` (P on support :math:`q_1<\dots<q_m`): basis change
:math:`R_Y(-\pi/2)` on X letters (:math:`R_Y(\pi/2) Z R_Y(-\pi/2) = X`) and :math:`R_X(\pi/2)` on
Y letters, a CNOT ladder :math:`q_1\to q_2\to\dots\to q_m`, :math:`R_Z(2\varphi)` on
:math:`q_m`, then the ladder and basis change undone: :math:`2(m-1)` CNOTs. Adjacent inverse
pairs of fixed gates are then cancelled (a CNOT twice, opposite basis changes), and CNOTs
between qubits a coupling map does not connect are routed through SWAPs (3 CNOTs each).
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from workbench.errors import ConfigError
from workbench.sim import Circuit

ROTATIONS = ("RX", "RY", "RZ")


@dataclass(frozen=True, eq=False)
class Ansatz:
    """A circuit whose gate angles are :math:`W\\theta + b` (``weights`` ``(n_angles, n_params)``,
    ``offsets`` ``(n_angles,)``); ``labels`` name the parameters (excitations or gates)."""

    name: str
    circuit: Circuit
    weights: np.ndarray
    offsets: np.ndarray
    labels: tuple[str, ...] = ()

    @classmethod
    def free(cls, name: str, circuit: Circuit) -> Ansatz:
        """``circuit`` with one free parameter per angle (:math:`W = I`, :math:`b = 0`)."""
        return cls(name, circuit, np.eye(circuit.n_params), np.zeros(circuit.n_params))

    @property
    def n_params(self) -> int:
        return self.weights.shape[1]

    def angles(self, params) -> np.ndarray:
        """Gate angles ``(batch, n_angles)`` for parameters ``(batch, n_params)``."""
        return np.atleast_2d(np.asarray(params, dtype=float)) @ self.weights.T + self.offsets


class AnsatzBuilder:
    """Collects gates and their angle rows; :meth:`build` simplifies (and routes)."""

    def __init__(self, n_qubits: int) -> None:
        self.n_qubits = n_qubits
        self.gates: list[tuple] = []  # (gate, wires, {param: weight}, offset)
        self.labels: list[str] = []

    def parameter(self, label: str) -> int:
        self.labels.append(label)
        return len(self.labels) - 1

    def fixed(self, gate: str, *wires: int, angle: float = 0.0) -> None:
        self.gates.append((gate, tuple(wires), {}, float(angle)))

    def rotation(self, gate: str, wire: int, parameter: int, weight: float = 1.0) -> None:
        self.gates.append((gate, (wire,), {parameter: float(weight)}, 0.0))

    def pauli_rotation(self, word: str, parameter: int, coefficient: float) -> None:
        """:math:`e^{-i\\theta c P}` for the Pauli word ``word`` (wire 0 first)."""
        support = [q for q, letter in enumerate(word) if letter != "I"]
        if not support:
            return
        change = {"X": ("RY", -math.pi / 2), "Y": ("RX", math.pi / 2)}
        for q in support:
            if word[q] in change:
                self.fixed(change[word[q]][0], q, angle=change[word[q]][1])
        for a, b in itertools.pairwise(support):
            self.fixed("CNOT", a, b)
        self.rotation("RZ", support[-1], parameter, 2 * coefficient)
        for a, b in reversed(list(itertools.pairwise(support))):
            self.fixed("CNOT", a, b)
        for q in support:
            if word[q] in change:
                self.fixed(change[word[q]][0], q, angle=-change[word[q]][1])

    def build(self, name: str, coupling_map=None) -> Ansatz:
        gates = _cancel(self.gates)
        if coupling_map is not None:
            gates = _route(gates, coupling_map, self.n_qubits)
        circuit = Circuit.from_gates(self.n_qubits, [(g, *w) for g, w, _, _ in gates])
        rows = [(row, offset) for g, _, row, offset in gates if g in ROTATIONS]
        weights = np.zeros((len(rows), len(self.labels)))
        for i, (row, _) in enumerate(rows):
            for parameter, weight in row.items():
                weights[i, parameter] = weight
        offsets = np.array([offset for _, offset in rows], dtype=float)
        return Ansatz(name, circuit, weights, offsets, tuple(self.labels))


def _inverse_pair(first: tuple, second: tuple) -> tuple | None:
    """``None`` when the two adjacent gates cancel; the merged gate when they combine; else
    ``first`` unchanged (signalled by returning it)."""
    (g1, w1, row1, b1), (g2, w2, row2, b2) = first, second
    if g1 != g2 or w1 != w2 or row1 or row2:
        return first
    if g1 == "CNOT" or g1 == "X":
        return None
    if g1 in ROTATIONS:
        total = b1 + b2
        if math.isclose(math.remainder(total, 4 * math.pi), 0.0, abs_tol=1e-12):
            return None
        return (g1, w1, {}, total)
    return first


def _cancel(gates: list[tuple]) -> list[tuple]:
    """Cancel or merge adjacent fixed gates on the same wires until nothing changes."""
    gates = list(gates)
    changed = True
    while changed:
        changed = False
        last: dict[int, int] = {}  # wire -> index of the last kept gate on it
        kept: list[tuple | None] = []
        for gate in gates:
            wires = gate[1]
            previous = {last.get(w) for w in wires}
            index = previous.pop() if len(previous) == 1 else None
            if index is not None and kept[index] is not None and kept[index][1] == wires:
                merged = _inverse_pair(kept[index], gate)
                if merged is not kept[index]:
                    changed = True
                    kept[index] = merged
                    if merged is None:
                        for w in wires:
                            last.pop(w, None)
                            # an earlier gate on w becomes "last" again only on the next pass
                    continue
            kept.append(gate)
            for w in wires:
                last[w] = len(kept) - 1
        gates = [g for g in kept if g is not None]
    return gates


def _route(gates: list[tuple], coupling_map, n_qubits: int) -> list[tuple]:
    """Replace every CNOT between unconnected qubits by SWAPs along a shortest path, the CNOT,
    and the SWAPs undone (SWAP = three CNOTs; needs both directions of each edge used)."""
    allowed = {tuple(pair) for pair in coupling_map}
    neighbours = {q: sorted({b for a, b in allowed if a == q}) for q in range(n_qubits)}
    routed = []
    for gate in gates:
        g, wires, _, _ = gate
        if g != "CNOT" or wires in allowed:
            routed.append(gate)
            continue
        control, target = wires
        path = _shortest_path(neighbours, control, target)
        if path is None:
            raise ConfigError(f"CNOT{wires}: qubits {control} and {target} are not connected")
        swaps = list(itertools.pairwise(path[:-1]))  # move the control next to the target
        for a, b in swaps:
            routed += _swap(a, b, allowed)
        if (path[-2], target) not in allowed:
            raise ConfigError(f"CNOT({path[-2]},{target}) is not on the coupling map")
        routed.append(("CNOT", (path[-2], target), {}, 0.0))
        for a, b in reversed(swaps):
            routed += _swap(a, b, allowed)
    return routed


def _swap(a: int, b: int, allowed: set) -> list[tuple]:
    if (a, b) not in allowed or (b, a) not in allowed:
        raise ConfigError(
            f"routing needs a SWAP of qubits {a} and {b}: the coupling map must allow CNOTs "
            "both ways on that pair"
        )
    return [("CNOT", (a, b), {}, 0.0), ("CNOT", (b, a), {}, 0.0), ("CNOT", (a, b), {}, 0.0)]


def _shortest_path(neighbours: dict, start: int, goal: int) -> list[int] | None:
    previous, queue = {start: None}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])
            return path[::-1]
        for nxt in neighbours.get(node, ()):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def hartree_fock(builder: AnsatzBuilder, bits) -> None:
    """Prepare the Hartree–Fock basis state with X gates (as the environment does)."""
    for q, bit in enumerate(bits):
        if bit:
            builder.fixed("X", q)


def excitation_block(builder: AnsatzBuilder, excitation, parameter: int) -> None:
    """:math:`e^{-i\\theta G}` of one excitation (its words commute: a product of rotations)."""
    for word, coefficient in excitation.generator.terms():
        builder.pauli_rotation(word, parameter, coefficient)


def hardware_efficient(n_qubits: int, layers: int, bits=(), coupling_map=None) -> Ansatz:
    """``layers`` × (RY and RZ on every qubit, then CNOTs along a chain 0→1→…→n−1 or, with a
    coupling map, along each connected pair once in the map's order), then a final RY/RZ
    layer; from the basis state ``bits`` (Hartree–Fock). One parameter per rotation."""
    if coupling_map is None:
        entangler = [(q, q + 1) for q in range(n_qubits - 1)]
    else:
        entangler, seen = [], set()
        for a, b in coupling_map:
            if frozenset((a, b)) not in seen:
                seen.add(frozenset((a, b)))
                entangler.append((a, b))
    builder = AnsatzBuilder(n_qubits)
    hartree_fock(builder, bits)
    for layer in range(layers + 1):
        for q in range(n_qubits):
            for gate in ("RY", "RZ"):
                builder.rotation(gate, q, builder.parameter(f"{gate}{layer}[{q}]"))
        if layer < layers:
            for a, b in entangler:
                builder.fixed("CNOT", a, b)
    return builder.build(f"hea-{layers}")
