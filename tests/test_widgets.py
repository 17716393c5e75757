"""The panel driven programmatically: values → config, Start, Stop with the folder intact,
Resume, exports; pickers react to each other."""

from __future__ import annotations

import json
import re
import time

import pytest

from workbench.results import load_run
from workbench.widgets import NoisePicker, Panel, ProblemPicker


def test_choices_become_the_run_config(tmp_path):
    panel = Panel(runs_dir=str(tmp_path))
    panel.problem.preset.value = "h2-3q"
    panel.noise.kind.value = "depolarizing"
    panel.noise.p1.value = 1e-3
    panel.noise.shots.value = 500
    panel.search.optimizer.value = "adam_spsa"
    panel.search.budget.value = 60
    panel.search.episodes.value = 7
    panel.search.masks.value = False
    panel.search.seed.value = 4
    config = panel.config()
    assert config.problem.preset == "h2-3q" and config.noise.shots == 500
    assert config.noise.overrides["depolarizing_1q"] == pytest.approx(1e-3)
    assert (config.optimizer.method, config.optimizer.maxfev) == ("adam_spsa", (60,))
    assert (config.episodes, config.seed, config.env.mask_illegal) == (7, 4, False)


def test_a_run_preset_brings_its_problem_and_noise():
    panel = Panel()
    panel.search.preset.value = "h2-4q-ourense-demo"
    assert panel.problem.preset.value == "h2-4q-qcas"
    assert panel.noise.kind.value == "device profile" and panel.noise.profile.value == "ibm-ourense"
    assert panel.config().noise.profile == "ibm-ourense"


def test_choosing_custom_or_a_polyatomic_problem_keeps_every_tab_usable():
    """Regression (classroom issue, bug 1): hiding the bond-length slider hid every field that
    shared its Layout object, in all three tabs."""
    panel = Panel()
    fields = [panel.problem.preset, panel.noise.kind, panel.search.episodes, panel.search.seed]
    for choice in ("custom", "h2o-8q", "h2-2q"):
        panel.problem.preset.value = choice
        assert [f.layout.display for f in fields] == [None] * len(fields), choice
    slider = panel.problem.bond_length
    assert slider.layout.display is None  # h2-2q is diatomic
    panel.problem.preset.value = "h2o-8q"
    assert slider.layout.display == "none" and panel.search.optimizer.layout.display is None


def test_bond_length_slider_and_noise_preview():
    problem = ProblemPicker("h2-4q")
    assert "E0 = -1.137" in problem.facts.value
    problem.bond_length.value = 1.5
    assert problem.changes()["problem.bond_length"] == 1.5 and "E0 = -0.998" in problem.facts.value
    noise = NoisePicker()
    noise.problem = problem.problem()
    noise.kind.value = "device profile"
    noise.profile.value = "ibm-mumbai-10max"
    assert "shift" in noise.effect.value and "+0.00e+00" not in noise.effect.value


def test_custom_molecule_and_a_bad_value_is_shown_not_raised(tmp_path):
    panel = Panel(runs_dir=str(tmp_path))
    panel.problem.preset.value = "custom"
    panel.problem.symbols.value = "H H"
    panel.problem.geometry.value = "0 0 0; 0 0 0.8"
    assert panel.config().problem.molecule.symbols == ("H", "H")
    panel.problem.symbols.value = "H Xx"
    panel.start()
    assert "unknown element" in panel.status.value and panel.thread is None


def test_start_stop_resume_keeps_the_run_folder(tmp_path):
    panel = Panel(runs_dir=str(tmp_path))
    panel.search.episodes.value = 2000
    panel.start_button.click()
    deadline = time.time() + 60
    while not panel.curves.value and time.time() < deadline:  # drawn after the first episode
        time.sleep(0.1)
    assert panel.circuit.value and panel.step_plot.value
    panel.stop_button.click()
    result = panel.wait(timeout=60)
    assert panel.error is None and result.summary.status == "stopped"
    done = result.summary.episodes_done
    assert 1 <= done < 2000 and (panel.folder / "checkpoint.pt").exists()
    assert len(load_run(panel.folder).training_metrics()) == done
    panel.resume(episodes=done + 2)
    result = panel.wait(timeout=60)
    assert result.summary.status == "complete" and result.summary.episodes_done == done + 2
    # the live "best so far" is the run's own tracker: exact energies, as best.json has them
    assert f"energy {result.best.energy:.8f} Ha" in panel.best_html.value
    # Regression (classroom issue, bug 5): Resume follows the episodes field, and extends a
    # finished run
    panel.search.episodes.value = done + 4
    panel.resume_button.click()
    result = panel.wait(timeout=60)
    assert result.summary.status == "complete" and result.summary.episodes_done == done + 4
    assert result.config.episodes == done + 4
    qasm = panel.export("qasm")
    assert qasm.read_text().startswith("OPENQASM 2.0;")
    record = json.loads(panel.export("json").read_text())
    source = panel.export("pennylane").read_text()
    namespace: dict = {}
    exec(source, namespace)  # the exported function runs inside a PennyLane QNode
    import pennylane as qml

    @qml.qnode(qml.device("default.qubit", wires=2))
    def energy():
        namespace["circuit"]()
        return qml.expval(panel.noise.problem.to_pennylane())

    assert float(energy()) == pytest.approx(record["noiseless_energy"], abs=1e-9)


