"""The DuckDB engine: read event files into normalised Parquet parts, and aggregate parts into dyads.

Imported only when the ``events`` extra is installed (DuckDB). One query per file (or per batch of small
files of one layout) reads the text with DuckDB's CSV reader (tab-separated, no quoting, every field as
text, rows with the wrong number of fields rejected and counted), maps codes through the lookup tables,
marks bad rows, and writes a Parquet part: codes that come from a lookup are written as ENUMs (a
dictionary already), and what reading restores is left out (:data:`realpolitik.events.schema.ON_READ`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from realpolitik.events import tables
from realpolitik.events.formats import DATASETS, Layout
from realpolitik.events.schema import COLUMNS, ON_READ

ENCODINGS = ("utf-8", "latin-1")


MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit for reading and aggregating (it spills to ``temp_dir`` beyond it)."""


def connect(
    threads: int | None = None, memory_limit: str | None = MEMORY_LIMIT, temp_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the lookup tables registered."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = {_lit(memory_limit)}")
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {_lit(str(temp_dir))}")
    con.execute("SET preserve_insertion_order = false")
    # The CSV reader gives the optimizer no row count, so it would build each lookup join's hash table
    # from the file (every row held in memory) instead of from the small lookup table: keep the joins
    # as written, lookup tables on the build side (DuckDB's documented way to force a join order).
    con.execute("SET disabled_optimizers = 'join_order,build_side_probe_side'")
    # Country codes and the constant columns (data set, file) are ENUMs: DuckDB writes an ENUM to
    # Parquet as the dictionary it already is (read back as text), not hashing each row's string.
    isos = {*tables.country_map().values(), *tables.country_names().values(), *tables.cow_map().values()}
    _enum(con, "_iso", sorted(i for i in isos if i))
    _enum(con, "_dataset", DATASETS)
    cmap = [(code, iso, code == iso) for code, iso in tables.country_map().items()]
    _lookup(con, "_cmap", "code VARCHAR, iso3 _iso, same BOOLEAN", cmap)
    _lookup(con, "_names", "name VARCHAR, iso3 _iso", tables.country_names().items())
    # every CAMEO-shaped code (2-4 digits, root 01-20: GDELT's 311 codes are among them) with its ENUM
    # value, Goldstein weight (GDELT's table; None for codes it lacks) and quad class by the root rule
    gold = tables.goldstein()
    codes = [
        f"{r:02d}{x}"
        for r in range(1, 21)
        for x in ("", *map(str, range(10)), *(f"{i:02d}" for i in range(100)))
    ]
    _enum(con, "_event", codes)
    _lookup(
        con,
        "_codes",
        "code VARCHAR, ev _event, w DOUBLE, quad TINYINT",
        [(c, c, gold.get(c), tables.ROOT_QUAD[c[:2]]) for c in codes],
    )
    _lookup(con, "_cow", "code VARCHAR, iso3 _iso", tables.cow_map().items())
    _lookup(con, "_ploverquad", "type VARCHAR, quad TINYINT", tables.PLOVER_QUAD.items())
    return con


def _lookup(con: duckdb.DuckDBPyConnection, name: str, cols: str, rows: Any) -> None:
    values = ", ".join(
        "(" + ", ".join("NULL" if v is None else _lit(v) if isinstance(v, str) else repr(v) for v in r) + ")"
        for r in rows
    )
    temp = "TEMP " if name == "_units" else ""  # lookup tables are seen by every cursor of the connection
    con.execute(f"CREATE OR REPLACE {temp}TABLE {name} ({cols}); INSERT INTO {name} VALUES {values}")


def _enum(con: duckdb.DuckDBPyConnection, name: str, values: Sequence[str]) -> None:
    con.execute(f"CREATE TYPE {name} AS ENUM ({', '.join(_lit(v) for v in dict.fromkeys(values))})")


