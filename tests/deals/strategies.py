"""Hypothesis strategies and a brute-force reference for the deal tests."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
from hypothesis import strategies as st

from realpolitik.deals import Condition, DealProblem
from realpolitik.models.problem import BargainingProblem

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


OPS = (">", ">=", "<", "<=", "==", "!=")


@st.composite
def agreement_problems(
    draw: st.DrawFn, max_actors: int = 4, max_issues: int = 3, max_options: int = 4
) -> DealProblem:
    """Small problems with the whole decision structure of DESIGN §4a: several agreements, signers per
    agreement, vetoes, red lines (acceptable ranges around each ideal point), ``applies_if`` conditions
    (acyclic, over a random issue order), declared no-deal values and a margin."""
    a = draw(st.integers(2, max_actors))
    d = draw(st.integers(1, max_issues))
    n_opts = [draw(st.integers(2, max_options)) for _ in range(d)]
    options = tuple(np.linspace(0.0, 100.0, n) for n in n_opts)
    sq = np.array([options[j][draw(st.integers(0, n_opts[j] - 1))] for j in range(d)])
    grid = st.integers(0, 20).map(lambda k: 5.0 * k)
    pos = np.array(draw(st.lists(grid, min_size=a * d, max_size=a * d)), float).reshape(a, d)
    sal = (
        np.array(draw(st.lists(st.integers(0, 10), min_size=a * d, max_size=a * d)), float).reshape(a, d) / 10
    )
    risk = np.array(draw(st.lists(st.sampled_from(RISKS), min_size=a, max_size=a)))
    cap = np.array(draw(st.lists(st.integers(1, 10), min_size=a, max_size=a)), float)
    # agreements: any grouping of the issues, numbered 0.. in order of first appearance
    labels = draw(st.lists(st.integers(0, d - 1), min_size=d, max_size=d))
    first = {lab: k for k, lab in enumerate(dict.fromkeys(labels))}
    group = np.array([first[lab] for lab in labels], dtype=np.int64)
    n_groups = len(first)
    signer = np.array(
        draw(st.lists(st.booleans(), min_size=n_groups * a, max_size=n_groups * a)), bool
    ).reshape(n_groups, a)
    for g in range(n_groups):
        if not signer[g].any():
            signer[g, draw(st.integers(0, a - 1))] = True
    veto = np.array(draw(st.lists(st.booleans(), min_size=a * d, max_size=a * d)), bool).reshape(a, d)
    veto &= draw(st.lists(st.booleans(), min_size=a, max_size=a).map(lambda b: np.array(b)[:, None]))
    # red lines: with some chance per actor and issue, an acceptable range around the ideal point
    acc = np.tile([0.0, 100.0], (a, d, 1))
    for i in range(a):
        for j in range(d):
            if draw(st.integers(0, 3)) == 0:
                lo = draw(st.integers(0, int(pos[i, j]) // 5)) * 5.0
                hi = 100.0 - draw(st.integers(0, (100 - int(pos[i, j])) // 5)) * 5.0
                acc[i, j] = (lo, hi)
    # conditions: an issue may depend on issues earlier in a random order
    order = draw(st.permutations(range(d)))
    conditions = []
    for k in range(1, d):
        if draw(st.integers(0, 2)) == 0:
            on = order[draw(st.integers(0, k - 1))]
            value = float(options[on][draw(st.integers(0, n_opts[on] - 1))])
            conditions.append(Condition(order[k], on, draw(st.sampled_from(OPS)), value))
    dis = np.broadcast_to(sq, (a, d)).copy()
    if draw(st.booleans()):
        i, j = draw(st.integers(0, a - 1)), draw(st.integers(0, d - 1))
        dis[i, j] = float(options[j][draw(st.integers(0, n_opts[j] - 1))])
    margin = draw(st.sampled_from([0.0, 0.0, 0.05]))
    return DealProblem(
        position=pos,
        salience=sal,
        capability=cap,
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=sq,
        options=options,
        party=signer.any(axis=0),
        veto=veto,
        risk=risk,
        disagreement=dis,
        margin=margin,
        acceptable=acc,
        group=group,
        signer=signer,
        conditions=tuple(draw(st.permutations(conditions))),
    )


def _holds(op: str, x: float, value: float, width: float) -> bool:
    tol = 1e-9 * width
    return {
        ">": x > value,
        ">=": x >= value,
        "<": x < value,
        "<=": x <= value,
        "==": abs(x - value) <= tol,
        "!=": abs(x - value) > tol,
    }[op]


def brute_moot(p: DealProblem, pkg: tuple[float, ...]) -> list[bool]:
    """Moot issues by a fixpoint: an issue is moot when a condition fails on the effective package (moot
    issues read at their status quo); iterated until nothing changes (conditions are acyclic)."""
    d = len(pkg)
    moot = [False] * d
    for _ in range(d + 1):
        eff = [p.status_quo[j] if moot[j] else pkg[j] for j in range(d)]
        new = [False] * d
        for c in p.conditions:
            width = p.bounds[c.on, 1] - p.bounds[c.on, 0]
            if not _holds(c.op, eff[c.on], c.value, width):
                new[c.issue] = True
        if new == moot:
            break
        moot = new
    return moot


def brute_verdict(
    p: DealProblem, pkg: tuple[float, ...], drop: set[tuple[int, int, str]] = frozenset()
) -> bool:  # type: ignore[assignment]
    """Whether a package is feasible, by DESIGN §4a, one agreement, actor and issue at a time (no shared
    code with the library). ``drop``: rows (agreement, actor, kind) that do not have to accept."""
    a, d = p.position.shape
    moot = brute_moot(p, pkg)
    if any(moot[j] and pkg[j] != p.status_quo[j] for j in range(d)):
        return False
    any_active = False
    for g in range(int(p.group.max()) + 1):
        issues = [j for j in range(d) if p.group[j] == g and not moot[j]]
        if not any(pkg[j] != p.status_quo[j] for j in issues):
            continue
        any_active = True
        for i in range(a):
            total = p.salience[i].sum()
            k = 2.0 ** (-p.risk[i])

            def part(j: int, i: int = i, total: float = total, k: float = k) -> float:
                w = p.salience[i, j] / total if total > 0 else 0.0
                width = p.bounds[j, 1] - p.bounds[j, 0]
                u_p = 1 - min(abs(pkg[j] - p.position[i, j]) / width, 1.0) ** k
                u_q = 1 - min(abs(p.disagreement[i, j] - p.position[i, j]) / width, 1.0) ** k
                return w * (u_p - u_q)

            def inside(js: list[int], i: int = i) -> bool:
                return all(p.acceptable[i, j, 0] <= pkg[j] <= p.acceptable[i, j, 1] for j in js)

            if p.signers[g, i] and (g, i, "party") not in drop:
                gain = 0.0
                for j in issues:
                    gain += part(j)
                if not (inside(issues) and round(gain, 12) > p.margin):
                    return False
            vetoed = [j for j in range(d) if p.group[j] == g and p.veto[i, j]]
            if vetoed and (g, i, "veto") not in drop:
                live = [j for j in vetoed if not moot[j]]
                gain = 0.0
                for j in live:
                    gain += part(j)
                if not (inside(live) and round(gain, 12) >= 0):
                    return False
    return any_active


def brute_feasible(p: DealProblem, drop: set[tuple[int, int, str]] = frozenset()) -> set[tuple[float, ...]]:  # type: ignore[assignment]
    return {
        tuple(float(x) for x in pkg)
        for pkg in itertools.product(*[list(o) for o in p.options])
        if brute_verdict(p, pkg, drop)
    }


def permuted(p: DealProblem, ao: np.ndarray, do: np.ndarray) -> DealProblem:
    """``p`` with its actors in the order ``ao`` and its issues in the order ``do``; the agreements are
    renumbered in order of first appearance in the new issue order."""
    inv_d = np.argsort(do)
    new_group = p.group[do]
    first = {int(g): k for k, g in enumerate(dict.fromkeys(new_group.tolist()))}
    gmap = np.array([first[g] for g in range(p.n_groups)])
    signer = np.zeros_like(p.signers)
    signer[gmap] = p.signers[:, ao]
    return DealProblem(
        position=p.position[ao][:, do],
        salience=p.salience[ao][:, do],
        capability=p.capability[ao],
        bounds=p.bounds[do],
        status_quo=p.status_quo[do],
        options=tuple(p.options[j] for j in do),
        party=p.party[ao],
        veto=p.veto[ao][:, do],
        risk=p.risk[ao],
        disagreement=p.disagreement[ao][:, do],
        margin=p.margin,
        acceptable=p.acceptable[ao][:, do],
        group=gmap[new_group],
        signer=signer,
        conditions=tuple(
            Condition(int(inv_d[c.issue]), int(inv_d[c.on]), c.op, c.value) for c in p.conditions
        ),
    )


# ------------------------------------------------------------------------------------------ probe cases
def _subset(draw: st.DrawFn, items: list[str], min_size: int = 1, max_size: int | None = None) -> list[str]:
    size = len(items) if max_size is None else max_size
    return draw(st.lists(st.sampled_from(items), min_size=min_size, max_size=size, unique=True))


@st.composite
def consent_scenarios(draw: st.DrawFn, max_actors: int = 4, max_issues: int = 4) -> dict[str, object]:
    """A scenario mapping with the decision structure of DESIGN §4a for the deal probe: parties, issues
    under consent (some collective or unilateral), consent issues with their own signers, a declared
    agreement (with or without signers), vetoes, ``applies_if`` on earlier issues, red lines, labels (or
    a grid), declared no-deal values, risk attitudes.

    Numbers sit on a coarse grid of each issue's scale, so that ties (a gain of exactly zero, a value on a
    red line, a condition at its threshold) are common."""
    a = draw(st.integers(2, max_actors))
    d = draw(st.integers(1, max_issues))
    actors = [f"A{i}" for i in range(a)]
    issues = [f"I{j}" for j in range(d)]
    scale = {iid: draw(st.sampled_from([(0.0, 100.0), (0.0, 100.0), (-5.0, 5.0)])) for iid in issues}

    def point(iid: str) -> float:
        lo, hi = scale[iid]
        return lo + (hi - lo) * draw(st.integers(0, 10)) / 10

    kinds = {iid: draw(st.sampled_from(["consent"] * 4 + ["collective", "unilateral"])) for iid in issues}
    kinds[issues[0]] = "consent"  # something to sign (a scenario without is refused before any draw)
    consent = [iid for iid in issues if kinds[iid] == "consent"]
    out_issues = []
    for j, iid in enumerate(issues):
        iss: dict[str, object] = {
            "id": iid,
            "name": iid,
            "bounds": list(scale[iid]),
            "status_quo": point(iid),
        }
        if draw(st.booleans()):
            iss["labels"] = {point(iid): "a", point(iid): "b", point(iid): "c"}
        if kinds[iid] == "unilateral":
            iss["rule"] = {"kind": "unilateral", "decider": draw(st.sampled_from(actors))}
        elif kinds[iid] == "consent" and draw(st.integers(0, 3)) == 0:
            iss["rule"] = {"kind": "consent", "signers": _subset(draw, actors)}
        else:
            iss["rule"] = kinds[iid]
        if j and draw(st.booleans()):
            on = issues[draw(st.integers(0, j - 1))]
            iss["applies_if"] = {"issue": on, "op": draw(st.sampled_from(OPS)), "value": point(on)}
        out_issues.append(iss)
    positions: dict[str, dict[str, object]] = {}
    for aid in actors:
        row: dict[str, object] = {}
        for iid in issues:
            if draw(st.integers(0, 4)) == 0:
                continue
            x = point(iid)
            stance: dict[str, object] = {"position": x, "salience": draw(st.integers(0, 10)) / 10}
            if draw(st.integers(0, 2)) == 0:
                lo, hi = scale[iid]
                low = draw(st.sampled_from([lo, (lo + x) / 2, x]))
                stance["acceptable"] = [low, draw(st.sampled_from([hi, (hi + x) / 2, x]))]
            row[iid] = stance
        if row:
            positions[aid] = row
    risks = [draw(st.sampled_from(RISKS)) for _ in actors]
    out: dict[str, object] = {
        "id": "probe-case",
        "title": "Probe case (generated)",
        "actors": [
            {"id": x, "name": x, "capability": 1.0 + i, "risk": risks[i]} for i, x in enumerate(actors)
        ],
        "issues": out_issues,
        "positions": positions,
        "parties": _subset(draw, actors),
    }
    if consent and draw(st.booleans()):
        out["vetoes"] = [
            {"actor": draw(st.sampled_from(actors)), "issues": _subset(draw, consent, max_size=2)}
        ]
    if len(consent) > 1 and draw(st.booleans()):
        ag: dict[str, object] = {"id": "deal", "issues": _subset(draw, consent, min_size=2)}
        if draw(st.booleans()):
            ag["signers"] = _subset(draw, actors)
        out["agreements"] = [ag]
    if consent and draw(st.booleans()):
        iid = draw(st.sampled_from(consent))
        out["disagreement"] = {draw(st.sampled_from(actors)): {iid: point(iid)}}
    return out


@st.composite
def draws_of(draw: st.DrawFn, bp: BargainingProblem, max_draws: int = 8) -> BargainingProblem:
    """A batch of draws of ``bp``'s numbers (one or two batch axes, each array batched or not).

    Positions, status quo and red-line ends are kept, moved to a point of a coarse grid of the issue's
    scale (ties with options and labels) or drawn anywhere in the bounds; saliences kept or on a 0.1 grid.
    Rarely a draw carries numbers a deal analysis refuses (a red line with low > high, a negative
    salience, a status quo of NaN)."""
    shape = draw(st.sampled_from([(draw(st.integers(1, max_draws)),), (2, draw(st.integers(1, 3)))]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    a, d = bp.n_actors, bp.n_issues
    lo, hi = bp.bounds[:, 0], bp.bounds[:, 1]

    def cells(base: np.ndarray, tail: tuple[int, ...], lo_: np.ndarray, hi_: np.ndarray) -> np.ndarray:
        full = (*shape, *tail)
        grid = lo_ + (hi_ - lo_) * rng.integers(0, 11, full) / 10
        anywhere = lo_ + (hi_ - lo_) * rng.random(full)
        pick = rng.integers(0, 3, full)
        return np.where(pick == 0, base, np.where(pick == 1, grid, anywhere))

    def maybe_batched(arr: np.ndarray, batched: np.ndarray) -> np.ndarray:
        return batched if draw(st.booleans()) else arr

    pos = maybe_batched(bp.position, cells(bp.position, (a, d), lo, hi))
    sal_grid = rng.integers(0, 11, (*shape, a, d)) / 10
    sal = maybe_batched(bp.salience, np.where(rng.random((*shape, a, d)) < 0.5, bp.salience, sal_grid))
    mode = draw(st.sampled_from(["keep", "same", "each"]))
    sq = bp.status_quo
    if mode == "same":  # one status quo for every draw (not necessarily an option)
        sq = cells(bp.status_quo, (d,), lo, hi)[(0,) * len(shape)]
    elif mode == "each":
        sq = cells(bp.status_quo, (d,), lo, hi)
    acc = np.array(np.broadcast_to(bp.acceptable_range, (*shape, a, d, 2)))
    ends = np.sort(np.stack([cells(acc[..., 0], (a, d), lo, hi), cells(acc[..., 1], (a, d), lo, hi)], -1), -1)
    acc = np.where(rng.random((*shape, a, d, 1)) < 0.3, ends, acc)
    if bp.acceptable is None and draw(st.booleans()):  # no red lines anywhere: keep None
        acc = None
    if draw(st.integers(0, 9)) == 7:  # numbers a DealProblem refuses, in one draw
        at = tuple(int(rng.integers(0, n)) for n in shape)
        bad = ("acceptable", "salience", "status_quo")[int(rng.integers(0, 3))]
        if bad == "acceptable":
            acc = np.array(np.broadcast_to(bp.acceptable_range, (*shape, a, d, 2))) if acc is None else acc
            acc[(*at, 0, 0)] = (1.0, 0.0)
        elif bad == "salience":
            sal = np.array(np.broadcast_to(sal, (*shape, a, d)))
            who = 0 if bp.present is None else int(np.argmax(bp.present[:, 0]))  # an actor on issue 0
            sal[(*at, who, 0)] = -0.5
        else:
            sq = np.array(np.broadcast_to(sq, (*shape, d)))
            sq[(*at, 0)] = np.nan
    cap = np.broadcast_to(bp.capability, (*shape, a)) if draw(st.booleans()) else bp.capability
    return replace(bp, position=pos, salience=sal, status_quo=sq, acceptable=acc, capability=cap)
