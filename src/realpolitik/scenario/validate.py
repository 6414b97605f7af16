"""Checks that relate fields to each other: ids, bounds, ranges, sources, vetoes.

Every check appends to one list so that ``realpolitik validate`` can print every problem at once.
Paths use dots for mapping keys and ``[i]`` for list items, as in ``positions.JPN.territory.salience``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from realpolitik.scenario.errors import Problem
from realpolitik.scenario.schema import Quantity, Scenario

LineOf = Callable[[tuple[str | int, ...]], int | None]

LINK_TARGET_KINDS = ("salience", "position", "acceptable_low", "acceptable_high", "capability")
LINK_TARGET_FORMS = (
    "ACTOR.salience.ISSUE, ACTOR.position.ISSUE, ACTOR.acceptable_low.ISSUE, ACTOR.acceptable_high.ISSUE "
    "or ACTOR.capability"
)


def _fmt(v: float) -> str:
    return f"{v:g}"


@dataclass
class Salvaged:
    """What was dropped from a file before the cross-field checks could run on the rest.

    When a file has structural (pydantic) errors, :mod:`realpolitik.scenario.io` replaces or removes
    the broken parts and still runs :func:`check` on what is left, so that every problem prints at once.
    Ids of broken actors, issues and sources are then treated as known (no "unknown id" follow-up
    errors), issues whose definition was broken get no bounds checks, and problems at or below a
    ``broken`` path are not reported again.
    """

    actors: set[str] = field(default_factory=set)
    issues: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    all_actors: bool = False
    all_issues: bool = False
    all_sources: bool = False
    broken: set[tuple[str | int, ...]] = field(default_factory=set)

    def hides(self, path: tuple[str | int, ...]) -> bool:
        return any(path[: len(b)] == b for b in self.broken)


def _plain_floats(obj: object, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], float]]:
    """Every float inside ``obj`` that is not a Quantity's value (those are checked by the schema)."""
    if isinstance(obj, Quantity):
        if obj.range is not None:
            for i, v in enumerate(obj.range):
                yield (*path, "range", i), v
        return
    if isinstance(obj, float):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            if name == "metadata":
                continue
            yield from _plain_floats(getattr(obj, name), (*path, info.alias or name))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, float):
                yield (*path, _fmt(k)), k
            yield from _plain_floats(v, (*path, k if not isinstance(k, float) else _fmt(k)))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _plain_floats(v, (*path, i))


