"""Backtests that can be trusted: forecasts scored against recorded outcomes, beside naive baselines,
with every case dated clean or leaky (DESIGN §9a, docs/backtest.md).

>>> from realpolitik.backtest import backtest
>>> b = backtest(["ec-emissions-1994"], models="compromise,eum")
>>> s = b.summary()["leaky"]
>>> round(100 * s["compromise"].mean_error, 1), round(100 * s["weighted_median"].mean_error, 1)
(24.1, 30.6)
>>> b.summary()["clean"]["compromise"].n        # the EC case's inputs were published after the decision
0

Nothing here imports pandas, pyarrow or matplotlib at import time: Parquet is read (pyarrow) and figures
are drawn (matplotlib) only when asked for.
"""

from realpolitik.backtest.leakage import DatedNumber, Group, Leakage, leakage, used_numbers
from realpolitik.backtest.run import (
    CSV_COLUMNS,
    FORMAT,
    GROUPS,
    Backtest,
    CaseResult,
    PredictorSummary,
    ScoredIssue,
    Uncertainty,
    backtest,
    backtest_table,
    collect,
    run_table_chunk,
    score_scenario,
    score_table_cases,
    table_chunks,
)
from realpolitik.backtest.scoring import (
    BASELINE_LABELS,
    BASELINES,
    baselines,
    crps_ensemble,
    range_error,
    weighted_median,
)
from realpolitik.backtest.table import (
    TableCase,
    looks_like_long_table,
    read_long_table,
    table_leakage,
    write_long_table,
)

__all__ = [
    "BASELINES",
    "BASELINE_LABELS",
    "CSV_COLUMNS",
    "FORMAT",
    "GROUPS",
    "Backtest",
    "CaseResult",
    "DatedNumber",
    "Group",
    "Leakage",
    "PredictorSummary",
    "ScoredIssue",
    "TableCase",
    "Uncertainty",
    "backtest",
    "backtest_table",
    "baselines",
    "collect",
    "crps_ensemble",
    "leakage",
    "looks_like_long_table",
    "range_error",
    "read_long_table",
    "run_table_chunk",
    "score_scenario",
    "score_table_cases",
    "table_chunks",
    "table_leakage",
    "used_numbers",
    "weighted_median",
    "write_long_table",
]
