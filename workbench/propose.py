r"""A trained curve run's policy asked for a circuit at any bond length, with no further training.

:func:`propose` rebuilds the run's environment at the requested bond length R (the same step cap,
optimiser, noise and observation; no random halting, no curriculum to end the episode early),
loads the agent from the run's checkpoint and rolls its policy out greedily to the step cap. The
environment re-optimises every angle after each gate, so every prefix of the rollout is an
optimised circuit; the proposal is the prefix with the lowest energy (the variational principle:
choosing it needs no exact E0). Its error is then measured against the exact E0 at R.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from workbench.chem import get_problem
from workbench.config import CHEMICAL_ACCURACY
from workbench.devices import resolve_noise
from workbench.env.curriculum import FixedSchedule
from workbench.env.curve import CurveEnv
from workbench.errors import ConfigError
from workbench.experiment import agent_for, member_env
from workbench.results import CircuitRecord, load_run
from workbench.runs import load_checkpoint
from workbench.sim import Circuit, evaluated_record


@dataclass(frozen=True)
class Proposal:
    """The circuit a curve run's policy proposes at ``bond_length`` (Å): ``circuit`` as
    ``best.json`` records circuits (``step``: the rollout step it ends at), E0 and Hartree–Fock
    energy there (Ha), the greedy rollout's length and the seconds it all took."""

    bond_length: float
    circuit: CircuitRecord
    ground_energy: float
    hartree_fock_energy: float
    rollout_steps: int
    seconds: float

    @property
    def within_chemical_accuracy(self) -> bool:
        return self.circuit.error < CHEMICAL_ACCURACY

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self) | {"circuit": self.circuit.to_dict()}
        return data | {"within_chemical_accuracy": self.within_chemical_accuracy}


def propose(folder: str | Path, bond_length: float) -> Proposal:
    """The circuit the policy of the curve run in ``folder`` proposes at ``bond_length`` Å."""
    return CurvePolicy(folder).propose(bond_length)


class CurvePolicy:
    """A curve run's trained policy, loaded once (run folder and checkpoint) to propose circuits
    at many bond lengths: what the curve explorer's slider asks on every move."""

    def __init__(self, folder: str | Path) -> None:
        result = load_run(folder)
        self.folder, self.config = Path(folder), result.config
        if self.config.problem.bond_lengths is None:
            raise ConfigError(
                f"{folder} is not a curve run (no problem.bond_lengths): only a policy trained "
                "over bond lengths reads one; train one with e.g. "
                "`workbench train --preset lih-4q-curve`"
            )
        checkpoint = self.folder / "checkpoint.pt"
        if not checkpoint.exists():
            raise ConfigError(f"{folder} has no checkpoint.pt yet: no trained policy to ask")
        self.agent_state = load_checkpoint(checkpoint, self.config)["agent"]
        self.agent = None  # built with the first rollout environment: the same at every R
        self.bond_lengths = self.config.problem.bond_lengths
        self.n_qubits = result.resolved.problem.n_qubits

    def propose(self, bond_length: float) -> Proposal:
        """Roll the policy out greedily at ``bond_length`` Å and keep the lowest-energy prefix."""
        started = time.perf_counter()
        config = self.config
        problem = get_problem(config.problem.preset, bond_length)  # checks R, builds on a miss
        env = _rollout_env(config, problem, bond_length)
        if self.agent is None:  # greedy acting changes no agent state: one load serves all R
            self.agent = agent_for(config, env)
            self.agent.load_state_dict(self.agent_state)
        agent = self.agent
        observation, info = env.reset(options={"bond_length": float(bond_length)})
        best, steps = None, 0
        for steps in range(1, config.env.max_steps + 1):
            action = agent.act(observation, info["action_mask"], greedy=True)
            observation, _, terminated, truncated, info = env.step(action)
            if best is None or info["energy"] < best[0]["energy"]:
                best = (info, steps)
            if terminated or truncated or not info["action_mask"].any():
                break
        chosen, step = best
        circuit = Circuit.from_gates(problem.n_qubits, chosen["gates"])
        record = evaluated_record(circuit, chosen["params"], problem, env.noise, env.mitigation)
        record |= {"step": step, "test": True, "measured_energy": chosen["energy"]}
        return Proposal(
            bond_length=float(bond_length),
            circuit=CircuitRecord.from_dict(record),
            ground_energy=problem.ground_energy,
            hartree_fock_energy=problem.hartree_fock_energy,
            rollout_steps=steps,
            seconds=time.perf_counter() - started,
        )


def _rollout_env(config, problem, bond_length: float) -> CurveEnv:
    """The run's environment at ``bond_length``: no random halting, and a threshold no energy
    passes (the rollout runs to the step cap; the lowest-energy prefix is chosen afterwards)."""
    config = dataclasses.replace(config, env=dataclasses.replace(config.env, random_halting=None))
    member = member_env(config, problem, resolve_noise(config.noise, problem.n_qubits))
    member.curriculum = FixedSchedule(member.target_energy, thresholds=(0.0,))
    env = CurveEnv({float(bond_length): member}, float(bond_length), config.seed)
    env.training = False
    return env
