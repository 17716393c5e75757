"""CRLQAS search benchmark: the demo presets over seeds, and seconds per episode on IBM Ourense.

Run by hand: ``.venv/bin/python bench/search.py [--seeds 0 1 2] [--readme]``.

Part 1 trains each demo preset (``h2-2q-demo``, ``h2-3q-demo``, ``h2-4q-demo``) for each seed
into ``bench/runs/<preset>-s<seed>`` (finished folders are reused, interrupted ones resumed) and
reports, per run: whether chemical accuracy (1.6 mHa against the exact E0) was reached, the best
error, the smallest circuit within chemical accuracy (gates / CNOTs / depth / parameters), the
episode of the first chemical-accuracy success, wall time and seconds per episode.

Part 2 times the 4-qubit IBM-Ourense configuration (H2 at 0.70 Å, Ourense noise and coupling
map, COBYLA 100, the noisy code's random halting) with the CPU-sized network of
``h2-4q-ourense-demo`` and with the paper's 5×1000 network (batch 1000), splitting the time into
the environment's share (simulation and angle optimisation) and the agent's share. The paper
network only learns once its memory holds 1000 transitions, so its figure is taken over the
episodes after learning started. Besides the configuration as it is (whose moving threshold ends
many early episodes by success), every episode is also run to its random-halting step.

``--readme`` replaces the table between the ``search-table`` markers in README.md.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

from workbench.config import CHEMICAL_ACCURACY, get_run_preset
from workbench.runs import load_run, resume, run

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "bench" / "runs"
DEMOS = ("h2-2q-demo", "h2-3q-demo", "h2-4q-demo")


def train_or_reuse(config, folder: Path):
    if (folder / "summary.json").exists():
        result = load_run(folder)
        if result.summary["status"] == "complete" and result.config == config:
            return result
        if result.config == config:
            return resume(folder)
        shutil.rmtree(folder)
    elif folder.exists():
        shutil.rmtree(folder)
    return run(config, out=folder)


def search_row(preset: str, seed: int) -> dict:
    config = get_run_preset(preset).with_overrides({"seed": seed})
    result = train_or_reuse(config, RUNS / f"{preset}-s{seed}")
    s, small = result.summary, result.smallest_within_chemical_accuracy
    shape = "–" if small is None else "{n_gates} / {n_cnots} / {depth} / {n_params}".format(**small)
    return {
        "preset": preset,
        "problem": config.problem.label,
        "noise": config.noise.label,
        "seed": seed,
        "chemical accuracy": "yes" if s["best_error"] < CHEMICAL_ACCURACY else "no",
        "best error [Ha]": f"{s['best_error']:.1e}",
        "smallest circuit: gates / CNOTs / depth / params": shape,
        "first success (episode)": s["first_chemical_accuracy_episode"],
        "episodes": s["episodes_done"],
        "wall time [s]": f"{s['wall_time_s']:.1f}",
        "s / episode": f"{s['seconds_per_episode']:.3f}",
    }


def timing_row(label: str, config, learning_only: bool = False) -> dict:
    """Mean seconds per training episode, split into environment and agent; with
    ``learning_only`` only the episodes after the first gradient step count."""
    folder = RUNS / f"timing-{re.sub(r'[^a-z0-9]+', '-', label.lower())}"
    shutil.rmtree(folder, ignore_errors=True)
    result = run(config, out=folder)
    metrics = result.training_metrics()
    if learning_only:
        metrics = [m for m in metrics if m["loss"] is not None]
    if not metrics:
        raise SystemExit(f"{label}: no episode to time (the agent never learned; more episodes)")
    env = sum(m["env_seconds"] for m in metrics) / len(metrics)
    agent = sum(m["agent_seconds"] for m in metrics) / len(metrics)
    steps = sum(m["length"] for m in metrics) / len(metrics)
    return {
        "configuration": label,
        "episodes timed": len(metrics),
        "steps / episode": f"{steps:.1f}",
        "s / episode": f"{env + agent:.3f}",
        "environment s / episode": f"{env:.3f}",
        "agent s / episode": f"{agent:.3f}",
        "s / step": f"{(env + agent) / steps:.4f}",
    }


def ourense_timings(episodes: int, paper_episodes: int) -> list[dict]:
    """As configured (moving threshold on the lower bound, so early episodes end by success),
    and with every episode running to its random-halting step (fixed 1.6 mHa threshold on the
    exact E0, which the agent rarely meets), with the CPU network and the paper's."""
    demo = get_run_preset("h2-4q-ourense-demo").with_overrides({"episodes": episodes})
    long = demo.with_overrides(
        {"env.target": "exact", "curriculum.kind": "fixed", "episodes": episodes // 2}
    )
    paper_agent = get_run_preset("paper-h2-4q-ourense").agent.__dict__ | {"device": "cpu"}
    paper = long.with_overrides({"agent": paper_agent, "episodes": paper_episodes})
    return [
        timing_row("2×128, moving threshold (h2-4q-ourense-demo)", demo),
        timing_row("2×128, every episode to its halting step", long),
        timing_row("5×1000 batch 1000 (paper), to the halting step, learning", paper, True),
    ]


def markdown(rows: list[dict]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(r[k]) for k in header) + " |" for r in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--presets", nargs="+", default=list(DEMOS))
    parser.add_argument("--timing-episodes", type=int, default=200)
    parser.add_argument("--paper-network-episodes", type=int, default=70)
    parser.add_argument("--readme", action="store_true", help="write the tables into README.md")
    parser.add_argument(
        "--from-json", action="store_true", help="only rewrite README from bench/runs/search.json"
    )
    args = parser.parse_args()
    if args.from_json:
        saved = json.loads((RUNS / "search.json").read_text())
        write_readme(saved["search"], saved["timing"])
        return
    rows = [search_row(p, seed) for p in args.presets for seed in args.seeds]
    print(markdown(rows), flush=True)
    timings = ourense_timings(args.timing_episodes, args.paper_network_episodes)
    print(markdown(timings))
    (RUNS / "search.json").write_text(json.dumps({"search": rows, "timing": timings}, indent=1))
    if args.readme:
        write_readme(rows, timings)


def write_readme(rows: list[dict], timings: list[dict]) -> None:
    """Replace what lies between the ``search-table`` markers in README.md."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    table = markdown(rows) + "\n\n" + markdown(timings) + "\n"
    new, count = re.subn(
        r"(<!-- search-table:start -->\n).*?(<!-- search-table:end -->)",
        lambda m: m.group(1) + table + m.group(2),
        text,
        flags=re.S,
    )
    if count != 1:
        raise SystemExit("README.md lacks the search-table markers")
    readme.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
