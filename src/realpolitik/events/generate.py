"""Synthetic event files in the exact formats of GDELT 1.0/2.0, ICEWS and POLECAT, for tests and demos.

**Not data.** The rows are drawn from a seeded model and say nothing about the world. They exist
because real event files cannot be shipped or downloaded here. One relation is planted so calibration
has something true to find: per month, the share of conflictual events of ``CHN→JPN`` is drawn first
(``x``); each ``JPN→RUS`` event of that month is cooperative with probability ``a + b·x``
(:data:`PLANTED`). Regressing Japan's cooperation share toward Russia on China's conflict share toward
Japan month by month estimates ``a`` and ``b`` without bias.

Other rows are background events among a dozen countries, plus some with empty or regional actors.
Fields the readers do not use (names, geography, URLs) are filled with plausible text marked
``SYNTHETIC``.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from realpolitik.events import tables

PLANTED_A, PLANTED_B = 0.3, 0.5
PLANTED: dict[str, object] = {
    "driver": ("CHN", "JPN", "conflict_share"),
    "response": ("JPN", "RUS", "cooperation_share"),
    "a": PLANTED_A,
    "b": PLANTED_B,
}
"""The planted relation: cooperation_share(JPN→RUS) = a + b · conflict_share(CHN→JPN), per month."""

BACKGROUND = ("USA", "CHN", "JPN", "RUS", "KOR", "PRK", "GBR", "FRA", "DEU", "IND", "UKR", "TUR")
ICEWS_NAMES = {
    "USA": "United States",
    "CHN": "China",
    "JPN": "Japan",
    "RUS": "Russian Federation",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "GBR": "United Kingdom",
    "FRA": "France",
    "DEU": "Germany",
    "IND": "India",
    "UKR": "Ukraine",
    "TUR": "Turkey",
}
PLOVER_BY_QUAD = {
    1: ("AGREE", "CONSULT", "SUPPORT", "CONCEDE"),
    2: ("COOPERATE", "AID", "RETREAT"),
    3: ("REQUEST", "ACCUSE", "REJECT", "SANCTION", "THREATEN"),
    4: ("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"),
}
QUAD_TEXT = {1: "VERBAL COOPERATION", 2: "MATERIAL COOPERATION", 3: "VERBAL CONFLICT", 4: "MATERIAL CONFLICT"}


@dataclass(frozen=True)
class Events:
    """Generated events as arrays (one entry per event)."""

    date: np.ndarray  # datetime64[D]
    source: np.ndarray  # ISO3 or "" (empty actor)
    target: np.ndarray
    code: np.ndarray  # CAMEO event code (str)
    quad: np.ndarray  # int

    def __len__(self) -> int:
        return len(self.date)


def _codes_by_quad() -> dict[int, np.ndarray]:
    codes = [c for c in tables.goldstein() if c != "106" or True]
    by: dict[int, list[str]] = {1: [], 2: [], 3: [], 4: []}
    for c in codes:
        q = tables.quad_class(c)
        if q:
            by[q].append(c)
    return {q: np.array(v) for q, v in by.items()}


def events(
    n: int,
    *,
    seed: int | np.random.Generator = 0,
    start: str = "2010-01-01",
    months: int = 96,
    planted_share: float = 0.5,
    a: float = PLANTED_A,
    b: float = PLANTED_B,
) -> Events:
    """``n`` events over ``months`` months from ``start``; ``planted_share`` of them in the two planted dyads."""
    rng = np.random.default_rng(seed)
    codes = _codes_by_quad()
    m0 = np.datetime64(start[:7], "M")
    month = np.arange(months) + m0
    n_plant = int(n * planted_share)
    n_cj = n_plant // 2
    n_jr = n_plant - n_cj
    # CHN→JPN: a slowly moving conflict propensity, then the realised conflict share per month
    walk = np.cumsum(rng.normal(0, 0.35, months))
    p = 0.5 + 0.3 * np.tanh(walk - walk.mean())
    m_cj = np.sort(rng.integers(0, months, n_cj))
    conf_cj = rng.random(n_cj) < p[m_cj]
    cnt = np.bincount(m_cj, minlength=months)
    x = np.bincount(m_cj, weights=conf_cj, minlength=months) / np.maximum(cnt, 1)
    m_jr = np.sort(rng.integers(0, months, n_jr))
    coop_jr = rng.random(n_jr) < np.clip(a + b * x[m_jr], 0, 1)
    m_bg = rng.integers(0, months, n - n_plant)
    m_all = np.concatenate([m_cj, m_jr, m_bg])
    src = np.concatenate([np.full(n_cj, "CHN"), np.full(n_jr, "JPN"), rng.choice(BACKGROUND, n - n_plant)])
    tgt = np.concatenate([np.full(n_cj, "JPN"), np.full(n_jr, "RUS"), rng.choice(BACKGROUND, n - n_plant)])
    same = src == tgt
    tgt[same] = "USA"
    tgt[same & (src == "USA")] = "CAN"
    # background: some empty actors (role-only actors have no country), as in real GDELT rows
    bg = np.arange(n_plant, n)
    empty = bg[rng.random(len(bg)) < 0.1]
    tgt[empty] = ""
    quad = np.empty(n, dtype=np.int64)
    quad[:n_cj] = np.where(conf_cj, rng.choice([3, 4], n_cj), rng.choice([1, 2], n_cj))
    quad[n_cj:n_plant] = np.where(coop_jr, rng.choice([1, 2], n_jr), rng.choice([3, 4], n_jr))
    quad[n_plant:] = rng.choice([1, 2, 3, 4], n - n_plant, p=[0.45, 0.15, 0.25, 0.15])
    code = np.empty(n, dtype=object)
    for q in (1, 2, 3, 4):
        sel = quad == q
        code[sel] = rng.choice(codes[q], int(sel.sum()))
    first = month[m_all].astype("datetime64[D]")
    last = (month[m_all] + 1).astype("datetime64[D]")
    day = first + (rng.random(n) * (last - first).astype(np.int64)).astype(np.int64)
    order = np.argsort(day, kind="stable")
    return Events(day[order], src[order], tgt[order], code[order].astype(str), quad[order])


def _col(n: int, value: str | None = None) -> pa.Array:
    return pa.nulls(n, pa.string()) if value is None else pa.array(np.full(n, value))


def gdelt_table(ev: Events, fields: int, *, id0: int = 100_000_000, added: str | None = None) -> pa.Table:
    """GDELT rows (57 or 58 fields: 1.0; 61: 2.0) for ``ev``, in GDELT's column order."""
    n = len(ev)
    ymd = np.datetime_as_string(ev.date, unit="D")
    sqldate = np.char.replace(ymd, "-", "")
    gold = tables.goldstein()
    g = np.array([gold[c] for c in ev.code])
    rng = np.random.default_rng(n)
    mentions = rng.integers(1, 30, n)
    cols: list[pa.Array] = [
        pa.array((id0 + np.arange(n)).astype(str)),
        pa.array(sqldate),
        pa.array(np.char.replace(np.char.rstrip(np.char.ljust(sqldate, 6)), "", "")).slice(0, n)
        if False
        else pa.array([s[:6] for s in sqldate]),
        pa.array([s[:4] for s in sqldate]),
        pa.array([f"{int(s[:4]) + (int(s[4:6]) * 30 + int(s[6:])) / 365:.4f}" for s in sqldate]),
    ]
    for who in (ev.source, ev.target):
        has = who != ""
        cols += [
            pa.array(np.where(has, np.char.add(who, "GOV"), ""), pa.string()),
            pa.array(np.where(has, np.char.add("SYNTHETIC ", who), ""), pa.string()),
            pa.array(who, pa.string()),
            *[_col(n) for _ in range(4)],
            pa.array(np.where(has, "GOV", ""), pa.string()),
            _col(n),
            _col(n),
        ]
    cols += [
        pa.array(rng.integers(0, 2, n).astype(str)),
        pa.array(ev.code),
        pa.array([c[:3] for c in ev.code]),
        pa.array([c[:2] for c in ev.code]),
        pa.array(ev.quad.astype(str)),
        pa.array([f"{v:.1f}" for v in g]) if n < 200_000 else pa.array(np.char.mod("%.1f", g)),
        pa.array(mentions.astype(str)),
        pa.array(np.maximum(1, mentions // 3).astype(str)),
        pa.array(mentions.astype(str)),
        pa.array(np.char.mod("%.4f", rng.normal(-1, 3, n))),
    ]
    adm2 = fields == 61
    for _geo in range(3):
        cols += [_col(n, "1"), _col(n, "Synthetic place"), _col(n, "JA"), _col(n, "JA40")]
        if adm2:
            cols.append(_col(n, "JA40"))
        cols += [_col(n, "35.685"), _col(n, "139.751"), _col(n, "-246227")]
    if adm2:
        cols.append(
            pa.array(np.char.add(np.char.add(sqldate, ""), "000000"))
            if added is None
            else _col(n, added + "000000")
        )
    else:
        cols.append(pa.array(sqldate) if added is None else _col(n, added))
    if fields in (58, 61):
        cols.append(_col(n, "https://example.org/synthetic"))
    t = pa.table({f"c{i}": c for i, c in enumerate(cols)})
    assert t.num_columns == fields, (t.num_columns, fields)
    return t


ICEWS_HEADER = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
)


def icews_table(ev: Events, *, id0: int = 1) -> pa.Table:
    n = len(ev)
    gold = tables.goldstein()
    desc = tables.event_descriptions()

    def names(who: np.ndarray) -> list[str]:
        return [ICEWS_NAMES.get(w, "") if w else "" for w in who]

    cols = {
        "Event ID": pa.array((id0 + np.arange(n)).astype(str)),
        "Event Date": pa.array(np.datetime_as_string(ev.date, unit="D")),
        "Source Name": pa.array([f"Synthetic ({c})" if c else "" for c in names(ev.source)]),
        "Source Sectors": _col(n, "Executive,Government"),
        "Source Country": pa.array(names(ev.source)),
        "Event Text": pa.array([desc.get(c, "").strip() for c in ev.code]),
        "CAMEO Code": pa.array(ev.code),
        "Intensity": pa.array([f"{gold[c]:.1f}" for c in ev.code]),
        "Target Name": pa.array([f"Synthetic ({c})" if c else "" for c in names(ev.target)]),
        "Target Sectors": _col(n, "Government"),
        "Target Country": pa.array(names(ev.target)),
        "Story ID": pa.array((10_000_000 + np.arange(n)).astype(str)),
        "Sentence Number": _col(n, "1"),
        "Publisher": _col(n, "Synthetic Wire"),
        "City": _col(n, "Tokyo"),
        "District": _col(n, "NA"),
        "Province": _col(n, "Tokyo"),
        "Country": _col(n, "Japan"),
        "Latitude": _col(n, "35.685"),
        "Longitude": _col(n, "139.751"),
    }
    return pa.table(cols)


POLECAT_HEADER = (
    "Event ID",
    "Event Date",
    "Event Type",
    "Event Mode",
    "Event Intensity",
    "Quad Code",
    "Actor Country",
    "Recipient Country",
    "Primary Actor Sector",
    "Primary Recipient Sector",
    "Country",
    "Latitude",
    "Longitude",
    "Publication Date",
)


def polecat_table(ev: Events, *, seed: int = 0) -> pa.Table:
    n = len(ev)
    rng = np.random.default_rng(seed)
    types = np.array([PLOVER_BY_QUAD[q][rng.integers(len(PLOVER_BY_QUAD[q]))] for q in ev.quad])
    ymd = np.datetime_as_string(ev.date, unit="D")
    cols = {
        "Event ID": pa.array([f"syn-{k}" for k in range(n)]),
        "Event Date": pa.array(ymd),
        "Event Type": pa.array(np.char.lower(types)),
        "Event Mode": _col(n),
        "Event Intensity": _col(n),
        "Quad Code": pa.array([QUAD_TEXT[q] for q in ev.quad]),
        "Actor Country": pa.array([s if s else "None" for s in ev.source]),
        "Recipient Country": pa.array([t if t else "None" for t in ev.target]),
        "Primary Actor Sector": _col(n, "GOV"),
        "Primary Recipient Sector": _col(n, "GOV"),
        "Country": _col(n, "JPN"),
        "Latitude": _col(n, "35.685"),
        "Longitude": _col(n, "139.751"),
        "Publication Date": pa.array(ymd),
    }
    return pa.table(cols)


def write_table(
    table: pa.Table, path: Path, *, header: bool = False, compression: str = "none", encoding: str = "utf-8"
) -> Path:
    """Write tab-separated rows, no quoting; ``compression`` none, gzip or zip (one member)."""
    buf = io.BytesIO()
    if header:
        buf.write(("\t".join(table.column_names) + "\n").encode(encoding))
    body = io.BytesIO()
    pacsv.write_csv(
        table, body, pacsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    )
    data = body.getvalue()
    if encoding != "utf-8":
        data = data.decode("utf-8").encode(encoding)
    buf.write(data)
    raw = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    if compression == "gzip":
        out = path.with_name(path.name + ".gz")
        out.write_bytes(gzip.compress(raw, 6, mtime=0))
    elif compression == "zip":
        out = path.with_name(path.name + ".zip")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            zi = zipfile.ZipInfo(path.name, (2016, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, raw)
    else:
        out = path
        out.write_bytes(raw)
    return out


def write_demo(
    out: str | Path,
    *,
    seed: int = 0,
    rows: int = 6000,
    months: int = 96,
    start: str = "2009-01-01",
    formats: tuple[str, ...] = ("gdelt1", "gdelt2", "icews", "polecat"),
    compression: str = "zip",
) -> list[Path]:
    """Files of every format into ``out``: ``rows`` events per format split into yearly files.

    GDELT 1.0 files before 2013-04 have 57 fields (backfile), later ones 58 (daily); GDELT 2.0 files 61.
    ICEWS and POLECAT files have their header rows. Returns the paths written.
    """
    root = Path(out)
    ss = np.random.SeedSequence(seed if isinstance(seed, int) else 0)
    written: list[Path] = []
    for fmt, child in zip(formats, ss.spawn(len(formats)), strict=False):
        ev = events(rows, seed=np.random.default_rng(child), start=start, months=months)
        years = ev.date.astype("datetime64[Y]").astype(int) + 1970
        for y in np.unique(years):
            sel = years == y
            part = Events(ev.date[sel], ev.source[sel], ev.target[sel], ev.code[sel], ev.quad[sel])
            if fmt == "gdelt1":
                fields = 57 if y < 2013 else 58
                name = f"{y}.csv" if fields == 57 else f"{y}0101.export.CSV"
                written.append(
                    write_table(gdelt_table(part, fields), root / "gdelt1" / name, compression=compression)
                )
            elif fmt == "gdelt2":
                written.append(
                    write_table(
                        gdelt_table(part, 61),
                        root / "gdelt2" / f"{y}0101000000.export.CSV",
                        compression=compression,
                    )
                )
            elif fmt == "icews":
                written.append(
                    write_table(
                        icews_table(part),
                        root / "icews" / f"events.{y}.synthetic.tab",
                        header=True,
                        compression=compression,
                    )
                )
            elif fmt == "polecat":
                written.append(
                    write_table(
                        polecat_table(part),
                        root / "polecat" / f"ngecEvents.{y}.synthetic.txt",
                        header=True,
                        compression=compression,
                    )
                )
            else:
                raise ValueError(f"unknown format {fmt!r}")
    return written