def _set_files(con: duckdb.DuckDBPyConnection, names: Sequence[str], slot: str = "") -> None:
    """The ENUM type ``_file{slot}`` of the unit names the next query writes (``_file``: and no ``_units``)."""
    con.execute(("" if slot else "DROP TABLE IF EXISTS _units; ") + f"DROP TYPE IF EXISTS _file{slot}")
    _enum(con, f"_file{slot}", names)


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _reader(path: Path | Sequence[Path], lay: Layout, encoding: str, rejects: str) -> str:
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(lay.fields)) + "}"
    paths = [path] if isinstance(path, Path) else list(path)
    src = (
        _lit(str(paths[0])) if isinstance(path, Path) else "[" + ", ".join(_lit(str(p)) for p in paths) + "]"
    )
    return (
        f"read_csv({src}, delim='\\t', header=false, skip={1 if lay.header else 0}, quote='', "
        f"escape='', columns={cols}, auto_detect=false, strict_mode=true, null_padding=false, "
        f"compression='auto', encoding='{encoding}', store_rejects=true, "
        f"rejects_table='{rejects}_e', rejects_scan='{rejects}_s', max_line_size=10000000"
        + (")" if isinstance(path, Path) else ", filename=true)")
    )


def _c(lay: Layout, key: str) -> str:
    """A field with ASCII spaces stripped, empty as NULL (as the pandas engine); trimmed only if it has a space."""
    i = lay.pos.get(key)
    if i is None:
        return "NULL::VARCHAR"
    c = f"c{i}"
    return f"(CASE WHEN contains({c}, ' ') THEN nullif(trim({c}, ' '), '') ELSE nullif({c}, '') END)"


def _int(field: str) -> str:
    """An integer field (raw text): ASCII spaces stripped, then optional sign and digits only (as the pandas
    engine; DuckDB's cast alone also takes 1.5, 1e3, 0x10). Plain digits as the cast writes them back
    pass without stripping and the (slower) pattern match.
    """
    t = f"trim({field}, ' ')"
    return (
        f"(CASE WHEN TRY_CAST({field} AS INTEGER)::VARCHAR = {field} THEN TRY_CAST({field} AS INTEGER) "
        f"WHEN regexp_full_match({t}, '[+-]?[0-9]+') THEN TRY_CAST({t} AS INTEGER) END)"
    )


def _raw(lay: Layout, key: str) -> str:
    i = lay.pos.get(key)
    return "NULL::VARCHAR" if i is None else f"c{i}"


