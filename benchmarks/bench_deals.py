"""Benchmark of the deal space (``python benchmarks/bench_deals.py``).

Two seeded synthetic cases:

- ``enumerate``: 4 issues × 21 options (194,481 packages) × 10 actors (3 parties, 2 veto holders):
  the full analysis (enumeration, frontier, Nash, Kalai–Smorodinsky, favourites, veto effects, linkage).
  Target: under 1 s.
- ``search``: 10 issues × 21 options (about 1.7e13 packages) × 30 actors (3 parties, 10 veto holders):
  time until the search has found a feasible package, and the full search analysis. Target: under 5 s
  to the first feasible package.
- ``agreements``: the same two cases with the decision structure of DESIGN §4a — the issues split into
  agreements signed by different parties, red lines (acceptable ranges) for every party and one
  conditional issue (``applies_if``): the full analysis of the small case (with the linkage count and
  the concessions of any agreement no package changes) and the first feasible packages of the large one.

Times are the best of ``repeat`` runs; the baseline row is a plain NumPy pass over the same packages
(the sum of per-issue utility tables for every actor) so ratios are comparable across machines.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np

from realpolitik.deals import Condition, DealProblem, analyse, grid_options
from realpolitik.deals.search import find_feasible


def make_problem(n_issues: int, n_actors: int, n_parties: int, n_veto: int, seed: int) -> DealProblem:
    """A random case where parties trade across issues (each party cares most about different issues)."""
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 100, size=(n_actors, n_issues))
    sal = rng.uniform(0.05, 1.0, size=(n_actors, n_issues))
    sq = np.full(n_issues, 50.0)
    # parties sit on the two sides of the status quo and care about different issues
    for i in range(n_parties):
        side = np.where(rng.random(n_issues) < 0.5, 1.0, -1.0)
        pos[i] = 50 + side * rng.uniform(20, 50, n_issues)
        sal[i] = rng.uniform(0.05, 0.3, n_issues)
        sal[i, i % n_issues] = 1.0
    party = np.zeros(n_actors, dtype=bool)
    party[:n_parties] = True
    veto = np.zeros((n_actors, n_issues), dtype=bool)
    for k in range(n_veto):
        veto[n_parties + k, rng.choice(n_issues, size=1)] = True
    # veto holders want the status quo on their issues, but not strongly anywhere else
    return DealProblem(
        position=pos,
        salience=sal,
        capability=rng.uniform(0.01, 0.2, n_actors),
        bounds=np.tile([0.0, 100.0], (n_issues, 1)),
        status_quo=sq,
        options=tuple(grid_options(0.0, 100.0, 0.05) for _ in range(n_issues)),
        party=party,
        veto=veto,
        risk=rng.uniform(-1, 1, n_actors),
    )


def with_agreements(p: DealProblem, n_groups: int, seed: int) -> DealProblem:
    """``p`` with its issues split into ``n_groups`` agreements (each signed by two of the parties, in
    turn), a red line for every party on every issue (the quarter of the scale furthest from its ideal
    point excluded) and issue 2 applying only if issue 0 (in the same agreement) is above its status quo."""
    rng = np.random.default_rng(seed)
    a, d = p.position.shape
    parties = np.flatnonzero(p.party)
    group = np.arange(d) % n_groups
    signer = np.zeros((n_groups, a), dtype=bool)
    for g in range(n_groups):
        signer[g, parties[[g % parties.size, (g + 1) % parties.size]]] = True
    acc = np.tile(p.bounds[None, :, :], (a, 1, 1)).astype(float)
    for i in parties:
        far_low = p.position[i] > 50  # the end of the scale away from the ideal point becomes unacceptable
        acc[i, :, 0] = np.where(far_low, 25.0, 0.0)
        acc[i, :, 1] = np.where(far_low, 100.0, 75.0)
    rng.shuffle(acc[parties], axis=0)  # not always aligned with the ideal point: keep it inside
    acc[..., 0] = np.minimum(acc[..., 0], p.position)
    acc[..., 1] = np.maximum(acc[..., 1], p.position)
    return replace(
        p,
        party=signer.any(axis=0),
        group=group,
        signer=signer,
        acceptable=acc,
        conditions=(Condition(2, 0, ">", float(p.status_quo[0])),),
        _cache={},
    )


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def rows(repeat: int = 3) -> list[dict[str, Any]]:
    """One dict per measurement: case, seconds, target, packages, feasible found, ratio to the baseline."""
    out: list[dict[str, Any]] = []
    small = make_problem(4, 10, 3, 2, seed=5)
    tabs = small.gain_tables()

    def baseline() -> np.ndarray:
        u = np.zeros((10, 21, 21, 21, 21))
        for j, t in enumerate(tabs):
            shape = [10, 1, 1, 1, 1]
            shape[1 + j] = 21
            u += t.reshape(shape)
        return u

    t_base, _ = _best(baseline, repeat)
    t_full, res = _best(lambda: analyse(small), repeat)
    out.append(
        {
            "case": "baseline: utilities of every package (4×21, 10 actors)",
            "seconds": t_base,
            "target": None,
            "packages": small.n_packages,
            "feasible": None,
            "ratio": 1.0,
        }
    )
    out.append(
        {
            "case": "enumerate: full analysis (4×21, 10 actors)",
            "seconds": t_full,
            "target": 1.0,
            "packages": small.n_packages,
            "feasible": res.n_feasible,
            "ratio": t_full / t_base,
        }
    )
    small_ag = with_agreements(small, 2, seed=5)
    t_ag, res_ag = _best(lambda: analyse(small_ag), repeat)
    out.append(
        {
            "case": "agreements: full analysis (4×21, 10 actors, 2 agreements)",
            "seconds": t_ag,
            "target": 1.0,
            "packages": small_ag.n_packages,
            "feasible": res_ag.n_feasible,
            "ratio": t_ag / t_base,
        }
    )
    big = make_problem(10, 30, 3, 10, seed=3)
    t_find, found = _best(
        lambda: find_feasible(big, big.rows(), np.random.default_rng(0), starts=1024, sweeps=40, climb=False),
        repeat,
    )
    out.append(
        {
            "case": "search: first feasible packages (10×21, 30 actors)",
            "seconds": t_find,
            "target": 5.0,
            "packages": big.n_packages,
            "feasible": int(found.shape[0]),
            "ratio": t_find / t_base,
        }
    )
    big_ag = with_agreements(big, 3, seed=3)
    t_find_ag, found_ag = _best(
        lambda: find_feasible(big_ag, None, np.random.default_rng(0), starts=1024, sweeps=40, climb=False),
        repeat,
    )
    out.append(
        {
            "case": "agreements: first feasible packages (10×21, 30 actors, 3 agr.)",
            "seconds": t_find_ag,
            "target": 5.0,
            "packages": big_ag.n_packages,
            "feasible": int(found_ag.shape[0]),
            "ratio": t_find_ag / t_base,
        }
    )
    t_all, res_big = _best(lambda: analyse(big, seed=0), 1)
    out.append(
        {
            "case": "search: full analysis (10×21, 30 actors)",
            "seconds": t_all,
            "target": None,
            "packages": big.n_packages,
            "feasible": res_big.n_feasible,
            "ratio": t_all / t_base,
        }
    )
    return out


def main() -> None:
    print(f"{'case':<64} {'seconds':>9} {'target':>7} {'packages':>18} {'feasible':>9} {'ratio':>8}")
    for r in rows():
        tgt = "" if r["target"] is None else f"{r['target']:.0f} s"
        feas = "" if r["feasible"] is None else f"{r['feasible']:,}"
        print(
            f"{r['case']:<64} {r['seconds']:>9.3f} {tgt:>7} {r['packages']:>18,} {feas:>9} {r['ratio']:>8.1f}"
        )


if __name__ == "__main__":
    main()
