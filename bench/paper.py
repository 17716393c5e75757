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
import base64
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.chem import get_problem
from workbench.config import CHEMICAL_ACCURACY, get_run_preset
from workbench.experiment import check
from workbench.plots import circuit_size_versus, errors_versus, to_png
from workbench.report import markdown_table, paper_numbers, run_folder, run_or_load
from workbench.runs import RunResult, load_run
from workbench.sim import Circuit
from workbench.sim.reference import pennylane_energy

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "bench" / "paper-runs"
DOC = ROOT / "docs" / "paper-comparison.md"
HTML = DOC.with_suffix(".html")
FIGURES = DOC.parent / "figures"
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
    seeds: tuple[int, ...] = (0, 1, 2)


EXPERIMENTS = [
    Experiment("h2-2q", "paper-h2-2q", 1000),
    Experiment("h2-3q", "paper-h2-3q", 1500),
    Experiment("h2-4q", "paper-h2-4q", 2000, {"optimizer.max_iterations": 300}, note="COBYLA 300"),
    Experiment(
        "lih-4q", "paper-lih-4q", 1000, {"optimizer.max_iterations": 300}, note="COBYLA 300"
    ),
    *[
        Experiment(
            f"h2-{q}q-mumbai-{level}", f"paper-h2-{q}q-mumbai-{level}", episodes, group="noise"
        )
        for q, episodes in ((2, 400), (3, 300))
        for level in ("median", "max", "10max")
    ],
    Experiment(
        "lih-4q-depolarizing",
        "paper-lih-4q-depolarizing",
        100,
        {"optimizer.maxfev": [400, 120, 40]},
        note="3-stage maxfev 400/120/40",
        group="noise",
        seeds=(0,),
    ),
    Experiment("h2-4q-ourense", "paper-h2-4q-ourense", 600, group="noise"),
    Experiment(
        "h2-4q-ourense-no-halting",
        "paper-h2-4q-ourense-no-halting",
        400,
        {"optimizer.max_iterations": 300},
        note="COBYLA 300",
        group="noise",
        seeds=(0, 1),
    ),
    Experiment(
        "lih-6q",
        "paper-lih-6q",
        200,
        {"optimizer.max_iterations": 200},
        note="COBYLA 200",
        seeds=(0,),
    ),
]
ABLATION_BASE = ("paper-h2-3q", 400)
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
    Experiment(
        f"ablation: {label}", ABLATION_BASE[0], ABLATION_BASE[1], o, "ablation", seeds=(0, 1)
    )
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
    walls = [r.summary["wall_time_s"] / 60 for r in results]
    config = results[0].config
    noiseless_ok = sum(
        r.best is not None and r.best["noiseless_error"] < CHEMICAL_ACCURACY for r in results
    )
    return {
        "experiment": experiment.name,
        "paper": paper_cell(experiment),
        "noise": config.noise.label,
        "budget": f"{config.episodes} ep, {config.optimizer.method}"
        + (f" ({experiment.note})" if experiment.note else ""),
        "seeds": len(results),
        "success rate": f"{sum(r.summary['chemical_accuracy'] for r in results)}/{len(results)}",
        "best energy [Ha]": None if record is None else round(record["energy"], 5),
        "best error [Ha]": None if record is None else record["error"],
        "noiseless error [Ha]": None if record is None else record["noiseless_error"],
        "noiseless within 1.6 mHa": "–"
        if config.noise.profile is None
        else f"{noiseless_ok}/{len(results)}",
        "gates/CNOTs/depth/params (best)": "–"
        if record is None
        else "{n_gates}/{n_cnots}/{depth}/{n_params}".format(**record),
        "smallest within 1.6 mHa": "–" if small is None else f"{small['n_gates']} gates",
        "first success": ", ".join("–" if f is None else str(f) for f in firsts),
        "s / episode": f"{sum(seconds) / len(seconds):.3g}",
        "wall min / seed": f"{sum(walls) / len(walls):.1f}",
        "PennyLane check": "–" if not checks else f"{max(checks):.1e}",
    }


def paper_cell(experiment: Experiment) -> str:
    """The paper's recovered numbers for this experiment's problem and setting, in one cell."""
    config = get_run_preset(experiment.preset)
    problem = get_problem(config.problem.preset)
    skip = ("problem", "setting", "method", "source", "note")
    parts = []
    for r in paper_numbers(problem.id, config.noise.profile):
        facts = [
            f"{k.removeprefix('n_').replace('_', ' ')} {v:.3g}"
            if isinstance(v, float)
            else f"{k.removeprefix('n_').replace('_', ' ')} {v}"
            for k, v in r.items()
            if k not in skip
        ]
        parts.append(f"{r['method']}: " + (", ".join(facts) or "no numbers (figure)"))
    return "; ".join(parts) or "not recovered"


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


