"""Resolve a scenario's environment into the plain numbers the models see.

:func:`prepare` reads the indicators at the scenario's ``as_of`` and parses its links once;
:meth:`Prepared.resolve` applies the links under optional overrides (cheap, so sweeps call it per point);
:func:`resolve` does both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.environment.derived import Context, read_indicators
from realpolitik.environment.drivers import FUNCTIONS, Driver, DriverError, parse_driver
from realpolitik.environment.links import LinkError, Target, clip_to, link_function, parse_target, valid_range
from realpolitik.environment.power import IssuePower, read_issue_power
from realpolitik.environment.relations import relation_uses, unused_relation_warnings
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario.convert import to_problem
from realpolitik.scenario.schema import Acceptable, Link, Quantity, Scenario, Stance


@dataclass(frozen=True)
class LinkEffect:
    """What one link did: its driver's value, the scenario's own number and the number set."""

    index: int
    target: str
    driver: str
    driver_value: float
    scenario_value: float
    value: float
    applied: bool
    clipped: bool = False
    reason: str | None = None
    source: str | None = None
    note: str | None = None
    relations: tuple[str, ...] = ()


@dataclass
class Trace:
    """How the numbers came about: indicator readings, driver values, link effects and warnings.

    ``relations`` holds every declared relation the links read (``"USA->JPN alliance"`` -> the value
    used, clipped to [0, 1]); ``issue_power`` says per issue which capability measure gives power on it
    (``{"measure": "capability"}``, or the measure with each actor's value, share and power).
    """

    as_of: str | None
    indicators: dict[str, dict[str, Any]]
    drivers: dict[str, float]
    links: list[LinkEffect]
    overrides: dict[str, float]
    warnings: list[str]
    relations: dict[str, float] = field(default_factory=dict)
    issue_power: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def num(v: Any) -> Any:
            if isinstance(v, float) and not math.isfinite(v):
                return None if math.isnan(v) else str(v)
            return v

        def deep(v: Any) -> Any:
            if isinstance(v, dict):
                return {k: deep(x) for k, x in v.items()}
            if isinstance(v, (list, tuple)):
                return [deep(x) for x in v]
            return num(v)

        return {
            "as_of": self.as_of,
            "indicators": {k: {kk: num(vv) for kk, vv in rec.items()} for k, rec in self.indicators.items()},
            "drivers": {k: num(v) for k, v in self.drivers.items()},
            "links": [{k: deep(v) for k, v in vars(e).items()} for e in self.links],
            "relations": {k: num(v) for k, v in self.relations.items()},
            "issue_power": deep(self.issue_power),
            "overrides": dict(self.overrides),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Resolved:
    """The problem the models see, and the trace of how the environment set it."""

    problem: BargainingProblem
    trace: Trace


@dataclass(frozen=True)
class _ParsedLink:
    index: int
    link: Link
    driver: Driver
    target: Target
    actor: int
    issue: int | None
    valid: tuple[float, float]

    def effect(
        self,
        x: float,
        before: float,
        value: float,
        applied: bool,
        clipped: bool = False,
        reason: str | None = None,
        relations: tuple[str, ...] = (),
    ) -> LinkEffect:
        return LinkEffect(
            index=self.index,
            target=str(self.target),
            driver=str(self.driver),
            driver_value=x,
            scenario_value=before,
            value=value,
            applied=applied,
            clipped=clipped,
            reason=reason,
            source=self.link.source,
            note=self.link.note,
            relations=relations,
        )

    @property
    def cell(self) -> tuple[int, ...]:
        """The index of the target in its array (capability, salience, position or acceptable)."""
        if self.issue is None:
            return (self.actor,)
        if self.target.kind == "acceptable_low":
            return (self.actor, self.issue, 0)
        if self.target.kind == "acceptable_high":
            return (self.actor, self.issue, 1)
        return (self.actor, self.issue)


@dataclass(frozen=True)
class DriverUse:
    """A quantity a sweep can vary: its value at ``as_of`` and the link targets it moves.

    ``kind`` is ``derived`` (a quantity such as ``threat(CHN, JPN)``) or ``indicator``; ``links`` holds
    the targets of every link whose driver reads it, directly or through another quantity (empty: varying
    it changes nothing); ``through`` the drivers of those links when it is read only inside them (varying
    ``hostility(CHN, JPN)`` moves what ``threat(CHN, JPN)`` moves).
    """

    name: str
    kind: str
    value: float
    links: tuple[str, ...]
    through: tuple[str, ...] = ()


@dataclass
class Prepared:
    """A scenario with its indicators read and links parsed, ready to resolve under overrides."""

    scenario: Scenario
    base: BargainingProblem
    context: Context
    links: list[_ParsedLink]
    records: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    issue_power: IssuePower | None = None
    relation_uses: dict[str, list[str]] = field(default_factory=dict)
    """Each declared relation (``"USA->JPN alliance"``) -> what it drives at ``as_of`` (links, vetoes)."""

    def normalise_overrides(self, overrides: Mapping[str, float] | None) -> dict[str, float]:
        """Overrides keyed by canonical driver text; unknown names and values outside [0, 1] raise ValueError."""
        out: dict[str, float] = {}
        for key, value in (overrides or {}).items():
            try:
                d = parse_driver(key)
            except DriverError as exc:
                raise ValueError(f"override {key!r}: {exc}") from None
            if d.func is None and d.name not in self.context.indicators:
                known = ", ".join(u.name for u in self.drivers()) or "none"
                raise ValueError(f"override {key!r}: not a driver of {self.scenario.id} (drivers: {known})")
            for a in d.actors:
                if a not in self.scenario.actor_ids:
                    raise ValueError(f"override {key!r}: unknown actor {a!r}")
            v = float(value)
            if not (math.isfinite(v) and 0.0 <= v <= 1.0):
                raise ValueError(f"override {key!r}: expected a value in [0, 1], got {value!r}")
            out[str(d)] = v
        return out

    def drivers(self) -> list[DriverUse]:
        """What a sweep can vary: every quantity the links read (the derived ones and the indicators
        under them, in the order the links read them), then the other indicators (which move nothing)."""
        uses: dict[str, list[str]] = {}
        inside: dict[str, list[str]] = {}  # quantity -> the link drivers it is read through
        direct: set[str] = set()
        values: dict[str, float] = {}
        for pl in self.links:
            detail: dict[str, float] = {}
            self.context.evaluate(pl.driver, {}, detail, {})
            values.update(detail)
            top = str(pl.driver)
            direct.add(top)
            for name in reversed(list(detail)):  # the quantity the link reads first, then what it reads
                targets = uses.setdefault(name, [])
                if str(pl.target) not in targets:
                    targets.append(str(pl.target))
                if name != top and top not in inside.setdefault(name, []):
                    inside[name].append(top)
        for name, v in self.context.indicators.items():
            uses.setdefault(name, [])
            values.setdefault(name, v)
        return [
            DriverUse(
                name=name,
                kind="derived" if parse_driver(name).func is not None else "indicator",
                value=float(values[name]),
                links=tuple(targets),
                through=() if name in direct else tuple(inside.get(name, ())),
            )
            for name, targets in uses.items()
        ]

    def resolve(self, overrides: Mapping[str, float] | None = None) -> Resolved:
        """The problem with every link applied (in file order), under ``overrides``."""
        ov = self.normalise_overrides(overrides)
        cap = self.base.capability.copy()
        pos = self.base.position.copy()
        sal = self.base.salience.copy()
        acc = None if self.base.acceptable is None else self.base.acceptable.copy()
        if acc is None and any(pl.target.kind.startswith("acceptable") for pl in self.links):
            acc = np.broadcast_to(self.base.bounds, (*pos.shape, 2)).copy()
        arrays = {
            "capability": cap,
            "salience": sal,
            "position": pos,
            "acceptable_low": acc,
            "acceptable_high": acc,
        }
        detail: dict[str, float] = {}
        read: dict[str, float] = {}
        effects: list[LinkEffect] = []
        for pl in self.links:
            arr = arrays[pl.target.kind]
            assert arr is not None
            before = float(arr[pl.cell])
            link_read: dict[str, float] = {}
            x = self.context.evaluate(pl.driver, ov, detail, link_read)
            read.update(link_read)
            rels = tuple(link_read)
            ln = pl.link

            if not math.isfinite(x):
                effects.append(
                    pl.effect(x, before, before, False, reason="driver has no value", relations=rels)
                )
                continue
            raw = float(
                link_function(
                    x,
                    ln.function,
                    base=ln.base.value,
                    gain=ln.gain.value,
                    midpoint=ln.midpoint,
                    steepness=ln.steepness,
                )
            )
            y = float(clip_to(np.asarray(raw), ln.clip, pl.valid))
            y, why = self._inside_red_lines(pl, y, pos, acc)
            arr[pl.cell] = y
            effects.append(pl.effect(x, before, y, True, clipped=y != raw, reason=why, relations=rels))
        ip = self.base.issue_power if self.issue_power is None else self.issue_power.power(cap)
        problem = replace(
            self.base, capability=cap, position=pos, salience=sal, issue_power=ip, acceptable=acc
        )
        warnings = [*self.warnings, *self.context.warnings]
        trace = Trace(
            as_of=None if self.scenario.as_of is None else self.scenario.as_of.isoformat(),
            indicators={k: dict(v) for k, v in self.records.items()},
            drivers=detail,
            links=effects,
            overrides=ov,
            warnings=list(dict.fromkeys(warnings)),
            relations=read,
            issue_power={} if self.issue_power is None else self.issue_power.records(cap),
        )
        for name, v in ov.items():
            if name in trace.indicators:
                trace.indicators[name]["value"] = v
                trace.indicators[name]["overridden"] = True
        return Resolved(problem=problem, trace=trace)

    def _inside_red_lines(
        self, pl: _ParsedLink, y: float, pos: np.ndarray, acc: np.ndarray | None
    ) -> tuple[float, str | None]:
        """``y`` clipped so that the actor's ideal point stays inside its own acceptable range.

        A red-line link stops at the ideal point; a position link stops at the red line. Links apply in
        file order, so the later of a position link and a red-line link on one stance gives way.
        """
        kind = pl.target.kind
        if pl.issue is None or kind == "salience" or acc is None:
            return y, None
        present = self.base.present is None or bool(self.base.present[pl.actor, pl.issue])
        if not present:
            return y, None
        actor, issue = pl.target.actor, pl.target.issue
        x = float(pos[pl.actor, pl.issue])
        lo, hi = (float(v) for v in acc[pl.actor, pl.issue])
        if kind == "acceptable_low" and y > x:
            return x, (
                f"{y:g} would exclude {actor}'s own ideal point {x:g} on {issue}; "
                f"clipped to {x:g} (a red line never excludes what the actor wants most)"
            )
        if kind == "acceptable_high" and y < x:
            return x, (
                f"{y:g} would exclude {actor}'s own ideal point {x:g} on {issue}; "
                f"clipped to {x:g} (a red line never excludes what the actor wants most)"
            )
        if kind == "position" and not lo <= y <= hi:
            z = min(max(y, lo), hi)
            return z, (
                f"{y:g} lies outside {actor}'s acceptable range [{lo:g}, {hi:g}] on {issue}; clipped to "
                f"{z:g} (an ideal point stays inside the actor's own red lines)"
            )
        return y, None


def prepare(
    scenario: Scenario, *, base_dir: str | Path | None = None, allow_paths: bool | None = None
) -> Prepared:
    """Read the scenario's indicators at its ``as_of`` and parse its links (errors name the link).

    Series paths are relative to ``base_dir`` (default: the scenario's folder) and may not leave it
    unless ``allow_paths`` (default: what :func:`~realpolitik.scenario.load` was told).
    """
    bdir = scenario.source_dir if base_dir is None else Path(base_dir)
    allow = scenario.allow_paths if allow_paths is None else allow_paths
    values, records, warnings = read_indicators(scenario, base_dir=bdir, allow_paths=allow)
    base = to_problem(scenario)
    ctx = Context(scenario=scenario, indicators=values, base_dir=bdir, allow_paths=allow)
    actors = list(base.actors)
    issues = list(base.issues)
    present = None if base.present is None else base.present.copy()
    parsed: list[_ParsedLink] = []
    seen: dict[str, int] = {}
    cap_links: list[tuple[str, int]] = []
    for k, link in enumerate(scenario.environment.links):
        where = f"{scenario.id}: environment.links[{k}]"
        try:
            target = parse_target(link.target)
            driver = parse_driver(link.driver)
        except (LinkError, DriverError) as exc:
            raise LinkError(f"{where}: {exc}") from None
        if target.actor not in actors:
            raise LinkError(f"{where}.target: unknown actor {target.actor!r} (actors: {', '.join(actors)})")
        ai = actors.index(target.actor)
        di: int | None = None
        if target.issue is not None:
            if target.issue not in issues:
                raise LinkError(
                    f"{where}.target: unknown issue {target.issue!r} (issues: {', '.join(issues)})"
                )
            di = issues.index(target.issue)
            if present is not None and not present[ai, di]:
                if target.kind.startswith("acceptable"):
                    raise LinkError(
                        f"{where}.target: {target.actor} has no stance on {target.issue}, and a red line "
                        f"belongs to a stance (add positions.{target.actor}.{target.issue})"
                    )
                present[ai, di] = True
                warnings.append(
                    f"{where}: {target.actor} has no stance on {target.issue}; the link makes it take part "
                    "(position at the issue midpoint unless linked too)"
                )
        else:
            cap_links.append((where, ai))
        if driver.func is None and driver.name not in values:
            hint = f"; for the derived quantity write {driver.name}(A, B)" if driver.name in FUNCTIONS else ""
            known = ", ".join(values) or "none"
            raise LinkError(f"{where}.driver: unknown indicator {driver.name!r} (indicators: {known}){hint}")
        for a in driver.actors:
            if a not in actors:
                raise LinkError(f"{where}.driver: unknown actor {a!r} in {driver}")
        if str(target) in seen:
            warnings.append(
                f"{where}: sets {target} again (links[{seen[str(target)]}] also does); the later wins"
            )
        seen[str(target)] = k
        bounds = None if di is None else (float(base.bounds[di, 0]), float(base.bounds[di, 1]))
        parsed.append(_ParsedLink(k, link, driver, target, ai, di, valid_range(target.kind, bounds)))
    if present is not None and base.present is not None and not np.array_equal(present, base.present):
        base = replace(base, present=present)
    power = read_issue_power(scenario, base.present, ctx)
    warnings.extend(power.warnings)
    for where, ai in cap_links:
        own = [issues[j] for j in range(len(issues)) if np.isfinite(power.own[ai, j])]
        measured = [issues[j] for j in range(len(issues)) if np.isfinite(power.shares[ai, j])]
        if own:
            warnings.append(
                f"{where}: {actors[ai]} has its own power on {', '.join(own)}; the capability link does "
                "not change it there"
            )
        if measured:
            warnings.append(
                f"{where}: {actors[ai]}'s power on {', '.join(measured)} comes from a capability measure; "
                "there the link changes only the issue's total power, not its share"
            )
    prepared = Prepared(
        scenario=scenario,
        base=base,
        context=ctx,
        links=parsed,
        records=records,
        warnings=warnings,
        issue_power=power,
    )
    # What the links really read at as_of decides which relations drive something.
    at_as_of = prepared.resolve()
    link_reads = [(f"links[{e.index}] ({e.target})", e.relations) for e in at_as_of.trace.links]
    prepared.relation_uses = relation_uses(scenario, link_reads)
    when = f"at {scenario.as_of}" if scenario.as_of is not None else "at the latest readings"
    clips = [
        f"{scenario.id}: environment.links[{e.index}] ({e.target}) {when}: {e.reason}"
        for e in at_as_of.trace.links
        if e.applied and e.reason
    ]
    warnings.extend(clips)
    warnings.extend(overwritten_numbers(scenario, at_as_of.trace.links))
    warnings.extend(unused_relation_warnings(scenario, prepared.relation_uses))
    return prepared


#: A file's number "equals" its link's value when they differ by at most this share of the target's
#: scale (the 0–1 salience scale, the issue's bounds; the larger of the two for capability): a number
#: written with two decimals on a 0–1 scale rounds the link's value by at most half a percent.
LINK_TOLERANCE = 0.005


def file_number(scenario: Scenario, target: Target) -> float | None:
    """The number the scenario file itself gives for a link's ``target`` (None when it gives none)."""
    if target.issue is None:
        cap = next((a.capability for a in scenario.actors if a.id == target.actor), None)
        return None if cap is None else float(cap.value)
    st = scenario.positions.get(target.actor, {}).get(target.issue)
    if st is None:
        return None
    if target.kind == "position":
        return float(st.position.value)
    if target.kind == "salience":
        return float(st.salience.value)
    end = (
        None
        if st.acceptable is None
        else st.acceptable.low
        if target.kind == "acceptable_low"
        else st.acceptable.high
    )
    return None if end is None else float(end.value)


def overwritten_numbers(scenario: Scenario, effects: list[LinkEffect]) -> list[str]:
    """One line per link whose target number in the file differs from the value the link sets.

    The models never see such a number (the link overwrites it on every run), so the file says one
    thing and the forecast uses another. Only the link that wins (the last on its target) counts, and
    only where the file gives the number; differences within :data:`LINK_TOLERANCE` of the target's
    scale count as equal.
    """
    last = {e.target: e for e in effects if e.applied}
    issues = {i.id: i for i in scenario.issues}
    when = f"at {scenario.as_of}" if scenario.as_of is not None else "at the latest readings"
    out = []
    for e in last.values():
        target = parse_target(e.target)
        own = file_number(scenario, target)
        if own is None or not math.isfinite(e.value):
            continue
        if target.kind == "capability":
            scale = max(abs(own), abs(e.value))
        elif target.kind == "salience":
            scale = 1.0
        else:
            lo, hi = issues[target.issue or ""].bounds
            scale = float(hi) - float(lo)
        if abs(own - e.value) <= LINK_TOLERANCE * scale + 1e-12:
            continue
        out.append(
            f"{scenario.id}: environment.links[{e.index}] sets {e.target} to {e.value:.3g} {when} "
            f"({e.driver} = {e.driver_value:.3g}), but the file gives {own:g}; the models use {e.value:.3g} "
            f"and never see {own:g}: write {e.value:.3g} there, or remove the link to use {own:g}"
        )
    return out


def resolve(
    scenario: Scenario,
    overrides: Mapping[str, float] | None = None,
    *,
    base_dir: str | Path | None = None,
    allow_paths: bool | None = None,
) -> Resolved:
    """The numbers the models see for ``scenario``: its own, with environment links applied.

    ``overrides`` maps an indicator name or a derived quantity (``"threat(CHN, JPN)"``) to a value in
    [0, 1] that replaces it. Relative series paths are taken from ``base_dir`` (default: the scenario's
    folder, else the working directory) and confined to it unless ``allow_paths`` (docs/security.md).
    """
    return prepare(scenario, base_dir=base_dir, allow_paths=allow_paths).resolve(overrides)


def scenario_problem(scenario: Scenario) -> BargainingProblem:
    """The problem the models see: the scenario's numbers with its environment links applied."""
    return resolve(scenario).problem


def resolved_scenario(scenario: Scenario, resolved: Resolved) -> Scenario:
    """A copy of ``scenario`` carrying the resolved numbers, with its links removed.

    For code that takes scenarios rather than problems (the deal analysis): resolving the copy gives
    the same problem again.
    """
    s = scenario.model_copy(deep=True)
    p = resolved.problem
    for e in resolved.trace.links:
        if not e.applied:
            continue
        t = parse_target(e.target)
        if t.kind == "capability":
            actor = s.actor(t.actor)
            actor.capability = (actor.capability or Quantity(value=e.value)).model_copy(
                update={"value": e.value}
            )
            continue
        assert t.issue is not None
        ai, di = p.actors.index(t.actor), p.issues.index(t.issue)
        row = s.positions.setdefault(t.actor, {})
        st = row.get(t.issue)
        if st is None:
            st = Stance(position=Quantity(value=float(p.position[ai, di])), salience=Quantity(value=0.0))
            row[t.issue] = st
        if t.kind == "salience":
            st.salience = st.salience.model_copy(update={"value": e.value})
        elif t.kind == "position":
            st.position = st.position.model_copy(update={"value": e.value})
        else:
            acc = st.acceptable or Acceptable()
            end = "low" if t.kind == "acceptable_low" else "high"
            q = getattr(acc, end)
            q = Quantity(value=e.value) if q is None else q.model_copy(update={"value": e.value})
            st.acceptable = acc.model_copy(update={end: q})
    s.environment = s.environment.model_copy(update={"links": []})
    return s
