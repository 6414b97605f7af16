"""Many cases in one long table (CSV or Parquet): one row per case, issue and actor.

=============  ==========  ======================================================================
column         required    meaning
=============  ==========  ======================================================================
case           yes         case id (a legislative proposal, a negotiation)
issue          yes         issue id within the case
actor          yes         actor id within the case
position       yes         the actor's position on the issue, within [lower, upper]
salience       yes         in [0, 1]
capability     yes         >= 0; one value per actor and case (repeated on each of its rows)
lower, upper   yes         the issue's bounds, lower < upper (repeated on each row of the issue)
outcome        yes         what was decided on the issue (repeated); empty: the issue is not scored
status_quo     no          the reversion point (repeated); empty or absent: models that need one skip
decided        no          the case's decision date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``)
recorded       no          when the row's numbers were recorded (same forms)
=============  ==========  ======================================================================

A case is clean when it has a ``decided`` date and every row's ``recorded`` date lies before it.
Columns may come in any order and case; other columns are ignored. CSV is comma-separated (a header
with tabs or semicolons is read with those). An actor without a row on an issue takes no part in it.
Long-table cases have no parties, so every issue is decided collectively (the model's outcome stands).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.backtest.leakage import DatedNumber, Leakage, _groups
from realpolitik.scenario.dates import span
from realpolitik.scenario.errors import Problem, ScenarioError

COLUMNS: tuple[str, ...] = (
    "case",
    "issue",
    "actor",
    "position",
    "salience",
    "capability",
    "lower",
    "upper",
    "status_quo",
    "outcome",
    "decided",
    "recorded",
)
"""Every column a long table reads, in the order :func:`write_long_table` writes them."""
OPTIONAL: tuple[str, ...] = ("status_quo", "decided", "recorded")
REQUIRED: tuple[str, ...] = tuple(c for c in COLUMNS if c not in OPTIONAL)
NUMERIC: tuple[str, ...] = ("position", "salience", "capability", "lower", "upper", "outcome", "status_quo")
TEXT: tuple[str, ...] = ("case", "issue", "actor", "decided", "recorded")
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class TableCase:
    """One case of a long table, as arrays in the order the table first names its actors and issues."""

    id: str
    file: str
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    capability: np.ndarray  # (A,)
    position: np.ndarray  # (A, D)
    salience: np.ndarray  # (A, D)
    present: np.ndarray  # (A, D) bool
    bounds: np.ndarray  # (D, 2)
    status_quo: np.ndarray  # (D,), NaN where not given
    outcome: np.ndarray  # (D,), NaN where not recorded
    decided: str | None
    leakage: Leakage

    @property
    def shape_key(self) -> tuple[Any, ...]:
        """Cases with equal keys run in one batch (same actors count, issues, presence and bounds)."""
        return (
            len(self.actors),
            len(self.issues),
            self.present.tobytes(),
            self.bounds.tobytes(),
            bool(np.isfinite(self.status_quo).all()),
        )


def looks_like_long_table(path: Path) -> bool:
    """A Parquet file, or a CSV whose header names at least ``case``, ``issue`` and ``actor``."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return True
    if suffix not in (".csv", ".tsv", ".txt"):
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            head = fh.readline()
    except (OSError, UnicodeDecodeError):
        return False
    names = {h.strip().strip('"').lower() for h in head.replace("\t", ",").replace(";", ",").split(",")}
    return {"case", "issue", "actor"} <= names


