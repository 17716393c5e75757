"""The live panel: pick problem, noise and search; Start / Stop / Resume; watch circuits grow.

Training runs in a worker thread, so the kernel stays free to process clicks: Stop asks the
loop to finish the current episode (a checkpoint is written, the run folder stays resumable).
The live view (:mod:`workbench.widgets.live`) updates widgets in place (no output clearing, so no
flicker): the circuit as it grows, this episode's error per step against the threshold and
chemical accuracy, the learning curves, and the best circuits so far, within a drawing budget
that keeps the panel's training speed close to the command line's.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path

import ipywidgets as w

from workbench.callbacks import StopSignal
from workbench.config import DEFAULT_RUN_PRESET, RunConfig
from workbench.errors import WorkbenchError
from workbench.plots import learning_curves
from workbench.rendering import markdown_table, mitigation_table
from workbench.results import RunResult, load_run
from workbench.run_folders import default_run_dir
from workbench.runs import resume, run
from workbench.sim import Circuit
from workbench.widgets.display import markdown_to_html, show_image
from workbench.widgets.links import file_link
from workbench.widgets.live import LiveView, best_circuits_html, circuit_title, status_html
from workbench.widgets.pickers import NoisePicker, ProblemPicker, SearchPicker
from workbench.widgets.sketch import circuit_svg

IMAGE = {"format": "png"}
WIDE = {"width": "auto"}  # buttons as wide as their labels (the default 148 px cut them off)
HINT = "<span class='wb-hint'>"  # a "not yet" message: cleared when a run starts or ends


def hint(text: str) -> str:
    return f"{HINT}{html.escape(text)}</span>"


class Panel:
    """The workbench panel; ``Panel().show()`` in a notebook, ``workbench classroom`` standalone.

    Programmatic use (tests, scripted demos): set picker values, then ``start()``, ``stop()``,
    ``wait()``; ``config()`` is the RunConfig the current choices give; ``result`` the RunResult.
    """

    def __init__(self, preset: str = DEFAULT_RUN_PRESET, runs_dir: str = "runs", pace: float = 0.0):
        self.search = SearchPicker(preset)
        base = self.search.presets[preset]
        self.problem = ProblemPicker(base.problem.preset or "custom")
        self.noise = NoisePicker()
        self.runs_dir, self.pace = Path(runs_dir), pace
        self.folder: Path | None = None
        self.result: RunResult | None = None
        self.thread: threading.Thread | None = None
        self.stop_signal: StopSignal | None = None
        self.error: str | None = None
        self._n_qubits: int | None = None
        self._syncing, self._own_choice = False, False
        self._build_ui()
        self.search.preset.observe(lambda _: self._follow_preset(), "value")
        self.problem.preset.observe(lambda _: self._problem_changed(), "value")
        self.problem.bond_length.observe(lambda _: self._problem_changed(), "value")
        noise = self.noise
        picked = (self.problem.preset, self.problem.bond_length, noise.kind, noise.profile)
        for item in (*picked, noise.scale, noise.shots, noise.readout, noise.p1, noise.p2):
            item.observe(lambda _: self._chosen(), "value")
        self._follow_preset(force=True)

    def _chosen(self) -> None:
        if not self._syncing:  # the user picked a problem or noise: a run preset keeps it
            self._own_choice = True

    def _build_ui(self) -> None:
        # icon names that JupyterLab's Font Awesome 4 and Voilà's bundled Font Awesome 5 share
        self.start_button = w.Button(description="Start", button_style="success", icon="play")
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop")
        self.resume_button = w.Button(description="Resume", icon="forward")
        self.start_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.resume_button.on_click(lambda _: self.resume())
        self.status = w.HTML("Choose a problem, a noise model and a search, then Start.")
        self.progress = w.HTML()
        self.use_preset_button = w.Button(
            description="Use the preset's problem and noise",
            layout=w.Layout(display="none", **WIDE),
        )
        self.use_preset_button.on_click(lambda _: self._follow_preset(force=True))
        hidden = {"display": "none"}  # until the first drawing: no broken-image icons
        self.circuit = w.HTML()  # SVG sketches (workbench.widgets.sketch)
        self.step_plot = w.HTML(layout=w.Layout(width="430px"))
        self.curves = w.Image(**IMAGE, layout=w.Layout(width="760px", **hidden))
        self.best_html = w.HTML()
        self.summary = w.HTML()
        exports = [("OpenQASM 2", "qasm"), ("JSON", "json"), ("PennyLane", "pennylane")]
        self.export_buttons = []
        for label, kind in exports:
            button = w.Button(description=f"Export {label}", layout=w.Layout(**WIDE))
            button.on_click(lambda _, k=kind: self.export(k))
            self.export_buttons.append(button)
        self.report_button = w.Button(
            description="Open report", icon="file", layout=w.Layout(**WIDE)
        )
        self.report_button.on_click(lambda _: self.open_report())
        self.baselines_button = w.Button(
            description="Baselines", icon="balance-scale", layout=w.Layout(**WIDE)
        )
        self.baselines_button.on_click(lambda _: self.compare_baselines())
        self.mitigate_button = w.Button(
            description="Mitigate", icon="magic", layout=w.Layout(**WIDE)
        )
        self.mitigate_button.on_click(lambda _: self.mitigate())
        self.comparison = w.HTML()
        self.links = w.HTML()
        tabs = w.Tab([self.problem.widget, self.noise.widget, self.search.widget])
        for i, title in enumerate(("Problem", "Noise", "Search")):
            tabs.set_title(i, title)
        self.tensorboard = w.Checkbox(
            value=False, indent=False, description="TensorBoard log (runs/tensorboard)",
            layout=w.Layout(**WIDE),
        )  # fmt: skip
        buttons = w.HBox([self.start_button, self.stop_button, self.resume_button,
                          self.tensorboard, self.use_preset_button])  # fmt: skip
        live = w.VBox(
            [w.HBox([self.circuit]), w.HBox([self.step_plot, self.best_html]), self.curves]
        )
        actions = [*self.export_buttons, self.report_button, self.baselines_button]
        end = w.VBox([self.summary, w.HBox([*actions, self.mitigate_button]), self.links,
                      self.comparison])  # fmt: skip
        self.widget = w.VBox([tabs, buttons, self.status, self.progress, live, end])

    def show(self):
        from IPython.display import display

        display(self.widget)
        return self

    def _ipython_display_(self):
        self.show()

    @property
    def n_qubits(self) -> int:
        """Qubits of the running (or last) run; of the chosen problem before any run."""
        return self._n_qubits or self.problem.problem().n_qubits

    def _follow_preset(self, force: bool = False) -> None:
        """A run preset brings its problem and noise with it — unless the user has picked a
        problem or noise since: those are kept, and a button offers the preset's instead."""
        if self._own_choice and not force:
            self.use_preset_button.layout.display = None
            self.status.value = "Kept your problem and noise; the run preset set the search only."
            return
        self.use_preset_button.layout.display = "none"
        self._syncing = True
        try:
            self._apply_preset_problem_and_noise()
        finally:
            self._syncing, self._own_choice = False, False

    def _apply_preset_problem_and_noise(self) -> None:
        base = self.search.presets[self.search.preset.value]
        if base.problem.preset is not None:
            self.problem.preset.value = base.problem.preset
        if base.noise.profile is not None:
            self.noise.profile.value = base.noise.profile
            self.noise.scale.value = base.noise.scale
            self.noise.kind.value = "device profile"
        else:
            self.noise.kind.value = "none"
        self.noise.shots.value = base.noise.shots or 0
        self._problem_changed()

    def _problem_changed(self) -> None:
        try:
            self.noise.problem = self.problem.problem()
        except WorkbenchError:
            self.noise.problem = None
        self.noise.refresh()

    def config(self) -> RunConfig:
        """The run config of the current choices (raises ConfigError on a bad value)."""
        base = self.search.presets[self.search.preset.value]
        changes = {**self.problem.changes(), **self.noise.changes(), **self.search.changes()}
        return base.with_overrides(changes)

    def _launch(self, target, folder: Path) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.status.value = "A run is in progress: Stop it first."
            return
        self.folder, self.error, self.result = folder, None, None
        for stale in (self.progress, self.summary, self.links, self.comparison):
            stale.value = ""  # messages about the previous run (or about having none)
        self.stop_signal = StopSignal()
        live = LiveView(self, pace=self.pace)

        callbacks = [live, self.stop_signal]
        if self.tensorboard.value:  # `tensorboard --logdir <runs_dir>/tensorboard`
            from workbench.callbacks import TensorBoardLog

            try:
                callbacks.append(TensorBoardLog(self.runs_dir / "tensorboard" / folder.name))
            except WorkbenchError as error:
                self.status.value = status_html(str(error), error=True)
                return

        def work():
            try:
                self.result = target(callbacks)
                self.show_summary()
            except Exception as error:  # shown in the panel; the run folder stays resumable
                self.error = f"{type(error).__name__}: {error}"
                self.status.value = status_html(self.error, error=True)

        self.thread = threading.Thread(target=work, name="workbench-training", daemon=True)
        self.thread.start()

    def start(self, out: str | Path | None = None) -> None:
        """Build the config (errors shown, nothing started) and train in the background."""
        try:
            config = self.config()
            from workbench.experiment import check

            self._n_qubits = check(config)[0].n_qubits
        except WorkbenchError as error:
            self.error = str(error)
            self.status.value = status_html(str(error), error=True)
            return
        folder = Path(out) if out else self.runs_dir / default_run_dir(config).name
        self.status.value = f"Training {html.escape(config.label)} into <code>{folder}</code> …"
        self._launch(lambda callbacks: run(config, callbacks, out=folder, progress=False), folder)

    def resume(self, folder: str | Path | None = None, episodes: int | None = None) -> None:
        """Continue the last (or the given) run folder from its checkpoint up to ``episodes``
        (default: the Search tab's episodes field; a finished run is extended)."""
        folder = Path(folder) if folder else self.folder
        if folder is None:
            self.status.value = "Nothing to resume yet: Start a run first."
            return
        found = load_run(folder)
        self._n_qubits = found.resolved.problem.n_qubits
        episodes = max(episodes or self.search.episodes.value, found.summary.episodes_done)
        self.status.value = f"Resuming <code>{folder}</code> up to {episodes} episodes …"
        self._launch(lambda callbacks: resume(folder, callbacks, False, episodes), folder)

    def stop(self) -> None:
        """Finish the current episode, write a checkpoint, and stop."""
        if self.stop_signal is not None and self.thread is not None and self.thread.is_alive():
            self.stop_signal.request()
            self.status.value = "Stopping after this episode …"

    def wait(self, timeout: float | None = None) -> RunResult | None:
        """Block until the background run ends (for scripts and papermill)."""
        if self.thread is not None:
            self.thread.join(timeout)
        return self.result

    def show_summary(self) -> None:
        if self.result is None:
            return
        from workbench.rendering import quantity_rows

        facts = self.result.overview()
        if facts["error"] is None:  # a row only when the run failed
            del facts["error"]
        rows = quantity_rows({k: v for k, v in facts.items() if not isinstance(v, dict)})
        self.summary.value = markdown_to_html(markdown_table(rows))
        for widget in (self.links, self.comparison):  # "needs a finished run" is stale now
            if widget.value.startswith(HINT):
                widget.value = ""
        smallest, best = self.result.smallest_within_chemical_accuracy, self.result.best
        record = smallest or best
        if record is not None:  # named as in the best-circuits box beside it
            what = "smallest within accuracy" if smallest else "lowest energy"
            title = circuit_title(record, what)
            self.circuit.value = circuit_svg(record.gates, self.n_qubits, record.params, title)
        self.best_html.value = best_circuits_html(best, smallest)
        show_image(self.curves, learning_curves(self.result.metrics))
        from workbench.chem import get_preset

        best, problem = self.result.best, self.result.config.problem
        if best is not None and problem.preset == self.problem.preset.value:
            length = problem.bond_length or get_preset(problem.preset).bond_length
            if length is not None and get_preset(problem.preset).is_diatomic:
                self.problem.mark_best(float(length), best.energy)
        self.status.value = f"Run {self.result.status}: folder <code>{self.result.folder}</code>"

    def export(self, kind: str) -> Path | None:
        """Write the best circuit as ``best.qasm``, ``best_circuit.json`` or a PennyLane
        function ``best_circuit_pennylane.py`` into the run folder; returns the path."""
        if self.folder is None:
            self.links.value = hint("Nothing to export yet: Start a run first.")
            return None
        result = load_run(self.folder)
        record = result.smallest_within_chemical_accuracy or result.best
        if record is None:
            self.links.value = hint("Nothing to export yet: the run has no circuit so far.")
            return None
        circuit = Circuit.from_gates(result.resolved.problem.n_qubits, record.gates)
        import json

        texts = {
            "qasm": ("best.qasm", record.qasm),
            "json": ("best_circuit.json", json.dumps(record.to_dict(), indent=1)),
            "pennylane": ("best_circuit_pennylane.py", circuit.pennylane_source(record.params)),
        }
        name, text = texts[kind]
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        self.links.value = "download: " + file_link(path, download=True)
        return path

    def open_report(self) -> Path | None:
        """Render the papermill report of this run folder (``report/report.html`` inside it)."""
        if self.folder is None:
            self.links.value = hint("No report yet: Start a run first.")
            return None
        from workbench.report import make_report

        self.links.value = "rendering the report …"
        html_path = make_report({"run_folder": str(self.folder)}, self.folder / "report")
        self.links.value = "report: " + file_link(html_path, f"{self.folder.name} report")
        return html_path

    def compare_baselines(self, **settings) -> list | None:
        """HEA, UCCSD, ADAPT-VQE and random search on this run's objective, next to its best
        circuits (:func:`workbench.baselines.baselines_for_run`; ``settings`` override
        :class:`~workbench.config.BaselineConfig` fields); shown as a table below the run."""
        if self.folder is None or not self._finished():
            self.comparison.value = hint("Baselines compare a finished or stopped run.")
            return None
        from workbench.baselines import baselines_for_run

        self.comparison.value = "computing the baselines on this run's objective …"
        rows = baselines_for_run(self.folder, **settings)
        table = markdown_table([row.table_row() for row in rows])
        self.comparison.value = "<b>Baselines</b>" + markdown_to_html(table)
        return rows

    def mitigate(self) -> list[dict] | None:
        """Readout inversion and zero-noise extrapolation of the run's best circuits
        (:meth:`~workbench.results.RunResult.mitigated`); shown as a table below the run."""
        if self.folder is None or not self._finished():
            self.comparison.value = hint("Mitigation needs a finished or stopped run.")
            return None
        try:  # a noiseless run, or one whose problem now builds differently, is refused there
            rows = load_run(self.folder).mitigated()
        except WorkbenchError as error:
            self.comparison.value = html.escape(str(error))
            return None
        table = markdown_table(mitigation_table(rows))
        self.comparison.value = "<b>Error mitigation</b> (exact expectations)" + markdown_to_html(
            table
        )
        return rows

    def _finished(self) -> bool:
        return self.thread is None or not self.thread.is_alive()
