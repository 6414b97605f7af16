"""Scenarios: the data model, file formats, validation and the built-in cases."""

from typing import TYPE_CHECKING

from realpolitik._lazy import attach

_EXPORTS = {
    "to_problem": "realpolitik.scenario.convert",
    "Problem": "realpolitik.scenario.errors",
    "ScenarioError": "realpolitik.scenario.errors",
    "builtin_ids": "realpolitik.scenario.io",
    "dumps": "realpolitik.scenario.io",
    "from_dict": "realpolitik.scenario.io",
    "iter_quantities": "realpolitik.scenario.io",
    "load": "realpolitik.scenario.io",
    "parse_text": "realpolitik.scenario.io",
    "Provenance": "realpolitik.scenario.io",
    "provenance": "realpolitik.scenario.io",
    "save": "realpolitik.scenario.io",
    "to_dict": "realpolitik.scenario.io",
    "Actor": "realpolitik.scenario.schema",
    "Analogue": "realpolitik.scenario.schema",
    "Acceptable": "realpolitik.scenario.schema",
    "Agreement": "realpolitik.scenario.schema",
    "Condition": "realpolitik.scenario.schema",
    "Decided": "realpolitik.scenario.schema",
    "Rule": "realpolitik.scenario.schema",
    "Environment": "realpolitik.scenario.schema",
    "Indicator": "realpolitik.scenario.schema",
    "Issue": "realpolitik.scenario.schema",
    "Link": "realpolitik.scenario.schema",
    "Quantity": "realpolitik.scenario.schema",
    "Relation": "realpolitik.scenario.schema",
    "Scenario": "realpolitik.scenario.schema",
    "Source": "realpolitik.scenario.schema",
    "Stance": "realpolitik.scenario.schema",
    "Veto": "realpolitik.scenario.schema",
}

__getattr__, __dir__ = attach(__name__, _EXPORTS)

if TYPE_CHECKING:
    from realpolitik.scenario.convert import to_problem
    from realpolitik.scenario.errors import Problem, ScenarioError
    from realpolitik.scenario.io import (
        Provenance,
        builtin_ids,
        dumps,
        from_dict,
        iter_quantities,
        load,
        parse_text,
        provenance,
        save,
        to_dict,
    )
    from realpolitik.scenario.schema import (
        Acceptable,
        Actor,
        Agreement,
        Analogue,
        Condition,
        Decided,
        Environment,
        Indicator,
        Issue,
        Link,
        Quantity,
        Relation,
        Rule,
        Scenario,
        Source,
        Stance,
        Veto,
    )

__all__ = [
    "Acceptable",
    "Actor",
    "Agreement",
    "Analogue",
    "Condition",
    "Decided",
    "Environment",
    "Indicator",
    "Issue",
    "Link",
    "Problem",
    "Provenance",
    "Quantity",
    "Relation",
    "Rule",
    "Scenario",
    "ScenarioError",
    "Source",
    "Stance",
    "Veto",
    "builtin_ids",
    "dumps",
    "from_dict",
    "iter_quantities",
    "load",
    "parse_text",
    "provenance",
    "save",
    "to_dict",
    "to_problem",
]
