"""Benchmark of the expected-utility model (``eum``).

Run ``python benchmarks/bench_eum.py`` (pin it to one core for comparable numbers, e.g.
``OMP_NUM_THREADS=1 taskset -c 0 python benchmarks/bench_eum.py``). It prints:

- single runs (one unbatched problem, the per-run overhead that sweeps and backtests pay) on the EC
  car-emission case (10 actors, 1 issue) and on seeded random 5- and 10-actor one-issue problems:
  our time with eight fixed rounds (``stop="fixed"``, Scholz's Table 2 setting) and with the default
  stop rule (``stop="converge"``), side by side with the implementation before the stop rule and the
  small-problem path (loaded from git, commit ``BEFORE``; "n/a" when git or the commit is not
  available), and the second implementation's recorded time for one 8-round run of the EC case
  (``runtime_seconds`` in ``shared/reference/eum/emission_standards/expected.json``: 2.339 s);
- the EC case repeated 10,000 times in one batch;
- the flagship japan-russia-2016 (4 actors, 4 issues) under its uncertainty block: seconds per draw
  in one batch of 10,000 draws, before and now, fixed and converging, and a loop of single runs;
- how the time of one run grows with the number of actors (10 to 320, one issue) and of issues
  (1 to 8, 10 actors), eight fixed rounds.

Times are the best of several repeats of CPU time of this thread (``time.thread_time``), which is
less disturbed than wall time on a shared machine; the load average is printed with the table.
``rows()`` returns the same numbers as a list of dicts for ``benchmarks/run.py``. Random problems
are seeded, so every run times the same work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

import realpolitik as rp
from realpolitik.models import BargainingProblem
from realpolitik.models.eum import run_eum
from realpolitik.uncertainty import apply, draw, sampling_spec

REFERENCE_SECONDS = 2.339  # jmckib's one 8-round run of the EC case, as recorded in expected.json
BEFORE = "0ce8717"  # the last commit before the stop rule and the small-problem path
BEFORE_RECORDED = {
    "EC single 8 rounds": 1.1e-3,
    "flagship batched 8 rounds": 18e-6,
}  # seconds, as measured then
SEED = 20110118
ROOT = Path(__file__).resolve().parents[1]

# BDM (1994) / Scholz et al. (2011) Table 1: capability, position (years), salience (0-100)
_EC = [
    (0.08, 4, 80),
    (0.08, 7, 40),
    (0.03, 4, 20),
    (0.16, 4, 80),
    (0.16, 10, 60),
    (0.16, 10, 60),
    (0.16, 10, 90),
    (0.05, 7, 10),
    (0.05, 4, 100),
    (0.08, 7, 70),
]


def _reference_seconds() -> float:
    path = ROOT.parent / "shared/reference/eum/emission_standards/expected.json"
    try:
        return float(json.loads(path.read_text())["runtime_seconds"])
    except (OSError, KeyError, ValueError):
        return REFERENCE_SECONDS


def _before() -> Callable[..., Any] | None:
    """``run_eum`` as it was at commit ``BEFORE``, or None when git cannot show it."""
    try:
        src = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{BEFORE}:src/realpolitik/models/eum.py"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    registry = sys.modules["realpolitik.models.registry"]
    mod = types.ModuleType("eum_before")
    with mock.patch.object(registry, "register", lambda info: info):  # not a second "eum" model
        exec(compile(src, "eum_before.py", "exec"), mod.__dict__)  # our own code, from our own history
    return mod.run_eum  # type: ignore[no-any-return]


def ec_problem(batch: int | None = None) -> BargainingProblem:
    """The EC emission case, optionally repeated ``batch`` times along a leading axis."""
    c = np.array([r[0] for r in _EC])
    x = np.array([r[1] for r in _EC], dtype=float)[:, None]
    s = np.array([r[2] for r in _EC])[:, None] / 100.0
    sq = np.array([7.0])
    if batch is not None:
        c, x, s = np.tile(c, (batch, 1)), np.tile(x, (batch, 1, 1)), np.tile(s, (batch, 1, 1))
        sq = np.tile(sq, (batch, 1))
    return BargainingProblem(
        capability=c, position=x, salience=s, bounds=np.array([[4.0, 10.0]]), status_quo=sq
    )


def random_problem(n_actors: int, n_issues: int, seed: int = SEED) -> BargainingProblem:
    """A seeded random problem on 0-100 scales."""
    rng = np.random.default_rng([seed, n_actors, n_issues])
    return BargainingProblem(
        capability=rng.uniform(0.05, 1.0, n_actors),
        position=np.round(rng.uniform(0, 100, (n_actors, n_issues))),
        salience=rng.uniform(0.1, 1.0, (n_actors, n_issues)),
        bounds=np.tile([0.0, 100.0], (n_issues, 1)),
        status_quo=np.full(n_issues, 50.0),
    )


def flagship_draws(draws: int, seed: int = SEED) -> BargainingProblem:
    """``draws`` problems drawn from japan-russia-2016's uncertainty block, as one batch."""
    spec = sampling_spec(rp.load("japan-russia-2016"))
    return apply(spec, draw(spec, draws, np.random.default_rng(seed)))


