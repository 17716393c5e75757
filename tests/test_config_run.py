"""The run configuration: validation before any work, JSON round trips, overrides, presets."""

from __future__ import annotations

import json

import pytest

from workbench.config import (
    RunConfig,
    get_run_preset,
    paper_gamma,
    parse_override,
    run_presets,
)
from workbench.errors import ConfigError


def test_every_preset_round_trips_through_json():
    presets = run_presets()
    assert "h2-2q-demo" in presets
    for name, config in presets.items():
        assert config.preset == name
        again = RunConfig.from_dict(json.loads(json.dumps(config.to_dict())))
        assert again == config, name


def test_paper_presets_carry_the_paper_settings():
    h2 = get_run_preset("paper-h2-2q")
    assert (h2.episodes, h2.env.max_steps, h2.agent.hidden, h2.gamma) == (
        10000,
        40,
        (1000,) * 5,
        0.88,
    )
    assert (h2.curriculum.initial_threshold, h2.curriculum.greedy_shift_interval) == (0.97, 500)
    lih6 = get_run_preset("paper-lih-6q")
    assert (lih6.gamma, lih6.agent.n_step, lih6.agent.hidden) == (0.93, 6, (2000,) * 5)
    lih4 = get_run_preset("paper-lih-4q-depolarizing")
    assert lih4.optimizer.maxfev == (1191, 357, 119) and lih4.noise.shots == 10_000_000
    ourense = get_run_preset("paper-h2-4q-ourense")
    assert ourense.noise.profile == "ibm-ourense" and ourense.env.random_halting.mode_of == 100
    assert paper_gamma(250) == 0.98


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"episodes": -5}, r"episodes=-5 is not allowed: expected an integer in \[1, 100000000\]"),
        ({"optimizer.max_iterations": 0}, r"optimizer.max_iterations .*budget.*=0"),
        ({"optimizer.method": "adam_spsa", "optimizer.maxfev": [0]}, r"maxfev.*=0"),
        ({"optimizer.method": "newton"}, r"optimizer.method='newton'.*cobyla, lbfgs, spsa"),
        ({"optimizer.method": "adam_spsa3"}, r"needs 3 evaluation budget"),
        ({"env.target": "lowest"}, r"env.target='lowest'.*lower_bound, exact"),
        ({"env.zy_start_angle": 0}, r"env.zy_start_angle=0 is not allowed: .*\(0.0, 3.14"),
        ({"env.zy_rotations": "yes"}, r"env.zy_rotations='yes' is not allowed: expected true"),
        ({"agent.batch_size": 10, "agent.memory_size": 5}, r"agent.memory_size=5"),
        ({"agent.hiden": [3]}, r"unknown agent field\(s\) \['hiden'\]"),
        ({"colour": 3}, r"unknown run config field\(s\) \['colour'\]"),
        ({"problem.preset": None}, r"exactly one of problem.preset and problem.molecule"),
        ({"noise.shots": 0}, r"noise.shots=0"),
    ],
)
def test_bad_values_are_refused_with_their_name(overrides, message):
    with pytest.raises(ConfigError, match=message):
        get_run_preset("h2-2q-demo").with_overrides(overrides)


def test_three_stage_spsa_needs_a_shot_budget():
    with pytest.raises(ConfigError, match=r"set noise\.shots=N"):
        get_run_preset("h2-2q-demo").with_overrides(
            {"optimizer.method": "adam_spsa3", "optimizer.maxfev": [10, 6, 4]}
        )


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown run preset 'h2-9q'.*h2-2q-demo"):
        get_run_preset("h2-9q")


def test_overrides_and_gamma_resolution():
    config = get_run_preset("paper-h2-2q").with_overrides(
        {"env.max_steps": 70, "agent.hidden": [32, 32], "seed": 4}
    )
    assert config.agent.hidden == (32, 32) and config.seed == 4
    assert config.agent.gamma is None and config.gamma == 0.93  # re-derived from the new L
    demo = get_run_preset("h2-2q-demo").with_overrides({"env.max_steps": 12})
    assert demo.gamma == 0.9  # an explicit γ stays


def test_parse_override():
    assert parse_override("agent.hidden=[64, 64]") == ("agent.hidden", [64, 64])
    assert parse_override("noise.profile=ibm-mumbai-max") == ("noise.profile", "ibm-mumbai-max")
    assert parse_override("noise.shots=none") == ("noise.shots", None)
    with pytest.raises(ConfigError, match=r"expected SECTION\.FIELD=VALUE"):
        parse_override("seed")


def test_custom_molecule_problem():
    molecule = {"symbols": ["H", "H"], "geometry": [[0, 0, 0], [0, 0, 0.8]], "name": "h2-08"}
    config = RunConfig.from_dict({"problem": {"preset": None, "molecule": molecule}, "episodes": 3})
    assert config.problem.label == "h2-08"
    assert RunConfig.from_dict(config.to_dict()) == config


def test_the_optimiser_budget_rule_has_one_home():
    """Iterations for COBYLA/L-BFGS-B/Rotosolve, evaluations for (Adam-)SPSA, split 10:3:1 over
    the three stages: the report, the pickers and the preset table all use these two."""
    from workbench.config import budget_overrides

    assert budget_overrides("cobyla", 300) == {
        "optimizer.method": "cobyla",
        "optimizer.max_iterations": 300,
    }
    assert budget_overrides("adam_spsa3", 1400)["optimizer.maxfev"] == [1000, 300, 100]
    assert budget_overrides("spsa", 1)["optimizer.maxfev"] == [2]
    depolarizing = get_run_preset("paper-lih-4q-depolarizing").optimizer
    assert (depolarizing.budget, depolarizing.budget_text) == (1667, "1191/357/119")
    cobyla = get_run_preset("paper-h2-4q").optimizer
    assert (cobyla.budget, cobyla.budget_text) == (1000, "1000")


def test_differences_name_the_dotted_fields_that_changed():
    base = get_run_preset("h2-2q-demo")
    other = base.with_overrides({"agent.hidden": [8, 8], "seed": 4, "episodes": 9})
    assert base.differences(other) == ["agent.hidden", "episodes", "seed"]
    assert base.differences(base) == [] and other.differences(base) == base.differences(other)
