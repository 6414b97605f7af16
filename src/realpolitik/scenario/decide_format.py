"""Reader and writer for the decide exchange model's delimited input format.

The format (used by the ``decide-exchange-model`` program) is a delimited text file, usually
tab-separated with single-quoted strings, one record per line; the first field names the record type:

- ``'#A'  id  name  comment`` declares an actor (the id identifies it everywhere);
- ``'#P'  name  [display name]  [description]`` declares an issue (the display name, equal to the
  name in every known file, is not kept);
- ``'#M'  issue  value`` gives a bound of the issue's scale (lower = first ``#M`` line,
  upper = the largest ``#M`` value; without ``#M`` lines the scale is 0..100);
- ``'#D'  actor  issue  position  salience  power  [comment]`` is one actor's data on one issue;
- ``'#O'`` and ``'#/'`` lines are ignored (counted in ``DecideData.ignored``).

Records may come in any order. Actor and issue order is declaration order. This module is
independent of the rest of the scenario package: :func:`parse_decide` gives a :class:`DecideData`
(numbers are kept as their original text so the exchange model's exact decimal mode can use them),
:func:`format_decide` writes one back, :func:`looks_like_decide` sniffs content and
:func:`decide_to_problem` turns the data into a :class:`~realpolitik.models.problem.BargainingProblem`.

Where decide silently drops a bad record, this reader is stricter and reports it; every problem in a
file is collected and raised together as one :class:`DecideFormatError` (its ``errors`` attribute
lists them all).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from realpolitik.models.problem import BargainingProblem

__all__ = [
    "DecideData",
    "DecideFormatError",
    "DecideRecord",
    "decide_to_problem",
    "format_decide",
    "looks_like_decide",
    "parse_decide",
]

_KNOWN = ("#A", "#P", "#M", "#D", "#O", "#/")


class DecideFormatError(ValueError):
    """A problem in a decide input file, located by file name, line and field.

    ``str()`` is one line such as
    ``copenhagen.csv:12: field 'salience': expected a number in [0, 1], got 'x'``.
    When raised by :func:`parse_decide` the exception describes the first problem and ``errors`` lists
    every problem found in the file (each itself a ``DecideFormatError``).
    """

    def __init__(self, filename: str, line: int, field: str | None, message: str) -> None:
        self.filename = filename
        self.line = line
        self.field = field
        self.message = message
        self.errors: list[DecideFormatError] = [self]
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        where = f"{self.filename}:{self.line}: "
        if self.field:
            where += f"field {self.field!r}: "
        return where + self.message

    def __str__(self) -> str:
        extra = len(self.errors) - 1
        return self._one_line() + (f" (and {extra} more error{'s' if extra > 1 else ''})" if extra else "")


@dataclass(frozen=True)
class DecideRecord:
    """One ``#D`` line: numbers kept as their original text."""

    actor: str
    issue: str
    position: str
    salience: str
    power: str
    line: int = field(compare=False)
    comment: str = ""


@dataclass(frozen=True)
class DecideData:
    """The content of a decide input file.

    - ``actors``: ``(id, name, comment)`` in declaration order.
    - ``issues``: ``(name, description)`` in declaration order.
    - ``bounds``: ``{issue: (lower, upper)}`` for every issue (0..100 when the file has no ``#M``).
    - ``records``: the ``#D`` lines in file order.
    - ``ignored``: number of ``#O`` / ``#/`` lines.

    Equality compares content only: line numbers, ``ignored`` and the bounds' text are left out, so
    ``parse_decide(format_decide(d)) == d``.
    """

    actors: tuple[tuple[str, str, str], ...]
    issues: tuple[tuple[str, str], ...]
    bounds: dict[str, tuple[float, float]]
    records: tuple[DecideRecord, ...]
    ignored: int = field(default=0, compare=False)
    bound_text: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)
    """The bounds' original text (for exact decimal arithmetic); filled by :func:`parse_decide`."""

    @property
    def actor_ids(self) -> tuple[str, ...]:
        return tuple(a[0] for a in self.actors)

    @property
    def issue_names(self) -> tuple[str, ...]:
        return tuple(i[0] for i in self.issues)


def looks_like_decide(text: str) -> bool:
    """Whether ``text`` looks like a decide input file: its first non-blank line is an ``#A``/``#P``/
    ``#M``/``#D``/``#O``/``#/`` record (optionally quoted)."""
    for raw in text.splitlines():
        if not raw.strip():
            continue
        first = raw.strip().split("\t")[0].split(";")[0].split(",")[0].strip().strip("'\"")
        return first in _KNOWN
    return False


