"""What the noise picker shows beside its controls: a device profile's own numbers and the
fixed probe circuit whose energy shows at once what a noise setting does."""

from __future__ import annotations

import numpy as np

from workbench.sim import Circuit


def reference_circuit(n_qubits: int) -> tuple[Circuit, np.ndarray]:
    """A fixed probe: RY(0.3) on every wire, then a CNOT ladder (n−1 CNOTs)."""
    gates = [("RY", q) for q in range(n_qubits)]
    gates += [("CNOT", q, q + 1) for q in range(n_qubits - 1)]
    return Circuit.from_gates(n_qubits, gates), np.full(n_qubits, 0.3)


def profile_numbers(model) -> str:
    """A device profile's own numbers (after scaling) as a small HTML table; per-qubit values
    are shown as their mean and range."""
    d = model.to_dict()
    pairs = d.get("depolarizing_2q_pairs") or []
    rows = [
        ("T1 / T2 (µs)", f"{_num(d['t1'], '.1f')} / {_num(d['t2'], '.1f')}"),
        ("gate times 1q / 2q (ns)", f"{_num(d['gate_time_1q'], '.1f')} / "
                                    f"{_num(d['gate_time_2q'], '.1f')}"),
        ("depolarizing p 1q / 2q", f"{_num(d['depolarizing_1q'], '.2e')} / "
         + (f"per pair: {_num([x[-1] for x in pairs], '.2e')}" if pairs
            else _num(d["depolarizing_2q"], ".2e"))),
        ("readout P(1|0) / P(0|1)", f"{_num(d['readout_p01'], '.3f')} / "
                                    f"{_num(d['readout_p10'], '.3f')}"),
        ("coupling map", "all pairs" if not d.get("coupling_map") else str(d["coupling_map"])),
    ]  # fmt: skip
    cells = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table style='font-size:90%'>{cells}</table>"


def _num(value, fmt: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, list | tuple):
        if not value:
            return "–"
        values = [float(v) for v in value]
        mean, low, high = np.mean(values), min(values), max(values)
        return f"{mean:{fmt}} (mean; {low:{fmt}}–{high:{fmt}})" if low != high else f"{low:{fmt}}"
    return format(float(value), fmt)
