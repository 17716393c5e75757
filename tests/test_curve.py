"""Curve runs: one agent over several bond lengths, and the circuits its policy proposes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench.cli import main
from workbench.config import get_run_preset
from workbench.config.presets import CURVE_BOND_LENGTHS
from workbench.config.sections import ProblemConfig
from workbench.errors import ConfigError
from workbench.experiment import build

TINY = {
    "problem.bond_lengths": [0.7414, 1.5],
    "env.observation_energy": "relative",
    "agent.self_imitation": 1.0,
    "episodes": 12,
    "checkpoint_every": 6,
    "env.test_every": 3,
}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([1.0], "at least two distinct"),
        ([1.0, 1.0], "at least two distinct"),
        ([1.0, -2.0], r"problem\.bond_lengths=-2\.0 is not allowed"),
        ("1.0,2.0", "expected a list"),
    ],
)
def test_bad_bond_lengths_are_refused_by_name(values, message):
    with pytest.raises(ConfigError, match=message):
        ProblemConfig("h2-2q", bond_lengths=values)


def test_the_runs_own_bond_length_must_be_on_the_curve():
    config = get_run_preset("h2-2q-demo").with_overrides({"problem.bond_lengths": [1.0, 1.5]})
    with pytest.raises(ConfigError, match=r"must include the run's own bond length 0\.7414"):
        build(config)


def test_the_curve_environment_draws_every_bond_length_and_reads_it_in_the_observation():
    experiment = build(get_run_preset("h2-2q-demo").with_overrides(TINY))
    env = experiment.env
    assert env.bond_lengths == (0.7414, 1.5) and env.at_reference
    assert experiment.problem is env.members[0.7414].problem
    seen = set()
    for _ in range(12):
        observation, info = env.reset()
        seen.add(info["bond_length"])
        assert observation[-2] == np.float32(info["bond_length"])
        assert observation[-1] == pytest.approx(1.0)  # relative energy: 1 at every start
        assert env.problem is env.members[info["bond_length"]].problem
    assert seen == {0.7414, 1.5}
    observation, info = env.reset(options={"bond_length": 1.5})
    assert not env.at_reference and env.curriculum.current == 1.5
    action = int(np.flatnonzero(info["action_mask"])[0])
    after, *_ = env.step(action)
    assert after.shape == env.observation_space.shape and after[-2] == np.float32(1.5)
    with pytest.raises(ConfigError, match=r"bond_length=2\.0 is not one of"):
        env.reset(options={"bond_length": 2.0})
    state = env.curriculum.state_dict()
    assert set(state) == {"0.7414", "1.5"}
    env.curriculum.load_state_dict(state)


def test_a_curve_run_trains_resumes_and_proposes_at_an_unseen_bond_length(tmp_path, capsys):
    from workbench.propose import propose
    from workbench.results import load_run
    from workbench.runs import resume, run

    config = get_run_preset("h2-2q-demo").with_overrides(TINY)
    folder = tmp_path / "curve"
    run(config.with_overrides({"episodes": 6}), out=folder, progress=False)
    resumed = resume(folder, episodes=12, progress=False)
    whole = run(config, out=tmp_path / "whole", progress=False)
    assert [m.to_dict() | {"wall_time": 0, "env_seconds": 0, "agent_seconds": 0}
            for m in resumed.metrics] == [
        m.to_dict() | {"wall_time": 0, "env_seconds": 0, "agent_seconds": 0}
        for m in whole.metrics
    ]  # fmt: skip
    lengths = {m.bond_length for m in load_run(folder).metrics}
    assert lengths == {0.7414, 1.5}
    result = load_run(folder)
    best = result.best
    assert best is not None and best.error < 0.2  # tracked at the run's own bond length only
    assert result.own_bond_length == 0.7414
    by_length = result.greedy_success_by_bond_length()
    assert sum(total for _, total in by_length.values()) == len(result.late_greedy_tests())
    assert set(by_length) <= {0.7414, 1.5}
    first = result.summary.first_chemical_accuracy_episode
    own = [m for m in result.metrics if not m.test and m.bond_length == 0.7414]
    accurate = [m.episode for m in own if m.error_to_ground < 1.6e-3]
    assert first == (accurate[0] if accurate else None)

    proposal = propose(folder, 1.1)
    assert proposal.bond_length == 1.1 and proposal.circuit.n_gates >= 1
    assert proposal.circuit.error == pytest.approx(proposal.circuit.energy - proposal.ground_energy)
    assert 1 <= proposal.circuit.step <= proposal.rollout_steps <= config.env.max_steps
    assert main(["propose", str(folder), "--bond-length", "1.1", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["circuit"]["gates"] == [list(g) for g in proposal.circuit.gates]
    assert record["within_chemical_accuracy"] == (proposal.circuit.error < 1.6e-3)

    assert main(["show", str(folder)]) == 0
    shown = capsys.readouterr().out
    assert "run's own R = 0.7414 Å" in shown and "workbench propose" in shown

    from workbench.widgets import CurveExplorer

    explorer = CurveExplorer(folder)
    assert (explorer.slider.min, explorer.slider.max) == (0.7414, 1.5)
    explorer.slider.value = 1.1  # moving the slider asks the policy
    assert explorer.last is not None and explorer.last.circuit == proposal.circuit
    assert "mHa" in explorer.status.value and explorer.picture.value[:4] == b"\x89PNG"
    assert explorer.propose(-1.0) is None and "cannot propose" in explorer.status.value


def test_propose_refuses_a_run_that_is_not_a_curve_run(tmp_path, capsys):
    from workbench.runs import run

    folder = tmp_path / "single"
    run(get_run_preset("h2-2q-demo").with_overrides({"episodes": 2}), out=folder, progress=False)
    assert main(["propose", str(folder), "--bond-length", "1.0"]) == 2
    assert "is not a curve run" in capsys.readouterr().err


def test_curve_presets_train_on_shipped_problems_including_their_own_geometry():
    from workbench.chem.cache import shipped_dir
    from workbench.chem.presets import PRESETS

    for preset_id, lengths in CURVE_BOND_LENGTHS.items():
        own = PRESETS[preset_id].bond_length
        assert own in lengths
        assert get_run_preset(f"{preset_id}-curve").problem.bond_lengths == lengths
        for r in lengths:
            name = f"{preset_id}-*.json" if r == own else f"{preset_id}@{r:g}A-*.json"
            assert list(shipped_dir().glob(name)), name
