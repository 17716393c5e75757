"""Which agent? Greedy policy quality by agent kind and environment setting, same budget.

Run by hand: ``.venv/bin/python -m bench.agents [--presets h2-3q-classroom lih-4q-fast]
[--seeds 0 1 2] [--episodes N] [--variants NAME ...] [--workers 2] [--doc]``.

Every (preset, variant, seed) is one point of a sweep into ``bench/agent-runs/`` (finished points
are reused, interrupted ones resumed). Per preset and variant, over the seeds: the **greedy
success rate** — the share of greedy test episodes (no exploration, no best-of) in the second half
of training whose final circuit is within chemical accuracy of the exact E0 — the seeds whose
search found any circuit within it, the median search seconds to the first such circuit, the
CNOTs of the smallest accurate circuit, the energy evaluations and the wall time. ``--doc``
writes the table to ``docs/agents.md``.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from workbench.config import CHEMICAL_ACCURACY_LABEL as ACCURACY
from workbench.config import get_run_preset
from workbench.rendering import markdown_table
from workbench.sweep import SweepPoint, run_sweep

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "bench" / "agent-runs"
DOC = ROOT / "docs" / "agents.md"
VARIANTS = {
    "ddqn (paper)": {},
    "ddqn, bootstrap at the cap": {"agent.bootstrap_truncated": True},
    "ddqn, relative energy": {"env.observation_energy": "relative"},
    "dqn": {"agent.kind": "dqn"},
    "dueling ddqn": {"agent.kind": "dueling_ddqn"},
    "dueling ddqn, bootstrap, relative": {
        "agent.kind": "dueling_ddqn",
        "agent.bootstrap_truncated": True,
        "env.observation_energy": "relative",
    },
}
PRESETS = ("h2-3q-classroom", "lih-4q-fast")


def points(presets, variants, seeds, episodes) -> list[SweepPoint]:
    found = []
    for preset in presets:
        base = get_run_preset(preset)
        for index, name in enumerate(variants):
            overrides = dict(VARIANTS[name]) | ({"episodes": episodes} if episodes else {})
            for seed in seeds:
                config = base.with_overrides(overrides | {"seed": seed})
                label = f"{preset}-v{index}-s{seed}"
                found.append(SweepPoint(label, config, (("preset", preset), ("variant", name))))
    return found


def rows(result) -> list[dict]:
    from workbench.results import load_run

    groups: dict[tuple, list] = {}
    for outcome in result.outcomes:
        if outcome.status == "complete":
            groups.setdefault(dict(outcome.values)["preset"], {}).setdefault(
                dict(outcome.values)["variant"], []
            ).append(load_run(outcome.folder))
    table = []
    for preset, by_variant in groups.items():
        for variant, runs in by_variant.items():
            rates = [r.greedy_success() for r in runs]
            found = [r.time_to_chemical_accuracy() for r in runs]
            smallest = [r.smallest_within_chemical_accuracy for r in runs]
            cnots = [s.n_cnots for s in smallest if s is not None]
            table.append({
                "preset": preset,
                "variant": variant,
                "seeds": len(runs),
                f"greedy within {ACCURACY}, 2nd half": _rates(rates),
                f"seeds that found one within {ACCURACY}": f"{sum(f is not None for f in found)}"
                                                           f"/{len(runs)}",
                "median s to the first": _median([f for f in found if f is not None], ".0f"),
                "fewest CNOTs (accurate)": min(cnots) if cnots else "–",
                "evaluations (median)": _median([r.energy_evaluations or 0 for r in runs], ".0f"),
                "wall s (median)": _median([r.summary.wall_time_s or 0 for r in runs], ".0f"),
            })  # fmt: skip
    return table


def _rates(rates) -> str:
    known = [r[0] for r in rates if r is not None]
    if not known:
        return "no test episodes"
    spread = f" ({', '.join(f'{100 * r:.0f}' for r in known)})" if len(known) > 1 else ""
    return f"{100 * statistics.mean(known):.0f} %{spread}"


def _median(values, fmt: str) -> str:
    return format(statistics.median(values), fmt) if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS))
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--episodes", type=int, help="cap every preset's episode budget")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--doc", action="store_true", help=f"write the table to {DOC}")
    args = parser.parse_args()
    found = points(args.presets, args.variants, args.seeds, args.episodes)
    result = run_sweep(found, RUNS, workers=args.workers, progress=True)
    table = markdown_table(rows(result))
    print(table)
    if args.doc:
        DOC.write_text(DOC_HEAD + table + "\n", encoding="utf-8")


DOC_HEAD = """# Which agent? Greedy policy quality

Generated by `python -m bench.agents --doc` (2 cores; see the module docstring for what each
column measures). The **greedy success rate** is the policy's own quality: the share of greedy
test episodes in the second half of training whose final circuit is within chemical accuracy,
with no exploration and no best-of-many. The other columns are the search's: whether *any*
episode found an accurate circuit, and how fast.

"""


if __name__ == "__main__":
    main()
