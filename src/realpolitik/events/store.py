"""The event store: a folder of normalised Parquet parts, one per ingested file content, and a manifest.

``--db PATH`` names the folder. ``manifest.json`` lists every file read (name, size, content hash, data
set, rows, bad rows by reason, dates covered) and every file that could not be read (with the reason).
Parts are named by the BLAKE3 hash of the file's bytes (plus the member name for zip members, and the
reader version and options), so a file already read is not read again, and the same content under two
names is counted once. A file whose name, size and modification time match its record is not hashed
again. BLAKE3 is a cryptographic hash (two different files sharing a key is as unlikely as with
SHA-256), about 2.5 times faster than SHA-256 here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from realpolitik.events.formats import EventFileError, Layout, Unit, expand, layout, units

READER_VERSION = 3
MANIFEST = "manifest.json"
ENGINES = ("duckdb", "dask")


class StoreError(ValueError):
    """An event store that cannot be used (not a store, unreadable manifest)."""


def require(
    what: str = "event data", modules: Sequence[str] = ("duckdb", "pandas", "statsmodels", "blake3")
) -> None:
    """Raise one clear error when a module of the ``events`` extra (or ``dask``) is missing."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        extra = "dask" if missing == ["dask"] else "events"
        raise ImportError(
            f"{what} needs the {extra} extra: pip install 'realpolitik[{extra}]' (missing: {', '.join(missing)})"
        )


@dataclass
class FileRecord:
    """One ingested unit."""

    name: str
    key: str
    size: int
    mtime_ns: int
    dataset: str
    fields: int
    part: str
    rows: int = 0
    bad: dict[str, int] = field(default_factory=dict)
    bad_lines: dict[str, list[int]] = field(default_factory=dict)
    encoding: str = "utf-8"
    min_date: str | None = None
    max_date: str | None = None
    note: str | None = None
    duplicate_of: str | None = None

    @property
    def usable(self) -> int:
        """Rows that enter series (all rows less those with a bad date or event code)."""
        return self.rows - sum(n for r, n in self.bad.items() if r in ("bad date", "bad event code"))


@dataclass
class IngestReport:
    """What one ``ingest`` did: files read now, files found in the cache, duplicates and errors."""

    db: str
    read: list[FileRecord] = field(default_factory=list)
    cached: list[FileRecord] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    engine: str = "duckdb"

    def to_json(self) -> dict[str, Any]:
        def rec(r: FileRecord, status: str) -> dict[str, Any]:
            d = asdict(r)
            d["status"] = status
            d["usable"] = r.usable
            return d

        files = [rec(r, "read") for r in self.read] + [rec(r, "cached") for r in self.cached]
        bad: dict[str, int] = {}
        for r in self.read + self.cached:
            for k, n in r.bad.items():
                bad[k] = bad.get(k, 0) + n
        return {
            "db": self.db,
            "engine": self.engine,
            "files": files,
            "errors": list(self.errors),
            "totals": {
                "files": len(files),
                "rows": sum(r.rows for r in self.read + self.cached if r.duplicate_of is None),
                "bad": dict(sorted(bad.items())),
                "errors": len(self.errors),
            },
        }


