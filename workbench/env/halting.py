r"""Random halting (spec §3.3): a per-episode step budget drawn from a negative binomial.

numpy's ``negative_binomial(n, p)`` counts failures before the n-th success (success probability
p). The budget is :math:`T = \mathrm{clip}(NB(n, p), \text{low}, \text{high})`, or the mode of
``mode_of`` such draws (the paper's noisy code). Paper settings: noiseless
``RandomHalting(70, 0.573, 25, 70)`` (mean ≈ 52), noisy
``RandomHalting(40, 0.6, 0, 40, mode_of=100)`` (T ≈ 26 ± 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.errors import ConfigError


@dataclass(frozen=True)
class RandomHalting:
    """Negative-binomial halting step; an episode is cut after ``sample()`` actions (defaults
    live in :class:`workbench.config.HaltingConfig`)."""

    n: int
    p: float
    low: int
    high: int
    mode_of: int | None = None

    def __post_init__(self) -> None:
        if self.n < 1 or not 0 < self.p <= 1:
            raise ConfigError(
                f"random halting needs n >= 1 and 0 < p <= 1 (got {self.n}, {self.p})"
            )
        if not 0 <= self.low <= self.high:
            raise ConfigError(f"random halting bounds low={self.low}, high={self.high} are invalid")
        if self.mode_of is not None and self.mode_of < 1:
            raise ConfigError(f"mode_of={self.mode_of} must be >= 1")

    def sample(self, rng: np.random.Generator) -> int:
        draws = np.clip(
            rng.negative_binomial(self.n, self.p, size=self.mode_of or 1), self.low, self.high
        )
        if self.mode_of is None:
            return int(draws[0])
        values, counts = np.unique(draws, return_counts=True)
        return int(values[np.argmax(counts)])
