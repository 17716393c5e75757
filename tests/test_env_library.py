"""The environment as standard RL libraries drive it: gymnasium's checker, the registered id,
``action_masks()``, a curriculum fed by a wrapper exactly as by the workbench's trainer, and the
relative energy in the observation."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from workbench.config import get_run_preset
from workbench.env import ENV_ID
from workbench.experiment import build, make_env
from workbench.train import run_episode


@pytest.mark.parametrize(
    ("preset", "overrides"),
    [("h2-2q-demo", {}), ("h2-2q-mumbai-demo", {"noise.shots": None}),
     ("h2-3q-classroom", {"env.observation_energy": "relative"}),
     ("h2-4q-demo", {"env.zy_rotations": True}),
     ("h2-2q-demo", {"problem.bond_lengths": [0.7414, 1.5]})],
)  # fmt: skip
def test_gymnasiums_checker_accepts_the_environment(preset, overrides):
    with pytest.warns(UserWarning, match="infinity"):  # the raw energy is unbounded
        check_env(make_env(preset, overrides).unwrapped, skip_render_check=True)


def test_the_registered_id_builds_a_presets_environment_with_its_curriculum():
    env = gymnasium.make(ENV_ID, preset="h2-2q-demo", overrides={"env.max_steps": 3}, seed=4)
    observation, info = env.reset(seed=4)
    inner = env.unwrapped
    assert inner.max_steps == 3 and inner.problem.id == "h2-2q"
    assert observation.shape == env.observation_space.shape
    np.testing.assert_array_equal(env.get_wrapper_attr("action_masks")(), info["action_mask"])
    _, _, _, _, info = env.step(0)
    np.testing.assert_array_equal(inner.action_masks(), info["action_mask"])
    assert not info["action_mask"][0]  # the same gate twice in a row is masked


def test_the_environment_never_moves_its_curriculum_and_the_wrapper_feeds_it_as_the_trainer():
    """Issue 23: the curriculum advanced inside ``step()``, so library-driven or vectorised copies
    could not share one. Now ``step`` only reads it; the trainer and CurriculumFeedback feed it
    with one rule: the same actions give the same curriculum state either way."""
    config = get_run_preset("h2-2q-demo").with_overrides({"env.max_steps": 4, "seed": 2})
    trained = build(config)
    actions = []

    class Recorder:
        def on_step(self, event):
            actions.append(event.action)

        def on_episode(self, event):
            return None

    for episode in range(6):
        run_episode(trained.env, trained.agent, episode, [Recorder()])
    wrapped = make_env("h2-2q-demo", {"env.max_steps": 4}, seed=2)
    bare = make_env("h2-2q-demo", {"env.max_steps": 4}, seed=2).unwrapped
    before = bare.curriculum.state_dict()
    queue = list(actions)
    for _ in range(6):
        wrapped.reset()
        bare.reset()
        done = False
        while not done:
            action = queue.pop(0)
            _, _, terminated, truncated, _ = wrapped.step(action)
            bare.step(action)
            done = terminated or truncated
    assert not queue
    assert wrapped.unwrapped.curriculum.state_dict() == trained.env.curriculum.state_dict()
    assert bare.curriculum.state_dict() == before  # step() alone feeds nothing
    assert trained.env.curriculum.state_dict() != before


def test_relative_energy_is_one_at_the_start_and_zero_at_the_target():
    env = make_env("h2-2q-demo", {"env.observation_energy": "relative"}).unwrapped
    observation, _ = env.reset()
    assert observation[-1] == pytest.approx(1.0)
    raw = make_env("h2-2q-demo").unwrapped
    assert raw.reset()[0][-1] == pytest.approx(raw.start_energy, abs=1e-6)
    env.energy = env.target_energy
    assert env._observed_energy() == pytest.approx(0.0)


def test_sb3_contribs_maskable_ppo_trains_on_the_registered_environment():
    """No adapter: the registered id, ``action_masks()`` and the curriculum wrapper are all a
    masked library algorithm needs (the greedy quality is measured in bench/sb3.py)."""
    sb3_contrib = pytest.importorskip("sb3_contrib")
    env = gymnasium.make(ENV_ID, preset="h2-2q-demo", overrides={"env.max_steps": 4}, seed=0)
    model = sb3_contrib.MaskablePPO("MlpPolicy", env, seed=0, n_steps=32, batch_size=16)
    model.learn(64)
    observation, _ = env.reset()
    for _ in range(4):
        masks = env.get_wrapper_attr("action_masks")()
        action, _ = model.predict(observation, action_masks=masks, deterministic=True)
        assert masks[int(action)]  # the policy only picks legal actions
        observation, _, terminated, truncated, _ = env.step(int(action))
        if terminated or truncated:
            break
