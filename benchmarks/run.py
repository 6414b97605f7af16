"""Run every benchmark and print one table per part.

    .venv/bin/python benchmarks/run.py            # everything (several minutes: SMP at 320 actors, 1M draws)
    .venv/bin/python benchmarks/run.py --quick    # the smaller sizes only
    .venv/bin/python benchmarks/run.py eum deals  # some parts
    .venv/bin/python benchmarks/run.py table      # every model on every reference case, and start-up

Each part's script can also run alone (``benchmarks/bench_<part>.py``). Targets are printed beside the
measurements; nothing here is a unit test.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = ("table", "small", "eum", "smp", "exchange", "deals", "uncertainty", "backtest", "input")


def _load(part: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{part}", HERE / f"bench_{part}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "(no rows)"
    cols: list[str] = []
    for r in rows:
        cols.extend(k for k in r if k not in cols)
    cells = [[_cell(r.get(c)) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join([line, sep, *body])


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    return str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description="realpolitik benchmarks")
    ap.add_argument("parts", nargs="*", help=f"parts to run, of {', '.join(PARTS)} (default: all)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes where a part supports it")
    args = ap.parse_args()
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        ap.error(f"unknown part {unknown[0]!r}; choose from {', '.join(PARTS)}")
    for part in args.parts or PARTS:
        mod = _load(part)
        t0 = time.perf_counter()
        kwargs: dict[str, Any] = {}
        if args.quick and part == "smp":
            kwargs["quick"] = True
        if args.quick and part == "backtest":
            kwargs.update(cases=200, repeats=1)
        if args.quick and part == "uncertainty":
            kwargs.update(scaling_draws=100_000, big_draws=200_000)
        rows = mod.rows(**kwargs)
        print(f"\n## {part}  ({time.perf_counter() - t0:.0f} s)\n")
        print(_table(rows))


if __name__ == "__main__":
    main()
