r"""DQN agents with n-step returns and illegal-action masks (spec §5): ``agent.kind`` ``ddqn``
(the paper's double DQN), ``dqn`` and ``dueling_ddqn``.

Target for a stored n-step transition (explicit ``discount``, see :mod:`workbench.agent.replay`):

.. math::
    y = R + \text{discount}\cdot(1-\text{done})\,
        Q_{\text{target}}\big(s', \arg\max_{a \in \mathcal{A}(s')} Q_{\text{policy}}(s', a)\big)

(double DQN; ``dqn`` takes the argmax of :math:`Q_{\text{target}}` itself) with the argmax over
the legal actions of :math:`s'` (``mask_targets=True``; the paper's code took it over all
actions, quirk 4). ``done`` is the step's ``terminated``, and with ``bootstrap_truncated=False``
(the paper's code) its ``truncated`` too. ``dueling_ddqn`` splits the last layer into a value
and an advantage head, :math:`Q(s,a) = V(s) + A(s,a) - \tfrac1{|\mathcal A|}\sum_b A(s,b)`
(Wang et al. 2016). Loss: Huber (SmoothL1, β=1), each row weighted by its importance weight
under prioritised replay (``agent.replay``), whose priorities follow the rows' TD errors; Adam;
hard target copies every ``target_update`` gradient steps; ε-greedy exploration among legal
actions, ε multiplied by ``epsilon_decay`` after every gradient step (the paper's schedule,
quirk 5), or, with ``exploration_fraction`` f and a budget of N episodes, set per episode e to
:math:`\max(\varepsilon_{\min}, \varepsilon_0 + (\varepsilon_{\min}-\varepsilon_0)\,e/(fN))`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from workbench.agent.base import Experience, require_gamma
from workbench.agent.replay import (
    Batch,
    DemonstrationMemory,
    NStepAccumulator,
    PrioritizedReplayBuffer,
    ReplayBuffer,
    Transition,
)
from workbench.agent.torch_setup import select_device, set_threads
from workbench.config import AgentConfig
from workbench.errors import ConfigError


class SparseInputLinear(nn.Module):
    r"""The map of ``nn.Linear`` (:math:`y = Wx + b`, same initialisation), evaluated from the
    non-zero entries of :math:`x` only, as a weighted embedding-bag sum
    :math:`y = b + \sum_{i: x_i \ne 0} x_i W_{:,i}`.

    The circuit encoding is almost all zeros (a few dozen ones among :math:`L n (n+3)` entries),
    so the first layer costs O(non-zeros × width) instead of O(inputs × width): for H2O-8q
    (8801 inputs, width 512, batch 128, fused Adam) a gradient step fell from ≈115 ms to
    ≈89 ms (docs/implementation-notes.md). The weight is stored transposed,
    ``(in_features, out_features)``.
    """

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        dense = nn.Linear(in_features, out_features)  # the same initial values as nn.Linear
        self.weight = nn.Parameter(dense.weight.detach().T.contiguous())
        self.bias = nn.Parameter(dense.bias.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows, cols = x.nonzero(as_tuple=True)
        counts = torch.bincount(rows, minlength=x.shape[0])
        offsets = torch.cumsum(counts, 0) - counts
        summed = nn.functional.embedding_bag(
            cols, self.weight, offsets, mode="sum", per_sample_weights=x[rows, cols]
        )
        return summed + self.bias


def q_network(
    observation_size: int,
    n_actions: int,
    hidden: Sequence[int],
    dropout: float = 0.0,
    sparse_input: bool = False,
    dueling: bool = False,
) -> nn.Sequential:
    """MLP: ``Linear → LeakyReLU(0.01) → Dropout`` per hidden layer, then a linear output (a
    :class:`DuelingHead` with ``dueling``); with ``sparse_input`` the first layer is a
    :class:`SparseInputLinear` (the same function)."""
    layers: list[nn.Module] = []
    width = observation_size
    for size in hidden:
        first = sparse_input and not layers
        linear = SparseInputLinear(width, size) if first else nn.Linear(width, size)
        layers += [linear, nn.LeakyReLU(0.01), nn.Dropout(dropout)]
        width = size
    layers.append(DuelingHead(width, n_actions) if dueling else nn.Linear(width, n_actions))
    return nn.Sequential(*layers)


class DuelingHead(nn.Module):
    r""":math:`Q = V + A - \operatorname{mean}_a A` from a shared feature vector."""

    def __init__(self, width: int, n_actions: int) -> None:
        super().__init__()
        self.value, self.advantage = nn.Linear(width, 1), nn.Linear(width, n_actions)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        advantage = self.advantage(features)
        return self.value(features) + advantage - advantage.mean(dim=-1, keepdim=True)


def masked_argmax(q_values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Argmax over the last axis among ``mask``-True entries (all entries if none is legal)."""
    any_legal = mask.any(dim=-1, keepdim=True)
    mask = torch.where(any_legal, mask, torch.ones_like(mask))
    return torch.where(mask, q_values, torch.full_like(q_values, -torch.inf)).argmax(dim=-1)


