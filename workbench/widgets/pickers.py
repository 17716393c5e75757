"""Widgets that pick a problem, a noise model and a search; each returns config pieces.

``ProblemPicker.changes()``, ``NoisePicker.changes()`` and ``SearchPicker.changes()`` return
dotted overrides for :meth:`workbench.config.RunConfig.with_overrides`; the panel combines them
on top of the chosen run preset. Invalid values surface as a ConfigError message in the panel.
"""

from __future__ import annotations

import dataclasses

import ipywidgets as w
import numpy as np

from workbench.chem import PRESETS, get_preset, get_problem
from workbench.config import (
    AGENT_KINDS,
    DEFAULT_RUN_PRESET,
    INITIAL_STATES,
    OPTIMIZERS,
    HaltingConfig,
    MoleculeSpec,
    budget_overrides,
    run_presets,
)
from workbench.devices import available_profiles, load_profile, resolve_noise
from workbench.errors import WorkbenchError
from workbench.noise import NoiseModel
from workbench.sim import energies
from workbench.widgets.probe import profile_numbers, reference_circuit

STYLE = {"description_width": "150px"}


def _field(cls, description: str, **kw):
    # a Layout of its own: hiding one field (layout.display) must not hide every field
    return cls(description=description, style=STYLE, layout=w.Layout(width="420px"), **kw)


