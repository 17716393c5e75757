"""Callbacks that the training loop feeds: best circuits, metrics file, progress bar, stop flag.

Each one is small and owns one job; :func:`workbench.runs.run` and :func:`workbench.runs.resume`
wire the first three to a run folder. :class:`BestCircuits`, the one tracker of the best
circuits, keeps its state in ``state_dict()`` (checkpointed) and the metrics file is cut back to
the checkpoint on resume, so a resumed run continues where it stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import signal
import sys
import threading
from pathlib import Path

from workbench.config import CHEMICAL_ACCURACY
from workbench.errors import WorkbenchError
from workbench.results import CircuitRecord, cnot_order, size_order
from workbench.sim import Circuit, evaluated_record
from workbench.train import Callback, EpisodeEvent, StepEvent, TrainingSummary


def circuit_record(env, event: StepEvent) -> CircuitRecord:
    """A circuit seen at one step, re-evaluated exactly: ``energy`` with the run's noise channels
    and mitigation (no shots; readout error inverted, zero-noise extrapolated when the run
    mitigates), ``noiseless_energy`` without any noise; errors are against the exact E0."""
    circuit = Circuit.from_gates(env.n_qubits, event.gates)
    record = evaluated_record(circuit, event.params, env.problem, env.noise, env.mitigation)
    fields = {"episode": event.episode, "step": event.step, "test": event.test}
    return CircuitRecord.from_dict({**fields, **record, "measured_energy": event.energy})


class BestCircuits(Callback):
    """The ``keep`` lowest-energy distinct circuits seen at any step, and within chemical
    accuracy the smallest circuit (``size_order``: fewest gates, then CNOTs, then error) and the
    one with the fewest CNOTs (``cnot_order``) — the one tracker of a run's best circuits.

    Ranking uses the measured energy to shortlist and the exact re-evaluation to decide, so shot
    noise cannot promote a lucky circuit. In a curve run only the run's own bond length counts
    (energies at different bond lengths do not compare).
    """

    def __init__(self, env, keep: int = 5, chemical_accuracy: float = CHEMICAL_ACCURACY):
        self.env, self.keep, self.chemical_accuracy = env, keep, chemical_accuracy
        self.circuits: list[CircuitRecord] = []
        self.smallest: CircuitRecord | None = None
        self.fewest_cnots: CircuitRecord | None = None

    def on_step(self, event: StepEvent) -> None:
        if not event.gates or not getattr(self.env, "at_reference", True):
            return
        worst = self.circuits[-1].energy if len(self.circuits) >= self.keep else math.inf
        shortlist = event.energy < worst + 0.05 or event.error_to_ground < self.chemical_accuracy
        if not shortlist:
            return
        record = circuit_record(self.env, event)
        if record.energy < worst:
            same = [c for c in self.circuits if c.gates == record.gates]
            if not same or same[0].energy > record.energy:
                others = [c for c in self.circuits if c.gates != record.gates]
                self.circuits = sorted([*others, record], key=lambda c: c.energy)[: self.keep]
        if record.error < self.chemical_accuracy:
            if self.smallest is None or size_order(record) < size_order(self.smallest):
                self.smallest = record
            if self.fewest_cnots is None or cnot_order(record) < cnot_order(self.fewest_cnots):
                self.fewest_cnots = record

    @property
    def best(self) -> CircuitRecord | None:
        return self.circuits[0] if self.circuits else None

    def state_dict(self) -> dict:
        """The JSON form (``best.json``, and the checkpoint's ``best`` entry)."""
        return {
            "circuits": [c.to_dict() for c in self.circuits],
            "smallest_within_chemical_accuracy": _as_dict(self.smallest),
            "fewest_cnots_within_chemical_accuracy": _as_dict(self.fewest_cnots),
        }

    def load_state_dict(self, state: dict) -> None:
        self.circuits = [CircuitRecord.from_dict(c) for c in state["circuits"]]
        self.smallest = CircuitRecord.optional(state["smallest_within_chemical_accuracy"])
        fewest = state.get("fewest_cnots_within_chemical_accuracy")  # absent before it existed
        self.fewest_cnots = CircuitRecord.optional(fewest)


def _as_dict(record: CircuitRecord | None) -> dict | None:
    return None if record is None else record.to_dict()


def episode_record(event: EpisodeEvent, wall_time: float) -> dict:
    """One line of ``metrics.jsonl``: the event with the run's wall time stamped."""
    return dataclasses.replace(event, wall_time=round(wall_time, 4)).to_dict()


class MetricsLog(Callback):
    """Appends one JSON line per episode (training and test) to ``path``, flushed each time."""

    def __init__(self, path: Path, clock) -> None:
        self.path, self.clock = Path(path), clock
        self.lines = 0
        self._handle = None

    def open(self, lines: int = 0) -> None:
        """Keep the first ``lines`` lines (those covered by a checkpoint) and append after."""
        kept = []
        if lines and self.path.exists():
            kept = self.path.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]
        self.path.write_text("".join(kept), encoding="utf-8")
        self.lines = len(kept)
        self._handle = self.path.open("a", encoding="utf-8")

    def check(self, lines: int) -> None:
        """Refuse a file that no longer holds the ``lines`` complete records a checkpoint covers
        (cut mid-line, shortened, deleted): appending to it would glue two lines together or
        leave episodes without records."""
        try:
            kept = self.path.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]
        except FileNotFoundError:
            kept = []
        except (OSError, UnicodeDecodeError) as error:
            raise WorkbenchError(f"{self.path} cannot be read ({error})") from None
        whole = 0
        for line in kept:
            try:
                json.loads(line)
            except ValueError:
                break
            whole += line.endswith("\n")
        if whole < lines:
            raise WorkbenchError(
                f"{self.path} holds {whole} complete episode records; the checkpoint covers "
                f"{lines}: the file was cut or deleted since. Restore it from a copy, or start a "
                "new run (resuming would lose those episodes' records)"
            )

    def on_episode(self, event: EpisodeEvent) -> None:
        self._handle.write(json.dumps(episode_record(event, self.clock())) + "\n")
        self._handle.flush()
        self.lines += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None