def double_dqn_targets(
    rewards, discounts, dones, next_q_policy, next_q_target, next_masks, mask_targets: bool = True
) -> torch.Tensor:
    """The double-DQN target ``y`` for a batch (all arguments are tensors); pass the target
    network's values as ``next_q_policy`` too for the plain DQN target."""
    if mask_targets:
        best = masked_argmax(next_q_policy, next_masks)
    else:
        best = next_q_policy.argmax(dim=-1)
    bootstrap = next_q_target.gather(1, best[:, None]).squeeze(1)
    return rewards + discounts * (1.0 - dones) * bootstrap


def large_margin_loss(q_values: torch.Tensor, actions: torch.Tensor, margin: float):
    r"""DQfD's supervised loss on demonstrated actions :math:`a_E`,
    :math:`\max_a [Q(s,a) + m\,[a \ne a_E]] - Q(s,a_E)` averaged over the batch: zero once the
    demonstrated action's value exceeds every other by the margin ``m``, so that the greedy
    policy follows the demonstration where it has seen it."""
    penalty = torch.full_like(q_values, margin)
    penalty.scatter_(1, actions[:, None], 0.0)
    chosen = q_values.gather(1, actions[:, None]).squeeze(1)
    return ((q_values + penalty).max(dim=1).values - chosen).mean()


DEMO_MARGIN = 0.8
"""The margin of :func:`large_margin_loss` (DQfD's value, in reward units: the success reward
is 5)."""
DEMO_SHARE = 0.25
"""The share of every batch drawn from the demonstrations under self-imitation."""