class ProblemPicker:
    """A preset (with a bond-length slider for diatomics showing E0 and HF) or a custom
    molecule (symbols, geometry text, unit, charge, multiplicity, active space, mapping)."""

    def __init__(self, preset: str = "h2-2q") -> None:
        options = [*PRESETS, "custom"]
        self.preset = _field(w.Dropdown, "problem", options=options, value=preset)
        self.bond_length = _field(
            w.FloatSlider,
            "bond length [Å]",
            min=0.3,
            max=3.5,
            step=0.05,
            continuous_update=False,
        )
        self.facts = w.HTML()
        self.symbols = _field(w.Text, "symbols", value="H H")
        self.geometry = _field(w.Textarea, "geometry (x y z; ...)", value="0 0 0; 0 0 0.74")
        self.unit = _field(w.Dropdown, "unit", options=["angstrom", "bohr"])
        self.charge = _field(w.IntText, "charge", value=0)
        self.multiplicity = _field(w.BoundedIntText, "multiplicity", value=1, min=1, max=9)
        self.active_electrons = _field(w.IntText, "active electrons (0: all)", value=0)
        self.active_orbitals = _field(w.IntText, "active orbitals (0: all)", value=0)
        self.mapping = _field(
            w.Dropdown, "mapping", options=["jordan_wigner", "parity", "bravyi_kitaev"]
        )
        self.tapering = _field(
            w.Dropdown, "tapering", options=["none", "parity", "two_qubit", "z2"]
        )
        self.custom = w.VBox(
            [
                self.symbols,
                self.geometry,
                self.unit,
                self.charge,
                self.multiplicity,
                self.active_electrons,
                self.active_orbitals,
                self.mapping,
                self.tapering,
            ]
        )
        self.scan_button = w.Button(description="Dissociation curve", icon="line-chart")
        self.scan_button.on_click(lambda _: self.scan())
        self.scan_image = w.Image(format="png", layout=w.Layout(display="none", width="460px"))
        self.best_found: tuple[float, float] | None = None  # (bond length, energy) of a run
        controls = [self.preset, self.bond_length, self.scan_button, self.custom, self.facts]
        self.widget = w.HBox([w.VBox(controls), self.scan_image])
        self.preset.observe(self._on_preset, "value")
        self.bond_length.observe(lambda _: self._on_bond_length(), "value")
        self._on_preset()

    def _on_bond_length(self) -> None:
        self.best_found = None  # found at another geometry
        if self.scan_image.layout.display is None:
            self.scan()
        else:
            self.refresh()

    def _on_preset(self, _=None) -> None:
        custom = self.preset.value == "custom"
        self.custom.layout.display = None if custom else "none"
        diatomic = not custom and get_preset(self.preset.value).is_diatomic
        self.bond_length.layout.display = None if diatomic else "none"
        self.scan_button.layout.display = None if diatomic else "none"
        self.scan_image.layout.display = "none"
        self.best_found = None
        if diatomic:
            with self.bond_length.hold_trait_notifications():
                self.bond_length.value = get_preset(self.preset.value).bond_length
        self.refresh()

    def scan(self, points: int = 9) -> None:
        """E0 and Hartree–Fock of the preset over bond lengths around its own, beside the
        slider, with the slider's geometry and the best energy a run found marked."""
        from workbench.plots import dissociation_curve, to_png

        preset = get_preset(self.preset.value)
        if not preset.is_diatomic:
            return
        self.facts.value = "<i>scanning the bond length …</i>"
        lengths = np.linspace(max(0.3, 0.5 * preset.bond_length), 2.5 * preset.bond_length, points)
        scan = [get_problem(self.preset.value, float(r)) for r in lengths]
        here = self.problem()
        markers = {"slider": (float(self.bond_length.value), here.ground_energy)}
        if self.best_found is not None:
            markers["best found"] = self.best_found
        curves = {
            "exact E0": [p.ground_energy for p in scan],
            "Hartree–Fock": [p.hartree_fock_energy for p in scan],
        }
        figure = dissociation_curve(lengths, curves, markers, f"{self.preset.value}")
        self.scan_image.value = to_png(figure)
        self.scan_image.layout.display = None
        self.refresh()

    def mark_best(self, bond_length: float, energy: float) -> None:
        """Mark the best energy a run found (redrawn if the curve is shown)."""
        self.best_found = (bond_length, energy)
        if self.scan_image.layout.display is None:
            self.scan()

    def molecule(self) -> MoleculeSpec:
        try:
            geometry = [
                [float(x) for x in atom.replace(",", " ").split()]
                for atom in self.geometry.value.strip().split(";")
            ]
        except ValueError:
            raise WorkbenchError(
                f"geometry {self.geometry.value!r}: expected 'x y z; x y z'"
            ) from None
        counts = {
            "active_electrons": self.active_electrons.value or None,
            "active_orbitals": self.active_orbitals.value or None,
        }
        return MoleculeSpec(
            tuple(self.symbols.value.split()),
            geometry,
            unit=self.unit.value,
            charge=self.charge.value,
            multiplicity=self.multiplicity.value,
            mapping=self.mapping.value,
            tapering=self.tapering.value,
            **counts,
        )

    def _bond_length(self) -> float | None:
        preset = get_preset(self.preset.value)
        if not preset.is_diatomic or np.isclose(self.bond_length.value, preset.bond_length):
            return None
        return round(float(self.bond_length.value), 4)

    def changes(self) -> dict:
        if self.preset.value == "custom":
            return {"problem.preset": None, "problem.molecule": self.molecule().to_dict()}
        return {"problem.preset": self.preset.value, "problem.bond_length": self._bond_length()}

    def problem(self):
        if self.preset.value == "custom":
            return get_problem(self.molecule())
        return get_problem(self.preset.value, self._bond_length())

    def refresh(self) -> None:
        self.facts.value = "<i>computing the Hamiltonian …</i>"  # a custom molecule takes seconds
        try:
            p = self.problem()
        except WorkbenchError as error:
            self.facts.value = f"<span style='color:#b00'>{error}</span>"
            return
        self.facts.value = (
            f"<b>{p.id}</b>: {p.n_qubits} qubits, {len(p.hamiltonian.words)} terms · "
            f"E0 = {p.ground_energy:.6f} Ha · HF = {p.hartree_fock_energy:.6f} Ha · "
            f"lower bound {p.lower_bound:.4f} Ha"
        )
        if p.hartree_fock_is_scf_minimum is False:
            self.facts.value += (
                "<br><span style='color:#b00'>HF here is not the SCF minimum (PennyLane's SCF "
                "broke the aufbau rule at this geometry and re-minimising did not repair it); "
                "E0 is exact</span>"
            )


