"""The pieces of the fast search: budget-scaled exploration, replay ratio, the sparse first layer,
L-BFGS-B angles, the Hartree-Fock start, the E0-free initial threshold, the fast presets at tiny
budgets and the time-to-chemical-accuracy reading of a run folder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.agent.base import Experience
from workbench.agent.dqn import DoubleDQN, SparseInputLinear
from workbench.chem import get_problem
from workbench.config import AgentConfig, get_run_preset
from workbench.env.vqe import CircuitGrowthEnv, preparation
from workbench.errors import ConfigError
from workbench.experiment import build
from workbench.optim import COBYLA, LBFGS
from workbench.results import load_run
from workbench.runs import run


def agent(episodes=None, **options):
    settings = AgentConfig(
        hidden=(16,), gamma=0.9, batch_size=4, memory_size=100, device="cpu", **options
    )
    return DoubleDQN(observation_size=3, n_actions=2, settings=settings, episodes=episodes)


def test_linear_exploration_schedule_per_episode():
    """ε0=1, ε_min=0.1, fraction 0.5 of 10 episodes: ε_e = 1 - 0.9 e/5, then 0.1."""
    a = agent(episodes=10, exploration_fraction=0.5, epsilon_min=0.1)
    values = []
    for episode in range(8):
        a.begin_episode(episode)
        values.append(a.epsilon)
    np.testing.assert_allclose(values, [1.0, 0.82, 0.64, 0.46, 0.28, 0.1, 0.1, 0.1])
    with pytest.raises(ConfigError, match="episode budget"):
        agent(exploration_fraction=0.5)


def test_linear_schedule_is_not_decayed_by_gradient_steps():
    a = agent(episodes=10, exploration_fraction=0.5)
    a.begin_episode(0)
    for _ in range(10):
        a.observe(Experience(np.ones(3, np.float32), 0, 1.0, np.ones(3, np.float32),
                             np.ones(2, bool), True, False))  # fmt: skip
    for _ in range(5):
        a.learn()
    assert a.epsilon == 1.0 and a.gradient_steps == 5


@pytest.mark.parametrize(("ratio", "steps"), [(1.0, 8), (0.25, 2), (2.0, 16), (0.3, 2)])
def test_replay_ratio_sets_gradient_steps_per_environment_step(ratio, steps):
    a = agent(replay_ratio=ratio)
    for _ in range(10):
        a.observe(Experience(np.ones(3, np.float32), 1, 0.0, np.ones(3, np.float32),
                             np.ones(2, bool), True, False))  # fmt: skip
    for _ in range(8):
        a.learn()
    assert a.gradient_steps == steps


def test_sparse_first_layer_is_the_same_function_and_gradient_as_linear():
    torch.manual_seed(3)
    sparse = SparseInputLinear(40, 7)
    torch.manual_seed(3)
    dense = torch.nn.Linear(40, 7)
    np.testing.assert_array_equal(sparse.weight.detach().T.numpy(), dense.weight.detach().numpy())
    x = (torch.rand(5, 40) < 0.1).float()
    x[:, -1] = torch.randn(5)  # the energy feature
    x[2] = 0.0  # an all-zero row is an empty bag
    torch.testing.assert_close(sparse(x), dense(x))
    sparse(x).square().sum().backward()
    dense(x).square().sum().backward()
    torch.testing.assert_close(sparse.weight.grad.T, dense.weight.grad)
    torch.testing.assert_close(sparse.bias.grad, dense.bias.grad)


def quadratic(params):
    return ((params - 0.3) ** 2).sum(axis=1) + 1.0


def test_lbfgs_minimises_with_the_gradient_and_needs_it():
    x0 = np.zeros(4)
    result = LBFGS(50).minimize(
        quadratic, x0, np.random.default_rng(0), lambda x: (quadratic(x[None])[0], 2 * (x - 0.3))
    )
    np.testing.assert_allclose(result.x, 0.3, atol=1e-6)
    assert result.fun == pytest.approx(1.0)
    with pytest.raises(ConfigError, match="value_and_gradient"):
        LBFGS().minimize(quadratic, x0, np.random.default_rng(0))


def test_lbfgs_refuses_shot_noise_before_any_work():
    with pytest.raises(ConfigError, match=r"lbfgs.*noise.shots=1000"):
        get_run_preset("h2-2q-demo").with_overrides(
            {"optimizer.method": "lbfgs", "noise.shots": 1000}
        )


def test_hartree_fock_start():
    problem = get_problem("lih-4q")
    env = CircuitGrowthEnv(problem, initial_state="hartree_fock", optimizer=COBYLA(5))
    assert env.start_energy == pytest.approx(problem.hartree_fock_energy, abs=1e-10)
    _, info = env.reset()
    bits = [q for q, b in enumerate(problem.hartree_fock_state) if b]
    assert info["gates"] == [("X", q) for q in bits]
    _, _, _, _, info = env.step(env.table.index("RY", 0))
    assert info["gates"][-1] == ("RY", 0) and info["n_params"] == 1
    with pytest.raises(ConfigError, match="initial_state='hf'"):
        CircuitGrowthEnv(problem, initial_state="hf")


def test_start_energy_threshold_needs_no_exact_ground_energy():
    experiment = build(get_run_preset("lih-4q-fast").with_overrides({"episodes": 2}))
    env = experiment.env
    assert env.target_energy == experiment.problem.lower_bound
    assert env.curriculum.threshold == pytest.approx(abs(env.target_energy - env.start_energy))


@pytest.mark.parametrize(
    "preset", ["lih-4q-fast", "lih-6q-fast", "h2o-8q-fast", "h2o-10q-fast", "lih-12q-fast"]
)
def test_fast_presets_at_tiny_budgets(tmp_path, preset):
    config = get_run_preset(preset).with_overrides({"episodes": 2, "env.max_steps": 3})
    run(config, out=tmp_path / preset, progress=False)
    result = load_run(tmp_path / preset)
    assert result.summary.status == "complete" and len(result.training_metrics()) == 2
    assert [m.episode for m in result.metrics if m.test] == [0]  # greedy test episodes (issue 23)
    best = result.best
    # the preparation (Hartree-Fock's X gates, the MPS staircase) is in every gate list
    problem = get_problem(config.problem.preset)
    start, _ = preparation(problem, config.env.initial_state)
    assert [tuple(g) for g in best["gates"][: start.n_gates]] == [
        tuple(g) for g in start.gate_list()
    ]
    e0 = result.resolved.problem.ground_energy
    assert best["error"] == pytest.approx(abs(best["energy"] - e0))


def test_time_to_chemical_accuracy_sums_episode_seconds(tmp_path):
    config = get_run_preset("h2-2q-demo").with_overrides({"episodes": 3})
    run(config, out=tmp_path / "r", progress=False)
    result = load_run(tmp_path / "r")
    rows = result.metrics
    expected = None
    elapsed = 0.0
    for m in rows:
        elapsed += m["env_seconds"] + m["agent_seconds"]
        if m["error_to_ground"] < 1.6e-3:
            expected = elapsed
            break
    assert result.time_to_chemical_accuracy() == expected
    assert result.time_to_chemical_accuracy(greedy=True) is None  # no greedy test episodes


def test_pruning_removes_redundant_gates_and_keeps_the_energy():
    """H2-2q needs RY(0) and CNOT(0,1); gates acting trivially on |00> or cancelling go."""
    from workbench.optim.pruning import prune_circuit
    from workbench.sim import Circuit, energies

    problem = get_problem("h2-2q")
    padded = Circuit.from_gates(
        2,
        [
            ("CNOT", 1, 0),
            ("RZ", 1),
            ("RY", 0),
            ("CNOT", 0, 1),
            ("RX", 1),
            ("CNOT", 0, 1),
            ("CNOT", 0, 1),
        ],
    )
    pruned = prune_circuit(padded, np.full(padded.n_params, 0.1), problem, tolerance=1e-6)
    assert pruned.circuit.n_two_qubit == 1 and pruned.circuit.n_gates == 2
    assert pruned.energy == pytest.approx(problem.ground_energy, abs=1e-6)
    assert pruned.energy == pytest.approx(energies(pruned.circuit, pruned.params, problem)[0])
    assert set(pruned.removed) == {("CNOT", 1, 0), ("RX", 1), ("RZ", 1)}
    kept = prune_circuit(padded, np.zeros(padded.n_params), problem, keep=padded.n_gates)
    assert kept.circuit == padded and kept.removed == ()


@pytest.mark.slow
def test_the_classroom_preset_shows_learning(tmp_path):
    """h2-3q-classroom (the panel's and notebook 4's default): ε falls, the success rate rises
    and the greedy policy's circuit shrinks to a near-minimal one within chemical accuracy."""
    result = run(get_run_preset("h2-3q-classroom"), out=tmp_path / "run", progress=False)
    train = result.training_metrics()
    quarter = len(train) // 4
    first = np.mean([m["success"] for m in train[:quarter]])
    last = np.mean([m["success"] for m in train[-quarter:]])
    assert last > first + 0.3, (first, last)
    assert train[0]["epsilon"] == 1.0 and train[len(train) // 2]["epsilon"] <= 0.06
    tests = [m for m in result.metrics if m["test"]]
    assert tests[0]["n_gates"] == 15 and tests[0]["error_to_ground"] > 1.6e-3  # random net
    assert all(m["error_to_ground"] < 1.6e-3 and m["n_gates"] <= 4 for m in tests[-5:])
