"""The Monte Carlo P(agreement) probe: the per-draw loop against the draws judged together, side by side.

    .venv/bin/python benchmarks/bench_probe.py
    .venv/bin/python benchmarks/bench_probe.py --before /path/to/another/checkout/src --analyze

For every built-in scenario with something to sign, the draws its Monte Carlo makes in ``analyze``
(its own uncertainty, seed 0, chunk 0: 2,000 draws by default) and the deal probe over them:

- ``per draw``: ``deals.deal_exists_per_draw``, the loop (a ``DealProblem`` built and checked per draw);
- ``batched``: ``deals.deal_exists`` (the structure built once, every draw judged together);
- ``before`` (with ``--before SRC``): ``deal_exists`` of another checkout's ``realpolitik`` (its ``src``
  folder) loaded into this process, e.g. the code before the batched probe.

Every variant is called once per sample, in turns (reversed every other sample), so all see the same
load on a shared machine; CPU seconds of this thread (``time.thread_time``), median and minimum of
``--samples``. Their flags are checked identical before timing. ``--analyze`` also times whole
``realpolitik analyze japan-russia-2016`` processes (CPU seconds of the child: user + system), this
checkout against ``--before``'s, alternating, and checks that their ``analysis.json`` files are equal
byte for byte. Nothing here is a unit test; ``rows()`` returns the table.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import realpolitik as rp
from realpolitik.deals.analysis import deal_exists_per_draw
from realpolitik.forecast import scenario_problem
from realpolitik.models.problem import BargainingProblem
from realpolitik.scenario import builtin_ids
from realpolitik.uncertainty import apply, chunk_seeds, draw, sampling_spec
from realpolitik.uncertainty.runner import _child

deal_exists = importlib.import_module("realpolitik.deals").deal_exists
HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def analyze_draws(scenario: rp.Scenario, draws: int, seed: int = 0) -> BargainingProblem:
    """The batch ``monte_carlo`` probes in chunk 0 of a run with this seed (one chunk up to 10,000)."""
    spec = sampling_spec(scenario, scenario_problem(scenario))
    values = draw(spec, draws, np.random.default_rng(_child(chunk_seeds(seed, 1)[0], 0)))
    return apply(spec, values)


def load_other(src: str) -> Callable[..., Any]:
    """``deal_exists`` of the ``realpolitik`` package in the folder ``src``, loaded beside this checkout's."""
    ours = {k: v for k, v in sys.modules.items() if k == "realpolitik" or k.startswith("realpolitik.")}
    for k in ours:
        del sys.modules[k]
    sys.path.insert(0, src)
    try:
        fn = importlib.import_module("realpolitik.deals").deal_exists
    finally:
        sys.path.remove(src)
        for k in [k for k in sys.modules if k == "realpolitik" or k.startswith("realpolitik.")]:
            del sys.modules[k]
        sys.modules.update(ours)
    return fn  # type: ignore[no-any-return]


def _time(fns: dict[str, Callable[[], Any]], samples: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in fns}
    order = list(fns)
    for i in range(samples):
        for key in order if i % 2 == 0 else order[::-1]:
            t0 = time.thread_time()
            fns[key]()
            times[key].append(time.thread_time() - t0)
    return times


