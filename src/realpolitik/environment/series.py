"""Indicator series: where they come from, how their dates are read, and their value at a date.

A :class:`Series` is a small table with a date column. Each row covers a *period* (a year, a fiscal
year, a month or a day); a value counts as known at the end of its period. :func:`read_at` returns the
latest non-missing value whose period ended on or before a date, and says how old it is.

Series come from *sources*, looked up by :func:`load_series`:

- ``scheme:ref`` when ``scheme`` is registered (:func:`register_source`); built in are ``builtin``
  (package data in ``realpolitik/data/series/``) and ``file`` (a CSV path). Event-data series plug in
  here by registering their own scheme (any object with ``load(ref) -> Series``).
- otherwise a path (it contains a ``/`` or ends with ``.csv``), relative to ``base_dir`` (the scenario's
  folder) or the working directory;
- otherwise the name of a built-in series.

Every file path a scenario names goes through :func:`resolve_data_path`, the one place that decides
which files a scenario may read: its own folder and below, the package's data, and the folders listed in
``REALPOLITIK_DATA_PATH``; anything else only when the user passes ``allow_paths`` (``--allow-paths``).
Errors name the path and never quote the file's contents (docs/security.md).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

import numpy as np

from realpolitik.limits import INPUT_BYTES
from realpolitik.scenario.schema import EventSeries

BUILTIN_PACKAGE = "realpolitik.data.series"
DATA_PATH_ENV = "REALPOLITIK_DATA_PATH"
"""Environment variable: folders (separated by ``os.pathsep``) whose files any scenario may read."""
STALE_AFTER_DAYS = 365
"""A reading is stale when its period ended more than this many days before the date asked for."""
FISCAL_YEAR_START_MONTH = 4
"""Fiscal year N runs from this month of year N to the month before it in N + 1 (Japan: April–March)."""
DATE_COLUMNS = ("date", "year", "fiscal_year", "fy", "month", "period", "survey")
"""Column names taken as the date column, in this order, when a series does not name one."""


class SeriesError(ValueError):
    """A series cannot be found or read."""


class PathNotAllowedError(SeriesError):
    """A scenario names a file outside the folders it may read (the message says how to allow it)."""


# ------------------------------------------------------------------------------------------- path policy
@dataclass(frozen=True)
class PathPolicy:
    """Where relative paths start (``base_dir``; None: the working directory) and whether any path goes."""

    base_dir: Path | None = None
    allow_paths: bool = False


_POLICY: ContextVar[PathPolicy | None] = ContextVar("realpolitik_path_policy", default=None)


@contextlib.contextmanager
def path_policy(base_dir: str | Path | None = None, allow_paths: bool = False) -> Iterator[PathPolicy]:
    """Make ``base_dir``/``allow_paths`` the defaults of :func:`resolve_data_path` inside the block.

    :func:`load_series` sets it around every source's ``load``, so a registered source (event data)
    that calls ``resolve_data_path(ref)`` follows the scenario's policy without being told it.
    """
    policy = PathPolicy(None if base_dir is None else Path(base_dir), bool(allow_paths))
    token = _POLICY.set(policy)
    try:
        yield policy
    finally:
        _POLICY.reset(token)


def data_folders() -> list[Path]:
    """Folders any scenario may read: the package's data and those listed in ``REALPOLITIK_DATA_PATH``."""
    from importlib import resources as _res

    folders = [Path(str(_res.files("realpolitik.data"))).resolve()]
    for part in os.environ.get(DATA_PATH_ENV, "").split(os.pathsep):
        if part.strip():
            folders.append(Path(part.strip()).expanduser().resolve())
    return folders


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def resolve_data_path(
    ref: str | Path,
    base_dir: str | Path | None = None,
    *,
    allow_paths: bool | None = None,
    what: str = "series file",
) -> Path:
    """The file a scenario names, as an absolute path it may read; :class:`PathNotAllowedError` if not.

    ``ref`` is taken relative to ``base_dir`` (the scenario's folder; the working directory when None).
    Symbolic links and ``..`` are followed before the check. The file must lie in ``base_dir`` or below,
    in the package's data, or in a folder of ``REALPOLITIK_DATA_PATH`` — unless ``allow_paths`` (the user
    vouches for the scenario: ``--allow-paths``). ``base_dir``/``allow_paths`` left as None come from the
    enclosing :func:`path_policy` (set by :func:`load_series`). The file is not opened here.
    """
    policy = _POLICY.get() or PathPolicy()
    base = Path(base_dir) if base_dir is not None else policy.base_dir
    allow = policy.allow_paths if allow_paths is None else allow_paths
    text = str(ref)
    if "\x00" in text:
        raise PathNotAllowedError(f"{what} {text!r}: a path cannot contain a NUL character")
    p = Path(text).expanduser() if allow else Path(text)
    root = (base if base is not None else Path.cwd()).resolve()
    full = (p if p.is_absolute() else root / p).resolve()
    if allow or any(_inside(full, f) for f in [root, *data_folders()]):
        return full
    raise PathNotAllowedError(
        f"{what} {text!r} is outside the scenario's folder ({root}); a scenario may only read files in its "
        f"own folder, the package's data or the folders in {DATA_PATH_ENV} — pass --allow-paths "
        "(allow_paths=True) if you trust this scenario"
    )


