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
    """The agent: ``kind`` (:data:`AGENT_KINDS`) and its hyperparameters (§5); defaults are the
    paper's double DQN (5×1000 network, batch 1000).

    ``gamma=None`` resolves to the paper's :math:`\\mathrm{round}(0.005^{1/L}, 2)`.
    ``paper_discount`` bootstraps n-step targets with γ instead of γⁿ (quirk 3);
    ``mask_targets=False`` takes the target's argmax over all actions (quirk 4).
    ``exploration_fraction``: ε falls linearly from ``epsilon_start`` to ``epsilon_min`` over
    this fraction of the episode budget, set at the start of every episode (CleanRL's linear
    schedule; scales with ``episodes``); ``None`` keeps the paper's decay by ``epsilon_decay``
    after every gradient step (≈ 60 000 steps to reach 0.05).
    ``sparse_input``: evaluate the first layer from the encoding's non-zero entries only (the
    same network and initial weights, a different storage layout; ≈23 % less time per
    gradient step on H2O-8q's 8801 inputs, none on LiH-4q's 1121).
    ``replay_ratio``: gradient steps per (non-terminal) environment step, e.g. 0.25 learns on
    every fourth step (Stable-Baselines3's ``train_freq``); the paper's is 1.
    ``device``: ``None`` picks CUDA when present, else CPU. ``threads``: torch CPU threads
    (process-wide); ``None`` picks one for networks under a million weights (the simulator's
    parallel kernels and a small agent take turns, and two OpenMP pools spinning against each
    other made a 2-core demo 4× slower) and ``OMP_NUM_THREADS`` (a sweep sets it to its CPUs
    per run), else every core, for larger ones (the paper's 5×1000 network:
    0.51 s per gradient step on one core, 0.31 s on two).
    ``bootstrap_truncated``: a transition cut by the step cap or random halting bootstraps from
    its next state, as SB3 and CleanRL do; ``False`` (the paper's code) stores it as terminal.
    ``self_imitation`` λ > 0: the agent keeps its ``demonstrations`` best episodes (lowest final
    energy) apart from the replay, draws a quarter of every batch from them and adds
    λ × DQfD's large-margin loss on their actions (:mod:`workbench.agent.dqn`), so that the
    greedy policy learns to rebuild the best circuits it has found; 0 (the paper) turns it off.

    ``replay``: ``uniform`` (the paper) or ``prioritized`` (proportional prioritised replay,
    Schaul et al. 2016: priority |δ|^α with α = ``priority_exponent``,
    importance weights with β rising linearly from ``importance_exponent`` to 1 over the
    episode budget; :class:`workbench.agent.replay.PrioritizedReplayBuffer`).

    ``ppo`` and ``sb3:MaskablePPO`` read ``hidden``, ``learning_rate``, ``gamma``,
    ``batch_size`` (the minibatch), ``device``, ``threads``, ``bootstrap_truncated`` and their
    own fields (Stable-Baselines3's
    defaults): ``rollout_steps`` environment steps per update, ``update_epochs`` passes over
    them, ``clip_coefficient`` ε of the clipped ratio, ``gae_lambda`` λ of the advantages,
    ``entropy_coefficient`` and ``value_coefficient`` of the loss, ``max_grad_norm`` of the
    gradient clipping; the DQN fields do not apply to it.
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