def _select(lay: Layout, src: str, name: str | None, slot: str = "") -> str:
    """The normalising SELECT for one unit (``name`` None: a batch whose ``src`` has ``_name``, ``_key``).

    The unit names must be in the ENUM type ``_file{slot}`` (:func:`_set_files`).
    """
    ds = f"{_lit(lay.dataset)}::_dataset"
    fname = "_name" if name is None else f"{_lit(name)}::_file{slot}"
    keep = ", _name, _key" if name is None else ""
    key_out = ", _key" if name is None else ""
    if lay.dataset in ("gdelt1", "gdelt2"):
        date_expr = f"try_strptime(substr({_c(lay, 'date')}, 1, 8), '%Y%m%d')::DATE"
        raw = (
            f"SELECT {date_expr} AS date, {_c(lay, 'actor1_country')} AS a1, {_c(lay, 'actor2_country')} AS a2, "
            f"{_c(lay, 'event_code')} AS ec, {_raw(lay, 'quad_class')} AS qc, "
            f"{_raw(lay, 'mentions')} AS m, {_raw(lay, 'sources')} AS k{keep} FROM {src}"
        )
        return f"""
        WITH r AS ({raw}),
        n AS (SELECT r.*, g.w AS gw, g.ev AS event_code, g.quad AS rq FROM r LEFT JOIN _codes g ON g.code = r.ec)
        SELECT n.date, s.iso3 AS source, t.iso3 AS target,
               CASE WHEN s.same THEN NULL ELSE a1 END AS source_code,
               CASE WHEN t.same THEN NULL ELSE a2 END AS target_code,
               n.event_code,
               CASE WHEN n.event_code IS NULL THEN NULL WHEN qc IN ('1', '2', '3', '4') THEN qc::TINYINT
                    WHEN trim(qc, ' ') IN ('1', '2', '3', '4') THEN trim(qc, ' ')::TINYINT ELSE rq END AS quad_class,
               gw AS goldstein, {_int("m")} AS mentions, {_int("k")} AS sources, {ds} AS dataset, {fname} AS file,
               CASE WHEN n.date IS NULL THEN 'bad date' WHEN n.event_code IS NULL THEN 'bad event code'
                    WHEN (a1 IS NOT NULL AND s.code IS NULL) OR (a2 IS NOT NULL AND t.code IS NULL)
                    THEN 'unknown country code' END AS problem{key_out}
        FROM n LEFT JOIN _cmap s ON s.code = n.a1 LEFT JOIN _cmap t ON t.code = n.a2
        """
    if lay.dataset == "icews":
        d = _c(lay, "date")
        raw = (
            f"SELECT COALESCE(try_strptime({d}, '%Y-%m-%d'), try_strptime({d}, '%m/%d/%Y'))::DATE AS date, "
            f"CASE WHEN {_c(lay, 'source')} <> 'NA' THEN {_c(lay, 'source')} END AS a1, "
            f"CASE WHEN {_c(lay, 'target')} <> 'NA' THEN {_c(lay, 'target')} END AS a2, "
            f"{_c(lay, 'event_code')} AS ec{keep} FROM {src}"
        )
        return f"""
        WITH r AS ({raw}),
        n AS (SELECT r.*, g.w AS gw, g.ev AS event_code, g.quad AS rq FROM r LEFT JOIN _codes g ON g.code = r.ec)
        SELECT n.date, s.iso3 AS source, t.iso3 AS target, a1 AS source_code, a2 AS target_code,
               n.event_code,
               rq AS quad_class, gw AS goldstein, NULL::INTEGER AS mentions, NULL::INTEGER AS sources,
               {ds} AS dataset, {fname} AS file,
               CASE WHEN n.date IS NULL THEN 'bad date' WHEN n.event_code IS NULL THEN 'bad event code'
                    WHEN (a1 IS NOT NULL AND s.name IS NULL) OR (a2 IS NOT NULL AND t.name IS NULL)
                    THEN 'unknown country code' END AS problem{key_out}
        FROM n LEFT JOIN _names s ON s.name = lower(n.a1) LEFT JOIN _names t ON t.name = lower(n.a2)
        """
    # POLECAT: PLOVER event types; country fields may hold ';'-separated lists (one row per pair)
    d = _c(lay, "date")
    raw = (
        f"SELECT try_strptime(substr({d}, 1, 10), '%Y-%m-%d')::DATE AS date, "
        f"{_c(lay, 'source')} AS a1l, {_c(lay, 'target')} AS a2l, {_c(lay, 'source_cow')} AS c1, "
        f"{_c(lay, 'target_cow')} AS c2, upper({_c(lay, 'event_type')}) AS et, upper({_c(lay, 'quad')}) AS qt{keep} "
        f"FROM {src}"
    )
    return f"""
    WITH r AS ({raw}),
    e1 AS (SELECT * EXCLUDE (a1l), nullif(trim(x), '') AS a1 FROM r,
           unnest(CASE WHEN a1l IS NULL OR a1l = 'None' THEN [NULL] ELSE string_split(a1l, ';') END) AS u(x)),
    e2 AS (SELECT * EXCLUDE (a2l), nullif(trim(y), '') AS a2 FROM e1,
           unnest(CASE WHEN a2l IS NULL OR a2l = 'None' THEN [NULL] ELSE string_split(a2l, ';') END) AS v(y)),
    n AS (SELECT * EXCLUDE (a1, a2), CASE WHEN a1 <> 'None' THEN a1 END AS s1,
                 CASE WHEN a2 <> 'None' THEN a2 END AS s2 FROM e2),
    q AS (SELECT n.*, pq.type AS ptype,
                 CASE WHEN qt IN ('VERBAL COOPERATION', '1') THEN 1::TINYINT
                      WHEN qt IN ('MATERIAL COOPERATION', '2') THEN 2::TINYINT
                      WHEN qt IN ('VERBAL CONFLICT', '3') THEN 3::TINYINT
                      WHEN qt IN ('MATERIAL CONFLICT', '4') THEN 4::TINYINT ELSE pq.quad END AS quad
          FROM n LEFT JOIN _ploverquad pq ON pq.type = n.et),
    k AS (SELECT q.*, s.iso3 AS si, t.iso3 AS ti, cs.iso3 AS csi, ct.iso3 AS cti,
                 (et IS NOT NULL AND ptype IS NULL) OR quad IS NULL AS bad_code
          FROM q LEFT JOIN _cmap s ON s.code = upper(q.s1) LEFT JOIN _cmap t ON t.code = upper(q.s2)
                 LEFT JOIN _cow cs ON cs.code = q.c1 LEFT JOIN _cow ct ON ct.code = q.c2)
    SELECT date, CASE WHEN s1 IS NOT NULL THEN si ELSE csi END AS source,
           CASE WHEN s2 IS NOT NULL THEN ti ELSE cti END AS target,
           COALESCE(s1, c1) AS source_code, COALESCE(s2, c2) AS target_code,
           CASE WHEN NOT bad_code THEN et END AS event_code,
           CASE WHEN NOT bad_code THEN quad END AS quad_class,
           NULL::DOUBLE AS goldstein, NULL::INTEGER AS mentions, NULL::INTEGER AS sources,
           {ds} AS dataset, {fname} AS file,
           CASE WHEN date IS NULL THEN 'bad date' WHEN bad_code THEN 'bad event code'
                WHEN (s1 IS NOT NULL AND si IS NULL) OR (s2 IS NOT NULL AND ti IS NULL)
                     OR (s1 IS NULL AND c1 IS NOT NULL AND csi IS NULL)
                     OR (s2 IS NULL AND c2 IS NOT NULL AND cti IS NULL) THEN 'unknown country code' END AS problem{key_out}
    FROM k
    """


