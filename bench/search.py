"""CRLQAS search benchmark: time to chemical accuracy per problem, a hardware-efficient-ansatz
reference, and seconds per episode on the noisy configurations.

Run by hand: ``.venv/bin/python -m bench.search [--presets ...] [--seeds 0 1 2] [--doc]``.
Beyond 8 qubits, with a search-time budget per run and the starts and action sets side by side
(``PRESET@mps`` is the preset with ``env.initial_state=mps``, ``PRESET@mps-fixed`` also with
``env.optimize_preparation=false``, ``@zy`` adds ZY-rotation actions; ``VARIANTS``)::

    .venv/bin/python -m bench.search --presets h2o-10q-fast@mps --seeds 0 1 2 --hours 0.5 \
        --hea-max-layers 3 --timing-episodes 0 --doc --block search-large-table

Part 1 trains each preset (default ``h2-4q-demo``, ``lih-4q-fast``; add ``lih-6q-fast``,
``h2o-8q-fast`` for the long ones) for each seed into ``bench/runs/<preset>-s<seed>`` (finished
folders are reused, interrupted ones resumed; ``--episodes`` caps the budget) and reports per
preset: seeds within chemical accuracy (1.6 mHa against the exact E0, which only the report
sees), median and worst search time to the first episode within it (environment + agent
seconds), the same for greedy test episodes where the preset runs them, environment and agent
seconds per episode, and over the seeds the circuits with the fewest CNOTs and the fewest gates
within chemical accuracy, and the fewest-CNOT one after gate pruning (``RunResult.pruned``, no
E0 used, 0.5 mHa tolerance, recomputed on every call — ``--no-pruning`` skips it;
``--read-only`` reports the folders as they stand). Next to
each problem: a hardware-efficient ansatz (``workbench.baselines``: RY+RZ on every qubit, linear
CNOT ladder, L layers, L-BFGS-B on exact adjoint gradients, best of 5 starts), the fewest layers
within 1.6 mHa.

Part 2 times the noisy configurations (``h2-4q-ourense-demo``; LiH-4q with depolarizing-1e-3
on ``lih-4q-fast``) with COBYLA (before) and L-BFGS-B on parameter-shift gradients (after):
seconds per episode and the time to the best noisy energy.

``--hours`` stops each run once its search time (environment + agent seconds, the clock of the
time-to-accuracy column) passes the budget; a stopped run is reported as it stands and resumed
only when given a larger budget. ``--doc`` replaces the table between the ``search-table``
markers of docs/search.md (``--block`` names another table there).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from bench.readme import replace_block
from workbench.baselines import run_baselines
from workbench.callbacks import stop_on_signals
from workbench.config import CHEMICAL_ACCURACY, OptimizerConfig, get_run_preset
from workbench.config import CHEMICAL_ACCURACY_LABEL as ACCURACY
from workbench.rendering import markdown_table
from workbench.results import cnot_order, load_run, size_order
from workbench.runs import resume, run
from workbench.train import Callback

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "bench" / "runs"
PRESETS = ("h2-4q-demo", "lih-4q-fast")
_STARTS = {
    "hf": {"env.initial_state": "hartree_fock"},
    "mps": {"env.initial_state": "mps"},
    "mps-fixed": {"env.initial_state": "mps", "env.optimize_preparation": False},
}
VARIANTS = {
    **{name: start | {"env.zy_rotations": False} for name, start in _STARTS.items()},
    **{f"{name}-zy": start | {"env.zy_rotations": True} for name, start in _STARTS.items()},
    "zy": {"env.zy_rotations": True},
    "mps-zy-random": _STARTS["mps"] | {"env.zy_rotations": True, "agent.epsilon_min": 1.0},
}
"""``PRESET@NAME`` → the overrides that make the variant (its runs go to ``PRESET-NAME-sSEED``):
the Hartree–Fock start with single-gate actions (``hf``: ``h2o-10q-fast`` before it took the MPS
start and ZY rotations); the matrix-product-state start with its staircase angles optimised with
the agent's at every step, or kept at the MPS's (``mps-fixed``: episodes as cheap as from
Hartree–Fock), with single-gate actions; ``zy`` adds the ZY-rotation actions
(``env.zy_rotations``) to the preset's own start, ``hf-zy`` to the Hartree–Fock start, ``mps-zy``
and ``mps-fixed-zy`` to either MPS start; ``mps-zy-random`` is ``mps-zy`` with ε held at 1 (every
action uniformly random among the legal ones, the same environment, curriculum and costs): the
control that says what the learner adds."""


class SearchBudget(Callback):
    """Stops training once the search seconds (environment + agent, training and test episodes;
    ``spent`` carried over from an earlier session) reach ``seconds``."""

    def __init__(self, seconds: float, spent: float = 0.0) -> None:
        self.seconds, self.spent = seconds, spent

    def on_episode(self, event) -> bool:
        self.spent += event.env_seconds + event.agent_seconds
        return self.spent >= self.seconds


def _search_seconds(result) -> float:
    return sum(m.env_seconds + m.agent_seconds for m in result.metrics)


def train_or_reuse(config, folder: Path, seconds: float | None = None, stop=None):
    """The finished run of ``config`` in ``folder``, resumed or trained as needed; with
    ``seconds``, a run stopped at that search-time budget counts as finished; ``stop`` (a
    :class:`~workbench.callbacks.StopSignal`) ends it after the current episode, checkpointed."""
    def budget(spent: float = 0.0) -> list:
        limits = [] if seconds is None else [SearchBudget(seconds, spent)]
        return limits + ([stop] if stop is not None else [])

    if (folder / "summary.json").exists():
        result = load_run(folder)
        if result.config == config:
            spent = _search_seconds(result)
            if result.summary.status == "complete" or (seconds is not None and spent >= seconds):
                return result
            return resume(folder, budget(spent))
        shutil.rmtree(folder)
    elif folder.exists():
        shutil.rmtree(folder)
    return run(config, budget(), out=folder)


def preset_config(name: str, seed: int, episodes: int | None):
    """The run config and folder of ``PRESET`` or ``PRESET@VARIANT`` for one seed."""
    preset, _, variant = name.partition("@")
    if variant and variant not in VARIANTS:
        raise SystemExit(f"{name}: unknown variant {variant!r}; choose from {sorted(VARIANTS)}")
    overrides = VARIANTS.get(variant, {}) | {"seed": seed}
    config = get_run_preset(preset).with_overrides(
        overrides | ({"episodes": episodes} if episodes else {})
    )
    return config, RUNS / f"{preset}{'-' + variant if variant else ''}-s{seed}"


def _circuit_shape(record) -> str:
    """Gates / CNOTs / depth / parameters of a circuit record (or a baseline result)."""
    if record is None:
        return "–"
    return f"{record.n_gates} / {record.n_cnots} / {record.depth} / {record.n_params}"


def _seconds(values: list[float | None]) -> str:
    """Median and worst of the seeds that got there, with the count that did not."""
    done = [v for v in values if v is not None]
    if not done:
        return "–"
    text = f"{statistics.median(done):.0f} / {max(done):.0f}"
    return text + (f" ({len(values) - len(done)} never)" if len(done) < len(values) else "")


def preset_row(
    preset: str,
    seeds: list[int],
    episodes: int | None,
    read_only: bool,
    seconds: float | None = None,
    stop=None,
    prune: bool = True,
) -> dict:
    results = []
    for seed in seeds:
        config, folder = preset_config(preset, seed, episodes)
        if read_only:  # the folders as they stand, a run still going included
            results += [load_run(folder)] if (folder / "metrics.jsonl").exists() else []
        else:
            results.append(train_or_reuse(config, folder, seconds, stop))
        if stop is not None and stop.requested:
            raise SystemExit(f"bench.search: stopped during {folder.name} (checkpointed); "
                             "the same command resumes it")
    if not results:
        raise SystemExit(f"{preset}: no run folder in {RUNS} (run without --read-only)")
    found = [r.fewest_cnots_within_chemical_accuracy for r in results]
    found += [r.smallest_within_chemical_accuracy for r in results]
    found = [c for c in found if c is not None]
    best = min(found, key=cnot_order, default=None)
    smallest = min(found, key=size_order, default=None)
    training = [m for r in results for m in r.training_metrics()]
    tests = any(r.config.env.test_every for r in results)
    # pruning re-optimises each candidate gate by gate (minutes at 12 qubits): only where a
    # circuit within chemical accuracy exists to be pruned
    pruned = [r.pruned() for r in results if prune and r.summary.best_error < CHEMICAL_ACCURACY]
    pruned = min((c for c in pruned if c is not None), key=cnot_order, default=None)
    times = [r.time_to_chemical_accuracy() for r in results]
    return {
        "preset": preset,
        "problem": results[0].config.problem.label,
        f"seeds within {ACCURACY}": f"{sum(t is not None for t in times)}/{len(results)}",
        f"time to {ACCURACY} [s] median / worst": _seconds(times),
        f"greedy policy within {ACCURACY} [s]": _seconds(
            [r.time_to_chemical_accuracy(greedy=True) for r in results]
        )
        if tests
        else "not tested",
        "best error [Ha]": f"{min(r.summary.best_error for r in results):.1e}",
        "episodes": "/".join(str(len(r.training_metrics())) for r in results),
        "env / agent s per episode": "{:.3f} / {:.3f}".format(
            *(
                statistics.mean(getattr(m, k) for m in training)
                for k in ("env_seconds", "agent_seconds")
            )
        ),
        f"fewest CNOTs within {ACCURACY}: gates / CNOTs / depth / params": _circuit_shape(best),
        f"fewest gates within {ACCURACY}": _circuit_shape(smallest),
        "after pruning (0.5 mHa)": _circuit_shape(pruned) if prune else "not computed",
    }


def hea_row(problem_id: str, max_layers: int = 8, starts: int = 5, seed: int = 0) -> dict:
    """The fewest HEA layers (:func:`workbench.baselines.run_baselines`, from |0…0⟩, L-BFGS-B on
    exact adjoint gradients) whose best of ``starts`` optimisations is within chemical accuracy."""
    clock = time.perf_counter()
    lbfgs = OptimizerConfig(method="lbfgs", max_iterations=1000)
    for layers in range(1, max_layers + 1):
        (found,) = run_baselines(problem_id, methods=("hea",), hea_layers=(layers,),
                                 hea_starts=starts, initial_state="zero", optimizer=lbfgs,
                                 seed=seed)  # fmt: skip
        if found.error < CHEMICAL_ACCURACY:
            break
    return {
        "preset": f"HEA reference ({layers} layers, L-BFGS-B, {starts} starts)",
        "problem": problem_id,
        f"seeds within {ACCURACY}": "yes" if found.error < CHEMICAL_ACCURACY else "no",
        f"time to {ACCURACY} [s] median / worst": f"{time.perf_counter() - clock:.1f}",
        f"greedy policy within {ACCURACY} [s]": "–",
        "best error [Ha]": f"{found.error:.1e}",
        "episodes": "–",
        "env / agent s per episode": "–",
        f"fewest CNOTs within {ACCURACY}: gates / CNOTs / depth / params": _circuit_shape(found),
        f"fewest gates within {ACCURACY}": _circuit_shape(found),
        "after pruning (0.5 mHa)": "–",
    }


def timing_row(label: str, config) -> dict:
    """Seconds per training episode (environment and agent) and the search time until the
    episode that reached the run's lowest energy (noisy, as measured)."""
    folder = RUNS / f"timing-{re.sub(r'[^a-z0-9]+', '-', label.lower())}"
    result = train_or_reuse(config, folder)
    metrics = result.training_metrics()
    env = statistics.mean(m.env_seconds for m in metrics)
    agent = statistics.mean(m.agent_seconds for m in metrics)
    lowest = min(m.energy for m in metrics)
    elapsed = np.cumsum([m.env_seconds + m.agent_seconds for m in metrics])
    reached = next(i for i, m in enumerate(metrics) if m.energy == lowest)
    return {
        "configuration": label,
        "episodes": len(metrics),
        "s / episode (env / agent)": f"{env + agent:.3f} ({env:.3f} / {agent:.3f})",
        "lowest noisy energy [Ha]": f"{lowest:.6f}",
        "time to it [s]": f"{elapsed[reached]:.0f} (episode {metrics[reached].episode})",
    }


