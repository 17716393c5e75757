r"""The baseline methods, all on the same :class:`~workbench.baselines.objective.Objective`.

* **HEA** — :func:`~workbench.baselines.ansatz.hardware_efficient` with L entangling layers,
  angles started at small random values :math:`\mathcal N(0, 0.1^2)` (all-zero angles make
  the CNOT ladder permute the Hartree–Fock state and start far from it), optionally the best of
  several starts (the others uniform in :math:`[-\pi, \pi)`).
* **UCCSD** — every single and double excitation, one shared angle each, started at 0 (the
  Hartree–Fock state), one optimisation.
* **ADAPT-VQE** (Grimsley et al. 2019) — from the Hartree–Fock state, repeatedly: the
  derivative :math:`g_k = \partial E/\partial\theta_k|_{\theta_k=0}` of every pool operator
  appended to the current ansatz; stop when :math:`\lVert g\rVert_2 <` tolerance or after the
  maximum number of operators; else append the operator with the largest :math:`|g_k|` and
  re-optimise all angles (warm start, the new one at 0).
* **Random search** — episodes of uniformly random legal actions in the agent's own
  environment (same action set and coupling map, same step cap, same per-step angle
  optimisation), until the evaluation budget is spent; the lowest-energy circuit seen wins.
"""

from __future__ import annotations

import time

import numpy as np

from workbench.baselines.ansatz import (
    Ansatz,
    AnsatzBuilder,
    excitation_block,
    hardware_efficient,
    hartree_fock,
)
from workbench.baselines.objective import BaselineResult, Objective, result
from workbench.chem.excitations import excitations, pool
from workbench.config import BaselineConfig, EnvConfig
from workbench.experiment import build_env
from workbench.sim import Circuit


def _coupling(objective: Objective):
    noise = objective.noise
    return None if noise is None else noise.coupling_map


def _start_bits(objective: Objective, config: BaselineConfig) -> tuple[int, ...]:
    if config.initial_state == "hartree_fock":
        return objective.problem.hartree_fock_state
    return ()


def hea(objective: Objective, config: BaselineConfig, rng) -> list[BaselineResult]:
    """One result per number of layers in ``config.hea_layers``, the best of
    ``config.hea_starts`` optimisations (by the energy the search sees)."""
    rows, optimizer = [], config.optimizer_for(objective.shots)
    for layers in config.hea_layers:
        started, spent = time.perf_counter(), objective.evaluations
        ansatz = hardware_efficient(
            objective.problem.n_qubits, layers, _start_bits(objective, config), _coupling(objective)
        )
        best = None
        for start in range(config.hea_starts):
            x0 = (rng.normal(0.0, 0.1, ansatz.n_params) if start == 0
                  else rng.uniform(-np.pi, np.pi, ansatz.n_params))  # fmt: skip
            x = objective.minimize(ansatz, x0, optimizer, rng)
            energy = float(objective(ansatz, x[None, :])[0])
            if best is None or energy < best[0]:
                best = (energy, x)
        variant = f"{layers} layer" + ("s" if layers > 1 else "")
        variant += f", best of {config.hea_starts} starts" if config.hea_starts > 1 else ""
        rows.append(result("hea", variant, ansatz, best[1], objective, started, spent))
    return rows


def _excitation_ansatz(objective: Objective, selected, bits, name: str):
    builder = AnsatzBuilder(objective.problem.n_qubits)
    hartree_fock(builder, bits)
    for excitation in selected:
        excitation_block(builder, excitation, builder.parameter(excitation.label))
    return builder.build(name, _coupling(objective))


def uccsd(objective: Objective, config: BaselineConfig, rng) -> list[BaselineResult]:
    """UCCSD (singles and doubles, first-order Trotter, one angle per excitation)."""
    started, spent = time.perf_counter(), objective.evaluations
    problem = objective.problem
    ansatz = _excitation_ansatz(
        objective, excitations(problem), problem.hartree_fock_state, "uccsd"
    )
    x = objective.minimize(ansatz, np.zeros(ansatz.n_params), config.optimizer_for(objective.shots),
                           rng)  # fmt: skip
    variant = f"{ansatz.n_params} excitations"
    return [result("uccsd", variant, ansatz, x, objective, started, spent)]