class Store:
    """An event store folder (created on first ingest)."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        self.parts_dir = self.path / "parts"

    # ------------------------------------------------------------------ manifest
    def exists(self) -> bool:
        return (self.path / MANIFEST).is_file()

    def manifest(self) -> dict[str, Any]:
        if not self.exists():
            if self.path.exists() and not self.path.is_dir():
                raise StoreError(
                    f"{self.path}: not an event store (a file; expected a folder made by ingest)"
                )
            raise StoreError(
                f"{self.path}: no event store here (run: realpolitik events ingest FILES --db {self.path})"
            )
        try:
            data = json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.path / MANIFEST}: unreadable manifest ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != "realpolitik-events":
            raise StoreError(f"{self.path / MANIFEST}: not a realpolitik event store manifest")
        if data.get("version") != READER_VERSION:
            raise StoreError(
                f"{self.path}: made by another version of the reader ({data.get('version')}, this is "
                f"{READER_VERSION}); ingest the files into a new store"
            )
        return data

    def records(self) -> list[FileRecord]:
        return [FileRecord(**r) for r in self.manifest().get("files", [])]

    def errors(self) -> list[dict[str, str]]:
        return list(self.manifest().get("errors", []))

    def _write(self, records: list[FileRecord], errors: list[dict[str, str]]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        data = {
            "format": "realpolitik-events",
            "version": READER_VERSION,
            "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "files": [asdict(r) for r in records],
            "errors": errors,
        }
        tmp = self.path / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.path / MANIFEST)

    def part_files(self, rec: FileRecord) -> list[Path]:
        """The Parquet files of one record's part (a folder); a missing part is an error."""
        files = sorted((self.path / rec.part).glob("*.parquet"))
        if not files:
            raise StoreError(
                f"{self.path / rec.part}: the part of {rec.name} is missing; ingest the file again"
            )
        return files

    def parts(self, datasets: Sequence[str] | None = None) -> list[Path]:
        """The Parquet files of every part (each content once), optionally of some data sets only."""
        out: dict[str, list[Path]] = {}
        for r in self.records():
            if r.duplicate_of is None and (not datasets or r.dataset in datasets):
                out.setdefault(r.key, self.part_files(r))
        return [f for files in out.values() for f in files]

    def coverage(self) -> dict[str, Any]:
        recs = [r for r in self.records() if r.duplicate_of is None]
        lo = [r.min_date for r in recs if r.min_date]
        hi = [r.max_date for r in recs if r.max_date]
        return {
            "datasets": sorted({r.dataset for r in recs}),
            "files": len(recs),
            "rows": sum(r.rows for r in recs),
            "first": min(lo) if lo else None,
            "last": max(hi) if hi else None,
        }


# ---------------------------------------------------------------------------------------------- keys
def content_hash(path: Path, chunk: int = 1 << 22) -> str:
    """The BLAKE3 hash (hex) of a file's bytes."""
    from blake3 import blake3

    h = blake3()
    with path.open("rb") as f:
        while b := f.read(chunk):
            h.update(b)
    return h.hexdigest()


def _options_tag(date_field: str) -> str:
    return hashlib.sha256(f"v{READER_VERSION}|date={date_field}".encode()).hexdigest()[:8]


def unit_key(unit: Unit, file_hash: str, date_field: str) -> str:
    """The cache key of a unit: its bytes (the archive's plus member name for zip members) and options."""
    base = (
        file_hash
        if unit.member is None
        else hashlib.sha256(f"{file_hash}|{unit.member}".encode()).hexdigest()
    )
    return f"{base[:40]}-{_options_tag(date_field)}"


# ---------------------------------------------------------------------------------------------- ingest
UnitReader = Callable[[Path, Layout, str, Path], dict[str, Any]]


