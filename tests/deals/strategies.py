"""Hypothesis strategies and a brute-force reference for the deal tests."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from realpolitik.deals import DealProblem

RISKS = [-1.0, -0.5, 0.0, 0.5, 1.0]


@st.composite
def deal_problems(
    draw: st.DrawFn, max_actors: int = 4, max_issues: int = 3, max_options: int = 5
) -> DealProblem:
    """Small problems: 2..max_actors actors (the first two are parties), 1..max_issues issues on [0, 100]."""
    a = draw(st.integers(2, max_actors))
    d = draw(st.integers(1, max_issues))
    n_opts = [draw(st.integers(2, max_options)) for _ in range(d)]
    options = tuple(np.linspace(0.0, 100.0, n) for n in n_opts)
    sq = np.array([options[j][draw(st.integers(0, n_opts[j] - 1))] for j in range(d)])
    pos = np.array(draw(st.lists(st.integers(0, 100), min_size=a * d, max_size=a * d)), float).reshape(a, d)
    sal = (
        np.array(draw(st.lists(st.integers(0, 10), min_size=a * d, max_size=a * d)), float).reshape(a, d) / 10
    )
    risk = np.array(draw(st.lists(st.sampled_from(RISKS), min_size=a, max_size=a)))
    cap = np.array(draw(st.lists(st.integers(1, 10), min_size=a, max_size=a)), float)
    party = np.zeros(a, dtype=bool)
    party[:2] = True
    if a > 2:
        party[2:] = draw(st.lists(st.booleans(), min_size=a - 2, max_size=a - 2))
    veto = np.array(draw(st.lists(st.booleans(), min_size=a * d, max_size=a * d)), bool).reshape(a, d)
    veto[: draw(st.integers(0, a)), :] &= draw(st.booleans())
    return DealProblem(
        position=pos,
        salience=sal,
        capability=cap,
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=sq,
        options=options,
        party=party,
        veto=veto,
        risk=risk,
    )


def brute_force_feasible(p: DealProblem) -> set[tuple[float, ...]]:
    """Feasible packages by the definitions, one package and one actor at a time (no shared code)."""
    a, d = p.position.shape
    out = set()
    for pkg in itertools.product(*[list(o) for o in p.options]):
        ok = True
        for i in range(a):
            total = p.salience[i].sum()
            k = 2.0 ** (-p.risk[i])
            full = 0.0
            vet = 0.0
            for j in range(d):
                w = p.salience[i, j] / total if total > 0 else 0.0
                width = p.bounds[j, 1] - p.bounds[j, 0]
                u_p = 1 - (abs(pkg[j] - p.position[i, j]) / width) ** k
                u_q = 1 - (abs(p.status_quo[j] - p.position[i, j]) / width) ** k
                full += w * (u_p - u_q)
                if p.veto[i, j]:
                    vet += w * (u_p - u_q)
            if p.party[i] and not round(full, 12) > p.margin:
                ok = False
            if p.veto[i].any() and not round(vet, 12) >= 0:
                ok = False
        if ok:
            out.add(tuple(float(x) for x in pkg))
    return out
