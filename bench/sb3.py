"""A standard RL library on the workbench's environment: sb3-contrib's MaskablePPO.

Run by hand (needs the ``rl`` extra): ``.venv/bin/python -m bench.sb3 [--preset h2-3q-classroom]
[--steps 4000] [--seeds 0 1 2] [--tests 20]``. The environment comes from
``gymnasium.make("qas-workbench/CircuitGrowth-v0", preset=...)`` — its curriculum fed by the
registered wrapper, the legal actions from ``action_masks()`` — with no adapter in between.
After ``--steps`` environment steps the greedy (deterministic, masked) policy plays ``--tests``
test episodes; printed per seed: the share within chemical accuracy of the exact E0, the best
error and the training seconds.
"""

from __future__ import annotations

import argparse
import time

import gymnasium
import numpy as np

from workbench.config import CHEMICAL_ACCURACY
from workbench.env import ENV_ID


def greedy_episodes(model, env, episodes: int) -> list[float]:
    """Errors against the exact E0 of ``episodes`` greedy episodes (no curriculum feedback)."""
    env.unwrapped.training = False
    errors = []
    for _ in range(episodes):
        observation, _ = env.reset()
        done = False
        while not done:
            masks = env.get_wrapper_attr("action_masks")()
            action, _ = model.predict(observation, action_masks=masks, deterministic=True)
            observation, _, terminated, truncated, info = env.step(int(action))
            done = terminated or truncated
        errors.append(info["error_to_ground"])
    env.unwrapped.training = True
    return errors


def main() -> None:
    from sb3_contrib import MaskablePPO

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="h2-3q-classroom")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--tests", type=int, default=20)
    args = parser.parse_args()
    print("| seed | steps | greedy within 1.6 mHa | best greedy error [Ha] | training s |")
    print("|---|---|---|---|---|")
    for seed in args.seeds:
        env = gymnasium.make(ENV_ID, preset=args.preset, seed=seed)
        model = MaskablePPO("MlpPolicy", env, seed=seed, n_steps=256, batch_size=64, verbose=0)
        started = time.perf_counter()
        model.learn(args.steps)
        seconds = time.perf_counter() - started
        errors = np.array(greedy_episodes(model, env, args.tests))
        share = float(np.mean(errors < CHEMICAL_ACCURACY))
        print(f"| {seed} | {args.steps} | {share:.0%} | {errors.min():.1e} | {seconds:.0f} |")


if __name__ == "__main__":
    main()
