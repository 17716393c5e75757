r"""sb3-contrib's MaskablePPO behind the workbench's agent protocol (``agent.kind =
"sb3:MaskablePPO"``; the optional ``rl`` extra): its own policy network, rollout buffer and
``train()``, driven one step at a time by the workbench's trainer, so that it gets run folders,
exact resume, greedy test episodes, the panel, reports and sweeps like any other kind.

A Stable-Baselines3 algorithm normally owns its loop (``learn()`` calls ``env.step``). This
adapter replays what ``MaskablePPO.collect_rollouts`` does for one environment — ``act`` runs the
policy with the action mask, ``observe`` adds the step to the rollout buffer (with SB3's timeout
rule: a step cut by the step cap or halting adds :math:`\gamma V(s')` to its reward when
``agent.bootstrap_truncated`` is set; otherwise it counts as terminal) — and, once the buffer
holds ``rollout_steps`` steps, computes the last value, GAE and calls the algorithm's own
``train()``. Hyperparameters come from the same fields as the workbench's ``ppo``
(``rollout_steps`` → ``n_steps``, ``batch_size``, ``update_epochs`` → ``n_epochs``, ``gamma``,
``gae_lambda``, ``clip_coefficient`` → ``clip_range``, ``entropy_coefficient`` → ``ent_coef``,
``value_coefficient`` → ``vf_coef``, ``max_grad_norm``, ``learning_rate``, ``hidden`` →
``net_arch``).

Checkpoints hold the policy, its Adam state, the half-filled rollout buffer, SB3's counters and
the random states SB3 draws from — torch's and numpy's *global* generator (its buffer shuffles
with ``np.random.permutation``), which the adapter therefore seeds and restores.
"""

from __future__ import annotations

import copy

import gymnasium
import numpy as np
import torch

from workbench.agent.base import Experience, require_gamma
from workbench.agent.torch_setup import select_device, set_threads
from workbench.config import AgentConfig
from workbench.errors import ConfigError

BUFFER_FIELDS = ("observations", "actions", "rewards", "episode_starts", "values", "log_probs",
                 "action_masks", "returns", "advantages")  # fmt: skip


class _Spaces(gymnasium.Env):
    """The spaces SB3 builds its networks and buffer from; never stepped."""

    def __init__(self, observation_size: int, n_actions: int) -> None:
        shape = (observation_size,)
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, shape, np.float32)
        self.action_space = gymnasium.spaces.Discrete(n_actions)

    def action_masks(self) -> np.ndarray:
        return np.ones(self.action_space.n, dtype=bool)


def _maskable_ppo():
    try:
        from sb3_contrib import MaskablePPO
        from stable_baselines3.common.logger import Logger
    except ImportError:
        raise ConfigError(
            "agent.kind='sb3:MaskablePPO' needs the optional rl extra (stable-baselines3 and "
            "sb3-contrib): pip install -c constraints.txt -e .[rl]"
        ) from None
    return MaskablePPO, Logger


