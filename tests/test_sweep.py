"""Sweeps: grid points and their names, validation before anything runs, the local process pool
and a real local Ray instance end to end — a worker killed mid-run is retried and its point
resumes to the same metrics as an uninterrupted run, Ctrl-C stops cleanly, a rerun recomputes
nothing — and the results table and the self-contained index."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.cli.sweeps import parse_grid
from workbench.errors import ConfigError
from workbench.results import read_config
from workbench.runs import run
from workbench.sweep import grid_points, point_name, run_sweep, split_values

WORKBENCH = [sys.executable, "-m", "workbench.cli"]
# ~0.1 s an episode: long enough to kill a worker mid-run, short enough for the suite.
NOISY = ["--preset", "h2-2q-mumbai-demo", "--set", "checkpoint_every=4", "--episodes", "32"]
TIMING = ("env_seconds", "agent_seconds", "wall_time")


def test_values_and_names():
    assert split_values("0.5,1,[64,64],{'a':1}") == ["0.5", "1", "[64,64]", "{'a':1}"]
    assert point_name((("noise.scale", 0.5), ("agent.hidden", [64, 64])), 2) == (
        "noise.scale=0.5,agent.hidden=64x64-s2"
    )
    assert point_name((), 0) == "s0"
    assert (
        point_name((("noise_profile", "ibm/mumbai max"),), 1) == "noise_profile=ibm_mumbai_max-s1"
    )
    grid = parse_grid(["noise.scale=0.5,2", "agent.hidden=[8],[16,16]", "optimizer=cobyla"])
    assert grid == {
        "noise.scale": [0.5, 2],
        "agent.hidden": [[8], [16, 16]],
        "optimizer": ["cobyla"],
    }


def test_grid_points_mix_report_parameters_and_config_fields():
    points = grid_points(
        {"preset": "h2-2q-mumbai-demo", "episodes": 5},
        {"noise_scale": [0.5, 2], "agent.hidden": [[8]]},
        [0, 1],
        {"checkpoint_every": 2},
    )
    assert [p.name for p in points] == [
        "noise_scale=0.5,agent.hidden=8-s0",
        "noise_scale=0.5,agent.hidden=8-s1",
        "noise_scale=2,agent.hidden=8-s0",
        "noise_scale=2,agent.hidden=8-s1",
    ]
    last = points[-1].config
    assert (last.noise.scale, last.agent.hidden, last.seed, last.episodes) == (2, (8,), 1, 5)
    assert last.checkpoint_every == 2


@pytest.mark.parametrize(
    ("grid", "seeds", "message"),
    [
        ({"bogus": [1]}, [0], r"sweep point bogus=1, seed 0: unknown run config field"),
        ({"noise.scale": [-1]}, [0], r"noise.scale=-1 is not allowed"),
        ({"noise.scale": []}, [0], r"non-empty list"),
        ({"seed": [1, 2]}, [0], r"seeds are not a grid field"),
        ({"noise.scale": [1]}, [], r"at least one seed"),
        ({"noise.scale": [1, 1]}, [0], r"1 is given twice"),
        ({"noise.scale": [1]}, [0, 0], r"seeds: 0 is given twice"),
        ({"noise_profile": ["a b", "a_b"]}, [0], r"the same folder name twice"),
    ],
)
def test_bad_grids_are_refused_before_anything_runs(grid, seeds, message):
    with pytest.raises(ConfigError, match=message):
        grid_points({"preset": "h2-2q-demo"}, grid, seeds)


def test_bad_engine_settings_write_nothing(tmp_path):
    points = grid_points({"episodes": 2}, {}, [0])
    for kwargs, message in [
        ({"engine": "slurm"}, "engine='slurm': allowed are"),
        ({"workers": 0}, "workers=0"),
        ({"address": "auto"}, "needs engine='ray'"),
        ({"gpus_per_run": 1}, "gpus_per_run needs engine='ray'"),
    ]:
        with pytest.raises(ConfigError, match=message):
            run_sweep(points, tmp_path / "sweep", **kwargs)
    assert not (tmp_path / "sweep").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        run_sweep(points, tmp_path / "file")


def _metrics(folder: Path) -> list[dict]:
    lines = (folder / "metrics.jsonl").read_text().splitlines()
    return [{k: v for k, v in json.loads(line).items() if k not in TIMING} for line in lines]


def _running_points(out: Path) -> list[tuple[int, int]]:
    """(pid, episodes done) of every point whose summary says running."""
    found = []
    for summary in out.glob("*/summary.json"):
        try:
            state = json.loads(summary.read_text())
        except (json.JSONDecodeError, OSError):  # being replaced
            continue
        if state["status"] == "running":
            found.append((state["pid"], state["episodes_done"]))
    return found


def _frozen_point(out: Path, pid: int) -> Path | None:
    """The folder of the point that the frozen worker ``pid`` is still running (its summary can
    no longer change), or None."""
    for summary in out.glob("*/summary.json"):
        try:
            state = json.loads(summary.read_text())
        except (json.JSONDecodeError, OSError):  # another worker's, being replaced
            continue
        if state["pid"] == pid and state["status"] == "running":
            return summary.parent
    return None


def _kill_a_worker_mid_run(out: Path, process: subprocess.Popen, timeout: float = 300) -> Path:
    """Wait until some point is running past its first checkpoints; freeze its worker (SIGSTOP)
    so that it cannot finish while the test looks, check it is still mid-run, kill -9 it. The
    outcome does not depend on how fast the machine runs episodes or how late the test looks."""
    deadline = time.monotonic() + timeout
    total = int(NOISY[NOISY.index("--episodes") + 1])
    while time.monotonic() < deadline and process.poll() is None:
        for pid, done in _running_points(out):
            if done >= 8:
                os.kill(pid, signal.SIGSTOP)
                folder = _frozen_point(out, pid)
                if folder is not None:
                    state = json.loads((folder / "summary.json").read_text())
                    assert state["episodes_done"] < total
                    os.kill(pid, signal.SIGKILL)
                    return folder
                os.kill(pid, signal.SIGCONT)  # finished before it froze: look again
        time.sleep(0.05)
    raise AssertionError(f"no point was caught mid-run (sweep exit status {process.poll()})")


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["local", "ray"])
def test_a_killed_worker_is_retried_and_its_point_resumes_exactly(engine, tmp_path):
    """2×2 grid (noise scale × seed) on 2 CPUs: kill one worker mid-run, the sweep still ends
    with every point complete and the killed point equal to an uninterrupted run."""
    if engine == "ray":
        pytest.importorskip("ray")
    out = tmp_path / "sweep"
    args = ["sweep", *NOISY, "--grid", "noise.scale=0.5,2", "--seeds", "0", "1", "--out", str(out)]
    args += ["--engine", engine, "--workers", "2", "--quiet"]
    env = os.environ | {"RAY_ADDRESS": "", "RAY_AUTH_MODE": "disabled"}
    process = subprocess.Popen([*WORKBENCH, *args], env=env, stdout=subprocess.PIPE, text=True)
    killed = _kill_a_worker_mid_run(out, process)
    stdout, _ = process.communicate(timeout=300)
    assert process.returncode == 0, stdout
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [r["status"] for r in rows] == ["complete"] * 4
    assert {r["folder"] for r in rows} == {
        f"noise.scale={s}-s{i}" for s in (0.5, 2) for i in (0, 1)
    }
    reference = run(read_config(killed), out=tmp_path / "reference", progress=False)
    assert _metrics(killed) == _metrics(reference.folder)
    assert len(_metrics(killed)) == len(reference.metrics)

    # rerunning the same command recomputes nothing
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/metrics.jsonl")}
    assert main(args) == 0
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/metrics.jsonl")} == stamps


@pytest.mark.slow
def test_ctrl_c_stops_the_sweep_and_a_rerun_finishes_it(tmp_path):
    """Ctrl-C as a terminal sends it: SIGINT to the sweep's whole process group. The group is
    frozen (SIGSTOP) once a point has checkpointed and is still running, the signal is queued,
    and the group continues: every process sees Ctrl-C before another episode, so the outcome
    does not depend on machine speed or load (it used to race the sweep's end)."""
    out = tmp_path / "sweep"
    args = ["sweep", *NOISY, "--grid", "noise.scale=1,2", "--out", str(out), "--quiet"]
    process = subprocess.Popen(
        [*WORKBENCH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    group = os.getpgid(process.pid)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if list(out.glob("*/checkpoint.pt")) and _running_points(out):
            os.killpg(group, signal.SIGSTOP)
            if _running_points(out):  # frozen mid-run: nothing can finish before the signal
                break
            os.killpg(group, signal.SIGCONT)
        time.sleep(0.05)
    else:
        raise AssertionError(f"no point was caught mid-run (sweep exit {process.poll()})")
    os.killpg(group, signal.SIGINT)
    os.killpg(group, signal.SIGCONT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert "rerun the same command to resume" in stderr and "Traceback" not in stderr
    statuses = {r["status"] for r in csv.DictReader((out / "results.csv").open())}
    assert statuses <= {"stopped", "complete"} and "stopped" in statuses
    assert main(args) == 0
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [r["status"] for r in rows] == ["complete", "complete"]
    assert all(r["episodes_done"] == NOISY[NOISY.index("--episodes") + 1] for r in rows)


def test_failed_point_is_recorded_and_the_sweep_goes_on(tmp_path, capsys):
    """A point that only fails when its run is built (here: an agent on a CUDA device this
    machine lacks) fails alone, not the sweep; the table, JSON and a self-contained plotly
    index are written."""
    out = tmp_path / "sweep"
    args = ["sweep", "--grid", "agent.device=cpu,cuda", "--episodes", "3", "--out", str(out)]
    assert main([*args, "--workers", "1", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "failed agent.device=cuda-s0:" in captured.err and "CUDA" in captured.err
    runs = json.loads((out / "results.json").read_text())["runs"]
    assert [(r["name"], r["status"]) for r in runs] == [
        ("agent.device=cpu-s0", "complete"),
        ("agent.device=cuda-s0", "failed"),
    ]
    assert runs[0]["values"] == {"agent.device": "cpu"} and runs[0]["n_cnots"] >= 1
    index = (out / "index.html").read_text()
    assert "Plotly.newPlot" in index and "agent.device=cpu-s0" in index
    assert not re.search(r"<script[^>]*\bsrc=", index)  # plotly.js is inline, once
    assert index.count("Plotly.newPlot") == 1


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (["problem=h2-2q,h2-9q"], r"sweep point problem=h2-9q-s0: .*h2-9q"),
        (["noise.profile=ibm-mumbai-median,nosuch"], r"noise.profile=nosuch-s0: .*'nosuch'"),
        (["noise.scale=1,1.0"], r"grid field 'noise.scale': 1.0 is given twice"),
    ],
)
def test_bad_points_are_refused_before_anything_runs(grid, message, tmp_path, capsys):
    """Every point's problem and noise are checked before the first run (`noise.profile=nosuch`
    used to be found only when its point ran; `noise.scale=1,1.0` trained the same point
    twice)."""
    out = tmp_path / "sweep"
    args = ["sweep", "--grid", *grid, "--episodes", "2", "--out", str(out), "--quiet"]
    assert main(args) == 2
    assert re.search(message, capsys.readouterr().err) and not out.exists()


def test_a_sweep_folder_holding_another_experiment_is_refused(tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", "--episodes", "2", "--out", str(out), "--quiet"]) == 0
    before = sorted(p.name for p in out.iterdir())
    assert main(["sweep", "--episodes", "2", "--preset", "h2-3q-demo", "--out", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == before
    # more episodes on the same experiment extend the finished run
    assert main(["sweep", "--episodes", "3", "--out", str(out), "--quiet"]) == 0
    row = next(csv.DictReader((out / "results.csv").open()))
    assert row["episodes_done"] == "3" and row["status"] == "complete"


def test_sigterm_to_the_sweep_counts_as_ctrl_c():
    """``kill PID`` of the sweep (SIGTERM, to the parent only) takes the Ctrl-C path — stop the
    running episodes, relay SIGINT to the workers, write the table — instead of killing the
    parent with the workers' episodes unsaved; the previous handlers come back."""
    from workbench.callbacks import STOP_SIGNALS
    from workbench.sweep.engines import _count_ctrl_c

    before = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    presses = [0]
    previous = _count_ctrl_c(presses)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
        assert presses == [2]
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    assert {s: signal.getsignal(s) for s in STOP_SIGNALS} == before
