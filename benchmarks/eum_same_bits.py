"""Check that this checkout's ``run_eum`` gives the same bits as another checkout's on generated problems.

    .venv/bin/python benchmarks/eum_same_bits.py --before /path/to/other/checkout/src [--cases 2000] [--seed 0]

Both versions run in one process (as in ``bench_small.py --before``) on seeded random problems: 1-13
actors, 1-3 issues, positions on coarse grids (ties) or anywhere, zero and unit weights, absent actors,
per-issue power, zero-width bounds, a fifth of them batched (the column kernel), and random parameters
(stop rule, rounds, profile, Q, tol, patience, max_period, cycle_tol). Positions, outcome, rounds and
every extra are compared byte for byte (NaN and the sign of zero included). Written for issue 13's
single-run speed work, whose results must not change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_small import load_other

import realpolitik.models.eum as now
from realpolitik.models import BargainingProblem


def _same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype or a.tobytes() != b.tobytes():
            raise AssertionError(f"{where}: {a!r} != {b!r}")
    elif type(a) is not type(b) or (a != b and not (a != a and b != b)):
        raise AssertionError(f"{where}: {a!r} != {b!r}")


def _weights(rng: np.random.Generator, shape: Any) -> np.ndarray:
    w, m = rng.uniform(0, 1, shape), rng.uniform(size=shape)
    return np.where(m < 0.1, 0.0, np.where(m < 0.2, 1.0, w))


def problem(rng: np.random.Generator) -> BargainingProblem:
    """A random one-issue-per-column problem (see the module docstring)."""
    a, d = int(rng.integers(1, 14)), int(rng.integers(1, 4))
    lo = float(rng.choice([0.0, -50.0, rng.uniform(-100, 100)]))
    width = float(rng.choice([1.0, 6.0, 100.0, rng.uniform(0.5, 100)]))
    style = int(rng.integers(0, 4))
    if style == 0:
        u = rng.integers(0, 5, (a, d)) / 4
    elif style == 1:
        u = rng.uniform(0, 1, (a, d))
    elif style == 2:
        u = rng.integers(0, 21, (a, d)) / 20
    else:
        u = rng.choice([0.0, 1.0, 0.5, rng.uniform()], (a, d))
    pos = lo + u * width
    present = None
    if rng.uniform() < 0.25:
        present = rng.uniform(size=(a, d)) < 0.8
        present[0] = True
        pos = np.where(present, pos, np.nan)
    bounds = np.tile([lo, lo + width], (d, 1)) if rng.uniform() >= 0.1 else np.tile([lo, lo], (d, 1))
    prob = BargainingProblem(
        capability=_weights(rng, a),
        position=pos,
        salience=_weights(rng, (a, d)),
        bounds=bounds,
        status_quo=np.full(d, lo + width / 2),
        present=present,
        issue_power=_weights(rng, (a, d)) if rng.uniform() < 0.15 else None,
    )
    if rng.uniform() < 0.2 and present is None and prob.issue_power is None:
        b = int(rng.integers(2, 30))
        return BargainingProblem(
            capability=np.repeat(prob.capability[None], b, axis=0) * rng.uniform(0.5, 1.5, (b, 1)),
            position=np.repeat(pos[None], b, axis=0) + rng.choice([0.0, 0.25, 1.0], (b, 1, 1)),
            salience=np.repeat(prob.salience[None], b, axis=0),
            bounds=bounds + np.array([0.0, 1.0]),
            status_quo=np.repeat(prob.status_quo[None], b, axis=0),
        )
    return prob


def params(rng: np.random.Generator) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if rng.uniform() < 0.5:
        kw["stop"] = str(rng.choice(["fixed", "converge"]))
    if rng.uniform() < 0.3:
        kw["profile"] = "compat"
    if rng.uniform() < 0.3:
        kw["Q"] = float(rng.choice([0.0, 0.5, 0.9]))
    if rng.uniform() < 0.4:
        kw["rounds"] = int(rng.integers(0, 40))
    if rng.uniform() < 0.3:
        kw["tol"] = float(rng.choice([0.0, 0.001, 0.05]))
    if rng.uniform() < 0.3:
        kw["patience"] = int(rng.integers(1, 6))
    if rng.uniform() < 0.3:
        kw["max_period"] = int(rng.integers(0, 8))
    if rng.uniform() < 0.3:
        kw["cycle_tol"] = float(rng.choice([0.0, 1e-3]))
    return kw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="another checkout's src folder")
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    before = load_other(args.before)["realpolitik.models.eum"]
    rng = np.random.default_rng(args.seed)
    cycles = conv = 0
    for i in range(args.cases):
        prob, kw = problem(rng), params(rng)
        new, old = now.run_eum(prob, **kw), before.run_eum(prob, **kw)
        tag = f"case {i} {kw}"
        _same(new.positions, old.positions, f"{tag} positions")
        _same(new.outcome, old.outcome, f"{tag} outcome")
        _same(new.rounds, old.rounds, f"{tag} rounds")
        if new.extras.keys() != old.extras.keys():
            raise AssertionError(f"{tag}: extras keys differ")
        for key in old.extras:
            _same(new.extras[key], old.extras[key], f"{tag} extras[{key}]")
        cycles += int(np.sum(np.asarray(old.extras["cycle_length"]) > 0))
        conv += int(np.sum(np.asarray(old.extras["converged"])))
    print(f"{args.cases} cases: identical ({cycles} issues with a cycle, {conv} converged issues)")


if __name__ == "__main__":
    main()
