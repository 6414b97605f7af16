"""Hypothesis strategies shared by the test suite: valid scenarios (as plain dicts) and BargainingProblems.

Import from a test module with ``from tests.strategies import scenario_dicts, bargaining_problems``
(the ``tests`` folder is importable from the repository root under pytest).

- :func:`scenario_dicts` draws mappings that :func:`realpolitik.scenario.from_dict` accepts: unique ids,
  positions within bounds, saliences in [0, 1], ranges containing their values, sources that exist,
  relations/parties/vetoes/outcomes on known actors and issues.
- :func:`bargaining_problems` draws :class:`realpolitik.models.problem.BargainingProblem` instances
  with positions within bounds, saliences in [0, 1] and positive capabilities.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from hypothesis import strategies as st

from realpolitik.models.problem import BargainingProblem

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

ids = st.text(ID_ALPHABET, min_size=1, max_size=8)
#: Free text: printable characters of any script (no surrogates, no control characters, no line
#: separators or bidi overrides: validation refuses those, see docs/security.md).
texts = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cs", "Cc", "Zl", "Zp"),
        exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    max_size=20,
)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def _unique_ids(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(ids, min_size=min_size, max_size=max_size, unique=True)


@st.composite
def quantity(draw: st.DrawFn, value: st.SearchStrategy[float], sources: list[str]) -> Any:
    """A bare number, or a mapping with value and some of source/note/range (range contains the value)."""
    v = draw(value)
    if draw(st.booleans()):
        return v
    q: dict[str, Any] = {"value": v}
    if sources and draw(st.booleans()):
        q["source"] = draw(st.sampled_from(sources))
    if draw(st.booleans()):
        q["note"] = draw(texts)
    if draw(st.booleans()):
        lo = v - draw(st.floats(0, 10))
        hi = v + draw(st.floats(0, 10))
        q["range"] = [lo, hi]
    return q


@st.composite
def bounds(draw: st.DrawFn) -> tuple[float, float]:
    if draw(st.booleans()):
        return (0.0, 100.0)
    lo = draw(st.floats(-1e6, 1e6))
    width = draw(st.floats(1e-3, 1e6))
    return (lo, lo + width)


def within(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi).map(lambda x: min(max(x, lo), hi))


@st.composite
def scenario_dicts(
    draw: st.DrawFn, max_actors: int = 5, max_issues: int = 3, extras: bool = True
) -> dict[str, Any]:
    """A valid scenario as the plain mapping a YAML/JSON file holds.

    ``extras=False`` leaves out relations, vetoes, environment, analogues, outcome, uncertainty and
    metadata (a scenario as the KTAB formats can hold it).
    """
    source_keys = draw(_unique_ids(0, 3)) if extras else []
    actor_ids = draw(_unique_ids(1, max_actors))
    issue_ids = draw(_unique_ids(1, max_issues))
    d: dict[str, Any] = {"id": draw(ids), "title": draw(texts)}
    if draw(st.booleans()):
        d["description"] = draw(texts)
    if extras and draw(st.booleans()):
        d["as_of"] = draw(st.dates(dt.date(1800, 1, 1), dt.date(2100, 1, 1))).isoformat()
    if source_keys:
        d["sources"] = {
            k: {
                "title": draw(texts),
                "kind": draw(st.sampled_from(["document", "dataset", "judgment"])),
                **({"date": draw(st.dates()).isoformat()} if draw(st.booleans()) else {}),
            }
            for k in source_keys
        }
    d["actors"] = []
    for aid in actor_ids:
        a: dict[str, Any] = {"id": aid, "name": draw(texts)}
        if draw(st.booleans()):
            a["capability"] = draw(quantity(st.floats(0, 1e9), source_keys))
        if extras and draw(st.booleans()):
            a["risk"] = draw(quantity(st.floats(-1, 1), source_keys))
        if draw(st.booleans()):
            a["kind"] = draw(st.sampled_from(["state", "domestic", "organisation", "other"]))
        d["actors"].append(a)
    issue_bounds = {}
    d["issues"] = []
    for iid in issue_ids:
        lo, hi = draw(bounds())
        issue_bounds[iid] = (lo, hi)
        iss: dict[str, Any] = {"id": iid, "name": draw(texts), "bounds": [lo, hi]}
        if draw(st.booleans()):
            iss["status_quo"] = draw(quantity(within(lo, hi), source_keys))
        if draw(st.booleans()):
            iss["labels"] = {draw(within(lo, hi)): draw(texts) for _ in range(draw(st.integers(0, 2)))}
        d["issues"].append(iss)
    positions: dict[str, Any] = {}
    for aid in actor_ids:
        row = {}
        for iid in issue_ids:
            if draw(st.integers(0, 4)) == 0:
                continue
            lo, hi = issue_bounds[iid]
            stance: dict[str, Any] = {
                "position": draw(quantity(within(lo, hi), source_keys)),
                "salience": draw(quantity(st.floats(0, 1), source_keys)),
            }
            if draw(st.integers(0, 3)) == 0:
                stance["power"] = draw(quantity(st.floats(0, 1e6), source_keys))
            if extras and draw(st.integers(0, 3)) == 0:
                x = (
                    stance["position"]["value"]
                    if isinstance(stance["position"], dict)
                    else stance["position"]
                )
                stance["acceptable"] = [draw(within(lo, x)), draw(within(x, hi))]
            row[iid] = stance
        if row:
            positions[aid] = row
    d["positions"] = positions
    if not extras:
        return d
    if draw(st.booleans()):
        d["relations"] = [
            {
                "from": draw(st.sampled_from(actor_ids)),
                "to": draw(st.sampled_from(actor_ids)),
                "kind": draw(st.sampled_from(["alliance", "rivalry", "threat", "affinity"])),
                "value": draw(quantity(st.floats(-1, 1), source_keys)),
            }
            for _ in range(draw(st.integers(1, 3)))
        ]
    if draw(st.booleans()):
        d["parties"] = draw(st.lists(st.sampled_from(actor_ids), unique=True, min_size=1))
        for iss in d["issues"]:  # consent (the default with parties) needs a status quo
            if "status_quo" not in iss:
                iss["rule"] = draw(st.sampled_from(["collective", {"kind": "collective"}]))
    if draw(st.booleans()):
        d["vetoes"] = [
            {
                "actor": draw(st.sampled_from(actor_ids)),
                "issues": draw(st.lists(st.sampled_from(issue_ids), min_size=1, max_size=2)),
            }
        ]
    if draw(st.booleans()):
        d["environment"] = {
            "indicators": {draw(ids): {"series": draw(texts), "scale": [0, draw(st.floats(1, 1000))]}},
            "links": [
                {
                    "target": f"{draw(st.sampled_from(actor_ids))}.salience.{draw(st.sampled_from(issue_ids))}",
                    "driver": draw(texts),
                    "base": draw(st.floats(-1, 1)),
                    "gain": draw(st.floats(-5, 5)),
                }
            ],
        }
    if draw(st.booleans()):
        d["analogues"] = [{"scenario": draw(texts), "maps": {draw(st.sampled_from(issue_ids)): draw(texts)}}]
    if draw(st.booleans()):
        iid = draw(st.sampled_from(issue_ids))
        d["outcome"] = {iid: draw(quantity(within(*issue_bounds[iid]), source_keys))}
    if draw(st.booleans()):
        d["uncertainty"] = {
            "distribution": draw(st.sampled_from(["uniform", "triangular", "truncnormal"])),
            "salience": 0.1,
        }
    if draw(st.booleans()):
        json_leaf = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | finite | texts
        d["metadata"] = draw(
            st.dictionaries(
                ids, st.recursive(json_leaf, lambda c: st.lists(c, max_size=3), max_leaves=5), max_size=3
            )
        )
    return d


@st.composite
def bargaining_problems(
    draw: st.DrawFn,
    min_actors: int = 2,
    max_actors: int = 6,
    min_issues: int = 1,
    max_issues: int = 3,
    unit_bounds: bool = False,
    with_absent: bool = False,
    with_issue_power: bool = False,
) -> BargainingProblem:
    """A valid :class:`BargainingProblem` (no batch axes).

    ``unit_bounds`` puts every issue on [0, 100]; ``with_absent`` may mark some actor/issue cells absent
    (each issue keeps at least two present actors when there are two); ``with_issue_power`` may add
    per-issue power.
    """
    a = draw(st.integers(min_actors, max_actors))
    d = draw(st.integers(min_issues, max_issues))
    b = np.array([(0.0, 100.0) if unit_bounds else draw(bounds()) for _ in range(d)], dtype=float)
    u = np.array(draw(st.lists(st.lists(st.floats(0, 1), min_size=d, max_size=d), min_size=a, max_size=a)))
    pos = b[:, 0] + u * (b[:, 1] - b[:, 0])
    pos = np.clip(pos, b[:, 0], b[:, 1])
    sal = np.array(draw(st.lists(st.lists(st.floats(0, 1), min_size=d, max_size=d), min_size=a, max_size=a)))
    cap = np.array(draw(st.lists(st.floats(1e-3, 1e3), min_size=a, max_size=a)))
    sq = np.array([draw(within(lo, hi)) for lo, hi in b])
    present = None
    if with_absent and draw(st.booleans()):
        present = np.array(
            draw(st.lists(st.lists(st.booleans(), min_size=d, max_size=d), min_size=a, max_size=a))
        )
        present[: min(2, a), :] = True
    issue_power = None
    if with_issue_power and draw(st.booleans()):
        issue_power = np.array(
            draw(st.lists(st.lists(st.floats(0, 1e3), min_size=d, max_size=d), min_size=a, max_size=a))
        )
    return BargainingProblem(
        capability=cap,
        position=pos,
        salience=sal,
        bounds=b,
        status_quo=sq,
        actors=tuple(f"A{i}" for i in range(a)),
        issues=tuple(f"D{j}" for j in range(d)),
        present=present,
        issue_power=issue_power,
    )


def decide_style_problem(
    rng: np.random.Generator, n_actors: int | None = None, n_issues: int | None = None
) -> BargainingProblem:
    """A random problem shaped like an exchange-model (decide) input file, drawn from ``rng``.

    2–15 actors and 2–13 issues unless given; issues on 0–100; positions whole numbers or with one or
    two decimals, some on the bounds 0 and 100; saliences with two decimals in [0.05, 1]; power per
    actor with three decimals, sometimes per issue; now and then an actor without data on an issue.
    Numbers with few digits make exact ties and outcomes that land exactly on a position likely, as
    in real files.
    """
    a = int(n_actors if n_actors is not None else rng.integers(2, 16))
    d = int(n_issues if n_issues is not None else rng.integers(2, 14))
    decimals = rng.choice([0, 1, 2], size=(a, d), p=[0.5, 0.3, 0.2])
    scale = 10.0**decimals
    pos = np.round(rng.uniform(0.0, 100.0, (a, d)) * scale) / scale
    pos = np.where(rng.random((a, d)) < 0.08, rng.choice([0.0, 100.0], size=(a, d)), pos)
    sal = np.round(rng.uniform(0.05, 1.0, (a, d)), 2)
    power = np.round(rng.uniform(0.001, 1.0, a), 3)
    issue_power = None
    if rng.random() < 0.25:
        issue_power = np.round(rng.uniform(0.001, 1.0, (a, d)), 3)
    present = None
    if rng.random() < 0.3:
        present = rng.random((a, d)) >= 0.1
        present[: min(2, a), :] = True
    return BargainingProblem(
        capability=power,
        position=pos,
        salience=sal,
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=np.full(d, 50.0),
        actors=tuple(f"A{i}" for i in range(a)),
        issues=tuple(f"D{j}" for j in range(d)),
        present=present,
        issue_power=issue_power,
    )
