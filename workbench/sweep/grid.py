"""Sweep points: a grid of report parameters or config fields × seeds → named, validated runs."""

from __future__ import annotations

import inspect
import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.config import DEFAULT_RUN_PRESET, RunConfig
from workbench.errors import ConfigError, WorkbenchError
from workbench.report import config_from_parameters
from workbench.run_folders import same_experiment

# Report parameters a grid may vary besides dotted config fields (``report -p`` names).
REPORT_FIELDS = tuple(
    name
    for name in inspect.signature(config_from_parameters).parameters
    if name not in ("preset", "seed", "overrides")
)


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep: its folder name under the sweep folder, its config, and the grid
    values that set it (``(field, value)`` pairs, in grid order; the seed is in the config)."""

    name: str
    config: RunConfig
    values: tuple[tuple[str, Any], ...] = ()

    @property
    def seed(self) -> int:
        return self.config.seed


def split_values(text: str) -> list[str]:
    """``"0.5,1,[64,64]"`` → ``["0.5", "1", "[64,64]"]``: commas inside brackets or braces
    belong to the value."""
    values, depth, current = [], 0, ""
    for char in text:
        depth += char in "[{"
        depth -= char in "]}"
        if char == "," and depth == 0:
            values.append(current)
            current = ""
        else:
            current += char
    return [*values, current]


def point_name(values: Sequence[tuple[str, Any]], seed: int) -> str:
    """The folder name of a grid point: its varying fields and the seed, e.g.
    ``noise.scale=0.5,optimizer.method=cobyla-s1`` (only ``[\\w.,=+-]`` kept)."""
    label = ",".join(f"{field}={_text(value)}" for field, value in values)
    return re.sub(r"[^\w.,=+-]", "_", f"{label}-s{seed}" if label else f"s{seed}")


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "x".join(map(_text, value))
    return "none" if value is None else str(value)


def grid_points(
    parameters: Mapping[str, Any],
    grid: Mapping[str, Sequence[Any]],
    seeds: Sequence[int],
    overrides: Mapping[str, Any] | None = None,
) -> list[SweepPoint]:
    """Every grid point × seed as a validated :class:`SweepPoint` (nothing is written).

    ``parameters`` are report parameters (``preset``, ``episodes``, ``noise_profile``, ...),
    ``overrides`` dotted config fields applied to every point; a ``grid`` field is a report
    parameter (:data:`REPORT_FIELDS`) or a dotted config field such as ``noise.scale``. Each
    point's config is built here, so a bad field or value fails before any run starts.
    """
    if not seeds:
        raise ConfigError("seeds: give at least one seed")
    for name, values in grid.items():
        if isinstance(values, (str, bytes)) or not values:
            raise ConfigError(f"grid field {name!r}: give a non-empty list of values")
        _refuse_repeats(f"grid field {name!r}", list(values))
    _refuse_repeats("seeds", list(seeds))
    if "seed" in grid or "seeds" in grid:
        raise ConfigError("seeds are not a grid field: give them as seeds (--seeds 0 1 2)")
    parameters = dict(parameters)
    preset = parameters.pop("preset", DEFAULT_RUN_PRESET)
    unknown = sorted(set(parameters) - set(REPORT_FIELDS))
    if unknown:
        raise ConfigError(f"unknown report parameter(s) {unknown}: allowed are {REPORT_FIELDS}")
    points = []
    for combination in itertools.product(*grid.values()):
        values = tuple(zip(grid, combination, strict=True))
        reported = {k: v for k, v in values if k in REPORT_FIELDS}
        dotted = {k: v for k, v in values if k not in REPORT_FIELDS}
        for seed in seeds:
            try:
                config = config_from_parameters(
                    preset,
                    seed=int(seed),
                    overrides={**dict(overrides or {}), **dotted},
                    **{**parameters, **reported},
                )
            except (ConfigError, TypeError, ValueError) as error:
                where = ", ".join(f"{k}={v!r}" for k, v in values) or "every point"
                raise ConfigError(f"sweep point {where}, seed {seed}: {error}") from None
            points.append(SweepPoint(point_name(values, int(seed)), config, values))
    names = [p.name for p in points]
    if len(set(names)) != len(names):
        raise ConfigError(f"grid values give the same folder name twice: {sorted(names)}")
    _check_problems_and_noise(points)
    return points


def _refuse_repeats(what: str, values: list) -> None:
    """``noise.scale=1,1.0`` would train the same point twice under two names."""
    repeated = [v for i, v in enumerate(values) if v in values[:i]]
    if repeated:
        raise ConfigError(f"{what}: {repeated[0]!r} is given twice ({values!r}): give each once")


def _check_problems_and_noise(points: Sequence[SweepPoint]) -> None:
    """Every point's problem and noise model built and checked against each other before any
    run starts (``noise.profile=nosuch`` used to be found only when its point ran); each
    distinct pair once (problems come from the cache)."""
    from workbench.experiment import check

    seen = set()
    for point in points:
        data = point.config.to_dict()
        key = json.dumps([data["problem"], data["noise"]], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        try:
            check(point.config)
        except WorkbenchError as error:
            raise ConfigError(f"sweep point {point.name}: {error}") from None


def check_folders(points: Sequence[SweepPoint], out: Path) -> None:
    """Refuse, before anything runs, a sweep folder whose run folders hold other experiments
    (e.g. the same ``--out`` with another preset or base setting)."""
    for point in points:
        folder = out / point.name
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"{folder} is a file, not a run folder: use another --out")
        same_experiment(folder, point.config, "use another --out for a different sweep")
