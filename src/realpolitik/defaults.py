"""Defaults shared by the command line and the Python API, in one place, each with its reason.

The commands and functions that run **one** model (``sweep``, ``montecarlo``, ``analyze``, ``report``;
:func:`~realpolitik.forecast`, :func:`~realpolitik.sweep`, :func:`~realpolitik.monte_carlo`, the
sensitivity analysis) use :data:`MODEL` when none is named. The commands that **compare** models
(``forecast``, ``backtest``) run every model by default (:data:`COMPARE`).

>>> MODEL, MONTECARLO_DRAWS, ANALYSIS_DRAWS, SEED
('compromise', 10000, 2000, 0)
"""

from __future__ import annotations

#: The built-in models, in the order the commands list them (help texts read this, so that printing the
#: help does not load the models; a test checks it against the registry).
MODELS = ("compromise", "nash", "eum", "exchange", "smp")

#: The model of every command and function that runs one model, when the caller names none.
MODEL = "compromise"

#: Why :data:`MODEL` (shown in help texts and in the report beside every section that uses it).
MODEL_REASON = (
    "the baseline the literature finds hard to beat (the capability- and salience-weighted mean; "
    "Achen 2006 on the EU legislative data): closed form, no convergence questions; the dynamic "
    "models are shown beside it"
)

#: When :data:`MODEL` (or the model the caller chose) cannot run on a scenario, ``analyze`` and ``report``
#: take the first of these that can, and say so.
FALLBACK_MODELS = ("compromise", "eum", "exchange", "smp", "nash")

#: What the commands that compare models (``forecast``, ``backtest``) run by default.
COMPARE = "all"

#: Draws of ``montecarlo`` (and :func:`~realpolitik.monte_carlo` callers who follow the CLI): the
#: dedicated command. With 10,000 draws a probability is known to about ±1 percentage point (95%).
MONTECARLO_DRAWS = 10_000

#: Draws of the Monte Carlo step of ``analyze`` and ``report``: fewer than :data:`MONTECARLO_DRAWS` so the
#: whole analysis (every model, deals, a sweep, Monte Carlo and a sensitivity analysis) takes seconds;
#: a probability is then known to about ±2 percentage points (95%). ``--draws`` raises it.
ANALYSIS_DRAWS = 2_000

#: Draws per Monte Carlo chunk: the unit of work of an executor and of a resumed run. Draws depend on it
#: (chunk ``k`` has its own random stream), so changing it changes the draws, not their distribution.
CHUNK_SIZE = 10_000

#: The seed of every command that draws random numbers: same seed, same output.
SEED = 0

#: Why the two draw counts differ, in one sentence (help texts and docs/cli.md).
DRAWS_REASON = (
    f"analyze and report use {ANALYSIS_DRAWS:,} draws to finish in seconds (a probability to about "
    f"±2 points); montecarlo uses {MONTECARLO_DRAWS:,} (about ±1 point)"
)
