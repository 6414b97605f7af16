"""Is a historical case a clean test? Every number the models read, dated against the decision.

A case is **clean** when every number the models read cites a source known before the decision: its
``recorded`` date, else its ``date``, lies wholly before the case's ``decided`` date. Otherwise it is
**leaky**, and :func:`leakage` says which numbers make it so, grouped by source:

- ``after``: the source is dated on or after the decision (the number may have been coded knowing the
  outcome);
- ``unsure``: the source's date overlaps the decision (``1990`` against ``1990-09-12``), or the case
  gives only a bound for its decision (``decided: {by: 1994}``) or none at all;
- ``undated``: no source, an unknown source, or a source without a readable date.

The numbers the models read: capabilities and risk attitudes, positions, saliences, per-issue power,
status quo, red lines (``acceptable``), no-deal expectations (``disagreement``), relation strengths,
and, when links exist, the environment's indicators, proximities and link parameters. Decision rules,
agreements and vetoes are checked when they cite a source (who signs is knowledge too). Issue bounds,
labels, uncertainty ranges and the outcome itself are not inputs of this kind and are not checked.

>>> import realpolitik as rp
>>> lk = leakage(rp.load("german-unification-1990"))
>>> lk.status, lk.decided
('leaky', '1990-09-12')
>>> print(lk.lines()[0])
leaky: none of the 60 numbers the models read is shown to predate the decision (1990-09-12)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from realpolitik.scenario.dates import DateSpan, span
from realpolitik.scenario.schema import Quantity, Scenario

Verdict = Literal["before", "after", "unsure", "undated"]
Kind = Literal["number", "structure", "row"]  # a row of a long table holds several numbers
VERDICTS: tuple[str, ...] = ("after", "unsure", "undated")
SHOWN_PATHS = 3  # paths shown per group in the short report (``verbose`` shows all)

_VERDICT_TEXT = {
    "after": "on or after the decision",
    "unsure": "not shown to predate the decision",
    "undated": "cannot be dated",
}


@dataclass(frozen=True)
class DatedNumber:
    """One number (or cited structure entry) a model reads, and how its source dates against the decision."""

    path: str
    kind: Kind
    source: str | None
    date: str | None  # the source's effective date as written (recorded, else date)
    basis: str  # "recorded", "date", or why there is none ("no source", "unknown source", ...)
    verdict: Verdict


@dataclass(frozen=True)
class Group:
    """Numbers of one verdict that cite one source."""

    verdict: Verdict
    source: str | None
    date: str | None
    basis: str
    kind: Kind
    paths: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.paths)

    def describe(self) -> str:
        """``62 numbers cite analyst (recorded 2026)`` and the like."""
        one = self.count == 1
        noun = {
            "number": "number" if one else "numbers",
            "structure": "structure entry" if one else "structure entries",
            "row": "row" if one else "rows",
        }[self.kind]
        lead = f"{self.count} {noun}"
        if self.kind == "row":
            return f"{lead} recorded {self.date}" if self.date else f"{lead} without a recorded date"
        if self.source is None:
            return f"{lead} without a source"
        cite = "cites" if one else "cite"
        if self.date is None:
            return f"{lead} {cite} {self.source} ({self.basis})"
        word = "recorded" if self.basis == "recorded" else "dated"
        return f"{lead} {cite} {self.source} ({word} {self.date})"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "kind": self.kind,
            "source": self.source,
            "date": self.date,
            "basis": self.basis,
            "count": self.count,
            "paths": list(self.paths),
        }


@dataclass(frozen=True)
class Leakage:
    """The dating of one case's inputs against its decision."""

    case: str
    decided: str | None  # the decision date as written (``1990-09-12``, ``by 1994``), None if not given
    items: tuple[DatedNumber, ...]
    stances: int = 0  # stances on issues with a recorded outcome
    at_outcome: int = 0  # ...of which the position equals the outcome
    groups: tuple[Group, ...] = field(default=())

    @property
    def numbers(self) -> int:
        """Numbers (or long-table rows) the models read."""
        return sum(1 for x in self.items if x.kind != "structure")

    @property
    def before(self) -> int:
        return sum(1 for x in self.items if x.kind != "structure" and x.verdict == "before")

    @property
    def _what(self) -> str:
        return "rows" if any(x.kind == "row" for x in self.items) else "numbers the models read"

    @property
    def status(self) -> Literal["clean", "leaky"]:
        """``clean`` when a decision date is given and every item predates it, else ``leaky``."""
        if self.decided is None or any(x.verdict != "before" for x in self.items):
            return "leaky"
        return "clean"

    def headline(self) -> str:
        """One line: clean or leaky, and how many numbers predate the decision."""
        n, what = self.numbers, self._what
        if self.decided is None:
            return f"leaky: no decision date (decided), so none of the {n} {what} can be shown to predate it"
        when = f"({self.decided})"
        if self.status == "clean":
            return f"clean: all {n} {what} were known before the decision {when}"
        shown = self.before
        if shown == 0:
            return f"leaky: none of the {n} {what} is shown to predate the decision {when}"
        return f"leaky: {n - shown} of the {n} {what} are not shown to predate the decision {when}"

    def lines(self, verbose: bool = False) -> list[str]:
        """The headline, then one line per group of leaky numbers (the first few paths of each, or all
        with ``verbose``), then how many stances sit at the recorded outcome."""
        out = [self.headline()]
        for g in self.groups:
            paths = g.paths if verbose or g.count <= SHOWN_PATHS + 1 else g.paths[:SHOWN_PATHS]
            more = f", ... {g.count - len(paths)} more" if len(paths) < g.count else ""
            out.append(f"  {g.describe()}: {_VERDICT_TEXT[g.verdict]} ({', '.join(paths)}{more})")
        if self.stances:
            out.append(
                f"  {self.at_outcome} of {self.stances} stances on issues with a recorded outcome sit exactly "
                "at the outcome" + (" (coded from it?)" if self.at_outcome else "")
            )
        return out

    def to_json(self, verbose: bool = True) -> dict[str, Any]:
        return {
            "status": self.status,
            "decided": self.decided,
            "numbers": self.numbers,
            "numbers_before": self.before,
            "groups": [g.to_json() for g in self.groups],
            "stances": self.stances,
            "stances_at_outcome": self.at_outcome,
        }