def rows(draws: int = 2000, samples: int = 15, before: str | None = None) -> list[dict[str, Any]]:
    """One row per built-in scenario with consent issues: median (min) CPU seconds of each variant."""
    other = load_other(before) if before else None
    out: list[dict[str, Any]] = []
    for sid in builtin_ids():
        s = rp.load(sid)
        problem = analyze_draws(s, draws)
        try:
            ref = deal_exists_per_draw(s, problem)
        except ValueError as exc:  # nothing to sign: no probe
            print(f"  {sid}: skipped ({str(exc).split(';')[0]})", file=sys.stderr)
            continue
        fns: dict[str, Callable[[], Any]] = {
            "per_draw": lambda s=s, p=problem: deal_exists_per_draw(s, p),
            "batched": lambda s=s, p=problem: deal_exists(s, p),
        }
        if other is not None:
            fns["before"] = lambda s=s, p=problem: other(s, p)
        for key, fn in fns.items():
            if not np.array_equal(np.asarray(fn()), ref):
                raise SystemExit(f"bench_probe: {key} flags differ from the per-draw loop on {sid}")
        times = _time(fns, samples)
        row: dict[str, Any] = {"scenario": sid, "draws": draws, "p_deal": float(np.mean(ref))}
        for key, ts in times.items():
            row[f"{key}_s"] = statistics.median(ts)
            row[f"{key}_min_s"] = min(ts)
        row["speedup"] = row["per_draw_s"] / row["batched_s"]
        if other is not None:
            row["speedup_before"] = row["before_s"] / row["batched_s"]
        out.append(row)
    return out


def _analyze_cpu(src: Path, out_dir: Path) -> float:
    """CPU seconds (user + system) of one ``realpolitik analyze japan-russia-2016`` process on ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "realpolitik.cli", "analyze", "japan-russia-2016", "--out-dir", str(out_dir)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def analyze_rows(before: str, runs: int = 5) -> list[dict[str, Any]]:
    """Whole ``analyze`` processes, this checkout and ``before``'s in turns: median CPU seconds."""
    srcs = {"now": SRC, "before": Path(before)}
    times: dict[str, list[float]] = {k: [] for k in srcs}
    jsons: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "analysis"  # the same folder each time: the command line is in the JSON
        order = list(srcs)
        for i in range(runs):
            for key in order if i % 2 == 0 else order[::-1]:
                times[key].append(_analyze_cpu(srcs[key], out))
                jsons[key] = (out / "analysis.json").read_bytes()
                for f in out.iterdir():
                    f.unlink()
                out.rmdir()
    return [
        {
            "analyze japan-russia-2016": key,
            "cpu_s": statistics.median(ts),
            "min_s": min(ts),
            "analysis.json": "identical" if jsons[key] == jsons["now"] else "DIFFERS",
        }
        for key, ts in times.items()
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--samples", type=int, default=15)
    ap.add_argument("--before", help="another checkout's src folder, timed side by side")
    ap.add_argument("--analyze", action="store_true", help="also time whole analyze runs (needs --before)")
    ap.add_argument("--runs", type=int, default=5, help="analyze runs per checkout")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args()
    table = rows(args.draws, args.samples, args.before)
    extra = analyze_rows(args.before, args.runs) if args.analyze and args.before else []
    if args.json:
        print(json.dumps({"probe": table, "analyze": extra}, indent=1))
        return
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; deal probe over each scenario's "
        f"analyze draws; CPU ms of this thread, median of {args.samples} (min)"
    )
    head = f"{'scenario':26}{'draws':>6}{'P(deal)':>8}{'per draw':>17}{'batched':>15}{'speedup':>9}"
    print(head + (f"{'before':>17}{'speedup':>9}" if args.before else ""))
    for r in table:
        line = (
            f"{r['scenario']:26}{r['draws']:>6}{r['p_deal']:8.3f}"
            f"{r['per_draw_s'] * 1e3:9.1f} ({r['per_draw_min_s'] * 1e3:5.1f})"
            f"{r['batched_s'] * 1e3:7.1f} ({r['batched_min_s'] * 1e3:5.1f})"
            f"{r['speedup']:8.1f}x"
        )
        if args.before:
            line += f"{r['before_s'] * 1e3:9.1f} ({r['before_min_s'] * 1e3:5.1f}){r['speedup_before']:8.1f}x"
        print(line)
    if extra:
        print(f"\nwhole analyze japan-russia-2016, CPU s of the process (user + sys), median of {args.runs}:")
        for r in extra:
            print(f"  {r['analyze japan-russia-2016']:7}{r['cpu_s']:7.2f} s (min {r['min_s']:.2f})  "
                  f"analysis.json {r['analysis.json']}")  # fmt: skip


if __name__ == "__main__":
    main()
