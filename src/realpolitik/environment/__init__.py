"""The strategic environment: indicator series, derived quantities, links into actor parameters, sweeps.

>>> import realpolitik as rp
>>> from realpolitik.environment import resolve
>>> s = rp.load("ec-emissions-1994")
>>> bool((resolve(s).problem.salience == rp.to_problem(s).salience).all())  # no links: own numbers
True
"""

from typing import TYPE_CHECKING

from realpolitik._lazy import attach

_EXPORTS = {
    "Context": "realpolitik.environment.derived",
    "MEASURES": "realpolitik.environment.derived",
    "power_share": "realpolitik.environment.derived",
    "threat": "realpolitik.environment.derived",
    "Driver": "realpolitik.environment.drivers",
    "DriverError": "realpolitik.environment.drivers",
    "parse_driver": "realpolitik.environment.drivers",
    "LinkError": "realpolitik.environment.links",
    "Target": "realpolitik.environment.links",
    "clip_to": "realpolitik.environment.links",
    "link_function": "realpolitik.environment.links",
    "parse_target": "realpolitik.environment.links",
    "valid_range": "realpolitik.environment.links",
    "DriverUse": "realpolitik.environment.resolve",
    "LinkEffect": "realpolitik.environment.resolve",
    "Prepared": "realpolitik.environment.resolve",
    "Resolved": "realpolitik.environment.resolve",
    "Trace": "realpolitik.environment.resolve",
    "prepare": "realpolitik.environment.resolve",
    "resolve": "realpolitik.environment.resolve",
    "resolved_scenario": "realpolitik.environment.resolve",
    "scenario_problem": "realpolitik.environment.resolve",
    "IssuePower": "realpolitik.environment.power",
    "measured_power": "realpolitik.environment.power",
    "read_issue_power": "realpolitik.environment.power",
    "relation_uses": "realpolitik.environment.relations",
    "unused_relation_warnings": "realpolitik.environment.relations",
    "Period": "realpolitik.environment.series",
    "Reading": "realpolitik.environment.series",
    "STALE_AFTER_DAYS": "realpolitik.environment.series",
    "Series": "realpolitik.environment.series",
    "SeriesError": "realpolitik.environment.series",
    "SeriesSource": "realpolitik.environment.series",
    "load_series": "realpolitik.environment.series",
    "parse_csv": "realpolitik.environment.series",
    "parse_period": "realpolitik.environment.series",
    "read_at": "realpolitik.environment.series",
    "register_source": "realpolitik.environment.series",
    "scale_value": "realpolitik.environment.series",
    "SweepResult": "realpolitik.environment.sweep",
    "feasibility_flag": "realpolitik.environment.sweep",
    "parse_vary": "realpolitik.environment.sweep",
    "render_sweep": "realpolitik.environment.sweep",
    "sweep": "realpolitik.environment.sweep",
    "sweep_headline": "realpolitik.environment.sweep",
    "sweep_to_json": "realpolitik.environment.sweep",
}

__getattr__, __dir__ = attach(__name__, _EXPORTS)

if TYPE_CHECKING:
    from realpolitik.environment.derived import MEASURES, Context, power_share, threat
    from realpolitik.environment.drivers import Driver, DriverError, parse_driver
    from realpolitik.environment.links import (
        LinkError,
        Target,
        clip_to,
        link_function,
        parse_target,
        valid_range,
    )
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
    from realpolitik.environment.sweep import (
        SweepResult,
        feasibility_flag,
        parse_vary,
        render_sweep,
        sweep,
        sweep_headline,
        sweep_to_json,
    )


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