def _best(fns: dict[str, Callable[[], object]], repeats: int, min_time: float = 0.2) -> dict[str, float]:
    """Best CPU seconds per call of each function, the functions taking turns in every repeat."""
    best = dict.fromkeys(fns, np.inf)
    for _ in range(repeats):
        for name, fn in fns.items():
            loops, t0 = 0, time.thread_time()
            while True:
                fn()
                loops += 1
                elapsed = time.thread_time() - t0
                if elapsed >= min_time:
                    break
            best[name] = min(best[name], elapsed / loops)
    return {k: float(v) for k, v in best.items()}


def _single_rows(before: Callable[..., Any] | None, repeats: int) -> list[dict[str, object]]:
    ref = _reference_seconds()
    out: list[dict[str, object]] = []
    cases = [
        ("EC emissions", ec_problem()),
        ("random", random_problem(5, 1)),
        ("random", random_problem(10, 1)),
    ]
    for case, prob in cases:
        fns: dict[str, Callable[[], object]] = {
            "fixed": lambda p=prob: run_eum(p, stop="fixed"),
            "converge": lambda p=prob: run_eum(p),
        }
        if before is not None:
            fns["before"] = lambda p=prob: before(p)
        t = _best(fns, repeats)
        row: dict[str, object] = {
            "model": "eum",
            "case": f"{case}, single run",
            "actors": prob.n_actors,
            "issues": prob.n_issues,
            "seconds_fixed_8_rounds": t["fixed"],
            "seconds_before_fixed_8_rounds": t.get("before"),
            "speedup_vs_before": t["before"] / t["fixed"] if "before" in t else None,
            "seconds_converge": t["converge"],
            "rounds_converge": int(run_eum(prob).rounds),
        }
        if case == "EC emissions":
            row["reference_seconds"] = ref
            row["speedup_vs_reference"] = ref / t["fixed"]
        out.append(row)
    return out


def rows(batch: int = 10_000, repeats: int = 3) -> list[dict[str, object]]:
    """Benchmark rows: single runs, batches, scaling (see the module docstring)."""
    before = _before()
    out = _single_rows(before, repeats)
    big = ec_problem(batch)
    fns: dict[str, Callable[[], object]] = {
        "fixed": lambda: run_eum(big, stop="fixed"),
        "converge": lambda: run_eum(big),
    }
    if before is not None:
        fns["before"] = lambda: before(big)
    t = _best(fns, repeats, min_time=0.0)
    out.append(
        {
            "model": "eum",
            "case": "EC emissions, batch",
            "actors": 10,
            "issues": 1,
            "batch": batch,
            "seconds_per_run_fixed_8_rounds": t["fixed"] / batch,
            "seconds_per_run_before": t["before"] / batch if "before" in t else None,
            "seconds_per_run_converge": t["converge"] / batch,
        }
    )
    draws = flagship_draws(batch)
    singles = [draws.item(i) for i in range(200)]
    fns = {
        "fixed": lambda: run_eum(draws, stop="fixed"),
        "converge": lambda: run_eum(draws),
        "single": lambda: [run_eum(p) for p in singles],
    }
    if before is not None:
        fns["before"] = lambda: before(draws)
    t = _best(fns, repeats, min_time=0.0)
    conv = run_eum(draws)
    out.append(
        {
            "model": "eum",
            "case": "japan-russia-2016 draws",
            "actors": 4,
            "issues": 4,
            "batch": batch,
            "seconds_per_draw_fixed_8_rounds": t["fixed"] / batch,
            "seconds_per_draw_before": t["before"] / batch if "before" in t else None,
            "seconds_per_draw_converge": t["converge"] / batch,
            "mean_rounds_converge": float(np.mean(conv.extras["rounds_by_issue"])),
            "seconds_per_single_run_converge": t["single"] / len(singles),
            "ratio_single_vs_batched": (t["single"] / len(singles)) / (t["converge"] / batch),
        }
    )
    for a in (10, 20, 40, 80, 160, 320):
        big_a = a > 80
        prob = random_problem(a, 1)
        tt = _best(
            {"x": lambda p=prob: run_eum(p, stop="fixed")}, 1 if big_a else repeats, 0.0 if big_a else 0.2
        )
        out.append(
            {"model": "eum", "case": "random, actors", "actors": a, "issues": 1, "seconds_per_run": tt["x"]}
        )
    for d in (1, 2, 4, 8):
        prob = random_problem(10, d)
        tt = _best({"x": lambda p=prob: run_eum(p, stop="fixed")}, repeats)
        out.append(
            {"model": "eum", "case": "random, issues", "actors": 10, "issues": d, "seconds_per_run": tt["x"]}
        )
    return out