def test_links_point_at_the_pages_server(tmp_path, monkeypatch):
    """Regression (classroom issue, bug 3): "Open report" linked a file-system path (404 in
    JupyterLab, 403 in Voilà). Under Voilà the link is relative to the page and served from the
    notebook's folder; without a server it is a file URI."""
    from workbench.widgets import links

    report = tmp_path / "runs" / "a b" / "report" / "report.html"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    assert links.served_url(report) == "voila/files/runs/a%20b/report/report.html"
    assert any(re.fullmatch(p, "runs/a b/report/report.html") for p in links.CLASSROOM_FILES)
    assert 'download="best.qasm"' in links.file_link(tmp_path / "runs" / "best.qasm", download=True)
    monkeypatch.delenv("SERVER_SOFTWARE")
    monkeypatch.setattr(
        links, "_jupyter_server", lambda: {"root_dir": str(tmp_path), "base_url": "/u/"}
    )
    assert links.served_url(report) == "/u/files/runs/a%20b/report/report.html"
    monkeypatch.setattr(links, "_jupyter_server", lambda: None)
    assert links.served_url(report) == report.resolve().as_uri()


def test_a_run_preset_keeps_the_problem_and_noise_the_user_picked():
    """Choosing a run preset used to overwrite the problem and noise already picked; run
    folders were named after the preset even when another problem ran."""
    from workbench.run_folders import default_run_dir

    panel = Panel()
    panel.problem.preset.value = "h2-3q"
    panel.noise.kind.value = "depolarizing"
    panel.search.preset.value = "h2-4q-ourense-demo"
    assert panel.problem.preset.value == "h2-3q" and panel.noise.kind.value == "depolarizing"
    assert "Kept your problem and noise" in panel.status.value
    assert panel.use_preset_button.layout.display is None
    config = panel.config()
    assert config.problem.preset == "h2-3q" and config.noise.profile is None
    assert default_run_dir(config).name.startswith("h2-3q-depolarizing_1q-0.001-")  # not the preset
    panel.use_preset_button.click()
    assert panel.problem.preset.value == "h2-4q-qcas" and panel.noise.profile.value == "ibm-ourense"
    assert panel.use_preset_button.layout.display == "none"
    assert default_run_dir(panel.config()).name.startswith("h2-4q-qcas-ibm-ourense-s0-")


def test_noise_tab_shows_the_profile_numbers_and_search_has_a_gate_cap():
    panel = Panel()
    panel.noise.kind.value = "device profile"
    panel.noise.profile.value = "ibm-ourense"
    numbers = panel.noise.numbers.value
    assert "T1 / T2" in numbers and "77.0–103.1" in numbers and "readout" in numbers
    assert "[[0, 1]" in numbers  # the coupling map
    panel.noise.scale.value = 2.0  # scaled: T1 and T2 halve
    assert "(mean; 38.5–51.5)" in panel.noise.numbers.value
    panel.search.max_gates.value = 7
    assert panel.config().env.max_steps == 7
    panel.search.preset.value = "h2-3q-classroom"
    assert panel.search.max_gates.value == 15 and panel.search.episodes.value == 600


def test_dissociation_curve_beside_the_slider_marks_the_best_found_energy():
    problem = ProblemPicker("h2-2q")
    assert problem.scan_image.layout.display == "none"
    problem.scan(points=5)
    first = bytes(problem.scan_image.value)
    assert first.startswith(b"\x89PNG") and problem.scan_image.layout.display is None
    problem.mark_best(0.7414, -1.13)
    assert bytes(problem.scan_image.value) != first and problem.best_found == (0.7414, -1.13)
    problem.preset.value = "h2o-8q"  # not a diatomic: no scan, no button
    assert problem.scan_button.layout.display == "none"
    assert problem.scan_image.layout.display == "none"


