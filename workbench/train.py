"""The CRLQAS training loop, readable top to bottom; callbacks are its only link to the outside.

Events (named, frozen): a :class:`StepEvent` after every environment step and an
:class:`EpisodeEvent` after every episode. The live notebook view, progress bars, metrics files
and checkpoints subscribe through :class:`Callback`. Greedy test episodes (ε = 0, no learning,
curriculum untouched) run every ``test_every`` episodes when set, as the paper's noisy code did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class StepEvent:
    """One environment step."""

    episode: int
    step: int
    action: int
    gate: tuple[str, tuple[int, ...]]
    gates: tuple[tuple[str, tuple[int, ...]], ...]
    params: np.ndarray
    energy: float
    error: float
    error_to_ground: float
    threshold: float
    reward: float
    test: bool


@dataclass(frozen=True)
class EpisodeEvent:
    """One finished episode."""

    episode: int
    success: bool
    length: int
    episode_return: float
    epsilon: float
    loss: float | None
    energy: float
    error_to_ground: float
    n_gates: int
    n_cnots: int
    depth: int
    n_params: int
    test: bool


class Callback:
    """Override what you need; returning True from ``on_episode`` stops training."""

    def on_step(self, event: StepEvent) -> None:
        pass

    def on_episode(self, event: EpisodeEvent) -> bool | None:
        return None


@dataclass
class BestCircuit:
    """The lowest-energy circuit seen in training (energy as measured, Ha)."""

    energy: float = np.inf
    error_to_ground: float = np.inf
    gates: tuple = ()
    params: np.ndarray = field(default_factory=lambda: np.zeros(0))
    episode: int = -1


@dataclass
class TrainingSummary:
    episodes: int = 0
    successes: int = 0
    first_success: int | None = None
    best: BestCircuit = field(default_factory=BestCircuit)


def run_episode(env, agent, episode: int, callbacks: Sequence[Callback], test: bool = False):
    """Play one episode; learn after every non-terminal step unless ``test``."""
    env.training = not test
    observation, info = env.reset()
    mask, total, losses, step = info["action_mask"], 0.0, [], 0
    while True:
        action = agent.act(observation, mask, greedy=test)
        next_observation, reward, terminated, truncated, info = env.step(action)
        done = terminated or truncated
        total += reward
        if not test:
            agent.remember(observation, action, reward, next_observation, done, info["action_mask"])
            if not done:  # the paper's schedule: no gradient step on the terminal step
                loss = agent.learn()
                if loss is not None:
                    losses.append(loss)
        event = StepEvent(
            episode,
            step,
            action,
            env.table.actions[action],
            tuple(info["gates"]),
            info["params"],
            info["energy"],
            info["error"],
            info["error_to_ground"],
            info["threshold"],
            reward,
            test,
        )
        for callback in callbacks:
            callback.on_step(event)
        observation, mask, step = next_observation, info["action_mask"], step + 1
        if done:
            return EpisodeEvent(
                episode,
                bool(terminated),
                step,
                total,
                agent.epsilon,
                float(np.mean(losses)) if losses else None,
                info["energy"],
                info["error_to_ground"],
                info["n_gates"],
                info["n_cnots"],
                info["depth"],
                info["n_params"],
                test,
            ), info


def train(
    env,
    agent,
    episodes: int,
    callbacks: Sequence[Callback] = (),
    test_every: int | None = None,
    chemical_accuracy: float = 1.6e-3,
) -> TrainingSummary:
    """Train ``agent`` on ``env`` for ``episodes`` episodes; returns the summary and best circuit.

    ``first_success`` is the first episode whose circuit is within ``chemical_accuracy`` of the
    exact ground energy (whatever the curriculum's threshold was).
    """
    summary = TrainingSummary()
    for episode in range(episodes):
        event, info = run_episode(env, agent, episode, callbacks)
        summary.episodes += 1
        summary.successes += event.success
        if event.error_to_ground < chemical_accuracy and summary.first_success is None:
            summary.first_success = episode
        if event.energy < summary.best.energy:
            summary.best = BestCircuit(
                event.energy, event.error_to_ground, tuple(info["gates"]), info["params"], episode
            )
        stop = any([bool(callback.on_episode(event)) for callback in callbacks])
        if test_every and episode % test_every == 0:
            test_event, _ = run_episode(env, agent, episode, callbacks, test=True)
            for callback in callbacks:
                callback.on_episode(test_event)
        if stop:
            break
    return summary