def ingest_unit(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    lay: Layout,
    name: str,
    out: Path,
    *,
    encodings: Sequence[str] = ENCODINGS,
    slot: str = "",
) -> dict[str, Any]:
    """Read one unit at ``path`` into the Parquet part ``out``; the counts of rows and bad rows.

    ``slot`` suffixes the names of the query's own objects, so that several units can be read at once
    (each on its own cursor of one connection).

    Returns ``{"rows", "bad": {reason: n}, "bad_lines": {reason: [line, ...]}, "encoding",
    "min_date", "max_date"}``. A file that is not valid UTF-8 is read again as ISO-8859-1. Errors reading
    the file (a truncated gzip) raise ``duckdb.Error``; ``out`` is written only on success.
    """
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    enc_used = encodings[0]
    _set_files(con, [name], slot)
    rej = f"_rej{slot}"
    for enc in encodings:
        con.execute(f"DROP TABLE IF EXISTS {rej}_e; DROP TABLE IF EXISTS {rej}_s")
        sql = _select(lay, _reader(path, lay, enc, rej), name, slot)
        con.execute(
            f"COPY ({sql}) TO {_lit(str(tmp))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 65536)"
        )
        errs = con.execute(f"SELECT error_type, line FROM {rej}_e ORDER BY line").fetchall()
        enc_used = enc
        if enc != encodings[-1] and any(t == "INVALID ENCODING" for t, _ in errs):
            continue
        break
    os.makedirs(out, exist_ok=True)
    os.replace(tmp, out / "data_0.parquet")
    if slot:
        con.execute(f"DROP TABLE IF EXISTS {rej}_e; DROP TABLE IF EXISTS {rej}_s; DROP TYPE _file{slot}")
    return _report(con, [out / "data_0.parquet"], errs, enc_used)


