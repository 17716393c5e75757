"""Circuits in and out: OpenQASM 2/3 round trips with energies equal to 1e-12, the workbench's
gate set enforced with named errors, Qiskit circuits both ways, and `workbench evaluate`
reproducing a run's best energy from its best.qasm."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.cli import main
from workbench.config import get_run_preset
from workbench.devices import load_profile
from workbench.errors import ConfigError
from workbench.runs import run
from workbench.sim import Circuit, energies
from workbench.sim.qasm import parse_qasm, to_qasm3

H2_4Q = get_problem("h2-4q")


def random_circuit(seed: int, n_qubits: int = 4, n_gates: int = 14):
    rng = np.random.default_rng(seed)
    gates = []
    for _ in range(n_gates):
        kind = rng.choice(["RX", "RY", "RZ", "CNOT", "X", "H", "CZ", "SX"])
        if kind in ("CNOT", "CZ"):
            a, b = rng.choice(n_qubits, 2, replace=False)
            gates.append((kind, int(a), int(b)))
        else:
            gates.append((kind, int(rng.integers(n_qubits))))
    circuit = Circuit.from_gates(n_qubits, gates)
    return circuit, rng.uniform(-math.pi, math.pi, circuit.n_params)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("writer", ["qasm2", "qasm3"])
def test_round_trip_keeps_the_circuit_and_its_energy(seed, writer):
    circuit, params = random_circuit(seed)
    text = circuit.to_qasm(params) if writer == "qasm2" else to_qasm3(circuit, params)
    back, back_params = parse_qasm(text)
    assert back.gate_list() == circuit.gate_list()
    np.testing.assert_array_equal(back_params, params)  # repr() round-trips floats exactly
    again = back.to_qasm(back_params) if writer == "qasm2" else to_qasm3(back, back_params)
    assert again == text
    noise = load_profile("ibm-mumbai-median")  # all pairs coupled: any random CNOT is allowed
    for model in (None, noise):
        before = energies(circuit, params[None, :], H2_4Q, model)[0]
        after = energies(back, back_params[None, :], H2_4Q, model)[0]
        assert abs(before - after) < 1e-12


def test_angles_comments_measurements_and_barriers():
    text = """OPENQASM 2.0;
    include "qelib1.inc";  // the standard gates
    qreg q[2]; creg c[2];
    rx(pi/2) q[0]; ry(-2*pi/3) q[1]; rz(1e-3) q[0];
    barrier q[0], q[1];
    CX q[0],q[1];
    measure q[0] -> c[0];
    """
    circuit, params = parse_qasm(text)
    assert circuit.gate_list() == [["RX", 0], ["RY", 1], ["RZ", 0], ["CNOT", 0, 1]]
    np.testing.assert_allclose(params, [math.pi / 2, -2 * math.pi / 3, 1e-3])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("OPENQASM 2.0; qreg q[2]; u3(0.1,0.2,0.3) q[0];", r"gate 'u3' is not in the workbench"),
        ("OPENQASM 2.0; qreg q[2]; qreg r[1]; x q[0];", r"one quantum register only"),
        ("OPENQASM 2.0; qreg q[2]; x q[2];", r"q\[2\] is outside q\[2\]"),
        ("OPENQASM 2.0; qreg q[2]; rx q[0];", r"rx needs an angle"),
        ("OPENQASM 2.0; qreg q[2]; x(0.1) q[0];", r"x takes no angle"),
        ("OPENQASM 2.0; qreg q[2]; cx q[0];", r"cx acts on 2 qubit"),
        ("OPENQASM 2.0; x q[0]; qreg q[1];", r"a gate before the register"),
        ("OPENQASM 3.0; qubit[1] q; rx(__import__('os')) q[0];", r"is not a number or an expr"),
        ("OPENQASM 3.0; qubit[1] q; rx(1/0) q[0];", r"is not a number or an expression"),
        ("OPENQASM 2.0; h q[0];", r"a gate before the register"),
        ("// nothing", r"expected its version first"),
        ("OPENQASM 2.0; // nothing", r"no quantum register"),
    ],
)
def test_anything_outside_the_gate_set_is_a_named_error(text, message):
    with pytest.raises(ConfigError, match=message):
        parse_qasm(text)


def test_qiskit_circuits_both_ways():
    pytest.importorskip("qiskit")
    from workbench.sim.qasm import from_qiskit, to_qiskit

    circuit, params = random_circuit(7)
    quantum_circuit = to_qiskit(circuit, params)
    assert quantum_circuit.num_qubits == 4 and len(quantum_circuit.data) == circuit.n_gates
    back, back_params = from_qiskit(quantum_circuit)
    assert back.gate_list() == circuit.gate_list()
    before = energies(circuit, params[None, :], H2_4Q)[0]
    assert abs(energies(back, back_params[None, :], H2_4Q)[0] - before) < 1e-12


def test_evaluate_reproduces_a_runs_best_energy_from_its_qasm(tmp_path, capsys):
    config = get_run_preset("h2-2q-mumbai-demo").with_overrides({"episodes": 3})
    result = run(config, out=tmp_path / "run", progress=False)
    best = result.best
    qasm = tmp_path / "run" / "best.qasm"
    args = ["evaluate", str(qasm), "--problem", "h2-2q", "--json"]
    assert main([*args, "--noise", "ibm-mumbai-median"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert abs(record["energy"] - best["energy"]) < 1e-12  # exact expectation, same channels
    assert abs(record["noiseless_energy"] - best["noiseless_energy"]) < 1e-12
    assert (record["n_gates"], record["n_cnots"]) == (best["n_gates"], best["n_cnots"])
    assert main(["evaluate", str(qasm), "--problem", "h2-4q"]) == 2
    assert "the circuit has 2 qubits; problem h2-4q has 4" in capsys.readouterr().err
