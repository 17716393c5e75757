"""The live panel's training speed against the command line's, same preset and seed.

Run by hand: ``.venv/bin/python -m bench.panel [--preset h2-3q-classroom] [--episodes 600]
[--repeats 2] [--doc]``.

* **command line**: :func:`workbench.runs.run` with its progress bar off — what
  ``workbench train --preset P`` runs after its imports;
* **panel**: :class:`workbench.widgets.Panel` driven headless (``start()`` then ``wait()``), so
  its live view draws every update it would draw in a page (the browser's own drawing and the
  websocket are not measured: they run in other processes).

Both train the same episodes (the runs are deterministic: the benchmark checks that both reach
the same best energy). Reported: episodes per second of each (best of ``--repeats``, alternating
the order), their ratio, and how often the panel redrew its step view and learning curves.
``--doc`` replaces the table between the ``panel-table`` markers (docs/panel.md).
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

from bench.readme import replace_block
from workbench.config import get_run_preset
from workbench.runs import run
from workbench.widgets import Panel

OUT = Path(__file__).resolve().parent / "runs" / "panel-bench"


def _command_line(config, out: Path) -> tuple[float, float]:
    start = time.perf_counter()
    result = run(config, [], out=out, progress=False)
    return time.perf_counter() - start, result.best.energy


def _panel(preset: str, episodes: int, out: Path) -> tuple[float, float, int, int]:
    panel = Panel(preset, runs_dir=str(out.parent))
    panel.search.episodes.value = episodes
    counts = {"circuit": 0, "curves": 0}
    panel.circuit.observe(lambda _: counts.__setitem__("circuit", counts["circuit"] + 1), "value")
    panel.curves.observe(lambda _: counts.__setitem__("curves", counts["curves"] + 1), "value")
    start = time.perf_counter()
    panel.start(out)
    result = panel.wait()
    seconds = time.perf_counter() - start
    if result is None:
        raise SystemExit(f"the panel's run failed: {panel.error}")
    return seconds, result.best.energy, counts["circuit"], counts["curves"]


def measure(preset: str, episodes: int, repeats: int) -> dict:
    shutil.rmtree(OUT, ignore_errors=True)
    config = get_run_preset(preset).with_overrides({"episodes": episodes})
    cli, panel, draws = [], [], (0, 0)
    for i in range(repeats):
        order = ("cli", "panel") if i % 2 == 0 else ("panel", "cli")
        for which in order:
            out = OUT / f"{which}-{i}"
            if which == "cli":
                seconds, cli_energy = _command_line(config, out)
                cli.append(seconds)
            else:
                seconds, panel_energy, *counts = _panel(preset, episodes, out)
                panel.append(seconds)
                draws = tuple(counts) if seconds == min(panel) else draws
    if abs(cli_energy - panel_energy) > 1e-9:
        raise SystemExit(f"the runs differ: best {cli_energy} (CLI) vs {panel_energy} (panel)")
    fastest_panel = min(panel)
    return {
        "preset": preset,
        "episodes": episodes,
        "cli_rate": episodes / min(cli),
        "panel_rate": episodes / fastest_panel,
        "ratio": min(cli) / fastest_panel,
        "step_redraws_per_s": draws[0] / fastest_panel,
        "curve_redraws": draws[1],
        "cpus": os.cpu_count(),
    }


def table(row: dict) -> str:
    return (
        "| preset | episodes | command line [episodes/s] | panel [episodes/s] | panel / CLI "
        "| step-view redraws/s | learning-curve redraws |\n|---|---|---|---|---|---|---|\n"
        f"| `{row['preset']}` | {row['episodes']} | {row['cli_rate']:.1f} | "
        f"{row['panel_rate']:.1f} | {row['ratio']:.2f} | {row['step_redraws_per_s']:.1f} | "
        f"{row['curve_redraws']} |\n\n"
        f"Measured with `python -m bench.panel --episodes {row['episodes']}` on "
        f"{row['cpus']} cores (best of the repeats)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="h2-3q-classroom")
    parser.add_argument("--episodes", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--doc", action="store_true")
    args = parser.parse_args()
    text = table(measure(args.preset, args.episodes, args.repeats))
    print(text)
    if args.doc:
        replace_block("panel-table", text)


if __name__ == "__main__":
    main()
