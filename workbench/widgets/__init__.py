"""Notebook widgets (the only package that imports ipywidgets): the live panel and its pickers.

Example:
    >>> from workbench.widgets import Panel
    >>> Panel().show()  # doctest: +SKIP
"""

from workbench.widgets.panel import LiveView, Panel
from workbench.widgets.pickers import NoisePicker, ProblemPicker, SearchPicker

__all__ = ["LiveView", "NoisePicker", "Panel", "ProblemPicker", "SearchPicker"]
