"""The deal space: multi-issue packages, who accepts them, the frontier, solutions, vetoes, linkage, precedents.

``deals(scenario)`` is the entry point (see ``docs/deals.md``). The array core (:mod:`.space`,
:mod:`.core`, :mod:`.search`) takes a :class:`DealProblem` and never sees scenario objects.

The public names load on first use (PEP 562): a forecast that reads a scenario's decision rules
needs :mod:`.rules` and :mod:`.judge`, not the whole deal analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik._lazy import attach

_EXPORTS = {
    "Concession": "realpolitik.deals.core",
    "Condition": "realpolitik.deals.judge",
    "DealAnalysis": "realpolitik.deals.analysis",
    "DealInputError": "realpolitik.deals.analysis",
    "DealProblem": "realpolitik.deals.space",
    "DealResult": "realpolitik.deals.core",
    "DecisionStructure": "realpolitik.deals.rules",
    "Evaluation": "realpolitik.deals.analysis",
    "Judgement": "realpolitik.deals.judge",
    "MAX_ENUMERATE": "realpolitik.deals.core",
    "Precedent": "realpolitik.deals.analysis",
    "Rows": "realpolitik.deals.judge",
    "Term": "realpolitik.deals.analysis",
    "analyse": "realpolitik.deals.core",
    "any_feasible": "realpolitik.deals.core",
    "deal_exists": "realpolitik.deals.analysis",
    "deals": "realpolitik.deals.analysis",
    "deals_to_json": "realpolitik.deals.json_form",
    "decision_structure": "realpolitik.deals.rules",
    "enumerate_feasible": "realpolitik.deals.core",
    "evaluate": "realpolitik.deals.analysis",
    "grid_options": "realpolitik.deals.space",
    "issue_options": "realpolitik.deals.space",
    "judge_index": "realpolitik.deals.space",
    "ks_index": "realpolitik.deals.core",
    "nash_index": "realpolitik.deals.core",
    "pareto_mask": "realpolitik.deals.core",
    "precedents": "realpolitik.deals.analysis",
    "problem_from_scenario": "realpolitik.deals.analysis",
    "render_deals": "realpolitik.deals.render",
    "risk_exponent": "realpolitik.deals.space",
    "summary_sentences": "realpolitik.deals.render",
}

__getattr__, __dir__ = attach(__name__, _EXPORTS)

if TYPE_CHECKING:
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
