"""Parameterised, reproducible reports: ``notebooks/report.ipynb`` executed by papermill.

:func:`config_from_parameters` turns the report's plain parameters into a
:class:`~workbench.config.RunConfig` (``None`` keeps the preset's value); :func:`run_or_load`
trains into a folder named after the config's hash, so re-running a report reuses finished runs.
:func:`make_report` executes the notebook, writes a self-contained HTML file (static PNG figures,
no external scripts) and, only when every cell succeeded, ``results.json``. A failed report
leaves the partial executed notebook and ``error.txt``. Sweeps over a grid of parameters
are :mod:`workbench.sweep` (``workbench report --sweep`` is a thin call of it).
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import tempfile
import types
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench import runs
from workbench.config import (
    CHEMICAL_ACCURACY,
    CHEMICAL_ACCURACY_LABEL,
    DEFAULT_RUN_PRESET,
    RunConfig,
    budget_overrides,
    get_run_preset,
    json_sha256,
)
from workbench.errors import ConfigError, WorkbenchError
from workbench.paths import REPOSITORY_ROOT, check_output_folder, claim_output_folder, data_dir
from workbench.rendering import to_html
from workbench.results import RunResult
from workbench.run_folders import config_run_dir

NOTEBOOKS = REPOSITORY_ROOT / "notebooks"
REPORT_NOTEBOOK = NOTEBOOKS / "report.ipynb"
PACKAGES = ("numpy", "scipy", "torch", "pennylane", "numba", "gymnasium", "qas-workbench")


def config_from_parameters(
    preset: str = DEFAULT_RUN_PRESET,
    problem: str | None = None,
    bond_length: float | None = None,
    noise_profile: str | None = None,
    noise_scale: float | None = None,
    noise_overrides: Mapping[str, Any] | None = None,
    shots: int | None = None,
    optimizer: str | None = None,
    optimizer_budget: int | None = None,
    curriculum: str | None = None,
    episodes: int | None = None,
    seed: int = 0,
    overrides: Mapping[str, Any] | None = None,
) -> RunConfig:
    """The run config of a report: the preset, then each given parameter on top.

    ``noise_profile="none"`` removes the preset's device noise; ``shots=0`` makes energies exact;
    ``optimizer_budget`` is COBYLA/Rotosolve iterations or the (Adam-)SPSA evaluation budget;
    ``overrides`` takes any other ``section.field`` value.
    """
    base = get_run_preset(preset)
    changes: dict[str, Any] = {"seed": seed}
    if problem is not None:
        changes["problem.preset"] = problem
    if bond_length is not None:
        changes["problem.bond_length"] = bond_length
    if noise_profile is not None:
        changes["noise.profile"] = None if noise_profile in ("", "none") else noise_profile
    if noise_scale is not None:
        changes["noise.scale"] = noise_scale
    if isinstance(noise_overrides, str):  # from a command line: JSON text
        noise_overrides = json.loads(noise_overrides) if noise_overrides.strip() else None
    if noise_overrides is not None:
        changes["noise.overrides"] = dict(noise_overrides)
    if shots is not None:
        changes["noise.shots"] = shots or None
    if optimizer is not None:
        changes["optimizer.method"] = optimizer
    if optimizer_budget is not None:
        changes |= budget_overrides(optimizer or base.optimizer.method, optimizer_budget)
    if curriculum is not None:
        changes["curriculum.kind"] = curriculum
    if episodes is not None:
        changes["episodes"] = episodes
    return base.with_overrides({**changes, **dict(overrides or {})})


def parse_seeds(seeds: int | str | Sequence[int]) -> list[int]:
    """``3``, ``[0, 1]`` or ``"0,1,2"`` → a list of seeds."""
    if isinstance(seeds, str):
        try:
            return [int(x) for x in seeds.replace(" ", "").strip("[]").split(",") if x]
        except ValueError:
            raise ConfigError(f"seeds={seeds!r}: expected integers such as 0,1,2") from None
    if isinstance(seeds, int):
        return [seeds]
    return [int(s) for s in seeds]


def run_or_load(
    config: RunConfig, runs_dir: str | Path = "runs", progress: bool | None = False
) -> RunResult:
    """:func:`workbench.runs.run_or_load` in the folder that
    :func:`workbench.run_folders.config_run_dir` names (a rerun of the report reuses its runs)."""
    return runs.run_or_load(config, config_run_dir(config, runs_dir), progress=progress)


def paper_numbers(problem_id: str, noise_profile: str | None) -> list[dict]:
    """The paper's recovered numbers for this problem and setting (shared spec §10)."""
    table = json.loads((data_dir() / "paper_results.json").read_text(encoding="utf-8"))["results"]
    setting = noise_profile or "noiseless"
    rows = []
    for row in table:
        same_setting = row["setting"] == setting or (
            row["setting"].endswith("*") and setting.startswith(row["setting"][:-1])
        )
        if row["problem"] == problem_id and same_setting:
            rows.append(row)
    return rows


