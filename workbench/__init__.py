"""qas-workbench: curriculum reinforcement learning for quantum architecture search under noise."""

from __future__ import annotations

__version__ = "0.1.0"
