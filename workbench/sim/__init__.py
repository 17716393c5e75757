"""Noisy circuit simulation in the Pauli-transfer-matrix picture, with a state-vector fast path.

Example:
    >>> from workbench.sim import Circuit, energy
    >>> from workbench.chem import get_problem
    >>> circuit = Circuit.from_gates(2, [("RY", 0), ("CNOT", 0, 1)])
    >>> round(energy(circuit, [0.2], get_problem("h2-2q")), 4)  # doctest: +SKIP
"""

from __future__ import annotations

from workbench.sim.circuit import GATES, Circuit, GateType, Operation
from workbench.sim.engine import (
    CompiledEnergy,
    energies,
    energy,
    energy_and_gradient,
)
from workbench.sim.measurement import (
    measurement_groups,
    readout_energy_floor,
    readout_observable,
)
from workbench.sim.objective import (
    Mitigation,
    SampledEnergy,
    compiled_search_energy,
    evaluated_record,
    search_energies,
)
from workbench.sim.program import compile_program

__all__ = [
    "GATES",
    "Circuit",
    "CompiledEnergy",
    "GateType",
    "Mitigation",
    "Operation",
    "SampledEnergy",
    "compile_program",
    "compiled_search_energy",
    "energies",
    "energy",
    "energy_and_gradient",
    "evaluated_record",
    "measurement_groups",
    "readout_energy_floor",
    "readout_observable",
    "search_energies",
]