# ------------------------------------------------------------------------------------------ the numbers
def used_numbers(scenario: Scenario) -> Iterator[tuple[str, Literal["number", "structure"], str | None]]:
    """``(path, kind, source key)`` of every number the models read and every structure entry that cites
    a source, in file order."""
    s = scenario

    def q(path: str, x: Quantity | None, fallback: str | None = None) -> Iterator[Any]:
        if x is not None:
            yield path, "number", x.source if x.source is not None else fallback

    for i, a in enumerate(s.actors):
        yield from q(f"actors[{i}].capability", a.capability)
        yield from q(f"actors[{i}].risk", a.risk)
    for j, iss in enumerate(s.issues):
        yield from q(f"issues[{j}].status_quo", iss.status_quo)
        if iss.rule is not None and iss.rule.source is not None:
            yield f"issues[{j}].rule", "structure", iss.rule.source
    for aid, row in s.positions.items():
        for iid, st in row.items():
            base = f"positions.{aid}.{iid}"
            yield from q(f"{base}.position", st.position)
            yield from q(f"{base}.salience", st.salience)
            yield from q(f"{base}.power", st.power)
            if st.acceptable is not None:
                yield from q(f"{base}.acceptable.low", st.acceptable.low, st.acceptable.source)
                yield from q(f"{base}.acceptable.high", st.acceptable.high, st.acceptable.source)
    for aid, expected in s.disagreement.items():
        for iid, dq in expected.items():
            yield from q(f"disagreement.{aid}.{iid}", dq)
    for k, rel in enumerate(s.relations):
        yield from q(f"relations[{k}].value", rel.value, rel.source)
    if s.decision_rule is not None and s.decision_rule.source is not None:
        yield "decision_rule", "structure", s.decision_rule.source
    for k, ag in enumerate(s.agreements):
        if ag.source is not None:
            yield f"agreements[{k}]", "structure", ag.source
    for k, v in enumerate(s.vetoes):
        if v.source is not None:
            yield f"vetoes[{k}]", "structure", v.source
    env = s.environment
    if env.links:  # the environment reaches the models only through links
        for name, ind in env.indicators.items():
            path = f"environment.indicators.{name}"
            if ind.value is not None:
                yield from q(f"{path}.value", ind.value, ind.source)
            else:
                yield path, "number", ind.source
        for key, pq in env.proximity.items():
            yield from q(f"environment.proximity.{key}", pq)
        for k, link in enumerate(env.links):
            yield f"environment.links[{k}]", "number", link.source