def adapt(objective: Objective, config: BaselineConfig, rng) -> list[BaselineResult]:
    """ADAPT-VQE, one result per pool in ``config.adapt_pools``."""
    rows = []
    for kind in config.adapt_pools:
        started, spent = time.perf_counter(), objective.evaluations
        ansatz, x, selected, reason = _adapt_loop(objective, config, rng, kind)
        count = len(selected)
        variant = f"{kind} pool, {count} operator{'' if count == 1 else 's'} ({reason})"
        rows.append(result("adapt", variant, ansatz, x, objective, started, spent))
    return rows


def _adapt_loop(objective: Objective, config: BaselineConfig, rng, kind: str):
    """Grow one ADAPT ansatz; returns it, its angles, the operators and why it stopped. Besides
    the gradient rule it stops, dropping the last operator, when re-optimising after adding it
    did not lower the energy the search sees (under noise the pool gradients need not vanish)."""
    problem = objective.problem
    bits, optimizer = problem.hartree_fock_state, config.optimizer_for(objective.shots)
    candidates, selected, x = pool(problem, kind), [], np.zeros(0)
    ansatz = _excitation_ansatz(objective, selected, bits, f"adapt-{kind}")
    energy = float(objective(ansatz, x[None, :])[0])
    for _ in range(config.adapt_max_operators):
        if reached := _within_stop_error(config, problem, energy):  # the start counts too
            return ansatz, x, selected, reached
        gradients = np.array([
            objective.derivative(
                _excitation_ansatz(objective, [*selected, op], bits, "trial"),
                np.append(x, 0.0), len(selected),
            )
            for op in candidates
        ])  # fmt: skip
        norm = float(np.linalg.norm(gradients))
        if norm < config.adapt_gradient_tolerance:
            return ansatz, x, selected, f"gradient norm {norm:.1e} Ha"
        trial_ops = [*selected, candidates[int(np.argmax(np.abs(gradients)))]]
        trial = _excitation_ansatz(objective, trial_ops, bits, f"adapt-{kind}")
        trial_x = objective.minimize(trial, np.append(x, 0.0), optimizer, rng)
        trial_energy = float(objective(trial, trial_x[None, :])[0])
        if trial_energy >= energy:
            return ansatz, x, selected, "no energy gain from the next operator"
        ansatz, x, selected, energy = trial, trial_x, trial_ops, trial_energy
    reached = _within_stop_error(config, problem, energy)
    return ansatz, x, selected, reached or f"{config.adapt_max_operators} operators, the cap"


def _within_stop_error(config: BaselineConfig, problem, energy: float) -> str | None:
    """Why ADAPT stops at ``energy`` under ``config.adapt_stop_error``, or None."""
    stop = config.adapt_stop_error
    if stop is not None and energy - problem.ground_energy < stop:
        return f"within {stop:.1e} Ha of E0"
    return None


def random_search(objective: Objective, config: BaselineConfig, rng) -> list[BaselineResult]:
    """Random legal actions in the agent's environment until ``config.random_budget``
    evaluations are spent; the lowest energy any step reached wins."""
    started, spent = time.perf_counter(), objective.evaluations
    settings = EnvConfig(
        max_steps=config.random_max_gates,
        target="exact",
        initial_state=config.initial_state,
        zy_rotations=config.random_zy_rotations,
    )
    env = build_env(
        objective.problem, objective.noise, settings, config.optimizer_for(objective.shots),
        objective.shots, objective.mitigation, config.seed,
    )  # fmt: skip
    env.training = False
    best, episodes = None, 0
    while best is None or env.evaluations < config.random_budget:  # at least one step
        env.reset()
        episodes += 1
        done = False
        while not done and (best is None or env.evaluations < config.random_budget):
            action = rng.choice(np.flatnonzero(env.action_mask()))
            _, _, terminated, truncated, info = env.step(int(action))
            done = terminated or truncated
            if best is None or info["energy"] < best[0]:
                best = (info["energy"], info["gates"], info["params"])
    circuit = Circuit.from_gates(objective.problem.n_qubits, best[1])
    objective.evaluations += env.evaluations  # the environment spent them on the objective
    variant = f"{episodes} episodes, budget {config.random_budget}"
    ansatz = Ansatz.free("random", circuit)
    return [result("random", variant, ansatz, best[2], objective, started, spent)]


METHODS = {"hea": hea, "uccsd": uccsd, "adapt": adapt, "random": random_search}
"""Each method by its name in :data:`workbench.config.BASELINE_METHODS`."""