def _report(
    con: duckdb.DuckDBPyConnection, files: Sequence[Path], errs: Sequence[tuple[str, int]], enc_used: str
) -> dict[str, Any]:
    bad: dict[str, int] = {}
    lines: dict[str, list[int]] = {}
    for etype, line in errs:
        reason = "bad encoding" if etype == "INVALID ENCODING" else "wrong column count"
        bad[reason] = bad.get(reason, 0) + 1
        if len(lines.setdefault(reason, [])) < 5:
            lines[reason].append(int(line))
    src = "[" + ", ".join(_lit(str(f)) for f in files) + "]"
    stats = con.execute(
        f"SELECT problem, count(*), min(date), max(date) FROM read_parquet({src}) GROUP BY problem"
    ).fetchall()
    rows = 0
    dmin = dmax = None
    for problem, n, lo, hi in stats:
        rows += int(n)
        if problem is not None:
            bad[problem] = bad.get(problem, 0) + int(n)
        if problem is None or problem == "unknown country code":
            dmin = lo if dmin is None or (lo is not None and lo < dmin) else dmin
            dmax = hi if dmax is None or (hi is not None and hi > dmax) else dmax
    return {
        "rows": rows,
        "bad": dict(sorted(bad.items())),
        "bad_lines": lines,
        "encoding": enc_used,
        "min_date": None if dmin is None else dmin.isoformat(),
        "max_date": None if dmax is None else dmax.isoformat(),
    }