class NoisePicker:
    """None, depolarizing, thermal relaxation, or a device profile with a scale; readout error
    and shots on top. Shows at once what the noise does to a fixed probe circuit's energy."""

    KINDS = ("none", "depolarizing", "thermal relaxation", "device profile")
    START = NoiseModel(depolarizing_1q=1e-3, depolarizing_2q=1e-2, t1=124.0, t2=170.0)
    """Where the custom fields start: the shipped ``depolarizing-1e-3-1e-2`` pair and Mumbai's
    median T1/T2 (rounded); gate times are the model's defaults."""

    def __init__(self) -> None:
        self.kind = _field(w.Dropdown, "noise", options=self.KINDS)
        log = dict(base=10, min=-5, max=-1, step=0.25, readout_format=".1e")
        start = self.START
        self.p1 = _field(
            w.FloatLogSlider, "depolarizing p (1q)", value=start.depolarizing_1q, **log
        )
        self.p2 = _field(
            w.FloatLogSlider, "depolarizing p (2q)", value=start.depolarizing_2q, **log
        )
        self.t1 = _field(w.FloatText, "T1 [µs]", value=start.t1)
        self.t2 = _field(w.FloatText, "T2 [µs]", value=start.t2)
        self.gate_1q = _field(w.FloatText, "1q gate time [ns]", value=start.gate_time_1q)
        self.gate_2q = _field(w.FloatText, "2q gate time [ns]", value=start.gate_time_2q)
        self.profile = _field(w.Dropdown, "device profile", options=available_profiles())
        self.scale = _field(
            w.FloatLogSlider, "scale", value=1.0, base=10, min=-1, max=1.3, step=0.05
        )
        self.readout = _field(
            w.FloatSlider,
            "readout flip p",
            value=0.0,
            min=0,
            max=0.2,
            step=0.005,
            readout_format=".3f",
        )
        self.shots = _field(w.IntText, "shots (0: exact)", value=0)
        self.numbers = w.HTML()
        self.effect = w.HTML()
        self.groups = {
            "depolarizing": w.VBox([self.p1, self.p2]),
            "thermal relaxation": w.VBox([self.t1, self.t2, self.gate_1q, self.gate_2q]),
            "device profile": w.VBox([self.profile, self.scale, self.numbers]),
        }
        self.widget = w.VBox(
            [self.kind, *self.groups.values(), self.readout, self.shots, self.effect]
        )
        self.problem = None
        for item in (
            self.kind,
            self.p1,
            self.p2,
            self.t1,
            self.t2,
            self.gate_1q,
            self.gate_2q,
            self.profile,
            self.scale,
            self.readout,
            self.shots,
        ):
            item.observe(lambda _: self.refresh(), "value")
        self._show_group()

    def _show_group(self) -> None:
        for kind, group in self.groups.items():
            group.layout.display = None if kind == self.kind.value else "none"

    def changes(self) -> dict:
        kind = self.kind.value
        overrides: dict = {}
        if kind == "depolarizing":
            overrides = {"depolarizing_1q": self.p1.value, "depolarizing_2q": self.p2.value}
        elif kind == "thermal relaxation":
            overrides = {
                "t1": self.t1.value,
                "t2": self.t2.value,
                "gate_time_1q": self.gate_1q.value,
                "gate_time_2q": self.gate_2q.value,
            }
        if self.readout.value:
            overrides |= {"readout_p01": self.readout.value, "readout_p10": self.readout.value}
        return {
            "noise.profile": self.profile.value if kind == "device profile" else None,
            "noise.scale": self.scale.value if kind == "device profile" else 1.0,
            "noise.overrides": overrides,
            "noise.shots": self.shots.value or None,
        }

    def refresh(self) -> None:
        self._show_group()
        if self.kind.value == "device profile":  # the profile's own numbers, whatever problem
            self.numbers.value = profile_numbers(load_profile(self.profile.value, self.scale.value))
        if self.problem is None:
            return
        from workbench.config import NoiseConfig

        c = self.changes()
        self.effect.value = "<i>computing the probe's energies …</i>"
        try:
            config = NoiseConfig(c["noise.profile"], c["noise.scale"], c["noise.overrides"])
            model = resolve_noise(config, self.problem.n_qubits)
            circuit, params = reference_circuit(self.problem.n_qubits)
            clean = energies(circuit, params, self.problem)[0]
            noisy = energies(circuit, params, self.problem, model)[0]
        except WorkbenchError as error:
            self.effect.value = f"<span style='color:#b00'>{error}</span>"
            return
        self.effect.value = (
            f"probe circuit (RY(0.3) on every qubit, CNOT ladder): noiseless {clean:.6f} Ha, "
            f"with this noise {noisy:.6f} Ha (<b>shift {noisy - clean:+.2e} Ha</b>)"
        )


