"""Reproduce the paper's experiments at budgets this machine can carry; publish the comparison.

Run by hand: ``.venv/bin/python bench/paper.py [--only NAME ...] [--seeds 0 1 2] [--quick]``.
Every (experiment, seed) trains into ``bench/paper-runs/<experiment>-s<seed>`` through
:func:`workbench.report.run_or_load`, so an interrupted invocation resumes and a finished run is
reused. ``--table-only`` rewrites ``docs/paper-comparison.md`` from the folders present.

Budgets differ from the paper's (10 000–50 000 episodes with a 5×1000 network, which costs
~8 s per episode on this 2-core CPU): every experiment uses the CPU network below and the
episode budget of its row; both are printed in the table. The paper's own numbers come from
``data/paper_results.json`` (shared spec §10) and are never copied into our columns. Every noisy
best energy is re-evaluated by PennyLane ``default.mixed`` with the same channels.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

from workbench.chem import get_problem
from workbench.config import CHEMICAL_ACCURACY, get_run_preset
from workbench.experiment import check
from workbench.report import markdown_table, paper_numbers, run_folder, run_or_load
from workbench.runs import RunResult, load_run
from workbench.sim import Circuit
from workbench.sim.reference import pennylane_energy

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "bench" / "paper-runs"
DOC = ROOT / "docs" / "paper-comparison.md"
NOTES = ROOT / "bench" / "paper-notes.md"
CPU_AGENT = {
    "agent.hidden": [256, 256],
    "agent.batch_size": 128,
    "agent.target_update": 200,
    "agent.epsilon_decay": 0.9995,
    "agent.device": "cpu",
}


@dataclass(frozen=True)
class Experiment:
    name: str
    preset: str
    episodes: int
    overrides: dict = field(default_factory=dict)
    group: str = "main"
    note: str = ""


EXPERIMENTS = [
    Experiment("h2-2q", "paper-h2-2q", 1000),
    Experiment("h2-3q", "paper-h2-3q", 1500),
    Experiment("h2-4q", "paper-h2-4q", 800, {"optimizer.max_iterations": 300}, note="COBYLA 300"),
    Experiment(
        "lih-4q", "paper-lih-4q", 1000, {"optimizer.max_iterations": 300}, note="COBYLA 300"
    ),
    *[
        Experiment(f"h2-{q}q-mumbai-{level}", f"paper-h2-{q}q-mumbai-{level}", 400, group="noise")
        for q in (2, 3)
        for level in ("median", "max", "10max")
    ],
    Experiment(
        "lih-4q-depolarizing",
        "paper-lih-4q-depolarizing",
        150,
        {"optimizer.maxfev": [400, 120, 40]},
        note="3-stage maxfev 400/120/40",
    ),
    Experiment("h2-4q-ourense", "paper-h2-4q-ourense", 600),
    Experiment(
        "h2-4q-ourense-no-halting",
        "paper-h2-4q-ourense-no-halting",
        400,
        {"optimizer.max_iterations": 300},
        note="COBYLA 300",
    ),
    Experiment("lih-6q", "paper-lih-6q", 200, {"optimizer.max_iterations": 200}, note="COBYLA 200"),
]
ABLATION_BASE = ("paper-h2-3q", 600)
ABLATIONS = {
    "as configured (masks, moving threshold, no RH, COBYLA 100)": {},
    "without illegal-action masks": {"env.mask_illegal": False},
    "with random halting": {"env.random_halting": {"n": 70, "p": 0.573, "low": 25, "high": 70}},
    "fixed threshold (1.6 mHa on E0)": {"curriculum.kind": "fixed", "env.target": "exact"},
    "Adam-SPSA (500 evaluations)": {"optimizer.method": "adam_spsa", "optimizer.maxfev": [500]},
    "three-stage Adam-SPSA (1e5 shots)": {
        "optimizer.method": "adam_spsa3",
        "optimizer.maxfev": [360, 108, 36],
        "noise.shots": 100_000,
    },
}
EXPERIMENTS += [
    Experiment(f"ablation: {label}", ABLATION_BASE[0], ABLATION_BASE[1], o, group="ablation")
    for label, o in ABLATIONS.items()
]


def config_of(experiment: Experiment, seed: int, quick: bool):
    episodes = 3 if quick else experiment.episodes
    changes = {**CPU_AGENT, **experiment.overrides, "episodes": episodes, "seed": seed}
    return get_run_preset(experiment.preset).with_overrides(changes)


def pennylane_check(result: RunResult) -> float | None:
    """|E_workbench − E_default.mixed| of the best circuit (None when noiseless)."""
    best = result.best
    if best is None or result.resolved["noise"] is None:
        return None
    problem, noise = check(result.config)
    circuit = Circuit.from_gates(problem.n_qubits, best["gates"])
    return abs(pennylane_energy(circuit, best["params"], problem, noise) - best["energy"])


def row(experiment: Experiment, results: list[RunResult]) -> dict:
    """Our numbers over seeds: success rate, best error, circuit shape, first success, time."""
    bests = [r for r in results if r.best is not None]
    best = min(bests, key=lambda r: r.best["error"]) if bests else None
    record = None if best is None else best.best
    small = [r.smallest_within_chemical_accuracy for r in results]
    small = min((s for s in small if s), key=lambda s: s["n_gates"], default=None)
    firsts = [r.summary.get("first_chemical_accuracy_episode") for r in results]
    checks = [c for c in (pennylane_check(r) for r in results) if c is not None]
    seconds = [r.summary["seconds_per_episode"] for r in results]
    config = results[0].config
    return {
        "experiment": experiment.name,
        "noise": config.noise.label,
        "budget": f"{config.episodes} ep, {config.optimizer.method}"
        + (f" ({experiment.note})" if experiment.note else ""),
        "seeds": len(results),
        "success rate": f"{sum(r.summary['chemical_accuracy'] for r in results)}/{len(results)}",
        "best error [Ha]": None if record is None else record["error"],
        "noiseless error [Ha]": None if record is None else record["noiseless_error"],
        "gates/CNOTs/depth/params (best)": "–"
        if record is None
        else "{n_gates}/{n_cnots}/{depth}/{n_params}".format(**record),
        "smallest within 1.6 mHa": "–" if small is None else f"{small['n_gates']} gates",
        "first success": ", ".join("–" if f is None else str(f) for f in firsts),
        "s / episode": sum(seconds) / len(seconds),
        "PennyLane check": "–" if not checks else f"{max(checks):.1e}",
    }


def paper_rows() -> list[dict]:
    rows = []
    for experiment in EXPERIMENTS:
        if experiment.group == "ablation":
            continue
        config = get_run_preset(experiment.preset)
        problem = get_problem(config.problem.preset)
        for r in paper_numbers(problem.id, config.noise.profile):
            rows.append({"experiment": experiment.name} | r)
    return rows


def write_doc(rows: dict[str, list[dict]]) -> None:
    sections = [
        "# CRLQAS: the paper's numbers next to ours",
        "",
        "Generated by `bench/paper.py` (do not edit by hand). Errors are |E − E0| in Ha against "
        f"the exact ground energy; chemical accuracy is {CHEMICAL_ACCURACY} Ha. Our budgets are "
        "in the `budget` column (the paper used 10 000–50 000 episodes and a 5×1000 network; ours "
        "use a 2×256 network on 2 CPU cores). `PennyLane check` is the largest difference between "
        "our noisy best energy and PennyLane `default.mixed` with the same channels.",
        "",
    ]
    titles = {"main": "Noiseless", "noise": "Under noise", "ablation": "Ablations (H2-3q)"}
    for group, title in titles.items():
        sections += [f"## {title} — ours", "", markdown_table(rows.get(group, [])), ""]
    sections += ["## The paper's recovered numbers", "", markdown_table(paper_rows()), ""]
    if NOTES.exists():  # the hand-written reading of the tables: shortfalls and their causes
        sections += [NOTES.read_text(encoding="utf-8")]
    DOC.write_text("\n".join(sections), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="experiment names (prefix match)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="3 episodes each (a smoke test)")
    parser.add_argument("--table-only", action="store_true", help="only rewrite the document")
    args = parser.parse_args()
    chosen = [
        e for e in EXPERIMENTS if not args.only or any(e.name.startswith(o) for o in args.only)
    ]
    rows: dict[str, list[dict]] = {}
    runs_dir = RUNS / ("quick" if args.quick else "")
    for experiment in chosen:
        results = []
        for seed in args.seeds:
            config = config_of(experiment, seed, args.quick)
            if args.table_only:
                folder = run_folder(config, runs_dir)
                results += [load_run(folder)] if (folder / "summary.json").exists() else []
            else:
                print(f"== {experiment.name} seed {seed}", flush=True)
                results.append(run_or_load(config, runs_dir, progress=True))
        if results:
            rows.setdefault(experiment.group, []).append(row(experiment, results))
            print(json.dumps(rows[experiment.group][-1], default=str), flush=True)
        else:
            rows.setdefault(experiment.group, []).append(
                {"experiment": experiment.name, "budget": "not run yet"}
            )
    if not args.quick:
        write_doc(rows)


if __name__ == "__main__":
    main()
