"""Baselines: compiled Pauli rotations and excitations against matrix exponentials, routing
and gate cancellation against the unrouted circuit, UCCSD and ADAPT-VQE reaching E0 on H2,
hand-counted energy evaluations, random search within its budget and the agent's action set,
and `workbench baselines` on a problem and on a run folder."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import scipy.linalg

from workbench.baselines import Objective, baselines_for_run, run_baselines
from workbench.baselines.ansatz import (
    AnsatzBuilder,
    excitation_block,
    hardware_efficient,
    hartree_fock,
)
from workbench.chem import get_problem
from workbench.chem.excitations import excitations, pool
from workbench.cli import main
from workbench.config import BaselineConfig, get_run_preset
from workbench.devices import load_profile
from workbench.errors import ConfigError
from workbench.paulis import PauliHamiltonian
from workbench.runs import run
from workbench.sim import Circuit, Mitigation, energies
from workbench.sim.statevector import propagate_statevector

OURENSE = load_profile("ibm-ourense")


def _state(ansatz, params=()) -> np.ndarray:
    return propagate_statevector(ansatz.circuit, ansatz.angles(np.asarray(params, float)))[0]


def _prepared(n: int, seed: int) -> AnsatzBuilder:
    """A builder holding a random product-and-entangled preparation (fixed gates)."""
    rng = np.random.default_rng(seed)
    builder = AnsatzBuilder(n)
    for q in range(n):
        builder.fixed("RY", q, angle=rng.uniform(-3, 3))
        builder.fixed("RZ", q, angle=rng.uniform(-3, 3))
    for q in range(n - 1):
        builder.fixed("CNOT", q, q + 1)
    return builder


@pytest.mark.parametrize("word", ["XZY", "YIX", "ZZZ", "IYI", "XXY"])
@pytest.mark.parametrize("coupling", [None, "line"])
def test_a_compiled_pauli_rotation_is_the_matrix_exponential(word, coupling):
    coupling_map = None if coupling is None else [(0, 1), (1, 0), (1, 2), (2, 1)]
    prep = _prepared(3, seed=len(word))
    before = _state(prep.build("prep"))
    builder = _prepared(3, seed=len(word))
    theta, c = 0.731, -0.37
    builder.pauli_rotation(word, builder.parameter("t"), c)
    ansatz = builder.build("rotation", coupling_map)
    matrix = PauliHamiltonian.from_terms({word: 1.0}, 3).sparse_matrix().toarray()
    expected = scipy.linalg.expm(-1j * theta * c * matrix) @ before
    np.testing.assert_allclose(_state(ansatz, [theta]), expected, atol=1e-12)
    if coupling_map:
        cnots = [op.wires for op in ansatz.circuit.operations if op.gate == "CNOT"]
        assert set(cnots) <= set(coupling_map)


@pytest.mark.parametrize("problem_id", ["h2-2q", "h2-3q", "h2-4q", "lih-4q"])
def test_excitation_blocks_are_the_exponential_of_their_generator(problem_id):
    problem = get_problem(problem_id)
    n = problem.n_qubits
    for excitation in excitations(problem)[:4]:
        builder = _prepared(n, seed=3)
        before = _state(_prepared(n, seed=3).build("prep"))
        excitation_block(builder, excitation, builder.parameter(excitation.label))
        ansatz = builder.build("block")
        g = excitation.generator.sparse_matrix().toarray()
        np.testing.assert_allclose(g, g.conj().T, atol=1e-14)  # Hermitian generator
        expected = scipy.linalg.expm(-1j * 0.4 * g) @ before
        np.testing.assert_allclose(_state(ansatz, [0.4]), expected, atol=1e-12)


def test_fermionic_excitations_conserve_the_particle_number():
    problem = get_problem("h2-4q")  # Jordan–Wigner: N = sum of (1 - Z_q)/2
    number = sum(
        (np.eye(16) - PauliHamiltonian.from_terms({"I" * q + "Z" + "I" * (3 - q): 1}, 4)
         .sparse_matrix().toarray()) / 2 for q in range(4)
    )  # fmt: skip
    for excitation in pool(problem, "fermionic"):
        g = excitation.generator.sparse_matrix().toarray()
        np.testing.assert_allclose(g @ number - number @ g, 0, atol=1e-14)
    # the qubit pool: every word of every generator once (single words need not conserve N)
    words = {w for e in excitations(problem) for w in e.generator.words}
    assert sorted(e.label for e in pool(problem, "qubit")) == sorted(words)
    labels = [e.label for e in excitations(problem)]
    assert labels == ["S(0→2)", "S(1→3)", "D(0,1→2,3)"]


def test_cancellation_removes_adjacent_inverse_pairs_only():
    builder = AnsatzBuilder(2)
    builder.fixed("CNOT", 0, 1)
    builder.fixed("CNOT", 0, 1)  # cancels with the first
    builder.fixed("RY", 0, angle=math.pi / 2)
    builder.fixed("RY", 0, angle=-math.pi / 2)  # cancels
    builder.fixed("RX", 1, angle=0.3)
    builder.fixed("RX", 1, angle=0.2)  # merges into RX(0.5)
    builder.fixed("CNOT", 1, 0)
    builder.rotation("RZ", 0, builder.parameter("t"))
    builder.fixed("CNOT", 1, 0)  # not adjacent: a parametrised gate on wire 0 in between
    ansatz = builder.build("peephole")
    assert ansatz.circuit.gate_list() == [["RX", 1], ["CNOT", 1, 0], ["RZ", 0], ["CNOT", 1, 0]]
    np.testing.assert_allclose(ansatz.angles([0.9]), [[0.5, 0.9]])


def test_routing_a_cnot_on_the_ourense_map_keeps_the_circuit():
    builder = _prepared(4, seed=1)
    builder.fixed("CNOT", 0, 2)  # 0 and 2 are not connected on Ourense (0-1, 1-2, 1-3)
    builder.fixed("CNOT", 3, 2)
    plain, routed = builder.build("plain"), builder.build("routed", OURENSE.coupling_map)
    np.testing.assert_allclose(_state(routed), _state(plain), atol=1e-12)
    cnots = [op.wires for op in routed.circuit.operations if op.gate == "CNOT"]
    assert set(cnots) <= set(OURENSE.coupling_map)
    with pytest.raises(ConfigError, match="both ways"):
        one_way = AnsatzBuilder(3)
        one_way.fixed("CNOT", 0, 2)
        one_way.build("x", [(0, 1), (1, 2)])


def test_hea_has_the_documented_shape_and_obeys_a_coupling_map():
    ansatz = hardware_efficient(4, 2, bits=(1, 1, 0, 0))
    assert ansatz.n_params == 2 * 4 * 3  # RY and RZ per qubit, L + 1 layers
    assert ansatz.circuit.n_two_qubit == 2 * 3  # a chain per layer
    assert [op.gate for op in ansatz.circuit.operations[:2]] == ["X", "X"]
    mapped = hardware_efficient(4, 1, coupling_map=OURENSE.coupling_map)
    assert [op.wires for op in mapped.circuit.operations if op.gate == "CNOT"] == [
        (0, 1), (1, 2), (1, 3)
    ]  # fmt: skip


@pytest.mark.parametrize("problem_id", ["h2-2q", "h2-3q", "h2-4q"])
def test_uccsd_and_adapt_reach_e0_on_h2_noiselessly(problem_id):
    rows = run_baselines(problem_id, methods=("uccsd", "adapt"))
    assert [r.method for r in rows] == ["uccsd", "adapt", "adapt"]
    for row in rows:
        assert row.error < 1e-6 and row.noiseless_error == pytest.approx(row.error)
        assert row.evaluations > 0 and row.n_params >= 1


def test_adapt_stops_at_the_first_circuit_within_the_stop_error():
    settings = {"methods": ("adapt",), "adapt_pools": ("qubit",)}
    (full,) = run_baselines("lih-4q", **settings)
    (early,) = run_baselines("lih-4q", adapt_stop_error=1e-2, **settings)
    assert early.error < 1e-2 <= 0.119  # LiH-4q's Hartree-Fock state is 119 mHa above E0
    assert "within 1.0e-02 Ha of E0" in early.variant
    assert early.n_params < full.n_params and full.error < early.error
    # the same operators in the same order, cut where the error first fell below 10 mHa
    assert early.gates == full.gates[: len(early.gates)]
    # a start already within the stop error needs no operator (H2O-8q: Hartree-Fock 2.6 mHa off)
    (none,) = run_baselines("h2o-8q", adapt_stop_error=3e-3, **settings)
    assert none.n_params == 0 and "0 operators (within 3.0e-03 Ha of E0)" in none.variant


def test_hea_reaches_chemical_accuracy_on_h2_2q_and_random_search_spends_its_budget():
    rows = run_baselines("h2-2q", methods=("hea", "random"), hea_layers=(1,), random_budget=300)
    hea, random = rows
    assert hea.error < 1.6e-3
    assert 300 <= random.evaluations < 300 + 200  # stops after the step that crossed it
    assert {g[0] for g in random.gates} <= {"X", "RX", "RY", "RZ", "CNOT"}
    (zy,) = run_baselines("h2-2q", methods=("random",), random_budget=300,
                          random_zy_rotations=True)  # fmt: skip
    assert {g[0] for g in zy.gates} <= {"X", "RX", "RY", "RZ", "CNOT"}  # a block is 3 gates


def test_objective_counts_evaluations_as_a_device_would():
    problem = get_problem("h2-2q")
    objective = Objective(problem, None, None, np.random.default_rng(0))
    builder = AnsatzBuilder(2)
    hartree_fock(builder, problem.hartree_fock_state)
    for e in excitations(problem):
        excitation_block(builder, e, builder.parameter(e.label))
    ansatz = builder.build("uccsd")
    objective(ansatz, np.zeros((5, ansatz.n_params)))
    assert objective.evaluations == 5
    rotations = int(np.count_nonzero(np.any(ansatz.weights != 0, axis=1)))
    objective.value_and_gradient(ansatz, np.zeros(ansatz.n_params))
    assert objective.evaluations == 5 + 1 + 2 * rotations
    last = int(np.count_nonzero(ansatz.weights[:, -1]))
    objective.derivative(ansatz, np.zeros(ansatz.n_params), ansatz.n_params - 1)
    assert objective.evaluations == 5 + 1 + 2 * rotations + 2 * last


def test_noisy_parameter_shift_gradient_matches_finite_differences():
    problem = get_problem("h2-4q-qcas")
    objective = Objective(problem, OURENSE, None, None)
    ansatz = hardware_efficient(4, 1, bits=problem.hartree_fock_state,
                                coupling_map=OURENSE.coupling_map)  # fmt: skip
    x = np.random.default_rng(2).normal(0, 0.5, ansatz.n_params)
    value, gradient = objective.value_and_gradient(ansatz, x)
    h = 1e-6
    steps = x + h * np.eye(x.size), x - h * np.eye(x.size)
    numeric = (objective(ansatz, steps[0]) - objective(ansatz, steps[1])) / (2 * h)
    np.testing.assert_allclose(gradient, numeric, atol=1e-7)
    assert value == pytest.approx(objective.exact(ansatz, x), abs=1e-12)


def test_bad_settings_are_named_before_any_work():
    with pytest.raises(ConfigError, match="methods='vqe'"):
        BaselineConfig(methods=("vqe",))
    with pytest.raises(ConfigError, match="adapt_pools='bosonic'"):
        BaselineConfig(adapt_pools="bosonic")
    with pytest.raises(ConfigError, match="hea_layers=0"):
        BaselineConfig(hea_layers=(0,))
    with pytest.raises(ConfigError, match=r"adapt_stop_error=0 .*\(0.0, 10.0\]"):
        BaselineConfig(adapt_stop_error=0)
    with pytest.raises(ConfigError, match="lbfgs"):
        run_baselines("h2-2q", _noise_with_shots(), optimizer=_lbfgs())


def _noise_with_shots():
    from workbench.config import NoiseConfig

    return NoiseConfig("ibm-mumbai-median", shots=100)


def _lbfgs():
    from workbench.config import OptimizerConfig

    return OptimizerConfig(method="lbfgs")


def test_cli_prints_rows_as_json_and_names_bad_input(capsys):
    assert main(["baselines", "h2-2q", "--methods", "uccsd,hea", "--layers", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["method"] for r in rows] == ["uccsd", "hea"]
    assert rows[0]["error"] < 1e-6 and rows[0]["gates"][0][0] in ("X", "RX", "RY", "RZ", "CNOT")
    circuit = Circuit.from_gates(2, rows[0]["gates"])
    again = energies(circuit, np.array(rows[0]["params"]), get_problem("h2-2q"))[0]
    assert again == pytest.approx(rows[0]["energy"], abs=1e-12)
    assert main(["baselines", "h2-2q", "--methods", "uccsd,vqe"]) == 2
    assert "methods='vqe'" in capsys.readouterr().err
    assert main(["baselines"]) == 2
    assert "--run" in capsys.readouterr().err
    assert main(["baselines", "h2-2q", "--methods", "adapt", "--stop-error", "0"]) == 2
    assert "adapt_stop_error=0.0 is not allowed" in capsys.readouterr().err


def test_baselines_for_a_run_use_its_noise_budget_and_list_its_best_circuit(tmp_path, capsys):
    config = get_run_preset("h2-2q-mumbai-demo").with_overrides({"episodes": 6})
    folder = tmp_path / "run"
    run(config, out=folder, progress=False)
    rows = baselines_for_run(folder, methods=("random",))
    random, agent = rows[0], rows[-1]
    metrics = [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines()]
    spent = sum(m["evaluations"] for m in metrics)
    assert agent.method == "crlqas" and agent.evaluations == spent > 0
    assert spent <= random.evaluations < spent + 3000
    best = json.loads((folder / "best.json").read_text())["circuits"][0]
    assert agent.gates == tuple(tuple(g) for g in best["gates"])
    assert main(["baselines", "--run", str(folder), "--noise", "ibm-ourense"]) == 2
    assert "either --run or PROBLEM" in capsys.readouterr().err


def test_the_environment_counts_every_energy_it_evaluates(monkeypatch):
    import workbench.env.vqe as vqe
    from workbench.optim import COBYLA

    seen = []
    original = vqe.search_energies

    def counting(circuit, params, *args, **kwargs):
        seen.append(len(params))
        return original(circuit, params, *args, **kwargs)

    monkeypatch.setattr(vqe, "search_energies", counting)
    from workbench.sim import CompiledEnergy

    one_point = CompiledEnergy.__call__  # the compiled objective: one energy per call

    def counting_one(self, theta):
        seen.append(1)
        return one_point(self, theta)

    monkeypatch.setattr(CompiledEnergy, "__call__", counting_one)
    env = vqe.CircuitGrowthEnv(get_problem("h2-2q"), optimizer=COBYLA(15),
                               rotosolve_new_angle=True, seed=0)  # fmt: skip
    env.reset()
    for action in (0, 1, len(env.table) - 1):
        env.step(action)
    assert env.evaluations == sum(seen) > 3


def test_the_comparison_figure_has_a_marker_per_row_and_the_accuracy_line():
    from workbench import figures

    rows = run_baselines("h2-2q", "ibm-mumbai-median", methods=("uccsd", "hea"), hea_layers=(1, 2))
    fig = figures.baseline_comparison(rows, "H2")
    solid = [t for t in fig.data if not t.name.endswith("(noiseless)")]
    assert [t.name for t in solid] == ["uccsd", "hea"]
    assert [len(t.x) for t in solid] == [1, 2]
    assert list(solid[1].y) == pytest.approx([r.error for r in rows[1:]])
    assert any(t.name == "hea (noiseless)" for t in fig.data)  # noisy rows: open markers
    assert fig.layout.shapes[0].y0 == pytest.approx(1.6e-3)


def test_random_search_sees_the_objectives_readout_mitigated_energies(monkeypatch):
    """Issue 24: the random-search environment was built without readout mitigation although
    its objective mitigates readout, so it ranked circuits by raw energies. Every energy the
    environment reports now equals the objective's for the same circuit."""
    from workbench.baselines import methods

    built = []
    original = methods.build_env
    monkeypatch.setattr(
        methods, "build_env", lambda *a, **k: built.append(original(*a, **k)) or built[-1]
    )
    problem = get_problem("h2-2q")
    noise = load_profile("ibm-mumbai-median")
    mitigation = Mitigation(readout=True)
    objective = Objective(problem, noise, None, np.random.default_rng(0), mitigation)
    config = BaselineConfig(methods=("random",), random_budget=40)
    methods.random_search(objective, config, np.random.default_rng(1))
    zy = BaselineConfig(methods=("random",), random_budget=40, random_zy_rotations=True)
    methods.random_search(objective, zy, np.random.default_rng(1))
    assert [len(e.table) for e in built] == [8, 10]  # the agent's actions, + ZY(0,1), ZY(1,0)
    env = built[0]
    assert env.mitigation == mitigation
    env.reset()
    _, _, _, _, info = env.step(int(np.flatnonzero(env.action_mask())[0]))
    circuit = Circuit.from_gates(problem.n_qubits, info["gates"])
    mitigated = objective.exact_noise  # what the objective evaluates exact expectations under
    assert mitigated is not noise
    expected = energies(circuit, np.atleast_2d(info["params"]), problem.hamiltonian, mitigated)
    assert info["energy"] == pytest.approx(float(expected[0]), abs=1e-10)
