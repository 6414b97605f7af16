"""Every output of the exchange model in this checkout against another checkout's, bit for bit.

    .venv/bin/python benchmarks/exchange_same_as.py --before /path/to/other/checkout/src [-n 150 --seed 0]

For a speed change that must not change a number: both packages are loaded into one process (as in
``bench_small.py --before``) and run on the shipped reference cases (``shared/`` beside the checkout),
seeded decide-style problems of ``bench_small.py`` (2-10 actors, 1-4 issues), ``-n`` random
decide-style problems of ``tests/strategies.py`` (every fourth one moved to other issue scales) and a
few batched problems, in every mode: exact and fast (10 and 3 rounds; fast also with the checked
engine, or the compiled kernel's, on every size), float (scalar and vectorised engines, and ``tie_tolerance=1e-9``). Compared:
positions, outcome, every extra (arrays with their dtype) and every field of every realised exchange.
Prints each difference and the count; exits 1 if there is one.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_small import decide_problem, load_other  # noqa: E402

import realpolitik.models.exchange as ours  # noqa: E402
from realpolitik.models import BargainingProblem  # noqa: E402
from realpolitik.scenario.decide_format import decide_to_problem, parse_decide  # noqa: E402
from strategies import decide_style_problem  # noqa: E402


def difference(a: Any, b: Any) -> str | None:
    """The first output in which two trajectories differ (None: identical)."""
    if not (
        np.array_equal(a.positions, b.positions, equal_nan=True)
        and np.array_equal(a.outcome, b.outcome, equal_nan=True)
    ):
        return "positions or outcome"
    if a.extras.keys() != b.extras.keys():
        return "extras keys"
    for k, x in a.extras.items():
        y = b.extras[k]
        if isinstance(x, np.ndarray):
            if x.dtype != y.dtype or not np.array_equal(x, y, equal_nan=True):
                return k
        elif k == "exchanges":
            fx = [[dataclasses.astuple(e) for e in r] for r in x]
            fy = [[dataclasses.astuple(e) for e in r] for r in y]
            if fx != fy or any(
                type(v) is not type(w)
                for rx, ry in zip(fx, fy, strict=True)
                for ex, ey in zip(rx, ry, strict=True)
                for v, w in zip(ex, ey, strict=True)
            ):
                return k
        elif x != y:
            return k
    return None


def problems(n: int, seed: int) -> list[tuple[str, BargainingProblem]]:
    out: list[tuple[str, BargainingProblem]] = []
    ref = HERE.parents[1] / "shared" / "reference" / "exchange"
    if ref.is_dir():
        for base in sorted(ref.iterdir()):
            text = (base / "input.csv").read_text()
            out.append((base.name, decide_to_problem(parse_decide(text, "input.csv"))))
    for a in range(2, 11):
        for d in range(1, 5):
            out.append((f"generated {a}x{d}", decide_problem(a, d, a * 10 + d)))
    rng = np.random.default_rng(seed)
    for t in range(n):
        p = decide_style_problem(rng, int(rng.integers(2, 11)), int(rng.integers(1, 5)) if t % 3 else None)
        if t % 4 == 1:  # other issue scales than 0..100
            lo = np.round(rng.uniform(-50, 50, p.n_issues), 1)
            w = np.round(rng.uniform(1, 300, p.n_issues), 1)
            p = dataclasses.replace(
                p,
                position=lo + p.position / 100.0 * w,
                bounds=np.stack([lo, lo + w], 1),
                status_quo=lo + w / 2,
            )
        out.append((f"random {t}", p))
    for t in range(6):
        p = decide_style_problem(rng, int(rng.integers(2, 8)), int(rng.integers(2, 4)))
        moved = np.clip(p.position + rng.normal(0, 5, p.position.shape), 0, 100)
        out.append(
            (f"batch {t}", dataclasses.replace(p, position=np.stack([p.position, moved, p.position[::-1]])))
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="the other checkout's src folder")
    ap.add_argument("-n", type=int, default=150, help="random problems (default 150)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    theirs = load_other(args.before)["realpolitik.models.exchange"]
    runs: list[tuple[str, dict[str, Any], int | None]] = [
        ("exact", {}, None),
        ("exact", {"rounds": 3}, None),
        ("fast", {}, None),
        ("fast", {"rounds": 3}, None),
        ("fast", {}, 0),
        ("float", {}, None),
        ("float", {"engine": "vectorised"}, None),
        ("float", {"tie_tolerance": 1e-9}, None),
    ]
    cases = problems(args.n, args.seed)
    bad = 0
    for name, p in cases:
        for mode, kw, checked_from in runs:
            saved = ours.CHECKED_FROM, theirs.CHECKED_FROM
            saved_native = [getattr(m, "NATIVE_FROM", None) for m in (ours, theirs)]
            if checked_from is not None:
                ours.CHECKED_FROM = theirs.CHECKED_FROM = checked_from
                for m in (ours, theirs):  # the compiled kernel's fast rounds on every size, where present
                    if hasattr(m, "NATIVE_FROM"):
                        m.NATIVE_FROM = checked_from
            try:
                with np.errstate(divide="ignore", invalid="ignore"):
                    why = difference(
                        ours.run_exchange(p, arithmetic=mode, **kw),
                        theirs.run_exchange(p, arithmetic=mode, **kw),
                    )
            finally:
                ours.CHECKED_FROM, theirs.CHECKED_FROM = saved
                for m, v in zip((ours, theirs), saved_native, strict=True):
                    if v is not None:
                        m.NATIVE_FROM = v
            if why:
                bad += 1
                print(f"differs: {name}, {mode} {kw} checked_from={checked_from}: {why}")
    print(f"{len(cases)} problems x {len(runs)} runs: {bad} differences")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
