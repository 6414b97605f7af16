"""Checks that relate fields to each other: ids, bounds, ranges, sources, vetoes.

Every check appends to one list so that ``realpolitik validate`` can print every problem at once.
Paths use dots for mapping keys and ``[i]`` for list items, as in ``positions.JPN.territory.salience``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from realpolitik._text import unsafe_chars
from realpolitik.limits import MAX_MAGNITUDE
from realpolitik.scenario.errors import Problem
from realpolitik.scenario.schema import Quantity, Scenario

LineOf = Callable[[tuple[str | int, ...]], int | None]

LINK_TARGET_KINDS = ("salience", "position", "capability")


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
    """Every Quantity inside ``obj`` with its path (free-form ``metadata`` is not walked)."""
    if isinstance(obj, Quantity):
        yield path, obj
        return
    if isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            if name == "metadata":
                continue
            key = info.alias or name
            yield from _quantities(getattr(obj, name), (*path, key))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _quantities(v, (*path, k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _quantities(v, (*path, i))


_ONE_LINE_FIELDS = frozenset({"id", "name", "title"})


def _texts(obj: object, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    """Every text inside ``obj`` (values and mapping keys) with its path and whether it must be one line.

    Free-form ``metadata`` is not walked (it is never shown or used).
    """
    if isinstance(obj, str):
        yield path, obj, bool(path) and path[-1] in _ONE_LINE_FIELDS
    elif isinstance(obj, BaseModel):
        for name, info in type(obj).model_fields.items():
            if name != "metadata":
                yield from _texts(getattr(obj, name), (*path, info.alias or name))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, str):
                yield (*path, k), k, True
            yield from _texts(v, (*path, k if isinstance(k, str) else _fmt(k)))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _texts(v, (*path, i))


# In the scenario's JSON: an escaped C0 control (\u0000-\u001f), a short escape (\n, \t, \r, \b, \f),
# or a raw DEL, C1 control, line separator or bidi control.
_SUSPECT = re.compile(r"\\u00[01][0-9a-fA-F]|\\[ntrbf]|[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _may_hold_unsafe_text(scenario: Scenario) -> bool:
    """False when no text of the scenario can hold a control character (one fast scan of its JSON).

    Walking every text of a large scenario in Python is slow; the walk that names the fields runs only
    when this scan finds something (line breaks in descriptions are fine, but they make it run).
    """
    try:
        dumped = scenario.model_dump_json(exclude={"metadata"}, by_alias=True)
    except Exception:  # a half-salvaged scenario: take the slow walk
        return True
    return _SUSPECT.search(dumped) is not None


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
        elif abs(fv) > MAX_MAGNITUDE:
            add(fpath, f"expected a number between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}, got {_fmt(fv)}")
    for tpath, text, one_line in _texts(scenario, ()) if _may_hold_unsafe_text(scenario) else ():
        bad = unsafe_chars(text, multiline=not one_line)
        if bad:
            what = "one line of text" if one_line else "text"
            add(
                tpath,
                f"expected {what} without control characters or bidi overrides, found {', '.join(bad[:5])}",
            )

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
            add(
                tpath,
                f"expected ACTOR.salience.ISSUE, ACTOR.position.ISSUE or ACTOR.capability, got {link.target!r}",
            )
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
        if math.isfinite(q.value) and abs(q.value) > MAX_MAGNITUDE:
            add(
                path,
                f"expected a number between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}, got {_fmt(q.value)}",
            )
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
