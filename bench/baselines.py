"""Baselines next to the agent: writes the tables of ``docs/baselines.md``.

Run by hand: ``.venv/bin/python -m bench.baselines [--cells h2-4q-qcas:noiseless ...] [--doc]``.

Cells: H2-4q (the 0.70 Å problem ``h2-4q-qcas`` the agent's H2-4q presets use), LiH-4q, LiH-6q,
H2O-8q × noiseless, ``depolarizing-1e-3``, ``ibm-mumbai-median`` (all-to-all) and
``ibm-ourense`` (its 4-qubit T-shaped coupling map: 4-qubit problems only); beyond 8 qubits
(``LARGE``: H2O-10q, LiH-12q) noiseless only, next to bench/search.py's budget-stopped runs of
their fast presets (run those first), with ADAPT-VQE stopped at its first circuit within chemical
accuracy. Exact expectations
throughout (no shots), so every number is reproducible and the comparison is about circuits.

Per cell, :func:`workbench.baselines.run_baselines`: HEA with 1, 2, 3 layers (best of 3
starts), UCCSD, ADAPT-VQE with the fermionic and the qubit pool, random search in the agent's
environment. Optimiser: L-BFGS-B (1000 iterations, exact adjoint gradients) without noise,
COBYLA (300 iterations) with noise — parameter-shift gradients of 1000-gate noisy circuits cost
hours here. The agent (CRLQAS) where a run exists or is cheap enough to train here (folders
under ``bench/runs/baselines``, or bench/search.py's for LiH-6q and H2O-8q, reused when
finished; ``AGENT_RUNS`` lists them): its lowest-energy circuit and its fewest-CNOT circuit
within 1.6 mHa, re-evaluated by the same objective; random search then gets the run's
energy-evaluation count as its budget (``UNRECORDED_BUDGET`` where the run did not record it;
20 000 in cells without an agent run). Noisy cells add each circuit's error after readout-error
inversion, and after readout inversion plus zero-noise extrapolation (folds 1, 3, 5,
Richardson). Each cell is cached as JSON in ``bench/runs/baselines/cells`` (``--fresh``
recomputes); ``--doc`` rewrites the tables between the ``baselines-table`` markers of
``docs/baselines.md`` (the ``LARGE`` cells: ``baselines-large-table``), each block only when all
its cells are cached.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.readme import replace_block
from workbench.baselines import baselines_for_run, run_baselines
from workbench.chem import get_problem
from workbench.config import CHEMICAL_ACCURACY, NoiseConfig, OptimizerConfig, get_run_preset
from workbench.devices import resolve_noise
from workbench.results import load_run
from workbench.runs import run_or_load
from workbench.sim import Circuit
from workbench.sim.mitigation import mitigation_record

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "runs" / "baselines"
DOC = ROOT / "docs" / "baselines.md"
PROBLEMS = ("h2-4q-qcas", "lih-4q", "lih-6q", "h2o-8q")
LARGE = ("h2o-10q", "lih-12q")
NOISES = ("noiseless", "depolarizing-1e-3", "ibm-mumbai-median", "ibm-ourense")
COBYLA = {"optimizer.method": "cobyla", "optimizer.max_iterations": 100}
AGENT_RUNS = {
    ("h2-4q-qcas", "noiseless"): ("h2-4q-demo", {}),
    ("h2-4q-qcas", "depolarizing-1e-3"): ("h2-4q-demo", {"noise.profile": "depolarizing-1e-3",
                                                         **COBYLA}),
    ("h2-4q-qcas", "ibm-mumbai-median"): ("h2-4q-demo", {"noise.profile": "ibm-mumbai-median",
                                                         **COBYLA}),
    ("h2-4q-qcas", "ibm-ourense"): ("h2-4q-ourense-demo", {}),
    ("lih-4q", "noiseless"): ("lih-4q-fast", {}),
    ("lih-4q", "depolarizing-1e-3"): ("lih-4q-fast", {"noise.profile": "depolarizing-1e-3",
                                                      "episodes": 200, **COBYLA}),
    ("lih-4q", "ibm-mumbai-median"): ("lih-4q-fast", {"noise.profile": "ibm-mumbai-median",
                                                      "episodes": 200, **COBYLA}),
    ("lih-4q", "ibm-ourense"): ("lih-4q-fast", {"noise.profile": "ibm-ourense", "episodes": 200,
                                                **COBYLA}),
    ("lih-6q", "noiseless"): ("lih-6q-fast", {}),
    ("h2o-8q", "noiseless"): ("h2o-8q-fast", {}),
    ("h2o-10q", "noiseless"): ("h2o-10q-fast", {}),
    ("lih-12q", "noiseless"): ("lih-12q-fast", {}),
}  # fmt: skip
"""(problem, noise) → (run preset, overrides) of the agent's run in that cell."""
LONG = {("lih-6q", "noiseless"), ("h2o-8q", "noiseless")}
UNRECORDED_BUDGET = 5_000_000
"""Random search's budget next to a run that did not count its evaluations (recorded before
episodes did): about half what LiH-4q's 1000-episode run spent (9.4 million)."""
"""Cells whose agent run is bench/search.py's (5–30 min a run here), reused when it exists."""


