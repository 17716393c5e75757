"""A tiny end-to-end run reaches chemical accuracy on h2-2q; events reach callbacks."""

from __future__ import annotations

from workbench.config import get_run_preset
from workbench.experiment import build
from workbench.train import Callback, EpisodeEvent, StepEvent, run_episode, train


def demo(seed: int, max_steps: int = 10):
    """The h2-2q-demo preset: fixed chemical-accuracy threshold on the exact E0, 2×64 network."""
    config = get_run_preset("h2-2q-demo").with_overrides({"seed": seed, "env.max_steps": max_steps})
    experiment = build(config)
    return experiment.env, experiment.agent


class Recorder(Callback):
    def __init__(self, stop_after=None):
        self.steps: list[StepEvent] = []
        self.episodes: list[EpisodeEvent] = []
        self.stop_after = stop_after

    def on_step(self, event):
        self.steps.append(event)

    def on_episode(self, event):
        self.episodes.append(event)
        return self.stop_after is not None and len(self.episodes) >= self.stop_after


def test_h2_reaches_chemical_accuracy_and_the_greedy_policy_keeps_it():
    env, agent = demo(seed=1)
    summary = train(env, agent, episodes=80)
    assert summary.first_chemical_accuracy is not None
    assert summary.curriculum_successes >= 1
    event, info = run_episode(env, agent, 0, [], test=True)
    assert event.success and event.error_to_ground < 1.6e-3
    assert event.n_gates <= 4, info["gates"]


def test_events_reach_callbacks_and_a_callback_can_stop():
    env, agent = demo(seed=0, max_steps=4)
    recorder = Recorder(stop_after=3)
    summary = train(env, agent, episodes=50, callbacks=[recorder])
    assert summary.episodes == 3 and len(recorder.episodes) == 3
    assert sum(e.length for e in recorder.episodes) == len(recorder.steps)
    first = recorder.steps[0]
    assert first.step == 0 and first.gate == env.table.actions[first.action]
    assert recorder.episodes[0].length <= 4


def test_test_episodes_are_greedy_and_marked():
    env, agent = demo(seed=2, max_steps=4)
    recorder = Recorder()
    train(env, agent, episodes=2, callbacks=[recorder], test_every=1)
    assert [e.test for e in recorder.episodes] == [False, True, False, True]
    assert env.curriculum.episodes == 2  # advanced by the 2 training episodes, not the tests
