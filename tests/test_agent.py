"""Agent pieces against hand-computed values, and a toy problem it must learn."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from workbench.agent.base import Experience
from workbench.agent.dqn import DoubleDQN, double_dqn_targets, masked_argmax
from workbench.agent.replay import NStepAccumulator, ReplayBuffer, Transition
from workbench.config import AGENT_KINDS, AgentConfig, paper_gamma
from workbench.errors import ConfigError

MASK = np.ones(2, dtype=bool)


def run_episode(accumulator, rewards):
    out = []
    for t, r in enumerate(rewards):
        out += accumulator.push(np.array([t]), t, r, np.array([t + 1]), t == len(rewards) - 1, MASK)
    return out


def test_n_step_returns_by_hand():
    transitions = run_episode(NStepAccumulator(2, 0.5), [1.0, 2.0, 3.0, 4.0])
    returns = [
        (int(t.observation[0]), t.reward, int(t.next_observation[0]), t.done, t.discount)
        for t in transitions
    ]
    assert returns == [
        (0, 1 + 0.5 * 2, 2, False, 0.25),
        (1, 2 + 0.5 * 3, 3, False, 0.25),
        (2, 3 + 0.5 * 4, 4, True, 0.25),
        (3, 4.0, 4, True, 0.5),
    ]


def test_paper_discount_option_uses_gamma_once():
    transitions = run_episode(NStepAccumulator(3, 0.9, paper_discount=True), [1.0, 1.0, 1.0])
    assert [t.discount for t in transitions] == [0.9, 0.9, 0.9]
    assert transitions[0].reward == pytest.approx(1 + 0.9 + 0.81)


def test_one_step_is_plain_dqn():
    transitions = run_episode(NStepAccumulator(1, 0.88), [0.5, -5.0])
    assert [(t.reward, t.discount, t.done) for t in transitions] == [
        (0.5, 0.88, False),
        (-5.0, 0.88, True),
    ]


def test_masked_argmax_and_targets_by_hand():
    q = torch.tensor([[5.0, 1.0, 3.0]])
    assert masked_argmax(q, torch.tensor([[False, True, True]])).item() == 2
    assert masked_argmax(q, torch.tensor([[False, False, False]])).item() == 0
    rewards, discounts = torch.tensor([1.0, 2.0]), torch.tensor([0.5, 0.25])
    dones = torch.tensor([0.0, 1.0])
    policy_next = torch.tensor([[5.0, 1.0, 3.0], [0.0, 9.0, 0.0]])
    target_next = torch.tensor([[10.0, 20.0, 30.0], [7.0, 7.0, 7.0]])
    masks = torch.tensor([[False, True, True], [True, True, True]])
    y = double_dqn_targets(rewards, discounts, dones, policy_next, target_next, masks)
    assert y.tolist() == [1.0 + 0.5 * 30.0, 2.0]  # action 2 (0 masked); done: no bootstrap
    unmasked = double_dqn_targets(
        rewards, discounts, dones, policy_next, target_next, masks, mask_targets=False
    )
    assert unmasked.tolist() == [1.0 + 0.5 * 10.0, 2.0]


def test_replay_buffer_ring_and_sampling():
    buffer = ReplayBuffer(3, 1, 2)
    for t in run_episode(NStepAccumulator(1, 0.9), [1.0, 2.0, 3.0, 4.0]):
        buffer.add(t)
    assert len(buffer) == 3
    assert sorted(buffer.rewards.tolist()) == [2.0, 3.0, 4.0]
    batch = buffer.sample(5, np.random.default_rng(0))
    assert batch.observations.shape == (5, 1) and batch.next_masks.shape == (5, 2)


def test_paper_gamma():
    assert (paper_gamma(40), paper_gamma(70), paper_gamma(250)) == (0.88, 0.93, 0.98)


def test_settings_validation():
    with pytest.raises(ConfigError, match=r"agent.memory_size=10 .* expected an integer >= 100"):
        AgentConfig(batch_size=100, memory_size=10)


def small_agent(seed=0, **options):
    settings = AgentConfig(
        hidden=(32, 32),
        learning_rate=3e-3,
        gamma=0.9,
        batch_size=32,
        memory_size=2000,
        target_update=20,
        epsilon_decay=0.97,
        device="cpu",
        **options,
    )
    return DoubleDQN(observation_size=2, n_actions=3, settings=settings, seed=seed)


def test_masked_exploration_never_picks_an_illegal_action():
    agent = small_agent()
    mask = np.array([False, True, False])
    assert {agent.act(np.zeros(2, np.float32), mask) for _ in range(50)} == {1}


def test_toy_problem_is_learned():
    """Two-step chain: state A, then B. Only (A: action 2, B: action 0) pays +1 at the end."""
    agent = small_agent(n_step=2)
    start, middle = np.array([1, 0], np.float32), np.array([0, 1], np.float32)
    mask = np.ones(3, dtype=bool)
    for _ in range(400):
        first = agent.act(start, mask)
        second = agent.act(middle, mask)
        reward = 1.0 if (first, second) == (2, 0) else 0.0
        agent.observe(Experience(start, first, 0.0, middle, mask, False, False))
        agent.observe(Experience(middle, second, reward, start, mask, True, False))
    assert agent.act(start, mask, greedy=True) == 2
    assert agent.act(middle, mask, greedy=True) == 0
    assert agent.epsilon < 0.1


def test_same_seed_same_decisions():
    a, b = small_agent(seed=5), small_agent(seed=5)
    observation, mask = np.array([0.3, -0.2], np.float32), np.ones(3, dtype=bool)
    assert [a.act(observation, mask) for _ in range(20)] == [
        b.act(observation, mask) for _ in range(20)
    ]


def test_checkpoint_state_continues_exactly():
    """An agent restored from state_dict makes the same decisions and losses as the original."""
    a = small_agent(seed=3, n_step=2)
    rng = np.random.default_rng(0)
    mask = np.ones(3, dtype=bool)

    def play(agent, steps, rng):
        out = []
        for i in range(steps):
            obs = np.array([i % 2, 1 - i % 2], np.float32)
            action = agent.act(obs, mask)
            experience = Experience(obs, action, float(rng.random()), obs[::-1].copy(), mask,
                                    i % 3 == 2, i % 5 == 4)  # fmt: skip
            out.append((action, agent.observe(experience)))
        return out

    play(a, 60, rng)
    b = small_agent(seed=99, n_step=2)
    b.load_state_dict(a.state_dict())
    rng_b = copy.deepcopy(rng)
    assert play(a, 40, rng) == play(b, 40, rng_b)


def test_replay_state_is_bit_packed_and_exact():
    buffer = ReplayBuffer(50, observation_size=9, n_actions=3)
    rng = np.random.default_rng(1)
    for _ in range(70):
        obs = np.append(rng.integers(0, 2, 8), rng.normal()).astype(np.float32)
        buffer.add(Transition(obs, 1, 0.5, obs * 0, True, 0.9, np.array([True, False, True])))
    state = buffer.state_dict()
    assert state["observations_bits"].shape == (50, 1)
    copy = ReplayBuffer(50, observation_size=9, n_actions=3)
    copy.load_state_dict(state)
    for key in ("observations", "next_observations", "actions", "next_masks", "discounts"):
        np.testing.assert_array_equal(getattr(copy, key), getattr(buffer, key))
    assert (copy.position, copy.size) == (buffer.position, buffer.size)


def test_a_truncated_step_bootstraps_only_when_asked():
    """Hand-computed targets (issue 23): with ``bootstrap_truncated`` a step cut by the step cap
    is stored with done = 0 and its n-step window is still flushed, so its target is
    r + γ·Q_target(s', argmax_legal Q_policy(s')); without it (the paper's code) the target is r."""
    s, s_next = np.array([1, 0], np.float32), np.array([0, 1], np.float32)
    mask = np.array([True, False, True])
    for bootstrap in (False, True):
        agent = small_agent(n_step=2, bootstrap_truncated=bootstrap)
        agent.observe(Experience(s, 1, 0.5, s_next, mask, False, False))
        agent.observe(Experience(s_next, 2, -1.0, s, mask, False, True))
        stored = [agent.memory.sample(1, np.random.default_rng(i)) for i in range(40)]
        dones = {float(b.dones[0]) for b in stored}
        assert dones == ({0.0} if bootstrap else {1.0}) and len(agent.n_step.window) == 0
    gamma = agent.settings.gamma
    q_policy = torch.tensor([[1.0, 9.0, 2.0]])  # the masked argmax is action 2, not 1
    q_target = torch.tensor([[4.0, 7.0, 3.0]])
    legal = torch.tensor([[True, False, True]])
    y = double_dqn_targets(torch.tensor([-1.0]), torch.tensor([gamma]), torch.tensor([0.0]),
                           q_policy, q_target, legal)  # fmt: skip
    assert float(y[0]) == pytest.approx(-1.0 + gamma * 3.0)
    y_plain = double_dqn_targets(torch.tensor([-1.0]), torch.tensor([gamma]), torch.tensor([0.0]),
                                 q_target, q_target, legal)  # fmt: skip
    assert float(y_plain[0]) == pytest.approx(-1.0 + gamma * 4.0)  # dqn: the target's own max
    y_done = double_dqn_targets(torch.tensor([-1.0]), torch.tensor([gamma]), torch.tensor([1.0]),
                                q_policy, q_target, legal)  # fmt: skip
    assert float(y_done[0]) == -1.0


def test_the_dueling_head_is_value_plus_centred_advantage():
    from workbench.agent.dqn import DuelingHead

    head = DuelingHead(2, 3)
    with torch.no_grad():
        head.value.weight[:] = torch.tensor([[1.0, 0.0]])
        head.value.bias[:] = 0.5
        head.advantage.weight[:] = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        head.advantage.bias[:] = 0.0
        q = head(torch.tensor([[2.0, 3.0]]))
    advantage = torch.tensor([2.0, 3.0, 5.0])
    expected = 2.5 + advantage - advantage.mean()
    torch.testing.assert_close(q[0], expected)


@pytest.mark.parametrize(
    "options",
    [{"kind": "dqn"}, {"kind": "dueling_ddqn"}, {"replay": "prioritized"}],
    ids=["dqn", "dueling_ddqn", "prioritized"],
)
def test_every_kind_learns_the_toy_chain(options):
    agent = small_agent(n_step=2, **options)
    start, middle = np.array([1, 0], np.float32), np.array([0, 1], np.float32)
    mask = np.ones(3, dtype=bool)
    for _ in range(400):
        first, second = agent.act(start, mask), agent.act(middle, mask)
        reward = 1.0 if (first, second) == (2, 0) else 0.0
        agent.observe(Experience(start, first, 0.0, middle, mask, False, False))
        agent.observe(Experience(middle, second, reward, start, mask, True, False))
    assert agent.act(start, mask, greedy=True) == 2 and agent.act(middle, mask, greedy=True) == 0


@pytest.mark.parametrize("kind", AGENT_KINDS)
def test_every_kind_is_built_behind_the_one_protocol(kind):
    from workbench.agent import Agent, build_agent

    settings = AgentConfig(kind=kind, hidden=(8,), gamma=0.9, batch_size=4, memory_size=16)
    agent = build_agent(3, 2, settings, seed=1)
    for name in Agent.__dict__:
        if not name.startswith("_"):
            assert callable(getattr(agent, name)), name
    assert set(agent.statistics()) >= {"epsilon"}
    with pytest.raises(ConfigError, match=r"agent\.kind='ppo2' is not allowed"):
        AgentConfig(kind="ppo2")


def test_large_margin_loss_by_hand():
    from workbench.agent.dqn import large_margin_loss

    q = torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    # action 0: max(1, 2.8, 3.8) - 1 = 2.8; action 2: max(1.8, 2.8, 3) - 3 = 0
    loss = large_margin_loss(q, torch.tensor([0, 2]), 0.8)
    assert float(loss) == pytest.approx((2.8 + 0.0) / 2)


def _episode(start: float, final_energy: float, length: int, n_actions: int = 3):
    mask = np.ones(n_actions, dtype=bool)
    rows = []
    for t in range(length):
        observation = np.array([start, t, 0.5], dtype=np.float32)
        next_observation = np.array([start, t + 1, final_energy], dtype=np.float32)
        rows.append(Transition(observation, t % n_actions, 0.0, next_observation, False, 0.9, mask))
    return rows


def test_demonstration_memory_keeps_the_lowest_final_energy_per_start():
    from workbench.agent.replay import DemonstrationMemory

    memory = DemonstrationMemory(2)
    assert memory.offer(_episode(0.0, 0.3, 3)) and memory.offer(_episode(0.0, 0.1, 4))
    assert memory.offer(_episode(0.0, 0.1, 2))  # same energy, shorter: ranks first
    assert not memory.offer(_episode(0.0, 0.5, 1))  # worse than both kept
    assert memory.offer(_episode(1.0, 0.9, 3))  # another start (bond length): its own group
    kept = [[(round(e, 6), n) for e, n, _ in group] for group in memory.groups.values()]
    assert sorted(kept) == [[(0.1, 2), (0.1, 4)], [(0.9, 3)]]
    assert len(memory) == 2 + 4 + 3
    copy_ = DemonstrationMemory(2)
    copy_.load_state_dict(copy.deepcopy(memory.state_dict()))
    batch_a = memory.sample(16, np.random.default_rng(0))
    batch_b = copy_.sample(16, np.random.default_rng(0))
    for a, b in zip(batch_a, batch_b, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not DemonstrationMemory(0).offer(_episode(0.0, 0.1, 2))


def test_self_imitation_makes_the_greedy_policy_rebuild_its_best_episode():
    """Two episodes from the same start: the better one (lower final energy) is demonstrated,
    and the margin loss makes its actions the greedy ones, although no reward tells them apart."""
    settings = AgentConfig(
        hidden=(32,), gamma=0.9, batch_size=8, memory_size=64, learning_rate=1e-2,
        self_imitation=1.0, demonstrations=1, target_update=10,
    )  # fmt: skip
    agent = DoubleDQN(3, 3, settings, seed=0)
    mask = np.ones(3, dtype=bool)
    states = [np.array([0.0, t, 1.0], dtype=np.float32) for t in range(3)]
    for actions, final in (((1, 1, 1), 0.8), ((2, 0, 2), 0.1), ((0, 2, 0), 0.5)):
        for t, action in enumerate(actions):
            last = t == 2
            after = np.array([0.0, t + 1, final if last else 1.0], dtype=np.float32)
            agent.observe(Experience(states[t], action, 0.0, after, mask, False, last))
    assert [e for e, _, _ in next(iter(agent.demonstrations.groups.values()))] == [
        pytest.approx(0.1)
    ]
    for _ in range(300):
        agent.gradient_step()
    assert [agent.act(s, mask, greedy=True) for s in states] == [2, 0, 2]
    twin = DoubleDQN(3, 3, settings, seed=5)
    twin.load_state_dict(copy.deepcopy(agent.state_dict()))
    assert twin.gradient_step() == pytest.approx(agent.gradient_step())


def test_replay_checkpoint_keeps_float_columns_anywhere():
    """A curve run's observation carries the bond length before the energy: both are floats,
    and the bit-packed checkpoint must keep them."""
    buffer = ReplayBuffer(4, 4, 2)
    rows = [np.array([1, 0, 1.75, -7.9], dtype=np.float32), np.array([0, 1, 3.4, -7.8])]
    for row in rows:
        buffer.add(Transition(row, 0, 1.0, row + np.array([0, 0, 0, 0.1]), False, 0.9, MASK))
    twin = ReplayBuffer(4, 4, 2)
    twin.load_state_dict(copy.deepcopy(buffer.state_dict()))
    np.testing.assert_array_equal(twin.observations, buffer.observations)
    np.testing.assert_array_equal(twin.next_observations, buffer.next_observations)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("self_imitation", -1.0, r"agent\.self_imitation=-1\.0 is not allowed"),
        ("self_imitation", "yes", r"agent\.self_imitation='yes' is not allowed"),
        ("demonstrations", 0, r"agent\.demonstrations=0 is not allowed"),
    ],
)
def test_self_imitation_settings_are_checked_by_name(field, value, message):
    with pytest.raises(ConfigError, match=message):
        AgentConfig(**{field: value})