_SAFE_NAME = re.compile(r"^[\w .%()/+\-]{1,64}$")


def shown_columns(names: list[str] | tuple[str, ...]) -> str:
    """Column names for an error message, or only their count when they do not look like column names.

    A file that is not a table (a password or environment file) must not have its first line echoed.
    """
    names = list(names)
    if names and len(names) <= 50 and all(_SAFE_NAME.match(n) for n in names):
        return ", ".join(names)
    return f"{len(names)} column{'s' if len(names) != 1 else ''}, names not shown"


@dataclass(frozen=True)
class Period:
    """The span a row covers: ``label`` as written, first and last day."""

    label: str
    start: dt.date
    end: dt.date


_FULL = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_FISCAL = re.compile(r"^FY\s?(\d{4})$", re.IGNORECASE)


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def parse_period(text: str, *, fiscal: bool = False, fiscal_start: int = FISCAL_YEAR_START_MONTH) -> Period:
    """The period a date cell covers.

    ``2016-12-15`` (or ``2016/12/15``) is one day; ``2016-12`` a month; ``2016`` a calendar year, or with
    ``fiscal`` (or written ``FY2016``) the fiscal year starting in month ``fiscal_start`` of 2016.

    >>> parse_period("2016").end, parse_period("2016", fiscal=True).end, parse_period("2016-02").end
    (datetime.date(2016, 12, 31), datetime.date(2017, 3, 31), datetime.date(2016, 2, 29))
    """
    s = text.strip()
    if m := _FULL.match(s):
        d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return Period(s, d, d)
    if m := _MONTH.match(s):
        y, mo = int(m[1]), int(m[2])
        if not 1 <= mo <= 12:
            raise ValueError(f"month out of range in {text!r}")
        return Period(s, dt.date(y, mo, 1), _month_end(y, mo))
    fm = _FISCAL.match(s)
    if fm or (fiscal and _YEAR.match(s)):
        y = int(fm[1] if fm else s)
        start = dt.date(y, fiscal_start, 1)
        end = (
            dt.date(y + 1, fiscal_start, 1) - dt.timedelta(days=1) if fiscal_start > 1 else dt.date(y, 12, 31)
        )
        return Period(s, start, end)
    if m := _YEAR.match(s):
        y = int(m[1])
        return Period(s, dt.date(y, 1, 1), dt.date(y, 12, 31))
    raise ValueError(f"expected a year, FYyyyy, YYYY-MM or YYYY-MM-DD, got {text!r}")


@dataclass(frozen=True)
class Series:
    """A dated table: one :class:`Period` per row, and its columns as text."""

    name: str
    origin: str
    date_column: str
    periods: tuple[Period, ...]
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def numeric(self, column: str) -> np.ndarray:
        """A column as floats, NaN where empty or not a number."""
        if column not in self.columns:
            raise SeriesError(
                f"series {self.name!r} has no column {column!r} (columns: {shown_columns(list(self.columns))})"
            )
        out = np.full(len(self.periods), np.nan)
        for k, cell in enumerate(self.columns[column]):
            try:
                out[k] = float(cell.replace(",", "")) if cell.strip() else np.nan
            except ValueError:
                out[k] = np.nan
        return out

    @property
    def value_columns(self) -> list[str]:
        """Columns other than the date column with at least one number."""
        return [c for c in self.columns if c != self.date_column and np.isfinite(self.numeric(c)).any()]


