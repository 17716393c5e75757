"""Shot sampling is batch-invariant: the compiled multinomial chain draws NumPy's counts bit for
bit; a batch of parameter sets draws what one call per set draws (plain, Gaussian, readout
inversion, zero-noise extrapolation); the compiled per-circuit objective draws what
``search_energies`` draws; and Adam-SPSA on a batched noisy objective ends where the same
optimiser on a one-set-at-a-time objective ends, for a fixed seed."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.chem import get_problem
from workbench.noise import NoiseModel
from workbench.optim import AdamSPSA, adam_spsa
from workbench.sim import Circuit, Mitigation, SampledEnergy, energies, search_energies
from workbench.sim.sampling import class_energies, multinomial_counts, numba

H2 = get_problem("h2-4q")
CIRCUIT = Circuit.from_gates(4, [("X", 0), ("X", 1), ("RY", 2), ("CNOT", 2, 3), ("CNOT", 2, 0),
                                 ("RX", 1), ("CNOT", 3, 1), ("RZ", 0)])  # fmt: skip
ANGLES = np.array([[0.3, -0.7, 1.1], [0.5, 0.2, -0.4], [-1.2, 0.9, 0.05]])
NOISE = NoiseModel(depolarizing_1q=2e-3, depolarizing_2q=2e-2, readout_p01=0.03,
                   readout_p10=0.05)  # fmt: skip
MITIGATIONS = {
    "none": None,
    "readout": Mitigation(readout=True),
    "zne": Mitigation(zne_scales=(1, 3, 5)),
    "readout+zne": Mitigation(readout=True, zne_scales=(1, 3), zne_fit="linear"),
}
needs_numba = pytest.mark.skipif(numba is None, reason="the compiled chain needs numba")


def _random_rows(rng, shape):
    """Distributions with exact zeros, near-degenerate and all-mass rows (the edge cases)."""
    rows = rng.dirichlet(np.full(shape[-1], rng.choice([0.05, 1.0, 20.0])), size=shape[:-1])
    rows[rng.random(rows.shape) < 0.2] = 0.0
    rows[..., -1] += 1e-3 * (rows.sum(axis=-1) == 0)
    return rows / rows.sum(axis=-1, keepdims=True)


@needs_numba
@pytest.mark.parametrize("shots", [1, 7, 1000, 10**7])
def test_the_compiled_chain_draws_numpys_counts_bit_for_bit(shots):
    rng = np.random.default_rng(shots)
    for _ in range(25):
        rows = _random_rows(rng, (rng.integers(1, 4), rng.integers(1, 6), rng.integers(1, 17)))
        seed = int(rng.integers(2**32))
        compiled, by_numpy = np.random.default_rng(seed), np.random.default_rng(seed)
        counts = multinomial_counts(rows, shots, compiled, "numba")
        expected = multinomial_counts(rows, shots, by_numpy, "numpy")
        np.testing.assert_array_equal(counts, expected)
        assert counts.sum(axis=-1).min() == shots
        assert compiled.random() == by_numpy.random()  # the same draws were consumed


def test_a_class_holding_all_the_mass_by_rounding_is_drawn():
    """Parts that sum to 1 + 1 ulp (seen in a LiH-4q episode): every shot lands there."""
    parts = np.array([0.7214883401940817, 0.5253543224757259, 0.31024187555895566])
    rows = np.array([[[(parts / parts.sum()).sum(), 0.0]]])
    assert multinomial_counts(rows, 100, np.random.default_rng(0)).tolist() == [[[100, 0]]]


@needs_numba
def test_the_compiled_class_energies_match_the_numpy_reference():
    rng = np.random.default_rng(3)
    for _ in range(40):
        circuits, groups, sets, size = rng.integers(1, 4), rng.integers(1, 6), 3, 8
        width = int(rng.integers(1, size + 1))
        class_of = np.stack([rng.permutation(np.r_[np.arange(width),
                                                   rng.integers(0, width, size - width)])
                             for _ in range(groups)])  # fmt: skip
        values, weights = rng.normal(size=(groups, width)), rng.normal(size=circuits)
        rows = _random_rows(rng, (circuits, groups, sets, size)) * rng.uniform(0.5, 2.0)
        seed = int(rng.integers(2**32))
        compiled = class_energies(rows, class_of, values, weights, 500,
                                  np.random.default_rng(seed), "numba")  # fmt: skip
        expected = class_energies(rows, class_of, values, weights, 500,
                                  np.random.default_rng(seed), "numpy")  # fmt: skip
        np.testing.assert_allclose(compiled, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("shot_noise", ["sample", "gaussian"])
@pytest.mark.parametrize("noise", [None, NOISE], ids=["noiseless", "noisy"])
def test_a_batch_of_energies_draws_what_one_call_per_set_draws(noise, shot_noise):
    batched = energies(CIRCUIT, ANGLES, H2, noise, 300, np.random.default_rng(5),
                       shot_noise=shot_noise)  # fmt: skip
    generator = np.random.default_rng(5)
    one_by_one = [energies(CIRCUIT, row, H2, noise, 300, generator, shot_noise=shot_noise)[0]
                  for row in ANGLES]  # fmt: skip
    np.testing.assert_allclose(batched, one_by_one, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", MITIGATIONS)
def test_the_search_energies_of_a_batch_are_those_of_its_sets_in_turn(name):
    mitigation = MITIGATIONS[name]
    batched = search_energies(CIRCUIT, ANGLES, H2, NOISE, 400, 9, mitigation)
    generator = np.random.default_rng(9)
    one_by_one = [search_energies(CIRCUIT, row[None], H2, NOISE, 400, generator, mitigation)[0]
                  for row in ANGLES]  # fmt: skip
    np.testing.assert_allclose(batched, one_by_one, rtol=0, atol=1e-12)
    compiled = SampledEnergy(CIRCUIT, H2, NOISE, mitigation)(ANGLES, 400, np.random.default_rng(9))
    np.testing.assert_array_equal(compiled, batched)


@pytest.mark.parametrize("name", ["none", "readout+zne"])
def test_adam_spsa_on_a_batched_noisy_objective_equals_it_unbatched(name):
    """SPSA evaluates its iterate and ± pair in one call: evaluating them one at a time from the
    same generator ends at the same angles and energy (three stages, 10/100/1000 shots)."""
    objective = SampledEnergy(CIRCUIT, H2, NOISE, MITIGATIONS[name])
    settings = AdamSPSA(0.3, 0.602, 0.2, 0.101, 0.5, 0.9, 0.999,
                        stages=((20, 10), (10, 100), (6, 1000)))  # fmt: skip

    def run(batched: bool):
        rng = np.random.default_rng(21)

        def f(params, shots=None):
            if batched:
                return objective(params, shots, rng)
            return np.concatenate([objective(row[None], shots, rng) for row in params])

        return adam_spsa(f, ANGLES[0], settings, rng)

    batched, unbatched = run(True), run(False)
    # the same draws; a product over a batch and over one row may round differently in the
    # last bit (BLAS), which must not change a draw
    np.testing.assert_allclose(batched.x, unbatched.x, rtol=0, atol=1e-9)
    assert batched.fun == pytest.approx(unbatched.fun, abs=1e-9)
    assert batched.n_evaluations == unbatched.n_evaluations


@pytest.mark.parametrize("shots", [-5, 2.5, True])
def test_the_search_energies_name_bad_shots(shots):
    from workbench.errors import ConfigError

    with pytest.raises(ConfigError, match=f"shots={shots!r}: expected None"):
        search_energies(CIRCUIT, ANGLES, H2, NOISE, shots, 0)
