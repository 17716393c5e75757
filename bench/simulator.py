"""Noisy-energy throughput of the workbench simulator against PennyLane and Qiskit Aer.

Run by hand: ``.venv/bin/python -m bench.simulator [--seconds 2] [--sizes 2 4 6 8] [--noiseless]
[--gates-per-qubit 5] [--doc [--block NAME]]`` (``--doc``: the table into docs/simulator.md,
between its markers; sizes 10 and 12 use h2o-10q and lih-12q).

For n = 2, 4, 6, 8 qubits: a random circuit of 5n gates (30 % CNOT on random ordered pairs, else
RX/RY/RZ on a random qubit, one parameter each), one-qubit depolarizing p=1e-3 after every
rotation and two-qubit depolarizing p=1e-2 after every CNOT (PennyLane's p; Qiskit's λ is 4p/3
and 16p/15), and the molecular Hamiltonian of that size (h2-2q, lih-4q, lih-6q, h2o-8q). All
engines are first checked to agree to 1e-8 on the same parameters; then each is timed in this
run and the table gives evaluations per second and the ratio to the best library. "One call
each" is how a point-by-point optimiser calls: through :func:`workbench.sim.energies` (checks and
dispatch every call) or through the search's compiled objective
(:class:`workbench.sim.CompiledEnergy`); the second table gives each call's overhead: its time
minus the numba kernel's own time for one point (:func:`kernel_only`).

``--noiseless`` times what the search spends most on without noise: one energy, and one energy
with its full gradient, of the agent's kind of circuit (RX/RY/RZ/CNOT, 5n gates) at one parameter
set per call (as an optimiser calls it), for the compiled adjoint path, the numpy state vector
it replaced, PennyLane ``default.qubit`` (adjoint) and ``lightning.qubit`` (adjoint), and Qiskit
Aer's statevector method (where installed; no adjoint there: its gradient is the parameter-shift
rule, 2P+1 circuits bound in one call), all first checked to agree to 1e-8 (energies and
gradients).
"""

from __future__ import annotations

import os

# Engines share two cores: OpenMP threads that spin after a call (Aer's, numba's) would slow the
# next engine measured. Passive waiting keeps the comparison fair.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import contextlib
import time

import numpy as np
import pennylane as qml

from bench.readme import replace_block
from workbench.channels import depolarizing_kraus
from workbench.chem import get_problem
from workbench.noise import NoiseModel
from workbench.paulis import word_index
from workbench.sim import Circuit, CompiledEnergy, energies, energy_and_gradient
from workbench.sim.statevector import propagate_statevector, statevector_expectation

PROBLEMS = {2: "h2-2q", 4: "lih-4q", 6: "lih-6q", 8: "h2o-8q", 10: "h2o-10q", 12: "lih-12q"}
DEFAULT_SIZES = (2, 4, 6, 8)
GATES_PER_QUBIT = 5  # --gates-per-qubit
P1, P2 = 1e-3, 1e-2
BATCH = 64


def random_circuit(n: int, rng: np.random.Generator) -> Circuit:
    gates = []
    for _ in range(GATES_PER_QUBIT * n):
        if rng.random() < 0.3:
            gates.append(("CNOT", *rng.choice(n, 2, replace=False)))
        else:
            gates.append((str(rng.choice(["RX", "RY", "RZ"])), int(rng.integers(n))))
    return Circuit.from_gates(n, gates)


def workbench_engine(circuit, hamiltonian, backend, batched, compiled=False):
    noise = NoiseModel(depolarizing_1q=P1, depolarizing_2q=P2)
    if compiled:  # what point-by-point optimisers call in the search (CompiledEnergy)
        objective = CompiledEnergy(circuit, hamiltonian, noise, backend=backend)
        return lambda params: np.array([objective(p) for p in params])
    if batched:
        return lambda params: energies(circuit, params, hamiltonian, noise, backend=backend)
    return lambda params: np.array(
        [energies(circuit, p, hamiltonian, noise, backend=backend)[0] for p in params]
    )


