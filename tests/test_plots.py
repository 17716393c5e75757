"""The static figures: what is drawn is what was given."""

from __future__ import annotations

import math

import numpy as np

from workbench.config import CHEMICAL_ACCURACY
from workbench.plots import (
    accuracy_curves,
    circuit_size_versus,
    draw_circuit,
    errors_versus,
    to_png,
)


def test_errors_versus_draws_each_series_on_a_log_axis_with_chemical_accuracy():
    fig = errors_versus(["median", "max"], {"noisy": [0.05, None], "noiseless": [2e-5, 0.02]})
    ax = fig.axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights[:2] == [0.05, heights[1]] and math.isnan(heights[1])
    assert heights[2:] == [2e-5, 0.02]
    assert ax.get_yscale() == "log"
    assert any(line.get_ydata()[0] == CHEMICAL_ACCURACY for line in ax.lines)
    assert to_png(fig).startswith(b"\x89PNG")


def test_circuit_size_versus_has_four_bars_per_setting():
    record = {"n_gates": 5, "n_cnots": 2, "depth": 4, "n_params": 3}
    ax = circuit_size_versus(["a", "b"], [record, None]).axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights[0::2] == [5, 2, 4, 3]
    assert all(math.isnan(h) for h in heights[1::2])


def _episode(error, length=3, test=False, **fields):
    from workbench.results import EpisodeRecord

    values = dict(episode=0, success=False, length=length, episode_return=-1.0, epsilon=1.0,
                  loss=None, energy=-1.0, error_to_ground=error, n_gates=length, n_cnots=0,
                  depth=length, n_params=length, threshold=0.2, env_seconds=0.0,
                  agent_seconds=0.0, test=test)  # fmt: skip
    return EpisodeRecord(**(values | fields))


def test_accuracy_curves_average_seeds_up_to_the_shortest_run_and_roll():
    ok, bad = 1e-4, 1e-2
    seed_a = [_episode(ok, 2), _episode(bad, 4), _episode(ok, 6), _episode(ok, 8)]
    seed_b = [_episode(ok, 4), _episode(ok, 6, test=True), _episode(ok, 2), _episode(bad, 4)]
    fig = accuracy_curves({"masks": [seed_a, seed_b]}, window=2)
    share, length = fig.axes[0].lines[0], fig.axes[1].lines[0]
    # seed_b has 3 training episodes: per-episode shares [1, .5, .5], lengths [3, 3, 5]
    # trailing means over the last 2 (the first point over 1)
    np.testing.assert_allclose(share.get_ydata(), [1.0, 0.75, 0.5])
    np.testing.assert_allclose(length.get_ydata(), [3.0, 3.0, 4.0])
    np.testing.assert_allclose(share.get_xdata(), [0, 1, 2])
    assert fig.axes[1].get_legend().get_texts()[0].get_text() == "masks"  # beside the data


def test_fixed_gates_take_no_angle_label():
    """The Hartree-Fock X gates come first: the first angle belongs to the rotation."""
    figure = draw_circuit([["X", 0], ["X", 1], ["RY", 2], ["CNOT", 0, 2]], 3, [0.3])
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert labels.count("0.30") == 1
    x_position = next(t.get_position() for t in figure.axes[0].texts if t.get_text() == "RY")
    angle_position = next(t.get_position() for t in figure.axes[0].texts if t.get_text() == "0.30")
    assert angle_position[0] == x_position[0] and angle_position[1] > x_position[1]


def test_short_runs_draw_a_success_rate_point_per_episode():
    """Regression (classroom issue, bug 4): a run of ≤ 20 episodes drew one point or none."""
    from workbench.plots import learning_curves, trailing_mean

    assert trailing_mean([1, 0, 1, 1], 2).tolist() == [1.0, 0.5, 0.5, 1.0]
    assert trailing_mean([], 20).size == 0
    metrics = [_episode(0.1, episode=i, success=i % 2 == 0) for i in range(5)]
    fig = learning_curves(metrics)
    success = fig.axes[2].lines[0]
    assert success.get_xdata().tolist() == [0, 1, 2, 3, 4]
    assert success.get_ydata().tolist() == [1.0, 0.5, 2 / 3, 0.5, 0.6]


def test_step_axis_shows_whole_steps_from_the_first_step():
    from workbench.plots import step_errors

    ax = step_errors([0.5], [0.1]).axes[0]
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_chemical_accuracy_label_sits_on_its_line_on_a_log_axis():
    """Regression (issue 25): ``add_hline``'s label landed at 1.6e-3 read as a log10 exponent,
    far from the line; the label is now an annotation at log10(1.6e-3) on the line's axes."""
    from plotly.subplots import make_subplots

    from workbench.figures import chemical_accuracy_line

    fig = make_subplots(rows=1, cols=2)
    fig.add_scatter(x=[1, 2], y=[1e-2, 1e-4], row=1, col=2)
    chemical_accuracy_line(fig, row=1, col=2)
    (label,), (line,) = fig.layout.annotations, fig.layout.shapes
    assert (label.yref, line.yref, line.y0) == ("y2", "y2", CHEMICAL_ACCURACY)
    assert label.y == math.log10(CHEMICAL_ACCURACY) and "1.6 mHa" in label.text


def test_sweep_overview_axes_and_traces_that_do_not_hide_each_other():
    """Noise scales on a log axis; each seed its own marker symbol, size and dash."""
    from types import SimpleNamespace

    from workbench.figures import _axis_type, sweep_overview

    assert _axis_type([0.5, 1, 4]) == "log" and _axis_type([1, 2]) == "linear"
    assert _axis_type(["cobyla", "spsa"]) == "category" and _axis_type([0, 1]) == "linear"
    outcomes = [
        SimpleNamespace(seed=seed, values=(("noise.scale", scale),), best_error=1e-3, n_cnots=2,
                        name=f"s{seed}", n_gates=3, circuit="RY 0")
        for seed in (0, 1) for scale in (0.5, 4)
    ]  # fmt: skip
    fig = sweep_overview(outcomes, "noise.scale")
    assert fig.layout.xaxis.type == "log" and list(fig.data[0].x) == [0.5, 4]
    first, second = fig.data[0], fig.data[2]  # seed 0 and seed 1, best error
    assert first.marker.symbol != second.marker.symbol and first.marker.size > second.marker.size
    assert first.line.dash != second.line.dash