def test_generalized_advantages_by_hand():
    from workbench.agent.ppo import generalized_advantages

    rewards, values, after = np.array([1.0, 2.0]), np.array([0.5, 0.5]), np.array([0.5, 0.7])

    def gae(terminated, ended):
        return generalized_advantages(
            rewards, values, after, np.array(terminated), np.array(ended), 0.9, 0.8
        )

    # terminal last step: δ1 = 2 - 0.5; δ0 = 1 + 0.9·0.5 - 0.5 = 0.95; A0 = 0.95 + 0.72·1.5
    np.testing.assert_allclose(gae([0.0, 1.0], [0.0, 1.0]), [2.03, 1.5])
    # truncated last step bootstraps from its own next value 0.7: δ1 = 2 + 0.63 - 0.5
    np.testing.assert_allclose(gae([0.0, 0.0], [0.0, 1.0]), [0.95 + 0.72 * 2.13, 2.13])
    # an episode ended after step 0 (terminated): the chain is cut there
    np.testing.assert_allclose(gae([1.0, 0.0], [1.0, 0.0]), [0.5, 2.13])


def _ppo(**fields):
    from workbench.agent.ppo import PPO

    settings = AgentConfig(kind="ppo", hidden=(16,), gamma=0.9, batch_size=4, **fields)
    return PPO(3, 4, settings, seed=0)


