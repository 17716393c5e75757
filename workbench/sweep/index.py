"""A sweep's results: one typed outcome per run, ``results.csv``/``results.json`` and a
self-contained interactive ``index.html`` (plotly.js embedded once, no CDN; readable offline).

Errors are in Ha against the exact E0 of each run's problem; "noiseless error" re-evaluates the
best circuit without noise.
"""

from __future__ import annotations

import csv
import html
import io
import json
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.config import CHEMICAL_ACCURACY_LABEL
from workbench.paths import atomic_write_text
from workbench.results import CIRCUIT_SIZE_FIELDS, gates_text, load_run

COLUMNS = (  # after the grid fields: (attribute, heading)
    ("seed", "seed"),
    ("status", "status"),
    ("episodes_done", "episodes"),
    ("best_error", "best error (Ha)"),
    ("best_noiseless_error", "noiseless error (Ha)"),
    ("first_chemical_accuracy_episode", f"first within {CHEMICAL_ACCURACY_LABEL} (episode)"),
    ("greedy_success_rate", "greedy success, 2nd half"),
    ("n_gates", "gates"),
    ("n_cnots", "CNOTs"),
    ("depth", "depth"),
    ("n_params", "parameters"),
    ("wall_time_s", "wall time (s)"),
    ("attempts", "attempts"),
    ("message", "message"),
)


@dataclass(frozen=True)
class PointOutcome:
    """One run of a sweep as the table shows it (``status``: complete, stopped, running,
    failed or pending; the circuit numbers are those of the lowest-energy circuit)."""

    name: str
    seed: int
    values: tuple[tuple[str, Any], ...]
    folder: str
    status: str
    message: str = ""
    attempts: int = 0
    episodes: int | None = None
    episodes_done: int | None = None
    best_error: float | None = None
    best_noiseless_error: float | None = None
    first_chemical_accuracy_episode: int | None = None
    n_gates: int | None = None
    n_cnots: int | None = None
    depth: int | None = None
    n_params: int | None = None
    circuit: str = ""
    greedy_success_rate: float | None = None
    wall_time_s: float | None = None
    report: str | None = None  # the run's report, relative to the sweep folder

    @classmethod
    def read(cls, point, out: Path, reports: bool, status=None, message="", attempts=0):
        """What ``out/<point.name>`` holds now; ``status`` overrides the folder's own."""
        folder = out / point.name
        report = Path("reports") / point.name / "report.html"
        common = dict(
            name=point.name, seed=point.seed, values=point.values, folder=str(folder),
            message=message, attempts=attempts, episodes=point.config.episodes,
            report=str(report) if reports and (out / report).is_file() else None,
        )  # fmt: skip
        if not (folder / "config.json").is_file():
            return cls(status=status or "pending", **common)
        result = load_run(folder)
        s, best = result.summary, result.best
        return cls(
            status=status or result.status,
            episodes_done=s.episodes_done,
            best_error=s.best_error,
            best_noiseless_error=s.best_noiseless_error,
            first_chemical_accuracy_episode=s.first_chemical_accuracy_episode,
            **{k: getattr(best, k, None) for k in CIRCUIT_SIZE_FIELDS},
            circuit="" if best is None else gates_text(best.gates),
            greedy_success_rate=(result.greedy_success() or (None,))[0],
            wall_time_s=s.wall_time_s,
            **common,
        )

    def finished(self, reports: bool) -> bool:
        """Nothing left to do: complete with the episodes asked (and the report, if asked)."""
        done = self.status == "complete" and (self.episodes_done or 0) >= (self.episodes or 0)
        return done and (self.report is not None or not reports)

    def row(self) -> dict[str, Any]:
        """The flat table row: grid fields first, then :data:`COLUMNS`."""
        grid = {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in self.values}
        return {**grid, **{k: getattr(self, k) for k, _ in COLUMNS}, "folder": self.name}


class SweepProgress:
    """One bar for the whole sweep: points done, running and failed, with tqdm's ETA; off
    unless ``show`` (default: on a terminal), so papermill and CI logs carry no frozen bars."""

    def __init__(self, total: int, done: int, show: bool | None) -> None:
        from tqdm.auto import tqdm

        quiet = not sys.stderr.isatty() if show is None else not show
        self.bar = tqdm(total=total, initial=done, unit="run", desc="sweep", disable=quiet)
        self.failed, self.running = 0, 0

    def show(self, running: int) -> None:
        if running != self.running:
            self.running = running
            self.bar.set_postfix(running=running, failed=self.failed)

    def done(self, outcome: PointOutcome) -> None:
        self.failed += outcome.status == "failed"
        self.bar.set_postfix(running=self.running, failed=self.failed)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def write_results(out: Path, outcomes, index: bool = True) -> None:
    """``results.csv`` and ``results.json`` (one row per run), and with ``index``
    ``index.html``."""
    rows = [o.row() for o in outcomes]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / "results.csv", buffer.getvalue())
    runs = [asdict(o) | {"values": dict(o.values)} for o in outcomes]
    atomic_write_text(out / "results.json", json.dumps({"runs": runs}, indent=1) + "\n")
    if index:
        atomic_write_text(out / "index.html", index_html(out, outcomes))


def _figures(outcomes) -> list[str]:
    """One interactive overview per varying field (:func:`workbench.figures.sweep_overview`),
    as HTML ``<div>``s with plotly.js inline in the first."""
    try:
        from workbench import figures
    except ImportError:  # plotly comes with the notebooks extra
        return []
    varying = [k for k, _ in outcomes[0].values] if outcomes and outcomes[0].values else ["seed"]
    return [
        figures.to_html(figures.sweep_overview(outcomes, field), include_plotlyjs=i == 0)
        for i, field in enumerate(varying)
    ]


def _table(outcomes) -> str:
    rows = [o.row() for o in outcomes]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    head = "".join(f"<th>{html.escape(dict(COLUMNS).get(c, c))}</th>" for c in columns)
    body = []
    for outcome, row in zip(outcomes, rows, strict=True):
        cells = []
        for column in columns:
            value = row[column]
            text = f"{value:.3e}" if isinstance(value, float) and "error" in column else value
            text = html.escape("" if text is None else str(text))
            if column == "folder" and outcome.report:
                text = f'<a href="{html.escape(outcome.report)}">{text} (report)</a>'
            cells.append(f"<td>{text}</td>")
        body.append(f"<tr title='{html.escape(outcome.circuit)}'>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def index_html(out: Path, outcomes) -> str:
    """The sweep's overview page: counts, interactive figures, the table with report links."""
    counts = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    parts = _figures(outcomes) or ["<p>(install plotly, the notebooks extra, for figures)</p>"]
    style = (
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:85%}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    )
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sweep {html.escape(out.name)}"
        f"</title><style>{style}</style></head><body><h1>Sweep {html.escape(out.name)}</h1>"
        f"<p>{len(outcomes)} runs: {summary}. Written {stamp}. Errors against the exact E0; "
        "hover a point for its circuit.</p>"
        + "".join(parts)
        + "<h2>Runs</h2>"
        + _table(outcomes)
        + "</body></html>"
    )
