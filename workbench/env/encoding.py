r"""Action table, ASAP layering, the 3D binary circuit encoding and illegal-action masks.

**Actions** (spec §3.1): CNOTs first, ``CNOT(c, (c+x) mod n)`` for ``c = 0..n-1``,
``x = 1..n-1`` (index :math:`c(n-1)+x-1`), then rotations ``R_h(q)`` for ``q = 0..n-1``,
``h ∈ {X, Y, Z}`` (index :math:`n(n-1)+3q+h`). With a coupling map only the CNOTs on the map are
kept, in the same order: one table serves agent and environment (the original's Ourense runs
used two inconsistent tables).

**ZY rotations** (``zy_rotations=True``, a departure): after the rotations, one action per CNOT
pair, in the CNOT order, appends the two-qubit Pauli rotation

.. math:: ZY_{c,t}(\theta) = e^{-i\theta Z_c Y_t/2} = \mathrm{CNOT}_{c,t}\,R_Y^{(t)}(\theta)\,
   \mathrm{CNOT}_{c,t}

(:data:`ZY_GATES`: three gates of the workbench's gate set, one angle), because conjugating
:math:`Y_t` by a CNOT gives :math:`Z_c Y_t`. These are the two-qubit operators of qubit-ADAPT's
minimal complete pool (Tang et al., PRX Quantum 2, 020310, 2021). An agent with single gates must
pass through a block's first CNOT alone, and that CNOT alone can cost hundreds of mHa; the
block is the identity at θ = 0 and never does.

**Encoding** (spec §2): a tensor :math:`S \in \{0,1\}^{L\times(n+3)\times n}` over (moment,
row, qubit). CNOT(c, t) in moment d sets :math:`S[d, t, c]`; a rotation about axis k on q sets
:math:`S[d, n+k, q]`; with ZY rotations the tensor has :math:`2n+3` rows and
:math:`ZY_{c,t}` sets :math:`S[d, n+3+t, c]`. Actions go to the earliest free moment (ASAP): a
rotation on q to :math:`m_q`, a CNOT or ZY rotation to :math:`\max(m_c, m_t)`; depth
:math:`=\max_q m_q` (a ZY rotation takes one moment here, three in the compiled circuit).

**Illegal actions** (spec §3.2, clean semantics): a gate is illegal when it was applied and no
later gate touched any of its qubits — a rotation whose qubit's most recent gate is the same
rotation, a CNOT (or ZY rotation) whose control's and target's most recent action is that same
one. A reversed CNOT or another axis is legal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from workbench.errors import ConfigError

AXES = ("X", "Y", "Z")
ZY_GATES = ("CNOT", "RY", "CNOT")
"""The gates a ZY rotation appends on ``(c, t)``: CNOT(c, t), RY(t), CNOT(c, t) (module doc)."""


def zy_rotation(control: int, target: int) -> list[tuple[str, tuple[int, ...]]]:
    r"""The gates of :math:`e^{-i\theta Z_c Y_t/2}`: :data:`ZY_GATES` on ``(control, target)``."""
    return [(g, (control, target) if g == "CNOT" else (target,)) for g in ZY_GATES]


@dataclass(frozen=True)
class ActionTable:
    """The actions the agent can take, as ``(name, wires)`` pairs in the paper's order (``"ZY"``
    last when the table has ZY rotations)."""

    n_qubits: int
    actions: tuple[tuple[str, tuple[int, ...]], ...]

    @classmethod
    def build(
        cls,
        n_qubits: int,
        coupling_map: Iterable[tuple[int, int]] | None = None,
        zy_rotations: bool = False,
    ):
        """All-to-all CNOTs (or those on ``coupling_map``) followed by RX/RY/RZ on every qubit,
        then (``zy_rotations``) a ZY rotation on every CNOT pair."""
        allowed = None if coupling_map is None else {tuple(map(int, p)) for p in coupling_map}
        if allowed is not None:
            bad = sorted(
                p for p in allowed if not all(0 <= w < n_qubits for w in p) or p[0] == p[1]
            )
            if bad:
                raise ConfigError(
                    f"coupling map pairs {bad} name qubits outside 0..{n_qubits - 1} (or repeat "
                    "a qubit)"
                )
        cnots = [
            ("CNOT", (c, (c + x) % n_qubits))
            for c in range(n_qubits)
            for x in range(1, n_qubits)
            if allowed is None or (c, (c + x) % n_qubits) in allowed
        ]
        rotations = [(f"R{axis}", (q,)) for q in range(n_qubits) for axis in AXES]
        blocks = [("ZY", wires) for _, wires in cnots] if zy_rotations else []
        return cls(n_qubits, tuple(cnots + rotations + blocks))

    @property
    def rows(self) -> int:
        """Rows of the encoding per moment: n + 3, or 2n + 3 with ZY rotations (module doc)."""
        n = self.n_qubits
        return 2 * n + 3 if any(name == "ZY" for name, _ in self.actions) else n + 3

    def gates(self, action: int) -> list[tuple[str, tuple[int, ...]]]:
        """The gates ``action`` appends to the circuit: itself, or :data:`ZY_GATES`."""
        name, wires = self.actions[action]
        return zy_rotation(*wires) if name == "ZY" else [(name, wires)]

    def __len__(self) -> int:
        return len(self.actions)

    def index(self, gate: str, *wires: int) -> int:
        """Index of an action, e.g. ``table.index("CNOT", 0, 1)``."""
        try:
            return self.actions.index((gate, tuple(wires)))
        except ValueError:
            raise ConfigError(f"{gate}{tuple(wires)} is not in the action table") from None


class CircuitLayout:
    """The circuit an episode has grown so far: gates, ASAP moments, encoding and masks."""

    def __init__(self, table: ActionTable, max_moments: int) -> None:
        self.table = table
        self.max_moments = max_moments
        n = table.n_qubits
        self.tensor = np.zeros((max_moments, table.rows, n), dtype=np.float32)
        self.moments = np.zeros(n, dtype=np.int64)
        self.last_action = np.full(n, -1, dtype=np.int64)
        self.actions: list[int] = []

    @property
    def depth(self) -> int:
        return int(self.moments.max())

    def append(self, action: int) -> int:
        """Place ``action`` at its ASAP moment (the rule of :meth:`workbench.sim.Circuit.moments`,
        kept incrementally here because the encoding is filled one gate at a time); returns the
        moment."""
        gate, wires = self.table.actions[action]
        moment = int(self.moments[list(wires)].max())
        if moment >= self.max_moments:
            raise ConfigError(f"the circuit is full: moment {moment} >= {self.max_moments}")
        n = self.table.n_qubits
        if gate in ("CNOT", "ZY"):
            control, target = wires
            self.tensor[moment, target + (n + 3 if gate == "ZY" else 0), control] = 1.0
        else:
            self.tensor[moment, n + AXES.index(gate[1]), wires[0]] = 1.0
        self.moments[list(wires)] = moment + 1
        self.last_action[list(wires)] = action
        self.actions.append(action)
        return moment

    def illegal_mask(self) -> np.ndarray:
        """Boolean mask over the action table, True where the action is illegal now."""
        mask = np.zeros(len(self.table), dtype=bool)
        for action in set(self.last_action[self.last_action >= 0].tolist()):
            _, wires = self.table.actions[action]
            mask[action] = bool(np.all(self.last_action[list(wires)] == action))
        return mask

    def observation(self, energy: float) -> np.ndarray:
        """Flattened (moment-major) gate rows of the tensor, with the energy appended."""
        return np.append(self.tensor.reshape(-1), np.float32(energy)).astype(np.float32)
