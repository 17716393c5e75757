"""TensorBoard logging: a run's episode scalars and best circuit read back from the event
files, across a resume, from the panel and replayed from a finished run folder."""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.results import load_run

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)


def _read(log_dir) -> EventAccumulator:
    events = EventAccumulator(str(log_dir), size_guidance={"scalars": 0, "tensors": 0})
    events.Reload()
    return events


def _scalars(events, tag) -> dict[int, float]:
    values = {}
    for event in events.Scalars(tag):
        assert event.step not in values, f"{tag}: step {event.step} logged twice"
        values[event.step] = event.value
    return values


def test_train_and_resume_log_every_episode_once(tmp_path, capsys):
    run, logs = tmp_path / "run", tmp_path / "tb"
    args = ["--preset", "h2-2q-demo", "--quiet", "--tensorboard", str(logs), "--out", str(run)]
    assert main(["train", *args, "--episodes", "4", "--set", "env.test_every=2"]) == 0
    assert main(["resume", str(run), "--episodes", "6", "--quiet", "--tensorboard", str(logs)]) == 0
    events = _read(logs / "run")
    result = load_run(run)
    train = result.training_metrics()
    errors = _scalars(events, "train/error_Ha")
    assert sorted(errors) == [m.episode for m in train] == list(range(6))
    for m in train:
        assert errors[m.episode] == pytest.approx(m.error_to_ground, rel=1e-6)
        assert _scalars(events, "train/gates")[m.episode] == m.n_gates
    assert set(_scalars(events, "train/epsilon")) == set(range(6))  # an ε-greedy agent
    assert _scalars(events, "greedy/success_rate")  # greedy test episodes every 2
    (text,) = events.Tensors("best_circuit/text_summary")[-1:]
    shown = text.tensor_proto.string_val[0].decode()
    assert f"energy {result.best.energy:.8f} Ha" in shown and "OPENQASM 2.0" in shown


def test_a_finished_run_folder_replays_into_event_files(tmp_path):
    from workbench.callbacks import write_tensorboard
    from workbench.config import get_run_preset
    from workbench.runs import run

    result = run(get_run_preset("h2-2q-demo").with_overrides({"episodes": 3}), out=tmp_path / "r")
    for _ in range(2):  # a second export replaces the first: no duplicate steps
        events = _read(write_tensorboard(result.folder, tmp_path / "tb"))
    energies = _scalars(events, "train/energy_Ha")
    assert energies == pytest.approx({m.episode: m.energy for m in result.training_metrics()})


def test_the_panel_logs_when_asked(tmp_path):
    from workbench.widgets import Panel

    panel = Panel("h2-2q-demo", runs_dir=str(tmp_path))
    panel.search.episodes.value = 2
    panel.tensorboard.value = True
    panel.start(tmp_path / "run")
    assert panel.wait(timeout=120).summary.status == "complete"
    assert sorted(_scalars(_read(tmp_path / "tensorboard" / "run"), "train/error_Ha")) == [0, 1]


def test_without_the_package_the_error_says_what_to_install(monkeypatch):
    import builtins

    from workbench.callbacks import TensorBoardLog
    from workbench.errors import WorkbenchError

    real = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "tensorboard":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    with pytest.raises(WorkbenchError, match=r"pip install -e '\.\[tensorboard\]'"):
        TensorBoardLog("anywhere")


def test_a_sweep_writes_its_points_side_by_side(tmp_path):
    out, logs = tmp_path / "sweep", tmp_path / "tb"
    args = ["sweep", "--preset", "h2-2q-demo", "--episodes", "2", "--grid", "env.max_steps=4,6"]
    assert main([*args, "--seeds", "0", "--workers", "1", "--out", str(out),
                 "--tensorboard", str(logs), "--quiet"]) == 0  # fmt: skip
    names = sorted(p.name for p in logs.iterdir())
    assert names == ["env.max_steps=4-s0", "env.max_steps=6-s0"]
    for name in names:
        assert sorted(_scalars(_read(logs / name), "train/error_Ha")) == [0, 1]
