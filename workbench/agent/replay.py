r"""n-step transitions with explicit discounts, and a uniform replay buffer (spec §5).

For a window of k ≤ n steps starting at t, the stored transition is
:math:`(s_t, a_t, R = \sum_{i<k} \gamma^i r_{t+i}, s_{t+k}, \text{done}, \text{discount})` where
``discount`` multiplies the bootstrap: :math:`\gamma^k` by default (the correct n-step target) or
:math:`\gamma` with ``paper_discount=True`` (the original code's quirk 3). Windows never cross an
episode's end; an episode's last k < n steps are flushed with their own k.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

import numpy as np

from workbench.errors import ConfigError


class Transition(NamedTuple):
    observation: np.ndarray
    action: int
    reward: float  # the n-step return R
    next_observation: np.ndarray
    done: bool
    discount: float
    next_mask: np.ndarray  # legal actions in next_observation


class NStepAccumulator:
    """Turns one-step transitions of an episode into n-step transitions."""

    def __init__(self, n_step: int, gamma: float, paper_discount: bool = False) -> None:
        if n_step < 1 or not 0 <= gamma <= 1:
            raise ConfigError(f"n_step={n_step} must be >= 1 and gamma={gamma} in [0, 1]")
        self.n_step, self.gamma, self.paper_discount = n_step, gamma, paper_discount
        self.window: deque = deque()

    def _emit(self) -> Transition:
        observation, action = self.window[0][0], self.window[0][1]
        ret = sum(self.gamma**i * step[2] for i, step in enumerate(self.window))
        _, _, _, next_observation, done, next_mask = self.window[-1]
        k = len(self.window)
        discount = self.gamma if self.paper_discount else self.gamma**k
        self.window.popleft()
        return Transition(
            observation, action, float(ret), next_observation, done, discount, next_mask
        )

    def push(self, observation, action, reward, next_observation, done, next_mask,
             episode_over: bool | None = None):  # fmt: skip
        """Add one step; returns the n-step transitions that are complete now. ``done``: no
        bootstrap after this step; ``episode_over`` (default ``done``): flush the window — a
        truncated step that bootstraps ends the episode without being done."""
        self.window.append(
            (observation, int(action), float(reward), next_observation, bool(done), next_mask)
        )
        ready = []
        if len(self.window) == self.n_step:
            ready.append(self._emit())
        if done if episode_over is None else episode_over:
            while self.window:
                ready.append(self._emit())
        return ready


class Batch(NamedTuple):
    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    next_observations: np.ndarray
    dones: np.ndarray
    discounts: np.ndarray
    next_masks: np.ndarray


class ReplayBuffer:
    """Fixed-capacity ring buffer of n-step transitions with uniform sampling."""

    def __init__(self, capacity: int, observation_size: int, n_actions: int) -> None:
        if capacity < 1:
            raise ConfigError(f"replay capacity {capacity} must be >= 1")
        self.capacity = capacity
        self.observations = np.zeros((capacity, observation_size), dtype=np.float32)
        self.next_observations = np.zeros((capacity, observation_size), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.dones = np.zeros(capacity, dtype=np.float32)
        self.discounts = np.zeros(capacity, dtype=np.float32)
        self.next_masks = np.zeros((capacity, n_actions), dtype=bool)
        self.position = 0
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, t: Transition) -> None:
        i = self.position
        self.observations[i], self.actions[i], self.rewards[i] = t.observation, t.action, t.reward
        self.next_observations[i], self.dones[i] = t.next_observation, float(t.done)
        self.discounts[i], self.next_masks[i] = t.discount, t.next_mask
        self.position = (self.position + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        return self.rows(rng.integers(0, self.size, size=batch_size))

    def rows(self, index: np.ndarray) -> Batch:
        """The stored transitions at ``index``."""
        return Batch(
            self.observations[index],
            self.actions[index],
            self.rewards[index],
            self.next_observations[index],
            self.dones[index],
            self.discounts[index],
            self.next_masks[index],
        )

    def state_dict(self) -> dict:
        """The filled part only; observation columns holding only 0 and 1 (the circuit encoding)
        are bit-packed and the others (energy, bond length) kept as floats, so a 20 000 × 1121
        buffer takes ~6 MB, not 180."""
        n = self.size
        state = {k: getattr(self, k)[:n].copy() for k in ("actions", "rewards", "dones")}
        state |= {"discounts": self.discounts[:n].copy(), "next_masks": self.next_masks[:n]}
        for key in ("observations", "next_observations"):
            rows = getattr(self, key)[:n]
            binary = np.all((rows == 0.0) | (rows == 1.0), axis=0)
            state[key + "_binary"] = binary
            state[key + "_bits"] = np.packbits(rows[:, binary] > 0.5, axis=1)
            state[key + "_floats"] = rows[:, ~binary].copy()
        return state | {"position": self.position, "size": n, "capacity": self.capacity}

    def load_state_dict(self, state: dict) -> None:
        if state["capacity"] != self.capacity:
            raise ConfigError(f"replay capacity {state['capacity']} != {self.capacity}")
        n = self.size = int(state["size"])
        self.position = int(state["position"])
        for key in ("actions", "rewards", "dones", "discounts", "next_masks"):
            getattr(self, key)[:n] = state[key]
        for key in ("observations", "next_observations"):
            rows = getattr(self, key)
            if key + "_binary" in state:
                binary = state[key + "_binary"]
                count = int(binary.sum())
                rows[:n, binary] = np.unpackbits(state[key + "_bits"], axis=1, count=count)
                rows[:n, ~binary] = state[key + "_floats"]
            else:  # checkpoints before curve runs: every column but the last (energy) binary
                width = rows.shape[1] - 1
                rows[:n, :-1] = np.unpackbits(state[key + "_bits"], axis=1, count=width)
                rows[:n, -1] = state[key + "_last"]


class PrioritizedReplayBuffer(ReplayBuffer):
    r"""Proportional prioritised replay (Schaul et al. 2016): transition i is drawn with
    probability :math:`P(i) = p_i / \sum_j p_j`, :math:`p_i = (|\delta_i| + 10^{-6})^\alpha`
    from its last TD error (new transitions get the largest priority so far, so each is seen
    at least once), and its loss is weighted by :math:`w_i = (N P(i))^{-\beta} / \max_j w_j`
    to undo the bias of the non-uniform draw. Sampling is O(N) with numpy (a sum tree pays off
    only far beyond the 20 000 transitions kept here)."""

    def __init__(self, capacity: int, observation_size: int, n_actions: int, alpha: float):
        super().__init__(capacity, observation_size, n_actions)
        self.alpha = alpha
        self.priorities = np.zeros(capacity, dtype=np.float64)
        self.largest = 1.0

    def add(self, t: Transition) -> None:
        self.priorities[self.position] = self.largest
        super().add(t)

    def sample_prioritized(self, batch_size: int, rng: np.random.Generator, beta: float):
        """A batch, the indices drawn and their importance weights (largest 1)."""
        p = self.priorities[: self.size] / self.priorities[: self.size].sum()
        index = rng.choice(self.size, size=batch_size, p=p)
        weights = (self.size * p[index]) ** -beta
        return self.rows(index), index, (weights / weights.max()).astype(np.float32)

    def update_priorities(self, index: np.ndarray, td_errors: np.ndarray) -> None:
        priorities = (np.abs(td_errors) + 1e-6) ** self.alpha
        self.priorities[index] = priorities
        self.largest = max(self.largest, float(priorities.max()))

    def state_dict(self) -> dict:
        state = super().state_dict()
        return state | {"priorities": self.priorities[: self.size].copy(), "largest": self.largest}

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.priorities[: self.size] = state["priorities"]
        self.largest = float(state["largest"])


class DemonstrationMemory:
    r"""The agent's own best episodes, kept apart from the ring buffer (self-imitation in the
    manner of DQfD, Hester et al. 2018, with demonstrations the agent found itself).

    Episodes are grouped by their first observation (one group per problem: a run over several
    bond lengths starts each from its own observation) and ranked within a group by the energy
    entry of their last observation (the observation's final entry, raw Ha or relative to start
    and target: lower is better in both), then by length; each group keeps its ``capacity``
    best episodes whole, as the n-step transitions the replay stored, so that a batch can always
    include the best circuits found so far after the ring buffer has overwritten them.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.groups: dict[bytes, list[tuple[float, int, list[Transition]]]] = {}

    def __len__(self) -> int:
        return sum(len(t) for group in self.groups.values() for _, _, t in group)

    def offer(self, transitions: list[Transition]) -> bool:
        """Keep ``transitions`` (one whole episode) if it ranks among its group's best; True if
        kept."""
        if not transitions or self.capacity == 0:
            return False
        start = np.asarray(transitions[0].observation, dtype=np.float32).tobytes()
        group = self.groups.setdefault(start, [])
        key = (float(transitions[-1].next_observation[-1]), len(transitions))
        if len(group) == self.capacity and key >= group[-1][:2]:
            return False
        group.append((*key, list(transitions)))
        group.sort(key=lambda e: e[:2])
        del group[self.capacity :]
        return True

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """``batch_size`` transitions drawn uniformly from every kept episode's."""
        rows = [t for group in self.groups.values() for _, _, ts in group for t in ts]
        picked = [rows[i] for i in rng.integers(0, len(rows), size=batch_size)]
        return Batch(
            np.stack([t.observation for t in picked]).astype(np.float32),
            np.array([t.action for t in picked], dtype=np.int64),
            np.array([t.reward for t in picked], dtype=np.float32),
            np.stack([t.next_observation for t in picked]).astype(np.float32),
            np.array([float(t.done) for t in picked], dtype=np.float32),
            np.array([t.discount for t in picked], dtype=np.float32),
            np.stack([t.next_mask for t in picked]),
        )

    def state_dict(self) -> dict:
        return {
            "groups": [
                [(e, n, [tuple(t) for t in ts]) for e, n, ts in group]
                for group in self.groups.values()
            ]
        }

    def load_state_dict(self, state: dict) -> None:
        self.groups = {}
        for group in state.get("groups", []):
            episodes = [(e, n, [Transition(*t) for t in ts]) for e, n, ts in group]
            start = np.asarray(episodes[0][2][0].observation, dtype=np.float32).tobytes()
            self.groups[start] = episodes
