"""Regressions from the bad-input and fault-injection trial of issue 24 (list 6): what a killed
process leaves behind, output folders that hold a user's files, hangs, and two writers at once.
Each test makes its fault deterministically (hand-made state, frozen processes)."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_sweep import NOISY, WORKBENCH, _running_points
from workbench.cli import main
from workbench.config import get_run_preset
from workbench.lock import FolderLock
from workbench.runs import run

TINY_SWEEP = ["sweep", "--preset", "h2-2q-demo", "--episodes", "2", "--quiet"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_sweep_never_writes_into_a_folder_of_someone_elses_files(tmp_path, capsys):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "results.csv").write_text("my,precious\n1,2\n")
    before = _snapshot(user)
    assert main([*TINY_SWEEP, "--seeds", "0", "1", "--out", str(user)]) == 2
    err = capsys.readouterr().err
    assert "holds files that no workbench sweep wrote (results.csv)" in err
    assert _snapshot(user) == before and sorted(p.name for p in user.iterdir()) == ["results.csv"]
    folder = tmp_path / "run"  # an existing run folder is no sweep folder either
    run(get_run_preset("h2-2q-demo").with_overrides({"episodes": 1}), out=folder, progress=False)
    before = _snapshot(folder)
    assert main([*TINY_SWEEP, "--seeds", "0", "1", "--out", str(folder)]) == 2
    assert "no workbench sweep wrote" in capsys.readouterr().err
    assert _snapshot(folder) == before


def test_a_second_sweep_into_a_folder_in_use_is_refused(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main([*TINY_SWEEP, "--seeds", "0", "--out", str(out)]) == 0
    table = (out / "results.csv").read_bytes()
    with FolderLock(out):  # a live sweep (this process) holds the folder
        assert main([*TINY_SWEEP, "--seeds", "0", "1", "--out", str(out)]) == 2
    assert f"in use by process {os.getpid()}" in capsys.readouterr().err
    assert (out / "results.csv").read_bytes() == table and not (out / "s1").exists()
    assert main([*TINY_SWEEP, "--seeds", "0", "1", "--out", str(out)]) == 0  # and later it runs


def test_a_report_never_overwrites_a_users_files(tmp_path, capsys):
    user = tmp_path / "mine"
    user.mkdir()
    for name in ("results.json", "report.html", "error.txt"):
        (user / name).write_text(f"my own {name}")
    before = _snapshot(user)
    assert main(["report", "-p", "episodes", "2", "--out", str(user)]) == 2
    assert "holds files that no workbench report wrote" in capsys.readouterr().err
    assert _snapshot(user) == before


@pytest.mark.parametrize(
    ("address", "message"),
    [("127.0.0.1:1", "no Ray head answers there"), ("garbage", "is not a Ray address")],
)
def test_a_dead_or_malformed_ray_address_is_refused_at_once(address, message, tmp_path, capsys):
    """`--address 127.0.0.1:1` used to hang for good (ignoring Ctrl-C); `garbage` was a traceback
    that left a "pending" sweep folder."""
    pytest.importorskip("ray")
    out = tmp_path / "sweep"
    started = time.monotonic()
    args = [*TINY_SWEEP, "--seeds", "0", "--engine", "ray", "--address", address]
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and not out.exists()
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_killing_the_sweep_parent_alone_lets_its_workers_exit_and_a_rerun_finish(tmp_path):
    """Killing only the sweep process (`kill -9 PARENT`) orphaned its pool workers: they trained
    on for ever and the next rerun failed "in use". Now they stop after their episode, release
    their folders and exit."""
    out = tmp_path / "sweep"
    args = ["sweep", *NOISY, "--grid", "noise.scale=1,2", "--out", str(out), "--quiet"]
    args = [a if a != "32" else "400" for a in args]  # points that cannot finish meanwhile
    parent = subprocess.Popen([*WORKBENCH, *args], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 300
    while not _running_points(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = {pid for pid, _ in _running_points(out)}
    assert workers, "no point started"
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and any(_exists(pid) for pid in workers):
        time.sleep(0.2)
    assert not any(_exists(pid) for pid in workers), "orphaned workers still run"
    rows = _resumed(out, args)
    assert [r["status"] for r in rows] == ["stopped", "stopped"]


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return state.exists() and state.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def _resumed(out: Path, args: list[str]) -> list[dict]:
    """Rerun the sweep, Ctrl-C'ed as soon as it resumed a point (400 episodes are not needed to
    show that the folders were released); its results table."""
    rerun = subprocess.Popen([*WORKBENCH, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and rerun.poll() is None:
        if len(_running_points(out)) == 2:
            break
        time.sleep(0.05)
    os.killpg(os.getpgid(rerun.pid), signal.SIGINT)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 130 and "in use" not in stderr, stderr
    return list(csv.DictReader((out / "results.csv").open()))
