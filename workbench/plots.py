"""Static matplotlib figures of circuits and runs (for notebooks, the live panel and reports).

Every function returns a ``matplotlib.figure.Figure`` built without pyplot's global state, so
figures can be drawn from a worker thread and embedded as PNG (:func:`to_png`) in reports that
need no JavaScript. Energies in Ha; errors are against the exact E0 unless said otherwise.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from workbench.config import CHEMICAL_ACCURACY
from workbench.results import CIRCUIT_SIZE_FIELDS, EpisodeRecord
from workbench.sim import GATES, Circuit

ROTATION_COLOURS = {"RX": "#f4a582", "RY": "#92c5de", "RZ": "#b8e186"}


def draw_circuit(
    gates: Sequence[Sequence], n_qubits: int, params: Sequence[float] | None = None, title=""
) -> Figure:
    """Wires top (wire 0) to bottom, gates at their ASAP moments; angles under rotations.

    ``gates`` is the JSON gate list ``[["RY", 0], ["CNOT", 0, 1], ...]``.
    """
    circuit = Circuit.from_gates(n_qubits, gates)
    moments, depth = circuit.moments(), circuit.depth
    width = max(3.0, 0.75 * depth + 1.2)
    fig = Figure(figsize=(width, 0.6 * n_qubits + 0.7))
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.84 if title else 0.96))
    ax.set_xlim(-0.8, max(depth, 1) - 0.2)
    ax.set_ylim(n_qubits - 0.4, -0.6)
    ax.axis("off")
    for q in range(n_qubits):
        ax.plot([-0.4, max(depth, 1) - 0.3], [q, q], color="0.3", lw=1, zorder=0)
        ax.text(-0.55, q, f"q{q}", ha="right", va="center", fontsize=9)
    angles = iter(params if params is not None else [])
    for gate, x in zip(gates, moments, strict=True):
        name, wires = gate[0], [int(w) for w in gate[1:]]
        if name == "CNOT":
            control, target = wires
            ax.plot([x, x], [control, target], color="k", lw=1.2, zorder=1)
            ax.plot(x, control, "o", color="k", ms=6, zorder=2)
            ax.plot(x, target, "o", mfc="white", mec="k", ms=13, zorder=2)
            ax.plot([x - 0.13, x + 0.13], [target, target], color="k", lw=1.2, zorder=3)
            ax.plot([x, x], [target - 0.22, target + 0.22], color="k", lw=1.2, zorder=3)
            continue
        colour = ROTATION_COLOURS.get(name, "#dddddd")
        box = dict(boxstyle="round,pad=0.25", fc=colour, ec="k", lw=0.8)
        ax.text(x, wires[0], name, ha="center", va="center", fontsize=9, bbox=box, zorder=3)
        theta = next(angles, None) if GATES[name].parametric else None
        if theta is not None:
            ax.text(x, wires[0] + 0.36, f"{theta:.2f}", ha="center", fontsize=7, color="0.25")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def _legend(ax, fontsize: int = 7) -> None:
    """The legend beside the axes, never on the data."""
    ax.legend(fontsize=fontsize, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def _integer_x(*axes) -> None:
    """Episode and step axes show whole numbers only."""
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def trailing_mean(values: Sequence[float], window: int) -> np.ndarray:
    """Mean of the last ``window`` values at each position (fewer at the start), so a curve
    has a point for every episode — a run shorter than the window still draws one."""
    values = np.asarray(values, dtype=float)
    sums = np.cumsum(np.concatenate([[0.0], values]))
    counts = np.minimum(np.arange(1, values.size + 1), window)
    ends = np.arange(1, values.size + 1)
    return (sums[ends] - sums[ends - counts]) / counts


def learning_curves(metrics: Sequence[EpisodeRecord], window: int = 20) -> Figure:
    """Four panels over training episodes: final error (log) with chemical accuracy and the
    curriculum threshold, episode return, success rate (rolling), ε (the loss for an agent
    without ε)."""
    train = [m for m in metrics if not m.test]
    episodes = np.array([m.episode for m in train])
    fig = Figure(figsize=(10, 6.2), layout="constrained")
    axes = fig.subplots(2, 2)
    ax = axes[0, 0]
    errors = np.array([max(m.error_to_ground, 1e-12) for m in train])
    ax.semilogy(episodes, errors, ".", ms=3, alpha=0.6, label="final error vs E0")
    ax.semilogy(episodes, [m.threshold for m in train], "-", lw=1, label="threshold")
    ax.axhline(CHEMICAL_ACCURACY, color="k", ls="--", lw=1, label="chemical accuracy")
    tests = [m for m in metrics if m.test]
    if tests:
        ax.semilogy(
            [m.episode for m in tests],
            [max(m.error_to_ground, 1e-12) for m in tests],
            "D",
            ms=4,
            label="greedy test",
        )
    ax.set(xlabel="episode", ylabel="error [Ha]", title="energy error")
    _legend(ax)
    returns = np.array([m.episode_return for m in train])
    axes[0, 1].plot(episodes, returns, ".", ms=3, alpha=0.5)
    axes[0, 1].plot(episodes, trailing_mean(returns, window), "-")
    axes[0, 1].set(xlabel="episode", ylabel="return", title="episode return")
    success = trailing_mean([float(m.success) for m in train], window)
    axes[1, 0].plot(episodes, success, ".-" if len(success) <= window else "-", ms=3)
    axes[1, 0].set(
        xlabel="episode", ylabel=f"rate over last {window}", title="success rate", ylim=(0, 1.05)
    )
    if any(m.epsilon is not None for m in train):
        axes[1, 1].plot(episodes, [m.epsilon for m in train])
        axes[1, 1].set(xlabel="episode", ylabel="ε", title="exploration", ylim=(0, 1.05))
    else:  # a policy-gradient agent explores by sampling its policy: show its loss instead
        learned = [m for m in train if m.loss is not None]
        axes[1, 1].plot([m.episode for m in learned], [m.loss for m in learned], ".", ms=3)
        axes[1, 1].set(xlabel="episode", ylabel="loss", title="loss (no ε)")
    _integer_x(*axes.flat)
    return fig


def accuracy_curves(
    runs: dict[str, Sequence[Sequence[EpisodeRecord]]], window: int = 50, title: str = ""
) -> Figure:
    """Compare configurations over training: per label, the trailing-mean share of training
    episodes that end within chemical accuracy (of the final energy against E0) and the trailing
    mean episode length, each averaged over the label's runs (seeds) up to the shortest run."""
    fig = Figure(figsize=(10, 3.5), layout="constrained")
    share_ax, length_ax = fig.subplots(1, 2)
    for label, seeds in runs.items():
        trains = [[m for m in metrics if not m.test] for metrics in seeds]
        n = min((len(t) for t in trains), default=0)
        if n == 0:
            continue
        hits = np.mean([[m.error_to_ground < CHEMICAL_ACCURACY for m in t[:n]] for t in trains], 0)
        lengths = np.mean([[m.length for m in t[:n]] for t in trains], 0)
        share_ax.plot(np.arange(n), trailing_mean(hits, window), label=label)
        length_ax.plot(np.arange(n), trailing_mean(lengths, window), label=label)
    share_ax.set(xlabel="episode", ylabel=f"share over last {window}", ylim=(0, 1.05))
    share_ax.set_title("episodes within chemical accuracy")
    length_ax.set(xlabel="episode", ylabel="gates", title="episode length")
    _legend(length_ax)
    _integer_x(share_ax, length_ax)
    if title:
        fig.suptitle(title)
    return fig


