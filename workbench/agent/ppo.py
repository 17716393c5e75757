r"""Proximal policy optimisation with illegal-action masks (``agent.kind = "ppo"``), read top to
bottom as CleanRL's ``ppo.py``; the defaults are Stable-Baselines3's (:class:`AgentConfig`).

**Networks.** An actor MLP gives logits :math:`z(s)` and a separate critic MLP the value
:math:`V(s)` (``hidden`` widths each, LeakyReLU as the DQN's). Illegal actions get the logit
:math:`-10^8` (sb3-contrib's ``MaskableCategorical``), so the policy
:math:`\pi(a|s) = \mathrm{softmax}(z)_a` never picks them and they add nothing to its entropy.

**Rollout.** ``act`` samples :math:`a \sim \pi(\cdot|s)` (greedy test episodes take its
argmax); ``observe`` stores each training step, across episode ends, and after
``rollout_steps`` of them the agent updates and starts a new rollout.

**Advantages** (GAE, Schulman et al. 2016), with ``terminated`` cutting the bootstrap and any
episode end cutting the chain:

.. math::
    \delta_t = r_t + \gamma (1 - \text{terminated}_t) V(s'_t) - V(s_t), \qquad
    A_t = \delta_t + \gamma\lambda (1 - \text{ended}_t) A_{t+1}

where :math:`s'_t` is the step's own next observation — for a step cut by the step cap or random
halting that is the real last observation, whose value bootstraps (``bootstrap_truncated``; with
``False``, the paper's choice for its DQN, a truncated step counts as terminated). Returns
:math:`R_t = A_t + V(s_t)`.

**Update.** ``update_epochs`` passes over the rollout in shuffled minibatches of ``batch_size``,
advantages normalised per minibatch, minimising the clipped surrogate plus value and entropy
terms (Schulman et al. 2017):

.. math::
    L = -\mathbb E\big[\min(\rho A, \operatorname{clip}(\rho, 1-\epsilon, 1+\epsilon) A)\big]
        + c_V\,\mathbb E\big[\tfrac12 (V(s) - R)^2\big] - c_H\,\mathbb E[H(\pi(\cdot|s))],
    \qquad \rho = \pi(a|s) / \pi_{\text{old}}(a|s)

with Adam (ε = 1e-5) and gradients clipped to norm ``max_grad_norm``.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from workbench.agent.base import Experience, require_gamma
from workbench.agent.dqn import q_network
from workbench.agent.torch_setup import select_device, set_threads
from workbench.config import AgentConfig
from workbench.errors import ConfigError

ILLEGAL_LOGIT = -1e8
"""The logit of an illegal action: probability 0, no NaN in the entropy (unlike −∞)."""
FIELDS = ("observations", "masks", "actions", "log_probs", "values", "rewards",
          "next_observations", "terminated", "ended")  # fmt: skip
"""What the rollout keeps per step."""


def masked_logits(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    return torch.where(masks, logits, torch.full_like(logits, ILLEGAL_LOGIT))


def generalized_advantages(rewards, values, next_values, terminated, ended, gamma, lam):
    """GAE over one rollout (numpy arrays in step order; see the module docstring)."""
    advantages = np.zeros(len(rewards), dtype=np.float64)
    following = 0.0
    for t in reversed(range(len(rewards))):
        delta = rewards[t] + gamma * (1.0 - terminated[t]) * next_values[t] - values[t]
        following = delta + gamma * lam * (1.0 - ended[t]) * following
        advantages[t] = following
    return advantages


class PPO:
    """Masked PPO with GAE; an :class:`workbench.agent.base.Agent`."""

    def __init__(self, observation_size: int, n_actions: int, settings: AgentConfig,
                 seed: int = 0, episodes: int | None = None) -> None:  # fmt: skip
        require_gamma(settings)
        self.settings, self.n_actions = settings, n_actions
        self.device = select_device(settings)
        torch.manual_seed(seed)
        self.actor = q_network(observation_size, n_actions, settings.hidden).to(self.device)
        self.critic = q_network(observation_size, 1, settings.hidden).to(self.device)
        weights = sum(p.numel() for p in self.parameters())
        set_threads(settings, self.device, weights)
        self.optimizer = torch.optim.Adam(self.parameters(), lr=settings.learning_rate, eps=1e-5)
        self.rng = np.random.default_rng(seed)
        self.rollout: dict[str, list] = {k: [] for k in FIELDS}
        self.pending: tuple | None = None  # (mask, log π(a|s), V(s)) of the last act
        self.updates = 0

    def parameters(self):
        return [*self.actor.parameters(), *self.critic.parameters()]

    def begin_episode(self, episode: int) -> None:
        """Nothing to schedule per episode."""

    def act(self, observation: np.ndarray, mask: np.ndarray, greedy: bool = False) -> int:
        """A sample of the masked policy (its argmax when ``greedy``)."""
        if not np.any(mask):
            raise ConfigError("no legal action left")
        with torch.no_grad():
            x = torch.as_tensor(observation, device=self.device)[None, :]
            legal = torch.as_tensor(mask, device=self.device)[None, :]
            logits = masked_logits(self.actor(x), legal)[0]
            if greedy:
                return int(logits.argmax())
            log_probs = torch.log_softmax(logits.double(), dim=-1).cpu().numpy()
            value = float(self.critic(x)[0, 0])
        probabilities = np.exp(log_probs)
        action = int(self.rng.choice(self.n_actions, p=probabilities / probabilities.sum()))
        self.pending = (np.asarray(mask, dtype=bool), float(log_probs[action]), value)
        return action

    def observe(self, experience: Experience) -> float | None:
        """Store the step; after ``rollout_steps`` of them, update and return the mean loss."""
        if self.pending is None:
            raise ConfigError("PPO.observe needs the step's own act(...) first (a training step)")
        e, (mask, log_prob, value) = experience, self.pending
        terminated = e.cuts_bootstrap(self.settings.bootstrap_truncated)
        row = (e.observation, mask, e.action, log_prob, value, e.reward, e.next_observation,
               float(terminated), float(e.episode_over))  # fmt: skip
        for key, item in zip(FIELDS, row, strict=True):
            self.rollout[key].append(item)
        self.pending = None
        if len(self.rollout["actions"]) < self.settings.rollout_steps:
            return None
        loss = self.update()
        self.rollout = {k: [] for k in FIELDS}
        return loss

    def update(self) -> float:
        """``update_epochs`` passes of clipped-surrogate minibatch steps over the rollout."""
        s, r = self.settings, self.rollout
        tensor = {
            k: torch.as_tensor(np.asarray(r[k]), device=self.device)
            for k in ("observations", "masks", "actions", "next_observations")
        }
        with torch.no_grad():
            next_values = self.critic(tensor["next_observations"].float())[:, 0].cpu().numpy()
        values = np.asarray(r["values"])
        advantages = generalized_advantages(
            np.asarray(r["rewards"]), values, next_values, np.asarray(r["terminated"]),
            np.asarray(r["ended"]), s.gamma, s.gae_lambda,
        )  # fmt: skip
        returns = torch.as_tensor(advantages + values, dtype=torch.float32, device=self.device)
        advantages = torch.as_tensor(advantages, dtype=torch.float32, device=self.device)
        old_log_probs = torch.as_tensor(r["log_probs"], dtype=torch.float32, device=self.device)
        losses = []
        for _ in range(s.update_epochs):
            order = self.rng.permutation(len(values))
            for start in range(0, len(order), s.batch_size):
                index = torch.as_tensor(order[start : start + s.batch_size], device=self.device)
                batch = {k: v[index] for k, v in tensor.items()}
                loss = self._loss(batch, old_log_probs[index], advantages[index], returns[index])
                self.optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.parameters(), s.max_grad_norm)
                self.optimizer.step()
                losses.append(float(loss.detach()))
        self.updates += 1
        return float(np.mean(losses))

    def _loss(self, batch, old_log_probs, advantages, returns) -> torch.Tensor:
        s = self.settings
        observations = batch["observations"].float()
        logits = masked_logits(self.actor(observations), batch["masks"])
        distribution = torch.distributions.Categorical(logits=logits)
        ratio = torch.exp(distribution.log_prob(batch["actions"]) - old_log_probs)
        if len(advantages) > 1:
            advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        clipped = torch.clamp(ratio, 1 - s.clip_coefficient, 1 + s.clip_coefficient)
        policy_loss = -torch.min(ratio * advantages, clipped * advantages).mean()
        value_loss = 0.5 * ((self.critic(observations)[:, 0] - returns) ** 2).mean()
        entropy = distribution.entropy().mean()
        return policy_loss + s.value_coefficient * value_loss - s.entropy_coefficient * entropy

    def statistics(self) -> dict[str, float | None]:
        return {"epsilon": None, "updates": float(self.updates)}

    def state_dict(self) -> dict:
        """Networks, Adam, the unfinished rollout, the generators and counters."""
        return {
            "actor": self.actor.state_dict(),
            "critic": self.critic.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "rollout": copy.deepcopy(self.rollout),
            "rng": self.rng.bit_generator.state,
            "torch_rng": torch.get_rng_state(),
            "updates": self.updates,
        }

    def load_state_dict(self, state: dict) -> None:
        self.actor.load_state_dict(state["actor"])
        self.critic.load_state_dict(state["critic"])
        self.optimizer.load_state_dict(copy.deepcopy(state["optimizer"]))
        self.rollout = copy.deepcopy(state["rollout"])
        self.rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        self.updates = state["updates"]