def noisy_timings(episodes: int) -> list[dict]:
    """COBYLA (before) against L-BFGS-B on parameter-shift gradients (after), same episodes."""
    ourense = get_run_preset("h2-4q-ourense-demo").with_overrides({"episodes": episodes})
    lih = get_run_preset("lih-4q-fast").with_overrides(
        {"episodes": episodes, "noise.profile": "depolarizing-1e-3"}
    )
    cobyla = {"optimizer.method": "cobyla", "optimizer.max_iterations": 100}
    # A new angle at 0 is often a stationary point: L-BFGS-B starts after one Rotosolve step.
    lbfgs = {
        "optimizer.method": "lbfgs",
        "optimizer.max_iterations": 100,
        "env.rotosolve_new_angle": True,
    }
    return [
        timing_row("h2-4q-ourense-demo, COBYLA 100", ourense.with_overrides(cobyla)),
        timing_row("h2-4q-ourense-demo, L-BFGS-B (parameter shift)", ourense.with_overrides(lbfgs)),
        timing_row("lih-4q-fast + depolarizing-1e-3, COBYLA 100", lih.with_overrides(cobyla)),
        timing_row("lih-4q-fast + depolarizing-1e-3, L-BFGS-B", lih.with_overrides(lbfgs)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS))
    parser.add_argument("--episodes", type=int, help="cap every preset's episode budget")
    parser.add_argument("--hours", type=float, help="cap every run's search time (hours)")
    parser.add_argument(
        "--hea-max-layers", type=int, default=8, help="the HEA reference's deepest try (0: none)"
    )
    parser.add_argument("--timing-episodes", type=int, default=100, help="0: no noisy timings")
    parser.add_argument(
        "--read-only", action="store_true", help="report the run folders as they are, train none"
    )
    parser.add_argument("--doc", action="store_true", help="write the tables into docs/search.md")
    parser.add_argument("--block", default="search-table", help="the docs/search.md table")
    parser.add_argument("--from-json", action="store_true", help="rewrite from the saved rows")
    parser.add_argument(
        "--no-pruning", action="store_true", help="skip the pruning column (minutes a run)"
    )
    args = parser.parse_args()
    if args.from_json:
        saved = json.loads(_saved(args.block).read_text())
        write_doc(saved["search"], saved["timing"], args.block)
        return
    rows = []
    with stop_on_signals() as stop:  # SIGTERM/Ctrl-C: the current run checkpoints, then exit
        for preset in args.presets:
            seconds = None if args.hours is None else 3600 * args.hours
            rows.append(preset_row(preset, args.seeds, args.episodes, args.read_only, seconds,
                                   stop, prune=not args.no_pruning))  # fmt: skip
            print(markdown_table(rows[-1:]), flush=True)
    for problem in dict.fromkeys(r["problem"] for r in rows if not r["problem"].startswith("h2-")):
        if args.hea_max_layers:
            rows.append(hea_row(problem, args.hea_max_layers))
    print(markdown_table(rows), flush=True)
    timings = noisy_timings(args.timing_episodes) if args.timing_episodes else []
    if timings:
        print(markdown_table(timings))
    _saved(args.block).write_text(json.dumps({"search": rows, "timing": timings}, indent=1))
    if args.doc:
        write_doc(rows, timings, args.block)


def _saved(block: str) -> Path:
    """Where a table's rows are kept for ``--from-json``."""
    return RUNS / ("search.json" if block == "search-table" else f"{block}.json")


def write_doc(rows: list[dict], timings: list[dict], block: str = "search-table") -> None:
    """Replace what lies between the ``block`` markers (docs/search.md)."""
    table = markdown_table(rows) + "\n" + ("\n" + markdown_table(timings) + "\n" if timings else "")
    replace_block(block, table)


if __name__ == "__main__":
    main()