def _dialect(text: str) -> tuple[str, str]:
    """Delimiter and quote character, sniffed from the first line (tab and ``'`` by default)."""
    head = next((ln for ln in text[:1024].splitlines() if ln.strip()), "")
    delim = "\t"
    if "\t" not in head:
        for cand in (";", ","):
            if cand in head:
                delim = cand
                break
    quote = '"' if head.lstrip().startswith('"') else "'"
    return delim, quote


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def parse_decide(text: str, filename: str = "<input>") -> DecideData:
    """Parse decide's format; raise :class:`DecideFormatError` listing every problem found.

    Errors: an unknown record type, an empty line (decide aborts on one; the file's final newline is
    fine), too few fields, a ``#D``/``#M`` line naming an undeclared actor or issue, a non-numeric
    number, a salience outside [0, 1], a negative power, a second ``#D`` line for the same actor and
    issue, and a ``#M`` value below the issue's first ``#M`` value. Zero saliences and powers are
    accepted (the exchange model leaves such an actor out of exchanges on that issue). A repeated
    ``#A``/``#P`` keeps its first place in the order and takes the later name and comment (as decide).
    """
    delim, quote = _dialect(text)
    errors: list[DecideFormatError] = []

    def err(line: int, fld: str | None, msg: str) -> None:
        errors.append(DecideFormatError(filename, line, fld, msg))

    actors: dict[str, tuple[str, str, str]] = {}
    issues: dict[str, tuple[str, str]] = {}
    mlines: list[tuple[int, str, str]] = []
    drows: list[tuple[int, list[str]]] = []
    ignored = 0
    lines = text.splitlines()
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            err(lineno, None, "empty line (decide stops at an empty line)")
            continue
        row = next(csv.reader([raw], delimiter=delim, quotechar=quote, skipinitialspace=False))
        row = [f.strip() for f in row]
        kind = row[0]
        if kind not in _KNOWN:
            err(lineno, "type", f"unknown record type {kind!r} (expected one of {', '.join(_KNOWN)})")
            continue
        if kind in ("#O", "#/"):
            ignored += 1
            continue
        need = {"#A": 2, "#P": 2, "#M": 3, "#D": 6}[kind]
        if len(row) < need:
            err(
                lineno,
                None,
                f"{kind} record needs at least {need - 1} fields after the type, got {len(row) - 1}",
            )
            continue
        if kind == "#A":
            ident = row[1]
            name = row[2] if len(row) > 2 else ident
            comment = row[3] if len(row) > 3 else ""
            actors[ident] = (ident, name, comment)
        elif kind == "#P":
            # '#P' id [name] [description]: decide's files repeat the id as the name
            name = row[1]
            desc = row[3] if len(row) > 3 else (row[2] if len(row) > 2 else "")
            issues[name] = (name, desc)
        elif kind == "#M":
            mlines.append((lineno, row[1], row[2]))
        else:
            drows.append((lineno, row))

    bound_text: dict[str, tuple[str, str]] = {}
    bounds: dict[str, tuple[float, float]] = {}
    firsts: dict[str, tuple[float, str]] = {}
    uppers: dict[str, tuple[float, str]] = {}
    for lineno, issue, value in mlines:
        if issue not in issues:
            err(lineno, "issue", f"issue {issue!r} is not declared by a #P line")
            continue
        v = _number(value)
        if v is None:
            err(lineno, "value", f"expected a number, got {value!r}")
            continue
        if issue not in firsts:
            firsts[issue] = (v, value)
            uppers[issue] = (v, value)
        elif v < firsts[issue][0]:
            err(lineno, "value", f"bound {value} is below the issue's first bound {firsts[issue][1]}")
        elif v > uppers[issue][0]:
            uppers[issue] = (v, value)
    for name in issues:
        if name in firsts:
            bounds[name] = (firsts[name][0], uppers[name][0])
            bound_text[name] = (firsts[name][1], uppers[name][1])
        else:
            bounds[name] = (0.0, 100.0)
            bound_text[name] = ("0", "100")

    records: list[DecideRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for lineno, row in drows:
        actor, issue = row[1], row[2]
        ok = True
        if actor not in actors:
            err(lineno, "actor", f"actor {actor!r} is not declared by an #A line")
            ok = False
        if issue not in issues:
            err(lineno, "issue", f"issue {issue!r} is not declared by a #P line")
            ok = False
        pos, sal, pw = row[3], row[4], row[5]
        if _number(pos) is None:
            err(lineno, "position", f"expected a number, got {pos!r}")
            ok = False
        s = _number(sal)
        if s is None or not 0.0 <= s <= 1.0:
            err(lineno, "salience", f"expected a number in [0, 1], got {sal!r}")
            ok = False
        c = _number(pw)
        if c is None or c < 0.0:
            err(lineno, "power", f"expected a number >= 0, got {pw!r}")
            ok = False
        key = (actor, issue)
        if key in seen:
            err(
                lineno,
                None,
                f"second #D line for actor {actor!r} on issue {issue!r} (first on line {seen[key]})",
            )
            ok = False
        else:
            seen[key] = lineno
        if ok:
            comment = row[6] if len(row) > 6 else ""
            records.append(DecideRecord(actor, issue, pos, sal, pw, lineno, comment))

    if errors:
        errors.sort(key=lambda e: e.line)
        first = errors[0]
        combined = DecideFormatError(first.filename, first.line, first.field, first.message)
        combined.errors = errors
        raise combined
    return DecideData(
        actors=tuple(actors.values()),
        issues=tuple(issues.values()),
        bounds=bounds,
        records=tuple(records),
        ignored=ignored,
        bound_text=bound_text,
    )


def _quote(text: str) -> str:
    if any(ch in text for ch in "\r\n"):
        raise ValueError(f"a decide field cannot contain a line break: {text!r}")
    return "'" + text.replace("'", "''") + "'"


def _num_text(value: float, text: str | None = None) -> str:
    return text if text is not None else repr(float(value))


def format_decide(data: DecideData) -> str:
    """Write ``data`` in decide's format (tab-separated, single-quoted strings).

    Order: every ``#A``, then each ``#P`` followed by its two ``#M`` lines (lower, upper), then the
    ``#D`` lines in ``data.records`` order. Ignored ``#O``/``#/`` lines are not written.
    """
    out: list[str] = []
    for ident, name, comment in data.actors:
        out.append("\t".join(_quote(t) for t in ("#A", ident, name, comment)))
    for name, desc in data.issues:
        out.append("\t".join(_quote(t) for t in ("#P", name, name, desc)))
        lo, hi = data.bounds.get(name, (0.0, 100.0))
        texts = data.bound_text.get(name)
        out.append("\t".join([_quote("#M"), _quote(name), _num_text(lo, texts[0] if texts else None)]))
        out.append("\t".join([_quote("#M"), _quote(name), _num_text(hi, texts[1] if texts else None)]))
    for r in data.records:
        fields = [_quote("#D"), _quote(r.actor), _quote(r.issue), r.position, r.salience, r.power]
        if r.comment:
            fields.append(_quote(r.comment))
        out.append("\t".join(fields))
    return "\n".join(out) + "\n"


def decide_to_problem(data: DecideData, status_quo: Sequence[float] | None = None) -> BargainingProblem:
    """A :class:`~realpolitik.models.problem.BargainingProblem` from parsed decide data.

    - ``position``, ``salience`` and ``issue_power`` come from the ``#D`` lines (float of their text;
      ``repr`` of those floats gives the text back, which the exchange model's exact mode relies on).
    - ``present`` marks the (actor, issue) pairs that have a ``#D`` line. Where an actor has no data,
      position is the issue's midpoint and salience and power are 0, so a model that ignores
      ``present`` still gives such an actor no weight.
    - ``capability`` is each actor's mean power over the issues it has data on (0 with none). decide
      has a single capability per actor in every known file, so mean and max agree there.
    - ``status_quo`` is not part of decide's format: the argument, or the midpoint of each issue's
      bounds.
    """
    actor_ids = data.actor_ids
    issue_names = data.issue_names
    a, d = len(actor_ids), len(issue_names)
    ai = {k: i for i, k in enumerate(actor_ids)}
    di = {k: j for j, k in enumerate(issue_names)}
    bounds = np.array([data.bounds[name] for name in issue_names], dtype=float).reshape(d, 2)
    mid = bounds.mean(axis=1)
    position = np.broadcast_to(mid, (a, d)).copy()
    salience = np.zeros((a, d))
    power = np.zeros((a, d))
    present = np.zeros((a, d), dtype=bool)
    for r in data.records:
        i, j = ai[r.actor], di[r.issue]
        position[i, j] = float(r.position)
        salience[i, j] = float(r.salience)
        power[i, j] = float(r.power)
        present[i, j] = True
    n = present.sum(axis=1)
    capability = np.where(n > 0, power.sum(axis=1) / np.maximum(n, 1), 0.0)
    sq = mid.copy() if status_quo is None else np.asarray(status_quo, dtype=float)
    return BargainingProblem(
        capability=capability,
        position=position,
        salience=salience,
        bounds=bounds,
        status_quo=sq,
        actors=actor_ids,
        issues=issue_names,
        present=present,
        issue_power=power,
    )
