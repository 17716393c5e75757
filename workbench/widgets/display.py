"""What the widgets show: PNG figures swapped into image widgets, Markdown tables as HTML."""

from __future__ import annotations

import html

import ipywidgets as w

from workbench.plots import to_png


def show_image(widget: w.Image, figure) -> None:
    """Swap an image widget's PNG in place (no output clearing, hence no flicker)."""
    widget.value = to_png(figure)
    widget.layout.display = None


def markdown_to_html(table: str) -> str:
    lines = [line.strip("|").split("|") for line in table.splitlines()]
    head, body = lines[0], lines[2:]
    cells = "".join(f"<th>{html.escape(c.strip())}</th>" for c in head)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in row) + "</tr>"
        for row in body
    )
    return f"<table><tr>{cells}</tr>{rows}</table>"
