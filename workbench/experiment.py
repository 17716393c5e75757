r"""Turn a :class:`~workbench.config.RunConfig` into the objects of a search, checking everything
that needs the built problem or device (qubit counts, coupling maps, names) before any work.

The curriculum's automatic initial threshold follows ``CurriculumConfig.initial_threshold_rule``:
:math:`\xi_0 = (E_0 - E_{\min}) + \tfrac12 |E_{|0\dots0\rangle} - E_0|` or, without the exact
:math:`E_0`, :math:`\xi_0 = |E_{\min} - E_{\text{start}}|` (the environment's initial state).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.agent import Agent, build_agent
from workbench.chem import Problem, curve_bond_length, resolve_curve, resolve_problem
from workbench.config import DEFAULT_RUN_PRESET, RunConfig, get_run_preset
from workbench.config.sections import CurriculumConfig, EnvConfig, OptimizerConfig
from workbench.devices import resolve_noise
from workbench.env.curriculum import FixedSchedule, MovingThreshold
from workbench.env.curve import CurveEnv
from workbench.env.halting import RandomHalting
from workbench.env.vqe import CircuitGrowthEnv
from workbench.env.wrappers import CurriculumFeedback
from workbench.noise import NoiseModel
from workbench.optim import build_optimizer
from workbench.sim import Mitigation


@dataclass
class Experiment:
    """A built search: the config and the live objects made from it."""

    config: RunConfig
    problem: Problem
    noise: NoiseModel | None
    env: CircuitGrowthEnv | CurveEnv
    agent: Agent


def initial_threshold(
    config: CurriculumConfig, problem: Problem, target_energy: float, start_energy: float
) -> float:
    if config.initial_threshold is not None:
        return config.initial_threshold
    if config.initial_threshold_rule == "start_energy":
        return abs(target_energy - start_energy)
    e0 = problem.ground_energy
    return abs(e0 - target_energy) + 0.5 * abs(problem.zero_state_energy - e0)


def build_curriculum(
    config: CurriculumConfig, problem: Problem, target_energy: float, start_energy: float
):
    if config.kind == "fixed":
        return FixedSchedule(target_energy, config.thresholds, config.switch_episodes)
    xi0 = initial_threshold(config, problem, target_energy, start_energy)
    return MovingThreshold(
        target_energy,
        xi0,
        greedy_shift_interval=config.greedy_shift_interval,
        amortisation_radius=config.amortisation_radius,
        successes_per_shrink=config.successes_per_shrink,
        shrink_steps=config.shrink_steps,
        shrink_switch=xi0 if config.shrink_switch is None else config.shrink_switch,
    )


def check(config: RunConfig) -> tuple[Problem, NoiseModel | None]:
    """The problem and noise model of ``config``, validated against each other (cheap: problems
    come from the cache; a curve run's other bond lengths are built here if they are not);
    raises ConfigError naming what does not fit."""
    problem, _, noise = _checked(config)
    return problem, noise


def _checked(config: RunConfig):
    """:func:`check`'s problem and noise, with a curve run's problems by bond length."""
    problem = resolve_problem(config.problem)
    curve = resolve_curve(config.problem, problem)
    return problem, curve, resolve_noise(config.noise, problem.n_qubits)


def build_env(
    problem: Problem,
    noise: NoiseModel | None,
    settings: EnvConfig,
    optimizer: OptimizerConfig,
    shots: int | None,
    mitigation: Mitigation | None,
    seed: int,
) -> CircuitGrowthEnv:
    """The one place a :class:`CircuitGrowthEnv` is built from config sections: the search's
    (:func:`build`) and the random-search baseline's, so they cannot drift apart."""
    halting = settings.random_halting
    return CircuitGrowthEnv(
        problem,
        noise,
        max_steps=settings.max_steps,
        optimizer=build_optimizer(optimizer, shots),
        target=settings.target,
        reward=settings.reward,
        random_halting=None if halting is None else RandomHalting(**vars(halting)),
        mask_illegal=settings.mask_illegal,
        rotosolve_new_angle=settings.rotosolve_new_angle,
        shots=shots,
        initial_state=settings.initial_state,
        seed=seed,
        mitigation=mitigation,
        observation_energy=settings.observation_energy,
        optimize_preparation=settings.optimize_preparation,
        zy_rotations=settings.zy_rotations,
        zy_start_angle=settings.zy_start_angle,
    )


def make_env(
    preset: str = DEFAULT_RUN_PRESET,
    overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    render_mode: str | None = None,
) -> CurriculumFeedback:
    """A run preset's environment (``overrides``: dotted config fields, e.g. ``{"env.max_steps":
    8}``) with its curriculum, wrapped in :class:`CurriculumFeedback` so that whatever drives
    it — a standard RL library, a vectorised copy — trains against the same moving threshold as
    the workbench's trainer. The entry point of ``gymnasium.make("qas-workbench/CircuitGrowth-v0",
    preset=..., overrides=..., seed=...)`` (``render_mode``: accepted for gymnasium, ignored —
    nothing is rendered)."""
    config = get_run_preset(preset).with_overrides(dict(overrides or {}))
    if seed is not None:
        config = config.with_overrides({"seed": seed})
    _, _, env = _environment(config)
    return CurriculumFeedback(env)


def _environment(config: RunConfig):
    """The checked problem and noise of ``config`` and its environment with its curriculum (a
    :class:`CurveEnv` over every bond length for a curve run)."""
    problem, curve, noise = _checked(config)
    if curve:
        members = {r: member_env(config, p, noise) for r, p in curve.items()}
        return problem, noise, CurveEnv(members, curve_bond_length(config.problem), config.seed)
    return problem, noise, member_env(config, problem, noise)


def member_env(config: RunConfig, problem: Problem, noise: NoiseModel | None) -> CircuitGrowthEnv:
    """The environment of ``config`` on ``problem`` (one bond length of a curve run, or the
    run's only problem) with its curriculum."""
    env = build_env(
        problem, noise, config.env, config.optimizer, config.noise.shots,
        Mitigation.of(config.noise), config.seed,
    )  # fmt: skip
    env.curriculum = build_curriculum(
        config.curriculum, problem, env.target_energy, env.start_energy
    )
    return env


def build(config: RunConfig) -> Experiment:
    """Build problem, noise, environment and agent; raises ConfigError on any mismatch."""
    problem, noise, env = _environment(config)
    return Experiment(config, problem, noise, env, agent_for(config, env))


def agent_for(config: RunConfig, env) -> Agent:
    """The agent of ``config`` sized for ``env`` (γ resolved from the step cap when unset)."""
    settings = config.agent
    if settings.gamma is None:
        settings = type(settings)(**{**vars(settings), "gamma": config.gamma})
    return build_agent(
        env.observation_space.shape[0],
        env.action_space.n,
        settings,
        config.seed,
        episodes=config.episodes,
    )
