"""The live panel's fast drawings: the growing circuit and this episode's errors as inline SVG.

The panel redraws these about four times a second while training runs in the same process.
A matplotlib PNG of them costs 40–200 ms (layout, tick labels, PNG encoding) of the training
thread's time; building the SVG text costs well under a millisecond and the browser draws it.
The figures in reports and notebooks stay matplotlib (:mod:`workbench.plots`); these sketches
use the same layout rules (wire 0 on top, gates at their ASAP moments, angles under rotations,
the same rotation colours) so the picture does not change when a run ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from workbench.config import CHEMICAL_ACCURACY, CHEMICAL_ACCURACY_LABEL
from workbench.plots import ROTATION_COLOURS
from workbench.sim import GATES, Circuit

COLUMN, ROW, LEFT, TOP = 46, 34, 38, 30  # px: one moment, one wire, the wire labels, the title


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    """An SVG element of the given size; ``title`` is drawn on top and kept as data-title."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="sans-serif" data-title="{escape(title)}">'
    )
    caption = f'<text x="{width / 2:.0f}" y="16" font-size="13" text-anchor="middle">'
    return head + caption + escape(title) + "</text>" + "".join(body) + "</svg>"


def circuit_svg(
    gates: Sequence[Sequence], n_qubits: int, params: Sequence[float] = (), title: str = ""
) -> str:
    """The circuit as SVG: wires top (wire 0) to bottom, each gate at its ASAP moment
    (:meth:`~workbench.sim.Circuit.moments`), rotation angles (rad) under their boxes."""
    moments = Circuit.from_gates(n_qubits, gates).moments()
    depth = max(moments, default=-1) + 1
    width = LEFT + COLUMN * max(depth, 3) + 10
    height = TOP + ROW * n_qubits + 8  # room for the last wire's angle labels
    y = [TOP + ROW * (q + 0.5) for q in range(n_qubits)]
    body = []
    for q in range(n_qubits):
        body.append(f'<line x1="{LEFT - 6}" y1="{y[q]}" x2="{width - 6}" y2="{y[q]}" '
                    'stroke="#555"/>')  # fmt: skip
        body.append(f'<text x="4" y="{y[q] + 4}" font-size="12">q{q}</text>')
    angles = iter(params)
    for gate, moment in zip(gates, moments, strict=True):
        name, wires = str(gate[0]), [int(w) for w in gate[1:]]
        x = LEFT + COLUMN * (moment + 0.5)
        if name == "CNOT":
            c, t = y[wires[0]], y[wires[1]]
            body.append(f'<line x1="{x}" y1="{c}" x2="{x}" y2="{t}" stroke="black"/>')
            body.append(f'<circle cx="{x}" cy="{c}" r="4"/>')
            body.append(f'<circle cx="{x}" cy="{t}" r="9" fill="white" stroke="black"/>')
            body.append(f'<path d="M{x - 9} {t}H{x + 9}M{x} {t - 9}V{t + 9}" stroke="black"/>')
            continue
        colour = ROTATION_COLOURS.get(name, "#dddddd")
        body.append(
            f'<rect x="{x - 16}" y="{y[wires[0]] - 10}" width="32" height="20" rx="4" '
            f'fill="{colour}" stroke="black"/>'
            f'<text x="{x}" y="{y[wires[0]] + 4}" font-size="11" text-anchor="middle">{name}</text>'
        )
        theta = next(angles, None) if GATES[name].parametric else None
        if theta is not None:
            body.append(
                f'<text x="{x}" y="{y[wires[0]] + 21}" font-size="9" fill="#444" '
                f'text-anchor="middle">{theta:.2f}</text>'
            )
    return _svg(width, height, body, title)


def step_errors_svg(
    errors: Sequence[float], thresholds: Sequence[float], title: str = "this episode"
) -> str:
    """Error after every step of the episode (log scale, Ha) against the curriculum threshold
    (grey) and chemical accuracy (dashed): the SVG twin of :func:`workbench.plots.step_errors`."""
    width, height, left, bottom, right = 420, 250, 58, 52, 10
    values = [max(e, 1e-12) for e in (*errors, *thresholds, CHEMICAL_ACCURACY)]
    low = math.floor(math.log10(min(values)))
    high = max(math.ceil(math.log10(max(values))), low + 1)
    steps = max(len(errors), 4)

    def px(step: float, value: float) -> tuple[float, float]:
        fraction = (math.log10(max(value, 1e-12)) - low) / (high - low)
        x = left + (step - 0.5) / steps * (width - left - right)
        return x, height - bottom - fraction * (height - bottom - TOP)

    body = [f'<rect x="{left}" y="{TOP}" width="{width - left - right}" '
            f'height="{height - bottom - TOP}" fill="none" stroke="#999"/>']  # fmt: skip
    for power in range(low, high + 1, max(1, (high - low) // 6 + 1)):
        _, y = px(0.5, 10.0**power)
        body.append(f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
                    f"1e{power}</text>")  # fmt: skip
    for step in range(1, steps + 1, max(1, steps // 10)):
        x, _ = px(step, 1.0)
        body.append(f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="10" '
                    f'text-anchor="middle">{step}</text>')  # fmt: skip
    body.append(f'<text x="{(width + left) / 2}" y="{height - bottom + 30}" font-size="11" '
                'text-anchor="middle">step</text>')  # fmt: skip
    body.append(f'<text x="12" y="{(height + TOP) / 2}" font-size="11" text-anchor="middle" '
                f'transform="rotate(-90 12 {(height + TOP) / 2})">error [Ha]</text>')  # fmt: skip
    _, accuracy = px(0.5, CHEMICAL_ACCURACY)
    body.append(f'<line x1="{left}" x2="{width - right}" y1="{accuracy:.1f}" '
                f'y2="{accuracy:.1f}" stroke="black" stroke-dasharray="5 3"/>')  # fmt: skip
    for series, style in ((thresholds, 'stroke="#888"'), (errors, 'stroke="#1f77b4"')):
        points = " ".join("{:.1f},{:.1f}".format(*px(i + 1, v)) for i, v in enumerate(series))
        if points:
            body.append(f'<polyline points="{points}" fill="none" {style} stroke-width="1.5"/>')
    body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f77b4"/>'
             for x, y in (px(i + 1, e) for i, e in enumerate(errors))]  # fmt: skip
    accuracy_label = f"chemical accuracy {CHEMICAL_ACCURACY_LABEL}"
    legend = (("#1f77b4", "", "error vs E0"), ("#888", "", "threshold"),
              ("black", ' stroke-dasharray="5 3"', accuracy_label))  # fmt: skip
    for x, (colour, dash, label) in zip((left, left + 100, left + 185), legend, strict=True):
        body.append(f'<line x1="{x}" x2="{x + 18}" y1="{height - 10}" y2="{height - 10}" '
                    f'stroke="{colour}"{dash}/><text x="{x + 22}" y="{height - 6}" font-size="10">'
                    f"{escape(label)}</text>")  # fmt: skip
    return _svg(width, height, body, title)
