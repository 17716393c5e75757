"""Baselines under the same objective as the agent: hardware-efficient ansatz, UCCSD,
ADAPT-VQE (fermionic and qubit pools) and random search over the agent's actions.

Every method uses the workbench's simulator, noise models, shots and angle optimisers, so each
sees exactly the objective the agent sees; circuits are in the agent's gate set (RX/RY/RZ/CNOT,
X for the Hartree–Fock state) and obey the device's coupling map.

Example:
    >>> from workbench.baselines import run_baselines
    >>> rows = run_baselines("h2-4q", methods=("uccsd",))  # doctest: +SKIP
    >>> rows[0].error < 1e-6  # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from workbench.baselines.objective import COLUMNS, BaselineResult, Objective
from workbench.config import BaselineConfig, NoiseConfig
from workbench.sim.objective import Mitigation

__all__ = ["COLUMNS", "BaselineResult", "Objective", "baselines_for_run", "run_baselines"]


def run_baselines(
    problem,
    noise: str | NoiseConfig | None = None,
    config: BaselineConfig | None = None,
    *,
    bond_length: float | None = None,
    progress: Callable[[str], None] | None = None,
    **settings,
) -> list[BaselineResult]:
    """Run the baselines of ``config`` (or ``BaselineConfig(**settings)``) on ``problem``.

    Args:
        problem: a preset id (``"h2-4q"``) or a :class:`~workbench.chem.Problem`.
        noise: a device profile name, a :class:`NoiseConfig` (profile, scale, shots) or
            ``None`` (noiseless, exact expectations).
        bond_length: Å, for diatomic presets given by id.
        progress: called with a line of text before each method.

    Raises:
        ConfigError: a bad setting, profile or coupling map, before anything runs.
    """
    from workbench.baselines.methods import METHODS
    from workbench.chem import get_problem
    from workbench.devices import resolve_noise

    config = config or BaselineConfig(**settings)
    if isinstance(problem, str):
        problem = get_problem(problem, bond_length)
    if noise is None or isinstance(noise, str):
        noise = NoiseConfig(profile=noise)
    model = resolve_noise(noise, problem.n_qubits)
    config.optimizer_for(noise.shots)  # refuses L-BFGS-B with shots before any work
    rng = np.random.default_rng(config.seed)
    objective = Objective(problem, model, noise.shots, rng, Mitigation.of(noise))
    rows: list[BaselineResult] = []
    for method in config.methods:
        if progress is not None:
            progress(f"{method} on {problem.id} ({noise.label})")
        rows += METHODS[method](objective, config, rng)
    return rows


def baselines_for_run(
    folder,
    config: BaselineConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    **settings,
) -> list[BaselineResult]:
    """The baselines on a run's own problem and noise (shots and readout mitigation included),
    with the run's angle optimiser; random search in the run's environment (step cap, initial
    state) with the run's energy-evaluation count as its budget (when the run recorded it).
    ``settings`` override any of these. The run's best circuits follow as ``crlqas`` rows
    (evaluations and seconds: the whole search)."""
    import dataclasses
    import time

    from workbench.baselines.ansatz import Ansatz
    from workbench.baselines.objective import result
    from workbench.results import load_run
    from workbench.sim import Circuit

    run = load_run(folder)
    spent = run.energy_evaluations
    if config is None:
        own = {
            "optimizer": run.config.optimizer,
            "random_max_gates": run.config.env.max_steps,
            "random_zy_rotations": run.config.env.zy_rotations,
            # an MPS-started run's baselines start from Hartree-Fock (their ansätze take X gates)
            "initial_state": run.config.env.initial_state.replace("mps", "hartree_fock"),
            **({"random_budget": spent} if spent else {}),
        }
        config = BaselineConfig(**{**own, **settings})
    problem, model = run.problem_and_noise()
    rows = run_baselines(problem, run.config.noise, config, progress=progress)
    objective = Objective(problem, model, None, None, Mitigation.of(run.config.noise))
    for which, record in run.headline_circuits().items():
        circuit = Circuit.from_gates(problem.n_qubits, record.gates)
        row = result("crlqas", f"{which} (episode {record.episode})",
                     Ansatz.free("crlqas", circuit), record.params, objective,
                     time.perf_counter(), 0)  # fmt: skip
        seconds = run.summary.wall_time_s
        rows.append(dataclasses.replace(row, evaluations=spent, seconds=seconds))
    return rows