def _decided_span(scenario: Scenario) -> DateSpan | None:
    d = scenario.decided
    if d is None:
        return None
    return span(d.date) if d.date is not None else DateSpan.by(d.by)


def _source_span(scenario: Scenario, key: str | None) -> tuple[DateSpan | None, str]:
    """The effective date of a source and its basis (``recorded``, ``date``, or why there is none)."""
    if key is None:
        return None, "no source"
    src = scenario.sources.get(key)
    if src is None:
        return None, "unknown source"
    if src.recorded is not None:
        return span(src.recorded), "recorded"
    if src.date is None:
        return None, "no date" if src.kind != "judgment" else "judgment without a recorded date"
    sp = span(src.date)
    if sp is None:
        return None, f"date {str(src.date)!r} is not YYYY, YYYY-MM or YYYY-MM-DD"
    return sp, "date"


def leakage(scenario: Scenario) -> Leakage:
    """Date every number ``scenario``'s models read against its decision (see the module docstring)."""
    decided = _decided_span(scenario)
    items: list[DatedNumber] = []
    as_of = span(scenario.as_of) if scenario.as_of is not None else None
    for path, kind, key in used_numbers(scenario):
        sp, basis = _source_span(scenario, key)
        verdict: Verdict
        if sp is None:
            verdict = "undated"
        elif decided is None:
            verdict = "unsure"
        elif sp.before(decided):
            verdict = "before"
        elif sp.not_before(decided):
            verdict = "after"
        else:
            verdict = "unsure"
        # an indicator read from a series is read at as_of: on or after the decision it is a leak
        if (
            verdict == "before"
            and path.startswith("environment.indicators.")
            and not path.endswith(".value")
            and decided is not None
            and (as_of is None or not as_of.before(decided))
        ):
            verdict, basis = "unsure", "read at as_of, not before the decision"
        items.append(DatedNumber(path, kind, key, None if sp is None else str(sp), basis, verdict))
    stances = at = 0
    for iid, oq in scenario.outcome.items():
        try:
            lo, hi = scenario.issue(iid).bounds
        except KeyError:
            continue
        for row in scenario.positions.values():
            st = row.get(iid)
            if st is not None:
                stances += 1
                at += abs(st.position.value - oq.value) <= 1e-9 * (hi - lo)
    return Leakage(
        case=scenario.id,
        decided=None if decided is None else str(decided),
        items=tuple(items),
        stances=stances,
        at_outcome=at,
        groups=_groups(items),
    )


def _groups(items: Iterable[DatedNumber]) -> tuple[Group, ...]:
    """Leaky items grouped by verdict, kind and source (numbers first), largest group first per verdict."""
    by: dict[tuple[str, str, str | None, str | None, str], list[str]] = {}
    kind_order = {"number": 0, "row": 0, "structure": 1}
    for x in items:
        if x.verdict == "before":
            continue
        by.setdefault((x.verdict, x.kind, x.source, x.date, x.basis), []).append(x.path)
    order = {v: i for i, v in enumerate(VERDICTS)}
    keys = sorted(by, key=lambda k: (order[k[0]], kind_order[k[1]], -len(by[k])))
    return tuple(
        Group(verdict=k[0], kind=k[1], source=k[2], date=k[3], basis=k[4], paths=tuple(by[k]))  # type: ignore[arg-type]
        for k in keys
    )
