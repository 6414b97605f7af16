"""Single small runs: the per-run overhead that sweeps and backtests pay (issue 13, item 3).

    .venv/bin/python benchmarks/bench_small.py
    .venv/bin/python benchmarks/bench_small.py --before /path/to/another/checkout/src

Cases: ``smp`` on KTAB's dummyData_3Dim (7 x 3, 10 steps) and SOE-Pol-Comp (13 x 2) and on seeded random
5 x 1 and 10 x 2 spatial problems; ``eum`` on the EC car-emission case (10 x 1; eight fixed rounds and the
default stop rule) and on seeded random 5- and 10-actor problems; ``exchange`` (exact, fast, float) on
decide's two_by_two case and on seeded decide-style 6 x 3 and 10 x 2 problems. Targets: under 0.5 ms per
run on 5-10 actors; dummyData_3Dim at least 80 times faster than KTAB's recorded 0.048 s.

Times are CPU seconds of this thread per run (``time.thread_time``): ``--samples`` samples of at least
20 ms each, median and minimum. With ``--before`` another checkout's ``realpolitik`` (its ``src`` folder)
is loaded into the same process as well; the two take turns in every sample, so both see the same load
on a shared machine, and their results are checked to be identical. (Both run on problems built by this
checkout's ``BargainingProblem``.) ``rows()`` returns the table for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik._native import status as native_status

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_eum import ec_problem  # noqa: E402
from bench_eum import random_problem as eum_random  # noqa: E402
from bench_smp import random_problem as smp_random  # noqa: E402
from bench_smp import read_ktab_csv  # noqa: E402

import realpolitik.models.eum  # noqa: E402
import realpolitik.models.exchange  # noqa: E402
import realpolitik.models.smp  # noqa: E402,F401
from realpolitik.models import BargainingProblem  # noqa: E402
from realpolitik.scenario.decide_format import decide_to_problem, parse_decide  # noqa: E402

TARGET_S = 0.5e-3
KTAB_DUMMY_S = 0.048  # KTAB's recorded whole run of dummyData_3Dim (expected.json)
EUM_EC_S = 2.339  # the second EUM implementation's recorded 8-round EC run (expected.json)
KTAB_SOE_S = 0.35


def _shared() -> Path | None:
    d = HERE.parents[1] / "shared"
    return d if (d / "reference").is_dir() else None


def decide_problem(n: int, d: int, seed: int) -> BargainingProblem:
    """A seeded decide-style problem: positions 0-100 in steps of 5, saliences 0.1-1, powers 0.01-0.3."""
    rng = np.random.default_rng(seed)
    actors, issues = [f"A{i}" for i in range(n)], [f"I{j}" for j in range(d)]
    lines = [f"'#A'\t'{a}'\t'{a}'\t''" for a in actors]
    for iss in issues:
        lines += [f"'#P'\t'{iss}'\t'{iss}'\t''", f"'#M'\t'{iss}'\t0", f"'#M'\t'{iss}'\t100"]
    power = np.round(rng.uniform(0.01, 0.3, n), 3)
    for i, a in enumerate(actors):
        for iss in issues:
            pos, sal = float(rng.integers(0, 21) * 5), float(rng.integers(1, 11)) / 10
            lines.append(f"'#D'\t'{a}'\t'{iss}'\t{pos:.1f}\t{sal:.1f}\t{power[i]}")
    return decide_to_problem(parse_decide("\n".join(lines) + "\n", f"generated_{n}x{d}.csv"))


def cases() -> list[tuple[str, str, str, BargainingProblem, dict[str, Any], float | None]]:
    """(case, module, function, problem, parameters, reference seconds)."""
    out: list[tuple[str, str, str, BargainingProblem, dict[str, Any], float | None]] = []
    shared = _shared()
    if shared is not None:
        ktab = shared / "reference" / "ktab"
        out.append(
            (
                "dummyData_3Dim",
                "smp",
                "run_smp",
                read_ktab_csv(ktab / "dummyData_3Dim/input.csv"),
                {},
                KTAB_DUMMY_S,
            )
        )
        out.append(
            ("SOE-Pol-Comp", "smp", "run_smp", read_ktab_csv(ktab / "SOE-Pol-Comp/input.csv"), {}, KTAB_SOE_S)
        )
    out.append(("random 5x1", "smp", "run_smp", smp_random(5, 1, 3), {}, None))
    out.append(("random 10x2", "smp", "run_smp", smp_random(10, 2, 4), {}, None))
    out.append(("EC emissions, 8 rounds", "eum", "run_eum", ec_problem(), {"stop": "fixed"}, EUM_EC_S))
    out.append(("EC emissions, converge", "eum", "run_eum", ec_problem(), {}, None))
    for n in (5, 10):
        out.append((f"random {n}x1, 8 rounds", "eum", "run_eum", eum_random(n, 1), {"stop": "fixed"}, None))
        out.append((f"random {n}x1, converge", "eum", "run_eum", eum_random(n, 1), {}, None))
    exch: list[tuple[str, BargainingProblem]] = []
    if shared is not None:
        text = (shared / "reference/exchange/two_by_two/input.csv").read_text()
        exch.append(("two_by_two", decide_to_problem(parse_decide(text, "two_by_two.csv"))))
    exch += [("generated 6x3", decide_problem(6, 3, 1)), ("generated 10x2", decide_problem(10, 2, 2))]
    for label, prob in exch:
        for mode in ("exact", "fast", "float"):
            out.append((f"{label}, {mode}", "exchange", "run_exchange", prob, {"arithmetic": mode}, None))
    return out


def load_other(src: str) -> dict[str, Any]:
    """The models of the ``realpolitik`` package in the folder ``src``, loaded beside this checkout's."""
    ours = {k: v for k, v in sys.modules.items() if k == "realpolitik" or k.startswith("realpolitik.")}
    for k in ours:
        del sys.modules[k]
    sys.path.insert(0, src)
    try:
        import realpolitik.models.eum
        import realpolitik.models.exchange
        import realpolitik.models.smp  # noqa: F401

        other = {k: v for k, v in sys.modules.items() if k == "realpolitik" or k.startswith("realpolitik.")}
    finally:
        sys.path.remove(src)
        for k in [k for k in sys.modules if k == "realpolitik" or k.startswith("realpolitik.")]:
            del sys.modules[k]
        sys.modules.update(ours)
    return other


