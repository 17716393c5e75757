r"""The one objective every baseline optimises: the problem's energy under the noise model, with
shot noise when ``shots`` is set, counted in energy evaluations as a device would spend them.

Counting rule (the same as :attr:`workbench.env.vqe.CircuitGrowthEnv.evaluations`): one per
parameter set evaluated; an energy with its gradient counts :math:`1 + 2P` (the parameter-shift
rule over the :math:`P` gate angles that depend on the parameters), even where the simulator
computes it by the adjoint method.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from workbench.baselines.ansatz import Ansatz
from workbench.noise import NoiseModel
from workbench.optim import build_optimizer
from workbench.results import CircuitRecord
from workbench.sim import adjoint, energies, energy_and_gradient
from workbench.sim.engine import parameter_shift_batch, parameter_shift_gradient
from workbench.sim.objective import (
    NO_MITIGATION,
    Mitigation,
    compiled_search_energy,
    search_energies,
)


class Objective:
    """Energies of ansätze on ``problem`` under ``noise`` (``None``: noiseless), ``shots`` per
    measurement group (``None``: exact expectations), mitigated as the agent's search (a
    :class:`~workbench.sim.Mitigation`: readout inversion, zero-noise extrapolation); counts
    :attr:`evaluations` (circuits: one per fold factor under extrapolation)."""

    def __init__(self, problem, noise: NoiseModel | None, shots: int | None, rng,
                 mitigation: Mitigation | None = None) -> None:  # fmt: skip
        self.problem, self.noise, self.shots, self.rng = problem, noise, shots, rng
        self.mitigation = mitigation if noise is not None else None
        self.circuits = (self.mitigation or NO_MITIGATION).circuits
        # exact expectations the search sees (readout inversion is exact without shots)
        self.exact_noise = (self.mitigation or NO_MITIGATION).exact_noise(noise)
        self.evaluations = 0

    def _energies(self, circuit, angles, shots) -> np.ndarray:
        return search_energies(circuit, angles, self.problem, self.noise, shots, self.rng,
                               self.mitigation)  # fmt: skip

    def __call__(self, ansatz: Ansatz, params, shots=None) -> np.ndarray:
        angles = ansatz.angles(params)
        self.evaluations += len(angles) * self.circuits
        return self._energies(ansatz.circuit, angles, self.shots if shots is None else shots)

    def exact(self, ansatz: Ansatz, params, noisy: bool = True) -> float:
        """The exact expectation the search estimates (no shots; without any noise when
        ``noisy=False``): a diagnostic, not counted."""
        if not noisy:
            return float(energies(ansatz.circuit, ansatz.angles(params), self.problem)[0])
        return float(self._energies(ansatz.circuit, ansatz.angles(params), None)[0])

    @property
    def _noiseless(self) -> bool:
        return self.exact_noise is None or self.exact_noise.is_noiseless

    @property
    def _extrapolated(self) -> bool:
        return self.mitigation is not None and bool(self.mitigation.zne_scales)

    def value_and_gradient(self, ansatz: Ansatz, params) -> tuple[float, np.ndarray]:
        """Exact energy and gradient with respect to the parameters (:math:`W^T\\nabla_\\phi`)."""
        x = np.asarray(params, dtype=float)
        active = np.flatnonzero(np.any(ansatz.weights != 0, axis=1))
        self.evaluations += (1 + 2 * active.size) * self.circuits
        angles = ansatz.angles(x)[0]
        if self._extrapolated or (self._noiseless and adjoint.supported(ansatz.circuit)):
            compiled = compiled_search_energy(ansatz.circuit, self.problem, self.noise,
                                              self.mitigation)  # fmt: skip
            value, gradient = compiled.value_and_gradient(angles)
            return value, ansatz.weights.T @ gradient
        value, partial = self._parameter_shift(ansatz, angles, active)
        gradient = np.zeros(angles.size)
        gradient[active] = partial
        return value, ansatz.weights.T @ gradient

    def _parameter_shift(self, ansatz: Ansatz, angles, active, shots=None):
        r"""The energy and its derivatives in the ``active`` gate angles under the noise (every
        angle enters as :math:`R_0 + \cos\phi R_1 + \sin\phi R_2`), one batched call; exact,
        or estimated from ``shots`` per group."""
        batch = parameter_shift_batch(angles, active)
        return parameter_shift_gradient(self._energies(ansatz.circuit, batch, shots))

    def derivative(self, ansatz: Ansatz, params, index: int) -> float:
        r""":math:`\partial E/\partial\theta_{index}` alone (ADAPT-VQE's selection), counted as
        the :math:`2m` shifted circuits of the :math:`m` angles that depend on it; from shots
        when the objective has them."""
        column = ansatz.weights[:, index]
        active = np.flatnonzero(column)
        self.evaluations += 2 * active.size * self.circuits
        angles = ansatz.angles(params)[0]
        if not self.shots and self._noiseless and adjoint.supported(ansatz.circuit):
            _, gradient = energy_and_gradient(
                ansatz.circuit, angles, self.problem, self.exact_noise
            )
            return float(column @ gradient)
        return float(column[active] @ self._parameter_shift(ansatz, angles, active, self.shots)[1])

    def minimize(self, ansatz: Ansatz, x0, optimizer_config, rng) -> np.ndarray:
        """Optimise the parameters of ``ansatz`` from ``x0`` with the configured optimiser."""
        optimizer = build_optimizer(optimizer_config, self.shots)

        def objective(params, shots=None):
            return self(ansatz, params, shots)

        if not np.size(x0):
            return np.zeros(0)
        extra = {}
        if getattr(optimizer, "uses_gradient", False):
            extra["value_and_gradient"] = lambda x: self.value_and_gradient(ansatz, x)
        return np.asarray(optimizer.minimize(objective, np.asarray(x0, float), rng, **extra).x)


COLUMNS = (
    ("method", "method", ""),
    ("variant", "variant", ""),
    ("error (Ha)", "error", ".2e"),
    ("noiseless error (Ha)", "noiseless_error", ".2e"),
    ("gates", "n_gates", "d"),
    ("CNOTs", "n_cnots", "d"),
    ("depth", "depth", "d"),
    ("parameters", "n_params", "d"),
    ("evaluations", "evaluations", "d"),
    ("seconds", "seconds", ".1f"),
)
"""How tables show a :class:`BaselineResult`: (heading, field, format)."""


@dataclass(frozen=True)
class BaselineResult:
    """One method's outcome: its circuit as a :class:`~workbench.results.CircuitRecord` (gates,
    wire 0 first, and gate angles ``params`` in rad; ``energy`` the exact expectation under the
    noise at the final angles — shots, when set, only shape the search — ``noiseless_energy``
    without noise, errors against the exact :math:`E_0` in Ha, size, OpenQASM 2), read through
    as ``row.error``, ``row.n_cnots`` …; ``n_params`` here counts the *free* parameters (one per
    excitation for UCCSD, where the circuit has many tied angles). ``evaluations`` counts energy
    evaluations (see :class:`Objective`; ``None`` for a run that did not record them) and
    ``seconds`` the wall time."""

    method: str
    variant: str
    circuit: CircuitRecord
    n_params: int
    evaluations: int | None
    seconds: float | None

    def __getattr__(self, name: str):
        if name == "circuit":  # not set yet (copying): no recursion
            raise AttributeError(name)
        return getattr(self.circuit, name)

    def to_dict(self) -> dict:
        """The JSON form: the circuit record's fields, method, variant, free parameters,
        evaluations and seconds."""
        return {"method": self.method, "variant": self.variant, **self.circuit.to_dict(),
                "n_params": self.n_params, "evaluations": self.evaluations,
                "seconds": self.seconds}  # fmt: skip

    def table_row(self) -> dict[str, str]:
        """The row as tables show it (:data:`COLUMNS`; ``–`` for an unknown value)."""
        return {
            heading: "–" if getattr(self, key) is None else format(getattr(self, key), spec)
            for heading, key, spec in COLUMNS
        }


def result(method: str, variant: str, ansatz: Ansatz, params, objective: Objective,
           started: float, evaluations: int) -> BaselineResult:  # fmt: skip
    """The record of ``ansatz`` at ``params`` (``started``: ``time.perf_counter()`` at the start,
    ``evaluations``: the objective's count then)."""
    angles = ansatz.angles(params)[0]
    energy = objective.exact(ansatz, params)
    clean = objective.exact(ansatz, params, noisy=False)
    record = ansatz.circuit.record(angles, energy, clean, objective.problem.ground_energy)
    return BaselineResult(
        method=method,
        variant=variant,
        circuit=CircuitRecord.from_dict(record),
        n_params=ansatz.n_params,
        evaluations=objective.evaluations - evaluations,
        seconds=time.perf_counter() - started,
    )
