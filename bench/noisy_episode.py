"""Seconds per noisy LiH-4q episode with the paper's optimiser (``paper-lih-4q-depolarizing``:
depolarizing 1e-3, 3-stage Adam-SPSA with 1191/357/119 evaluations at 10^5/10^6/10^7 shots).

Run by hand: ``.venv/bin/python -m bench.noisy_episode [--steps 10 20 30] [--repeats 2]
[--doc]``. Plays a fixed action sequence (the k-th legal action at step k, rotations and CNOTs
alternating) for ``steps`` steps, so every version of the code simulates the same circuits with
the same optimiser calls; reports the best of ``repeats`` wall times, the energy calls and their
mean cost, and the shots the episode spends. The agent is not involved (its forward pass is
< 1 % of a noisy step). ``--doc`` replaces the ``noisy-episode-table`` block (docs/simulator.md).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bench.readme import replace_block
from workbench.config import get_run_preset
from workbench.experiment import build
from workbench.rendering import markdown_table

PRESET = "paper-lih-4q-depolarizing"


def episode(env, steps: int) -> tuple[float, int, int]:
    """Seconds, circuits evaluated and shots spent by one fixed episode of ``steps`` steps."""
    env.reset(seed=0)
    circuits, shots = env.evaluations, getattr(env, "shots_spent", 0)
    start = time.perf_counter()
    for step in range(steps):
        legal = np.flatnonzero(env.action_mask())
        rotations = [a for a in legal if env.table.actions[a][0] != "CNOT"]
        pool = rotations if step % 2 == 0 and rotations else legal
        env.step(int(pool[(7 * step) % len(pool)]))
    seconds = time.perf_counter() - start
    return seconds, env.evaluations - circuits, getattr(env, "shots_spent", 0) - shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--doc", action="store_true")
    args = parser.parse_args()
    config = get_run_preset(PRESET).with_overrides({"env.max_steps": max(args.steps)})
    env = build(config).env
    env.random_halting = None  # the fixed sequence decides the length
    episode(env, 2)  # compile the kernels
    rows = []
    for steps in args.steps:
        runs = [episode(env, steps) for _ in range(args.repeats)]
        seconds, circuits, shots = min(runs)
        calls = circuits / 3  # an SPSA call evaluates three parameter sets
        rows.append({
            "steps (gates)": steps,
            "seconds / episode": f"{seconds:.2f}",
            "SPSA calls": f"{calls:,.0f}",
            "µs / call (3 sets)": f"{1e6 * seconds / calls:.0f}",
            "shots spent": f"{shots:.2e}" if shots else "–",
        })  # fmt: skip
        print(rows[-1], flush=True)
    if args.doc:
        replace_block("noisy-episode-table", markdown_table(rows))


if __name__ == "__main__":
    main()