def test_ppo_never_picks_a_masked_action_and_stores_truncation_as_the_config_says():
    mask = np.array([False, True, False, True])
    for bootstrap in (False, True):
        agent = _ppo(rollout_steps=100, bootstrap_truncated=bootstrap)
        chosen = set()
        for t in range(40):
            observation = np.array([t, 0.0, 1.0], dtype=np.float32)
            action = agent.act(observation, mask)
            chosen.add(action)
            agent.observe(Experience(observation, action, 0.0, observation, mask, False, True))
        assert chosen == {1, 3} and agent.act(np.zeros(3, np.float32), mask, greedy=True) in {1, 3}
        assert set(agent.rollout["terminated"]) == {0.0 if bootstrap else 1.0}
        assert all(np.array_equal(m, mask) for m in agent.rollout["masks"])


def test_ppo_learns_a_two_step_task_and_checkpoints_exactly():
    """Start → middle → end; only action 2 then action 0 pay. PPO's greedy policy must find it,
    and a copy loaded from its state continues with the same samples and updates."""
    agent = _ppo(rollout_steps=32, update_epochs=4, learning_rate=3e-3)
    mask = np.ones(4, dtype=bool)
    start, middle = np.array([1, 0, 0], np.float32), np.array([0, 1, 0], np.float32)
    for _ in range(300):
        first = agent.act(start, mask)
        agent.observe(Experience(start, first, 0.0, middle, mask, False, False))
        second = agent.act(middle, mask)
        reward = 1.0 if (first, second) == (2, 0) else 0.0
        agent.observe(Experience(middle, second, reward, start, mask, True, False))
    assert agent.act(start, mask, greedy=True) == 2 and agent.act(middle, mask, greedy=True) == 0
    twin = _ppo(rollout_steps=32, update_epochs=4, learning_rate=3e-3)
    twin.load_state_dict(copy.deepcopy(agent.state_dict()))
    for _ in range(20):
        a, b = agent.act(start, mask), twin.act(start, mask)
        assert a == b
        loss_a = agent.observe(Experience(start, a, 0.0, middle, mask, True, False))
        loss_b = twin.observe(Experience(start, b, 0.0, middle, mask, True, False))
        assert loss_a == loss_b
    with pytest.raises(ConfigError, match="needs the step's own act"):
        twin.observe(Experience(start, 0, 0.0, middle, mask, True, False))


