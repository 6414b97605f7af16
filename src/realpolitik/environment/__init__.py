"""The strategic environment: indicator series, derived quantities, links into actor parameters, sweeps.

>>> import realpolitik as rp
>>> from realpolitik.environment import resolve
>>> s = rp.load("ec-emissions-1994")
>>> bool((resolve(s).problem.salience == rp.to_problem(s).salience).all())  # no links: own numbers
True
"""

from realpolitik.environment.derived import MEASURES, Context, power_share, threat
from realpolitik.environment.drivers import Driver, DriverError, parse_driver
from realpolitik.environment.links import LinkError, Target, clip_to, link_function, parse_target, valid_range
from realpolitik.environment.power import IssuePower, measured_power, read_issue_power
from realpolitik.environment.relations import relation_uses, unused_relation_warnings
from realpolitik.environment.resolve import (
    DriverUse,
    LinkEffect,
    Prepared,
    Resolved,
    Trace,
    prepare,
    resolve,
    resolved_scenario,
    scenario_problem,
)
from realpolitik.environment.series import (
    STALE_AFTER_DAYS,
    Period,
    Reading,
    Series,
    SeriesError,
    SeriesSource,
    load_series,
    parse_csv,
    parse_period,
    read_at,
    register_source,
    scale_value,
)

#: Sweeps run models and read their forecasts through the decision rules, so they sit above this package's
#: own layer (scenario -> environment -> models/deals -> forecast -> sweep); they load on first use.
_SWEEP = (
    "SweepResult",
    "feasibility_flag",
    "parse_vary",
    "render_sweep",
    "sweep",
    "sweep_headline",
    "sweep_to_json",
)


def __getattr__(name: str) -> object:
    if name in _SWEEP:
        import importlib

        module = importlib.import_module("realpolitik.environment.sweep")
        # importing the submodule binds its name here; the function of the same name takes it back
        globals().update({n: getattr(module, n) for n in _SWEEP})
        return globals()[name]
    raise AttributeError(f"module 'realpolitik.environment' has no attribute {name!r}")


__all__ = [
    "MEASURES",
    "STALE_AFTER_DAYS",
    "Context",
    "Driver",
    "DriverError",
    "DriverUse",
    "IssuePower",
    "LinkEffect",
    "LinkError",
    "Period",
    "Prepared",
    "Reading",
    "Resolved",
    "Series",
    "SeriesError",
    "SeriesSource",
    "SweepResult",
    "Target",
    "Trace",
    "clip_to",
    "feasibility_flag",
    "link_function",
    "load_series",
    "measured_power",
    "parse_csv",
    "parse_driver",
    "parse_period",
    "parse_target",
    "parse_vary",
    "power_share",
    "prepare",
    "read_at",
    "read_issue_power",
    "register_source",
    "relation_uses",
    "render_sweep",
    "resolve",
    "resolved_scenario",
    "scale_value",
    "scenario_problem",
    "sweep",
    "sweep_headline",
    "sweep_to_json",
    "threat",
    "unused_relation_warnings",
    "valid_range",
]
