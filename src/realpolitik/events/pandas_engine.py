"""The pandas/Dask engine: the same normalisation as :mod:`realpolitik.events.duck`, row for row.

Each file is one Dask task (files and the store must be on storage the workers see); dyad sums are a
Dask dataframe group-by over the Parquet parts. Used with ``--engine dask``; a test checks that both
engines give identical tables.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from realpolitik.events import tables
from realpolitik.events.formats import Layout
from realpolitik.events.schema import STORED

_ARROW = {
    "DATE": pa.date32(),
    "VARCHAR": pa.string(),
    "TINYINT": pa.int8(),
    "DOUBLE": pa.float64(),
    "INTEGER": pa.int32(),
}
SCHEMA = pa.schema([(c, _ARROW[t]) for c, t in STORED])
"""The schema of a Parquet part (the normalised table less its derived columns)."""
_CODE = re.compile(r"[0-9]{2,4}")
_INT = re.compile(r"[+-]?[0-9]+")


def _clean(v: str | None) -> str | None:
    if v is None:
        return None
    v = v.strip(" ")
    return v or None


@cache
def _date(text: str, fmts: tuple[str, ...]) -> dt.date | None:
    for f in fmts:
        try:
            return dt.datetime.strptime(text, f).date()
        except ValueError:
            continue
    return None


def _valid_code(ec: str | None) -> str | None:
    if ec is None or not _CODE.fullmatch(ec) or not "01" <= ec[:2] <= "20":
        return None
    return ec


def _int(v: str | None) -> int | None:
    if v is None or not _INT.fullmatch(v):
        return None
    n = int(v)
    return n if -(2**31) <= n < 2**31 else None


def _read_lines(path: Path, header: bool) -> tuple[list[str], str, int]:
    raw = gzip.decompress(path.read_bytes()) if path.name.lower().endswith(".gz") else path.read_bytes()
    try:
        text, enc = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, enc = raw.decode("latin-1"), "latin-1"
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    start = 1 if header else 0
    return lines[start:], enc, start


def normalise_file(path: str, lay: Layout, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows of one file as a part of the store holds them (:data:`~realpolitik.events.schema.STORED`;
    reading computes the rest, :data:`~realpolitik.events.schema.ON_READ`) and its wrong-column-count report."""
    lines, enc, start = _read_lines(Path(path), lay.header)
    rows: list[list[str]] = []
    bad_lines: list[int] = []
    for k, ln in enumerate(lines):
        if not ln:
            continue
        parts = ln.split("\t")
        if len(parts) != lay.fields:
            bad_lines.append(k + start + 1)
            continue
        rows.append(parts)
    pos = lay.pos

    def col(key: str) -> list[str | None]:
        i = pos.get(key)
        if i is None:
            return [None] * len(rows)
        return [_clean(r[i]) for r in rows]

    out: dict[str, list[Any]] = {c: [] for c, _ in STORED}
    cmap, gold, rq = tables.country_map(), tables.goldstein(), tables.ROOT_QUAD
    if lay.dataset in ("gdelt1", "gdelt2", "icews"):
        is_gdelt = lay.dataset != "icews"
        dates = col("date")
        a1s, a2s, ecs = (
            (col("actor1_country"), col("actor2_country"), col("event_code"))
            if is_gdelt
            else (col("source"), col("target"), col("event_code"))
        )
        qcs = col("quad_class") if is_gdelt else [None] * len(rows)
        ms = col("mentions") if is_gdelt else [None] * len(rows)
        ss = col("sources") if is_gdelt else [None] * len(rows)
        names = tables.country_names()
        for d, a1, a2, ec0, qc, m, s in zip(dates, a1s, a2s, ecs, qcs, ms, ss, strict=True):
            if is_gdelt:
                date = None if d is None else _date(d[:8], ("%Y%m%d",))
                if date is not None and not re.fullmatch(r"[0-9]{8}", d[:8]):
                    date = None
                src = None if a1 is None else cmap.get(a1)
                tgt = None if a2 is None else cmap.get(a2)
                unknown = (a1 is not None and a1 not in cmap) or (a2 is not None and a2 not in cmap)
            else:
                date = None if d is None else _date(d, ("%Y-%m-%d", "%m/%d/%Y"))
                a1 = None if a1 == "NA" else a1
                a2 = None if a2 == "NA" else a2
                src = None if a1 is None else names.get(a1.lower())
                tgt = None if a2 is None else names.get(a2.lower())
                unknown = (a1 is not None and src is None) or (a2 is not None and tgt is None)
            ec = _valid_code(ec0)
            quad = None if ec is None else (int(qc) if qc in ("1", "2", "3", "4") else rq.get(ec[:2]))
            problem = (
                "bad date"
                if date is None
                else "bad event code"
                if ec is None
                else "unknown country code"
                if unknown
                else None
            )
            for c, v in (
                ("date", date),
                ("source", src),
                ("target", tgt),
                ("source_code", a1 if not is_gdelt or a1 != src else None),  # stored where it differs
                ("target_code", a2 if not is_gdelt or a2 != tgt else None),
                ("event_code", ec),
                ("quad_class", quad),
                ("goldstein", None if ec is None else gold.get(ec)),
                ("mentions", _int(m)),
                ("sources", _int(s)),
                ("dataset", lay.dataset),
                ("file", name),
                ("problem", problem),
            ):
                out[c].append(v)
    else:
        _polecat(rows, col, out, lay, name)
    df = pd.DataFrame(out)
    return df, {"wrong column count": bad_lines, "encoding": enc}


