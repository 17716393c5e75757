"""Callbacks that the training loop feeds: best circuits, metrics file, progress bar, stop flag.

Each one is small and owns one job; :func:`workbench.runs.run` and :func:`workbench.runs.resume`
wire the first three to a run folder. :class:`BestCircuits`, the one tracker of the best
circuits, keeps its state in ``state_dict()`` (checkpointed) and the metrics file is cut back to
the checkpoint on resume, so a resumed run continues where it stopped.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
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
    (no shots; readout error inverted when the run mitigates it), ``noiseless_energy`` without
    any noise; errors are against the exact E0."""
    circuit = Circuit.from_gates(env.n_qubits, event.gates)
    record = evaluated_record(circuit, event.params, env.problem, env.objective_noise)
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
