"""Interactive plotly figures — hover, zoom, legend toggles — for notebooks, reports and sweeps.

Where a reader gains from hovering or zooming (learning curves with the circuit of each episode,
mHa gaps near E0 in an energy scan, optimisers toggled on and off, dissociation curves, a sweep's
overview) the figure is plotly; circuit drawings stay static PNGs (:mod:`workbench.plots`).
Energies in Ha, errors against the exact E0 (log axes where they span decades).

HTML carries plotly.js **inline, once per file**, never from a CDN: :func:`to_html` takes
``include_plotlyjs``; :func:`show` displays a figure in a notebook and inlines plotly.js with the
first figure the kernel shows, so an executed notebook (papermill, nbconvert) renders offline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from workbench.config import CHEMICAL_ACCURACY, CHEMICAL_ACCURACY_LABEL
from workbench.plots import trailing_mean
from workbench.results import EpisodeRecord

CONFIG = {"displaylogo": False, "responsive": True}
SYMBOLS = ("circle-open", "diamond", "x", "square-open", "triangle-up", "star")
DASHES = ("solid", "dash", "dot", "dashdot")
_shown = {"plotlyjs": False}


def to_html(fig: go.Figure, include_plotlyjs: bool) -> str:
    """A ``<div>`` with the figure; plotly.js inline when ``include_plotlyjs``."""
    return fig.to_html(full_html=False, include_plotlyjs=include_plotlyjs, config=CONFIG)


def show(fig: go.Figure) -> None:
    """Display in a notebook as self-contained HTML (plotly.js with the kernel's first figure)."""
    from IPython.display import HTML, display

    display(HTML(to_html(fig, include_plotlyjs=not _shown["plotlyjs"])))
    _shown["plotlyjs"] = True


def _colour(index: int) -> str:
    """The colour of the ``index``-th trace (run, seed, method) in every figure: hues 67° apart,
    so neighbours differ strongly and the first six are distinct."""
    return f"hsl({(index * 67) % 360},60%,45%)"


def chemical_accuracy_line(fig: go.Figure, row: int | None = None, col: int | None = None):
    """The dashed chemical-accuracy line on a log error axis, labelled at its right end.

    ``add_hline``'s own label lands at the value's *linear* position on a log axis (far from
    the line); an annotation on a log axis takes log10 of the value, so it is placed by hand."""
    grid = {} if row is None else {"row": row, "col": col}
    fig.add_hline(CHEMICAL_ACCURACY, line_dash="dash", line_color="black", **grid)
    fig.add_annotation(
        text=f"chemical accuracy {CHEMICAL_ACCURACY_LABEL}", x=1, xref="x domain",
        y=float(np.log10(CHEMICAL_ACCURACY)), yref="y", xanchor="right", yanchor="bottom",
        showarrow=False, font=dict(size=11), **grid,
    )  # fmt: skip


def _layout(fig: go.Figure, height: int, title: str = "") -> go.Figure:
    fig.update_layout(
        height=height,
        # the title on top, the legend between it and the data (never over either)
        title=dict(text=title, x=0, xanchor="left", y=0.99, yanchor="top") if title else None,
        margin=dict(l=60, r=20, t=130 if title else 60, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        hovermode="closest",
        template="plotly_white",
    )
    return fig


def learning_curves(
    runs: Mapping[str, Sequence[EpisodeRecord]], window: int = 20, title: str = ""
) -> go.Figure:
    """Training episodes of one or more runs (``label → metrics``, e.g. one per seed): final
    error against E0 (log; hover: episode, error, gates, the circuit), success rate over the
    last ``window`` episodes, episode length, ε (the loss when no run's agent has one). Greedy
    test episodes are diamonds."""
    explores = any(m.epsilon is not None for metrics in runs.values() for m in metrics)
    fig = make_subplots(
        rows=2,
        cols=2,
        subplot_titles=("final error vs E0 (Ha)", f"success rate (last {window})",
                        "episode length (gates)", "exploration ε" if explores else "loss"),
        vertical_spacing=0.14,
    )  # fmt: skip
    for index, (label, metrics) in enumerate(runs.items()):
        colour = _colour(index)
        train = [m for m in metrics if not m.test]
        tests = [m for m in metrics if m.test]
        x = [m.episode for m in train]
        hover = [
            f"episode {m.episode}<br>error {m.error_to_ground:.2e} Ha<br>"
            f"{m.n_gates} gates, {m.n_cnots} CNOTs<br>{m.circuit[:160]}"
            for m in train
        ]
        common = dict(legendgroup=label, line=dict(color=colour), marker=dict(color=colour))
        fig.add_scatter(
            x=x, y=[max(m.error_to_ground, 1e-12) for m in train], mode="markers",
            marker_size=4, name=label, hovertext=hover, hoverinfo="text", row=1, col=1, **common,
        )  # fmt: skip
        if tests:
            fig.add_scatter(
                x=[m.episode for m in tests],
                y=[max(m.error_to_ground, 1e-12) for m in tests],
                mode="markers", marker_symbol="diamond", marker_size=7, name=f"{label} greedy",
                hovertext=[f"greedy test, episode {m.episode}<br>{m.circuit}"
                           for m in tests],
                row=1, col=1, **common,
            )  # fmt: skip
        success = trailing_mean([float(m.success) for m in train], window)
        for row, col, y in (
            (1, 2, success),
            (2, 1, [m.length for m in train]),
            (2, 2, [m.epsilon if explores else m.loss for m in train]),
        ):
            fig.add_scatter(x=x, y=y, mode="lines", showlegend=False, row=row, col=col, **common)
    chemical_accuracy_line(fig, row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="e", row=1, col=1)
    fig.update_yaxes(range=[0, 1.05], row=1, col=2)
    if explores:
        fig.update_yaxes(range=[0, 1.05], row=2, col=2)
    last = max((m.episode for metrics in runs.values() for m in metrics), default=1)
    fig.update_xaxes(dtick=integer_step(last), tick0=0)
    fig.update_xaxes(title_text="episode", row=2)
    return _layout(fig, 620, title)


def integer_step(largest: float, ticks: int = 8) -> int:
    """The smallest 1-2-5 step (1, 2, 5, 10, 20, …) giving at most ``ticks`` integer ticks up
    to ``largest`` — episode and step axes never show 0.5."""
    for exponent in range(12):
        for digit in (1, 2, 5):
            if largest / (digit * 10**exponent) <= ticks:
                return digit * 10**exponent
    return 10**12


def energy_scan(
    angles: Sequence[float], curves: Mapping[str, Sequence[float]], e0: float, title: str = ""
) -> go.Figure:
    """Energy against one angle θ (rad) per setting; hover gives the gap to E0 in mHa, so zooming
    near the minimum shows the mHa differences a whole-range plot hides."""
    fig = go.Figure()
    hover = "θ=%{x:.3f}<br>E=%{y:.6f} Ha<br>E−E0=%{customdata:.2f} mHa"
    for label, values in curves.items():
        gaps = (np.asarray(values) - e0) * 1e3
        fig.add_scatter(
            x=list(angles), y=list(values), mode="lines", name=label,
            customdata=gaps, hovertemplate=hover,
        )  # fmt: skip
    fig.add_hline(e0, line_dash="dash", annotation_text="exact E0")
    fig.update_xaxes(title_text="θ (rad)")
    fig.update_yaxes(title_text="energy (Ha)")
    return _layout(fig, 420, title)


def convergence(
    traces: Mapping[str, Sequence[Sequence[float]]], e0: float, title: str = ""
) -> go.Figure:
    """Optimisers compared over energy evaluations: per method, the median over seeds of the
    best exact error so far (line) and the spread between seeds (band); click the legend to
    toggle a method. ``traces``: method → one list of exact energies per seed, in call order."""
    fig = go.Figure()
    for index, (method, seeds) in enumerate(traces.items()):
        colour = _colour(index)
        n = min(len(s) for s in seeds)
        best = np.array([np.minimum.accumulate(np.asarray(s[:n]) - e0) for s in seeds])
        best = np.maximum(best, 1e-9)
        x = np.arange(1, n + 1)
        low, mid, high = best.min(0), np.median(best, 0), best.max(0)
        fig.add_scatter(
            x=np.concatenate([x, x[::-1]]), y=np.concatenate([high, low[::-1]]), fill="toself",
            fillcolor=colour.replace("hsl", "hsla").replace(")", ",0.15)"), line_width=0,
            legendgroup=method, showlegend=False, hoverinfo="skip",
        )  # fmt: skip
        fig.add_scatter(
            x=x, y=mid, mode="lines", name=method, legendgroup=method,
            line=dict(color=colour), hovertemplate=f"{method}<br>%{{x}} evaluations<br>"
            "median best error %{y:.2e} Ha<extra></extra>",
        )  # fmt: skip
    chemical_accuracy_line(fig)
    fig.update_yaxes(type="log", exponentformat="e", title_text="best exact error so far (Ha)")
    fig.update_xaxes(title_text="energy evaluations", tickformat="d")
    return _layout(fig, 440, title)


def dissociation(
    bond_lengths: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    marker: tuple[float, float, str] | None = None,
    title: str = "",
) -> go.Figure:
    """Energies (Ha) against bond length (Å), e.g. exact E0 and Hartree–Fock; ``marker`` =
    ``(length, energy, label)`` marks one point (the found energy, the slider's length)."""
    fig = go.Figure()
    for label, values in curves.items():
        fig.add_scatter(x=list(bond_lengths), y=list(values), mode="lines+markers", name=label)
    if marker is not None:
        fig.add_scatter(
            x=[marker[0]], y=[marker[1]], mode="markers", name=marker[2],
            marker=dict(size=12, symbol="star", color="black"),
        )  # fmt: skip
    fig.update_xaxes(title_text="bond length (Å)")
    fig.update_yaxes(title_text="energy (Ha)")
    return _layout(fig, 400, title)


def sweep_overview(outcomes: Sequence, field: str) -> go.Figure:
    """A sweep's runs against one varying ``field`` (or ``seed``): best error (log) and CNOTs
    of the best circuit, one trace per seed, the run and its circuit on hover."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("best error (Ha)", "CNOTs of best"))

    def value(o):
        return o.seed if field == "seed" else dict(o.values).get(field)

    axis = _axis_type([value(o) for o in outcomes])
    for index, seed in enumerate(sorted({o.seed for o in outcomes})):
        colour = _colour(index)
        mine = [o for o in outcomes if o.seed == seed and o.best_error is not None]
        x = [value(o) if axis != "category" else str(value(o)) for o in mine]
        text = [f"{o.name}<br>{o.n_gates} gates: {o.circuit[:120]}" for o in mine]
        # seeds often agree (same CNOTs): each seed its own symbol, size and dash, so a trace
        # drawn later never hides an earlier one
        look = dict(
            line=dict(color=colour, dash=DASHES[index % len(DASHES)]),
            marker=dict(symbol=SYMBOLS[index % len(SYMBOLS)], size=max(13 - 3 * index, 5)),
        )
        for col, attr in ((1, "best_error"), (2, "n_cnots")):
            fig.add_scatter(
                x=x, y=[getattr(o, attr) for o in mine], mode="markers+lines",
                name=f"seed {seed}", legendgroup=str(seed), showlegend=col == 1,
                hovertext=text, row=1, col=col, **look,
            )  # fmt: skip
    chemical_accuracy_line(fig, row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="e", row=1, col=1)
    most = max((o.n_cnots or 0 for o in outcomes), default=1)
    fig.update_yaxes(dtick=integer_step(max(most, 1)), tick0=0, rangemode="tozero", row=1, col=2)
    fig.update_xaxes(title_text=field, type=axis)
    return _layout(fig, 400)


def _axis_type(values: Sequence) -> str:
    """``log`` for positive numbers spanning a factor ≥ 4 (noise scales 0.5, 1, 4), ``linear`` for
    other numbers, ``category`` for anything else (names, lists)."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not values or len(numbers) != len(values):
        return "category"
    if min(numbers) > 0 and max(numbers) >= 4 * min(numbers):
        return "log"
    return "linear"


def baseline_comparison(rows: Sequence, title: str = "") -> go.Figure:
    """Baselines and the agent (:class:`workbench.baselines.BaselineResult` rows): error against
    E0 (log) over CNOTs, one marker per row, one colour per method, the noiseless re-evaluation as
    an open marker where it differs; chemical accuracy dotted. Hover: variant, gates, depth,
    parameters, evaluations."""
    fig = go.Figure()
    methods = list(dict.fromkeys(r.method for r in rows))
    for index, method in enumerate(methods):
        colour = _colour(index)
        chosen = [r for r in rows if r.method == method]
        hover = [
            f"{method}: {r.variant}<br>error {r.error:.2e} Ha (noiseless {r.noiseless_error:.2e})"
            f"<br>{r.n_gates} gates, {r.n_cnots} CNOTs, depth {r.depth}, {r.n_params} parameters"
            f"<br>{'–' if r.evaluations is None else r.evaluations} evaluations"
            for r in chosen
        ]
        fig.add_scatter(
            x=[r.n_cnots for r in chosen], y=[max(r.error, 1e-12) for r in chosen],
            mode="markers", marker=dict(color=colour, size=11), name=method,
            hovertext=hover, hoverinfo="text", legendgroup=method,
        )  # fmt: skip
        noisy = [r for r in chosen if abs(r.noiseless_error - r.error) > 1e-12]
        if noisy:
            fig.add_scatter(
                x=[r.n_cnots for r in noisy], y=[max(r.noiseless_error, 1e-12) for r in noisy],
                mode="markers", marker=dict(color=colour, size=9, symbol="circle-open"),
                name=f"{method} (noiseless)", legendgroup=method, hoverinfo="skip",
            )  # fmt: skip
    chemical_accuracy_line(fig)
    fig.update_xaxes(title_text="CNOTs")
    fig.update_yaxes(type="log", title_text="error vs E0 (Ha)", exponentformat="e")
    return _layout(fig, 430, title)