def _polecat(rows: list[list[str]], col: Any, out: dict[str, list[Any]], lay: Layout, name: str) -> None:
    cmap, cow, pquad = tables.country_map(), tables.cow_map(), tables.PLOVER_QUAD
    text_quad = {**tables.POLECAT_QUAD_TEXT, "1": 1, "2": 2, "3": 3, "4": 4}

    def split(v: str | None) -> list[str | None]:
        if v is None or v == "None":
            return [None]
        return [_clean(x) for x in v.split(";")]

    for d, a1l, a2l, c1, c2, et0, qt0 in zip(
        col("date"),
        col("source"),
        col("target"),
        col("source_cow"),
        col("target_cow"),
        col("event_type"),
        col("quad"),
        strict=True,
    ):
        date = None if d is None else _date(d[:10], ("%Y-%m-%d",))
        et = None if et0 is None else et0.upper()
        qt = None if qt0 is None else qt0.upper()
        ptype = et if et is not None and et in pquad else None
        quad = (
            text_quad.get(qt) if qt is not None and qt in text_quad else (pquad.get(ptype) if ptype else None)
        )
        bad_code = (et is not None and ptype is None) or quad is None
        for a1 in split(a1l):
            for a2 in split(a2l):
                s1 = None if a1 == "None" else a1
                s2 = None if a2 == "None" else a2
                si = None if s1 is None else cmap.get(s1.upper())
                ti = None if s2 is None else cmap.get(s2.upper())
                csi = None if c1 is None else cow.get(c1)
                cti = None if c2 is None else cow.get(c2)
                unknown = (
                    (s1 is not None and si is None)
                    or (s2 is not None and ti is None)
                    or (s1 is None and c1 is not None and csi is None)
                    or (s2 is None and c2 is not None and cti is None)
                )
                problem = (
                    "bad date"
                    if date is None
                    else "bad event code"
                    if bad_code
                    else "unknown country code"
                    if unknown
                    else None
                )
                for c, v in (
                    ("date", date),
                    ("source", si if s1 is not None else csi),
                    ("target", ti if s2 is not None else cti),
                    ("source_code", s1 if s1 is not None else c1),
                    ("target_code", s2 if s2 is not None else c2),
                    ("event_code", None if bad_code else et),
                    ("quad_class", None if bad_code else quad),
                    ("goldstein", None),
                    ("mentions", None),
                    ("sources", None),
                    ("dataset", lay.dataset),
                    ("file", name),
                    ("problem", problem),
                ):
                    out[c].append(v)


def ingest_unit(path: str, lay: Layout, name: str, out: str) -> dict[str, Any] | str:
    """Normalise one file into the Parquet part ``out``; the same report as the DuckDB engine."""
    try:
        df, info = normalise_file(path, lay, name)
    except (OSError, EOFError, ValueError) as exc:
        return f"{name}: cannot read ({exc})"
    # a file without rows: an empty part with the schema (pandas cannot type empty object columns)
    table = (
        SCHEMA.empty_table() if df.empty else pa.Table.from_pandas(df, schema=SCHEMA, preserve_index=False)
    )
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, f".data_0.parquet.tmp{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, os.path.join(out, "data_0.parquet"))
    bad: dict[str, int] = {}
    lines: dict[str, list[int]] = {}
    if info["wrong column count"]:
        bad["wrong column count"] = len(info["wrong column count"])
        lines["wrong column count"] = info["wrong column count"][:5]
    for problem, n in df["problem"].value_counts().items():
        bad[str(problem)] = int(n)
    usable = df[df["problem"].isna() | (df["problem"] == "unknown country code")]["date"].dropna()
    return {
        "rows": len(df),
        "bad": dict(sorted(bad.items())),
        "bad_lines": lines,
        "encoding": info["encoding"],
        "min_date": None if usable.empty else min(usable).isoformat(),
        "max_date": None if usable.empty else max(usable).isoformat(),
    }


def _client(scheduler: str | None) -> Any:
    if scheduler in (None, "threads", "processes", "synchronous"):
        return None
    from dask.distributed import Client

    return Client(scheduler)