def readout_floor_note(results: Sequence[RunResult], problem, noise) -> str | None:
    """Why a noisy run's success rate stays 0, in Markdown: readout error puts a floor under
    every measured energy (:func:`~workbench.sim.readout_energy_floor`); when that floor lies
    more than chemical accuracy above E0, no circuit can succeed. None when the floor does not
    explain the outcome (noiseless, a run within accuracy, a floor within accuracy, or runs
    whose search mitigates: inverted readout has no floor, and an extrapolation's negative
    weights can take an energy below it)."""
    if noise is None or any(r.summary.chemical_accuracy for r in results):
        return None
    if any(r.config.noise.readout_mitigation or r.config.noise.zne_scales for r in results):
        return None
    from workbench.sim import readout_energy_floor

    gap = readout_energy_floor(problem.hamiltonian, noise) - problem.ground_energy
    if gap <= CHEMICAL_ACCURACY:
        return None
    return (
        f"**Why no run reaches chemical accuracy.** Readout error biases every measured energy: "
        f"under this noise model no state whatsoever measures below "
        f"{problem.ground_energy + gap:.6f} Ha, {gap * 1e3:.1f} mHa above the exact E0 — more "
        f"than chemical accuracy ({CHEMICAL_ACCURACY_LABEL}). A success rate of 0 is what this "
        "noise allows, not a failure of the search: the noiseless error column shows how good "
        "the circuits themselves are, and the error-mitigation section below shows how much "
        "readout-error inversion and zero-noise extrapolation recover."
    )


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPOSITORY_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPOSITORY_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + (" (with uncommitted changes)" if dirty else "")


def _hamiltonian_sha256(resolved) -> str:
    """SHA-256 of the run's recorded Pauli terms (coefficients to 1e-10 Ha, so that round-off
    of another machine's build gives the same hash); the specification key for older runs."""
    terms = resolved.problem.hamiltonian
    if terms is None:
        return resolved.problem.key
    return json_sha256({word: round(float(c), 10) + 0.0 for word, c in terms.items()})


def provenance(parameters: Mapping[str, Any], results: Sequence[RunResult]) -> dict:
    """Parameters, seeds, software versions, git commit, Hamiltonian and noise hashes."""
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    first = results[0].resolved if results else None
    noise = None if first is None else first.noise
    return {
        "parameters": dict(parameters),
        "seeds": [r.config.seed for r in results],
        "run folders": [str(r.folder) for r in results],
        "versions": versions,
        "git commit": git_commit(),
        "problem key (specification sha256)": None if first is None else first.problem.key,
        "hamiltonian sha256": None if first is None else _hamiltonian_sha256(first),
        "noise model sha256": None if noise is None else json_sha256(noise),
    }


def notebook_parameters(path: Path = REPORT_NOTEBOOK) -> dict[str, Any]:
    """The notebook's ``parameters`` cell, as names and default values."""
    import papermill

    inferred = papermill.inspect_notebook(str(path))
    return {name: spec["default"] for name, spec in inferred.items()}


