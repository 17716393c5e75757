"""Zero-noise extrapolation inside the search: does a search on mitigated energies find circuits
whose mitigated energy is within chemical accuracy, what do they look like, what do they cost?

Run by hand: ``.venv/bin/python -m bench.zne_search [--only NAME ...] [--seeds 0] [--doc]``.
Each configuration trains one run per seed into ``bench/runs/zne/<name>-s<seed>`` (finished
folders are reused, interrupted ones resumed) with the objective named in its row: the raw
noisy energy (the paper), readout-mitigated, or readout-mitigated and zero-noise extrapolated
(``noise.zne_scales``, ``noise.zne_fit``). Every row reports the run's best circuit (the lowest
energy *as its search saw it*, re-evaluated exactly) and, for every row alike, that circuit's
error after readout inversion and ZNE applied afterwards (folds 1, 3, 5, Richardson, exact
expectations) — for the ZNE searches with these settings the two agree — its noiseless error,
size, the circuits and shots the search spent (as a device would: one circuit per fold factor,
``shots`` per measurement group each), and the wall time. ``--doc`` replaces the table between
the ``zne-search-table`` markers (docs/circuits-and-mitigation.md).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from bench.readme import replace_block
from bench.search import train_or_reuse
from workbench.config import get_run_preset
from workbench.rendering import markdown_table
from workbench.results import RunResult
from workbench.sim import Circuit
from workbench.sim.mitigation import mitigation_record

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "bench" / "runs" / "zne"
READOUT = {"noise.readout_mitigation": True}
ZNE = {**READOUT, "noise.zne_scales": [1, 3, 5], "noise.zne_fit": "richardson"}
LINEAR = {**READOUT, "noise.zne_scales": [1, 3], "noise.zne_fit": "linear"}
LIH = {"noise.profile": "depolarizing-1e-3", "optimizer.method": "cobyla",
       "optimizer.max_iterations": 100}  # fmt: skip


@dataclass(frozen=True)
class Configuration:
    """One row: a run preset, its overrides and budget, and what its search sees."""

    name: str
    preset: str
    episodes: int
    overrides: dict = field(default_factory=dict)
    objective: str = "raw"


CONFIGURATIONS = [
    Configuration("h2-2q-mumbai", "h2-2q-mumbai-demo", 150),
    Configuration("h2-2q-mumbai-readout", "h2-2q-mumbai-demo", 150, READOUT, "readout"),
    Configuration("h2-2q-mumbai-zne", "h2-2q-mumbai-demo", 150, ZNE, "readout + ZNE 1,3,5"),
    Configuration(
        "h2-2q-mumbai-zne-linear", "h2-2q-mumbai-demo", 150, LINEAR, "readout + ZNE 1,3 linear"
    ),
    Configuration("h2-4q-ourense", "h2-4q-ourense-demo", 300),
    Configuration("h2-4q-ourense-readout", "h2-4q-ourense-demo", 300, READOUT, "readout"),
    Configuration("h2-4q-ourense-zne", "h2-4q-ourense-demo", 300, ZNE, "readout + ZNE 1,3,5"),
    Configuration("lih-4q-depolarizing", "lih-4q-fast", 200, LIH),
    Configuration(
        "lih-4q-depolarizing-zne",
        "lih-4q-fast",
        200,
        {**LIH, "noise.zne_scales": [1, 3, 5]},
        "ZNE 1,3,5",
    ),
]


def config_of(configuration: Configuration, seed: int):
    changes = {**configuration.overrides, "episodes": configuration.episodes, "seed": seed}
    return get_run_preset(configuration.preset).with_overrides(changes)


def after_mitigation(result: RunResult, record) -> float:
    """|E − E0| of ``record`` after readout inversion and ZNE (1, 3, 5, Richardson), exact."""
    problem, noise = result.problem_and_noise()
    circuit = Circuit.from_gates(problem.n_qubits, record.gates)
    return mitigation_record(circuit, record.params, problem, noise)["zne+readout_error"]


def row(configuration: Configuration, result: RunResult) -> dict:
    best = result.best
    fewest = result.fewest_cnots_within_chemical_accuracy  # as the search saw energies
    shots = result.shots_spent
    return {
        "configuration": f"{configuration.name} (s{result.config.seed})",
        "noise": result.config.noise.label,
        "search sees": configuration.objective,
        "best error as searched [Ha]": f"{best.error:.2e}",
        "best error after readout + ZNE [Ha]": f"{after_mitigation(result, best):.2e}",
        "noiseless error [Ha]": f"{best.noiseless_error:.2e}",
        "best gates / CNOTs": f"{best.n_gates} / {best.n_cnots}",
        "fewest CNOTs within 1.6 mHa as searched": "–"
        if fewest is None
        else f"{fewest.n_cnots} ({fewest.n_gates} gates, {fewest.error:.1e} Ha)",
        "circuits run": f"{result.energy_evaluations:,}",
        "shots spent": "exact" if not shots else f"{shots:.2e}",
        "s / episode": f"{result.summary.seconds_per_episode:.2f}",
        "episodes": result.summary.episodes_done,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="configuration names")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--doc", action="store_true", help="rewrite the table in the docs")
    args = parser.parse_args()
    rows = []
    for configuration in CONFIGURATIONS:
        if args.only and configuration.name not in args.only:
            continue
        for seed in args.seeds:
            config = config_of(configuration, seed)
            result = train_or_reuse(config, RUNS / f"{configuration.name}-s{seed}")
            rows.append(row(configuration, result))
            print(rows[-1], flush=True)
    if args.doc:
        replace_block("zne-search-table", markdown_table(rows))


if __name__ == "__main__":
    main()