class SearchPicker:
    """Run preset, agent kind, episodes, initial state, ZY-rotation actions, optimiser and
    budget, curriculum, random halting, masks, seed."""

    def __init__(self, preset: str = DEFAULT_RUN_PRESET) -> None:
        # curve presets train over bond lengths the molecule picker does not offer: CLI/notebook
        self.presets = {
            name: c for name, c in run_presets().items() if c.problem.bond_lengths is None
        }
        self.preset = _field(w.Dropdown, "run preset", options=list(self.presets), value=preset)
        self.agent = _field(w.Dropdown, "agent", options=list(AGENT_KINDS))
        self.episodes = _field(w.BoundedIntText, "episodes", min=1, max=10**6)
        self.max_gates = _field(w.BoundedIntText, "maximum gates (L)", min=1, max=1000)
        self.initial_state = _field(w.Dropdown, "initial state", options=list(INITIAL_STATES))
        self.zy_rotations = _field(w.Checkbox, "ZY-rotation actions")
        self.optimizer = _field(
            w.Dropdown,
            "optimiser",
            options=list(OPTIMIZERS),
        )
        self.budget = _field(w.BoundedIntText, "optimiser budget", min=1, max=10**6)
        self.curriculum = _field(w.Dropdown, "curriculum", options=["moving_threshold", "fixed"])
        self.halting = _field(w.Checkbox, "random halting")
        self.masks = _field(w.Checkbox, "illegal-action masks")
        self.seed = _field(w.BoundedIntText, "seed", min=0, max=2**31 - 1)
        self.hint = w.HTML()
        self.widget = w.VBox(
            [
                self.preset,
                self.agent,
                self.episodes,
                self.max_gates,
                self.initial_state,
                self.hint,
                self.zy_rotations,
                self.optimizer,
                self.budget,
                self.curriculum,
                self.halting,
                self.masks,
                self.seed,
            ]
        )
        self.preset.observe(lambda _: self.load_preset(), "value")
        for item in (self.initial_state, self.optimizer):
            item.observe(lambda _: self._hint(), "value")
        self.load_preset()

    def _hint(self) -> None:
        """The MPS start's angles are optimised with the agent's (EnvConfig): which optimiser."""
        mps = self.initial_state.value == "mps" and self.optimizer.value != "lbfgs"
        advice = (
            "<i>The MPS start brings ~14 angles per neighbouring pair, optimised with the agent's:"
            " choose lbfgs (COBYLA's first steps move every angle by 1 rad).</i>"
        )
        self.hint.value = advice if mps else ""

    def load_preset(self) -> None:
        config = self.presets[self.preset.value]
        o = config.optimizer
        self.agent.value = config.agent.kind
        self.episodes.value = config.episodes
        self.max_gates.value = config.env.max_steps
        self.initial_state.value = config.env.initial_state
        self.zy_rotations.value = config.env.zy_rotations
        self.optimizer.value = o.method
        self.budget.value = o.budget
        self.curriculum.value = config.curriculum.kind
        self.halting.value = config.env.random_halting is not None
        self.masks.value = config.env.mask_illegal
        self.seed.value = config.seed

    def changes(self) -> dict:
        base = self.presets[self.preset.value]
        optimizer = budget_overrides(self.optimizer.value, self.budget.value)
        # the preset's halting, or the config's default when the box turns it on
        halting = dataclasses.asdict(base.env.random_halting or HaltingConfig())
        return {
            "agent.kind": self.agent.value,
            "episodes": self.episodes.value,
            "env.max_steps": self.max_gates.value,
            "env.initial_state": self.initial_state.value,
            "env.zy_rotations": self.zy_rotations.value,
            **optimizer,
            "curriculum.kind": self.curriculum.value,
            "env.random_halting": halting if self.halting.value else None,
            "env.mask_illegal": self.masks.value,
            "seed": self.seed.value,
        }
