"""Scenarios: the data model, file formats, validation and the built-in cases."""

from realpolitik.scenario.convert import to_problem
from realpolitik.scenario.errors import Problem, ScenarioError
from realpolitik.scenario.io import (
    builtin_ids,
    dumps,
    from_dict,
    iter_quantities,
    load,
    parse_text,
    save,
    to_dict,
)
from realpolitik.scenario.schema import (
    Actor,
    Analogue,
    Decided,
    Environment,
    Indicator,
    Issue,
    Link,
    Quantity,
    Relation,
    Scenario,
    Source,
    Stance,
    Veto,
)

__all__ = [
    "Actor",
    "Analogue",
    "Decided",
    "Environment",
    "Indicator",
    "Issue",
    "Link",
    "Problem",
    "Quantity",
    "Relation",
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
    "save",
    "to_dict",
    "to_problem",
]
