"""Cross-check against Qiskit Aer (where ``qiskit-aer`` is installed): a Qiskit noise model built
from a device profile — thermal relaxation, depolarizing with Qiskit's λ (4p/3, joint 16p/15),
readout error — gives the same noisy energy as the PTM engine to 1e-8 on random circuits, in
both channel orders and with virtual RZ gates."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.devices import load_profile
from workbench.paulis import PauliHamiltonian
from workbench.sim import Circuit, energies
from workbench.sim.qasm import to_qiskit

aer = pytest.importorskip("qiskit_aer")
noise_module = pytest.importorskip("qiskit_aer.noise")

PROBLEM = get_problem("h2-4q")


def aer_noise_model(model, n_qubits: int):
    """The Qiskit noise model of our NoiseModel, built from the definitions alone."""
    from qiskit_aer.noise import (
        NoiseModel,
        ReadoutError,
        depolarizing_error,
        thermal_relaxation_error,
    )

    aer_model = NoiseModel(basis_gates=["rx", "ry", "rz", "x", "cx"])

    def relaxation(q, time):
        t1, t2 = model._value(model.t1, q) * 1000, model._value(model.t2, q) * 1000  # ns
        return thermal_relaxation_error(t1, t2, time)

    def ordered(relax, depolarizing):
        if model.channel_order == "relaxation_first":
            return relax.compose(depolarizing)
        return depolarizing.compose(relax)

    for q in range(n_qubits):
        p = model._value(model.depolarizing_1q, q)
        error = ordered(relaxation(q, model.gate_time_1q), depolarizing_error(4 * p / 3, 1))
        gates = ["rx", "ry", "x"] + ([] if model.virtual_rz else ["rz"])
        aer_model.add_quantum_error(error, gates, [q])
        p01, p10 = model.readout(q)
        aer_model.add_readout_error(ReadoutError([[1 - p01, p01], [p10, 1 - p10]]), [q])
    for a, b in model.coupling_map or itertools.permutations(range(n_qubits), 2):
        relax = relaxation(a, model.gate_time_2q).expand(relaxation(b, model.gate_time_2q))
        p = model.two_qubit_error((a, b))
        aer_model.add_quantum_error(
            ordered(relax, depolarizing_error(16 * p / 15, 2)), "cx", [a, b]
        )
    return aer_model


def aer_energy(circuit: Circuit, params, model) -> float:
    """⟨H⟩ from Aer's density matrix, with readout error on every measured Pauli word: each
    measured qubit's ±1 outcome becomes a·z + b (a = 1 − p01 − p10, b = p10 − p01)."""
    from qiskit_aer import AerSimulator

    qc = to_qiskit(circuit, params)
    qc.save_density_matrix()
    simulator = AerSimulator(method="density_matrix", noise_model=aer_noise_model(model, 4))
    rho = simulator.run(qc).result().data()["density_matrix"].reverse_qargs().data
    energy = PROBLEM.hamiltonian.shift
    for word, coefficient in PROBLEM.hamiltonian.terms():
        support = [q for q, letter in enumerate(word) if letter != "I"]
        for kept in itertools.product([False, True], repeat=len(support)):
            weight, letters = 1.0, list("I" * 4)
            for q, keep in zip(support, kept, strict=True):
                p01, p10 = model.readout(q)
                weight *= (1 - p01 - p10) if keep else (p10 - p01)
                letters[q] = word[q] if keep else "I"
            if weight:
                matrix = PauliHamiltonian.from_terms({"".join(letters): 1.0}, 4).sparse_matrix(
                    include_shift=True
                )
                if set(letters) == {"I"}:
                    energy += coefficient * weight
                else:
                    energy += coefficient * weight * float(np.real(np.trace(matrix @ rho)))
    return energy


def random_circuit(seed: int, pairs) -> tuple[Circuit, np.ndarray]:
    rng = np.random.default_rng(seed)
    gates = [("X", 0), ("X", 1)]
    for _ in range(16):
        kind = rng.choice(["RX", "RY", "RZ", "CNOT"])
        if kind == "CNOT":
            gates.append(("CNOT", *pairs[int(rng.integers(len(pairs)))]))
        else:
            gates.append((kind, int(rng.integers(4))))
    circuit = Circuit.from_gates(4, gates)
    return circuit, rng.uniform(-math.pi, math.pi, circuit.n_params)


@pytest.mark.parametrize("profile", ["ibm-ourense", "ibm-mumbai-max"])
@pytest.mark.parametrize("order", ["relaxation_first", "depolarizing_first"])
@pytest.mark.parametrize("virtual_rz", [False, True])
def test_the_ptm_engine_agrees_with_qiskit_aer(profile, order, virtual_rz):
    model = load_profile(profile)
    model = dataclasses.replace(model, channel_order=order, virtual_rz=virtual_rz)
    pairs = list(model.coupling_map or itertools.permutations(range(4), 2))
    for seed in range(3):
        circuit, params = random_circuit(seed, pairs)
        ours = float(energies(circuit, params, PROBLEM, model)[0])
        assert ours == pytest.approx(aer_energy(circuit, params, model), abs=1e-8)


def test_channel_order_and_virtual_rz_change_the_energy_only_when_they_should():
    model = load_profile("ibm-mumbai-max")
    circuit, params = random_circuit(5, list(itertools.permutations(range(4), 2)))
    assert any(op.gate == "RZ" for op in circuit.operations)

    def energy(c, x, **changes):
        return float(energies(c, x, PROBLEM, dataclasses.replace(model, **changes))[0])

    base = energy(circuit, params)
    assert abs(energy(circuit, params, channel_order="depolarizing_first") - base) > 1e-9
    assert abs(energy(circuit, params, virtual_rz=True) - base) > 1e-9
    no_rz = Circuit.from_gates(4, [g for g in circuit.gate_list() if g[0] != "RZ"])
    x = np.linspace(0.1, 1.0, no_rz.n_params)
    assert energy(no_rz, x, virtual_rz=True) == energy(no_rz, x)
