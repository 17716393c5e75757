"""Where an agent's networks run: the device and the CPU threads, one rule for every kind."""

from __future__ import annotations

import os

import torch

from workbench.config import AgentConfig
from workbench.errors import ConfigError

SMALL_NETWORK = 1_000_000
"""Networks with fewer weights train on one CPU thread (see ``AgentConfig.threads``)."""


def select_device(settings: AgentConfig) -> torch.device:
    """``agent.device``, or CUDA when present and CPU otherwise; CUDA asked for but absent is an
    error naming what this torch sees."""
    if settings.device == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "agent.device='cuda' is not allowed here: this torch sees no CUDA device "
            f"(torch {torch.__version__}); use 'cpu', or null for whatever is available"
        )
    return torch.device(settings.device or ("cuda" if torch.cuda.is_available() else "cpu"))


def set_threads(settings: AgentConfig, device: torch.device, weights: int) -> None:
    """torch's CPU threads (process-wide): ``agent.threads``, else one for a network of fewer
    than :data:`SMALL_NETWORK` weights and every core (``OMP_NUM_THREADS``: a sweep's CPUs per
    run, which Ray sets for its workers too) for larger ones."""
    if device.type != "cpu":
        return
    cores = int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)
    torch.set_num_threads(settings.threads or (1 if weights < SMALL_NETWORK else cores))
