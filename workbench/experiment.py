r"""Turn a :class:`~workbench.config.RunConfig` into the objects of a search, checking everything
that needs the built problem or device (qubit counts, coupling maps, names) before any work.

The curriculum's automatic initial threshold follows ``CurriculumConfig.initial_threshold_rule``:
:math:`\xi_0 = (E_0 - E_{\min}) + \tfrac12 |E_{|0\dots0\rangle} - E_0|` or, without the exact
:math:`E_0`, :math:`\xi_0 = |E_{\min} - E_{\text{start}}|` (the environment's initial state).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.agent.dqn import DoubleDQN
from workbench.chem import Problem, resolve_problem
from workbench.config import RunConfig
from workbench.config.sections import CurriculumConfig
from workbench.devices import resolve_noise
from workbench.env.curriculum import FixedSchedule, MovingThreshold
from workbench.env.halting import RandomHalting
from workbench.env.vqe import CircuitGrowthEnv
from workbench.noise import NoiseModel
from workbench.optim import build_optimizer


@dataclass
class Experiment:
    """A built search: the config and the live objects made from it."""

    config: RunConfig
    problem: Problem
    noise: NoiseModel | None
    env: CircuitGrowthEnv
    agent: DoubleDQN


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
    come from the cache); raises ConfigError naming what does not fit."""
    problem = resolve_problem(config.problem)
    return problem, resolve_noise(config.noise, problem.n_qubits)


def build(config: RunConfig) -> Experiment:
    """Build problem, noise, environment and agent; raises ConfigError on any mismatch."""
    problem, noise = check(config)
    e = config.env
    target_energy = problem.lower_bound if e.target == "lower_bound" else problem.ground_energy
    halting = None if e.random_halting is None else RandomHalting(**vars(e.random_halting))
    env = CircuitGrowthEnv(
        problem,
        noise,
        max_steps=e.max_steps,
        optimizer=build_optimizer(config.optimizer, config.noise.shots),
        target=e.target,
        reward=e.reward,
        random_halting=halting,
        mask_illegal=e.mask_illegal,
        rotosolve_new_angle=e.rotosolve_new_angle,
        shots=config.noise.shots,
        initial_state=e.initial_state,
        seed=config.seed,
        mitigate_readout=config.noise.readout_mitigation,
    )
    env.curriculum = build_curriculum(config.curriculum, problem, target_energy, env.start_energy)
    settings = config.agent
    if settings.gamma is None:
        settings = type(settings)(**{**vars(settings), "gamma": config.gamma})
    agent = DoubleDQN(
        env.observation_space.shape[0],
        env.action_space.n,
        settings,
        config.seed,
        episodes=config.episodes,
    )
    return Experiment(config, problem, noise, env, agent)
