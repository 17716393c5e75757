r"""Gate pruning: drop gates from a found circuit while its re-optimised energy stays put.

First the exact identities: two identical CNOTs with no gate between them on their wires
cancel, and two rotations about the same axis on the same wire with nothing between them merge
(:math:`R_P(a)R_P(b) = R_P(a+b)`). Then greedy backward elimination. The reference is the
input circuit's energy after re-optimising its angles (L-BFGS-B on exact gradients, warm
start), :math:`E_{\text{ref}}`. Each pass tries every removable gate once, CNOTs first (they
dominate the noise), last gate first; a trial removes the gate (and its angle), re-optimises
the remaining angles from their current values and is kept when
:math:`E \le E_{\text{ref}} + \text{tolerance}`. Passes repeat until one removes nothing.
The criterion never uses the exact ground energy, so it applies to any molecule; with a noise
model the energies (and the parameter-shift gradients) are the noisy ones, mitigated as the
search saw them (:class:`workbench.sim.Mitigation`: readout inversion, zero-noise
extrapolation).

The first ``keep`` operations (a state preparation such as the Hartree–Fock X gates) are never
removed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.optim import LBFGS
from workbench.sim import (
    Circuit,
    Mitigation,
    compiled_search_energy,
    evaluated_record,
    search_energies,
)


@dataclass(frozen=True)
class PrunedCircuit:
    """The pruned circuit, its optimised angles and energy (Ha), the reference energy (Ha), and
    the gates dropped by elimination (after the exact cancellations)."""

    circuit: Circuit
    params: np.ndarray
    energy: float
    reference_energy: float
    removed: tuple[tuple, ...]

    def record(self, problem, noise: NoiseModel | None, episode: int,
               mitigation: Mitigation | None = None) -> dict:  # fmt: skip
        """A ``best.json``-style circuit record (:func:`workbench.sim.evaluated_record` under
        ``noise`` and ``mitigation``, what it was pruned under); errors against the exact E0."""
        record = evaluated_record(self.circuit, self.params, problem, noise, mitigation)
        return {"episode": episode, **record}


def optimise_angles(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None = None,
    max_iterations=1000,
    mitigation: Mitigation | None = None,
) -> tuple[np.ndarray, float]:
    """L-BFGS-B (:class:`workbench.optim.LBFGS`, gradient tolerance 1e-8 Ha/rad) on exact
    energies and gradients (as the search sees them) from ``params``; (angles, energy)."""
    compiled = compiled_search_energy(circuit, hamiltonian, noise, mitigation)
    result = LBFGS(max_iterations, gtol=1e-8).minimize(
        lambda p: search_energies(circuit, p, hamiltonian, noise, None, None, mitigation),
        params,
        None,
        compiled.value_and_gradient,
    )
    return result.x, result.fun


def _without(circuit: Circuit, params: np.ndarray, index: int) -> tuple[Circuit, np.ndarray]:
    parameter = circuit.parameter_indices()[index]
    operations = circuit.operations[:index] + circuit.operations[index + 1 :]
    kept = params if parameter < 0 else np.delete(params, parameter)
    return Circuit(circuit.n_qubits, operations), kept


def cancel_adjacent(circuit: Circuit, params, keep: int = 0) -> tuple[Circuit, np.ndarray]:
    """Apply the exact identities (CNOT·CNOT = 1, R_P(a)·R_P(b) = R_P(a+b)) until none applies,
    never touching the first ``keep`` operations; the circuit's unitary is unchanged."""
    gates = [(op.gate, op.wires) for op in circuit.operations]
    angles = [float(params[p]) if p >= 0 else None for p in circuit.parameter_indices()]
    changed = True
    while changed:
        changed, last = False, {}
        for i, (gate, wires) in enumerate(gates):
            previous = {last.get(w) for w in wires}
            j = previous.pop() if len(previous) == 1 else None
            same = j is not None and j >= keep and gates[j] == (gate, wires)
            if same and gate in ("CNOT", "RX", "RY", "RZ"):
                if gate == "CNOT":
                    del gates[i], gates[j], angles[i], angles[j]
                else:
                    angles[j] += angles[i]
                    del gates[i], angles[i]
                changed = True
                break
            last.update({w: i for w in wires})
    kept = Circuit.from_gates(circuit.n_qubits, [(g, *w) for g, w in gates])
    return kept, np.array([a for a in angles if a is not None])


def prune_circuit(
    circuit: Circuit,
    params,
    hamiltonian,
    noise: NoiseModel | None = None,
    tolerance: float = 1e-4,
    keep: int = 0,
    mitigation: Mitigation | None = None,
) -> PrunedCircuit:
    """Remove every gate whose removal keeps the re-optimised energy within ``tolerance`` (Ha)
    of the input circuit's re-optimised energy (see the module docstring)."""
    if not tolerance >= 0:
        raise ConfigError(f"tolerance={tolerance!r}: expected a non-negative energy in Ha")
    circuit, params = cancel_adjacent(circuit, circuit.check_parameters(params)[0], keep)
    params, reference = optimise_angles(circuit, params, hamiltonian, noise, 1000, mitigation)
    energy, removed = reference, []
    ids = list(range(circuit.n_gates))  # identities of the current operations
    changed = True
    while changed:
        changed = False
        order = sorted(
            ids[keep:], key=lambda i: (circuit.operations[ids.index(i)].gate != "CNOT", -i)
        )
        for identity in order:
            index = ids.index(identity)
            trial, trial_params = _without(circuit, params, index)
            trial_params, trial_energy = optimise_angles(
                trial, trial_params, hamiltonian, noise, 1000, mitigation
            )
            if trial_energy <= reference + tolerance:
                op = circuit.operations[index]
                removed.append((op.gate, *op.wires))
                circuit, params, energy, changed = trial, trial_params, trial_energy, True
                del ids[index]
    return PrunedCircuit(circuit, params, energy, reference, tuple(removed))