def _ms(v: object) -> str:
    return "n/a" if v is None else f"{float(v) * 1e3:8.3f}"  # type: ignore[arg-type]


def _us(v: object) -> str:
    return "n/a" if v is None else f"{float(v) * 1e6:8.1f}"  # type: ignore[arg-type]


def _print(table: list[dict[str, object]]) -> None:
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU time of this thread, best of repeats"
    )
    print()
    rec = BEFORE_RECORDED
    print(
        f"eum: single runs, ms per run (before: commit {BEFORE}; recorded then:"
        f" EC {rec['EC single 8 rounds'] * 1e3:.1f} ms, flagship {rec['flagship batched 8 rounds'] * 1e6:.0f} us/draw)"
    )
    print(f"  {'case':28} {'A':>3} {'before':>8} {'fixed 8':>8} {'speedup':>7} {'converge':>8} {'rounds':>6}")
    for r in table:
        if not str(r["case"]).endswith("single run"):
            continue
        sp = r["speedup_vs_before"]
        print(
            f"  {r['case']!s:28} {r['actors']!s:>3} {_ms(r['seconds_before_fixed_8_rounds'])}"
            f" {_ms(r['seconds_fixed_8_rounds'])} {'n/a' if sp is None else f'{sp:6.2f}x'}"
            f" {_ms(r['seconds_converge'])} {r['rounds_converge']!s:>6}"
        )
    ec = table[0]
    print(
        f"  EC reference (jmckib, one 8-round run) {ec['reference_seconds']:.3f} s:"
        f" {ec['speedup_vs_reference']:,.0f}x our fixed 8-round run"
    )
    print()
    b = next(r for r in table if r["case"] == "EC emissions, batch")
    print(f"eum: EC case x {b['batch']:,} in one batch, us per run")
    print(
        f"  before {_us(b['seconds_per_run_before'])}   fixed 8 {_us(b['seconds_per_run_fixed_8_rounds'])}"
        f"   converge {_us(b['seconds_per_run_converge'])}"
    )
    print()
    f = next(r for r in table if r["case"] == "japan-russia-2016 draws")
    print(f"eum: japan-russia-2016 draws (4 actors, 4 issues), batch of {f['batch']:,}, us per draw")
    print(
        f"  before (8 rounds) {_us(f['seconds_per_draw_before'])}   fixed 8 {_us(f['seconds_per_draw_fixed_8_rounds'])}"
        f"   converge {_us(f['seconds_per_draw_converge'])} (mean {f['mean_rounds_converge']:.1f} rounds per issue)"
    )
    print(
        f"  single runs (converge) {_us(f['seconds_per_single_run_converge'])} us each:"
        f" {f['ratio_single_vs_batched']:.0f}x a batched draw (target >= 50x)"
    )
    print()
    print(f"{'model':6} {'case':16} {'actors':>6} {'issues':>6} {'s/run (8 rounds)':>16} {'x vs A=10':>9}")
    base: dict[str, float] = {}
    for r in table:
        if "seconds_per_run" not in r:
            continue
        case = str(r["case"])
        t = float(r["seconds_per_run"])  # type: ignore[arg-type]
        ratio = t / base.setdefault(case, t)
        print(f"{r['model']!s:6} {case:16} {r['actors']!s:>6} {r['issues']!s:>6} {t:16.5f} {ratio:9.1f}")


if __name__ == "__main__":
    _print(rows())