def parse_csv(
    text: str,
    name: str,
    origin: str,
    *,
    date_column: str | None = None,
    fiscal_start: int = FISCAL_YEAR_START_MONTH,
) -> Series:
    """Read a CSV table with a header row into a :class:`Series`.

    The date column is ``date_column`` if given, else the first column named one of
    :data:`DATE_COLUMNS`, else the first column whose every non-empty cell parses as a date. A column
    whose name contains ``fiscal`` or ``fy`` holds fiscal years.
    """
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise SeriesError(f"series {name!r} ({origin}) is empty")
    header = [h.strip() for h in rows[0]]
    body = [r + [""] * (len(header) - len(r)) for r in rows[1:]]
    cols = {h: tuple(r[k].strip() for r in body) for k, h in enumerate(header)}
    if date_column is None:
        lower = {h.lower(): h for h in header}
        date_column = next((lower[c] for c in DATE_COLUMNS if c in lower), None)
    if date_column is None:
        for h in header:
            cells = [c for c in cols[h] if c]
            try:
                if cells:
                    [parse_period(c) for c in cells]
                    date_column = h
                    break
            except ValueError:
                continue
    if date_column is None or date_column not in cols:
        raise SeriesError(
            f"series {name!r} ({origin}): no date column: expected a column named "
            f"{', '.join(DATE_COLUMNS)} or one of dates, or set date_column (columns: {shown_columns(header)})"
        )
    fiscal = bool(re.search(r"fiscal|(^|_)fy($|_)", date_column, re.IGNORECASE))
    periods = []
    for line, cell in enumerate(cols[date_column], start=2):
        try:
            periods.append(parse_period(cell, fiscal=fiscal, fiscal_start=fiscal_start))
        except ValueError:
            raise SeriesError(
                f"series {name!r} ({origin}) line {line}: expected a year, FYyyyy, YYYY-MM or YYYY-MM-DD "
                f"in the date column {date_column!r}"
            ) from None
    return Series(name=name, origin=origin, date_column=date_column, periods=tuple(periods), columns=cols)


# ------------------------------------------------------------------------------------------------ sources
class SeriesSource(Protocol):
    """Anything that can load a series from a reference string (a name, a path, a query)."""

    def load(self, ref: str) -> Series: ...


class BuiltinSource:
    """Series shipped in ``realpolitik/data/series/`` (``NAME`` or ``NAME.csv``)."""

    def names(self) -> list[str]:
        root = resources.files(BUILTIN_PACKAGE)
        return sorted(p.name[:-4] for p in root.iterdir() if p.name.endswith(".csv"))

    def load(self, ref: str) -> Series:
        name = ref[:-4] if ref.endswith(".csv") else ref
        if not re.fullmatch(r"\w[\w.\-]*", name):
            raise SeriesError(f"no built-in series {name!r} (built-in: {', '.join(self.names())})")
        return _load_builtin(name)


@lru_cache(maxsize=64)
def _load_builtin(name: str) -> Series:
    p = resources.files(BUILTIN_PACKAGE) / f"{name}.csv"
    if not p.is_file():
        raise SeriesError(f"no built-in series {name!r} (built-in: {', '.join(BuiltinSource().names())})")
    return parse_csv(p.read_text(encoding="utf-8"), name, f"built-in {name}.csv")


@dataclass(frozen=True)
class FileSource:
    """A CSV file, through :func:`resolve_data_path` (relative to ``base_dir``, confined unless allowed).

    ``base_dir``/``allow_paths`` left as None come from the enclosing :func:`path_policy`.
    """

    base_dir: Path | None = None
    allow_paths: bool | None = None

    def load(self, ref: str) -> Series:
        p = resolve_data_path(ref, self.base_dir, allow_paths=self.allow_paths)
        try:
            st = p.stat()
        except OSError:
            raise SeriesError(f"no such series file {str(p)!r}") from None
        if not p.is_file():
            raise SeriesError(f"series file {str(p)!r} is not a regular file")
        INPUT_BYTES.check(st.st_size, f"series file {str(p)!r}")
        return _load_file(str(p), st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=64)
def _load_file(path: str, mtime_ns: int, size: int) -> Series:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SeriesError(f"series file {path!r} is not UTF-8 text") from None
    except OSError as exc:
        raise SeriesError(
            f"series file {path!r} cannot be read: {exc.strerror or type(exc).__name__}"
        ) from None
    if "\x00" in text[:8192]:
        raise SeriesError(f"series file {path!r} is a binary file, expected CSV text")
    return parse_csv(text, Path(path).stem, path)


_SOURCES: dict[str, SeriesSource] = {"builtin": BuiltinSource(), "file": FileSource()}


