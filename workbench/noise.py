r"""Noise models: which channels follow which gate, and the readout error.

The channels themselves (their Kraus operators and parametrisations) are in
:mod:`workbench.channels`; device profiles in :mod:`workbench.devices`. Readout error: per qubit
:math:`p(0\to1)` and :math:`p(1\to0)`, applied to the outcome of each Pauli measurement in the
basis the term is measured in (X and Y terms included).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.channels import (
    amplitude_damping_kraus,
    check_probability,
    check_relaxation_times,
    depolarizing_kraus,
    phase_damping_kraus,
    thermal_relaxation_kraus,
)
from workbench.config import check_fields
from workbench.errors import ConfigError, WorkbenchWarning
from workbench.paulis import ptm_from_kraus

PER_QUBIT = ("depolarizing_1q", "t1", "t2", "readout_p01", "readout_p10")
"""The fields that take one number for all qubits or one value per qubit."""
CHANNEL_ORDERS = ("relaxation_first", "depolarizing_first")


@dataclass(frozen=True)
class Channel:
    """A noise channel on ``wires``: its name, parameters, Kraus operators and local PTM."""

    name: str
    wires: tuple[int, ...]
    parameters: tuple[float, ...]
    kraus: tuple[np.ndarray, ...]

    @property
    def ptm(self) -> np.ndarray:
        return ptm_from_kraus(self.kraus)


def _real(name: str, value: Any) -> float:
    """A real number given as a number (not a string, not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ConfigError(f"{name}={value!r} is not a number: give a number, e.g. 0.001")
    return float(value)


def _per_qubit(name: str, value: Any, n_qubits: int | None) -> tuple[float, ...] | float | None:
    if value is None:
        return value
    if not isinstance(value, list | tuple | np.ndarray):
        return _real(name, value)
    values = tuple(_real(f"{name}[{q}]", v) for q, v in enumerate(value))
    if not values:
        raise ConfigError(f"{name}=[]: give one value per qubit, or one number for all")
    if n_qubits is not None and len(values) != n_qubits:
        raise ConfigError(f"{name} has {len(values)} values; the device has {n_qubits} qubits")
    return values


@dataclass(frozen=True)
class NoiseModel:
    r"""Which channels follow which gate, and the readout error.

    After every one-qubit gate on wire q: thermal relaxation for ``gate_time_1q`` (if T1/T2 are
    set), then ``depolarizing_1q``, then ``amplitude_damping`` and ``phase_damping``. After every
    two-qubit gate on (a, b): thermal relaxation for ``gate_time_2q`` on a and b, then the
    two-qubit ``depolarizing_2q`` (or, with ``two_qubit_depolarizing="independent"``, one-qubit
    depolarizing with that p on each wire, as the paper's LiH runs did), then damping on a and b.
    Per-qubit values are either one number for all qubits or a tuple with one per qubit.

    Attributes:
        name: label (a profile id or ``"custom"``).
        n_qubits: size of the device, or ``None`` for a uniform model of any size.
        depolarizing_1q, depolarizing_2q: total Pauli error probabilities (PennyLane's p).
        t1, t2: relaxation times in µs (``None``: no thermal relaxation).
        gate_time_1q, gate_time_2q: gate durations in ns.
        amplitude_damping, phase_damping: γ after every gate on each of its wires.
        readout_p01, readout_p10: probabilities to read 1 when the qubit is 0, and 0 when 1.
        depolarizing_2q_pairs: per ordered pair overrides of ``depolarizing_2q``.
        coupling_map: the directed pairs on which two-qubit gates are allowed (``None``: all).
        channel_order: ``"relaxation_first"`` (thermal relaxation, then depolarizing, after each
            gate) or ``"depolarizing_first"`` (Qiskit's ``basic_device_gate_errors`` order).
        virtual_rz: RZ gates are exact (frame changes, as on IBM hardware): no channel after
            them.
    """

    name: str = "custom"
    n_qubits: int | None = None
    depolarizing_1q: float | tuple[float, ...] = 0.0
    depolarizing_2q: float = 0.0
    two_qubit_depolarizing: str = "joint"
    t1: float | tuple[float, ...] | None = None
    t2: float | tuple[float, ...] | None = None
    gate_time_1q: float = 35.56
    gate_time_2q: float = 423.0
    amplitude_damping: float = 0.0
    phase_damping: float = 0.0
    readout_p01: float | tuple[float, ...] = 0.0
    readout_p10: float | tuple[float, ...] = 0.0
    depolarizing_2q_pairs: tuple[tuple[int, int, float], ...] = ()
    coupling_map: tuple[tuple[int, int], ...] | None = None
    channel_order: str = "relaxation_first"
    virtual_rz: bool = False

    def __post_init__(self) -> None:
        n = self.n_qubits
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise ConfigError(f"n_qubits={n!r}: expected a number of qubits >= 1, or null")
        for name in PER_QUBIT:
            object.__setattr__(self, name, _per_qubit(name, getattr(self, name), self.n_qubits))
        for name in ("depolarizing_1q", "readout_p01", "readout_p10"):
            for value in np.atleast_1d(getattr(self, name)):
                check_probability(name, value)
        for name in ("depolarizing_2q", "amplitude_damping", "phase_damping"):
            check_probability(name, _real(name, getattr(self, name)))
        lengths = {len(v) for v in (getattr(self, n) for n in PER_QUBIT) if isinstance(v, tuple)}
        if len(lengths) > 1:
            raise ConfigError(
                f"per-qubit lists of different lengths {sorted(lengths)} in noise model "
                f"{self.name!r}: give each of {', '.join(PER_QUBIT)} one value per qubit"
            )
        for q, (p01, p10) in enumerate(zip(*np.broadcast_arrays(
                np.atleast_1d(self.readout_p01), np.atleast_1d(self.readout_p10)), strict=True)):
            if p01 + p10 >= 1:
                raise ConfigError(
                    f"readout_p01 + readout_p10 = {p01 + p10:g} on qubit {q}: from 1 on the "
                    "outcome no longer tells 0 from 1 (nothing could mitigate it); expected a "
                    "sum below 1"
                )  # fmt: skip
        for name in ("readout_p01", "readout_p10"):
            if np.any(np.asarray(getattr(self, name)) > 0.5):
                warnings.warn(
                    f"{name}={getattr(self, name)!r}: a readout flip above 0.5 makes the wrong "
                    "outcome more likely than the right one (did you mean 1 - p?)",
                    WorkbenchWarning,
                    stacklevel=3,
                )
        for a, b, p in self.depolarizing_2q_pairs:
            check_probability(f"depolarizing_2q of pair ({a}, {b})", p)
        if self.two_qubit_depolarizing not in ("joint", "independent"):
            raise ConfigError(
                f"two_qubit_depolarizing={self.two_qubit_depolarizing!r}: expected 'joint' or "
                "'independent'"
            )
        if self.channel_order not in CHANNEL_ORDERS:
            raise ConfigError(
                f"channel_order={self.channel_order!r}: expected one of {', '.join(CHANNEL_ORDERS)}"
            )
        if not isinstance(self.virtual_rz, bool):
            raise ConfigError(f"virtual_rz={self.virtual_rz!r}: expected true or false")
        if (self.t1 is None) != (self.t2 is None):
            raise ConfigError("give both t1 and t2 (µs) for thermal relaxation, or neither")
        if self.t1 is not None:
            pairs = np.broadcast_arrays(np.atleast_1d(self.t1), np.atleast_1d(self.t2))
            for q, (t1, t2) in enumerate(zip(*pairs, strict=True)):
                check_relaxation_times(float(t1), float(t2), f" (qubit {q})")
        for name in ("gate_time_1q", "gate_time_2q"):
            value = _real(name, getattr(self, name))
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"{name}={value!r} must be a non-negative time in ns")
        if self.coupling_map is not None:
            if len(self.coupling_map) == 0:
                raise ConfigError(
                    "coupling_map=[]: no CNOT would be possible; give qubit pairs such as "
                    "[[0, 1], [1, 2]], or null for all pairs"
                )
            object.__setattr__(
                self, "coupling_map", tuple((int(a), int(b)) for a, b in self.coupling_map)
            )

    def without_readout(self) -> NoiseModel:
        """The same gate noise with perfect readout: what a readout-mitigated energy measures
        with exact expectations (tensored inversion removes readout error exactly)."""
        return dataclasses.replace(self, readout_p01=0.0, readout_p10=0.0)

    @staticmethod
    def _value(values, wire: int) -> float:
        return float(values if np.ndim(values) == 0 else values[wire])

    def check_size(self, n_qubits: int) -> None:
        """A device model must cover the circuit's wires; a model of no fixed size with per-qubit
        lists must give exactly one value per wire."""
        if self.n_qubits is not None and n_qubits > self.n_qubits:
            raise ConfigError(
                f"noise model {self.name!r} describes {self.n_qubits} qubits; the circuit has "
                f"{n_qubits}"
            )
        if self.n_qubits is None:
            for name in PER_QUBIT:
                values = getattr(self, name)
                if isinstance(values, tuple) and len(values) != n_qubits:
                    raise ConfigError(
                        f"{name} has {len(values)} values; the circuit has {n_qubits} qubits: "
                        "give one value per qubit, or one number for all"
                    )

    @property
    def is_noiseless(self) -> bool:
        """True when no channel acts (readout errors aside)."""
        return (
            self.t1 is None
            and not np.any(self.depolarizing_1q)
            and not self.depolarizing_2q
            and not any(p for _, _, p in self.depolarizing_2q_pairs)
            and not self.amplitude_damping
            and not self.phase_damping
        )

    @functools.cached_property  # asked once per measured group and energy: keep it cheap
    def has_readout_error(self) -> bool:
        return bool(np.any(self.readout_p01) or np.any(self.readout_p10))

    def readout(self, wire: int) -> tuple[float, float]:
        """``(p(0→1), p(1→0))`` of ``wire``."""
        return self._value(self.readout_p01, wire), self._value(self.readout_p10, wire)

    def after_gate(self, wires: Sequence[int]) -> list[Channel]:
        """The channels that follow a gate on ``wires`` (in the order they act)."""
        wires = tuple(wires)
        one = len(wires) == 1
        relaxation, channels = [], []
        if self.t1 is not None:
            time = self.gate_time_1q if one else self.gate_time_2q
            for w in wires:
                t1, t2 = self._value(self.t1, w), self._value(self.t2, w)
                kraus = thermal_relaxation_kraus(t1, t2, time)
                relaxation.append(Channel("thermal_relaxation", (w,), (t1, t2, time), tuple(kraus)))
        if one:
            p = self._value(self.depolarizing_1q, wires[0])
            if p:
                channels.append(Channel("depolarizing", wires, (p,), tuple(depolarizing_kraus(p))))
        else:
            p = self.two_qubit_error(wires)
            if p and self.two_qubit_depolarizing == "joint":
                kraus = tuple(depolarizing_kraus(p, 2))
                channels.append(Channel("depolarizing", wires, (p,), kraus))
            elif p:
                kraus = tuple(depolarizing_kraus(p))
                channels += [Channel("depolarizing", (w,), (p,), kraus) for w in wires]
        if self.channel_order == "relaxation_first":
            channels = relaxation + channels
        else:
            channels = channels + relaxation
        for name, gamma, builder in (
            ("amplitude_damping", self.amplitude_damping, amplitude_damping_kraus),
            ("phase_damping", self.phase_damping, phase_damping_kraus),
        ):
            if gamma:
                channels += [Channel(name, (w,), (gamma,), tuple(builder(gamma))) for w in wires]
        return channels

    def acts_after(self, gate: str) -> bool:
        """Whether channels follow ``gate`` (all gates, except RZ with ``virtual_rz``)."""
        return not (self.virtual_rz and gate == "RZ")

    def channel_ptm(self, wires: Sequence[int]) -> np.ndarray:
        """Local PTM (in the order of ``wires``) of all channels after a gate on ``wires``.

        Cached per model and wires (read-only array): every new circuit the agent grows is
        compiled afresh, and rebuilding these Kraus maps took ~70 % of a noisy 4-qubit step.
        """
        return _channel_ptm(self, tuple(int(w) for w in wires))

    def _compose_channels(self, wires: tuple[int, ...]) -> np.ndarray:
        total = np.eye(4 ** len(wires))
        for channel in self.after_gate(wires):
            local = channel.ptm
            if len(wires) == 2 and len(channel.wires) == 1:
                first = channel.wires[0] == wires[0]
                local = np.kron(local, np.eye(4)) if first else np.kron(np.eye(4), local)
            total = local @ total
        total.flags.writeable = False
        return total

    def two_qubit_error(self, wires: Sequence[int]) -> float:
        for a, b, p in self.depolarizing_2q_pairs:
            if (a, b) == tuple(wires):
                return p
        return self.depolarizing_2q

    def scaled(self, factor: float) -> NoiseModel:
        """Every error probability × ``factor`` (clipped at 1) and T1, T2 ÷ ``factor``; a factor
        within 1e-9 of 1 (a log slider's 10⁰ reads 1.0000000000000002) is the model itself, name
        unchanged."""
        if not (math.isfinite(factor) and factor >= 0):
            raise ConfigError(f"scale factor {factor!r} must be a non-negative number")
        if math.isclose(factor, 1.0, rel_tol=1e-9):
            return self

        def scale(value):
            if value is None:
                return None
            return (
                tuple(np.minimum(np.atleast_1d(value) * factor, 1.0))
                if np.ndim(value)
                else min(value * factor, 1.0)
            )

        def slow(value):
            if value is None or factor == 0:
                return None
            return tuple(np.atleast_1d(value) / factor) if np.ndim(value) else value / factor

        return dataclasses.replace(
            self,
            name=f"{self.name}x{factor:g}",
            depolarizing_1q=scale(self.depolarizing_1q),
            depolarizing_2q=scale(self.depolarizing_2q),
            depolarizing_2q_pairs=tuple((a, b, scale(p)) for a, b, p in self.depolarizing_2q_pairs),
            amplitude_damping=scale(self.amplitude_damping),
            phase_damping=scale(self.phase_damping),
            readout_p01=scale(self.readout_p01),
            readout_p10=scale(self.readout_p10),
            t1=slow(self.t1),
            t2=slow(self.t2),
        )

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NoiseModel:
        check_fields(cls, data, "noise")
        data = dict(data)
        try:
            if data.get("coupling_map") is not None:
                data["coupling_map"] = tuple((int(a), int(b)) for a, b in data["coupling_map"])
            data["depolarizing_2q_pairs"] = tuple(
                (int(a), int(b), _real("depolarizing_2q pair p", p))
                for a, b, p in data.get("depolarizing_2q_pairs", ())
            )
            return cls(**data)
        except ConfigError:
            raise
        except (TypeError, ValueError) as error:  # a value of the wrong shape
            raise ConfigError(
                f"noise model: a field has the wrong type or shape ({error}); e.g. coupling_map "
                "is a list of [control, target] pairs, depolarizing_2q_pairs of [a, b, p], "
                "per-qubit values a number or one number per qubit"
            ) from None


@functools.lru_cache(maxsize=1024)
def _channel_ptm(model: NoiseModel, wires: tuple[int, ...]) -> np.ndarray:
    return model._compose_channels(wires)
