r"""One environment over a molecule's dissociation curve: a *curve run* trains one agent on a set
of bond lengths (``problem.bond_lengths``) so that its policy can propose a circuit at any bond
length afterwards (:mod:`workbench.propose`).

:class:`CurveEnv` holds one :class:`~workbench.env.vqe.CircuitGrowthEnv` per bond length (the
same action table, step cap, optimiser and noise; each its own Hamiltonian, target energy and
curriculum) and one random generator, which draws the bond length of every episode uniformly
and serves the members' halting and shots too (one generator: a checkpoint restores it whole).
Observation: the member's observation (circuit encoding, energy entry) with the bond length R
in Å inserted before the energy entry — ``[encoding..., R, energy]`` — so that the energy stays
last, where agents and their demonstrations read it. With ``env.observation_energy =
"relative"`` the energy entry reads the same at every R (1 at the start, 0 at the target), which
is what a policy shared across the curve wants.
"""

from __future__ import annotations

from collections.abc import Mapping

import gymnasium
import numpy as np

from workbench.env.vqe import CircuitGrowthEnv
from workbench.errors import ConfigError


class CurveCurriculum:
    """The members' curricula as one: ``threshold``, ``observe_energy`` and ``end_episode``
    act on the current bond length's; the state holds all of them (keys: R in Å as text)."""

    def __init__(self, curricula: Mapping[float, object], current: float) -> None:
        self.curricula = dict(curricula)
        self.current = current

    @property
    def threshold(self) -> float:
        return self.curricula[self.current].threshold

    def observe_energy(self, energy: float) -> None:
        self.curricula[self.current].observe_energy(energy)

    def end_episode(self, success: bool) -> None:
        self.curricula[self.current].end_episode(success)

    def state_dict(self) -> dict:
        return {f"{r!r}": c.state_dict() for r, c in self.curricula.items()}

    def load_state_dict(self, state: dict) -> None:
        for r, curriculum in self.curricula.items():
            curriculum.load_state_dict(state[f"{r!r}"])


class CurveEnv(gymnasium.Env):
    """Episodes at bond lengths drawn from ``members`` (R in Å → its environment).

    ``reference``: the bond length whose problem the run folder records and whose circuits
    the best-circuit tracker keeps (:attr:`at_reference`). ``reset(options={"bond_length": R})``
    starts an episode at a chosen R (a member's), as the greedy proposal does.
    """

    metadata = CircuitGrowthEnv.metadata

    def __init__(
        self, members: Mapping[float, CircuitGrowthEnv], reference: float, seed: int | None = None
    ) -> None:
        if reference not in members:
            raise ConfigError(
                f"the run's own bond length {reference:g} Å is not among problem.bond_lengths "
                f"{sorted(members)}: add it, or set problem.bond_length to one of them"
            )
        self.members = dict(sorted(members.items()))
        self.bond_lengths = tuple(self.members)
        self.reference = self.bond_length = reference
        self._seed(seed)
        first = self.members[reference]
        self.table, self.n_qubits, self.max_steps = first.table, first.n_qubits, first.max_steps
        self.mitigation, self.noise = first.mitigation, first.noise
        size = first.observation_space.shape[0] + 1
        self.observation_space = gymnasium.spaces.Box(-np.inf, np.inf, (size,), np.float32)
        self.action_space = first.action_space
        self.curriculum = CurveCurriculum(
            {r: m.curriculum for r, m in self.members.items()}, reference
        )
        self._training = True

    def _seed(self, seed: int | None) -> None:
        """One generator for the bond-length draws and every member's halting and shots."""
        self.rng = np.random.default_rng(seed)
        for member in self.members.values():
            member.rng = self.rng

    @property
    def current(self) -> CircuitGrowthEnv:
        return self.members[self.bond_length]

    @property
    def at_reference(self) -> bool:
        return self.bond_length == self.reference

    problem = property(lambda self: self.current.problem)
    target_energy = property(lambda self: self.current.target_energy)
    start_energy = property(lambda self: self.current.start_energy)
    evaluations = property(lambda self: sum(m.evaluations for m in self.members.values()))
    shots_spent = property(lambda self: sum(m.shots_spent for m in self.members.values()))

    @property
    def training(self) -> bool:
        return self._training

    @training.setter
    def training(self, value: bool) -> None:
        self._training = value
        for member in self.members.values():
            member.training = value

    def _observation(self, observation: np.ndarray) -> np.ndarray:
        return np.insert(observation, -1, np.float32(self.bond_length)).astype(np.float32)

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self._seed(seed)
        chosen = (options or {}).get("bond_length")
        if chosen is None:
            chosen = self.bond_lengths[int(self.rng.integers(len(self.bond_lengths)))]
        elif chosen not in self.members:
            raise ConfigError(
                f"bond_length={chosen!r} is not one of this environment's {list(self.members)}"
            )
        self.bond_length = self.curriculum.current = chosen
        observation, info = self.current.reset()
        return self._observation(observation), info | {"bond_length": chosen}

    def step(self, action: int):
        observation, reward, terminated, truncated, info = self.current.step(action)
        info = info | {"bond_length": self.bond_length}
        return self._observation(observation), reward, terminated, truncated, info

    def action_mask(self) -> np.ndarray:
        return self.current.action_mask()

    def action_masks(self) -> np.ndarray:
        """The legal actions now (sb3-contrib's masked algorithms call this)."""
        return self.current.action_masks()
