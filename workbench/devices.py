"""Device noise profiles: the shipped ones in ``data/devices`` and an importer for Qiskit's fakes.

A profile is a small JSON file: a name, a description, units, where the numbers come from, and
the fields of a :class:`~workbench.noise.NoiseModel`. ``load_profile(name, scale, **overrides)``
gives a noise model; ``profile_from_backend`` turns the calibration data of any backend of
``qiskit_ibm_runtime.fake_provider`` (optional extra ``devices``) into one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from workbench import paths
from workbench.channels import check_probability
from workbench.config.noise import NoiseConfig
from workbench.errors import ConfigError
from workbench.noise import NoiseModel

ONE_QUBIT_GATES = ("sx", "x")
TWO_QUBIT_GATES = ("cx", "ecr", "cz")


def device_dir() -> Path:
    return paths.data_dir() / "devices"


def available_profiles() -> list[str]:
    """Names of the device profiles in ``data/devices``."""
    return sorted(p.stem for p in device_dir().glob("*.json"))


def load_profile(name: str, scale: float = 1.0, **overrides: Any) -> NoiseModel:
    """A device profile by name, optionally scaled (errors × scale, T1/T2 ÷ scale) and with
    fields overridden.

    Example:
        >>> load_profile("ibm-mumbai-median", scale=2.0).depolarizing_2q  # doctest: +SKIP
    """
    path = device_dir() / f"{name}.json"
    if not path.is_file():
        raise ConfigError(
            f"unknown device profile {name!r}: expected one of {', '.join(available_profiles())}"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        fields = {**data["noise"], "name": name}
    except (ValueError, KeyError, TypeError) as error:  # truncated, empty, or not a profile
        raise ConfigError(
            f"device profile {path} is damaged ({type(error).__name__}: {error}); restore it "
            "or delete it (`workbench device-import` writes profiles)"
        ) from None
    model = NoiseModel.from_dict(fields)
    if overrides:
        model = NoiseModel.from_dict({**model.to_dict(), **overrides})
    return model.scaled(scale) if scale != 1.0 else model


def save_profile(
    model: NoiseModel,
    description: str,
    source: str,
    derived_from: dict,
    directory: Path | None = None,
) -> Path:
    """Write ``model`` as a profile file named after ``model.name``."""
    data = {
        "name": model.name,
        "description": description,
        "units": {"t1": "us", "t2": "us", "gate_time_1q": "ns", "gate_time_2q": "ns"},
        "source": source,
        "derived_from": derived_from,
        "noise": {k: v for k, v in model.to_dict().items() if k != "name"},
    }
    path = (directory or device_dir()) / f"{model.name}.json"
    paths.atomic_write_text(path, json.dumps(data, indent=1) + "\n")
    return path


def _instruction(target, names):
    for name in names:
        if name in target.operation_names:
            return name
    raise ConfigError(f"the backend has none of the gates {names}")


def profile_from_backend(backend, name: str | None = None) -> NoiseModel:
    """A noise model from a Qiskit backend's calibration (``backend.target``, BackendV2).

    Per qubit: T1, T2 (T2 capped at 2·T1), readout p(0→1) and p(1→0) (symmetric: the target's
    readout error), and the depolarizing p that, with thermal relaxation for the gate's duration,
    reproduces the reported ``sx`` error; per coupled pair, the same for the two-qubit gate.
    The two-qubit gate time is the mean over pairs (a profile has one).
    """
    target = backend.target
    n = target.num_qubits
    one, two = _instruction(target, ONE_QUBIT_GATES), _instruction(target, TWO_QUBIT_GATES)
    properties = [target.qubit_properties[q] for q in range(n)]
    t1 = tuple(p.t1 * 1e6 for p in properties)
    t2 = tuple(min(p.t2 * 1e6, 2 * a) for p, a in zip(properties, t1, strict=True))
    readout = tuple(float(target["measure"][(q,)].error or 0.0) for q in range(n))
    one_time = float(np.mean([target[one][(q,)].duration for q in range(n)])) * 1e9
    pairs = [pair for pair in target[two] if target[two][pair] is not None]
    two_time = float(np.mean([target[two][pair].duration for pair in pairs])) * 1e9
    base = NoiseModel(
        name=name or f"qiskit-{backend.name}",
        n_qubits=n,
        t1=t1,
        t2=t2,
        gate_time_1q=one_time,
        gate_time_2q=two_time,
        readout_p01=readout,
        readout_p10=readout,
        coupling_map=tuple(tuple(int(w) for w in pair) for pair in pairs),
    )
    depolarizing_1q = tuple(
        depolarizing_for_infidelity(base.channel_ptm((q,)), float(target[one][(q,)].error or 0))
        for q in range(n)
    )
    pair_errors = tuple(
        (
            int(a),
            int(b),
            depolarizing_for_infidelity(
                base.channel_ptm((a, b)), float(target[two][(a, b)].error or 0)
            ),
        )
        for a, b in pairs
    )
    return NoiseModel.from_dict(
        {
            **base.to_dict(),
            "depolarizing_1q": depolarizing_1q,
            "depolarizing_2q_pairs": pair_errors,
        }
    )


def resolve_noise(config: NoiseConfig, n_qubits: int) -> NoiseModel | None:
    """The noise model, or ``None`` when no channel is configured (shots alone stay exact)."""
    if config.profile is not None:
        model = load_profile(config.profile, config.scale, **config.overrides)
    elif config.overrides:
        model = NoiseModel.from_dict({"name": "custom", **config.overrides})
        model = model.scaled(config.scale) if config.scale != 1 else model
    else:
        return None
    model.check_size(n_qubits)
    if model.coupling_map is not None:
        missing = sorted({w for pair in model.coupling_map for w in pair if w >= n_qubits})
        if missing:
            raise ConfigError(
                f"the coupling map of {model.name!r} names qubit(s) {missing}, but the problem "
                f"has {n_qubits} qubits (0..{n_qubits - 1})"
            )
    return model


def average_infidelity(ptm: np.ndarray) -> float:
    r"""Average gate infidelity of a channel relative to the identity.

    :math:`1 - F_{avg}` with :math:`F_{avg} = (d F_{pro} + 1)/(d + 1)` and
    :math:`F_{pro} = \mathrm{Tr}(R)/d^2` for the PTM :math:`R` in the Pauli basis. For a gate
    :math:`N \circ U` this is the infidelity of the noise :math:`N` alone.
    """
    dim = ptm.shape[0]
    d = math.isqrt(dim)
    return 1 - (d * np.trace(ptm) / dim + 1) / (d + 1)


def depolarizing_for_infidelity(relaxation_ptm: np.ndarray, target: float) -> float:
    r"""The depolarizing p that, after ``relaxation_ptm``, gives average infidelity ``target``.

    As Qiskit Aer does for device models: the reported gate error includes relaxation, and the
    rest is attributed to depolarizing noise (0 when relaxation alone exceeds the target).
    Depolarizing scales every non-identity Pauli by :math:`1-\lambda`,
    :math:`\lambda = \frac{4^k}{4^k-1}p`, so the trace condition is linear in λ.
    """
    dim = relaxation_ptm.shape[0]
    d = math.isqrt(dim)
    process_target = ((1 - check_probability("gate error", target)) * (d + 1) - 1) / d
    identity_part = relaxation_ptm[0, 0]
    rest = np.trace(relaxation_ptm) - identity_part
    lam = 1 - (process_target * dim - identity_part) / rest
    return float(np.clip(lam * (dim - 1) / dim, 0.0, 1.0))