def kernel_only(circuit, hamiltonian):
    """The numba kernel of one point alone (propagate in place, then the dot product), its
    arguments prepared beforehand: the floor a single call cannot go below."""
    from workbench.sim.kernels.numba_path import SingleExpectation
    from workbench.sim.measurement import readout_observable
    from workbench.sim.program import compile_program

    noise = NoiseModel(depolarizing_1q=P1, depolarizing_2q=P2)
    observable = readout_observable(hamiltonian, noise)
    indices = np.array([word_index(w) for w in observable.words], dtype=np.int64)
    single = SingleExpectation(compile_program(circuit, noise), indices,
                               observable.coefficients, observable.shift)  # fmt: skip
    return lambda params: np.array([single.energy(p) for p in params])


def pennylane_engine(circuit, hamiltonian):
    n = circuit.n_qubits
    observable = qml.dot(
        [hamiltonian.shift, *hamiltonian.coefficients],
        [qml.Identity(0)] + [qml.pauli.string_to_pauli_word(w) for w in hamiltonian.words],
    )
    kraus_2q = depolarizing_kraus(P2, 2)
    gates = {"RX": qml.RX, "RY": qml.RY, "RZ": qml.RZ}

    @qml.qnode(qml.device("default.mixed", wires=n))
    def run(params):
        for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
            if op.gate == "CNOT":
                qml.CNOT(wires=op.wires)
                qml.QubitChannel(kraus_2q, wires=op.wires)
            else:
                gates[op.gate](params[p], wires=op.wires)
                qml.DepolarizingChannel(P1, wires=op.wires)
        return qml.expval(observable)

    return lambda params: np.array([float(run(p)) for p in params])


def _aer_energies(circuit, hamiltonian, backend_options: dict):
    """Energies of ``circuit`` at a batch of parameter sets (one call, one Qiskit parameter per
    rotation) on Aer with ``backend_options``, exact expectations; ``None`` without Qiskit Aer.
    Qiskit labels are little-endian: our words (wire 0 leftmost) are reversed."""
    try:
        from qiskit import QuantumCircuit
        from qiskit.circuit import ParameterVector
        from qiskit.quantum_info import SparsePauliOp
        from qiskit_aer.primitives import EstimatorV2
    except ImportError:
        return None
    n = circuit.n_qubits
    theta = ParameterVector("t", circuit.n_params)
    qc = QuantumCircuit(n)
    for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
        if op.gate == "CNOT":
            qc.cx(*op.wires)
        else:
            getattr(qc, op.gate.lower())(theta[p], op.wires[0])
    labels = ["I" * n] + [w[::-1] for w in hamiltonian.words]
    observable = SparsePauliOp(labels, [hamiltonian.shift, *hamiltonian.coefficients])
    options = {"backend_options": backend_options, "default_precision": 0.0}
    estimator = EstimatorV2(options=options)
    return lambda params: np.asarray(
        estimator.run([(qc, observable, params)]).result()[0].data.evs
    ).reshape(-1)


def qiskit_engine(circuit, hamiltonian):
    """Aer's density-matrix method with the benchmark's depolarizing channels (batched), or
    ``None`` without Qiskit Aer."""
    try:
        from qiskit_aer.noise import NoiseModel as AerNoise
        from qiskit_aer.noise import depolarizing_error
    except ImportError:
        return None
    noise = AerNoise()
    noise.add_all_qubit_quantum_error(depolarizing_error(4 * P1 / 3, 1), ["rx", "ry", "rz"])
    noise.add_all_qubit_quantum_error(depolarizing_error(16 * P2 / 15, 2), ["cx"])
    return _aer_energies(circuit, hamiltonian, {"method": "density_matrix", "noise_model": noise})


def qiskit_noiseless(circuit, hamiltonian):
    """(energy, energy and gradient) on Aer's statevector method, or ``None`` without Aer. Aer
    has no adjoint gradient: the gradient is the parameter-shift rule, all 2P+1 circuits bound
    in one batched call (each parameter drives one rotation, so the ±π/2 rule is exact)."""
    run = _aer_energies(circuit, hamiltonian, {"method": "statevector"})
    if run is None:
        return None
    shifts = np.vstack([np.zeros(circuit.n_params), *(np.pi / 2 * s * np.eye(circuit.n_params)
                                                      for s in (1, -1))])  # fmt: skip

    def value_and_grad(x):
        values = run(x + shifts)
        plus, minus = np.split(values[1:], 2)
        return float(values[0]), (plus - minus) / 2

    return lambda x: float(run(x[None])[0]), value_and_grad