def figures(found: dict[str, list[RunResult]]) -> list[tuple[str, str]]:
    """PNGs in docs/figures: circuit size and error per Mumbai noise level, and per ablation.
    Returns (title, file name) pairs; a figure whose runs are missing is left out."""

    def best(name: str) -> dict | None:
        records = [r.best for r in found.get(name, []) if r.best is not None]
        return min(records, key=lambda b: b["error"], default=None)

    panels = {}
    for q in (2, 3):
        names = {"noiseless": f"h2-{q}q"}
        names |= {level: f"h2-{q}q-mumbai-{level}" for level in ("median", "max", "10max")}
        records = {label: best(name) for label, name in names.items()}
        if sum(r is not None for r in records.values()) >= 2:
            labels, rows = list(records), list(records.values())
            title = f"H2-{q}q: best circuit (lowest noisy energy) per Mumbai noise level"
            panels[f"paper-h2-{q}q-noise-size.png"] = circuit_size_versus(labels, rows, title)
            errors = {
                "noisy energy": [None if r is None else r["error"] for r in rows],
                "same circuit, noiseless": [
                    None if r is None else r["noiseless_error"] for r in rows
                ],
            }
            panels[f"paper-h2-{q}q-noise-error.png"] = errors_versus(
                labels, errors, f"H2-{q}q: error per Mumbai noise level"
            )
    ablations = [e.name for e in EXPERIMENTS if e.group == "ablation"]
    records = [best(name) for name in ablations]
    if any(records):
        labels = [name.removeprefix("ablation: ").split(" (")[0] for name in ablations]
        panels["paper-ablation-size.png"] = circuit_size_versus(
            labels, records, "H2-3q ablations: best circuit"
        )
    FIGURES.mkdir(parents=True, exist_ok=True)
    for name, figure in panels.items():
        (FIGURES / name).write_bytes(to_png(figure))
    return [(name.removesuffix(".png").removeprefix("paper-"), name) for name in panels]


def write_html(markdown: str) -> None:
    """The same document as one self-contained HTML file (figures embedded, no scripts)."""
    import mistune  # nbconvert's markdown engine: already installed with the workbench

    def embed(match: re.Match) -> str:
        data = base64.b64encode((DOC.parent / match.group(1)).read_bytes()).decode()
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="(figures/[^"]+\.png)"', embed, mistune.html(markdown))
    style = (
        "body{font-family:sans-serif;max-width:80em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:85%}td,th{border:1px solid #ccc;"
        "padding:2px 6px}img{max-width:100%}"
    )
    HTML.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>CRLQAS: paper vs ours</title>"
        f"<style>{style}</style></head><body>{body}</body></html>",
        encoding="utf-8",
    )


def write_doc(rows: dict[str, list[dict]], found: dict[str, list[RunResult]]) -> None:
    sections = [
        "# CRLQAS: the paper's numbers next to ours",
        "",
        "Generated by `bench/paper.py` (do not edit by hand; the same document with embedded "
        "figures is `paper-comparison.html`). Errors are |E − E0| in Ha against "
        f"the exact ground energy; chemical accuracy is {CHEMICAL_ACCURACY} Ha. Our budgets are "
        "in the `budget` column (the paper used 10 000–50 000 episodes and a 5×1000 network; ours "
        "use a 2×256 network on 2 CPU cores). `PennyLane check` is the largest difference between "
        "our noisy best energy and PennyLane `default.mixed` with the same channels. `best` is "
        "the circuit with the lowest (noisy) energy over all seeds; `first success` lists, per "
        "seed, the first episode whose error went below chemical accuracy.",
        "",
    ]
    titles = {"main": "Noiseless", "noise": "Under noise", "ablation": "Ablations (H2-3q)"}
    for group, title in titles.items():
        sections += [f"## {title} — ours", "", markdown_table(rows.get(group, [])), ""]
    paper = paper_rows()
    columns = list(dict.fromkeys(key for r in paper for key in r))
    sections += ["## The paper's recovered numbers", "", markdown_table(paper, columns), ""]
    shown = figures(found)
    if shown:
        sections += ["## Figures", ""]
        sections += [f'<img alt="{title}" src="figures/{name}">\n' for title, name in shown]
    if NOTES.exists():  # the hand-written reading of the tables: shortfalls and their causes
        sections += [NOTES.read_text(encoding="utf-8")]
    markdown = "\n".join(sections)
    DOC.write_text(markdown, encoding="utf-8")
    write_html(markdown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="experiment names; NAME* matches a prefix")
    parser.add_argument("--seeds", type=int, nargs="+", help="instead of each experiment's own")
    parser.add_argument("--quick", action="store_true", help="3 episodes each (a smoke test)")
    parser.add_argument("--table-only", action="store_true", help="only rewrite the document")
    args = parser.parse_args()
    chosen = [
        e
        for e in EXPERIMENTS
        if not args.only
        or any(e.name == o or (o.endswith("*") and e.name.startswith(o[:-1])) for o in args.only)
    ]
    rows: dict[str, list[dict]] = {}
    found: dict[str, list[RunResult]] = {}
    runs_dir = RUNS / ("quick" if args.quick else "")
    for experiment in chosen:
        results = []
        for seed in args.seeds or experiment.seeds:
            config = config_of(experiment, seed, args.quick)
            if args.table_only:
                folder = run_folder(config, runs_dir)
                if (folder / "summary.json").exists():
                    result = load_run(folder)
                    results += [result] if result.summary["status"] == "complete" else []
            else:
                print(f"== {experiment.name} seed {seed}", flush=True)
                results.append(run_or_load(config, runs_dir, progress=True))
        found[experiment.name] = results
        if results:
            rows.setdefault(experiment.group, []).append(row(experiment, results))
            print(json.dumps(rows[experiment.group][-1], default=str), flush=True)
        else:
            rows.setdefault(experiment.group, []).append(
                {
                    "experiment": experiment.name,
                    "paper": paper_cell(experiment),
                    "budget": "not run yet",
                }
            )
    if args.table_only or not (args.quick or args.only):  # a subset must not clobber the doc
        write_doc(rows, found)


if __name__ == "__main__":
    main()