def _same(a: Any, b: Any) -> bool:
    return bool(
        np.array_equal(a.positions, b.positions, equal_nan=True)
        and np.array_equal(a.outcome, b.outcome, equal_nan=True)
    )


def rows(samples: int = 30, before: str | None = None) -> list[dict[str, Any]]:
    """One row per case: median and minimum CPU seconds per run (and the other checkout's, if given)."""
    other = load_other(before) if before else None
    out: list[dict[str, Any]] = []
    for case, mod, fn, prob, kw, ref in cases():
        ours: Callable[..., Any] = getattr(sys.modules[f"realpolitik.models.{mod}"], fn)
        fns: dict[str, Callable[..., Any]] = {"now": ours}
        if other is not None:
            fns["before"] = getattr(other[f"realpolitik.models.{mod}"], fn)
            if not _same(ours(prob, **kw), fns["before"](prob, **kw)):
                raise SystemExit(f"bench_small: results differ on {mod} {case}")
        times: dict[str, list[float]] = {k: [] for k in fns}
        order = list(fns)
        for i in range(samples):
            for key in order if i % 2 == 0 else order[::-1]:
                f, n, t0 = fns[key], 0, time.thread_time()
                while True:
                    f(prob, **kw)
                    n += 1
                    el = time.thread_time() - t0
                    if el >= 0.02:
                        break
                times[key].append(el / n)
        now = statistics.median(times["now"])
        row: dict[str, Any] = {
            "model": mod,
            "case": case,
            "size": f"{prob.n_actors}x{prob.n_issues}",
            "ms_median": now * 1e3,
            "ms_min": min(times["now"]) * 1e3,
        }
        if other is not None:
            then = statistics.median(times["before"])
            row.update(ms_before_median=then * 1e3, speedup=then / now)
        if ref is not None:
            row.update(ref_s=ref, ratio=ref / now)
            if other is not None:
                row["ratio_before"] = ref / statistics.median(times["before"])
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--before", help="another checkout's src folder, timed side by side in this process")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args()
    table = rows(args.samples, args.before)
    if args.json:
        print(json.dumps(table, indent=1))
        return
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU ms of this thread per run,"
        f" median of {args.samples} samples (min); target < {TARGET_S * 1e3:.1f} ms on 5-10 actors,"
        f" dummyData_3Dim >= 80x KTAB"
    )
    print(f"compiled kernels: {native_status()} (REALPOLITIK_NATIVE=0 times the Python code)")
    head = f"{'model':9}{'case':26}{'A x D':>7}{'median':>9}{'min':>8}"
    if args.before:
        head += f"{'before':>9}{'speedup':>9}"
    print(head + f"{'x ref':>8}")
    for r in table:
        line = f"{r['model']:9}{r['case']:26}{r['size']:>7}{r['ms_median']:9.3f}{r['ms_min']:8.3f}"
        if args.before:
            line += f"{r['ms_before_median']:9.3f}{r['speedup']:8.2f}x"
        if "ratio" in r:
            line += f"{r['ratio']:8.0f}" + (
                f" (before {r['ratio_before']:.0f})" if "ratio_before" in r else ""
            )
        print(line)


if __name__ == "__main__":
    main()