def test_baselines_and_mitigation_of_a_finished_noisy_run_are_tables_in_the_panel(tmp_path):
    panel = Panel(preset="h2-2q-mumbai-demo", runs_dir=str(tmp_path))
    panel.mitigate_button.click()
    assert "needs a finished or stopped run" in panel.comparison.value
    panel.search.episodes.value = 3
    panel.start()
    assert panel.wait(timeout=120).summary.status == "complete"
    rows = panel.mitigate()
    assert rows[0]["readout_error"] < rows[0]["raw_error"]  # readout inverted exactly
    assert "<th>zne+readout error (Ha)</th>" in panel.comparison.value
    rows = panel.compare_baselines(methods=("uccsd",), random_budget=50)
    assert [r.method for r in rows][-1] == "crlqas" and rows[0].method == "uccsd"
    assert "<td>uccsd</td>" in panel.comparison.value


def test_random_halting_comes_from_the_preset_or_the_config_default():
    from workbench.config import HaltingConfig

    panel = Panel()
    panel.search.preset.value = "h2-2q-demo"  # a preset without random halting
    panel.search.halting.value = True
    assert panel.config().env.random_halting == HaltingConfig()
    panel.search.halting.value = False
    assert panel.config().env.random_halting is None
    noisy = next(n for n, c in panel.search.presets.items() if c.env.random_halting is not None)
    panel.search.preset.value = noisy
    own = panel.search.presets[noisy].env.random_halting
    assert panel.search.halting.value and panel.config().env.random_halting == own


def test_the_zy_box_adds_the_zy_rotation_actions_to_the_run(tmp_path):
    panel = Panel(runs_dir=str(tmp_path))
    panel.search.preset.value = "h2-4q-demo"
    assert not panel.search.zy_rotations.value and not panel.config().env.zy_rotations
    panel.search.zy_rotations.value = True
    panel.search.episodes.value = 2
    assert panel.config().env.zy_rotations
    panel.start()
    run = panel.wait(timeout=120)
    assert run.summary.status == "complete" and run.config.env.zy_rotations
    assert run.resolved.n_actions == 4 * 9  # 12 CNOTs, 12 rotations, 12 ZY rotations


def test_mitigating_a_noiseless_run_says_why_in_the_panel(tmp_path):
    panel = Panel(runs_dir=str(tmp_path))
    panel.search.episodes.value = 2
    panel.start()
    assert panel.wait(timeout=60).summary.status == "complete"
    assert panel.mitigate() is None
    assert "ran without noise: there is nothing to mitigate" in panel.comparison.value


def test_the_search_tab_picks_the_agent_and_offers_no_curve_preset():
    from workbench.widgets import SearchPicker

    search = SearchPicker("h2-3q-classroom")
    assert search.agent.value == "ddqn" and "ppo" in search.agent.options
    assert not [name for name in search.preset.options if name.endswith("-curve")]
    search.agent.value = "ppo"
    assert search.changes()["agent.kind"] == "ppo"
    panel = Panel()
    panel.search.agent.value = "dueling_ddqn"
    assert panel.config().agent.kind == "dueling_ddqn"


def test_the_search_tab_picks_the_initial_state_a_preset_brings_its_own():
    panel = Panel()
    panel.search.preset.value = "h2o-10q-fast"  # the MPS start and ZY rotations (docs/search.md)
    assert panel.search.initial_state.value == "mps" and panel.search.zy_rotations.value
    panel.search.preset.value = "lih-12q-fast"
    assert panel.search.initial_state.value == "hartree_fock"
    assert not panel.search.zy_rotations.value
    assert set(panel.search.initial_state.options) == {"zero", "hartree_fock", "mps"}
    panel.search.optimizer.value = "cobyla"
    panel.search.initial_state.value = "mps"
    assert "choose lbfgs" in panel.search.hint.value
    panel.search.optimizer.value = "lbfgs"
    assert panel.search.hint.value == ""
    config = panel.config()
    assert (config.env.initial_state, config.optimizer.method) == ("mps", "lbfgs")
    assert config.problem.preset == "lih-12q"