class MaskablePPOAdapter:
    """sb3-contrib's MaskablePPO as an :class:`workbench.agent.base.Agent`."""

    def __init__(self, observation_size: int, n_actions: int, settings: AgentConfig,
                 seed: int = 0, episodes: int | None = None) -> None:  # fmt: skip
        require_gamma(settings)
        MaskablePPO, Logger = _maskable_ppo()
        s, self.settings = settings, settings
        self.model = MaskablePPO(
            "MlpPolicy", _Spaces(observation_size, n_actions), learning_rate=s.learning_rate,
            n_steps=s.rollout_steps, batch_size=min(s.batch_size, s.rollout_steps),
            n_epochs=s.update_epochs, gamma=s.gamma, gae_lambda=s.gae_lambda,
            clip_range=s.clip_coefficient, ent_coef=s.entropy_coefficient,
            vf_coef=s.value_coefficient, max_grad_norm=s.max_grad_norm,
            policy_kwargs={"net_arch": list(s.hidden)}, seed=seed, device=select_device(s),
        )  # fmt: skip
        self.model.set_logger(Logger(folder=None, output_formats=[]))
        self.policy, self.buffer = self.model.policy, self.model.rollout_buffer
        set_threads(s, self.model.device, sum(p.numel() for p in self.policy.parameters()))
        self.buffer.reset()
        self.pending: tuple | None = None  # (mask, value, log π) of the last training act
        self.episode_start = True

    def begin_episode(self, episode: int) -> None:
        """Nothing to schedule per episode."""

    def act(self, observation: np.ndarray, mask: np.ndarray, greedy: bool = False) -> int:
        """The policy's masked sample (its most likely legal action when ``greedy``)."""
        if not np.any(mask):
            raise ConfigError("no legal action left")
        self.policy.set_training_mode(False)
        with torch.no_grad():
            tensor = self.policy.obs_to_tensor(observation[None, :])[0]
            action, value, log_prob = self.policy(
                tensor, deterministic=greedy, action_masks=np.asarray(mask)[None, :]
            )
        if not greedy:
            self.pending = (np.asarray(mask, dtype=bool), value, log_prob)
        return int(action.cpu().numpy().reshape(-1)[0])

    def observe(self, experience: Experience) -> float | None:
        """Add the step to the rollout buffer; train when it is full (mean loss, else None)."""
        if self.pending is None:
            raise ConfigError("observe needs the step's own act(...) first (a training step)")
        e, (mask, value, log_prob) = experience, self.pending
        reward = e.reward
        if e.episode_over and not e.cuts_bootstrap(self.settings.bootstrap_truncated):
            with torch.no_grad():
                after = self.policy.obs_to_tensor(e.next_observation[None, :])[0]
                reward += self.model.gamma * float(self.policy.predict_values(after)[0, 0])
        done = e.episode_over
        self.buffer.add(
            e.observation[None, :], np.array([[e.action]]), np.array([reward], np.float32),
            np.array([self.episode_start]), value, log_prob, action_masks=mask[None, :],
        )  # fmt: skip
        self.pending, self.episode_start = None, done
        self.model.num_timesteps += 1
        if not self.buffer.full:
            return None
        with torch.no_grad():
            after = self.policy.obs_to_tensor(e.next_observation[None, :])[0]
            last_values = self.policy.predict_values(after)
        self.buffer.compute_returns_and_advantage(last_values=last_values, dones=np.array([done]))
        self.model.train()
        loss = float(self.model.logger.name_to_value.get("train/loss", np.nan))
        self.buffer.reset()
        return loss

    def statistics(self) -> dict[str, float | None]:
        return {"epsilon": None, "updates": float(self.model._n_updates)}

    def state_dict(self) -> dict:
        """Policy, Adam, the half-filled rollout buffer, counters and the global generators."""
        buffer = {k: getattr(self.buffer, k).copy() for k in BUFFER_FIELDS}
        return {
            "policy": self.policy.state_dict(),
            "optimizer": self.policy.optimizer.state_dict(),
            "buffer": buffer | {"pos": self.buffer.pos, "full": self.buffer.full},
            "episode_start": self.episode_start,
            "num_timesteps": self.model.num_timesteps,
            "n_updates": self.model._n_updates,
            "numpy_global_rng": np.random.get_state(),
            "torch_rng": torch.get_rng_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.policy.load_state_dict(state["policy"])
        self.policy.optimizer.load_state_dict(copy.deepcopy(state["optimizer"]))
        for key in BUFFER_FIELDS:
            getattr(self.buffer, key)[...] = state["buffer"][key]
        self.buffer.pos, self.buffer.full = state["buffer"]["pos"], state["buffer"]["full"]
        self.episode_start = state["episode_start"]
        self.model.num_timesteps = state["num_timesteps"]
        self.model._n_updates = state["n_updates"]
        np.random.set_state(state["numpy_global_rng"])
        torch.set_rng_state(state["torch_rng"])
