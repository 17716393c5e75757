"""Run folders: a tiny run end to end, resume after an interruption (in process and kill -9)
gives the same run as an uninterrupted one, and bad configurations fail before any work."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.config import get_run_preset
from workbench.errors import ConfigError, WorkbenchError
from workbench.results import load_run
from workbench.runs import resume, run
from workbench.train import Callback

TINY = get_run_preset("h2-2q-demo").with_overrides(
    {"episodes": 8, "checkpoint_every": 3, "env.max_steps": 4, "env.test_every": 4}
)
TIMINGS = ("wall_time", "env_seconds", "agent_seconds")


def _episodes(folder):
    metrics = load_run(folder).metrics
    return [{k: v for k, v in m.to_dict().items() if k not in TIMINGS} for m in metrics]


class Crash(Callback):
    def __init__(self, at_episode):
        self.at_episode = at_episode

    def on_episode(self, event):
        if event.episode == self.at_episode and not event.test:
            raise KeyboardInterrupt


def test_run_folder_contents(tmp_path):
    result = run(TINY, out=tmp_path / "run")
    folder = tmp_path / "run"
    assert {p.name for p in folder.iterdir()} >= {
        "config.json",
        "metrics.jsonl",
        "best.json",
        "best.qasm",
        "checkpoint.pt",
        "summary.json",
    }
    assert result.summary.status == "complete" and result.summary.episodes_done == 8
    assert len(result.training_metrics()) == 8 and len(result.metrics) == 8 + 2  # tests at 0, 4
    best = result.best
    assert best["error"] == pytest.approx(
        abs(best["energy"] - result.resolved.problem.ground_energy)
    )
    assert best["n_gates"] == len(best["gates"]) and best["qasm"].startswith("OPENQASM 2.0;")
    assert (folder / "best.qasm").read_text() == best["qasm"]
    assert result.resolved.gamma == 0.9 and result.resolved.n_actions == 8
    with pytest.raises(ConfigError, match="not empty"):
        run(TINY, out=folder)


@pytest.mark.parametrize(
    "agent",
    [{}, {"agent.kind": "dqn"}, {"agent.kind": "dueling_ddqn", "agent.bootstrap_truncated": True},
     {"env.observation_energy": "relative"},
     {"agent.self_imitation": 1.0, "agent.batch_size": 8, "agent.memory_size": 64},
     {"agent.kind": "ppo", "agent.rollout_steps": 7, "agent.batch_size": 4},
     {"agent.replay": "prioritized", "agent.batch_size": 8, "agent.memory_size": 64},
     {"agent.kind": "sb3:MaskablePPO", "agent.rollout_steps": 7, "agent.batch_size": 4,
      "agent.bootstrap_truncated": True}],
    ids=["ddqn", "dqn", "dueling_ddqn-bootstrap", "relative-energy", "self-imitation", "ppo",
         "prioritized", "sb3-maskable-ppo"],
)  # fmt: skip
def test_resume_after_an_interruption_gives_the_uninterrupted_run(agent, tmp_path):
    """Every agent kind checkpoints and resumes to the same metrics as an uninterrupted run."""
    config = TINY.with_overrides(agent)
    run(config, out=tmp_path / "whole")
    with pytest.raises(KeyboardInterrupt):
        run(config, [Crash(at_episode=5)], out=tmp_path / "cut")
    cut = load_run(tmp_path / "cut")
    assert cut.summary.status == "running"  # as a killed run leaves it
    assert json.loads((tmp_path / "cut" / "summary.json").read_text())["episodes_done"] == 3
    resumed = resume(tmp_path / "cut")
    assert resumed.summary.status == "complete"
    assert _episodes(tmp_path / "cut") == _episodes(tmp_path / "whole")
    assert resumed.best_circuits == load_run(tmp_path / "whole").best_circuits


def test_resume_extends_a_finished_run(tmp_path):
    run(TINY.with_overrides({"episodes": 3}), out=tmp_path / "run")
    result = resume(tmp_path / "run", episodes=5)
    assert result.summary.episodes_done == 5 and result.config.episodes == 5


def test_kill_9_then_resume_from_the_command_line(tmp_path):
    config = TINY.with_overrides({"episodes": 40, "checkpoint_every": 2})
    (tmp_path / "config.json").write_text(json.dumps(config.to_dict()))
    command = [sys.executable, "-m", "workbench.cli", "train", "--quiet"]
    command += ["--config", str(tmp_path / "config.json"), "--out", str(tmp_path / "run")]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    summary = tmp_path / "run" / "summary.json"
    deadline = time.time() + 300
    while time.time() < deadline:
        if summary.exists() and json.loads(summary.read_text())["episodes_done"] >= 4:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the run never reached 4 episodes")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    resumed = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "resume", "--quiet", str(tmp_path / "run")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "chemical accuracy" in resumed.stdout
    run(config, out=tmp_path / "whole")
    assert _episodes(tmp_path / "run") == _episodes(tmp_path / "whole")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"noise.profile": "ibm-ourense"},
            r"coupling map of 'ibm-ourense' names qubit\(s\) \[2, 3\]",
        ),
        (
            {"problem.preset": "lih-6q", "noise.profile": "ibm-ourense"},
            r"describes 4 qubits; the circuit has 6",
        ),
        ({"noise.profile": "ibm-nowhere"}, r"unknown device profile 'ibm-nowhere'"),
        ({"problem.preset": "h2-5q"}, r"h2-5q"),
    ],
)
def test_bad_configs_fail_before_any_folder_is_written(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        run(TINY.with_overrides(overrides), out=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_folder_passed_where_callbacks_go_is_refused_clearly(tmp_path):
    with pytest.raises(TypeError, match=r"pass the run folder as out=\.\.\."):
        run(TINY, str(tmp_path / "run"))
    assert not (tmp_path / "run").exists()


class Boom(Callback):
    def on_episode(self, event):
        if event.episode == 4:
            raise RuntimeError("a bug in a callback")


def test_a_run_that_dies_is_recorded_failed_and_unlocked(tmp_path):
    with pytest.raises(RuntimeError, match="a bug"):
        run(TINY, [Boom()], out=tmp_path / "run")
    result = load_run(tmp_path / "run")
    assert result.status == "failed" and "RuntimeError: a bug in a callback" in result.summary.error
    assert not (tmp_path / "run" / ".lock").exists()
    assert not list((tmp_path / "run").glob(".*.tmp"))
    assert resume(tmp_path / "run").status == "complete"  # the folder still resumes


def test_a_failed_resume_leaves_config_json_as_it_was(tmp_path):
    run(TINY, out=tmp_path / "run")
    path = tmp_path / "run" / "config.json"
    data = json.loads(path.read_text())
    data["config"]["problem"]["preset"] = "h2-9q"  # edited by hand into something unbuildable
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(WorkbenchError, match="h2-9q"):
        resume(tmp_path / "run", episodes=20)
    assert path.read_bytes() == before and not (tmp_path / "run" / ".lock").exists()


def _checkpointed_training(folder, episodes: int, checkpoint_every: int) -> subprocess.Popen:
    """`workbench train` of the noisy H2 demo into ``folder`` in a child process, returned once
    its first checkpoint exists (or after 300 s)."""
    args = ["train", "--preset", "h2-2q-mumbai-demo", "--episodes", str(episodes), "--quiet"]
    args += ["--set", f"checkpoint_every={checkpoint_every}", "--out", str(folder)]
    owner = subprocess.Popen([sys.executable, "-m", "workbench.cli", *args])
    deadline = time.monotonic() + 300
    while not (folder / "checkpoint.pt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return owner


def test_a_run_folder_is_owned_by_one_process(tmp_path, capsys):
    """`train --out D &` then `resume D` used to interleave both (808 metric lines for 800
    episodes). Now the second is refused while the first lives, a dead owner's lock is taken
    over, and `show` tells a killed "running" folder from a live one."""
    folder = tmp_path / "run"
    owner = _checkpointed_training(folder, episodes=300, checkpoint_every=5)
    owner.send_signal(signal.SIGSTOP)  # frozen: it cannot finish while the test looks
    assert json.loads((folder / "summary.json").read_text())["status"] == "running"
    assert main(["resume", str(folder)]) == 2
    assert f"in use by process {owner.pid}" in capsys.readouterr().err
    assert main(["show", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "running"
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    assert main(["show", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert "(interrupted," in shown and "workbench resume" in shown
    target = load_run(folder).summary.episodes_done + 5  # the last checkpoint, then 5 more
    assert main(["resume", str(folder), "--episodes", str(target), "--quiet"]) == 0
    assert f"taking over {folder / '.lock'} from process {owner.pid}" in capsys.readouterr().err
    episodes = [m["episode"] for m in load_run(folder).training_metrics()]
    assert episodes == list(range(target)) and not (folder / ".lock").exists()


def test_a_dead_but_unreaped_owner_does_not_hold_the_lock(tmp_path):
    """A worker killed by a sweep is a zombie until reaped; its pid still answers kill(pid, 0),
    yet its lock must read as stale."""
    from workbench.lock import folder_in_use

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # exited, not yet waited for: a zombie
        stat = Path(f"/proc/{child.pid}/stat").read_text()
        state = stat.rsplit(")", 1)[1].split()[0]
        if state == "Z":
            break
        time.sleep(0.02)
    (tmp_path / ".lock").write_text(json.dumps({"pid": child.pid, "host": os.uname().nodename}))
    assert not folder_in_use(tmp_path)
    child.wait()


def test_checkpoints_from_before_the_summary_fields_were_renamed_still_load():
    from workbench.runs import _summary_from_state

    old = {"episodes": 5, "successes": 3, "first_success": 2, "env_seconds": 1.0,
           "agent_seconds": 0.5, "best": {"energy": -1.1, "gates": (), "episode": 4}}  # fmt: skip
    summary = _summary_from_state(old)
    assert (summary.curriculum_successes, summary.first_chemical_accuracy) == (3, 2)
    assert summary.episodes == 5 and not hasattr(summary, "best")


def test_run_folders_read_back_as_typed_circuit_records(tmp_path):
    from workbench.results import CircuitRecord

    result = run(get_run_preset("h2-2q-demo").with_overrides({"episodes": 3}), out=tmp_path / "r",
                 progress=False)  # fmt: skip
    stored = json.loads((tmp_path / "r" / "best.json").read_text())
    best = load_run(tmp_path / "r").best
    assert isinstance(best, CircuitRecord) and best == result.best
    assert best.to_dict() == stored["circuits"][0]  # the JSON form round-trips exactly
    assert best["gates"] == best.gates  # the dictionary form still reads (old notebooks)
    with pytest.raises(dataclasses.FrozenInstanceError):
        best.energy = 0.0


def test_run_summaries_and_resolved_facts_are_typed_and_round_trip(tmp_path):
    from workbench.results import ResolvedFacts, RunSummary

    run(get_run_preset("h2-2q-demo").with_overrides({"episodes": 3}), out=tmp_path / "r",
        progress=False)  # fmt: skip
    result = load_run(tmp_path / "r")
    stored = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert isinstance(result.summary, RunSummary) and result.summary.to_dict() == stored
    assert result.summary.episodes_done == 3 and result.summary.status == "complete"
    assert result.summary.best_error == result.best.error
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    assert isinstance(result.resolved, ResolvedFacts)
    assert result.resolved.to_dict() == config["resolved"]
    assert result.resolved.problem.n_qubits == 2 and result.resolved.noise is None
    assert result.summary["status"] == result.summary.get("status")  # dictionary reads still work
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.summary = RunSummary()


def test_summaries_from_before_the_fields_were_renamed_still_load():
    from workbench.results import RunSummary

    old = {"status": "complete", "episodes_done": 4, "successes": 2, "a later field": 1}
    summary = RunSummary.from_dict(old)
    assert (summary.curriculum_successes, summary.episodes_done) == (2, 4)
    assert RunSummary.from_dict({}).status == "unknown"  # no summary.json yet


def test_pruning_evaluates_under_the_channels_the_search_saw(tmp_path):
    """Issue 24: ``best.json`` holds readout-mitigated energies for a run that mitigates readout,
    but ``RunResult.pruned`` re-optimised and recorded under the raw noise (readout error
    included), so its circuits' energies and errors were not comparable with best.json's."""
    from workbench.sim import Circuit, energies

    config = get_run_preset("h2-2q-mumbai-demo").with_overrides(
        {"episodes": 6, "noise.readout_mitigation": True, "curriculum.kind": "fixed",
         "env.target": "exact", "curriculum.thresholds": [0.5]}
    )  # fmt: skip
    result = run(config, out=tmp_path / "run", progress=False)
    problem, noise = result.problem_and_noise()
    best = result.best
    circuit = Circuit.from_gates(problem.n_qubits, best.gates)
    mitigated = float(energies(circuit, [best.params], problem, noise.without_readout())[0])
    raw = float(energies(circuit, [best.params], problem, noise)[0])
    assert best.energy == pytest.approx(mitigated, abs=1e-10) and abs(raw - mitigated) > 1e-3
    pruned = result.pruned_circuits(candidates=1)
    assert pruned
    for record in pruned:
        circuit = Circuit.from_gates(problem.n_qubits, record.gates)
        expected = float(energies(circuit, [record.params], problem, noise.without_readout())[0])
        assert record.energy == pytest.approx(expected, abs=1e-9)
        assert record.energy <= best.energy + 5e-4  # re-optimised under the same channels


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_folder_left_by_a_kill_right_after_locking_is_trained_again(tmp_path, capsys):
    """Issue 24: `kill -9` of `train --out D` right after `D/.lock` appeared left a folder that
    `train` ("not empty") and `resume` ("config.json is missing") both refused, and a sweep
    point in that state failed on every rerun. The state is made by hand (deterministic): a
    stale lock and a half-written temporary file."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / ".lock").write_text(json.dumps({"pid": _dead_pid(), "host": os.uname().nodename}))
    (folder / ".config.json.abc123.tmp").write_text('{"conf')
    assert main(["resume", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "holds no run" in err and "workbench train" in err and "Traceback" not in err
    args = ["train", "--preset", "h2-2q-demo", "--episodes", "2", "--quiet", "--out", str(folder)]
    assert main(args) == 0
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
    assert load_run(folder).summary.status == "complete"


def test_sigterm_stops_after_the_episode_and_releases_the_folder(tmp_path):
    folder = tmp_path / "run"
    owner = _checkpointed_training(folder, episodes=500, checkpoint_every=2)
    owner.send_signal(signal.SIGTERM)
    assert owner.wait(timeout=120) == 0
    result = load_run(folder)
    assert result.summary.status == "stopped" and not (folder / ".lock").exists()
    assert 2 <= result.summary.episodes_done < 500
    assert len(result.training_metrics()) == result.summary.episodes_done


def test_fields_added_later_keep_the_hash_of_folders_named_before_them():
    """A report or the paper comparison finds its runs by the config's hash; adding
    ``agent.kind`` or ``env.observation_energy`` must not orphan the folders trained before."""
    from workbench.config import json_sha256
    from workbench.run_folders import LATER_FIELDS, config_hash

    data = TINY.to_dict()
    for section, name in LATER_FIELDS:
        del data[section][name]
    assert config_hash(TINY) == json_sha256(data)  # the hash an older version computed
    assert config_hash(TINY.with_overrides({"agent.kind": "dqn"})) != config_hash(TINY)