class Checkpointer(Callback):
    """Calls ``save()`` after every ``every``-th training episode (after its test episode)."""

    def __init__(self, every: int, save) -> None:
        self.every, self.save = every, save

    def on_episode_end(self, episode: int, summary: TrainingSummary) -> None:
        if (episode + 1) % self.every == 0:
            self.save(episode + 1)


class StopSignal(Callback):
    """Ends training cleanly after the current episode once :meth:`request` was called (from a
    button, another thread or a signal handler); the run folder then holds a checkpoint."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def request(self) -> None:
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def on_episode(self, event: EpisodeEvent) -> bool:
        return self._event.is_set()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""What stops training cleanly: Ctrl-C, and ``kill PID`` (SIGTERM). :func:`stop_on_signals`
handles them for one run; a sweep (:mod:`workbench.sweep.engines`) counts them and relays the
stop to its workers."""


@contextlib.contextmanager
def stop_on_signals():
    """A :class:`StopSignal` that the first Ctrl-C or SIGTERM (``kill PID``) requests: training
    stops after the current episode, checkpoints and releases its folder. The second signal
    raises the usual KeyboardInterrupt (a run's lock is still released). The previous handlers
    come back on exit. Used by ``workbench train``/``resume`` and ``python -m bench.search``."""
    stop = StopSignal()

    def handler(signum, frame):
        if stop.requested:
            raise KeyboardInterrupt
        stop.request()
        print("\nworkbench: stopping after this episode (Ctrl-C again to abort)", file=sys.stderr)

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


class ProgressBar(Callback):
    """A tqdm bar over episodes with the best error and ε; silent when ``quiet``
    (papermill reports, CI logs) so executed notebooks carry no frozen bars."""

    def __init__(self, total: int, initial: int = 0, quiet: bool | None = None) -> None:
        from tqdm.auto import tqdm

        quiet = (not sys.stderr.isatty()) if quiet is None else quiet
        self.bar = tqdm(total=total, initial=initial, unit="ep", disable=quiet, leave=True)
        self.best, self.done = math.inf, initial

    def on_episode(self, event: EpisodeEvent) -> None:
        self.best = min(self.best, event.error_to_ground)
        if event.test:
            return
        self.done += 1
        shown = {} if event.epsilon is None else {"eps": f"{event.epsilon:.2f}"}
        self.bar.set_postfix(best_error=f"{self.best:.2e}", **shown)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


