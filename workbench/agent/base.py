"""What the training loop needs from a learner: the :class:`Agent` protocol and the
:class:`Experience` it observes.

Terminated and truncated are kept apart, as gymnasium returns them: an episode that reached its
goal (``terminated``) has no value after its last step, while one cut by the step cap or random
halting (``truncated``) does — it is merely unknown, and an agent that bootstraps through
truncation (``agent.bootstrap_truncated``; SB3 and CleanRL do) estimates it from the next state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from workbench.errors import ConfigError


@dataclass(frozen=True)
class Experience:
    """One environment step as an agent sees it (``next_mask``: the legal actions after it)."""

    observation: np.ndarray
    action: int
    reward: float
    next_observation: np.ndarray
    next_mask: np.ndarray
    terminated: bool
    truncated: bool

    @property
    def episode_over(self) -> bool:
        return self.terminated or self.truncated

    def cuts_bootstrap(self, bootstrap_truncated: bool) -> bool:
        """No value after this step: it terminated, or it was truncated and the agent does not
        bootstrap through truncation (``agent.bootstrap_truncated=False``, the paper's code)."""
        return self.terminated or (self.truncated and not bootstrap_truncated)


def require_gamma(settings) -> float:
    """``settings.gamma``, which the run config resolves (``RunConfig.gamma``) before an agent
    is built; an agent built from unresolved settings is refused."""
    if settings.gamma is None:
        raise ConfigError("AgentConfig.gamma is None: resolve it (RunConfig.gamma) first")
    return settings.gamma


class Agent(Protocol):
    """A learner the workbench trains, checkpoints and resumes (``agent.kind`` picks one).

    ``act`` chooses among the legal actions (``mask`` True), greedily for test episodes;
    ``observe`` receives every training step and learns when its own schedule says so (returning
    the loss of the update it made, if any); ``state_dict`` holds everything needed to continue
    exactly (networks, optimiser, memory, random generators); ``statistics`` are the agent's own
    numbers for records and plots (``epsilon`` for ε-greedy agents).
    """

    def begin_episode(self, episode: int) -> None: ...

    def act(self, observation: np.ndarray, mask: np.ndarray, greedy: bool = False) -> int: ...

    def observe(self, experience: Experience) -> float | None: ...

    def state_dict(self) -> dict: ...

    def load_state_dict(self, state: dict) -> None: ...

    def statistics(self) -> dict[str, float | None]: ...
