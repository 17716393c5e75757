"""The agent section of a run configuration: which learner, and its hyperparameters."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.config.sections import _choice, _number_in, flag, positive_int

REPLAYS = ("uniform", "prioritized")
"""How DQN agents draw their batches (``agent.replay``)."""
AGENT_KINDS = ("ddqn", "dqn", "dueling_ddqn", "ppo", "sb3:MaskablePPO")
"""``ddqn``: the paper's double DQN; ``dqn``: the target's own maximum (no double estimator);
``dueling_ddqn``: double DQN with a dueling head :math:`Q = V + A - \bar A`; ``ppo``: masked
proximal policy optimisation (:mod:`workbench.agent.ppo`); ``sb3:MaskablePPO``: sb3-contrib's
MaskablePPO driven step by step (:mod:`workbench.agent.sb3`, the optional ``rl`` extra)."""


@dataclass(frozen=True)
class AgentConfig:
    r"""The agent: ``kind`` and its hyperparameters (§5); defaults are the paper's double DQN
    (5×1000 network, batch 1000). ``ppo`` and ``sb3:MaskablePPO`` read ``hidden``,
    ``learning_rate``, ``gamma``, ``batch_size`` (the minibatch), ``device``, ``threads``,
    ``bootstrap_truncated`` and their own fields (Stable-Baselines3's defaults); the DQN fields
    do not apply to them. Ranges: :data:`COUNTS`, :data:`NUMBER_RANGES`.

    Attributes:
        kind: one of :data:`AGENT_KINDS`: ``ddqn`` (the paper), ``dqn``, ``dueling_ddqn``,
            ``ppo``, ``sb3:MaskablePPO``.
        hidden: hidden layer widths of the network(s).
        dropout: dropout probability after every hidden layer.
        learning_rate: Adam's step size.
        gamma: discount; ``None`` resolves to the paper's :math:`\mathrm{round}(0.005^{1/L}, 2)`.
        n_step: n of the n-step returns.
        paper_discount: bootstrap n-step targets with γ instead of γⁿ (the paper's quirk 3).
        batch_size: transitions per gradient step (PPO: the minibatch).
        memory_size: replay buffer capacity, transitions.
        target_update: gradient steps between target-network copies.
        epsilon_start: ε at the start.
        epsilon_min: the floor of ε.
        epsilon_decay: ε multiplied by this after every gradient step (when
            ``exploration_fraction`` is None; ≈ 60 000 steps to reach 0.05).
        exploration_fraction: ε falls linearly from ``epsilon_start`` to ``epsilon_min`` over
            this fraction of the episode budget, set at the start of every episode (CleanRL's
            linear schedule); ``None`` keeps the paper's decay by ``epsilon_decay``.
        replay_ratio: gradient steps per (non-terminal) environment step, e.g. 0.25 learns on
            every fourth step (Stable-Baselines3's ``train_freq``); the paper's is 1.
        sparse_input: evaluate the first layer from the encoding's non-zero entries only (the
            same network and initial weights, a different storage layout; ≈23 % less time per
            gradient step on H2O-8q's 8801 inputs, none on LiH-4q's 1121).
        mask_targets: the target's argmax over legal actions only; ``False`` over all actions
            (the paper's quirk 4).
        device: ``None`` picks CUDA when present, else CPU; or ``cpu``, ``cuda``, ``cuda:N``.
        threads: torch CPU threads (process-wide); ``None`` picks one for networks under a
            million weights (two OpenMP pools spinning against each other made a 2-core demo
            4× slower) and ``OMP_NUM_THREADS`` or every core for larger ones.
        bootstrap_truncated: a transition cut by the step cap or random halting bootstraps from
            its next state, as SB3 and CleanRL do; ``False`` (the paper's code) stores it as
            terminal.
        self_imitation: λ > 0 keeps the agent's ``demonstrations`` best episodes (lowest final
            energy) apart from the replay, draws a quarter of every batch from them and adds
            λ × DQfD's large-margin loss on their actions (:mod:`workbench.agent.dqn`); 0 (the
            paper) turns it off.
        demonstrations: best episodes kept per starting observation for ``self_imitation``.
        replay: ``uniform`` (the paper) or ``prioritized`` (proportional prioritised replay,
            Schaul et al. 2016; :class:`workbench.agent.replay.PrioritizedReplayBuffer`).
        priority_exponent: α of prioritised replay (priority :math:`|\delta|^\alpha`).
        importance_exponent: β at the start of prioritised replay's importance weights, rising
            linearly to 1 over the episode budget.
        rollout_steps: PPO: environment steps per update.
        update_epochs: PPO: passes over each rollout.
        clip_coefficient: PPO: ε of the clipped probability ratio.
        gae_lambda: PPO: λ of the generalised advantage estimates.
        entropy_coefficient: PPO: weight of the entropy bonus in the loss.
        value_coefficient: PPO: weight of the value loss.
        max_grad_norm: PPO: gradient clipping norm.
    """

    kind: str = "ddqn"
    hidden: tuple[int, ...] = (1000,) * 5
    dropout: float = 0.0
    learning_rate: float = 1e-4
    gamma: float | None = None
    n_step: int = 1
    paper_discount: bool = False
    batch_size: int = 1000
    memory_size: int = 20000
    target_update: int = 500
    epsilon_start: float = 1.0
    epsilon_min: float = 0.05
    epsilon_decay: float = 0.99995
    exploration_fraction: float | None = None
    replay_ratio: float = 1.0
    sparse_input: bool = False
    mask_targets: bool = True
    device: str | None = None
    threads: int | None = None
    bootstrap_truncated: bool = False
    self_imitation: float = 0.0
    demonstrations: int = 4
    replay: str = "uniform"
    priority_exponent: float = 0.6
    importance_exponent: float = 0.4
    rollout_steps: int = 256
    update_epochs: int = 10
    clip_coefficient: float = 0.2
    gae_lambda: float = 0.95
    entropy_coefficient: float = 0.0
    value_coefficient: float = 0.5
    max_grad_norm: float = 0.5

    def __post_init__(self) -> None:
        _choice("agent.kind", self.kind, AGENT_KINDS)
        _choice("agent.replay", self.replay, REPLAYS)
        if self.device is not None:
            _choice("agent.device", self.device, ("cpu", "cuda"))
        object.__setattr__(self, "hidden", tuple(self.hidden))
        for width in self.hidden:
            positive_int("agent.hidden", width)
        for name in FLAGS:
            flag(f"agent.{name}", getattr(self, name))
        for name in COUNTS:
            if getattr(self, name) is not None:
                positive_int(f"agent.{name}", getattr(self, name))
        positive_int("agent.memory_size", self.memory_size, minimum=self.batch_size)
        for name, (low, high, open_low) in NUMBER_RANGES.items():
            if getattr(self, name) is not None:
                _number_in(f"agent.{name}", getattr(self, name), low, high, open_low)
        _number_in("agent.epsilon_min", self.epsilon_min, 0.0, self.epsilon_start)


FLAGS = ("paper_discount", "sparse_input", "mask_targets", "bootstrap_truncated")
"""The yes/no fields of :class:`AgentConfig`."""
COUNTS = ("threads", "n_step", "batch_size", "target_update", "demonstrations", "rollout_steps",
          "update_epochs")  # fmt: skip
"""The fields of :class:`AgentConfig` that are counts ≥ 1 (``threads``: or null)."""
NUMBER_RANGES = {
    "dropout": (0.0, 1.0, False),
    "learning_rate": (0.0, 1.0, True),
    "gamma": (0.0, 1.0, False),
    "epsilon_decay": (0.0, 1.0, True),
    "epsilon_start": (0.0, 1.0, False),
    "exploration_fraction": (0.0, 1.0, True),
    "replay_ratio": (0.0, 64.0, True),
    "self_imitation": (0.0, 100.0, False),
    "priority_exponent": (0.0, 1.0, False),
    "importance_exponent": (0.0, 1.0, False),
    "clip_coefficient": (0.0, 1.0, True),
    "gae_lambda": (0.0, 1.0, False),
    "entropy_coefficient": (0.0, 10.0, False),
    "value_coefficient": (0.0, 10.0, False),
    "max_grad_norm": (0.0, 1e6, True),
}
"""Allowed ranges ``(low, high, low excluded)`` of the numeric fields of :class:`AgentConfig`
(``gamma`` and ``exploration_fraction``: or null); ``epsilon_min`` lies in [0, epsilon_start]."""


def paper_gamma(max_steps: int, final_gamma: float = 0.005) -> float:
    """The paper's γ = round(final_gamma^(1/L), 2): 0.88 for L=40, 0.93 for 70, 0.98 for 250."""
    return round(final_gamma ** (1 / max_steps), 2)