def step_errors(errors: Sequence[float], thresholds: Sequence[float], title: str = "") -> Figure:
    """Error after every step of the current episode (log) against the threshold and chemical
    accuracy (the live panel's middle plot)."""
    fig = Figure(figsize=(5, 3), layout="constrained")
    ax = fig.add_subplot()
    steps = np.arange(1, len(errors) + 1)
    if len(errors):
        ax.semilogy(steps, np.maximum(errors, 1e-12), "o-", ms=4, label="error vs E0")
        ax.semilogy(steps, thresholds, "-", lw=1, label="threshold")
    ax.axhline(CHEMICAL_ACCURACY, color="k", ls="--", lw=1, label="chemical accuracy")
    ax.set(xlabel="step", ylabel="error [Ha]", title=title or "this episode")
    ax.set_xlim(0.5, max(len(errors), 4) + 0.5)  # whole steps, even after the first one
    _legend(ax)
    _integer_x(ax)
    return fig


def circuit_size_versus(labels: Sequence[str], rows: Sequence[dict], title: str = "") -> Figure:
    """Gates, CNOTs, depth and parameters of the best circuit per setting (e.g. noise level):
    the paper's "more noise needs longer circuits" figure."""
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    for i, key in enumerate(CIRCUIT_SIZE_FIELDS):
        values = [np.nan if r is None else r[key] for r in rows]
        ax.bar(x + (i - 1.5) * 0.2, values, 0.2, label=key.removeprefix("n_"))
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set(ylabel="count", title=title or "best circuit per setting")
    _legend(ax, 8)
    return fig


def errors_versus(
    labels: Sequence[str], series: dict[str, Sequence[float | None]], title: str = ""
) -> Figure:
    """Grouped bars (log scale) of energy errors per setting, e.g. the noisy error and the
    noiseless re-evaluation of the same circuit per noise level; chemical accuracy dashed."""
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        heights = [np.nan if v is None else max(v, 1e-12) for v in values]
        ax.bar(x + (i - (len(series) - 1) / 2) * width, heights, width, label=name)
    ax.set_yscale("log")
    ax.axhline(CHEMICAL_ACCURACY, color="k", ls="--", lw=1, label="chemical accuracy")
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set(ylabel="error vs E0 [Ha]", title=title or "error per setting")
    _legend(ax, 8)
    return fig


def dissociation_curve(
    lengths: Sequence[float],
    curves: dict[str, Sequence[float]],
    markers: dict[str, tuple[float, float]] | None = None,
    title: str = "",
) -> Figure:
    """Energies (Ha) against bond length (Å), e.g. exact E0 and Hartree–Fock, with marked
    points (``label → (length, energy)``: the slider's geometry, the best energy found)."""
    fig = Figure(figsize=(5.2, 3.2), layout="constrained")
    ax = fig.add_subplot()
    for label, values in curves.items():
        ax.plot(lengths, values, ".-", label=label)
    for (label, (x, y)), style in zip((markers or {}).items(), ("ko", "r*"), strict=False):
        ax.plot([x], [y], style, ms=9, label=label)
    ax.set(xlabel="bond length [Å]", ylabel="energy [Ha]", title=title or "dissociation")
    _legend(ax)
    return fig


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """PNG bytes of a figure (for ``ipywidgets.Image`` and static reports)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
