"""The noise section of a run configuration: device noise, shot noise and the error mitigation
the search's objective applies (:class:`NoiseConfig`), with the rules for zero-noise
extrapolation settings (:func:`check_zne`), which :class:`workbench.sim.objective.Mitigation`
applies too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.config.sections import _choice, _number_in, flag, positive_int
from workbench.errors import ConfigError

MAX_SHOTS = 10**15  # numpy samples counts as C longs; shot noise ~1/√N is below 1e-7 here

ZNE_FITS = ("linear", "richardson")
"""Extrapolations a search can use: both are fixed linear combinations of the folded energies
(weights from the scales alone), so a shot estimate stays unbiased and its variance is
:math:`\\sum_k w_k^2 \\sigma_k^2`. The exponential fit of
:func:`workbench.sim.mitigation.extrapolate` is a nonlinear
least-squares fit per evaluation (slow, unstable under shot noise): reports only."""

MAX_ZNE_SCALE = 15
"""The largest fold factor: a folded circuit is ``scale`` times as long as the circuit."""


def check_zne(scales: Any, fit: Any, prefix: str = "noise.") -> tuple[int, ...]:
    """``scales`` as a sorted tuple after checking them and ``fit``: odd integers from 1 to
    :data:`MAX_ZNE_SCALE`, at least two distinct ones (or none: no extrapolation)."""
    name = f"{prefix}zne_scales"
    if isinstance(scales, str | bytes | Mapping) or not hasattr(scales, "__iter__"):
        raise ConfigError(f"{name}={scales!r} is not allowed: expected a list such as [1, 3, 5]")
    values = tuple(scales)
    for value in values:
        positive_int(name, value, 1, MAX_ZNE_SCALE)
        if value % 2 == 0:
            raise ConfigError(
                f"{name}={list(values)} is not allowed: fold factors are odd (1, 3, 5, ...); "
                f"{value} is even"
            )
    if values and len(set(values)) < 2:
        raise ConfigError(
            f"{name}={list(values)} is not allowed: extrapolation needs at least two different "
            "scales, e.g. [1, 3] or [1, 3, 5] (or [] for none)"
        )
    if len(set(values)) != len(values):
        raise ConfigError(f"{name}={list(values)} is not allowed: a scale appears twice")
    _choice(f"{prefix}zne_fit", fit, ZNE_FITS)
    return tuple(sorted(values))


@dataclass(frozen=True)
class NoiseConfig:
    """Device noise, shot noise, and the mitigation the search's objective applies.

    Attributes:
        profile: a device profile (``workbench devices``, e.g. ``ibm-mumbai-median``);
            ``None``: no profile (noiseless unless ``overrides`` build a model).
        scale: > 0, multiplies the profile's error rates (and divides T1/T2).
        overrides: :class:`workbench.noise.NoiseModel` fields set on top of the profile, or a
            model from scratch when ``profile`` is None, e.g. ``{"depolarizing_1q": 1e-3}``.
        shots: shots per measurement group for every energy, 1 to 10^15; ``None``: exact
            expectation values.
        readout_mitigation: the search sees readout-mitigated energies (each wire's confusion
            matrix inverted; with shots, projected back onto a valid distribution) — a
            departure from the paper, whose noisy objective keeps the readout floor above E0.
        zne_scales: fold factors (odd, 1 to 15, at least two) at which every energy the search
            sees is measured and extrapolated to zero gate noise, e.g. ``[1, 3, 5]``; each
            costs its own circuit (and its own shots); ``[]``: no extrapolation. A departure
            from the paper: the search optimises the energy a user who mitigates will get.
        zne_fit: ``richardson`` (the polynomial through all scales) or ``linear`` (a
            least-squares line); see :data:`ZNE_FITS`.
    """

    profile: str | None = None
    scale: float = 1.0
    overrides: Mapping[str, Any] = field(default_factory=dict)
    shots: int | None = None
    readout_mitigation: bool = False
    zne_scales: tuple[int, ...] = ()
    zne_fit: str = "richardson"

    def __post_init__(self) -> None:
        _number_in("noise.scale", self.scale, 0.0, 1e3)
        flag("noise.readout_mitigation", self.readout_mitigation)
        if not isinstance(self.overrides, Mapping):
            raise ConfigError(f"noise.overrides={self.overrides!r}: expected a mapping")
        object.__setattr__(self, "overrides", dict(self.overrides))
        object.__setattr__(self, "zne_scales", check_zne(self.zne_scales, self.zne_fit))
        if self.zne_scales and self.profile is None and not self.overrides:
            raise ConfigError(
                f"noise.zne_scales={list(self.zne_scales)} needs device noise to extrapolate "
                "away: set noise.profile (workbench devices) or noise.overrides"
            )
        if self.shots is not None:
            positive_int("noise.shots", self.shots)
            if self.shots > MAX_SHOTS:  # numpy's multinomial sampler takes a C long
                raise ConfigError(
                    f"noise.shots={self.shots} is not allowed: at most {MAX_SHOTS:.0e} shots "
                    "per measurement group (use null for exact expectations)"
                )

    @property
    def label(self) -> str:
        parts = []
        if self.profile:
            parts.append(self.profile if self.scale == 1 else f"{self.profile}×{self.scale:g}")
        parts += [f"{k}={v}" for k, v in sorted(self.overrides.items())]
        if self.shots:
            parts.append(f"{self.shots} shots")
        if self.readout_mitigation and parts:
            parts.append("readout mitigated")
        if self.zne_scales:
            scales = ",".join(str(s) for s in self.zne_scales)
            parts.append(f"ZNE {scales} ({self.zne_fit})")
        return ", ".join(parts) or "noiseless"