def _quantities(obj: object, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Quantity]]:
    """Every Quantity inside ``obj`` with its path."""
    if isinstance(obj, Quantity):
        yield path, obj
        return
    if isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            key = info.alias or name
            yield from _quantities(getattr(obj, name), (*path, key))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _quantities(v, (*path, k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _quantities(v, (*path, i))


def _known(ids: list[str], limit: int = 12) -> str:
    """``a, b, c`` (each id once; at most ``limit`` of them), or ``none``."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return "none"
    shown = ", ".join(unique[:limit])
    return shown + (f", ... ({len(unique)} in all)" if len(unique) > limit else "")


def path_str(path: tuple[str | int, ...]) -> str:
    """``("positions", "JPN", "territory", "salience")`` → ``positions.JPN.territory.salience``."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out


def check(
    scenario: Scenario, file: str, line_of: LineOf | None = None, salvaged: Salvaged | None = None
) -> list[Problem]:
    """Every cross-field problem of ``scenario``, in file order where it can be told.

    ``salvaged`` (set when the file also had structural errors) says which parts were dropped.
    """
    problems: list[Problem] = []
    lookup: LineOf = line_of or (lambda _p: None)
    salv = salvaged or Salvaged()

    def add(path: tuple[str | int, ...], message: str) -> None:
        if salv.hides(path):
            return
        problems.append(Problem(file=file, path=path_str(path), message=message, line=lookup(path)))

    if not scenario.actors and not salv.all_actors and not salv.actors:
        add(("actors",), "the scenario is empty: expected at least one actor")
    if not scenario.issues and not salv.all_issues and not salv.issues:
        add(("issues",), "the scenario is empty: expected at least one issue")

    for fpath, fv in _plain_floats(scenario, ()):
        if not math.isfinite(fv):
            add(fpath, f"expected a finite number, got {_fmt(fv)}")

    for kind, ids in (("actor", scenario.actor_ids), ("issue", scenario.issue_ids)):
        counts = Counter(ids)
        seen: set[str] = set()
        for i, xid in enumerate(ids):
            if counts[xid] > 1 and xid in seen:
                add((f"{kind}s", i, "id"), f"duplicate {kind} id {xid!r}: expected each id once")
            seen.add(xid)

    actor_ids = set(scenario.actor_ids)
    issues = {i.id: i for i in scenario.issues}
    known_actors = _known(scenario.actor_ids)
    known_issues = _known(scenario.issue_ids)

    def need_actor(path: tuple[str | int, ...], aid: str) -> bool:
        if aid in salv.actors or salv.all_actors:
            return True
        if aid not in actor_ids:
            add(path, f"unknown actor {aid!r}: expected one of {known_actors}")
            return False
        return True

    def need_issue(path: tuple[str | int, ...], iid: str) -> bool:
        if iid in salv.issues or salv.all_issues:
            return False
        if iid not in issues:
            add(path, f"unknown issue {iid!r}: expected one of {known_issues}")
            return False
        return True

    for i, a in enumerate(scenario.actors):
        if a.capability is not None and a.capability.value < 0:
            add(("actors", i, "capability"), f"expected a capability >= 0, got {_fmt(a.capability.value)}")
        if a.risk is not None and not -1 <= a.risk.value <= 1:
            add(("actors", i, "risk"), f"expected a risk attitude in [-1, 1], got {_fmt(a.risk.value)}")

    for j, iss in enumerate(scenario.issues):
        lo, hi = iss.bounds
        if iss.id in salv.issues:
            continue
        if iss.status_quo is not None and not lo <= iss.status_quo.value <= hi:
            add(
                ("issues", j, "status_quo"),
                f"expected a status quo within the bounds [{_fmt(lo)}, {_fmt(hi)}], got {_fmt(iss.status_quo.value)}",
            )
        for key in iss.labels:
            if not lo <= key <= hi:
                add(
                    ("issues", j, "labels", _fmt(key)),
                    f"expected a label point within the bounds [{_fmt(lo)}, {_fmt(hi)}], got {_fmt(key)}",
                )

    for aid, row in scenario.positions.items():
        ok_actor = need_actor(("positions", aid), aid)
        for iid, st in row.items():
            if not need_issue(("positions", aid, iid), iid) or not ok_actor:
                continue
            lo, hi = issues[iid].bounds
            if not lo <= st.position.value <= hi:
                add(
                    ("positions", aid, iid, "position"),
                    f"expected a position within the issue's bounds [{_fmt(lo)}, {_fmt(hi)}], got {_fmt(st.position.value)}",
                )
            if not 0 <= st.salience.value <= 1:
                add(
                    ("positions", aid, iid, "salience"),
                    f"expected a salience in [0, 1], got {_fmt(st.salience.value)}",
                )
            if st.power is not None and st.power.value < 0:
                add(("positions", aid, iid, "power"), f"expected a power >= 0, got {_fmt(st.power.value)}")
            if st.acceptable is not None:
                _check_acceptable(st, (lo, hi), ("positions", aid, iid, "acceptable"), add)

    for k, rel in enumerate(scenario.relations):
        need_actor(("relations", k, "from"), rel.from_)
        need_actor(("relations", k, "to"), rel.to)
        if not -1 <= rel.value.value <= 1:
            add(
                ("relations", k, "value"),
                f"expected a relation strength in [-1, 1], got {_fmt(rel.value.value)}",
            )

    counts = Counter(scenario.parties)
    for k, p in enumerate(scenario.parties):
        need_actor(("parties", k), p)
        if counts[p] > 1 and scenario.parties.index(p) != k:
            add(("parties", k), f"duplicate party {p!r}: expected each party once")

    for k, v in enumerate(scenario.vetoes):
        need_actor(("vetoes", k, "actor"), v.actor)
        for m, iid in enumerate(v.issues):
            need_issue(("vetoes", k, "issues", m), iid)
        if v.relation is not None:
            frm = v.relation.from_ or v.actor
            if not any(
                r.kind == v.relation.kind and r.from_ == frm and r.to == v.relation.to for r in scenario.relations
            ):
                add(
                    ("vetoes", k, "relation"),
                    f"no {v.relation.kind} relation from {frm} to {v.relation.to} among relations: "
                    "expected a declared relation for the veto to rest on",
                )

    for aid, expected in scenario.disagreement.items():
        if need_actor(("disagreement", aid), aid):
            for iid, dq in expected.items():
                if need_issue(("disagreement", aid, iid), iid):
                    lo, hi = issues[iid].bounds
                    if not lo <= dq.value <= hi:
                        add(
                            ("disagreement", aid, iid),
                            f"expected a value within the issue's bounds [{_fmt(lo)}, {_fmt(hi)}], got {_fmt(dq.value)}",
                        )

    _check_rules(scenario, add, need_actor, need_issue)

    for k, an in enumerate(scenario.analogues):
        for iid in an.maps:
            need_issue(("analogues", k, "maps", iid), iid)

    for iid, q in scenario.outcome.items():
        if need_issue(("outcome", iid), iid):
            lo, hi = issues[iid].bounds
            if not lo <= q.value <= hi:
                add(
                    ("outcome", iid),
                    f"expected an outcome within [{_fmt(lo)}, {_fmt(hi)}], got {_fmt(q.value)}",
                )

    for k, link in enumerate(scenario.environment.links):
        parts = link.target.split(".")
        tpath = ("environment", "links", k, "target")
        if (
            len(parts) < 2
            or parts[1] not in LINK_TARGET_KINDS
            or (parts[1] == "capability") != (len(parts) == 2)
        ):
            add(tpath, f"expected {LINK_TARGET_FORMS}, got {link.target!r}")
        else:
            need_actor(tpath, parts[0])
            if len(parts) == 3:
                need_issue(tpath, parts[2])
        if link.clip is not None and link.clip[0] > link.clip[1]:
            add(("environment", "links", k, "clip"), "expected [low, high] with low <= high")

    def known_source(key: str) -> bool:
        return key in scenario.sources or key in salv.sources or salv.all_sources

    # Provenance and ranges of every number; also plain `source:` strings on non-number items.
    for path, q in _quantities(scenario, ()):
        if q.source is not None and not known_source(q.source):
            add((*path, "source"), f"unknown source {q.source!r}: expected a key of sources")
        if q.range is not None and not q.range[0] <= q.value <= q.range[1]:
            add(
                (*path, "range"),
                f"expected a range that contains the value {_fmt(q.value)}, got [{_fmt(q.range[0])}, {_fmt(q.range[1])}]",
            )
    sourced: tuple[tuple[str, list[Any]], ...] = (
        ("relations", scenario.relations),
        ("vetoes", scenario.vetoes),
    )
    for section, items in sourced:
        for k, item in enumerate(items):
            src = getattr(item, "source", None)
            if src is not None and not known_source(src):
                add((section, k, "source"), f"unknown source {src!r}: expected a key of sources")
    for k, link in enumerate(scenario.environment.links):
        if link.source is not None and not known_source(link.source):
            add(
                ("environment", "links", k, "source"),
                f"unknown source {link.source!r}: expected a key of sources",
            )
    for name, ind in scenario.environment.indicators.items():
        if ind.source is not None and not known_source(ind.source):
            add(
                ("environment", "indicators", name, "source"),
                f"unknown source {ind.source!r}: expected a key of sources",
            )
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return problems


def _check_acceptable(
    st: Any, bounds: tuple[float, float], path: tuple[str | int, ...], add: Callable[..., None]
) -> None:
    """An acceptable range inside the issue's bounds, ordered, and holding the actor's own ideal point."""
    lo, hi = bounds
    acc = st.acceptable
    low = acc.low.value if acc.low is not None else lo
    high = acc.high.value if acc.high is not None else hi
    for end, v in (("low", acc.low), ("high", acc.high)):
        if v is not None and not lo <= v.value <= hi:
            add(
                (*path, end),
                f"expected an acceptable {end} within the issue's bounds [{_fmt(lo)}, {_fmt(hi)}], got {_fmt(v.value)}",
            )
    if low > high:
        add(path, f"expected low <= high, got [{_fmt(low)}, {_fmt(high)}]")
        return
    x = st.position.value
    if not low <= x <= high:
        add(
            path,
            f"the ideal point {_fmt(x)} lies outside the actor's own acceptable range [{_fmt(low)}, {_fmt(high)}]: "
            "expected a range that contains the position (an actor accepts what it wants most)",
        )


def _condition_cycles(deps: dict[str, list[str]]) -> list[list[str]]:
    """Cycles among ``applies_if`` dependencies (issue → issues its conditions read), each once."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in deps.get(n, []):
            if state.get(m) == 1:
                cycles.append(stack[stack.index(m) :] + [m])
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in deps:
        if n not in state:
            visit(n)
    return cycles


def _check_rules(
    scenario: Scenario,
    add: Callable[[tuple[str | int, ...], str], None],
    need_actor: Callable[[tuple[str | int, ...], str], bool],
    need_issue: Callable[[tuple[str | int, ...], str], bool],
) -> None:
    """Decision rules, agreements and conditional issues (DESIGN §4a)."""
    issues = {i.id: i for i in scenario.issues}
    if scenario.decision_rule is not None:
        r = scenario.decision_rule
        for m, a in enumerate(r.signers or []):
            need_actor(("decision_rule", "signers", m), a)
        if r.decider is not None:
            need_actor(("decision_rule", "decider"), r.decider)
    group_of: dict[str, int] = {}
    seen_ag: set[str] = set()
    for k, ag in enumerate(scenario.agreements):
        if ag.id in seen_ag:
            add(("agreements", k, "id"), f"duplicate agreement id {ag.id!r}: expected each id once")
        seen_ag.add(ag.id)
        if ag.id in issues and ag.issues != [ag.id]:
            add(("agreements", k, "id"), f"agreement id {ag.id!r} is also an issue id: expected distinct ids")
        for m, a in enumerate(ag.signers or []):
            need_actor(("agreements", k, "signers", m), a)
        if ag.signers is not None and not ag.signers:
            add(("agreements", k, "signers"), "expected at least one signer")
        for m, iid in enumerate(ag.issues):
            if not need_issue(("agreements", k, "issues", m), iid):
                continue
            if iid in group_of:
                other = scenario.agreements[group_of[iid]].id
                add(
                    ("agreements", k, "issues", m),
                    f"issue {iid!r} is already in agreement {other!r}: expected each issue in one agreement",
                )
                continue
            group_of[iid] = k
            own = issues[iid].rule
            if own is not None and own.kind != "consent":
                add(
                    ("agreements", k, "issues", m),
                    f"issue {iid!r} has rule {own.kind}: expected consent for an issue in an agreement",
                )
            elif own is not None and own.signers is not None and ag.signers is not None:
                if sorted(own.signers) != sorted(ag.signers):
                    add(
                        ("agreements", k, "issues", m),
                        f"issue {iid!r} names signers {', '.join(own.signers)} but its agreement "
                        f"{ag.id!r} names {', '.join(ag.signers)}: expected the same signers",
                    )
    deps: dict[str, list[str]] = {}
    for j, iss in enumerate(scenario.issues):
        if iss.id not in issues or issues[iss.id] is not iss:
            continue
        rule = scenario.rule_of(iss.id)
        rpath: tuple[str | int, ...] = ("issues", j, "rule")
        if iss.rule is not None:
            for m, a in enumerate(iss.rule.signers or []):
                need_actor((*rpath, "signers", m), a)
        if rule.kind == "unilateral":
            assert rule.decider is not None
            where = rpath if iss.rule is not None else ("decision_rule",)
            if need_actor((*where, "decider"), rule.decider) and scenario.stance(rule.decider, iss.id) is None:
                add(
                    (*where, "decider"),
                    f"decider {rule.decider!r} has no position on {iss.id!r}: expected a stance "
                    f"positions.{rule.decider}.{iss.id} (the decider's position is the outcome)",
                )
        if rule.kind == "consent":
            signers = rule.signers
            if iss.id in group_of:
                signers = scenario.agreements[group_of[iss.id]].signers or signers
            if not (signers or scenario.parties):
                add(
                    rpath if iss.rule is not None else ("issues", j, "id"),
                    f"issue {iss.id!r} is decided by consent but names no signers: expected rule.signers, "
                    "an agreement's signers or the scenario's parties",
                )
            if iss.status_quo is None:
                add(
                    ("issues", j, "status_quo"),
                    f"issue {iss.id!r} is decided by consent: expected a status quo (what stands without consent)",
                )
        deps[iss.id] = []
        for m, cond in enumerate(iss.applies_if):
            cpath: tuple[str | int, ...] = ("issues", j, "applies_if", m, "issue")
            if not need_issue(cpath, cond.issue):
                continue
            if cond.issue == iss.id:
                add(cpath, f"issue {iss.id!r} applies only if itself...: expected another issue")
                continue
            deps[iss.id].append(cond.issue)
            other = scenario.rule_of(cond.issue)
            if rule.kind == "consent" or other.kind == "consent":
                g1, g2 = group_of.get(iss.id), group_of.get(cond.issue)
                if rule.kind != other.kind or g1 is None or g1 != g2:
                    add(
                        cpath,
                        f"issue {iss.id!r} ({rule.kind}) depends on {cond.issue!r} ({other.kind}): a consent "
                        "issue's condition must name an issue of the same agreement (put both in one agreement)",
                    )
    for k, an in enumerate(scenario.analogues):
        for here in an.maps:
            if here not in issues:
                continue
            for cond in issues[here].applies_if:
                if cond.issue in issues and cond.issue not in an.maps:
                    add(
                        ("analogues", k, "maps", here),
                        f"{here!r} applies only if {cond.issue!r} {cond.op} {_fmt(cond.value)}: expected "
                        f"{cond.issue!r} mapped too (a precedent carries every issue it settles; a fixed "
                        "{value: ..., note: ...} says what it is applied to)",
                    )
    for cyc in _condition_cycles(deps):
        j = scenario.issue_ids.index(cyc[0])
        add(
            ("issues", j, "applies_if"),
            f"conditions form a cycle ({' -> '.join(cyc)}): expected issues that depend on others without a loop",
        )
