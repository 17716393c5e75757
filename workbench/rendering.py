"""Rendering for people: human labels with units, Markdown tables, self-contained HTML.

One home for how numbers and names are shown in reports, the panel's summary, notebooks and the
paper-comparison document: :data:`LABELS` (key → label, unit), :func:`quantity_rows`,
:func:`markdown_table`, and the two HTML writers — :func:`to_html` for an executed notebook (the
report) and :func:`markdown_to_html` for a Markdown document — which embed every figure and load
nothing from the network.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from workbench.config import CHEMICAL_ACCURACY_LABEL
from workbench.paths import atomic_write_text

# Report labels: key → (what a reader calls it, unit).
LABELS = {
    "id": ("problem", ""),
    "formula": ("formula", ""),
    "qubits": ("qubits", ""),
    "terms": ("Pauli terms", ""),
    "mapping": ("fermion-to-qubit mapping", ""),
    "tapering": ("qubit tapering", ""),
    "electrons": ("electrons", ""),
    "ground_energy": ("exact ground energy E0", "Ha"),
    "ground_energy_sector": ("E0 in the molecule's electron-number sector", "Ha"),
    "hartree_fock_energy": ("Hartree–Fock energy", "Ha"),
    "hartree_fock_is_scf_minimum": ("Hartree–Fock determinant is the SCF minimum (aufbau)", ""),
    "scf_orbitals": ("SCF orbitals (PennyLane's SCF broke the aufbau rule)", ""),
    "scf_energy_pennylane": ("energy of PennyLane's SCF determinant", "Ha"),
    "lower_bound": ("curriculum lower bound", "Ha"),
    "zero_state_energy": ("energy of the all-zero state", "Ha"),
    "spectral_gap": ("spectral gap", "Ha"),
    "name": ("device profile", ""),
    "n_qubits": ("qubits", ""),
    "depolarizing_1q": ("1-qubit depolarizing p", ""),
    "depolarizing_2q": ("2-qubit depolarizing p", ""),
    "two_qubit_depolarizing": ("2-qubit depolarizing form", ""),
    "t1": ("T1", "µs"),
    "t2": ("T2", "µs"),
    "gate_time_1q": ("1-qubit gate time", "ns"),
    "gate_time_2q": ("2-qubit gate time", "ns"),
    "amplitude_damping": ("amplitude damping γ", ""),
    "phase_damping": ("phase damping λ", ""),
    "readout_p01": ("readout error P(1|0)", ""),
    "readout_p10": ("readout error P(0|1)", ""),
    "coupling_map": ("coupling map", ""),
    "depolarizing_2q_pairs": ("2-qubit depolarizing p per pair", ""),
    "channel_order": ("order of the channels after a gate", ""),
    "virtual_rz": ("RZ as a virtual, noise-free gate", ""),
    "shots": ("shots per measurement group", ""),
    # a run's overview (workbench show, the panel's summary)
    "folder": ("run folder", ""),
    "label": ("run", ""),
    "preset": ("run preset", ""),
    "status": ("status", ""),
    "episodes_done": ("episodes done", ""),
    "episodes": ("episode budget", ""),
    "best_error": ("best error vs E0", "Ha"),
    "best_noiseless_error": ("its noiseless error", "Ha"),
    "chemical_accuracy": (f"within chemical accuracy ({CHEMICAL_ACCURACY_LABEL})", ""),
    "first_chemical_accuracy_episode": (f"first episode within {CHEMICAL_ACCURACY_LABEL}", ""),
    "greedy_success_rate": (
        f"greedy test episodes within {CHEMICAL_ACCURACY_LABEL}, second half", ""
    ),
    "greedy_test_episodes": ("greedy test episodes, second half", ""),
    "curriculum_successes": ("curriculum successes", ""),
    "wall_time_s": ("wall time", "s"),
    "seconds_per_episode": ("time per episode", "s"),
    "env_seconds": ("environment time", "s"),
    "agent_seconds": ("agent time", "s"),
}


def quantity_rows(values: Mapping[str, Any]) -> list[dict]:
    """``{"ground_energy": -1.137...}`` → rows ``{"quantity": "exact ground energy E0 (Ha)",
    "value": "-1.13727017"}``: human labels with units, energies to 8 decimals (0.01 µHa)."""
    rows = []
    for key, value in values.items():
        label, unit = LABELS.get(key, (key.replace("_", " "), ""))
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float):
            small = unit == "Ha" and key.endswith("error")
            value = f"{value:.2e}" if small else f"{value:.8f}" if unit == "Ha" else f"{value:.4g}"
        rows.append({"quantity": f"{label} ({unit})" if unit else label, "value": value})
    return rows


def mitigation_table(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of :meth:`workbench.results.RunResult.mitigated` as every table shows them: the
    circuit, its CNOTs, and its error (Ha) raw, readout-inverted, extrapolated, both, and
    without noise."""
    kinds = ("raw", "readout", "zne", "zne+readout", "noiseless")
    return [
        {"circuit": row["circuit"], "CNOTs": row["n_cnots"]}
        | {f"{kind} error (Ha)": f"{row[kind + '_error']:.2e}" for kind in kinds}
        for row in rows
    ]


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A Markdown table of dicts (numbers in short scientific or fixed form)."""
    if not rows:
        return "_(none)_"
    columns = list(columns or rows[0])

    def cell(value):
        if isinstance(value, float):
            return f"{value:.3e}" if value and abs(value) < 1e-2 else f"{value:.8g}"
        return "–" if value is None else str(value).replace("|", "\\|")  # a pipe ends a cell

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def to_html(notebook_path: Path, html_path: Path, title: str | None = None) -> None:
    """Self-contained HTML titled ``title`` (default: the notebook's file name): figures are
    embedded PNGs; external scripts (MathJax, require.js, widget managers) are removed so the
    page reads offline."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_output_prompt=True)
    notebook = nbformat.read(str(notebook_path), as_version=4)
    resources = {"metadata": {"name": title or Path(notebook_path).stem}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    body = re.sub(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", "", body)
    # one left margin: no empty prompt column in front of outputs and text
    margin = "<style>.jp-InputPrompt,.jp-OutputPrompt{display:none!important}</style>"
    body = body.replace("</head>", margin + "</head>", 1)
    body = re.sub(r"<link[^>]*\bhref=[\"']https?://[^>]*>", "", body)
    atomic_write_text(html_path, body)


def markdown_to_html(markdown: str, html_path: Path, title: str) -> None:
    """A Markdown document as one self-contained HTML file: ``<img src="...png">`` paths
    (relative to ``html_path``'s folder) are embedded as base64 data, no scripts are added."""
    import mistune  # the notebooks extra (nbconvert uses it too)

    def embed(match: re.Match) -> str:
        data = base64.b64encode((html_path.parent / match.group(1)).read_bytes()).decode()
        return f'src="data:image/png;base64,{data}"'

    body = re.sub(r'src="([^":]+\.png)"', embed, mistune.html(markdown))
    style = (
        "body{font-family:sans-serif;max-width:80em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:85%}td,th{border:1px solid #ccc;"
        "padding:2px 6px}img{max-width:100%}"
    )
    atomic_write_text(
        html_path,
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{style}</style></head><body>{body}</body></html>",
    )