def throughput(engine, params, seconds: float, windows: int = 3) -> float:
    """Best of ``windows`` timing windows (evaluations per second), after a warm-up call."""
    engine(params[:2])  # warm-up (JIT, caches)
    rates = []
    for _ in range(windows):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / windows:
            engine(params)
            count += params.shape[0]
        rates.append(count / (time.perf_counter() - start))
    return max(rates)


def pennylane_noiseless(circuit, hamiltonian, device_name):
    """(energy, energy and gradient) callables on PennyLane's ``device_name`` with adjoint."""
    observable = qml.dot(
        list(hamiltonian.coefficients),
        [
            qml.pauli.string_to_pauli_word(w, {q: q for q in range(circuit.n_qubits)})
            for w in hamiltonian.words
        ],
    )
    gates = {"RX": qml.RX, "RY": qml.RY, "RZ": qml.RZ}

    @qml.qnode(qml.device(device_name, wires=circuit.n_qubits), diff_method="adjoint")
    def run(x):
        for op, p in zip(circuit.operations, circuit.parameter_indices(), strict=True):
            qml.CNOT(wires=op.wires) if op.gate == "CNOT" else gates[op.gate](x[p], wires=op.wires)
        return qml.expval(observable)

    def value_and_grad(x):
        x = qml.numpy.array(x, requires_grad=True)
        return float(run(x)) + hamiltonian.shift, np.asarray(qml.grad(run)(x))

    return lambda x: float(run(x)) + hamiltonian.shift, value_and_grad


def noiseless_rows(n: int, seconds: float) -> list[tuple]:
    rng = np.random.default_rng(2024 + n)
    hamiltonian = get_problem(PROBLEMS[n]).hamiltonian
    circuit = random_circuit(n, rng)
    x = rng.uniform(-np.pi, np.pi, circuit.n_params)
    engines = {
        "workbench compiled adjoint": (
            lambda y: energies(circuit, y[None], hamiltonian)[0],
            lambda y: energy_and_gradient(circuit, y, hamiltonian),
        ),
        "workbench compiled objective (CompiledEnergy)": (
            objective := CompiledEnergy(circuit, hamiltonian),
            objective.value_and_gradient,
        ),
        "workbench numpy state vector (before)": (
            lambda y: statevector_expectation(propagate_statevector(circuit, y[None]), hamiltonian)[
                0
            ],
            None,
        ),
        "pennylane default.qubit adjoint": pennylane_noiseless(
            circuit, hamiltonian, "default.qubit"
        ),
    }
    with contextlib.suppress(Exception):  # lightning.qubit is optional
        engines["pennylane lightning.qubit adjoint"] = pennylane_noiseless(
            circuit, hamiltonian, "lightning.qubit"
        )
    aer = qiskit_noiseless(circuit, hamiltonian)
    if aer is not None:  # Qiskit is optional (the `aer` extra)
        engines["qiskit-aer statevector (parameter shift)"] = aer
    reference_energy, reference_gradient = engines["pennylane default.qubit adjoint"][1](x)
    for name, (energy, gradient) in engines.items():
        deviation = abs(energy(x) - reference_energy)
        if gradient is not None:
            deviation = max(deviation, np.abs(gradient(x)[1] - reference_gradient).max())
        if deviation > 1e-8:
            raise SystemExit(f"n={n}: {name} disagrees with default.qubit by {deviation:.2e}")
    rows = []
    for name, (energy, gradient) in engines.items():
        rates = [
            throughput(_single(f), x[None], seconds) if f else None for f in (energy, gradient)
        ]
        rows.append((n, PROBLEMS[n], circuit.n_gates, name, *rates))
    best = {
        k: max(r[4 + k] for r in rows if not r[3].startswith("workbench") and r[4 + k])
        for k in (0, 1)
    }
    return [(*r, *(r[4 + k] / best[k] if r[4 + k] else None for k in (0, 1))) for r in rows]


def _single(function):
    """Adapt a one-point callable to :func:`throughput`'s batch of one."""
    return lambda params: function(params[0])