def settings(problem: str, noise: str) -> dict:
    """The :class:`~workbench.config.BaselineConfig` fields every cell sets."""
    if noise == "noiseless":
        optimizer = OptimizerConfig(method="lbfgs", max_iterations=1000)
    else:
        optimizer = OptimizerConfig(method="cobyla", max_iterations=300)
    adapt = {"adapt_max_operators": 20}
    if problem in LARGE:  # ADAPT's smallest accurate circuit, to set beside the agent's
        adapt = {"adapt_max_operators": 60, "adapt_stop_error": CHEMICAL_ACCURACY}
    return {"optimizer": optimizer, "hea_starts": 3, **adapt}


def agent_folder(problem: str, noise: str) -> Path | None:
    """Train (or reuse) the agent's run of the cell; ``None`` where none is listed."""
    if (problem, noise) not in AGENT_RUNS:
        return None
    preset, overrides = AGENT_RUNS[(problem, noise)]
    config = get_run_preset(preset).with_overrides(overrides)
    folder = OUT / "agent" / f"{preset}-{noise}-s0"
    searched = ROOT / "bench" / "runs" / f"{preset}-s0"  # bench/search.py's run of the preset
    if problem in LARGE:  # as bench/search.py left it (stopped at its search-time budget)
        if not (searched / "metrics.jsonl").exists():
            raise SystemExit(f"{problem}: no run in {searched}; run bench/search.py first")
        return searched
    if (problem, noise) in LONG and searched.exists():
        folder = searched
    run_or_load(config, folder, progress=True)
    return folder


def cell_path(problem: str, noise: str) -> Path:
    """Where a cell is cached."""
    return OUT / "cells" / f"{problem}-{noise}.json"


def cell(problem: str, noise: str, fresh: bool) -> dict:
    path = cell_path(problem, noise)
    if path.exists() and not fresh:
        return json.loads(path.read_text())
    started = time.perf_counter()
    folder = agent_folder(problem, noise)
    if folder is not None:
        extra = {} if load_run(folder).energy_evaluations else {"random_budget": UNRECORDED_BUDGET}
        rows = baselines_for_run(folder, progress=print, **settings(problem, noise), **extra)
    else:
        profile = None if noise == "noiseless" else noise
        rows = run_baselines(problem, NoiseConfig(profile), progress=print,
                             **settings(problem, noise))  # fmt: skip
    record = {
        "problem": problem,
        "noise": noise,
        "agent_run": None if folder is None else str(folder.relative_to(ROOT)),
        "seconds": time.perf_counter() - started,
        "rows": [r.to_dict() for r in rows],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1))
    return record


