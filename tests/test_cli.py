"""The `workbench` command line: tables, JSON, custom molecules, one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.chem import PRESETS, get_problem
from workbench.cli import main


def test_problems_table_lists_every_preset(capsys):
    assert main(["problems"]) == 0
    out = capsys.readouterr().out
    for preset_id in PRESETS:
        assert preset_id in out
    assert "-1.13727017" in out and "-73.29410676" in out


def test_problems_json_matches_the_library(capsys):
    assert main(["problems", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in rows] == list(PRESETS)
    lih = next(row for row in rows if row["id"] == "lih-4q")
    assert lih["qubits"] == 4 and lih["terms"] == 99
    assert lih["ground_energy"] == get_problem("lih-4q").ground_energy


def test_problem_at_another_bond_length(capsys, isolated_data):
    assert main(["problem", "h2-4q", "--bond-length", "1.5", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["spec"]["geometry"][1][2] == 1.5
    assert payload["ground_energy"] == pytest.approx(
        get_problem("h2-4q", bond_length=1.5).ground_energy, abs=1e-12
    )
    assert len(payload["terms"]) == payload["n_terms"]


def test_custom_molecule_with_terms(capsys, isolated_data):
    args = [
        "problem",
        "--symbols",
        "He",
        "H",
        "--geometry",
        "0 0 0; 0 0 0.9",
        "--charge",
        "1",
        "--mapping",
        "parity",
        "--tapering",
        "two_qubit",
        "--terms",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert re.search(r"^qubits +2$", out, re.M) and "H = " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["problem", "h2-4q", "--bond-length", "-1"], "bond_length=-1.0 is not allowed: expected"),
        (["problem", "nope"], "unknown problem preset 'nope'"),
        (["problem", "--symbols", "H", "Qq", "--geometry", "0 0 0; 0 0 1"], "unknown element"),
        (["problem", "--symbols", "H", "H", "--geometry", "0 0 0; 0 0 x"], "--geometry"),
        (["problem", "--symbols", "H", "H"], "needs --geometry"),
        (["problem"], "give a preset id or --symbols"),
        (["train", "--preset", "h2-9q"], "unknown run preset 'h2-9q'"),
        (["train", "--episodes", "-3"], "episodes=-3 is not allowed"),
        (["train", "--set", "optimizer.max_iterations=0"], "optimizer.max_iterations"),
        (["train", "--set", "agent.widths=[4]"], "unknown agent field(s) ['widths']"),
        (["train", "--set", "noise.profile=ibm-ourense"], "coupling map of 'ibm-ourense'"),
        (["train", "--config", "missing.json"], "--config 'missing.json': no such file"),
        (["show", "no-such-run"], "is not a run folder"),
    ],
)
def test_bad_input_is_one_line_on_stderr(capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_console_script_runs_without_traceback():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "problem",
            "--symbols",
            "H",
            "H",
            "--geometry",
            "0 0 0; 0 0 0",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("workbench: error: atoms 0 (H) and 1 (H) are 0 bohr apart")
    assert result.stdout == ""


def test_train_then_show(capsys, tmp_path):
    out = tmp_path / "run"
    args = ["train", "--quiet", "--episodes", "3", "--seed", "1", "--out", str(out)]
    assert main([*args, "--set", "env.max_steps=3"]) == 0
    assert "chemical accuracy (1.6 mHa vs exact E0)" in capsys.readouterr().out
    assert main(["show", str(out), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "complete" and shown["episodes_done"] == 3
    assert shown["best"]["n_gates"] == len(shown["best"]["gates"]) <= 3


def test_presets_table(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert "h2-2q-demo" in out and "paper-h2-4q-ourense" in out


def test_show_prune_prints_the_pruned_circuit(capsys, tmp_path):
    """h2-2q-demo finds the minimal RY·CNOT (RY on the control, on either wire) plus extra
    gates; pruning keeps it within accuracy."""
    out = tmp_path / "run"
    args = ["train", "--quiet", "--episodes", "6", "--seed", "0", "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["show", str(out), "--prune", "1e-4"]) == 0
    lines = capsys.readouterr().out.splitlines()
    pruned = next(line for line in lines if line.startswith("pruned"))
    assert "1 CNOTs" in pruned and re.search(r"RY\((\d)\) CNOT\(\1,\d\)", pruned), pruned
    assert main(["show", str(out), "--json", "--prune"]) == 0
    text = capsys.readouterr().out
    record = json.loads(text[text.rindex("\n{") :])  # the pruned record follows the overview
    assert record["error"] < 1.6e-3 and record["n_cnots"] == 1 and record["n_params"] >= 1
    assert "fewest_cnots_within_chemical_accuracy" in json.loads(text[: text.rindex("\n{")])
    presets = main(["presets"])
    assert presets == 0 and "lih-4q-fast: Departures" in capsys.readouterr().out


def test_lab_passes_allow_root_to_jupyterlab(monkeypatch):
    """Regression (classroom issue): `workbench lab` could not start as root in a container."""
    from workbench.cli import reports

    started = []
    monkeypatch.setattr(reports, "_serve", lambda command: started.append(command) or 0)
    assert main(["lab", "--no-browser", "--allow-root", "--port", "8899"]) == 0
    assert main(["lab", "--no-browser"]) == 0
    (first, second) = started
    assert "--allow-root" in first and "--port=8899" in first and "--no-browser" in first
    assert "--allow-root" not in second


def test_classroom_culls_abandoned_kernels_and_serves_exports(monkeypatch, capsys):
    """`workbench classroom` passes the kernel-culling settings, its own template (no CDN) and a
    denylist that lets the run folders' PennyLane exports through; a bad --cull-idle is refused
    before anything starts."""
    from workbench.cli import reports

    started = []
    monkeypatch.setattr(reports, "_serve", lambda command, env: started.append((command, env)) or 0)
    assert main(["classroom", "--no-browser", "--cull-idle", "120"]) == 0
    command, env = started[0]
    assert "--MappingKernelManager.cull_idle_timeout=120" in command
    assert "--MappingKernelManager.cull_interval=60" in command
    assert "--template=classroom" in command
    assert "--VoilaConfiguration.file_denylist=['.*\\\\.ipynb']" in command
    template = Path(env["JUPYTER_PATH"].split(os.pathsep)[0]) / "voila/templates/classroom"
    assert (template / "index.html.j2").exists()
    assert main(["classroom", "--cull-idle", "1"]) == 2
    assert "--cull-idle 1" in capsys.readouterr().err and len(started) == 1
