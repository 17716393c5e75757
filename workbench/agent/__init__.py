"""The agents the workbench trains, behind one protocol (:class:`Agent`): ``agent.kind``
``ddqn`` (the paper's double DQN), ``dqn``, ``dueling_ddqn`` (:mod:`workbench.agent.dqn`, n-step
replay, self-imitation), ``ppo`` (:mod:`workbench.agent.ppo`, masked PPO with GAE) and
``sb3:MaskablePPO`` (:mod:`workbench.agent.sb3`, sb3-contrib's algorithm behind the protocol)."""

from __future__ import annotations

from workbench.agent.base import Agent, Experience
from workbench.config import AgentConfig


def build_agent(
    observation_size: int,
    n_actions: int,
    settings: AgentConfig,
    seed: int = 0,
    episodes: int | None = None,
) -> Agent:
    """The agent of ``settings.kind`` (every kind in :data:`workbench.config.AGENT_KINDS`)."""
    if settings.kind == "sb3:MaskablePPO":
        from workbench.agent.sb3 import MaskablePPOAdapter

        return MaskablePPOAdapter(observation_size, n_actions, settings, seed, episodes=episodes)
    if settings.kind == "ppo":  # torch: imported where an agent is built
        from workbench.agent.ppo import PPO

        return PPO(observation_size, n_actions, settings, seed, episodes=episodes)
    from workbench.agent.dqn import DoubleDQN

    return DoubleDQN(observation_size, n_actions, settings, seed, episodes=episodes)


__all__ = ["Agent", "Experience", "build_agent"]
