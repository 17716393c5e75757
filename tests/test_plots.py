"""The static figures: what is drawn is what was given."""

from __future__ import annotations

import math

from workbench.config import CHEMICAL_ACCURACY
from workbench.plots import circuit_size_versus, errors_versus, to_png


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