def mitigate(record: dict) -> dict:
    """Add each noisy row's readout-inverted + ZNE (folds 1, 3, 5, Richardson) error, exact
    expectations (``mitigation_record``); cached in the cell's JSON."""
    if record["noise"] == "noiseless" or "mitigated" in record["rows"][0]:
        return record
    problem = get_problem(record["problem"])
    noise = resolve_noise(NoiseConfig(record["noise"]), problem.n_qubits)
    for row in record["rows"]:
        circuit = Circuit.from_gates(problem.n_qubits, row["gates"])
        found = mitigation_record(circuit, row.get("params", row.get("angles")), problem, noise)
        row["mitigated"] = {k: found[f"{k}_error"] for k in ("readout", "zne+readout")}
    path = cell_path(record["problem"], record["noise"])
    path.write_text(json.dumps(record, indent=1))
    return record


def _error(value: float) -> str:
    return f"{value:.2e}" + (" ✓" if value < CHEMICAL_ACCURACY else "")


def _fmt(value, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def table(record: dict) -> str:
    noisy = record["noise"] != "noiseless"
    extra = " readout-mitigated (Ha) | + ZNE (Ha) |" if noisy else ""
    lines = [
        f"#### {record['problem']} · {record['noise']}",
        "",
        "| method | variant | error (Ha) |" + extra + " noiseless error (Ha) | gates | CNOTs | "
        "depth | parameters | evaluations | seconds |",
        "|---|---|---|" + ("---|---|" if noisy else "") + "---|---|---|---|---|---|---|",
    ]
    for r in record["rows"]:
        cells = [_error(r["error"])]
        if noisy:
            cells += [_error(r["mitigated"]["readout"]), _error(r["mitigated"]["zne+readout"])]
        lines.append(
            f"| {r['method']} | {r['variant']} | " + " | ".join(cells) + " | "
            f"{r['noiseless_error']:.2e} | {r['n_gates']} | {r['n_cnots']} | {r['depth']} | "
            f"{r['n_params']} | {_fmt(r['evaluations'], 'd')} | {_fmt(r['seconds'], '.1f')} |"
        )
    source = record["agent_run"] or "no agent run in this cell"
    lines += ["", f"Agent run: `{source}`; cell computed in {record['seconds']:.0f} s.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    wide = ("lih-6q", "h2o-8q")  # more qubits than Ourense has
    cells = [f"{p}:{n}" for p in PROBLEMS for n in NOISES if n != "ibm-ourense" or p not in wide]
    cells += [f"{p}:noiseless" for p in LARGE]
    parser.add_argument("--cells", nargs="+", default=cells, help="problem:noise pairs")
    parser.add_argument("--fresh", action="store_true", help="recompute cached cells")
    parser.add_argument("--doc", action="store_true", help="rewrite docs/baselines.md's tables")
    args = parser.parse_args()
    records = []
    for name in args.cells:
        problem, noise = name.split(":")
        records.append(mitigate(cell(problem, noise, args.fresh)))
        print(table(records[-1]), flush=True)
    if args.doc:
        large = [c for c in cells if c.split(":")[0] in LARGE]
        write_doc("baselines-table", [c for c in cells if c not in large])
        write_doc("baselines-large-table", large)


def write_doc(block: str, cells: list[str]) -> None:
    """Rewrite one table block of docs/baselines.md from the cached cells — only when every
    cell of the block is cached, so that a partial cache never drops published cells."""
    missing = [c for c in cells if not cell_path(*c.split(":")).exists()]
    if missing:
        print(f"{block}: not rewritten, cells not computed here: {' '.join(missing)}")
        return
    done = [mitigate(cell(*c.split(":"), False)) for c in cells]
    replace_block(block, "\n".join(table(r) for r in done), DOC)


if __name__ == "__main__":
    main()
