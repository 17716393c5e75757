"""Run folders: their names, and whether a folder holds the experiment of a config.

The rules that decide where a run lives and whether an existing folder may be reused; the
training session that fills a folder is :mod:`workbench.runs`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from workbench.config import AgentConfig, RunConfig, json_sha256
from workbench.errors import ConfigError
from workbench.results import read_config

RUNS_DIR = Path("runs")


# Run folder names, all here. A new run (`train`, the panel) is named after what runs and when;
# a run that is looked up again by its config (reports, bench experiments) after the config's
# hash; a sweep names its points by their grid values inside the sweep's folder
# (workbench.sweep.grid.point_name). Hash-named folders keep their scheme: renaming them would
# orphan every finished run a report or the paper comparison reuses.


def default_run_dir(config: RunConfig) -> Path:
    """``runs/<problem>-<noise>-s<seed>-<UTC time>``, named after what runs (a preset whose
    problem or noise was changed would otherwise name a different experiment), e.g.
    ``runs/h2-3q-ibm-mumbai-median-1000-shots-s0-20261201-101500``."""
    what = f"{config.problem.label}-{config.noise.label}"
    name = re.sub(r"[^\w.]+", "-", what.replace("@", "-at-")).strip("-")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return RUNS_DIR / f"{name}-s{config.seed}-{stamp}"


AGENT_FIELDS_ADDED = (
    "self_imitation", "demonstrations", "rollout_steps", "update_epochs", "clip_coefficient",
    "gae_lambda", "entropy_coefficient", "value_coefficient", "max_grad_norm", "replay",
    "priority_exponent", "importance_exponent",
)  # fmt: skip
"""Agent fields added with these defaults (self-imitation, PPO, prioritised replay), kept out of
older hashes."""
LATER_FIELDS = {
    ("problem", "bond_lengths"): None,
    ("env", "observation_energy"): "raw",
    ("agent", "kind"): "ddqn",
    ("agent", "bootstrap_truncated"): False,
    **{("agent", name): getattr(AgentConfig, name) for name in AGENT_FIELDS_ADDED},
}
"""Config fields added after run folders were first named by their hash, with the default that
reproduces the earlier behaviour: left out of the hash at that default, so that a report or the
paper comparison finds the folders it trained before the field existed."""


def config_hash(config: RunConfig) -> str:
    """SHA-256 of the config's JSON (sorted keys; :data:`LATER_FIELDS` at their defaults left
    out): the same experiment, the same hash."""
    data = config.to_dict()
    for (section, name), default in LATER_FIELDS.items():
        if data[section].get(name) == default:
            del data[section][name]
    return json_sha256(data)


def config_run_dir(config: RunConfig, runs_dir: str | Path = "runs") -> Path:
    """``runs_dir/<preset>-s<seed>-<hash>``: where a run found again by its config lives."""
    return Path(runs_dir) / f"{config.preset or 'custom'}-s{config.seed}-{config_hash(config)[:10]}"


def changed_fields(old: RunConfig, new: RunConfig) -> list[str]:
    """The dotted config fields in which ``new`` differs from ``old``, ``episodes`` excepted
    (a budget that may grow on resume, not a different experiment)."""
    return [k for k in old.differences(new) if k != "episodes"]


def same_experiment(
    folder: Path, config: RunConfig, advice: str = "choose another folder"
) -> RunConfig | None:
    """The config of the run in ``folder`` (None when there is none yet), refused with the
    differing fields named when it is another experiment than ``config`` (episodes may differ)."""
    if not (Path(folder) / "config.json").exists():
        return None
    stored = read_config(folder)
    changed = changed_fields(stored, config)
    if changed:
        raise ConfigError(
            f"{folder} holds a different run (it differs in {', '.join(changed)}): {advice}"
        )
    return stored
