"""Event data at scale: ingest + monthly dyads over generated GDELT 1.0 files, against DuckDB's raw scan
of the same files and a straightforward pandas implementation; peak memory of the pipeline.

Usage: python benchmarks/bench_events.py [--rows 10000000] [--files 40] [--dir /tmp/rp-events-bench]

The files (58-field GDELT 1.0 daily format, tab-separated, plain text) are generated once into --dir
(not the repository) and reused. Each measurement runs in its own process (fresh caches of Python
objects; the OS page cache is warm for all of them alike: the files are read once before timing).
Run it once or twice; the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

USED = {1: "date", 7: "a1", 17: "a2", 26: "code", 29: "quad"}


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


def _child(kind: str, files: list[str], tmp: str) -> dict:
    t0 = time.perf_counter()
    if kind == "scan_count":
        import duckdb

        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(58)) + "}"
        con = duckdb.connect()
        n = con.sql(
            f"SELECT count(*) FROM read_csv({files!r}, delim='\\t', header=false, quote='', escape='', "
            f"columns={cols}, auto_detect=false)"
        ).fetchall()[0][0]
    elif kind == "scan_used":
        import duckdb

        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(58)) + "}"
        used = ", ".join(f"max(c{i})" for i in USED)
        con = duckdb.connect()
        n = con.sql(
            f"SELECT count(*), {used} FROM read_csv({files!r}, delim='\\t', header=false, quote='', escape='', "
            f"columns={cols}, auto_detect=false)"
        ).fetchall()[0][0]
    elif kind == "realpolitik":
        from realpolitik.events.series import dyads
        from realpolitik.events.store import ingest

        shutil.rmtree(tmp, ignore_errors=True)
        rep = ingest(files, tmp)
        t_ingest = time.perf_counter() - t0
        ds = dyads(tmp, period="month")
        n = sum(r.rows for r in rep.read)
        res = {"ingest_s": t_ingest, "dyad_rows": len(ds.rows)}
    elif kind in ("pandas", "pandas_usecols"):
        import pandas as pd

        from realpolitik.events import tables

        cmap = tables.country_map()
        parts = []
        n = 0
        for f in files:
            if kind == "pandas":  # every column as text, as a first script (and gdeltPyR) reads GDELT
                df = pd.read_csv(
                    f, sep="\t", header=None, dtype=str, quoting=csv.QUOTE_NONE, keep_default_na=False
                )
                df = df[list(USED)]
            else:  # tuned: only the columns used
                df = pd.read_csv(
                    f,
                    sep="\t",
                    header=None,
                    dtype=str,
                    quoting=csv.QUOTE_NONE,
                    keep_default_na=False,
                    usecols=list(USED),
                    names=range(58),
                )
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
        res = {"dyad_rows": len(total)}
    else:
        raise SystemExit(kind)
    dt = time.perf_counter() - t0
    out = {"kind": kind, "rows": int(n), "seconds": dt}
    if kind in ("realpolitik", "pandas", "pandas_usecols"):
        out.update(res)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--files", type=int, default=40)
    ap.add_argument("--dir", default="/tmp/rp-events-bench")
    ap.add_argument("--child", nargs=2)
    a = ap.parse_args()
    if a.child:
        files = json.loads(Path(a.child[1]).read_text())
        print(json.dumps(_child(a.child[0], files, a.dir + "-store")))
        return
    root = Path(a.dir)
    t = time.perf_counter()
    files = generate(root, a.rows, a.files)
    size = sum(p.stat().st_size for p in files)
    print(
        f"{a.rows:,} rows in {len(files)} files, {size / 2**30:.2f} GiB (generated/reused in {time.perf_counter() - t:.0f} s)"
    )
    lst = root / "files.json"
    lst.write_text(json.dumps([str(p) for p in files]))
    for p in files:  # warm the page cache for every contender alike
        with p.open("rb") as fh:
            while fh.read(1 << 24):
                pass
    res = {}
    for kind in ("scan_count", "scan_used", "realpolitik", "pandas", "pandas_usecols"):
        out = subprocess.run(
            [sys.executable, __file__, "--dir", a.dir, "--child", kind, str(lst)],
            capture_output=True,
            text=True,
            check=True,
        )
        res[kind] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(res[kind]))
    rp = res["realpolitik"]
    rate = lambda r: r["rows"] / r["seconds"] / 1e6  # noqa: E731
    print()
    print("| step | seconds | M rows/s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for k, label in (
        ("scan_count", "DuckDB raw scan, count(*)"),
        ("scan_used", "DuckDB raw scan, the 5 used columns"),
        ("realpolitik", "realpolitik ingest + monthly dyads"),
        ("pandas", "pandas: read_csv (all columns as text), map, groupby"),
        ("pandas_usecols", "pandas tuned: read_csv(usecols=5 columns), map, groupby"),
    ):
        r = res[k]
        print(f"| {label} | {r['seconds']:.1f} | {rate(r):.2f} | {r['peak_rss_mib']:.0f} |")
    print()
    print(
        f"ingest {rp['ingest_s']:.1f} s + dyads {rp['seconds'] - rp['ingest_s']:.1f} s; {rp['dyad_rows']} dyad-months"
    )
    print(
        f"realpolitik / DuckDB count(*) scan rate: {rate(rp) / rate(res['scan_count']):.0%} (target >= 50%)"
    )
    print(f"realpolitik / DuckDB used-columns scan rate: {rate(rp) / rate(res['scan_used']):.0%}")
    print(f"realpolitik vs pandas: {res['pandas']['seconds'] / rp['seconds']:.1f}x faster (target >= 10x)")
    print(f"realpolitik vs tuned pandas: {res['pandas_usecols']['seconds'] / rp['seconds']:.1f}x faster")
    print(f"peak memory realpolitik: {rp['peak_rss_mib']:.0f} MiB (target < 2048)")


if __name__ == "__main__":
    main()