def ingest(
    inputs: Iterable[str | Path],
    db: str | Path,
    *,
    engine: str = "duckdb",
    scheduler: str | None = None,
    dataset: str | None = None,
    date_field: str = "event",
    threads: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> IngestReport:
    """Read event files into the store at ``db`` (created if needed).

    ``inputs`` are files, folders or globs; zip archives are read member by member, gzip files directly.
    Files whose content is already in the store are not read again. A file that cannot be read (a
    truncated zip or gzip, an unknown format) is reported in ``errors``; the other files are read.
    ``engine`` is ``duckdb`` (default) or ``dask`` (``scheduler``: a Dask scheduler address; the files
    and the store must then be on storage the workers see). ``progress(name, done, total)`` is called as
    each unit that needs reading starts (or is found to repeat one), ``total`` being the number of such units.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if date_field not in ("event", "added"):
        raise ValueError(f"date field must be event or added, got {date_field!r}")
    require("reading event files")
    if engine == "dask":
        require("the dask engine", ("dask",))
    store = Store(db)
    records = store.records() if store.exists() else []
    old_errors = store.errors() if store.exists() else []
    by_name = {r.name: r for r in records}
    by_key = {r.key: r for r in records if r.duplicate_of is None}
    report = IngestReport(db=str(store.path), engine=engine)
    store.parts_dir.mkdir(parents=True, exist_ok=True)
    scheduled: dict[str, str] = {}
    pending_dups: list[FileRecord] = []

    def unchanged(u: Unit, st: os.stat_result) -> FileRecord | None:
        """The record of a unit read before under this name, if the file's size and mtime are the same."""
        prev = by_name.get(u.name)
        if prev is not None and prev.size == st.st_size and prev.mtime_ns == st.st_mtime_ns:
            if (store.path / prev.part).is_dir():
                return prev
        return None

    listed: list[tuple[Path, list[Unit], os.stat_result]] = []
    for path in expand(inputs):
        try:
            us = units(path)
        except EventFileError as exc:
            report.errors.append({"file": str(path), "error": str(exc)})
            continue
        listed.append((path, us, path.stat()))
    # the content hash of every file with a unit not read before, several files at a time, ahead of
    # (and while DuckDB reads) the units planned from them
    need = [path for path, us, st in listed if any(unchanged(u, st) is None for u in us)]
    hasher = ThreadPoolExecutor(max_workers=max(1, min(len(need), threads or os.cpu_count() or 1)))
    hashes = {path: hasher.submit(content_hash, path) for path in need}
    total = sum(1 for _, us, st in listed for u in us if unchanged(u, st) is None)
    done = 0

    def tick(name: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(name, done, total)

    def plan() -> Iterator[tuple[Unit, Layout, str, FileRecord]]:
        """The units to read, in order; cached units and duplicates are recorded on the way."""
        for path, us, st in listed:
            for u in us:
                prev = unchanged(u, st)
                if prev is not None:
                    report.cached.append(prev)
                    continue
                key = unit_key(u, hashes[path].result(), date_field)
                if key in scheduled and scheduled[key] != u.name:
                    # dataset and fields are filled in from the first copy once it is read
                    pending_dups.append(_duplicate(u.name, key, st, scheduled[key], "", 0, f"parts/{key}"))
                    tick(u.name)
                    continue
                if key in by_key and (store.path / by_key[key].part).is_dir():
                    first = by_key[key]
                    if first.name == u.name:
                        first.size, first.mtime_ns = st.st_size, st.st_mtime_ns
                        report.cached.append(first)
                    else:
                        dup = _duplicate(u.name, key, st, first.name, first.dataset, first.fields, first.part)
                        by_name[u.name] = dup
                        report.cached.append(dup)
                    tick(u.name)
                    continue
                try:
                    lay = layout(u, dataset, date_field=date_field)
                except EventFileError as exc:
                    report.errors.append({"file": u.name, "error": str(exc)})
                    tick(u.name)
                    continue
                rec = FileRecord(
                    name=u.name,
                    key=key,
                    size=st.st_size,
                    mtime_ns=st.st_mtime_ns,
                    dataset=lay.dataset,
                    fields=lay.fields,
                    part=f"parts/{key}",
                    note=lay.note,
                )
                scheduled[key] = u.name
                yield u, lay, key, rec

    try:
        if engine == "duckdb":
            results = list(_run_duckdb(plan(), store, scheduler=scheduler, threads=threads, progress=tick))
        else:
            results = list(
                _run_dask(list(plan()), store, scheduler=scheduler, threads=threads, progress=tick)
            )
    finally:
        hasher.shutdown(cancel_futures=True)
    for rec, result in results:
        if isinstance(result, str):
            report.errors.append({"file": rec.name, "error": result})
            continue
        for k in ("rows", "bad", "bad_lines", "encoding", "min_date", "max_date"):
            setattr(rec, k, result[k])
        if rec.encoding != "utf-8":
            extra = "not valid UTF-8; read as ISO-8859-1 (Latin-1)"
            rec.note = extra if not rec.note else f"{rec.note}; {extra}"
        by_name[rec.name] = rec
        by_key[rec.key] = rec
        report.read.append(rec)
    for dup in pending_dups:
        found = by_key.get(dup.key)
        if found is None:
            continue  # the first copy failed; its error is reported
        dup.dataset, dup.fields = found.dataset, found.fields
        by_name[dup.name] = dup
        report.cached.append(dup)
    failed = {e["file"] for e in report.errors}
    seen_now = {r.name for r in report.read + report.cached} | failed
    errors = [e for e in old_errors if e["file"] not in seen_now] + report.errors
    store._write(sorted(by_name.values(), key=lambda r: r.name), errors)
    return report


def _duplicate(
    name: str, key: str, st: os.stat_result, first: str, dataset: str, fields: int, part: str
) -> FileRecord:
    """The record of a unit whose content is already stored (or being read) under the name ``first``."""
    return FileRecord(
        name=name,
        key=key,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        dataset=dataset,
        fields=fields,
        part=part,
        duplicate_of=first,
        note=f"same content as {first}; counted once",
    )


def _materialise(unit: Unit, tmpdir: Path) -> Path:
    """A path DuckDB or pandas can read: the file itself, or the zip member extracted to ``tmpdir``."""
    if unit.member is None:
        return unit.path
    out = tmpdir / (hashlib.sha256(unit.name.encode()).hexdigest()[:16] + "-" + Path(unit.member).name)
    try:
        with zipfile.ZipFile(unit.path) as zf, zf.open(unit.member) as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 22)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        out.unlink(missing_ok=True)
        raise EventFileError(f"{unit.name}: truncated or damaged zip member ({exc})") from None
    return out


BATCH_BYTES = 1 << 30
"""Units of one layout are read together in one parallel pass, up to this many bytes on disk."""
SOLO_BYTES = 1 << 25
"""A unit of at least this many bytes on disk is read alone: one query writes its part directly,
without the partitioned write of a batch (which costs about a tenth more time per row)."""
CONCURRENT_UNITS = 2
"""Units read alone run this many at a time (DuckDB's threads are shared among them): one file's
query alone keeps fewer threads busy than a scan of many files."""


def _run_duckdb(
    todo: Iterable[tuple[Unit, Layout, str, FileRecord]],
    store: Store,
    *,
    scheduler: str | None,
    threads: int | None,
    progress: Callable[[str], None] | None,
) -> Iterable[tuple[FileRecord, dict[str, Any] | str]]:
    """Read the units as they come: a big one at once on its own cursor (``CONCURRENT_UNITS`` at a
    time), small ones gathered per layout and read in batches."""
    import duckdb

    from realpolitik.events import duck

    if scheduler:
        raise ValueError("--scheduler goes with --engine dask")
    con: duckdb.DuckDBPyConnection | None = None
    Item = tuple[Unit, Layout, str, FileRecord]
    Result = tuple[FileRecord, dict[str, Any] | str]

    def alone(item: Item, cur: duckdb.DuckDBPyConnection, slot: str) -> Result:
        """One unit on its own cursor, extracted first if a zip member."""
        unit, lay, key, rec = item
        with cur, tempfile.TemporaryDirectory(dir=store.path, prefix=".tmp-") as tmp:
            try:
                path = _materialise(unit, Path(tmp))
            except EventFileError as exc:
                return rec, str(exc)
            try:
                return rec, duck.ingest_unit(cur, path, lay, unit.name, store.parts_dir / key, slot=slot)
            except duckdb.Error as exc:
                return rec, f"{unit.name}: cannot read ({_first_line(exc)})"

    groups: dict[tuple[Any, ...], tuple[list[Item], int]] = {}
    with ThreadPoolExecutor(max_workers=CONCURRENT_UNITS) as pool:
        running: deque[Future[Result]] = deque()
        for k, item in enumerate(todo):
            if con is None:
                con = duck.connect(threads=threads, temp_dir=store.path / ".duckdb-tmp")
            unit, lay, _key, rec = item
            if rec.size >= SOLO_BYTES:
                if progress:
                    progress(unit.name)
                running.append(pool.submit(alone, item, con.cursor(), f"_{k}"))
                while len(running) >= CONCURRENT_UNITS:
                    yield running.popleft().result()
                continue
            group = (lay.dataset, lay.fields, lay.header, tuple(sorted(lay.pos.items())))
            items, size = groups.get(group, ([], 0))
            if items and size + rec.size > BATCH_BYTES:
                yield from _run_batch(con, items, store, progress)
                items, size = [], 0
            groups[group] = ([*items, item], size + rec.size)
        for n, (items, _size) in enumerate(groups.values()):
            assert con is not None
            if len(items) == 1:  # alone, as a big unit
                if progress:
                    progress(items[0][0].name)
                running.append(pool.submit(alone, items[0], con.cursor(), f"_g{n}"))
            else:
                yield from _run_batch(con, items, store, progress)
        while running:
            yield running.popleft().result()
    if con is not None:
        con.close()
    shutil.rmtree(store.path / ".duckdb-tmp", ignore_errors=True)


def _run_batch(
    con: Any,
    batch: list[tuple[Unit, Layout, str, FileRecord]],
    store: Store,
    progress: Callable[[str], None] | None,
) -> Iterable[tuple[FileRecord, dict[str, Any] | str]]:
    """Small units of one layout in one query; one by one if that fails, so a damaged file fails alone."""
    import duckdb

    from realpolitik.events import duck

    with tempfile.TemporaryDirectory(dir=store.path, prefix=".tmp-") as tmp:
        ready: list[tuple[Path, Unit, str, FileRecord]] = []
        for unit, _lay, key, rec in batch:
            if progress:
                progress(unit.name)
            try:
                ready.append((_materialise(unit, Path(tmp)), unit, key, rec))
            except EventFileError as exc:
                yield rec, str(exc)
        if not ready:
            return
        lay = batch[0][1]
        try:
            results = duck.ingest_batch(con, [(p, u.name, k) for p, u, k, _ in ready], lay, store.parts_dir)
        except duckdb.Error:
            results = {}
        for path, unit, key, rec in ready:
            if key in results:
                yield rec, results[key]
                continue
            try:
                yield rec, duck.ingest_unit(con, path, lay, unit.name, store.parts_dir / key)
            except duckdb.Error as exc:
                yield rec, f"{unit.name}: cannot read ({_first_line(exc)})"


def _run_dask(
    todo: list[tuple[Unit, Layout, str, FileRecord]],
    store: Store,
    *,
    scheduler: str | None,
    threads: int | None,
    progress: Callable[[str], None] | None,
) -> Iterable[tuple[FileRecord, dict[str, Any] | str]]:
    from realpolitik.events import pandas_engine

    if not todo:
        return
    tmp = Path(tempfile.mkdtemp(dir=store.path, prefix=".tmp-"))
    try:
        jobs = []
        for unit, lay, key, rec in todo:
            try:
                local = _materialise(unit, tmp)
            except EventFileError as exc:
                if progress:
                    progress(unit.name)
                yield rec, str(exc)
                continue
            jobs.append((rec, (str(local), lay, unit.name, str(store.parts_dir / key))))
        results = pandas_engine.run_dask([a for _, a in jobs], scheduler=scheduler)
        for (rec, _), res in zip(jobs, results, strict=True):
            if progress:
                progress(rec.name)
            yield rec, res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
