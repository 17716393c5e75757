"""Run a search into a run folder, resume it after any interruption, and read it back.

A run folder ``runs/<id>/`` holds:

* ``config.json`` — the run config as given, plus what was resolved from it
  (:class:`~workbench.results.ResolvedFacts`: γ, target energy, the problem's facts, the noise
  model, the software versions);
* ``metrics.jsonl`` — one :class:`~workbench.results.EpisodeRecord` per line (training and
  greedy test episodes);
* ``best.json`` / ``best.qasm`` — the lowest-energy circuits seen
  (:class:`~workbench.results.CircuitRecord`: gates, angles, energy with and without noise,
  errors against the exact E0, size; OpenQASM 2), the smallest and the fewest-CNOT circuits
  within chemical accuracy;
* ``checkpoint.pt`` — agent (networks, Adam, replay buffer, ε), curriculum, environment and agent
  RNG states, the training summary and the metrics line count, every ``checkpoint_every``
  episodes and at the end, written atomically (temp file + rename);
* ``summary.json`` — a :class:`~workbench.results.RunSummary`: status (``running``,
  ``complete``, ``stopped``, ``failed``) and the headline numbers.

A run killed at any moment (even ``kill -9``) resumes from its last checkpoint, losing at most
``checkpoint_every`` episodes; the metrics file is cut back to the checkpoint. Runs are
deterministic: the same config and seed give the same episodes, resumed or not.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from workbench import __version__
from workbench.callbacks import BestCircuits, Checkpointer, MetricsLog, ProgressBar
from workbench.config import CHEMICAL_ACCURACY, RunConfig
from workbench.errors import ConfigError, WorkbenchError
from workbench.experiment import Experiment, build
from workbench.lock import FolderLock, holds_nothing
from workbench.paths import atomic_write_text, make_folder
from workbench.results import (
    CIRCUIT_SIZE_FIELDS,
    ProblemFacts,
    ResolvedFacts,
    RunResult,
    RunSummary,
    check_problem,
    load_run,
    read_config,
    read_resolved,
)
from workbench.run_folders import changed_fields, default_run_dir, same_experiment
from workbench.train import Callback, TrainingSummary, train


def _resolved(experiment: Experiment) -> ResolvedFacts:
    problem, env, config = experiment.problem, experiment.env, experiment.config
    return ResolvedFacts(
        gamma=config.gamma,
        target_energy=env.target_energy,
        initial_threshold=env.curriculum.threshold,
        n_actions=len(env.table),
        observation_size=int(env.observation_space.shape[0]),
        problem=ProblemFacts(
            id=problem.id,
            key=problem.key,
            n_qubits=problem.n_qubits,
            n_terms=len(problem.hamiltonian.words),
            ground_energy=problem.ground_energy,
            hartree_fock_energy=problem.hartree_fock_energy,
            zero_state_energy=problem.zero_state_energy,
            lower_bound=problem.lower_bound,
            hamiltonian=problem.hamiltonian.all_terms(),
        ),
        noise=None if experiment.noise is None else experiment.noise.to_dict(),
        versions={"workbench": __version__, "torch": torch.__version__, "numpy": np.__version__},
    )


def _write_json(path: Path, data) -> None:
    atomic_write_text(path, json.dumps(data, indent=1, default=_jsonable) + "\n")


def _jsonable(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class _Session:
    """One training session on a run folder: the wiring between loop, files and checkpoints."""

    def __init__(self, folder: Path, experiment: Experiment, wall_time: float = 0.0) -> None:
        self.folder, self.experiment = folder, experiment
        self.wall_offset, self.started = wall_time, time.perf_counter()
        self.best = BestCircuits(experiment.env)
        self.metrics = MetricsLog(folder / "metrics.jsonl", self.wall_time)
        self.summary = TrainingSummary()
        self.episode = 0

    def wall_time(self) -> float:
        return self.wall_offset + time.perf_counter() - self.started

    def save_checkpoint(self, episode: int) -> None:
        env, agent = self.experiment.env, self.experiment.agent
        state = {
            "episode": episode,
            "agent": agent.state_dict(),
            "curriculum": env.curriculum.state_dict(),
            "env_rng": env.rng.bit_generator.state,
            "summary": dict(vars(self.summary)),
            "best": self.best.state_dict(),
            "metrics_lines": self.metrics.lines,
            "wall_time": self.wall_time(),
            "config": self.experiment.config.to_dict(),  # what this checkpoint is a state of
        }
        path = self.folder / "checkpoint.pt"
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".checkpoint.pt.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                torch.save(state, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.episode = episode
        self.write_results("running")

    def restore(self, state: dict) -> None:
        env, agent = self.experiment.env, self.experiment.agent
        agent.load_state_dict(state["agent"])
        env.curriculum.load_state_dict(state["curriculum"])
        env.rng.bit_generator.state = state["env_rng"]
        self.summary = _summary_from_state(state["summary"])
        self.best.load_state_dict(state["best"])
        self.episode = state["episode"]

    def write_results(self, status: str, error: str | None = None) -> None:
        _write_json(self.folder / "best.json", self.best.state_dict())
        if self.best.best is not None:
            atomic_write_text(self.folder / "best.qasm", self.best.best.qasm)
        _write_json(self.folder / "summary.json", self.headline(status, error).to_dict())

    def headline(self, status: str, error: str | None = None) -> RunSummary:
        s, best = self.summary, self.best.best
        wall = self.wall_time()
        return RunSummary(
            status=status,
            pid=os.getpid(),
            episodes_done=s.episodes,
            episodes=self.experiment.config.episodes,
            curriculum_successes=s.curriculum_successes,
            first_chemical_accuracy_episode=s.first_chemical_accuracy,
            best_error=None if best is None else best.error,
            best_noiseless_error=None if best is None else best.noiseless_error,
            chemical_accuracy=bool(best is not None and best.error < CHEMICAL_ACCURACY),
            best=None if best is None else {k: best.to_dict()[k] for k in _SHAPE},
            wall_time_s=round(wall, 3),
            seconds_per_episode=round(wall / max(s.episodes, 1), 4),
            env_seconds=round(s.env_seconds, 3),
            agent_seconds=round(s.agent_seconds, 3),
            updated=datetime.now(UTC).isoformat(timespec="seconds"),
            error=error,
        )

    def execute(self, callbacks: Sequence[Callback], progress: bool | None) -> TrainingSummary:
        config = self.experiment.config
        bar = ProgressBar(config.episodes, self.episode, quiet=None if progress else True)
        every = Checkpointer(config.checkpoint_every, self.save_checkpoint)
        chain = [self.best, self.metrics, *callbacks, bar, every]
        for callback in callbacks:
            callback.on_run_start(self.best)
        try:
            train(
                self.experiment.env,
                self.experiment.agent,
                config.episodes,
                chain,
                config.env.test_every,
                CHEMICAL_ACCURACY,
                start_episode=self.episode,
                summary=self.summary,
            )
            done = self.summary.episodes >= config.episodes
            if self.summary.episodes != self.episode:
                self.save_checkpoint(self.summary.episodes)
            self.write_results("complete" if done else "stopped")
        except Exception as error:  # recorded, so the folder does not read "running" forever
            self.write_results("failed", f"{type(error).__name__}: {error}")
            raise
        finally:
            self.metrics.close()
            for callback in callbacks:
                callback.on_run_end()
            bar.close()
        return self.summary


_SHAPE = (*CIRCUIT_SIZE_FIELDS, "energy", "noiseless_energy", "gates")


_OLD_SUMMARY_FIELDS = {
    "successes": "curriculum_successes",
    "first_success": "first_chemical_accuracy",
}


def _summary_from_state(state: dict) -> TrainingSummary:
    """The summary of a checkpoint; checkpoints written before the fields were renamed (and with
    the unread ``best`` entry) load too."""
    state = {_OLD_SUMMARY_FIELDS.get(k, k): v for k, v in state.items() if k != "best"}
    return TrainingSummary(**state)


def _check_callbacks(callbacks) -> None:
    # a folder passed positionally would otherwise fail deep in training, one letter at a time
    if isinstance(callbacks, (str, Path)) or not all(isinstance(c, Callback) for c in callbacks):
        raise TypeError(
            f"callbacks={callbacks!r}: expected a sequence of workbench.train.Callback objects; "
            "pass the run folder as out=..."
        )


def run(
    config: RunConfig,
    callbacks: Sequence[Callback] = (),
    out: str | Path | None = None,
    progress: bool | None = None,
) -> RunResult:
    """Train a fresh run of ``config`` into the folder ``out`` (default ``runs/<id>``).

    Everything is validated and built before the folder is created; an existing non-empty
    folder is refused (resume it instead).
    """
    _check_callbacks(callbacks)
    experiment = build(config)
    folder = Path(out) if out is not None else default_run_dir(config)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"run folder {folder} is a file: choose a folder (--out)")
    if not holds_nothing(folder):
        raise ConfigError(f"run folder {folder} is not empty: resume it or choose another --out")
    make_folder(folder)
    with FolderLock(folder):
        if (folder / "config.json").exists():  # another process got here first
            raise ConfigError(
                f"run folder {folder} is not empty: resume it or choose another --out"
            )
        _write_json(
            folder / "config.json",
            {
                "config": config.to_dict(),
                "resolved": _resolved(experiment).to_dict(),
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
            },
        )
        session = _Session(folder, experiment)
        session.metrics.open(0)
        session.write_results("running")
        session.execute(callbacks, progress)
    return load_run(folder)


def resume(
    path: str | Path,
    callbacks: Sequence[Callback] = (),
    progress: bool | None = None,
    episodes: int | None = None,
) -> RunResult:
    """Continue the run in ``path`` from its last checkpoint (``episodes`` extends the budget).

    The folder is locked for the whole session; ``config.json`` changes (a new episode budget)
    only once the experiment has been rebuilt from it and the checkpoint checked against it."""
    _check_callbacks(callbacks)
    folder = Path(path)
    read_config(folder)  # a named error for a missing or damaged run folder, before locking it
    with FolderLock(folder):
        config = read_config(folder)
        if episodes is not None:
            config = config.with_overrides({"episodes": episodes})
        experiment = build(config)
        check_problem(read_resolved(folder), experiment.problem, folder)
        checkpoint = folder / "checkpoint.pt"
        state = load_checkpoint(checkpoint, config) if checkpoint.exists() else None
        done = 0 if state is None else state["episode"]
        if episodes is not None and episodes < done:
            raise ConfigError(
                f"--episodes {episodes}: {folder} has run {done} episodes already; give at least "
                f"{done} (a run is extended, never cut short)"
            )
        session = _Session(folder, experiment)
        if state is not None:
            session.metrics.check(state["metrics_lines"])
        if episodes is not None:
            _update_config(folder, config)
        if state is not None:
            session.restore(state)
            session.wall_offset = state["wall_time"]
            session.metrics.open(state["metrics_lines"])
        else:  # killed before the first checkpoint: start over in the same folder
            session.metrics.open(0)
        if session.episode >= config.episodes:
            session.write_results("complete")
        else:
            session.execute(callbacks, progress)
    return load_run(folder)


def load_checkpoint(path: Path, config: RunConfig) -> dict:
    """The checkpoint's state, refused with a named error when the file is damaged or when
    ``config.json`` now describes another experiment than the one checkpointed."""
    try:
        state = torch.load(path, weights_only=False)
    except Exception as error:  # truncated or garbled: torch raises several kinds
        raise WorkbenchError(
            f"{path} is damaged ({type(error).__name__}: {error}); delete it to restart this run "
            "from episode 0 in the same folder, or restore it"
        ) from None
    if "config" in state:  # checkpoints written before configs were recorded lack it
        changed = changed_fields(RunConfig.from_dict(state["config"]), config)
        if changed:
            raise ConfigError(
                f"{path.parent / 'config.json'} was changed since the last checkpoint (in "
                f"{', '.join(changed)}): resuming would mislabel the run. Undo the edit, or start "
                "a new run with the new settings (only the episode budget may grow: "
                "`resume --episodes N`)"
            )
    return state


def _update_config(folder: Path, config: RunConfig) -> None:
    path = folder / "config.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["config"] = config.to_dict()
    _write_json(path, data)


def run_or_load(
    config: RunConfig,
    folder: str | Path,
    callbacks: Sequence[Callback] = (),
    progress: bool | None = False,
) -> RunResult:
    """The one rule for reusing a run folder: a missing or empty folder is trained; a complete
    run of the same experiment is loaded; an unfinished one (stopped, killed) is resumed; a
    complete one with fewer episodes than ``config`` is extended. A folder that holds a
    different experiment is refused with the differing fields named."""
    folder = Path(folder)
    stored = same_experiment(folder, config)
    if stored is None:
        return run(config, callbacks, out=folder, progress=progress)
    result = load_run(folder)
    episodes = max(config.episodes, stored.episodes)
    if result.summary.status == "complete" and result.summary.episodes_done >= episodes:
        return result
    return resume(folder, callbacks, progress, episodes=episodes)