class DoubleDQN:
    """Masked ε-greedy DQN agent with an n-step replay buffer (torch; CPU or CUDA): double DQN,
    plain DQN or dueling double DQN by ``settings.kind``; an :class:`workbench.agent.base.Agent`."""

    def __init__(
        self,
        observation_size: int,
        n_actions: int,
        settings: AgentConfig,
        seed: int = 0,
        episodes: int | None = None,
    ) -> None:
        require_gamma(settings)
        self.settings = settings
        self.n_actions = n_actions
        self.device = select_device(settings)
        torch.manual_seed(seed)
        network = (observation_size, n_actions, settings.hidden, settings.dropout)
        dueling = settings.kind == "dueling_ddqn"
        options = {"sparse_input": settings.sparse_input, "dueling": dueling}
        self.policy = q_network(*network, **options)
        self.target = q_network(*network, **options)
        self.policy.to(self.device)
        self.target.to(self.device)
        self.target.load_state_dict(self.policy.state_dict())
        set_threads(settings, self.device, sum(p.numel() for p in self.policy.parameters()))
        self.optimizer = torch.optim.Adam(
            self.policy.parameters(), lr=settings.learning_rate, fused=True
        )
        if settings.replay == "prioritized":
            self.memory = PrioritizedReplayBuffer(
                settings.memory_size, observation_size, n_actions, settings.priority_exponent
            )
        else:
            self.memory = ReplayBuffer(settings.memory_size, observation_size, n_actions)
        self.beta = settings.importance_exponent
        self.demonstrations = DemonstrationMemory(
            settings.demonstrations if settings.self_imitation > 0 else 0
        )
        self.episode_transitions: list = []
        self.n_step = NStepAccumulator(settings.n_step, settings.gamma, settings.paper_discount)
        self.rng = np.random.default_rng(seed)
        self.epsilon = settings.epsilon_start
        self.gradient_steps = 0
        self.replay_credit = 0.0
        self.episodes = episodes
        if settings.exploration_fraction is not None and not episodes:
            raise ConfigError("agent.exploration_fraction needs the episode budget (episodes)")

    def begin_episode(self, episode: int) -> None:
        """Set ε for training episode ``episode`` (per-episode linear schedule only) and the
        importance exponent β of prioritised replay (linear to 1 over the budget)."""
        s = self.settings
        if self.episodes:
            fraction = min(1.0, episode / self.episodes)
            self.beta = s.importance_exponent + (1.0 - s.importance_exponent) * fraction
        if s.exploration_fraction is None:
            return
        progress = episode / (s.exploration_fraction * self.episodes)
        span = s.epsilon_min - s.epsilon_start
        self.epsilon = max(s.epsilon_min, s.epsilon_start + span * progress)

    def act(self, observation: np.ndarray, mask: np.ndarray, greedy: bool = False) -> int:
        """ε-greedy among the legal actions (``mask`` True); greedy ignores ε."""
        legal = np.flatnonzero(mask)
        if legal.size == 0:
            raise ConfigError("no legal action left")
        if not greedy and self.rng.random() < self.epsilon:
            return int(self.rng.choice(legal))
        with torch.no_grad():
            q = self.policy(torch.as_tensor(observation, device=self.device)[None, :])
        return int(masked_argmax(q, torch.as_tensor(mask, device=self.device)[None, :])[0])

    def observe(self, experience: Experience) -> float | None:
        """Store the step (through the n-step window) and, unless it ended the episode (the
        paper's schedule), learn; the mean loss of the gradient steps taken, or None."""
        e = experience
        done = e.cuts_bootstrap(self.settings.bootstrap_truncated)
        for transition in self.n_step.push(
            e.observation, e.action, e.reward, e.next_observation, done, e.next_mask,
            episode_over=e.episode_over,
        ):  # fmt: skip
            self.memory.add(transition)
            self.episode_transitions.append(transition)
        if e.episode_over:
            self.demonstrations.offer(self.episode_transitions)
            self.episode_transitions = []
            return None
        return self.learn()

    def statistics(self) -> dict[str, float | None]:
        return {"epsilon": self.epsilon, "gradient_steps": float(self.gradient_steps)}

    def learn(self) -> float | None:
        """Called once per environment step: ``replay_ratio`` gradient steps on average (credit
        accumulates), once the memory holds more than a batch; returns the mean loss or None."""
        if len(self.memory) <= self.settings.batch_size:
            return None
        self.replay_credit += self.settings.replay_ratio
        losses = []
        while self.replay_credit >= 1.0:
            self.replay_credit -= 1.0
            losses.append(self.gradient_step())
        return float(np.mean(losses)) if losses else None

    def gradient_step(self) -> float:
        """One gradient step on a uniform batch (with a share of demonstrations under
        self-imitation); returns the loss."""
        s = self.settings
        if self.gradient_steps % s.target_update == 0:
            self.target.load_state_dict(self.policy.state_dict())
        batch, weights, index, n_demo = self._batch()
        tensor = {k: torch.as_tensor(v, device=self.device) for k, v in batch._asdict().items()}
        with torch.no_grad():
            next_target = self.target(tensor["next_observations"])
            choose = next_target if s.kind == "dqn" else self.policy(tensor["next_observations"])
            targets = double_dqn_targets(
                tensor["rewards"],
                tensor["discounts"],
                tensor["dones"],
                choose,
                next_target,
                tensor["next_masks"],
                s.mask_targets,
            )
        q_all = self.policy(tensor["observations"])
        q = q_all.gather(1, tensor["actions"][:, None]).squeeze(1)
        if weights is None:
            loss = nn.functional.smooth_l1_loss(q, targets)
        else:  # importance weights of the prioritised rows, 1 for the demonstrations
            rows = np.concatenate([weights, np.ones(n_demo, np.float32)])
            losses = nn.functional.smooth_l1_loss(q, targets, reduction="none")
            loss = (losses * torch.as_tensor(rows, device=self.device)).mean()
            errors = (targets - q).detach()[: len(index)].cpu().numpy()
            self.memory.update_priorities(index, errors)
        if n_demo:
            demo = slice(len(q) - n_demo, None)
            margin = large_margin_loss(q_all[demo], tensor["actions"][demo], DEMO_MARGIN)
            loss = loss + s.self_imitation * margin
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.gradient_steps += 1
        if s.exploration_fraction is None:
            self.epsilon = max(self.epsilon * s.epsilon_decay, s.epsilon_min)
        return float(loss.detach())

    def _batch(self) -> tuple[Batch, np.ndarray | None, np.ndarray | None, int]:
        """A replay batch (uniform, or prioritised with its importance weights and indices);
        under self-imitation its last ``DEMO_SHARE`` rows are drawn from the demonstrations
        instead (how many: the last value)."""
        size = self.settings.batch_size
        n_demo = round(DEMO_SHARE * size) if len(self.demonstrations) else 0
        weights = index = None
        if isinstance(self.memory, PrioritizedReplayBuffer):
            batch, index, weights = self.memory.sample_prioritized(
                size - n_demo, self.rng, self.beta
            )
        else:
            batch = self.memory.sample(size - n_demo, self.rng)
        if n_demo:
            demo = self.demonstrations.sample(n_demo, self.rng)
            batch = Batch(*(np.concatenate(pair) for pair in zip(batch, demo, strict=True)))
        return batch, weights, index, n_demo

    def state_dict(self) -> dict:
        """Everything needed to continue exactly: networks, Adam, replay, ε, counters, RNGs."""
        return {
            "policy": self.policy.state_dict(),
            "target": self.target.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "memory": self.memory.state_dict(),
            "n_step_window": list(self.n_step.window),
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "epsilon": self.epsilon,
            "gradient_steps": self.gradient_steps,
            "replay_credit": self.replay_credit,
            "beta": self.beta,
            "demonstrations": self.demonstrations.state_dict(),
            "episode_transitions": [tuple(t) for t in self.episode_transitions],
        }

    def load_state_dict(self, state: dict) -> None:
        self.policy.load_state_dict(state["policy"])
        self.target.load_state_dict(state["target"])
        # Adam keeps tensors it is given: copy, so two agents never share moment estimates.
        self.optimizer.load_state_dict(copy.deepcopy(state["optimizer"]))
        self.memory.load_state_dict(state["memory"])
        self.n_step.window.clear()
        self.n_step.window.extend(state["n_step_window"])
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        self.epsilon = state["epsilon"]
        self.gradient_steps = state["gradient_steps"]
        self.replay_credit = state.get("replay_credit", 0.0)
        self.beta = state.get("beta", self.settings.importance_exponent)
        self.demonstrations.load_state_dict(state.get("demonstrations", {}))
        self.episode_transitions = [
            Transition(*t) for t in state.get("episode_transitions", [])
        ]
