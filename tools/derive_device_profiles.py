"""Write data/devices/*.json from the calibration values recovered in crlqas-spec.md §8.

The spec gives, per level, thermal-relaxation ratios t/T1, t/T2 for one- and two-qubit gates, the
extra one-qubit depolarizing λ (Qiskit's convention), the CNOT average gate infidelity *including*
thermal relaxation, and the readout flip probability. We fix the one-qubit gate time at 35.56 ns
(an SX pulse on IBM Falcon devices; an inference, not a source value), which gives T1, T2 and the
CNOT time, and solve for the two-qubit depolarizing p that makes the CNOT's average infidelity
(depolarizing after thermal relaxation on both qubits) equal the spec's value, as Qiskit Aer does
when it builds a noise model from device properties.

Usage: ``python tools/derive_device_profiles.py`` (rewrites the files).
"""

from __future__ import annotations

import numpy as np

from workbench.devices import depolarizing_for_infidelity, save_profile
from workbench.noise import NoiseModel

T_1Q_NS = 35.56
SOURCE = "crlqas-spec.md §8 (values recovered from the paper's PTM files)"


def with_cnot_error(base: NoiseModel, target: float, pair=(0, 1)) -> float:
    """Depolarizing p that makes the CNOT's infidelity (relaxation included) equal ``target``."""
    return depolarizing_for_infidelity(base.channel_ptm(pair), target)


def mumbai(level: str, t1_ratio_1q, t2_ratio_1q, t1_ratio_2q, lam_1q, cnot, readout):
    t1 = T_1Q_NS / t1_ratio_1q / 1000
    t2 = T_1Q_NS / t2_ratio_1q / 1000
    t_cx = t1_ratio_2q * t1 * 1000
    base = NoiseModel(
        name=f"ibm-mumbai-{level}",
        depolarizing_1q=0.75 * lam_1q,
        t1=t1,
        t2=t2,
        gate_time_1q=T_1Q_NS,
        gate_time_2q=t_cx,
        readout_p01=readout,
        readout_p10=readout,
    )
    p2 = with_cnot_error(base, cnot)
    model = NoiseModel.from_dict({**base.to_dict(), "depolarizing_2q": p2})
    return model, {"cnot_average_infidelity": cnot, "one_qubit_lambda_qiskit": lam_1q}


def ourense():
    ratios = {  # qubit: (1q t/T1, 1q t/T2, 2q t/T1, 1q avg infidelity, readout)
        0: (4.62e-4, 6.89e-4, 3.96e-3, 8.1e-4, 0.0166),
        1: (4.46e-4, 1.27e-3, 3.82e-3, 8.1e-4, 0.0237),
        2: (3.45e-4, 3.27e-4, 2.96e-3, 0.0, 0.0156),
        3: (4.40e-4, 4.47e-4, 3.77e-3, 2.4e-4, 0.0396),
    }
    t1 = tuple(T_1Q_NS / r[0] / 1000 for r in ratios.values())
    t2 = tuple(min(T_1Q_NS / r[1] / 1000, 2 * a) for r, a in zip(ratios.values(), t1, strict=True))
    t_cx = float(np.mean([r[2] / r[0] for r in ratios.values()]) * T_1Q_NS)
    # The spec's 1q column is an average infidelity: p = infidelity · (d+1)/d = 1.5 · infidelity.
    base = NoiseModel(
        name="ibm-ourense",
        n_qubits=4,
        depolarizing_1q=tuple(1.5 * r[3] for r in ratios.values()),
        t1=t1,
        t2=t2,
        gate_time_1q=T_1Q_NS,
        gate_time_2q=t_cx,
        readout_p01=tuple(r[4] for r in ratios.values()),
        readout_p10=tuple(r[4] for r in ratios.values()),
        coupling_map=((0, 1), (1, 0), (1, 2), (2, 1), (1, 3), (3, 1)),
    )
    cnots = {(0, 1): 0.0202, (1, 2): 0.0182, (1, 3): 0.0228}
    pairs = []
    for (a, b), target in cnots.items():
        for pair in ((a, b), (b, a)):
            pairs.append((*pair, with_cnot_error(base, target, pair)))
    model = NoiseModel.from_dict({**base.to_dict(), "depolarizing_2q_pairs": tuple(pairs)})
    return model, {"cnot_average_infidelity": {f"{a}-{b}": v for (a, b), v in cnots.items()}}


def write(model: NoiseModel, description: str, derivation: dict) -> None:
    save_profile(model, description, SOURCE, derivation)


def main() -> None:
    levels = {
        "median": (2.862e-4, 2.093e-4, 3.402e-3, 0.0, 0.0141, 0.0225),
        "max": (2.862e-4, 2.093e-4, 6.048e-3, 1.43e-3, 0.0332, 0.0869),
        "10max": (2.862e-3, 2.093e-3, 6.048e-2, 1.48e-2, 0.289, 0.0869),
    }
    for level, values in levels.items():
        model, derivation = mumbai(level, *values)
        write(model, f"IBM Mumbai {level} calibration, uniform over qubits, all-to-all", derivation)
    model, derivation = ourense()
    write(model, "IBM Ourense, 4 qubits, per-qubit calibration and its coupling map", derivation)
    for name, p1, p2, independent in (
        ("depolarizing-1e-3", 1e-3, 0.0, False),
        ("depolarizing-1e-3-5e-3", 1e-3, 5e-3, True),
        ("depolarizing-1e-3-1e-2", 1e-3, 1e-2, False),
    ):
        model = NoiseModel(
            name=name,
            depolarizing_1q=p1,
            depolarizing_2q=p2,
            two_qubit_depolarizing="independent" if independent else "joint",
        )
        write(
            model,
            f"one-qubit depolarizing p={p1} after rotations"
            + (
                f"; p={p2} after CNOTs ({'independent on each wire' if independent else 'joint'})"
                if p2
                else ""
            ),
            {},
        )


if __name__ == "__main__":
    main()
