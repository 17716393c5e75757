"""Action table, ASAP moments, the 3D encoding and illegal-action masks on hand-made sequences."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.env.encoding import ActionTable, CircuitLayout
from workbench.errors import ConfigError

OURENSE = ((0, 1), (1, 0), (1, 2), (2, 1), (1, 3), (3, 1))


def test_action_table_order_and_sizes():
    table = ActionTable.build(2)
    assert table.actions == (
        ("CNOT", (0, 1)),
        ("CNOT", (1, 0)),
        ("RX", (0,)),
        ("RY", (0,)),
        ("RZ", (0,)),
        ("RX", (1,)),
        ("RY", (1,)),
        ("RZ", (1,)),
    )
    for n, size in ((2, 8), (3, 15), (4, 24), (6, 48), (8, 80)):
        table = ActionTable.build(n)
        assert len(table) == size == n * (n + 2)
        for c in range(n):
            for x in range(1, n):
                assert table.index("CNOT", c, (c + x) % n) == c * (n - 1) + x - 1
        for q in range(n):
            for h, axis in enumerate("XYZ"):
                assert table.index(f"R{axis}", q) == n * (n - 1) + 3 * q + h


def test_coupling_map_gives_one_restricted_table():
    table = ActionTable.build(4, OURENSE)
    assert len(table) == 18
    cnots = [wires for gate, wires in table.actions if gate == "CNOT"]
    assert set(cnots) == set(OURENSE)
    assert ("CNOT", (0, 2)) not in table.actions


def test_bad_coupling_map():
    with pytest.raises(ConfigError, match=r"pairs \[\(0, 5\)\] name qubits outside 0..3"):
        ActionTable.build(4, [(0, 1), (0, 5)])


def test_asap_moments_and_tensor():
    table = ActionTable.build(2)
    layout = CircuitLayout(table, max_moments=5)
    moments = [
        layout.append(table.index(g, *w))
        for g, w in [
            ("RX", (0,)),
            ("RX", (1,)),
            ("CNOT", (0, 1)),
            ("RZ", (0,)),
            ("RY", (1,)),
            ("RY", (1,)),
        ]
    ]
    assert moments == [0, 0, 1, 2, 2, 3]
    assert layout.depth == 4
    s = layout.tensor
    assert s[0, 2 + 0, 0] == 1 and s[0, 2 + 0, 1] == 1  # RX rows (n + axis)
    assert s[1, 1, 0] == 1  # CNOT(c=0, t=1): row = target, column = control
    assert s[2, 2 + 2, 0] == 1 and s[2, 2 + 1, 1] == 1 and s[3, 2 + 1, 1] == 1
    assert s.sum() == 6


def test_cnot_waits_for_the_busier_qubit():
    table = ActionTable.build(3)
    layout = CircuitLayout(table, max_moments=5)
    layout.append(table.index("RX", 0))
    layout.append(table.index("RY", 0))
    assert layout.append(table.index("CNOT", 2, 0)) == 2
    assert list(layout.moments) == [3, 0, 3]


def test_observation_size_and_energy():
    layout = CircuitLayout(ActionTable.build(2), max_moments=40)
    observation = layout.observation(-1.25)
    assert observation.shape == (401,)  # spec: 401 inputs for H2-2q
    assert observation[-1] == np.float32(-1.25)
    assert CircuitLayout(ActionTable.build(4), 40).observation(0).shape == (1121,)


def test_masks_follow_the_clean_semantics():
    table = ActionTable.build(2)
    layout = CircuitLayout(table, max_moments=10)
    idx = table.index
    assert not layout.illegal_mask().any()
    layout.append(idx("RX", 0))
    assert np.flatnonzero(layout.illegal_mask()).tolist() == [idx("RX", 0)]
    layout.append(idx("RY", 0))  # another axis on the same qubit clears RX(0)
    assert np.flatnonzero(layout.illegal_mask()).tolist() == [idx("RY", 0)]
    layout.append(idx("CNOT", 0, 1))
    mask = layout.illegal_mask()
    assert mask[idx("CNOT", 0, 1)] and not mask[idx("CNOT", 1, 0)] and not mask[idx("RY", 0)]
    layout.append(idx("RZ", 1))  # touching the target makes the CNOT legal again
    mask = layout.illegal_mask()
    assert not mask[idx("CNOT", 0, 1)] and mask[idx("RZ", 1)]


def test_capacity_bug_example_is_masked():
    """Spec §3.2: after RY(1), RZ(0), RZ(1) the original left RZ(1) legal; it is illegal here."""
    table = ActionTable.build(2)
    layout = CircuitLayout(table, max_moments=10)
    for gate, wire in (("RY", 1), ("RZ", 0), ("RZ", 1)):
        layout.append(table.index(gate, wire))
    assert set(np.flatnonzero(layout.illegal_mask())) == {
        table.index("RZ", 0),
        table.index("RZ", 1),
    }


def test_random_sequences_against_a_direct_definition():
    rng = np.random.default_rng(0)
    for n in (2, 3, 4):
        table = ActionTable.build(n)
        layout = CircuitLayout(table, max_moments=200)
        history: list[int] = []
        for _ in range(60):
            legal = np.flatnonzero(~layout.illegal_mask())
            action = int(rng.choice(legal))
            layout.append(action)
            history.append(action)
            for candidate in range(len(table)):
                _, wires = table.actions[candidate]
                # illegal iff applied and no later gate touched its qubits
                illegal = False
                if candidate in history:
                    last = len(history) - 1 - history[::-1].index(candidate)
                    later = history[last + 1 :]
                    illegal = all(not set(table.actions[a][1]) & set(wires) for a in later)
                assert layout.illegal_mask()[candidate] == illegal


def test_zy_rotations_follow_the_cnots_and_get_their_own_rows():
    n = 3
    table = ActionTable.build(n, zy_rotations=True)
    plain = ActionTable.build(n)
    assert table.actions[: len(plain)] == plain.actions and len(table) == n * (2 * n + 1)
    cnot_pairs = [wires for gate, wires in plain.actions if gate == "CNOT"]
    assert [w for gate, w in table.actions[len(plain) :]] == cnot_pairs
    assert (plain.rows, table.rows) == (n + 3, 2 * n + 3)
    assert table.gates(table.index("ZY", 2, 0)) == [
        ("CNOT", (2, 0)),
        ("RY", (0,)),
        ("CNOT", (2, 0)),
    ]
    assert table.gates(table.index("RX", 1)) == [("RX", (1,))]
    layout = CircuitLayout(table, max_moments=4)
    layout.append(table.index("RX", 1))
    assert layout.append(table.index("ZY", 2, 1)) == 1  # waits for qubit 1, like a CNOT
    assert layout.append(table.index("CNOT", 2, 1)) == 2
    assert layout.tensor[1, n + 3 + 1, 2] == 1 and layout.tensor[2, 1, 2] == 1
    assert layout.tensor.sum() == 3 and layout.observation(0.0).shape == (4 * 9 * n + 1,)


def test_a_repeated_zy_rotation_is_masked_until_a_wire_is_touched():
    table = ActionTable.build(3, zy_rotations=True)
    layout = CircuitLayout(table, max_moments=10)
    zy = table.index("ZY", 0, 1)
    layout.append(zy)
    assert np.flatnonzero(layout.illegal_mask()).tolist() == [zy]
    layout.append(table.index("RZ", 0))
    assert not layout.illegal_mask()[zy]


def test_coupling_map_restricts_the_zy_rotations_too():
    table = ActionTable.build(4, OURENSE, zy_rotations=True)
    assert {w for gate, w in table.actions if gate == "ZY"} == set(OURENSE)
