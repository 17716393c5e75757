"""Regressions from the bad-input and fault-injection trial of issue 24 (list 6): what a killed
process leaves behind, output folders that hold a user's files, hangs, and two writers at once.
Each test makes its fault deterministically (hand-made state, frozen processes)."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_runs import _dead_pid
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


QASM = "OPENQASM 2.0;\nqreg q[2];\nry(0.1) q[0];\ncx q[0], q[1];\n"
TRAIN = ["train", "--preset", "h2-2q-demo", "--episodes", "1", "--quiet"]
SET = "--set"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        # tracebacks before
        ([*TRAIN, SET, 'noise.overrides={"readout_p01": 0.5, "readout_p10": 0.5}'],
         r"readout_p01 \+ readout_p10 = 1 on qubit 0"),
        ([*TRAIN, SET, 'noise.overrides={"depolarizing_1q": [0.001]}'],
         r"depolarizing_1q has 1 values; the circuit has 2 qubits"),
        ([*TRAIN, SET, 'noise.overrides={"depolarizing_1q": [0.001, 0.001, 0.001]}'],
         r"depolarizing_1q has 3 values; the circuit has 2 qubits"),
        ([*TRAIN, SET, 'noise.overrides={"depolarizing_1q": []}'], r"depolarizing_1q=\[\]: give"),
        ([*TRAIN, SET, 'noise.overrides={"t1": [50.0, 60.0], "t2": [50.0]}'],
         r"per-qubit lists of different lengths \[1, 2\]"),
        ([*TRAIN, "--seed", str(2**64)], r"seed=18446744073709551616 is not allowed"),
        ([*TRAIN, "--seed", "-1"], r"seed=-1 is not allowed"),
        ([*TRAIN, "--episodes", str(10**12)], r"episodes=1000000000000 is not allowed"),
        (["problem", "h2-4q", "--tapering", "z2", "--charge", "3", "--basis", "bogus"],
         r"--charge, --basis, --tapering describe a custom molecule"),
        (["problem", "--symbols", "H", "H", "--geometry", "0 0 0; 0 0 1000000"],
         r"1e\+06 Å apart: at most 20 Å"),
        (["baselines", "h2-2q", "--methods", "random,random"], r"names \['random'\] twice"),
        (["baselines", "h2-2q", "--methods", "adapt", "--pools", "qubit,qubit"],
         r"names \['qubit'\] twice"),
        (["report", "-p", "interactive", "yes"], r"interactive='yes': expected true or false"),
        (["report", "-p", "baselines", "maybe"], r"baselines='maybe': expected true or false"),
    ],
)  # fmt: skip
def test_bad_command_lines_get_named_errors_and_write_nothing(argv, message, tmp_path, capsys):
    out = tmp_path / "out"
    if argv[0] in ("train", "report"):
        argv = [*argv, "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err and not out.exists()


def test_cuda_without_cuda_is_a_named_error(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    out = tmp_path / "out"
    assert main([*TRAIN, SET, "agent.device=cuda", "--out", str(out)]) == 2
    assert "sees no CUDA device" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", r"is not valid JSON \(Expecting property name"),
        ("", r"is not valid JSON \(Expecting value"),
        ("[1, 2]", r"holds a list: expected an object"),
        (b"\xff\xfe\x00binary", r"is not UTF-8 text"),
    ],
)
def test_a_malformed_config_file_is_a_named_error(content, message, tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err


@pytest.mark.parametrize("where", ["under_a_file", "proc", "dangling_link", "empty"])
def test_an_out_folder_that_cannot_be_made_is_a_named_error(where, tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "nowhere" / "deeper")
    out = {"under_a_file": tmp_path / "file" / "run", "proc": Path("/proc/no/run"),
           "dangling_link": tmp_path / "link", "empty": ""}[where]  # fmt: skip
    try:
        status = main([*TRAIN, "--out", str(out)])
    except SystemExit as stop:  # argparse refuses '' itself (usage error, status 2)
        status = stop.code
    assert status == 2
    err = capsys.readouterr().err
    assert "--out" in err and "Traceback" not in err
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"\x00\x01\x02\xff", r"is not UTF-8 text"),
        ("OPENQASM 2.0; qreg q[2]; rx(é) q[0];".encode("latin-1"), r"is not UTF-8 text"),
        (b"qreg q[2]; x q[0];", r"expected its version first"),
        (b"OPENQASM 9.0; qreg q[2]; x q[0];", r"OPENQASM 9.0 is not a version"),
        (f"OPENQASM 2.0; qreg q[2]; rx({'+'.join(['1'] * 50000)}) q[0];".encode(),
         r"an angle expression of 99999 characters"),
        (f"OPENQASM 2.0; qreg q[2]; rx({'(' * 300}1{')' * 300}) q[0];".encode(),
         r"is not a number or an expression in pi"),
    ],
)  # fmt: skip
def test_bad_qasm_files_are_named_errors(text, message, tmp_path, capsys):
    path = tmp_path / "circuit.qasm"
    path.write_bytes(text)
    assert main(["evaluate", str(path), "--problem", "h2-2q"]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err


def test_scale_without_noise_is_refused(tmp_path, capsys):
    path = tmp_path / "circuit.qasm"
    path.write_text(QASM)
    assert main(["evaluate", str(path), "--problem", "h2-2q", "--scale", "3"]) == 2
    assert "--scale 3.0 scales a noise profile: give one with --noise" in capsys.readouterr().err
    assert main(["evaluate", str(path), "--problem", "h2-2q"]) == 0


def test_random_search_with_a_budget_of_one_still_takes_a_step(capsys):
    assert main(["baselines", "h2-2q", "--methods", "random", "--budget", "1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["method"] == "random" and rows[0]["n_gates"] >= 1


def _six_episode_run(folder: Path):
    config = get_run_preset("h2-2q-demo").with_overrides(
        {"episodes": 6, "checkpoint_every": 3, "env.max_steps": 4}
    )
    return run(config, out=folder, progress=False)


@pytest.mark.parametrize("damage", ["cut_mid_line", "deleted", "shortened"])
def test_resume_refuses_a_metrics_file_damaged_below_its_checkpoint(damage, tmp_path, capsys):
    """A `metrics.jsonl` cut mid-line used to be glued to the next record (episodes lost), and a
    deleted one silently restarted the records; now resume names the file and writes nothing."""
    folder = tmp_path / "run"
    _six_episode_run(folder)
    path = folder / "metrics.jsonl"
    text = path.read_text()
    damaged = {"cut_mid_line": text[: len(text) // 2], "deleted": None,
               "shortened": "".join(text.splitlines(keepends=True)[:2])}[damage]  # fmt: skip
    if damaged is None:
        path.unlink()
    else:
        path.write_text(damaged)
    before = _snapshot(folder)
    assert main(["resume", str(folder), "--episodes", "9", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "complete episode records; the checkpoint covers 6" in err and "Traceback" not in err
    assert _snapshot(folder) == before


def test_resume_never_cuts_a_run_short(tmp_path, capsys):
    folder = tmp_path / "run"
    _six_episode_run(folder)
    before = _snapshot(folder)
    assert main(["resume", str(folder), "--episodes", "3"]) == 2
    assert "has run 6 episodes already; give at least 6" in capsys.readouterr().err
    assert _snapshot(folder) == before


def test_mitigation_refuses_zero_shots(tmp_path, capsys):
    folder = tmp_path / "run"
    config = get_run_preset("h2-2q-mumbai-demo").with_overrides({"episodes": 2})
    run(config, out=folder, progress=False)
    assert main(["mitigate", str(folder), "--shots", "0"]) == 2
    assert "noise.shots=0 is not allowed" in capsys.readouterr().err


def test_papermill_run_directly_refuses_an_unknown_parameter(tmp_path):
    """`workbench report` checks names itself; papermill run by hand injects any name, and a
    misspelt one used to run the whole report with the default value."""
    import papermill

    from workbench.report import REPORT_NOTEBOOK

    unknown = r"unknown report parameter.*epsiodes"
    with pytest.raises(papermill.PapermillExecutionError, match=unknown):
        papermill.execute_notebook(
            str(REPORT_NOTEBOOK), str(tmp_path / "out.ipynb"), kernel_name="python3",
            parameters={"epsiodes": 2, "runs_dir": str(tmp_path / "runs")},
            cwd=str(REPORT_NOTEBOOK.parent), progress_bar=False,
        )  # fmt: skip
    assert not (tmp_path / "runs").exists()  # nothing trained


def test_a_sweep_point_left_with_only_a_stale_lock_is_trained_on_rerun(tmp_path):
    """A sweep point killed right after its worker locked the folder used to fail on every rerun
    ("not empty"); now the rerun trains it."""
    out = tmp_path / "sweep"
    assert main([*TINY_SWEEP, "--seeds", "0", "--out", str(out)]) == 0
    point = out / "s1"
    point.mkdir()
    (point / ".lock").write_text(json.dumps({"pid": _dead_pid(), "host": os.uname().nodename}))
    (point / ".summary.json.x.tmp").write_text("{")
    assert main([*TINY_SWEEP, "--seeds", "0", "1", "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [r["status"] for r in rows] == ["complete", "complete"]
    assert not [p.name for p in point.iterdir() if p.name.startswith(".")]
