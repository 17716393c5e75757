r"""Curricula: the feedback-driven moving threshold of CRLQAS and a fixed schedule (spec §4.2).

The threshold :math:`\xi` is measured from the target energy :math:`E_{\min}` (the exact
:math:`E_0` or the lower bound, as configured). ``MovingThreshold``:

* starts at ``initial_threshold``; the best energy seen starts at
  :math:`E_{\min} + \xi_0` and follows every training step's energy;
* after ``successes_per_shrink`` successes, while fewer than ``shrink_steps`` notches were taken
  and the best error :math:`|E_{\min}-E_{\text{best}}|` is below ``shrink_switch``, the threshold
  shrinks by ``amortisation_radius / shrink_steps``;
* every ``greedy_shift_interval`` episodes (after the first 10), the threshold jumps to the best
  error plus ``amortisation_radius`` (or exactly the best error when the radius is 0), and the
  counters reset.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.config import CHEMICAL_ACCURACY
from workbench.errors import ConfigError


@dataclass
class MovingThreshold:
    """Moving-threshold curriculum; names map to the paper's cfg keys in brackets (defaults live
    in :class:`workbench.config.CurriculumConfig`).

    Attributes:
        target_energy: :math:`E_{\\min}` (Ha) the error is measured from.
        initial_threshold: :math:`\\xi_0` [``accept_err``].
        greedy_shift_interval: G, episodes between greedy shifts [``shift_threshold_time``].
        amortisation_radius: δ added at a greedy shift [``shift_threshold_ball``].
        successes_per_shrink: successes before one notch [``success_thresh``].
        shrink_steps: K, notches of δ/K between greedy shifts [``succ_radius_shift``].
        shrink_switch: shrinking only while the best error is below this [``succes_switch``].
    """

    target_energy: float
    initial_threshold: float
    greedy_shift_interval: int
    amortisation_radius: float
    successes_per_shrink: int
    shrink_steps: int
    shrink_switch: float
    threshold: float = field(init=False)
    lowest_energy: float = field(init=False)
    success_counter: int = field(init=False, default=0)
    shrink_counter: int = field(init=False, default=0)
    episodes: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if self.greedy_shift_interval < 1 or self.successes_per_shrink < 1 or self.shrink_steps < 1:
            raise ConfigError(
                "greedy_shift_interval, successes_per_shrink and shrink_steps must be >= 1"
            )
        if self.amortisation_radius < 0:
            raise ConfigError(f"amortisation_radius={self.amortisation_radius} must be >= 0")
        self.threshold = self.initial_threshold
        self.lowest_energy = self.target_energy + self.initial_threshold

    @property
    def best_error(self) -> float:
        return abs(self.target_energy - self.lowest_energy)

    def observe_energy(self, energy: float) -> None:
        """Called at every training step with the step's energy."""
        self.lowest_energy = min(self.lowest_energy, energy)

    def end_episode(self, success: bool) -> None:
        """Called once per finished training episode."""
        if success:
            self.success_counter += 1
            if (
                self.success_counter >= self.successes_per_shrink
                and self.shrink_counter < self.shrink_steps
                and self.shrink_switch > self.best_error
            ):
                self.threshold -= self.amortisation_radius / self.shrink_steps
                self.success_counter = 0
                self.shrink_counter += 1
        self.episodes += 1
        if self.episodes > 10 and self.episodes % self.greedy_shift_interval == 0:
            self.threshold = self.best_error + self.amortisation_radius
            self.shrink_counter = 0
            self.success_counter = 0

    def state_dict(self) -> dict:
        return {
            k: getattr(self, k)
            for k in ("threshold", "lowest_energy", "success_counter", "shrink_counter", "episodes")
        }

    def load_state_dict(self, state: dict) -> None:
        for key, value in state.items():
            setattr(self, key, value)


@dataclass
class FixedSchedule:
    """Piecewise-constant threshold: ``thresholds[i]`` until episode ``switch_episodes[i]``."""

    target_energy: float
    thresholds: tuple[float, ...] = (CHEMICAL_ACCURACY,)
    switch_episodes: tuple[int, ...] = (10**9,)
    episodes: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if len(self.thresholds) != len(self.switch_episodes) or not self.thresholds:
            raise ConfigError("thresholds and switch_episodes need the same, non-zero length")

    @property
    def threshold(self) -> float:
        for threshold, until in zip(self.thresholds, self.switch_episodes, strict=True):
            if self.episodes < until:
                return threshold
        return self.thresholds[-1]

    def observe_energy(self, energy: float) -> None:
        """Fixed schedules ignore energies."""

    def end_episode(self, success: bool) -> None:
        self.episodes += 1

    def state_dict(self) -> dict:
        return {"episodes": self.episodes}

    def load_state_dict(self, state: dict) -> None:
        self.episodes = state["episodes"]


def feed(curriculum, energy: float, success: bool, episode_over: bool) -> None:
    """One training step's feedback, the one rule for every driver of the environment (the
    workbench's trainer, :class:`workbench.env.wrappers.CurriculumFeedback` for libraries): the
    step's energy, then — when the episode is over — whether it succeeded. Greedy test episodes
    feed nothing (the paper's test episodes moved the threshold)."""
    curriculum.observe_energy(energy)
    if episode_over:
        curriculum.end_episode(success)