def run_dask(
    jobs: Sequence[tuple[str, Layout, str, str]], *, scheduler: str | None = None
) -> list[dict[str, Any] | str]:
    """Run :func:`ingest_unit` for every job as Dask tasks (a scheduler address, or local threads)."""
    import dask

    tasks = [dask.delayed(ingest_unit)(*job) for job in jobs]
    client = _client(scheduler)
    try:
        if client is not None:
            return list(client.gather(client.compute(tasks)))
        return list(dask.compute(*tasks, scheduler=scheduler or "threads"))
    finally:
        if client is not None:
            client.close()


def _trunc(dates: pd.Series, period: str) -> pd.Series:
    d = pd.to_datetime(dates)
    if period == "day":
        out = d
    elif period == "week":
        out = d - pd.to_timedelta(d.dt.day_of_week, unit="D")
    elif period == "month":
        out = d.dt.to_period("M").dt.start_time
    elif period == "quarter":
        out = d.dt.to_period("Q").dt.start_time
    else:
        out = d.dt.to_period("Y").dt.start_time
    return out.dt.date


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
    scheduler: str | None = None,
) -> tuple[pa.Table, pa.Table]:
    """The same sums and coverage as :func:`realpolitik.events.duck.aggregate`, with Dask dataframes."""
    import dask.dataframe as dd

    cols = ["date", "source", "target", "quad_class", "goldstein", "problem", "dataset", "mentions"]
    if not parts:
        empty = pa.table({"period_start": pa.array([], pa.date32())})
        return empty, empty
    ddf = dd.read_parquet([str(p) for p in parts], columns=cols)

    def prep(df: pd.DataFrame) -> pd.DataFrame:
        keep = (
            df["date"].notna()
            & df["quad_class"].notna()
            & (df["problem"].isna() | (df["problem"] == "unknown country code"))
        )
        if datasets:
            keep &= df["dataset"].isin(list(datasets))
        if start:
            keep &= pd.to_datetime(df["date"]) >= pd.Timestamp(start)
        if end:
            keep &= pd.to_datetime(df["date"]) <= pd.Timestamp(end)
        df = df[keep]
        cov = pd.DataFrame({"period_start": _trunc(df["date"], period)}).drop_duplicates()
        df = df[df["source"].notna() & df["target"].notna()]
        s, t = df["source"].astype(str), df["target"].astype(str)
        if not directed:
            s, t = pd.Series(np.minimum(s, t), index=df.index), pd.Series(np.maximum(s, t), index=df.index)
        w = (
            np.ones(len(df), dtype=np.int64)
            if weight is None
            else df[weight].fillna(1).astype(np.int64).to_numpy()
        )
        q = df["quad_class"].astype(np.int64).to_numpy()
        g = df["goldstein"].to_numpy(dtype=float)
        has_g = ~np.isnan(g)
        tenths = np.where(has_g, np.round(np.nan_to_num(g) * 10.0), 0).astype(np.int64)
        res = pd.DataFrame(
            {
                "period_start": _trunc(df["date"], period).to_numpy(),
                "source": s.to_numpy(),
                "target": t.to_numpy(),
                "events": w,
                **{f"q{k}": np.where(q == k, w, 0) for k in (1, 2, 3, 4)},
                "gold_tenths": w * tenths,
                "gold_weight": np.where(has_g, w, 0),
                "cov": False,
            }
        )
        if pairs is not None:
            want = pd.MultiIndex.from_tuples(list(pairs))
            res = res[pd.MultiIndex.from_arrays([res["source"], res["target"]]).isin(want)]
        cov = cov.assign(
            source="", target="", events=0, q1=0, q2=0, q3=0, q4=0, gold_tenths=0, gold_weight=0, cov=True
        )
        return pd.concat([res, cov[res.columns]], ignore_index=True)

    meta = pd.DataFrame(
        {
            "period_start": pd.Series([], dtype=object),
            "source": pd.Series([], dtype=object),
            "target": pd.Series([], dtype=object),
            **{
                k: pd.Series([], dtype=np.int64)
                for k in ("events", "q1", "q2", "q3", "q4", "gold_tenths", "gold_weight")
            },
            "cov": pd.Series([], dtype=bool),
        }
    )
    mapped = ddf.map_partitions(prep, meta=meta)
    import dask

    data = mapped[~mapped["cov"]].drop(columns="cov")
    sums_d = data.groupby(["period_start", "source", "target"]).sum()
    cov_d = mapped[mapped["cov"]]["period_start"].drop_duplicates()
    client = _client(scheduler)
    try:
        kw: dict[str, Any] = {} if client is not None else {"scheduler": scheduler or "threads"}
        sums, cov = dask.compute(sums_d, cov_d, **kw)
    finally:
        if client is not None:
            client.close()
    sums = sums.reset_index().sort_values(["source", "target", "period_start"])
    # quads with no events sum to 0 here and to NULL in SQL; the series code reads both as 0
    return (
        pa.Table.from_pandas(sums, preserve_index=False),
        pa.table({"period_start": pa.array(sorted(cov), pa.date32())}),
    )