def ingest_batch(
    con: duckdb.DuckDBPyConnection, items: Sequence[tuple[Path, str, str]], lay: Layout, parts_dir: Path
) -> dict[str, dict[str, Any]]:
    """Read many units of one layout in one parallel pass: ``items`` are ``(path, name, key)``.

    Writes ``parts_dir/<key>/*.parquet`` per unit and returns the report per key. A unit that is not
    valid UTF-8 is read again alone as ISO-8859-1. Any DuckDB error (a damaged gzip) raises: the caller
    then reads the units one by one to tell which failed.
    """
    con.execute("DROP TABLE IF EXISTS _rej_e; DROP TABLE IF EXISTS _rej_s")
    _set_files(con, [n for _, n, _ in items])
    _lookup(con, "_units", "path VARCHAR, _name _file, _key VARCHAR", [(str(p), n, k) for p, n, k in items])
    rd = _reader([p for p, _, _ in items], lay, ENCODINGS[0], "_rej")
    src = f"(SELECT r.* EXCLUDE (filename), u._name, u._key FROM {rd} r JOIN _units u ON u.path = r.filename)"
    stage = parts_dir / f".batch{os.getpid()}"
    if stage.exists():
        shutil.rmtree(stage)
    try:
        con.execute(
            f"COPY ({_select(lay, src, None)}) TO {_lit(str(stage))} "
            "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (_key), ROW_GROUP_SIZE 65536)"
        )
        rows = con.execute(
            "SELECT s.file_path, e.error_type, e.line FROM _rej_e e JOIN _rej_s s USING (scan_id, file_id) ORDER BY e.line"
        ).fetchall()
        errs: dict[str, list[tuple[str, int]]] = {}
        for path, etype, line in rows:
            errs.setdefault(str(path), []).append((etype, line))
        out: dict[str, dict[str, Any]] = {}
        for path, name, key in items:
            target = parts_dir / key
            if target.exists():
                shutil.rmtree(target)
            e = errs.get(str(path), [])
            if any(t == "INVALID ENCODING" for t, _ in e):
                out[key] = ingest_unit(con, path, lay, name, target, encodings=ENCODINGS[1:], slot="_latin1")
                continue
            made = stage / f"_key={key}"
            if made.exists():
                os.replace(made, target)
            else:  # a file without a single row: an empty part with the schema
                target.mkdir(parents=True)
                con.execute(
                    f"COPY (SELECT * EXCLUDE (_key) FROM ({_select(lay, src, None)}) LIMIT 0) "
                    f"TO {_lit(str(target / 'data_0.parquet'))} (FORMAT parquet)"
                )
            out[key] = _report(con, sorted(target.glob("*.parquet")), e, ENCODINGS[0])
        return out
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# ------------------------------------------------------------------------------------------ aggregation
PERIOD_TRUNC = {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"}


def aggregate(
    parts: Sequence[Path],
    *,
    period: str,
    directed: bool = True,
    pairs: Sequence[tuple[str, str]] | None = None,
    weight: str | None = None,
    datasets: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    threads: int | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Exact per-period dyad sums and the periods with any usable event (coverage).

    Returns ``(sums, coverage)``: ``sums`` has ``period_start, source, target, events, q1..q4,
    gold_tenths, gold_weight`` (integers: Goldstein in tenths so sums are exact whatever the order);
    ``coverage`` has ``period_start``.
    """
    if not parts:
        empty = pa.table({"period_start": pa.array([], pa.date32())})
        return empty, empty
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = {_lit(MEMORY_LIMIT)}")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    files = "[" + ", ".join(_lit(str(p)) for p in parts) + "]"
    trunc = PERIOD_TRUNC[period]
    w = "1" if weight is None else f"COALESCE({weight}, 1)::BIGINT"
    conds = [
        "date IS NOT NULL",
        "quad_class IS NOT NULL",
        "(problem IS NULL OR problem = 'unknown country code')",
    ]
    if datasets:
        conds.append("dataset IN (" + ", ".join(_lit(d) for d in datasets) + ")")
    if start:
        conds.append(f"date >= {_lit(start)}::DATE")
    if end:
        conds.append(f"date <= {_lit(end)}::DATE")
    where = " AND ".join(conds)
    both = "source IS NOT NULL AND target IS NOT NULL"  # (least and greatest would skip a NULL)
    src, tgt = (
        ("source", "target")
        if directed
        else (
            f"CASE WHEN {both} THEN least(source, target) END",
            f"CASE WHEN {both} THEN greatest(source, target) END",
        )
    )
    pair_filter = ""
    if pairs is not None:
        vals = ", ".join(f"({_lit(a)}, {_lit(b)})" for a, b in pairs)
        pair_filter = f"JOIN (VALUES {vals}) AS p(ps, pt) ON p.ps = g.source AND p.pt = g.target"
    # one pass over the parts: sums per period and dyad, with the rows that lack a country as groups
    # of their own (they count for coverage only)
    con.execute(f"""
    CREATE TEMP TABLE g AS
    SELECT date_trunc('{trunc}', date)::DATE AS period_start, {src} AS source, {tgt} AS target,
           sum({w})::BIGINT AS events,
           sum({w}) FILTER (WHERE quad_class = 1)::BIGINT AS q1, sum({w}) FILTER (WHERE quad_class = 2)::BIGINT AS q2,
           sum({w}) FILTER (WHERE quad_class = 3)::BIGINT AS q3, sum({w}) FILTER (WHERE quad_class = 4)::BIGINT AS q4,
           sum({w} * round(goldstein * 10)::BIGINT) FILTER (WHERE goldstein IS NOT NULL)::BIGINT AS gold_tenths,
           sum({w}) FILTER (WHERE goldstein IS NOT NULL)::BIGINT AS gold_weight
    FROM read_parquet({files}) WHERE {where} GROUP BY ALL
    """)
    sums = con.sql(f"""
    SELECT g.* FROM g {pair_filter} WHERE source IS NOT NULL AND target IS NOT NULL
    ORDER BY source, target, period_start
    """).to_arrow_table()
    cov = con.sql("SELECT DISTINCT period_start FROM g ORDER BY 1").to_arrow_table()
    return _table(sums), _table(cov)


def _table(x: Any) -> pa.Table:
    return x.read_all() if hasattr(x, "read_all") else x


def scan(parts: Sequence[Path], con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """Every row of the parts as the normalised table (derived columns computed; for tests and inspection)."""
    con = con or duckdb.connect(":memory:")
    files = "[" + ", ".join(_lit(str(p)) for p in parts) + "]"
    cols = ", ".join(f"{ON_READ[c]} AS {c}" if c in ON_READ else c for c, _ in COLUMNS)
    return _table(con.sql(f"SELECT {cols} FROM read_parquet({files})").to_arrow_table())
