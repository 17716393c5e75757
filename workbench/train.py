"""The CRLQAS training loop, readable top to bottom; callbacks are its only link to the outside.

Events (named, frozen): a :class:`StepEvent` after every environment step and an
:class:`EpisodeEvent` after every episode. The live notebook view, progress bars, metrics files
and checkpoints subscribe through :class:`Callback`. Greedy test episodes (ε = 0, no learning,
curriculum untouched) run every ``test_every`` episodes when set, as the paper's noisy code did.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.agent.base import Experience
from workbench.config import CHEMICAL_ACCURACY
from workbench.env.curriculum import feed
from workbench.results import EpisodeRecord, gates_text


@dataclass(frozen=True)
class StepEvent:
    """One environment step."""

    episode: int
    step: int
    action: int
    gate: tuple[str, tuple[int, ...]]  # the action: (name, wires)
    gates: tuple[tuple, ...]  # the circuit so far, (name, *wires) as in CircuitRecord
    params: np.ndarray
    energy: float
    error: float
    error_to_ground: float
    noiseless_error: float | None
    threshold: float
    reward: float
    test: bool


EpisodeEvent = EpisodeRecord
"""One finished episode: the loop's event is the record ``metrics.jsonl`` stores (one class,
:class:`workbench.results.EpisodeRecord`; ``wall_time`` is stamped when the line is written)."""


class Callback:
    """Override what you need; returning True from ``on_episode`` stops training.

    ``on_episode_end`` runs once per training episode index after its greedy test episode (if
    any): the state is consistent there, so checkpoints are written from it.
    """

    def on_run_start(self, best) -> None:
        """Called by :mod:`workbench.runs` before the first episode of a session with the run's
        :class:`workbench.callbacks.BestCircuits` — the one tracker of its best circuits (exact
        energies), for callbacks that show them. Read it; do not change it."""

    def on_step(self, event: StepEvent) -> None:
        pass

    def on_episode(self, event: EpisodeEvent) -> bool | None:
        return None

    def on_episode_end(self, episode: int, summary: TrainingSummary) -> None:
        pass

    def on_run_end(self) -> None:
        """Called by :mod:`workbench.runs` when a session ends (finished, stopped or failed):
        close files here."""


@dataclass
class TrainingSummary:
    """Counts over training episodes. ``curriculum_successes``: episodes the environment ended
    as a success (error below the curriculum's threshold at that time); ``first_chemical_accuracy``:
    the first episode whose final circuit is within chemical accuracy of the exact E0 (the best
    circuits themselves are tracked by :class:`workbench.callbacks.BestCircuits`; in a curve run
    both count the run's own bond length only)."""

    episodes: int = 0
    curriculum_successes: int = 0
    first_chemical_accuracy: int | None = None
    env_seconds: float = 0.0
    agent_seconds: float = 0.0

    def update(self, event: EpisodeEvent, chemical_accuracy: float, own_problem: bool = True):
        self.episodes += 1
        self.curriculum_successes += event.success
        self.env_seconds += event.env_seconds
        self.agent_seconds += event.agent_seconds
        accurate = own_problem and event.error_to_ground < chemical_accuracy
        if accurate and self.first_chemical_accuracy is None:
            self.first_chemical_accuracy = event.episode


def run_episode(env, agent, episode: int, callbacks: Sequence[Callback], test: bool = False):
    """Play one episode; learn after every non-terminal step unless ``test``.

    Returns the :class:`EpisodeEvent` (with the seconds spent in the environment — simulation
    and angle optimisation — and in the agent) and the last step's info.
    """
    env.training = not test
    if not test:
        agent.begin_episode(episode)
    clock = time.perf_counter
    spent, shots = env.evaluations, env.shots_spent
    t0 = clock()
    observation, info = env.reset()
    env_time, agent_time = clock() - t0, 0.0
    mask, total, losses, step = info["action_mask"], 0.0, [], 0
    while True:
        t0 = clock()
        action = agent.act(observation, mask, greedy=test)
        t1 = clock()
        next_observation, reward, terminated, truncated, info = env.step(action)
        t2 = clock()
        done = terminated or truncated
        total += reward
        if not test:
            feed(env.curriculum, info["energy"], terminated, done)
            loss = agent.observe(
                Experience(observation, action, reward, next_observation, info["action_mask"],
                           terminated, truncated)
            )  # fmt: skip
            if loss is not None:
                losses.append(loss)
        env_time, agent_time = env_time + t2 - t1, agent_time + t1 - t0 + clock() - t2
        event = StepEvent(
            episode=episode,
            step=step,
            action=action,
            gate=env.table.actions[action],
            gates=tuple(info["gates"]),
            params=info["params"],
            energy=info["energy"],
            error=info["error"],
            error_to_ground=info["error_to_ground"],
            noiseless_error=info["noiseless_error"],
            threshold=info["threshold"],
            reward=reward,
            test=test,
        )
        for callback in callbacks:
            callback.on_step(event)
        observation, mask, step = next_observation, info["action_mask"], step + 1
        if done:
            loss = float(np.mean(losses)) if losses else None
            stats = {k: info[k] for k in ("energy", "error_to_ground", "n_gates", "n_cnots")}
            stats |= {k: info[k] for k in ("depth", "n_params", "threshold")}
            stats["circuit"] = gates_text(info["gates"])
            return EpisodeEvent(
                episode=episode,
                success=bool(terminated),
                length=step,
                episode_return=total,
                epsilon=agent.statistics().get("epsilon"),
                loss=loss,
                env_seconds=env_time,
                agent_seconds=agent_time,
                test=test,
                evaluations=env.evaluations - spent,
                shots=env.shots_spent - shots,
                bond_length=info.get("bond_length"),
                **stats,
            ), info


def train(
    env,
    agent,
    episodes: int,
    callbacks: Sequence[Callback] = (),
    test_every: int | None = None,
    chemical_accuracy: float = CHEMICAL_ACCURACY,
    start_episode: int = 0,
    summary: TrainingSummary | None = None,
) -> TrainingSummary:
    """Train ``agent`` on ``env`` for episodes ``start_episode .. episodes-1``.

    A greedy test episode follows training episode e when ``e % test_every == 0``. Pass
    ``start_episode`` and the saved ``summary`` to continue a run from a checkpoint.
    """
    summary = summary or TrainingSummary()
    for episode in range(start_episode, episodes):
        event, _ = run_episode(env, agent, episode, callbacks)
        summary.update(event, chemical_accuracy, getattr(env, "at_reference", True))
        stop = any([bool(callback.on_episode(event)) for callback in callbacks])
        if test_every and episode % test_every == 0:
            test_event, _ = run_episode(env, agent, episode, callbacks, test=True)
            stop |= any([bool(callback.on_episode(test_event)) for callback in callbacks])
        for callback in callbacks:
            callback.on_episode_end(episode, summary)
        if stop:
            break
    return summary
