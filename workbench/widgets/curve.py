"""A bond-length slider that asks a trained curve run's policy for a circuit (no training).

Each move of the slider (on release) calls :meth:`workbench.propose.CurvePolicy.propose` — a
greedy rollout with every angle re-optimised, the lowest-energy prefix kept — and shows its error
against the exact E0 and Hartree–Fock there, its size, and the circuit. The policy and its
checkpoint are loaded once; a bond length whose problem is not built yet is built and cached the
first time (seconds), later ones take the rollout's time (about 0.06 s for LiH-4q).
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w

from workbench.errors import WorkbenchError
from workbench.plots import draw_circuit
from workbench.propose import CurvePolicy, Proposal
from workbench.widgets.display import show_image


class CurveExplorer:
    """``CurveExplorer(run_folder).show()``: the slider spans the run's training bond lengths
    (the policy's range; beyond it, ``workbench propose`` still answers)."""

    def __init__(self, folder: str | Path, step: float = 0.05) -> None:
        self.policy = CurvePolicy(folder)
        low, high = self.policy.bond_lengths[0], self.policy.bond_lengths[-1]
        self.slider = w.FloatSlider(
            value=self.policy.bond_lengths[len(self.policy.bond_lengths) // 2],
            min=low, max=high, step=step, description="R (Å)", continuous_update=False,
            readout_format=".2f", layout=w.Layout(width="420px"),
        )  # fmt: skip
        self.status = w.HTML()
        self.picture = w.Image(format="png", layout=w.Layout(display="none"))
        self.widget = w.VBox([self.slider, self.status, self.picture])
        self.slider.observe(lambda change: self.propose(change["new"]), "value")
        self.last: Proposal | None = None

    def propose(self, bond_length: float) -> Proposal | None:
        """Ask the policy at ``bond_length`` and show the answer (or the error, in words)."""
        self.status.value = f"asking the policy at R = {bond_length:.2f} Å …"
        try:
            proposal = self.policy.propose(round(float(bond_length), 6))
        except WorkbenchError as error:
            self.status.value = f"<b>cannot propose:</b> {html.escape(str(error))}"
            return None
        c = proposal.circuit
        verdict = "within" if proposal.within_chemical_accuracy else "outside"
        self.status.value = (
            f"R = {proposal.bond_length:.2f} Å: error <b>{c.error * 1e3:.3f} mHa</b> ({verdict} "
            f"chemical accuracy; Hartree–Fock "
            f"{(proposal.hartree_fock_energy - proposal.ground_energy) * 1e3:.2f} mHa), "
            f"{c.n_gates} gates, {c.n_cnots} CNOTs — {proposal.seconds:.1f} s"
        )
        title = f"proposed at R = {proposal.bond_length:.2f} Å"
        show_image(self.picture, draw_circuit(c.gates, self.policy.n_qubits, c.params, title))
        self.last = proposal
        return proposal

    def show(self):
        from IPython.display import display

        display(self.widget)
        self.propose(self.slider.value)
