r"""The circuit-growing VQE environment (gymnasium API), spec §1–4.

An episode starts from the empty circuit on :math:`|0\dots0\rangle` (the paper), on the
Hartree–Fock basis state prepared by fixed X gates (``initial_state="hartree_fock"``, a
departure), or on a bond-dimension-2 matrix-product-state approximation of the ground state
(``initial_state="mps"``, :mod:`workbench.sim.mps`: a staircase of compiled two-qubit blocks
whose angles start at the MPS's and are optimised with the agent's). The preparation is part of
every reported gate list. Each action appends a gate (or, with ``zy_rotations``, the three gates
of a ZY rotation, :mod:`workbench.env.encoding`) at its ASAP moment; all angles are then
re-optimised (warm start; a new rotation angle at 0, optionally after one Rotosolve step on it; a
new ZY angle at ``zy_start_angle``; skipped without angles) and the energy :math:`E_t` is
measured (with shot noise when ``shots`` is set). The error is :math:`|E_{\min}-E_t|` against
the exact :math:`E_0` or the lower bound. The episode terminates on success (error below the
curriculum's threshold) and is truncated at the step cap ``max_steps`` or at the random-halting
budget.

Observation: the flattened gate rows of the 3D encoding plus the current energy (Ha, raw, as the
paper, or relative to the start and target energies). ``info["action_mask"]`` (and
``action_masks()``, as sb3-contrib asks) is True for legal actions; an illegal action is an error.
The environment reads the curriculum's threshold but never advances it: whoever drives the
episodes feeds it (:func:`workbench.env.curriculum.feed` — the workbench's trainer, or
:class:`workbench.env.wrappers.CurriculumFeedback` around a library), on training episodes only
(``training=False`` for greedy test episodes), so that copies of the environment can share one
curriculum.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium
import numpy as np

from workbench.config.sections import INITIAL_STATES, OBSERVED_ENERGIES, TARGETS
from workbench.env.curriculum import FixedSchedule
from workbench.env.encoding import ActionTable, CircuitLayout
from workbench.env.halting import RandomHalting
from workbench.env.rewards import get_reward
from workbench.errors import ConfigError
from workbench.noise import NoiseModel
from workbench.optim import COBYLA, rotosolve_angle
from workbench.sim import (
    Circuit,
    Mitigation,
    SampledEnergy,
    compiled_search_energy,
    energies,
    search_energies,
)
from workbench.sim.objective import NO_MITIGATION, shots_per_energy


class CircuitGrowthEnv(gymnasium.Env):
    """Grow a variational circuit gate by gate to reach a molecule's ground energy.

    Args:
        problem: a :class:`workbench.chem.Problem`.
        noise: noise model (``None``: noiseless); its coupling map restricts the actions.
        max_steps: L, the step cap (and the number of moments encoded).
        optimizer: object with ``minimize(objective, x0, rng)``; default COBYLA(100).
        curriculum: a MovingThreshold or FixedSchedule; default: fixed chemical accuracy.
        target: ``"lower_bound"`` or ``"exact"`` — what the error is measured from.
        reward: ``"incremental_with_fixed_ends"`` or ``"log_to_threshold"``.
        random_halting: a :class:`RandomHalting` or ``None``.
        mask_illegal: reject masked actions (and report the mask).
        rotosolve_new_angle: one exact Rotosolve step on a new angle before the optimiser.
        shots: shots per measurement group for the energies (``None``: exact).
        mitigation: a :class:`workbench.sim.Mitigation` — the search sees readout-mitigated
            and/or zero-noise-extrapolated energies (:func:`workbench.sim.search_energies`);
            ``None``: the raw noisy energies.
        initial_state: ``"zero"`` (:math:`|0\\dots0\\rangle`), ``"hartree_fock"`` or ``"mps"``.
        optimize_preparation: the angle optimiser also moves the preparation's angles (the MPS
            start's); ``False`` keeps them at the MPS's.
        observation_energy: ``"raw"`` (Ha, the paper) or ``"relative"`` (see
            :meth:`_observed_energy`).
        seed: seeds the environment's generator (halting, shots, SPSA directions).
        zy_rotations: the actions include a ZY rotation :math:`e^{-i\\theta Z_c Y_t/2}` on every
            CNOT pair (:class:`~workbench.env.encoding.ActionTable`).
        zy_start_angle: a new ZY rotation's angle before the optimiser runs (rad). Not 0 and
            not Rotosolve's: at a stationary point of the circuit so far (the MPS start, an
            optimised circuit) every ZY angle's gradient vanishes, and the 1-D optimum is often
            θ = 0, where a gradient optimiser cannot move.
    """

    metadata: ClassVar[dict] = {"render_modes": []}

    def __init__(
        self,
        problem,
        noise: NoiseModel | None = None,
        *,
        max_steps: int = 40,
        optimizer=None,
        curriculum=None,
        target: str = "lower_bound",
        reward: str = "incremental_with_fixed_ends",
        random_halting: RandomHalting | None = None,
        mask_illegal: bool = True,
        rotosolve_new_angle: bool = False,
        shots: int | None = None,
        initial_state: str = "zero",
        seed: int | None = None,
        mitigation: Mitigation | None = None,
        observation_energy: str = "raw",
        optimize_preparation: bool = True,
        zy_rotations: bool = False,
        zy_start_angle: float = 0.4,
    ) -> None:
        if target not in TARGETS:
            raise ConfigError(f"target={target!r}: expected one of {', '.join(TARGETS)}")
        if initial_state not in INITIAL_STATES:
            raise ConfigError(
                f"initial_state={initial_state!r}: expected one of {', '.join(INITIAL_STATES)}"
            )
        if max_steps < 1:
            raise ConfigError(f"max_steps={max_steps}: an episode needs at least one step")
        if observation_energy not in OBSERVED_ENERGIES:
            raise ConfigError(
                f"observation_energy={observation_energy!r}: expected one of "
                f"{', '.join(OBSERVED_ENERGIES)}"
            )
        self.observation_energy = observation_energy
        self.problem = problem
        self.noise = noise
        self.mitigation = mitigation if noise is not None else None
        self._compiled_energy = self._sampled_energy = None
        self.n_qubits = problem.n_qubits
        if noise is not None:
            noise.check_size(self.n_qubits)
        coupling = noise.coupling_map if noise is not None else None
        self.table = ActionTable.build(self.n_qubits, coupling, zy_rotations)
        self.zy_start_angle = float(zy_start_angle)
        self.max_steps = max_steps
        self.optimizer = optimizer or COBYLA(100)
        self.target_energy = (
            problem.lower_bound if target == "lower_bound" else (problem.ground_energy)
        )
        self.curriculum = curriculum or FixedSchedule(self.target_energy)
        self.reward_function = get_reward(reward)
        self.random_halting = random_halting
        self.mask_illegal = mask_illegal
        self.rotosolve_new_angle = rotosolve_new_angle
        self.shots = shots
        self.training = True
        self.rng = np.random.default_rng(seed)
        size = max_steps * self.n_qubits * self.table.rows + 1
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (size,), np.float32)
        self.action_space = gymnasium.spaces.Discrete(len(self.table))
        self.preparation, self.preparation_params = preparation(problem, initial_state)
        # the preparation's angles the optimiser leaves alone (all of them when frozen)
        self._fixed = 0 if optimize_preparation else self.preparation_params.size
        self.evaluations = 0
        """Circuit evaluations spent so far, as a device spends them: one per parameter set and
        fold factor (zero-noise extrapolation runs one circuit per factor); an energy with its
        gradient counts 1 + 2P per circuit, what the parameter-shift rule costs on a device."""
        self.shots_spent = 0
        """Shots spent so far (:func:`workbench.sim.objective.shots_per_energy` per energy)."""
        self._circuits = (self.mitigation or NO_MITIGATION).circuits
        # shots an energy costs per shot per group (linear in shots): looked up once, not per call
        self._shot_cost = shots_per_energy(problem, 1, self.mitigation)
        self.start_energy = float(
            self._energies(self.preparation, self.preparation_params[None, :])[0]
        )

    def _energies(self, circuit: Circuit, params: np.ndarray, shots=None) -> np.ndarray:
        self.evaluations += len(params) * self._circuits
        self.shots_spent += len(params) * (shots or 0) * self._shot_cost
        if shots and circuit is self.circuit:  # the optimiser's calls: compiled once per circuit
            return self._sampled()(params, shots, self.rng)
        return search_energies(
            circuit, params, self.problem, self.noise, shots, self.rng, self.mitigation
        )

    def _objective(self, params: np.ndarray, shots=None) -> np.ndarray:
        shots = shots if shots is not None else self.shots
        if not shots and len(params) == 1:  # a point-by-point optimiser: the compiled objective
            self.evaluations += self._circuits
            return np.array([self._compiled()(params[0])])
        return self._energies(self.circuit, params, shots)

    def _sampled(self) -> SampledEnergy:
        """The sampled objective of the current circuit, compiled once per circuit (the same
        draws as :func:`~workbench.sim.search_energies`)."""
        if self._sampled_energy is None or self._sampled_energy.circuit is not self.circuit:
            self._sampled_energy = SampledEnergy(
                self.circuit, self.problem, self.noise, self.mitigation
            )
        return self._sampled_energy

    def _value_and_gradient(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        self.evaluations += (1 + 2 * (params.size - self._fixed)) * self._circuits
        return self._compiled().value_and_gradient(params)

    def _optimise_angles(self) -> None:
        """The angle optimiser on every angle after the first ``_fixed`` (a frozen
        preparation's), warm-started at the current ones."""
        fixed, head = self._fixed, self.params[: self._fixed]
        objective, value_and_gradient = self._objective, self._value_and_gradient
        if fixed:

            def objective(x, shots=None):
                full = np.hstack([np.broadcast_to(head, (len(x), fixed)), x])
                return self._objective(full, shots)

            def value_and_gradient(x):
                value, gradient = self._value_and_gradient(np.concatenate([head, x]))
                return value, gradient[fixed:]

        extra = {"value_and_gradient": value_and_gradient}
        extra = extra if getattr(self.optimizer, "uses_gradient", False) else {}
        x = self.optimizer.minimize(objective, self.params[fixed:], self.rng, **extra).x
        self.params = np.concatenate([head, x])

    def _compiled(self):
        """The exact objective of the current circuit, compiled once per circuit (the same
        kernels and floats as :func:`~workbench.sim.search_energies`, without its per-call
        checks)."""
        if self._compiled_energy is None or self._compiled_energy.circuit is not self.circuit:
            self._compiled_energy = compiled_search_energy(
                self.circuit, self.problem, self.noise, self.mitigation
            )
        return self._compiled_energy

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.layout = CircuitLayout(self.table, self.max_steps)
        self.circuit = self.preparation
        self.params = self.preparation_params.copy()
        self.steps = 0
        self.energy = self.start_energy
        self.halting_step = self.random_halting.sample(self.rng) if self.random_halting else None
        return self.layout.observation(self._observed_energy()), self._info(success=False)

    def action_mask(self) -> np.ndarray:
        """True for the actions the agent may take now."""
        if not self.mask_illegal:
            return np.ones(len(self.table), dtype=bool)
        return ~self.layout.illegal_mask()

    def action_masks(self) -> np.ndarray:
        """:meth:`action_mask` under the name sb3-contrib's masked algorithms call."""
        return self.action_mask()

    def _observed_energy(self) -> float:
        r"""The energy entry of the observation: raw (Ha, the paper) or ``relative``
        :math:`(E - E_{\min})/|E_{\text{start}} - E_{\min}|` — 1 where every episode starts, 0
        at the target — so that one network reads H2 and H2O (−73 Ha) on the same scale."""
        if self.observation_energy == "raw":
            return self.energy
        scale = abs(self.start_energy - self.target_energy) or 1.0
        return (self.energy - self.target_energy) / scale

    def step(self, action: int):
        if not 0 <= int(action) < len(self.table):
            raise ConfigError(f"action {action} is outside 0..{len(self.table) - 1}")
        if not self.action_mask()[int(action)]:
            raise ConfigError(f"action {action} ({self.table.actions[int(action)]}) is illegal now")
        kind = self.table.actions[int(action)][0]
        self.layout.append(int(action))
        for gate, wires in self.table.gates(int(action)):
            self.circuit = self.circuit.append(gate, *wires)
        if kind == "ZY":
            self.params = np.append(self.params, self.zy_start_angle)
        elif kind != "CNOT":
            self.params = np.append(self.params, 0.0)
            if self.rotosolve_new_angle:
                self.params = rotosolve_angle(self._objective, self.params, -1).x
        if self.params.size > self._fixed:
            self._optimise_angles()
        previous, self.energy = self.energy, float(self._objective(self.params[None, :])[0])
        threshold = self.curriculum.threshold
        error = abs(self.target_energy - self.energy)
        success = error < threshold
        self.steps += 1
        at_cap = self.steps == self.max_steps
        halted = self.halting_step is not None and self.steps >= self.halting_step
        reward = self.reward_function(self.energy, previous, self.target_energy, threshold, at_cap)
        observation = self.layout.observation(self._observed_energy())
        info = self._info(success=success, threshold=threshold)
        return observation, float(reward), bool(success), bool(at_cap or halted), info

    def _info(self, success: bool, threshold: float | None = None) -> dict[str, Any]:
        gates = [tuple(g) for g in self.circuit.gate_list()]  # (name, *wires), as records hold
        # the same circuit and angles without any noise (nor readout error, nor shots)
        noiseless = (
            float(energies(self.circuit, self.params[None, :], self.problem)[0])
            if self.noise is not None
            else None
        )
        return {
            "energy": self.energy,
            "error": abs(self.target_energy - self.energy),
            "error_to_ground": abs(self.problem.ground_energy - self.energy),
            "noiseless_error": None
            if noiseless is None
            else abs(self.problem.ground_energy - noiseless),
            "threshold": self.curriculum.threshold if threshold is None else threshold,
            "success": success,
            "action_mask": self.action_mask(),
            "gates": gates,
            "params": self.params.copy(),
            "n_gates": len(gates),
            "n_cnots": self.circuit.n_two_qubit,
            "depth": self.circuit.depth,  # of the whole gate list, preparation included
            "n_params": int(self.params.size),
        }


def preparation(problem, initial_state: str) -> tuple[Circuit, np.ndarray]:
    """The gates every episode of ``initial_state`` starts with on ``problem``, and their
    angles (none for the basis states)."""
    if initial_state == "mps":
        from workbench.sim.mps import MAX_CIRCUIT_BOND, ground_state_mps

        return ground_state_mps(problem.hamiltonian, MAX_CIRCUIT_BOND).circuit()
    bits = problem.hartree_fock_state if initial_state == "hartree_fock" else ()
    gates = [("X", q) for q, bit in enumerate(bits) if bit]
    return Circuit.from_gates(problem.n_qubits, gates), np.zeros(0)