class GreedyTests:
    """The last ``window`` greedy test episodes: how many ended within chemical accuracy of the
    exact E0. Kept as they arrive (O(1) per episode), for the live panel and TensorBoard."""

    def __init__(self, window: int = 10) -> None:
        self.window = window
        self.within: list[bool] = []

    def add(self, event: EpisodeEvent) -> None:
        if event.test:
            hit = event.error_to_ground < CHEMICAL_ACCURACY
            self.within = [*self.within, hit][-self.window :]

    @property
    def rate(self) -> float | None:
        """The share of the kept tests within accuracy (``None`` before the first test)."""
        return sum(self.within) / len(self.within) if self.within else None


class TensorBoardLog(Callback):
    """Episode scalars and the best circuit as TensorBoard event files in ``log_dir``.

    Training episodes at ``global_step`` = episode index: ``train/error_Ha`` (final error vs E0),
    ``train/energy_Ha``, ``train/return``, ``train/threshold_Ha`` (curriculum), ``train/gates``,
    ``train/cnots``, ``train/depth``, ``train/success`` (0/1), ``train/epsilon`` and
    ``train/loss`` where the agent has them; greedy test episodes as ``greedy/error_Ha``,
    ``greedy/gates`` and ``greedy/success_rate`` (share of the last ten tests within chemical
    accuracy); the run's best circuit (exact re-evaluation) as text ``best_circuit`` whenever it
    changes. A resumed run writes into the same folder: events at or after the first episode it
    logs are purged first, so a crash between checkpoints leaves no duplicate steps. Needs the
    ``tensorboard`` package (``pip install -e '.[tensorboard]'``).
    """

    def __init__(self, log_dir: str | Path) -> None:
        try:
            import tensorboard  # noqa: F401  (SummaryWriter needs it)
        except ImportError:
            raise WorkbenchError(
                "TensorBoard logging needs the tensorboard package: pip install -e '.[tensorboard]'"
            ) from None
        self.log_dir = Path(log_dir)
        self.writer = None
        self.tracker, self.shown, self.tests = None, None, GreedyTests()

    def on_run_start(self, best) -> None:
        self.tracker = best

    def _writer(self, step: int):
        if self.writer is None:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(self.log_dir), purge_step=step or None)
        return self.writer

    def on_episode(self, event: EpisodeEvent) -> None:
        writer, step = self._writer(event.episode), event.episode
        if event.test:
            self.tests.add(event)
            writer.add_scalar("greedy/error_Ha", event.error_to_ground, step)
            writer.add_scalar("greedy/gates", event.n_gates, step)
            writer.add_scalar("greedy/success_rate", self.tests.rate, step)
            return
        values = {"error_Ha": event.error_to_ground, "energy_Ha": event.energy,
                  "return": event.episode_return, "threshold_Ha": event.threshold,
                  "gates": event.n_gates, "cnots": event.n_cnots, "depth": event.depth,
                  "success": float(event.success), "epsilon": event.epsilon,
                  "loss": event.loss}  # fmt: skip
        for name, value in values.items():
            if value is not None:
                writer.add_scalar(f"train/{name}", value, step)

    def on_episode_end(self, episode: int, summary: TrainingSummary) -> None:
        best = None if self.tracker is None else self.tracker.best
        if best is not None and best is not self.shown:
            qasm = "\n".join("    " + line for line in best.qasm.splitlines())  # Markdown code
            text = (
                f"episode {best.episode}: energy {best.energy:.8f} Ha, error {best.error:.2e} Ha, "
                f"{best.n_gates} gates, {best.n_cnots} CNOTs\n\n{qasm}"
            )
            self._writer(episode).add_text("best_circuit", text, episode)
            self.shown = best

    def on_run_end(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def write_tensorboard(folder: str | Path, log_dir: str | Path) -> Path:
    """Replay a run folder's ``metrics.jsonl`` and best circuit into fresh TensorBoard event
    files in ``log_dir`` (its earlier event files are replaced) — for runs trained without
    ``--tensorboard``, e.g. a sweep's points. Returns ``log_dir``."""
    from types import SimpleNamespace

    from workbench.results import load_run

    result, log_dir = load_run(folder), Path(log_dir)
    log = TensorBoardLog(log_dir)
    for old in log_dir.glob("events.out.tfevents.*"):
        old.unlink()
    log.on_run_start(SimpleNamespace(best=result.best))
    last = 0
    for record in result.metrics:
        log.on_episode(record)
        last = record.episode
    log.on_episode_end(last, TrainingSummary())
    log.on_run_end()
    return log_dir
