"""The environment for code that drives it itself: a standard RL library, a vectorised copy, a
hand-written loop.

:class:`CurriculumFeedback` feeds the curriculum after every training step, as the workbench's
own trainer does (:func:`workbench.env.curriculum.feed`, the one rule), so that a library that
only calls ``reset`` and ``step`` trains against a moving threshold too; copies that share one
curriculum object share its threshold. ``gymnasium.make("qas-workbench/CircuitGrowth-v0",
preset=..., overrides=..., seed=...)`` builds a run preset's environment wrapped in it.
"""

from __future__ import annotations

import gymnasium

from workbench.env.curriculum import feed


class CurriculumFeedback(gymnasium.Wrapper):
    """After each step of a training episode (``env.training``), the step's energy and, when the
    episode ends, its success go to ``env.curriculum``; greedy test episodes leave it alone."""

    def step(self, action):
        observation, reward, terminated, truncated, info = self.env.step(action)
        environment = self.env.unwrapped
        if environment.training:
            feed(environment.curriculum, info["energy"], terminated, terminated or truncated)
        return observation, reward, terminated, truncated, info

    def action_masks(self):
        """The legal actions now (sb3-contrib's masked algorithms call this)."""
        return self.env.unwrapped.action_masks()