def _rate(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if value >= 10 else f"{value:.2g}"


def noiseless_table(sizes, seconds: float) -> str:
    rows = [row for n in sizes for row in noiseless_rows(n, seconds)]
    lines = [
        "| qubits | problem | gates | engine | energies/s | energy+gradient/s "
        "| × best library (energy / gradient) |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, problem, gates, name, energy, gradient, r_energy, r_gradient in rows:
        lines.append(
            f"| {n} | {problem} | {gates} | {name} | {_rate(energy)} | {_rate(gradient)} "
            f"| {_rate(r_energy)} / {_rate(r_gradient)} |"
        )
    return "\n".join(lines)


def main() -> None:
    global GATES_PER_QUBIT  # random_circuit's length, set once from the command line
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing budget per engine")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        choices=sorted(PROBLEMS))  # fmt: skip
    parser.add_argument("--gates-per-qubit", type=int, default=GATES_PER_QUBIT)
    parser.add_argument("--block", help="the docs block to replace (default: the mode's table)")
    parser.add_argument("--noiseless", action="store_true", help="energies and gradients, no noise")
    parser.add_argument("--doc", action="store_true", help="write the table into docs/simulator.md")
    args = parser.parse_args()
    GATES_PER_QUBIT = args.gates_per_qubit
    if args.noiseless:
        text = noiseless_table(args.sizes, args.seconds)
        print(text)
        if args.doc:
            replace_block(args.block or "simulator-noiseless-table", text)
        return
    rows, overheads = [], []
    for n in args.sizes:
        rng = np.random.default_rng(2024 + n)  # the same circuit whichever sizes are run
        hamiltonian = get_problem(PROBLEMS[n]).hamiltonian
        circuit = random_circuit(n, rng)
        params = rng.uniform(-np.pi, np.pi, (BATCH, circuit.n_params))
        engines = {
            "workbench numba, batch 64": workbench_engine(circuit, hamiltonian, "numba", True),
            "workbench numba, one call each": workbench_engine(
                circuit, hamiltonian, "numba", False
            ),
            "workbench numba, compiled objective, one call each": workbench_engine(
                circuit, hamiltonian, "numba", False, compiled=True
            ),
            "workbench numpy, batch 64": workbench_engine(circuit, hamiltonian, "numpy", True),
            "pennylane default.mixed": pennylane_engine(circuit, hamiltonian),
        }
        aer = qiskit_engine(circuit, hamiltonian)
        if aer is not None:
            engines["qiskit-aer density_matrix, 64 binds"] = aer
        check = params[:4]
        values = {name: engine(check) for name, engine in engines.items()}
        reference = values["pennylane default.mixed"]
        for name, value in values.items():
            deviation = np.abs(value - reference).max()
            if deviation > 1e-8:
                raise SystemExit(f"n={n}: {name} disagrees with default.mixed by {deviation:.2e}")
        rates = {}
        for name, engine in engines.items():
            small = params if "pennylane" not in name else params[: max(4, 16 // n)]
            rates[name] = throughput(engine, small, args.seconds)
        best_library = max(v for k, v in rates.items() if not k.startswith("workbench"))
        for name, rate in rates.items():
            rows.append((n, PROBLEMS[n], circuit.n_gates, name, rate, rate / best_library))
        kernel = throughput(kernel_only(circuit, hamiltonian), params, args.seconds)
        overhead = {  # what a call costs beyond the numba kernel's own time for one point
            k: (1 / rates[f"workbench numba, {k}one call each"] - 1 / kernel) * 1e6
            for k in ("", "compiled objective, ")
        }
        overheads.append((n, overhead[""], overhead["compiled objective, "]))
        print(
            f"n={n}: engines agree to 1e-8; "
            + ", ".join(f"{k}: {v:,.0f}/s" for k, v in rates.items()),
            flush=True,
        )
    lines = ["| qubits | problem | gates | engine | evaluations/s | × best library |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for n, problem, gates, name, rate, ratio in rows:
        lines.append(f"| {n} | {problem} | {gates} | {name} | {_rate(rate)} | {_rate(ratio)} |")
    lines += ["", "| qubits | per-call overhead through energies() [µs] "
              "| per-call overhead, compiled objective [µs] |", "|---|---|---|"]  # fmt: skip
    # overhead: a call's time minus the numba kernel's own time for one point (kernel_only)
    lines += [f"| {n} | {plain:.1f} | {compiled:.1f} |" for n, plain, compiled in overheads]
    print("\n".join(lines))
    if args.doc:
        replace_block(args.block or "simulator-table", "\n".join(lines))


if __name__ == "__main__":
    main()
