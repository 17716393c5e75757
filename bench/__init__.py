"""Benchmarks and the paper reproduction, run by hand from the repository root as modules:

* ``python -m bench.simulator`` — the PTM engine against Qiskit Aer and PennyLane
  (``docs/simulator.md``);
* ``python -m bench.search`` — time to chemical accuracy of the search presets (``docs/search.md``);
* ``python -m bench.sweep`` — sweep engines against one-at-a-time runs
  (``docs/reports-and-sweeps.md``);
* ``python -m bench.panel`` — the live panel's training speed against the command line's
  (``docs/panel.md``);
* ``python -m bench.course`` — the course notebooks' run times (``docs/lesson-plan.md``);
* ``python -m bench.baselines`` — HEA, UCCSD, ADAPT-VQE, random search and the agent
  (``docs/baselines.md``);
* ``python -m bench.paper`` — the paper's experiments (``docs/paper-comparison.md``, written by
  :mod:`bench.paper_doc`);
* ``python -m bench.noisy_optimum`` — the lowest noisy energy per circuit family (paper notes).

:mod:`bench.readme` writes the generated tables between markers. Imports flow from the
experiments to ``paper_doc``/``readme`` and to :mod:`workbench`, never back
(``tests/test_project.py`` checks it). Performance claims live here, never in timed tests.
"""
