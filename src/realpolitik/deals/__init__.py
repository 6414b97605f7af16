"""The deal space: multi-issue packages, who accepts them, the frontier, solutions, vetoes, linkage, precedents.

``deals(scenario)`` is the entry point (see ``docs/deals.md``). The array core (:mod:`.space`,
:mod:`.core`, :mod:`.search`) takes a :class:`DealProblem` and never sees scenario objects.
"""

from realpolitik.deals.analysis import (
    DealAnalysis,
    DealInputError,
    Evaluation,
    Precedent,
    Term,
    deal_exists,
    deals,
    evaluate,
    precedents,
    problem_from_scenario,
)
from realpolitik.deals.core import (
    MAX_ENUMERATE,
    Concession,
    DealResult,
    analyse,
    any_feasible,
    enumerate_feasible,
    ks_index,
    nash_index,
    pareto_mask,
)
from realpolitik.deals.json_form import deals_to_json
from realpolitik.deals.judge import Condition, Judgement, Rows
from realpolitik.deals.render import render_deals, summary_sentences
from realpolitik.deals.rules import DecisionStructure, decision_structure
from realpolitik.deals.space import DealProblem, grid_options, issue_options, judge_index, risk_exponent

__all__ = [
    "MAX_ENUMERATE",
    "Concession",
    "Condition",
    "DealAnalysis",
    "DealInputError",
    "DealProblem",
    "DealResult",
    "DecisionStructure",
    "Evaluation",
    "Judgement",
    "Precedent",
    "Rows",
    "Term",
    "analyse",
    "any_feasible",
    "deal_exists",
    "deals",
    "deals_to_json",
    "decision_structure",
    "enumerate_feasible",
    "evaluate",
    "grid_options",
    "issue_options",
    "judge_index",
    "ks_index",
    "nash_index",
    "pareto_mask",
    "precedents",
    "problem_from_scenario",
    "render_deals",
    "risk_exponent",
    "summary_sentences",
]