def test_greedy_tests_keep_the_last_ten_tests_and_skip_training_episodes():
    """Hand-computed: 12 tests (the first two within accuracy, then alternating misses and hits)
    among training episodes; the window keeps tests 3-12, of which 5 are within 1.6 mHa."""
    from types import SimpleNamespace

    from workbench.callbacks import GreedyTests

    tests = GreedyTests()
    assert tests.rate is None
    errors = [1e-4, 1e-4, *[1e-2 if k % 2 == 0 else 1e-4 for k in range(10)]]
    for error in errors:
        tests.add(SimpleNamespace(test=False, error_to_ground=0.0))  # a training episode
        tests.add(SimpleNamespace(test=True, error_to_ground=error))
    assert tests.within == [False, True] * 5 and tests.rate == 0.5


def test_redraw_budget_bounds_the_drawing_share():
    """Hand-computed: a 10 ms drawing at a 0.25 s interval waits the interval; a 0.4 s drawing
    at a 10 % share waits 4 s from its start."""
    from workbench.widgets.live import RedrawBudget

    budget = RedrawBudget(interval=0.25, share=0.1)
    assert budget.due(now=0.0)
    budget.spent(started=1.0, ended=1.01)
    assert not budget.due(now=1.2) and budget.due(now=1.25)
    budget.spent(started=2.0, ended=2.4)
    assert not budget.due(now=5.99) and budget.due(now=6.0)


def test_status_line_names_the_step_the_pictures_show(tmp_path):
    """Regression (classroom issue 25, list 3): the status line said "no success after 15 steps"
    (the last finished episode) beside a picture of "episode 0 step 1". Every drawing now writes
    the circuit, the step plot and the status line from one event; finished episodes go to their
    own, labelled line."""
    from workbench.widgets.live import LiveView

    panel = Panel(runs_dir=str(tmp_path))
    panel.search.episodes.value = 6
    titles = []

    class Recording(LiveView):
        def draw_step(self, event):
            super().draw_step(event)
            picture = re.search(r'data-title="([^"]*)"', panel.circuit.value).group(1)
            status = re.search(r"<b>(.*?)</b>", panel.status.value).group(1)
            titles.append((picture, status, f"episode {event.episode} step {event.step + 1}"))

    import workbench.widgets.panel as panel_module

    original = panel_module.LiveView
    panel_module.LiveView = lambda view, pace=0.0: Recording(view, pace=pace)
    try:
        panel.start(tmp_path / "run")
        result = panel.wait(timeout=120)
    finally:
        panel_module.LiveView = original
    assert result is not None and titles
    for picture, status, event in titles:
        assert picture == status and status.startswith(event), (picture, status, event)
    assert panel.progress.value.startswith("last finished:")


def test_after_a_run_the_picture_and_the_best_box_name_the_same_circuit(tmp_path):
    """Regression (issue 25): after Stop the circuit's title (the smallest accurate circuit)
    disagreed with "best so far" (the lowest energy). Both are now named and listed."""
    panel = Panel("h2-3q-classroom", runs_dir=str(tmp_path))
    panel.search.episodes.value = 30
    panel.start(tmp_path / "run")
    result = panel.wait(timeout=120)
    title = re.search(r'data-title="([^"]*)"', panel.circuit.value).group(1)
    record = result.smallest_within_chemical_accuracy or result.best
    label = "smallest within accuracy" if result.smallest_within_chemical_accuracy else "lowest"
    assert title.startswith(label) and f"{record.n_gates} gates" in title
    box = panel.best_html.value
    assert label in box and f"error {record.error:.2e} Ha" in box


def test_buttons_before_a_run_say_why_nothing_happened(tmp_path):
    """Regression (issue 25): Export before any run did nothing, silently; the mitigation
    message stayed after the next run finished; button labels were cut off."""
    panel = Panel(runs_dir=str(tmp_path))
    panel.export_buttons[0].click()
    assert "Start a run first" in panel.links.value
    panel.mitigate_button.click()
    assert "needs a finished or stopped run" in panel.comparison.value
    panel.search.episodes.value = 2
    panel.start(tmp_path / "run")
    assert panel.comparison.value == "" and panel.links.value == ""
    panel.mitigate()  # clicked while the run trains: asked to wait ...
    if panel.thread.is_alive():
        assert "needs a finished or stopped run" in panel.comparison.value
    panel.wait(timeout=120)
    assert panel.comparison.value == ""  # ... and the message is gone once the run has finished
    for button in (*panel.export_buttons, panel.report_button, panel.mitigate_button):
        assert button.layout.width == "auto", button.description