def test_prioritized_replay_draws_by_priority_and_weights_by_hand():
    from workbench.agent.replay import PrioritizedReplayBuffer

    buffer = PrioritizedReplayBuffer(4, 1, 2, alpha=1.0)
    for i in range(3):
        buffer.add(Transition(np.array([i]), 0, 0.0, np.array([i]), False, 0.9, MASK))
    assert list(buffer.priorities[:3]) == [1.0, 1.0, 1.0]  # new rows: the largest so far
    buffer.update_priorities(np.array([0, 1, 2]), np.array([3.0, 1.0, 0.0]))
    p = np.array([3.0, 1.0, 1e-6]) + np.array([1e-6, 1e-6, 0])
    p = p / p.sum()
    batch, index, weights = buffer.sample_prioritized(4000, np.random.default_rng(0), beta=1.0)
    share = np.bincount(index, minlength=3) / 4000
    np.testing.assert_allclose(share, p, atol=0.03)
    expected = (3 * p[index]) ** -1.0
    np.testing.assert_allclose(weights, expected / expected.max(), rtol=1e-6)
    assert np.array_equal(batch.observations[:, 0], index)
    twin = PrioritizedReplayBuffer(4, 1, 2, alpha=1.0)
    twin.load_state_dict(copy.deepcopy(buffer.state_dict()))
    np.testing.assert_array_equal(twin.priorities, buffer.priorities)
    buffer.add(Transition(np.array([3]), 0, 0.0, np.array([3]), False, 0.9, MASK))
    assert buffer.priorities[3] == pytest.approx(3.0 + 1e-6)