def write_long_table(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write ``rows`` (one mapping from column name to value per case, issue and actor) to a new CSV
    long table with the columns of :data:`COLUMNS`; an optional column a row leaves out is written
    empty. Refuses to overwrite an existing file and to write a row without a required column."""
    p = Path(path)
    with p.open("x", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, restval="")
        w.writeheader()
        for k, row in enumerate(rows, start=1):
            missing = [c for c in REQUIRED if c not in row]
            if missing:
                raise ValueError(
                    f"{p}: row {k} has no {', '.join(missing)} (required: {', '.join(REQUIRED)})"
                )
            w.writerow(row)
    return p


# ------------------------------------------------------------------------------------------- reading
def _read_csv(path: Path) -> tuple[dict[str, list[str]], list[int]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError.single(
            name, "", f"expected UTF-8 text: {exc.reason} at byte {exc.start}"
        ) from None
    first = text.split("\n", 1)[0]
    delim = "\t" if "\t" in first else (";" if ";" in first and "," not in first else ",")
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    except csv.Error as exc:
        raise ScenarioError.single(name, "", f"not valid CSV: {exc}") from None
    if not rows:
        raise ScenarioError.single(name, "", f"empty file: expected a header with {', '.join(REQUIRED)}", 1)
    header = [h.strip().lower() for h in rows[0]]
    cols: dict[str, list[str]] = {h: [] for h in header if h}
    lines: list[int] = []
    problems: list[Problem] = []
    for ln, row in enumerate(rows[1:], start=2):
        if not any(f.strip() for f in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(name, f"row {ln - 1}", f"expected {len(header)} fields, got {len(row)}", ln)
            )
            continue
        for h, f in zip(header, row, strict=True):
            if h:
                cols[h].append(f.strip())
        lines.append(ln)
    _raise(problems)
    return cols, lines


def _read_parquet(path: Path) -> dict[str, list[Any]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise ScenarioError.single(str(path), "", f"cannot read as Parquet: {exc}") from None
    return {name.strip().lower(): table.column(name).to_pylist() for name in table.column_names}


def _raise(problems: list[Problem]) -> None:
    if not problems:
        return
    if len(problems) > MAX_PROBLEMS:
        extra = len(problems) - MAX_PROBLEMS
        problems = [*problems[:MAX_PROBLEMS], Problem(problems[0].file, "", f"... and {extra} more problems")]
    raise ScenarioError(problems)


def _numbers(
    values: list[Any],
    col: str,
    where: list[tuple[str, int | None]],
    file: str,
    problems: list[Problem],
    required: bool,
) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and not v.strip()):
            if required:
                problems.append(
                    Problem(
                        file, f"{where[i][0]}.{col}", "expected a number, got an empty field", where[i][1]
                    )
                )
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            shown = repr(v) if len(str(v)) <= 40 else repr(str(v)[:37]) + "..."
            problems.append(
                Problem(file, f"{where[i][0]}.{col}", f"expected a number, got {shown}", where[i][1])
            )
            continue
        if not np.isfinite(x):
            problems.append(
                Problem(file, f"{where[i][0]}.{col}", f"expected a finite number, got {v!r}", where[i][1])
            )
            continue
        out[i] = x
    return out


def read_long_table(path: str | Path) -> list[TableCase]:
    """The cases of a long table (CSV or Parquet), checked; bad input raises :class:`ScenarioError`
    with one line per problem (file, row, column, what was expected), at most 20 of them."""
    p = Path(path)
    name = str(p)
    if not p.exists():
        raise ScenarioError.single(name, "", "no such file")
    if p.suffix.lower() == ".parquet":
        raw = _read_parquet(p)
        n = len(next(iter(raw.values()), []))
        lines: list[int | None] = [None] * n
        where: list[tuple[str, int | None]] = [(f"row {i + 1}", None) for i in range(n)]
    else:
        raw_csv, csv_lines = _read_csv(p)
        raw = dict(raw_csv)
        lines = list(csv_lines)
        where = [(f"row {ln - 1}", ln) for ln in csv_lines]
    missing = [c for c in REQUIRED if c not in raw]
    if missing:
        raise ScenarioError.single(
            name,
            "header",
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
            f"expected {', '.join(REQUIRED)} (and optionally {', '.join(OPTIONAL)})",
            1 if lines and lines[0] else None,
        )
    n = len(raw["case"])
    if n == 0:
        raise ScenarioError.single(
            name, "", "no rows after the header: expected one row per case, issue and actor"
        )
    problems: list[Problem] = []
    text: dict[str, list[str | None]] = {}
    for col in TEXT:
        vals = raw.get(col)
        if vals is None:
            text[col] = [None] * n
            continue
        text[col] = [None if v is None or not str(v).strip() else str(v).strip() for v in vals]
    for col in ("case", "issue", "actor"):
        for i, v in enumerate(text[col]):
            if v is None:
                problems.append(
                    Problem(name, f"{where[i][0]}.{col}", "expected an id, got an empty field", where[i][1])
                )
    num = {
        col: _numbers(raw[col], col, where, name, problems, required=col not in ("outcome", "status_quo"))
        if col in raw
        else np.full(n, np.nan)
        for col in NUMERIC
    }
    for col in ("decided", "recorded"):
        for i, v in enumerate(text[col]):
            if v is not None and span(v) is None:
                problems.append(
                    Problem(
                        name,
                        f"{where[i][0]}.{col}",
                        f"expected a date YYYY-MM-DD, YYYY-MM or YYYY, got {v!r}",
                        where[i][1],
                    )
                )
    _raise(problems)
    _check_values(num, where, name, problems)
    _raise(problems)
    cases = _cases(text, num, where, name, problems)
    _raise(problems)
    return cases


def _check_values(
    num: dict[str, np.ndarray], where: list[tuple[str, int | None]], file: str, problems: list[Problem]
) -> None:
    lo, hi = num["lower"], num["upper"]

    def bad(mask: np.ndarray, col: str, message: Any) -> None:
        for i in np.flatnonzero(mask)[: MAX_PROBLEMS + 1]:
            problems.append(Problem(file, f"{where[i][0]}.{col}", message(i), where[i][1]))

    bad(~(lo < hi), "upper", lambda i: f"expected lower < upper, got [{lo[i]:g}, {hi[i]:g}]")
    ok = lo < hi
    for col in ("position", "outcome", "status_quo"):
        x = num[col]
        bad(
            ok & np.isfinite(x) & ((x < lo) | (x > hi)),
            col,
            lambda i, x=x: f"expected a value within [{lo[i]:g}, {hi[i]:g}], got {x[i]:g}",
        )
    s = num["salience"]
    bad((s < 0) | (s > 1), "salience", lambda i: f"expected a salience in [0, 1], got {s[i]:g}")
    c = num["capability"]
    bad(c < 0, "capability", lambda i: f"expected a capability >= 0, got {c[i]:g}")


def _same(values: np.ndarray) -> bool:
    """All equal (NaN equal to NaN)."""
    if values.size < 2:
        return True
    both_nan = np.isnan(values) & np.isnan(values[0])
    return bool(np.all((values == values[0]) | both_nan))


def _cases(
    text: dict[str, list[str | None]],
    num: dict[str, np.ndarray],
    where: list[tuple[str, int | None]],
    file: str,
    problems: list[Problem],
) -> list[TableCase]:
    by_case: dict[str, list[int]] = {}
    for i, cid in enumerate(text["case"]):
        by_case.setdefault(str(cid), []).append(i)
    cases: list[TableCase] = []
    for cid, rows in by_case.items():
        actors: dict[str, int] = {}
        issues: dict[str, int] = {}
        for i in rows:
            actors.setdefault(str(text["actor"][i]), len(actors))
            issues.setdefault(str(text["issue"][i]), len(issues))
        a, d = len(actors), len(issues)
        pos = np.zeros((a, d))
        sal = np.zeros((a, d))
        present = np.zeros((a, d), dtype=bool)
        r = np.asarray(rows)
        ai = np.array([actors[str(text["actor"][i])] for i in rows])
        di = np.array([issues[str(text["issue"][i])] for i in rows])
        for k, i in enumerate(rows):
            if present[ai[k], di[k]]:
                problems.append(
                    Problem(
                        file,
                        f"{where[i][0]}",
                        f"case {cid!r}: a second row for actor {text['actor'][i]!r} on issue {text['issue'][i]!r}: expected one row per case, issue and actor",
                        where[i][1],
                    )
                )
            present[ai[k], di[k]] = True
        pos[ai, di] = num["position"][r]
        sal[ai, di] = num["salience"][r]
        cap = np.zeros(a)
        for j in range(a):
            vals = num["capability"][r[ai == j]]
            if not _same(vals):
                i = rows[int(np.flatnonzero(ai == j)[np.flatnonzero(vals != vals[0])[0]])]
                problems.append(
                    Problem(
                        file,
                        f"{where[i][0]}.capability",
                        f"case {cid!r}, actor {text['actor'][i]!r}: capability {num['capability'][i]:g} differs from {vals[0]:g} on its other rows: expected one capability per actor and case",
                        where[i][1],
                    )
                )
            cap[j] = vals[0]
        bounds = np.zeros((d, 2))
        sq = np.full(d, np.nan)
        out = np.full(d, np.nan)
        for j in range(d):
            sel = r[di == j]
            for col, target in (("lower", None), ("upper", None), ("status_quo", sq), ("outcome", out)):
                vals = num[col][sel]
                if not _same(vals):
                    k = int(np.flatnonzero(~((vals == vals[0]) | (np.isnan(vals) & np.isnan(vals[0]))))[0])
                    i = int(sel[k])
                    problems.append(
                        Problem(
                            file,
                            f"{where[i][0]}.{col}",
                            f"case {cid!r}, issue {text['issue'][i]!r}: {col} differs from the issue's other rows: expected one value per issue and case",
                            where[i][1],
                        )
                    )
                if target is not None:
                    target[j] = vals[0]
            bounds[j] = (num["lower"][sel[0]], num["upper"][sel[0]])
        decided_vals = {text["decided"][i] for i in rows}
        if len(decided_vals) > 1:
            i = next(i for i in rows if text["decided"][i] != text["decided"][rows[0]])
            problems.append(
                Problem(
                    file,
                    f"{where[i][0]}.decided",
                    f"case {cid!r}: decided differs from the case's other rows: expected one decision date per case",
                    where[i][1],
                )
            )
        decided = text["decided"][rows[0]]
        cases.append(
            TableCase(
                id=cid,
                file=file,
                actors=tuple(actors),
                issues=tuple(issues),
                capability=cap,
                position=pos,
                salience=sal,
                present=present,
                bounds=bounds,
                status_quo=sq,
                outcome=out,
                decided=decided,
                leakage=table_leakage(
                    cid,
                    decided,
                    [(f"{text['issue'][i]}.{text['actor'][i]}", text["recorded"][i]) for i in rows],
                ),
            )
        )
    return cases


def table_leakage(case: str, decided: str | None, rows: Iterable[tuple[str, str | None]]) -> Leakage:
    """Leakage of a long-table case: each row (its position, salience and capability) is dated by its
    ``recorded`` column against the case's ``decided`` date."""
    dspan = span(decided) if decided is not None else None
    items = []
    for path, rec in rows:
        rs = span(rec) if rec is not None else None
        if rs is None:
            verdict, basis = "undated", "no recorded date"
        elif dspan is None:
            verdict, basis = "unsure", "recorded"
        elif rs.before(dspan):
            verdict, basis = "before", "recorded"
        elif rs.not_before(dspan):
            verdict, basis = "after", "recorded"
        else:
            verdict, basis = "unsure", "recorded"
        items.append(DatedNumber(path, "row", None, None if rs is None else str(rs), basis, verdict))  # type: ignore[arg-type]
    return Leakage(
        case=case, decided=None if dspan is None else str(dspan), items=tuple(items), groups=_groups(items)
    )
