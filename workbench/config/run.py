r"""The run configuration: one frozen, validated object per CRLQAS search (spec §1–6).

A :class:`RunConfig` is made of sections — problem, noise, environment, curriculum, optimiser,
agent — plus the episode budget and the seed. Every field has its default here and nowhere else;
each section validates itself on construction and raises :class:`ConfigError` naming the bad
value and what is allowed. ``to_dict``/``from_dict`` round-trip through plain JSON (the form
written to ``runs/<id>/config.json``) and :meth:`RunConfig.with_overrides` applies dotted
``section.field=value`` overrides as the CLI and the report parameters do.

Checks that need the built problem or device profile (qubit counts, coupling maps, preset names)
run in :func:`workbench.experiment.build`, still before any training starts.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.config.agent import AgentConfig, paper_gamma
from workbench.config.molecule import check_fields
from workbench.config.noise import NoiseConfig
from workbench.config.sections import (
    MAX_SEED,
    CurriculumConfig,
    EnvConfig,
    OptimizerConfig,
    ProblemConfig,
    positive_int,
)
from workbench.errors import ConfigError

SECTIONS = {
    "problem": ProblemConfig,
    "noise": NoiseConfig,
    "env": EnvConfig,
    "curriculum": CurriculumConfig,
    "optimizer": OptimizerConfig,
    "agent": AgentConfig,
}


MAX_EPISODES = 10**8
"""More episodes than any search could run (the paper's longest: 50 000): a typo, not a plan."""


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a CRLQAS search; the same config and seed give the same run.

    Attributes:
        problem: which Hamiltonian (:class:`ProblemConfig`).
        noise: device and shot noise (:class:`NoiseConfig`).
        env: the circuit-growth environment (:class:`EnvConfig`).
        curriculum: the success threshold's schedule (:class:`CurriculumConfig`).
        optimizer: the angle optimiser after every action (:class:`OptimizerConfig`).
        agent: the learner and its hyperparameters (:class:`AgentConfig`).
        episodes: training episodes, ≥ 1.
        seed: seeds numpy, torch and Python's random, 0 to 2^32 − 1.
        checkpoint_every: episodes between checkpoints in the run folder, ≥ 1.
        preset: the run preset this config came from (informational, not part of the hash).
    """

    problem: ProblemConfig = field(default_factory=ProblemConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    env: EnvConfig = field(default_factory=EnvConfig)
    curriculum: CurriculumConfig = field(default_factory=CurriculumConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    agent: AgentConfig = field(default_factory=AgentConfig)
    episodes: int = 1000
    seed: int = 0
    checkpoint_every: int = 50
    preset: str = ""

    def __post_init__(self) -> None:
        for name, cls in SECTIONS.items():
            value = getattr(self, name)
            if isinstance(value, Mapping):
                check_fields(cls, value, name)
                object.__setattr__(self, name, _section(cls, name, value))
            elif not isinstance(value, cls):
                raise ConfigError(f"{name} must be a {cls.__name__} or a mapping, got {value!r}")
        positive_int("episodes", self.episodes, maximum=MAX_EPISODES)
        positive_int("seed", self.seed, minimum=0, maximum=MAX_SEED)
        positive_int("checkpoint_every", self.checkpoint_every)
        if self.optimizer.method == "adam_spsa3" and self.noise.shots is None:
            raise ConfigError(
                "optimizer.method='adam_spsa3' runs its stages at N/100, N/10 and N shots: "
                "set noise.shots=N"
            )
        self.optimizer.check_shots(self.noise.shots)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (tuples become lists)."""
        data = dataclasses.asdict(self)
        if self.problem.molecule is not None:
            data["problem"]["molecule"] = self.problem.molecule.to_dict()
        return json.loads(json.dumps(data))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        """Inverse of :meth:`to_dict`; unknown keys in any section are an error."""
        check_fields(cls, data, "run config")
        data = dict(data)
        for name, section in SECTIONS.items():
            if name in data and isinstance(data[name], Mapping):
                check_fields(section, data[name], name)
        return cls(**_tuples(data))

    def with_overrides(self, overrides: Mapping[str, Any]) -> RunConfig:
        """A new config with dotted overrides, e.g. ``{"agent.hidden": [64, 64], "seed": 3}``."""
        data = self.to_dict()
        for key, value in overrides.items():
            section, _, name = key.partition(".")
            if not name:
                check_fields(type(self), {section: value}, "run config")
                data[section] = value
                continue
            if section not in SECTIONS:
                raise ConfigError(
                    f"unknown section {section!r} in {key!r}: allowed {list(SECTIONS)}"
                )
            check_fields(SECTIONS[section], {name: value}, section)
            data[section][name] = value
        return RunConfig.from_dict(data)

    def differences(self, other: RunConfig) -> list[str]:
        """The dotted fields (``agent.hidden``, ``seed``) in which ``other`` differs, sorted."""
        a, b = _flat(self.to_dict()), _flat(other.to_dict())
        return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))

    @property
    def gamma(self) -> float:
        """The agent's discount: ``agent.gamma``, or the paper's rule from ``env.max_steps``."""
        return self.agent.gamma if self.agent.gamma is not None else paper_gamma(self.env.max_steps)

    @property
    def label(self) -> str:
        return f"{self.problem.label} · {self.noise.label} · seed {self.seed}"


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _section(cls, name: str, values: Mapping[str, Any]):
    """Build a section; a value of the wrong shape that a field's own check did not name
    (``null`` where a list belongs, a list where a number belongs) still fails with the
    section and the values in the message, never a bare TypeError."""
    try:
        return cls(**values)
    except ConfigError:
        raise
    except (TypeError, ValueError, OverflowError) as error:
        given = ", ".join(f"{k}={v!r}" for k, v in values.items() if v != _default(cls, k))
        raise ConfigError(
            f"{name}: a value has the wrong type or shape ({error}); given {given or 'defaults'}"
            f" — `workbench presets --json` shows the expected form of every field"
        ) from None


def _default(cls, name: str) -> Any:
    field_ = cls.__dataclass_fields__.get(name)
    if field_ is None:
        return None
    if field_.default is not dataclasses.MISSING:
        return field_.default
    return field_.default_factory() if field_.default_factory is not dataclasses.MISSING else None


def _tuples(data: Any) -> Any:
    """Lists inside sections become tuples (frozen dataclasses hold tuples), mappings kept."""
    if isinstance(data, Mapping):
        return {
            k: dict(v) if k == "overrides" and isinstance(v, Mapping) else _tuples(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return tuple(_tuples(v) for v in data)
    return data


def parse_override(text: str) -> tuple[str, Any]:
    """``"agent.hidden=[64,64]"`` → ``("agent.hidden", [64, 64])``; values are JSON or strings."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override {text!r}: expected SECTION.FIELD=VALUE, e.g. seed=3")
    return key.strip(), parse_value(raw)


def parse_value(text: str) -> Any:
    """A command-line value: JSON (numbers, lists, null), ``none``/``true``/``false``, else
    the text itself."""
    raw = text.strip()
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return {"none": None, "true": True, "false": False}.get(raw.lower(), raw)