def _check_names(parameters: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """The notebook's parameters, after refusing unknown names and non-boolean values for its
    yes/no parameters (those whose default is ``True`` or ``False``)."""
    known = notebook_parameters(path)
    unknown = sorted(set(parameters) - set(known) - {"results_path"})
    if unknown:
        allowed = sorted(set(known) - {"results_path"})
        raise ConfigError(f"unknown report parameter(s) {unknown}: allowed are {allowed}")
    for name, value in parameters.items():
        if known.get(name) in ("True", "False") and not isinstance(value, bool):
            raise ConfigError(f"report parameter {name}={value!r}: expected true or false")
    return known


_KERNEL_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


def check_notebook_parameters(namespace: Mapping[str, Any]) -> None:
    """Called by the report notebook right after its parameters: papermill run directly
    (``papermill report.ipynb -p NAME VALUE``) injects any name, and a misspelt one would run
    the whole report with the default; refused here with the same rules as ``workbench report``."""
    values = {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and k not in _KERNEL_NAMES and not callable(v)
        and not isinstance(v, types.ModuleType)
    }  # fmt: skip
    _check_names(values, REPORT_NOTEBOOK)


def _check_run_folder_alone(parameters: Mapping[str, Any], known: Mapping[str, Any]) -> None:
    """A report on an existing run folder shows that run as it was: parameters that would
    describe another run are refused rather than silently ignored (and recorded as if used)."""
    if not parameters.get("run_folder"):
        return
    presentation = {"run_folder", "runs_dir", "interactive", "baselines", "results_path"}
    conflicting = sorted(
        name
        for name, value in parameters.items()
        if name not in presentation and value != known.get(name)
    )
    if conflicting:
        raise ConfigError(
            f"run_folder={parameters['run_folder']!r} reports an existing run; {conflicting} "
            "would describe another run: leave them out, or train a new run without run_folder"
        )


def _local_kernel_manager(socket_dir: str):
    """The report's kernel talks over local IPC sockets in ``socket_dir`` (a fresh, short
    temporary folder: socket paths are limited to ~100 characters and must not collide between
    reports made at the same time): nothing listens on TCP, and ipykernel no longer warns about
    unencrypted TCP on every ``workbench report``."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class LocalKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _socket_prefix(self):
            return str(Path(socket_dir) / "kernel")

    return LocalKernelManager


def _earlier_report(folder: Path) -> bool:
    """A report folder written before report folders were marked: papermill's notebook."""
    try:
        return '"papermill"' in (folder / "report.ipynb").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _title(results: Path, out: Path) -> str:
    """The HTML page's title: its runs' labels (problem · noise · seeds), else the folder's name."""
    runs = json.loads(results.read_text(encoding="utf-8")).get("runs", [])
    labels = [run.get("label") for run in runs if run.get("label")]
    if not labels:
        return out.name
    common = labels[0].rsplit(" · seed ", 1)[0]
    seeds = ", ".join(label.rsplit(" · seed ", 1)[-1] for label in labels)
    return f"CRLQAS report: {common} · seed{'s' if len(labels) > 1 else ''} {seeds}"


def make_report(
    parameters: Mapping[str, Any], out: str | Path, notebook: Path = REPORT_NOTEBOOK
) -> Path:
    """Execute the report into ``out`` (``report.ipynb``, ``report.html``, ``results.json``).

    Returns the HTML path. On a failing cell: the partial notebook and its HTML stay, the error
    goes to ``error.txt``, no ``results.json`` is written, and WorkbenchError is raised.
    """
    import papermill

    check_output_folder(Path(out), "report", legacy=_earlier_report)
    out = Path(out).resolve()  # the notebook runs in notebooks/: hand it absolute paths
    known = _check_names(parameters, notebook)
    _check_run_folder_alone(parameters, known)
    claim_output_folder(out, "report")
    for stale in ("results.json", "error.txt"):
        (out / stale).unlink(missing_ok=True)
    executed, results = out / "report.ipynb", out / "results.json"
    values = dict(parameters)
    for name in ("run_folder", "runs_dir"):
        if values.get(name):
            values[name] = str(Path(values[name]).resolve())
    if "runs_dir" in known:
        values.setdefault("runs_dir", str(out / "runs"))
    pending = out / ".results.pending.json"
    sockets = tempfile.mkdtemp(prefix="wb-")
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=values | {"results_path": str(pending)},
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            kernel_manager_class=_local_kernel_manager(sockets),
        )
    except papermill.PapermillExecutionError as error:
        pending.unlink(missing_ok=True)
        (out / "error.txt").write_text(str(error), encoding="utf-8")
        to_html(executed, out / "report.html", f"{out.name} (failed)")
        raise WorkbenchError(
            f"the report failed in cell {error.exec_count}: {error.ename}: {error.evalue} "
            f"(partial notebook: {executed})"
        ) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    to_html(executed, out / "report.html", _title(pending, out))
    pending.replace(results)
    return out / "report.html"
