"""Notebook widgets (the only package that imports ipywidgets): the live panel and its pickers,
and the curve explorer (a trained curve run's policy behind a bond-length slider).

Example:
    >>> from workbench.widgets import Panel
    >>> Panel().show()  # doctest: +SKIP
"""

from workbench.widgets.curve import CurveExplorer
from workbench.widgets.live import LiveView
from workbench.widgets.panel import Panel
from workbench.widgets.pickers import NoisePicker, ProblemPicker, SearchPicker

__all__ = ["CurveExplorer", "LiveView", "NoisePicker", "Panel", "ProblemPicker", "SearchPicker"]