def register_source(scheme: str, source: SeriesSource) -> None:
    """Make ``scheme:ref`` series references load through ``source`` (e.g. ``events``)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]+", scheme):
        raise ValueError(f"a scheme is lower-case letters, digits and _ (two or more), got {scheme!r}")
    _SOURCES[scheme] = source


def sources() -> dict[str, SeriesSource]:
    """The registered series sources by scheme."""
    return dict(_SOURCES)


def load_series(ref: str, *, base_dir: str | Path | None = None, allow_paths: bool = False) -> Series:
    """The series ``ref`` names: ``scheme:ref``, a CSV path, or a built-in name.

    Paths are relative to ``base_dir`` (the scenario's folder) and confined by :func:`resolve_data_path`
    unless ``allow_paths``; a registered source's ``load`` runs under the same :func:`path_policy`.
    """
    with path_policy(base_dir, allow_paths):
        m = re.match(r"^([a-z][a-z0-9_]+):(.+)$", ref)
        if m and m[1] in _SOURCES:
            return _SOURCES[m[1]].load(m[2])
        if "/" in ref or "\\" in ref or ref.lower().endswith(".csv"):
            return FileSource().load(ref)
        return _SOURCES["builtin"].load(ref)


def load_event_series(
    ref: EventSeries, *, base_dir: str | Path | None = None, allow_paths: bool = False
) -> Series:
    """One measure of one dyad from an event store, as a :class:`Series` with a ``value`` column.

    Needs the ``events`` extra (DuckDB). Periods without events of the dyad read as 0 for counts and as
    missing for shares and means; periods the store does not cover are missing.
    """
    path = resolve_data_path(ref.events, base_dir, allow_paths=allow_paths, what="event store")
    manifest = path / "manifest.json"
    stamp = manifest.stat().st_mtime_ns if manifest.is_file() else 0
    key = (
        str(path.resolve()),
        stamp,
        ref.dyad.upper(),
        ref.measure,
        ref.period,
        ref.directed,
        ref.weight,
        ref.dataset,
    )
    # the event-data modules load only for a scenario that reads an event series
    from realpolitik.events.series import EventSeriesError
    from realpolitik.events.store import StoreError

    try:
        rows = _event_rows(*key) if stamp else _event_rows.__wrapped__(*key)
    except (StoreError, EventSeriesError) as exc:
        raise SeriesError(f"event series {ref.label()}: {exc}") from None
    periods = tuple(Period(label, start, end) for start, end, label, _ in rows)
    values = tuple("" if v is None else repr(float(v)) for *_, v in rows)
    return Series(
        name=f"{ref.dyad.upper()} {ref.measure}",
        origin=str(path),
        date_column="period",
        periods=periods,
        columns={"period": tuple(p.label for p in periods), "value": values},
    )


@lru_cache(maxsize=64)
def _event_rows(
    path: str,
    stamp: int,
    dyad: str,
    measure: str,
    period: str,
    directed: bool,
    weight: str | None,
    dataset: str | None,
) -> list[tuple[dt.date, dt.date, str, float | None]]:
    """Event series rows, cached while the store's manifest is unchanged (``stamp``)."""
    from realpolitik.events.series import measure_series, parse_dyad

    return measure_series(
        path,
        parse_dyad(dyad),
        measure,
        period,
        directed=directed,
        weight=weight,
        datasets=None if dataset is None else [dataset],
    )


# ------------------------------------------------------------------------------------------------ reading
@dataclass(frozen=True)
class Reading:
    """A series value at a date: the value (NaN when there is none), its period and its age in days."""

    value: float
    period: str | None = None
    age_days: int | None = None
    stale: bool = False


def read_at(
    series: Series,
    column: str,
    as_of: dt.date | None,
    *,
    where: dict[str, str] | None = None,
    stale_after_days: int = STALE_AFTER_DAYS,
) -> Reading:
    """The latest non-missing value of ``column`` whose period ended on or before ``as_of``.

    ``where`` keeps only rows whose columns equal the given text. With ``as_of`` None the latest value
    is returned. The reading is stale when its period ended more than ``stale_after_days`` before
    ``as_of``.
    """
    values = series.numeric(column)
    keep = np.isfinite(values)
    for col, want in (where or {}).items():
        if col not in series.columns:
            raise SeriesError(f"series {series.name!r} has no column {col!r} to select rows by")
        keep &= np.array([c == want for c in series.columns[col]], dtype=bool)
    ends = np.array([p.end for p in series.periods], dtype="datetime64[D]")
    if as_of is not None:
        keep &= ends <= np.datetime64(as_of, "D")
    if not keep.any():
        return Reading(float("nan"))
    idx = np.flatnonzero(keep)
    k = int(idx[_last_max(ends[idx])])
    period = series.periods[k]
    age = None if as_of is None else (as_of - period.end).days
    return Reading(float(values[k]), period.label, age, age is not None and age > stale_after_days)


def _last_max(ends: np.ndarray) -> int:
    """Index of the latest end date (the last row among ties)."""
    return int(len(ends) - 1 - np.argmax(ends[::-1]))


def scale_value(raw: float | np.ndarray, scale: tuple[float, float] | None) -> np.ndarray:
    """Raw values mapped linearly from ``scale`` (low, high) onto [0, 1] and clipped."""
    x = np.asarray(raw, dtype=float)
    if scale is None:
        return np.clip(x, 0.0, 1.0)
    lo, hi = scale
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)