def test_prioritized_replay_anneals_beta_and_follows_td_errors():
    agent = small_agent(replay="prioritized")
    agent.episodes = 100
    agent.begin_episode(75)
    assert agent.beta == pytest.approx(0.4 + 0.6 * 0.75)
    start, middle = np.array([1, 0], np.float32), np.array([0, 1], np.float32)
    mask = np.ones(3, dtype=bool)
    for _ in range(40):
        agent.observe(Experience(start, 1, 0.0, middle, mask, False, False))
        agent.observe(Experience(middle, 0, 1.0, start, mask, True, False))
    assert agent.memory.priorities[: len(agent.memory)].std() > 0  # TD errors moved them


def test_the_sb3_adapter_masks_and_bootstraps_a_truncated_step_as_sb3_does():
    from workbench.agent.sb3 import MaskablePPOAdapter

    settings = AgentConfig(
        kind="sb3:MaskablePPO", hidden=(8,), gamma=0.9, batch_size=4, rollout_steps=16,
        bootstrap_truncated=True,
    )  # fmt: skip
    agent = MaskablePPOAdapter(3, 4, settings, seed=0)
    mask = np.array([False, True, False, True])
    observation, after = np.array([1, 0, 0], np.float32), np.array([0, 1, 0.5], np.float32)
    chosen = {agent.act(observation, mask) for _ in range(30)}
    assert chosen <= {1, 3} and agent.act(observation, mask, greedy=True) in {1, 3}
    action = agent.act(observation, mask)
    agent.observe(Experience(observation, action, 1.0, after, mask, False, True))
    with torch.no_grad():
        value = float(agent.policy.predict_values(agent.policy.obs_to_tensor(after[None])[0]))
    assert agent.buffer.rewards[0, 0] == pytest.approx(1.0 + 0.9 * value, rel=1e-5)
    assert agent.episode_start  # the truncated step ended the episode
    action = agent.act(observation, mask)
    agent.observe(Experience(observation, action, 1.0, after, mask, True, False))
    assert agent.buffer.rewards[1, 0] == pytest.approx(1.0)  # terminated: no bootstrap
