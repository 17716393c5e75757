"""What the live panel shows while a run trains: the growing circuit, this episode's errors, a
status line naming the step they show, the run's progress, the best circuits, learning curves.

Drawing runs on the training thread (the kernel's main thread must stay free for clicks), so
every millisecond spent drawing is a millisecond not spent training. :class:`RedrawBudget`
bounds that share: the step view (SVG sketches, < 2 ms) is redrawn about four times a second, the
learning curves (a matplotlib PNG, ~0.2–0.4 s) at most every few seconds and never more than a
small share of the wall time. ``python -m bench.panel`` measures the panel's episodes/s
against the command line's on the same preset and seed.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

from workbench.callbacks import GreedyTests
from workbench.config import CHEMICAL_ACCURACY_LABEL
from workbench.plots import learning_curves
from workbench.train import Callback
from workbench.widgets.display import show_image
from workbench.widgets.sketch import circuit_svg, step_errors_svg


@dataclass
class RedrawBudget:
    """Redraw no more often than every ``interval`` seconds, and spend at most ``share`` of the
    wall time drawing: after a drawing that took ``c`` seconds the next one waits
    ``max(interval, c / share)`` from the start of this one."""

    interval: float
    share: float
    next_time: float = 0.0

    def due(self, now: float | None = None) -> bool:
        return (time.perf_counter() if now is None else now) >= self.next_time

    def spent(self, started: float, ended: float | None = None) -> None:
        """Record a drawing that ran from ``started`` to ``ended`` (``time.perf_counter``)."""
        cost = (time.perf_counter() if ended is None else ended) - started
        self.next_time = started + max(self.interval, cost / self.share)


def circuit_title(record, what: str) -> str:
    """``what`` and the record's size and error, e.g. for the circuit picture after a run."""
    return f"{what}: {record.n_gates} gates, {record.n_cnots} CNOTs, error {record.error:.2e} Ha"


def best_circuits_html(best, smallest) -> str:
    """The lowest-energy circuit so far and, when it is another one, the smallest circuit within
    chemical accuracy (:class:`~workbench.results.CircuitRecord` s, exact re-evaluations)."""
    parts = []
    also = ", also the smallest within accuracy" if smallest == best else ""
    first = "lowest energy so far" + also
    for label, record in ((first, best), ("smallest within accuracy", smallest)):
        if record is None or (label.startswith("smallest") and record == best):
            continue
        step = "" if record.step is None else f", step {record.step + 1}"
        noisy = (
            f"<br>noiseless error of the same circuit {record.noiseless_error:.2e} Ha"
            if record.noiseless_energy != record.energy
            else ""
        )
        parts.append(
            f"<b>{label}</b> (episode {record.episode}{step})<br>"
            f"energy {record.energy:.8f} Ha, error {record.error:.2e} Ha{noisy}<br>"
            f"{record.n_gates} gates, {record.n_cnots} CNOTs, depth {record.depth}, "
            f"{record.n_params} parameters"
        )
    return "<br><br>".join(parts)


class LiveView(Callback):
    """Receives training events on the training thread and updates the panel's widgets.

    ``pace`` (seconds per step) slows training for a classroom demonstration: then every step
    is drawn. Otherwise the step view follows :class:`RedrawBudget` ``step_budget`` and the
    learning curves ``curve_budget``.
    """

    def __init__(self, view, min_redraw: float = 0.25, pace: float = 0.0) -> None:
        self.view, self.pace = view, pace
        self.step_budget = RedrawBudget(min_redraw, share=0.1)
        self.curve_budget = RedrawBudget(3.0, share=0.1)
        self.errors: list[float] = []
        self.thresholds: list[float] = []
        self.episodes: list = []  # the run's EpisodeRecords so far
        self.tests = GreedyTests()
        self.tracker = None  # the run's BestCircuits (exact energies), set at run start
        self.latest = self.drawn = None  # the last StepEvent seen, the last one drawn

    def on_run_start(self, best) -> None:
        self.tracker = best

    def on_step(self, event) -> None:
        if event.step == 0:
            self.errors, self.thresholds = [], []
        self.errors.append(event.error_to_ground)
        self.thresholds.append(event.threshold)
        self.latest = event
        if self.pace:
            time.sleep(self.pace)
        if self.pace or self.step_budget.due():
            self.draw_step(event)

    def draw_step(self, event) -> None:
        """The circuit, this episode's errors and the status line, all of the same step."""
        started = time.perf_counter()
        where = f"episode {event.episode} step {event.step + 1}" + (
            " (greedy test)" if event.test else ""
        )
        view = self.view
        view.circuit.value = circuit_svg(event.gates, view.n_qubits, list(event.params), where)
        view.step_plot.value = step_errors_svg(self.errors, self.thresholds)
        view.status.value = (
            f"<b>{where}</b>: error {event.error_to_ground:.2e} Ha, threshold "
            f"{event.threshold:.2e} Ha"
        )
        self.drawn = event
        self.step_budget.spent(started)

    def on_episode(self, event) -> None:
        self.episodes.append(event)
        self.tests.add(event)
        if self.latest is not self.drawn and self.step_budget.due():
            self.draw_step(self.latest)  # the episode's last step, when the budget allows
        tests = self.tests.within
        greedy = (
            f" · greedy: {sum(tests)} of the last {len(tests)} tests within "
            f"{CHEMICAL_ACCURACY_LABEL}"
            if tests
            else ""
        )
        epsilon = "" if event.epsilon is None else f", ε = {event.epsilon:.3f}"
        kind = "greedy test" if event.test else "episode"
        outcome = "success" if event.success else "no success"
        self.view.progress.value = (
            f"last finished: {kind} {event.episode}, {outcome} after {event.length} steps, "
            f"error {event.error_to_ground:.2e} Ha{epsilon}{greedy}"
        )
        tracker = self.tracker
        if tracker is not None:
            self.view.best_html.value = best_circuits_html(tracker.best, tracker.smallest)
        if len(self.episodes) == 1 or self.curve_budget.due():
            started = time.perf_counter()
            show_image(self.view.curves, learning_curves(self.episodes))
            if len(self.episodes) > 1:  # the first drawing warms matplotlib up: not its cost
                self.curve_budget.spent(started)


def status_html(text: str, error: bool = False) -> str:
    """A status line; errors in red."""
    escaped = html.escape(text)
    return f"<span style='color:#b00'>{escaped}</span>" if error else escaped
