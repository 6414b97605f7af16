"""Event data at scale: ingest + monthly dyads over generated GDELT 1.0 files, side by side with DuckDB's raw
scan of the same files and two pandas scripts; CPU seconds, peak memory and the machine's load with each.

Usage: python benchmarks/bench_events.py [--rows 10000000] [--files 40] [--dir /tmp/rp-events-bench]
                                         [--repeat 3] [--only scan_count,realpolitik,...] [--before SRC]

The files (58-field GDELT 1.0 daily format, tab-separated, plain text) are generated once into --dir
(not the repository) and reused. Every measurement runs in its own process (fresh Python, fresh DuckDB);
the OS page cache is warm for all of them alike (the files are read once before timing). The contenders
run in turn, ``--repeat`` rounds, the order rotated each round, so a change in the machine's load hits
them alike; the table gives medians, and the ratios are medians of the ratios within each round.
``--before SRC`` adds the realpolitik at another source tree (e.g. an export of an older commit's
``src``) as one more contender.

Contenders:

- ``scan_count``: DuckDB ``count(*)`` over ``read_csv`` of the files (every field as text): the raw scan.
- ``scan_used``: DuckDB's scan of the 7 fields ingest uses (max of each, so each is read).
- ``realpolitik``: ``ingest`` into a new store (hash, detect, normalise, bad rows, Parquet) + monthly
  dyads over every dyad.
- ``pandas``: a straightforward pandas script as a reasonable analyst writes it: ``read_csv`` of each
  file with the 5 columns needed (``usecols``; codes as text, no quoting, as GDELT needs), CAMEO→ISO
  map, date parse, code check, group-by month × dyad × quad class. Single-threaded, as pandas is.
- ``pandas_all``: the same reading every column as text (what a first script, or gdeltPyR, does).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

USED = {1: "date", 7: "a1", 17: "a2", 26: "code", 29: "quad"}
KINDS = ("scan_count", "scan_used", "realpolitik", "before", "pandas", "pandas_all")
LABELS = {
    "scan_count": "DuckDB raw scan, `count(*)`",
    "scan_used": "DuckDB raw scan of the 7 fields ingest reads",
    "realpolitik": "**realpolitik ingest + monthly dyads**",
    "before": "realpolitik ingest + monthly dyads, before",
    "pandas": "pandas: `read_csv(usecols=5 columns)`, map, group-by",
    "pandas_all": "pandas: `read_csv` of all 58 columns as text, map, group-by",
}


def generate(root: Path, rows: int, files: int, seed: int = 0) -> list[Path]:
    import numpy as np

    from realpolitik.events.generate import Events, events, gdelt_table, write_table

    root.mkdir(parents=True, exist_ok=True)
    done = sorted(root.glob("*.export.CSV"))
    if len(done) == files and (root / "rows.txt").is_file() and int((root / "rows.txt").read_text()) == rows:
        return done
    for p in done:
        p.unlink()
    ev = events(rows, seed=seed, start="2013-04-01", months=120, planted_share=0.2)
    per = -(-rows // files)
    out = []
    for k in range(files):
        sl = slice(k * per, min(rows, (k + 1) * per))
        part = Events(ev.date[sl], ev.source[sl], ev.target[sl], ev.code[sl], ev.quad[sl])
        d = str(np.datetime_as_string(part.date[-1], unit="D")).replace("-", "")
        out.append(write_table(gdelt_table(part, 58, id0=k * per), root / f"{d}{k:03d}.export.CSV"))
    (root / "rows.txt").write_text(str(rows))
    return sorted(out)


def _duck_scan(files: list[str], select: str) -> int:
    import duckdb

    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(58)) + "}"
    con = duckdb.connect()
    return con.sql(
        f"SELECT {select} FROM read_csv({files!r}, delim='\\t', header=false, quote='', escape='', "
        f"columns={cols}, auto_detect=false)"
    ).fetchall()[0][0]


def _pandas(files: list[str], all_columns: bool) -> tuple[int, int]:
    import pandas as pd

    from realpolitik.events import tables

    cmap = tables.country_map()
    parts = []
    n = 0
    for f in files:
        kw = {} if all_columns else {"usecols": list(USED), "names": range(58)}
        df = pd.read_csv(
            f, sep="\t", header=None, dtype=str, quoting=csv.QUOTE_NONE, keep_default_na=False, **kw
        )
        if all_columns:
            df = df[list(USED)]
        n += len(df)
        df.columns = [USED[c] for c in df.columns]
        df["date"] = pd.to_datetime(df["date"], format="%Y%m%d", errors="coerce")
        df["source"] = df["a1"].map(cmap)
        df["target"] = df["a2"].map(cmap)
        ok = (
            df["date"].notna()
            & df["code"].str.fullmatch(r"[0-9]{2,4}")
            & df["source"].notna()
            & df["target"].notna()
        )
        df = df[ok]
        df["month"] = df["date"].dt.to_period("M")
        parts.append(df.groupby(["month", "source", "target", "quad"]).size())
    total = pd.concat(parts).groupby(level=[0, 1, 2, 3]).sum().unstack("quad", fill_value=0)
    return n, len(total)


def _child(kind: str, files: list[str], store: str) -> dict:
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    out: dict = {"kind": kind}
    if kind == "scan_count":
        n = _duck_scan(files, "count(*)")
    elif kind == "scan_used":
        n = _duck_scan(files, "count(*), " + ", ".join(f"max(c{i})" for i in (1, 7, 17, 26, 29, 31, 32)))
    elif kind in ("realpolitik", "before"):
        from realpolitik.events.series import dyads
        from realpolitik.events.store import ingest

        shutil.rmtree(store, ignore_errors=True)
        rep = ingest(files, store)
        out["ingest_s"] = time.perf_counter() - t0
        ds = dyads(store, period="month")
        n = sum(r.rows for r in rep.read)
        out["dyad_rows"] = len(ds.rows)
        assert not rep.errors and n > 0
    elif kind in ("pandas", "pandas_all"):
        n, out["dyad_rows"] = _pandas(files, kind == "pandas_all")
    else:
        raise SystemExit(f"unknown contender {kind}")
    out["seconds"] = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_SELF)
    # this process's own peak (ru_maxrss would also count the parent's peak, inherited across exec)
    hwm = next(ln for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("VmHWM:"))
    out.update(
        rows=int(n),
        cpu_s=ru.ru_utime + ru.ru_stime,
        peak_rss_mib=int(hwm.split()[1]) / 1024,
        load=(load0 + os.getloadavg()[0]) / 2,
    )
    return out


def _run(kind: str, a: argparse.Namespace, lst: Path) -> dict:
    env = dict(os.environ)
    if kind == "before":
        env["PYTHONPATH"] = a.before
    out = subprocess.run(
        [sys.executable, __file__, "--dir", a.dir, "--child", kind, str(lst)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--dir", default="/tmp/rp-events-bench")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="scan_count,scan_used,realpolitik,pandas,pandas_all")
    ap.add_argument("--before", help="a source tree (the folder holding realpolitik/) to time as 'before'")
    ap.add_argument("--child", nargs=2)
    a = ap.parse_args()
    if a.child:
        files = json.loads(Path(a.child[1]).read_text())
        print(json.dumps(_child(a.child[0], files, a.dir + "-store")))
        return
    kinds = [k for k in a.only.split(",") if k]
    if a.before and "before" not in kinds:
        kinds.insert(kinds.index("realpolitik") + 1 if "realpolitik" in kinds else len(kinds), "before")
    bad = [k for k in kinds if k not in KINDS]
    if bad or ("before" in kinds and not a.before):
        raise SystemExit(f"unknown contenders {bad} (or 'before' without --before); choose from {KINDS}")
    root = Path(a.dir)
    t = time.perf_counter()
    files = generate(root, a.rows, a.files)
    size = sum(p.stat().st_size for p in files)
    print(
        f"{a.rows:,} rows in {len(files)} files, {size / 2**30:.2f} GiB "
        f"(generated/reused in {time.perf_counter() - t:.0f} s); {os.cpu_count()} cores"
    )
    lst = root / "files.json"
    lst.write_text(json.dumps([str(p) for p in files]))
    for p in files:  # warm the page cache for every contender alike
        with p.open("rb") as fh:
            while fh.read(1 << 24):
                pass
    runs: dict[str, list[dict]] = {k: [] for k in kinds}
    for r in range(a.repeat):
        order = kinds[r % len(kinds) :] + kinds[: r % len(kinds)]
        for kind in order:
            res = _run(kind, a, lst)
            runs[kind].append(res)
            print(json.dumps({"round": r + 1, **res}), flush=True)
    shutil.rmtree(a.dir + "-store", ignore_errors=True)

    def med(kind: str, key: str) -> float:
        return statistics.median(x[key] for x in runs[kind])

    def ratio(num: str, den: str) -> float:
        """Median over rounds of seconds(num) / seconds(den) (both measured in the same round)."""
        return statistics.median(
            x["seconds"] / y["seconds"] for x, y in zip(runs[num], runs[den], strict=True)
        )

    print()
    print(f"medians of {a.repeat} rounds; load = the 1-minute load average during the run (2 cores)")
    print()
    print("| step | wall s (min–max) | CPU s | M rows/s | peak MiB | load |")
    print("|---|---:|---:|---:|---:|---:|")
    for k in kinds:
        w = [x["seconds"] for x in runs[k]]
        rate = med(k, "rows") / med(k, "seconds") / 1e6
        print(
            f"| {LABELS[k]} | {statistics.median(w):.1f} ({min(w):.1f}–{max(w):.1f}) | {med(k, 'cpu_s'):.1f} | "
            f"{rate:.2f} | {max(x['peak_rss_mib'] for x in runs[k]):.0f} | {med(k, 'load'):.1f} |"
        )
    print()
    for k in ("realpolitik", "before"):
        if k in runs:
            ing = med(k, "ingest_s")
            print(
                f"{k}: ingest {ing:.1f} s + dyads {med(k, 'seconds') - ing:.1f} s; {runs[k][0]['dyad_rows']} dyad-months"
            )
    if "realpolitik" in runs:
        for den, what in (
            ("scan_count", "DuckDB count(*) scan rate (target >= 50%)"),
            ("scan_used", "DuckDB used-fields scan rate"),
        ):
            if den in runs:
                print(f"realpolitik rate / {what}: {ratio(den, 'realpolitik'):.0%}")
        for num, what in (
            ("pandas", "the pandas script (target >= 10x)"),
            ("pandas_all", "the all-columns pandas script"),
            ("before", "before"),
        ):
            if num in runs:
                print(f"realpolitik vs {what}: {ratio(num, 'realpolitik'):.2f}x faster")
        if "pandas" in runs and "scan_count" in runs:
            print(f"DuckDB count(*) scan vs the pandas script: {ratio('pandas', 'scan_count'):.2f}x faster")
        print(
            f"peak memory realpolitik: {max(x['peak_rss_mib'] for x in runs['realpolitik']):.0f} MiB (target < 2048)"
        )


if __name__ == "__main__":
    main()
