"""Rewards and curricula against hand-computed values."""

from __future__ import annotations

import math

import pytest

from workbench.env.curriculum import FixedSchedule, MovingThreshold
from workbench.env.rewards import get_reward, incremental_with_fixed_ends, log_to_threshold
from workbench.errors import ConfigError


def test_incremental_with_fixed_ends_by_hand():
    # E_min = -1.0, threshold 0.01. From E_prev = -0.5 to E = -0.75: (−0.5+0.75)/0.5 = 0.5
    assert incremental_with_fixed_ends(-0.75, -0.5, -1.0, 0.01, False) == pytest.approx(0.5)
    assert incremental_with_fixed_ends(-0.25, -0.5, -1.0, 0.01, False) == pytest.approx(-0.5)
    assert incremental_with_fixed_ends(-0.9, 0.5, -1.0, 0.01, False) == 0.9333333333333332
    assert incremental_with_fixed_ends(5.0, -0.5, -1.0, 0.01, False) == -1.0  # clipped
    assert incremental_with_fixed_ends(-0.995, -0.5, -1.0, 0.01, True) == 5.0  # success wins
    assert incremental_with_fixed_ends(-0.9, -0.5, -1.0, 0.01, True) == -5.0


def test_log_to_threshold_by_hand():
    assert log_to_threshold(-0.9, 0.0, -1.0, 0.01, False) == pytest.approx(-math.log(0.09))
    assert log_to_threshold(-0.995, 0.0, -1.0, 0.01, False) == 11.0
    assert get_reward("log_to_threshold") is log_to_threshold
    with pytest.raises(ConfigError, match="unknown reward 'staircase'"):
        get_reward("staircase")


def test_moving_threshold_worked_example():
    """Spec §4.2, H2-2q noiseless: ξ0=0.97, G=500, δ=5e-4, 25 successes per notch, K=10."""
    lb = -1.3204464
    curriculum = MovingThreshold(lb, 0.97, 500, 5e-4, 25, 10, shrink_switch=0.97)
    assert curriculum.lowest_energy == pytest.approx(lb + 0.97)
    curriculum.observe_energy(-1.1372)  # best error 0.1832
    for _ in range(499):
        curriculum.end_episode(success=False)
    assert curriculum.threshold == 0.97
    curriculum.end_episode(success=False)  # episode 500: greedy shift
    assert curriculum.threshold == pytest.approx(0.1832464 + 5e-4)
    for _ in range(25):
        curriculum.end_episode(success=True)
    assert curriculum.threshold == pytest.approx(0.1832464 + 5e-4 - 5e-5)
    for _ in range(25 * 12):
        curriculum.end_episode(success=True)
    # at most K=10 notches: after them the threshold equals the best error
    assert curriculum.threshold == pytest.approx(0.1832464)
    assert curriculum.shrink_counter == 10


def test_shrinking_needs_the_switch():
    curriculum = MovingThreshold(-1.0, 0.5, 1000, 0.1, 1, 10, shrink_switch=0.01)
    curriculum.observe_energy(-0.9)  # best error 0.1 > switch
    curriculum.end_episode(success=True)
    assert curriculum.threshold == 0.5


def test_radius_zero_shifts_to_the_best_error():
    curriculum = MovingThreshold(-1.0, 0.5, 20, 0.0, 5, 10, 1.0)
    curriculum.observe_energy(-0.98)
    for _ in range(20):
        curriculum.end_episode(success=False)
    assert curriculum.threshold == pytest.approx(0.02)


def test_curriculum_state_round_trip():
    a = MovingThreshold(-1.0, 0.5, 20, 0.01, 2, 5, 1.0)
    a.observe_energy(-0.7)
    for success in (True, True, False):
        a.end_episode(success)
    b = MovingThreshold(-1.0, 0.5, 20, 0.01, 2, 5, 1.0)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()


def test_fixed_schedule():
    schedule = FixedSchedule(-1.0, (0.1, 0.01), (3, 10))
    thresholds = []
    for _ in range(12):
        thresholds.append(schedule.threshold)
        schedule.end_episode(False)
    assert thresholds == [0.1] * 3 + [0.01] * 9
    with pytest.raises(ConfigError, match="same, non-zero length"):
        FixedSchedule(-1.0, (0.1,), (3, 4))
