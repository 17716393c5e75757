r"""Rewards of the circuit-growing environment (spec §4.1).

``incremental_with_fixed_ends`` (every CRLQAS configuration): with
:math:`\epsilon_t = |E_{\min} - E_t|` and threshold :math:`\xi`,

.. math::
    r_t = \begin{cases} +5 & \epsilon_t < \xi \\ -5 & t = L-1 \\
    \mathrm{clip}\!\left(\frac{E_{t-1}-E_t}{|E_{t-1}-E_{\min}|}, -1, 1\right) & \text{else}
    \end{cases}

Random halting never gives −5 (the step cap does). ``log_to_threshold``: +11 on success, else
:math:`-\ln|\epsilon_t - \xi|`, with the same −5 at the step cap.
"""

from __future__ import annotations

import math

from workbench.errors import ConfigError

SUCCESS_REWARD = 5.0
FAILURE_REWARD = -5.0
LOG_SUCCESS_REWARD = 11.0


def incremental_with_fixed_ends(
    energy: float,
    previous_energy: float,
    target_energy: float,
    threshold: float,
    at_step_cap: bool,
) -> float:
    """The paper's reward: ±5 at the ends, else the clipped relative energy improvement."""
    if abs(target_energy - energy) < threshold:
        return SUCCESS_REWARD
    if at_step_cap:
        return FAILURE_REWARD
    scale = abs(previous_energy - target_energy)
    if scale == 0.0:
        return 0.0
    return max(-1.0, min(1.0, (previous_energy - energy) / scale))


def log_to_threshold(
    energy: float,
    previous_energy: float,
    target_energy: float,
    threshold: float,
    at_step_cap: bool,
) -> float:
    """Logarithmic distance of the error to the threshold (+11 on success, −5 at the cap)."""
    error = abs(target_energy - energy)
    if error < threshold:
        return LOG_SUCCESS_REWARD
    if at_step_cap:
        return FAILURE_REWARD
    return -math.log(max(error - threshold, 1e-12))


REWARDS = {
    "incremental_with_fixed_ends": incremental_with_fixed_ends,
    "log_to_threshold": log_to_threshold,
}


def get_reward(name: str):
    """A reward function by name, with a clear error listing the known ones."""
    try:
        return REWARDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown reward {name!r}: expected one of {', '.join(REWARDS)}"
        ) from None
