"""The circuit-growing environment: action table and encoding, masks, rewards, curricula,
random halting, the gymnasium ``CircuitGrowthEnv`` and its registration (:data:`ENV_ID`)."""

from __future__ import annotations

import gymnasium

ENV_ID = "qas-workbench/CircuitGrowth-v0"
"""``gymnasium.make(ENV_ID, preset=..., overrides=..., seed=...)``: a run preset's environment
with its curriculum (:func:`workbench.experiment.make_env`); registered on import."""

if ENV_ID not in gymnasium.registry:
    gymnasium.register(id=ENV_ID, entry_point="workbench.experiment:make_env")
