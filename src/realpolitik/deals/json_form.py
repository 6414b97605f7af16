"""The documented JSON form of a :class:`~realpolitik.deals.analysis.DealAnalysis` (keys in
``docs/deals.md`` and ``docs/cli.md``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.deals.core import Concession

if TYPE_CHECKING:  # the analysis hands itself over; its module imports this one
    from realpolitik.deals.analysis import DealAnalysis, Evaluation, Precedent

#: Feasible packages listed in full in the JSON (the best by joint gain) and frontier packages listed.
TOP = 10
MAX_FRONTIER = 50


def _r(x: float) -> float:
    return round(float(x), 6)


# ------------------------------------------------------------------------------------------ structure
def agreements_json(an: DealAnalysis) -> list[dict[str, Any]]:
    """One entry per agreement: id, name, issues, signers, veto holders with their veto issues there."""
    p = an.problem
    names = {ag.id: ag for ag in an.structure.agreements} if an.structure is not None else {}
    out = []
    for g, gid in enumerate(p.agreement_ids):
        issues = [int(j) for j in p.group_issues(g)]
        vetoes = {
            p.actors[i]: [p.issues[j] for j in issues if p.veto[i, j]]
            for i in range(p.n_actors)
            if p.veto[i, issues].any()
        }
        ag = names.get(gid)
        res = an.result
        changed = None if res.changes is None else bool(res.changes[g])
        out.append(
            {
                "id": gid,
                "name": ag.name if ag is not None else None,
                "issues": [p.issues[j] for j in issues],
                "signers": [p.actors[i] for i in np.flatnonzero(p.signers[g])],
                "veto_holders": vetoes,
                "declared": ag.declared if ag is not None else None,
                "changed": changed,
                "concessions": {
                    p.actors[i]: _concession(an, c) for i, c in res.agreement_concessions.get(g, {}).items()
                },
            }
        )
    return out


def red_lines(an: DealAnalysis) -> dict[str, dict[str, dict[str, float]]]:
    """Actor → issue → ``{low, high}`` for every acceptable range narrower than the issue's bounds."""
    p = an.problem
    out: dict[str, dict[str, dict[str, float]]] = {}
    for i in range(p.n_actors):
        for j in range(p.n_issues):
            lo, hi = (float(x) for x in p.acceptable[i, j])
            if lo > p.bounds[j, 0] or hi < p.bounds[j, 1]:
                out.setdefault(p.actors[i], {})[p.issues[j]] = {"low": _r(lo), "high": _r(hi)}
    return out


def conditions_json(an: DealAnalysis) -> list[dict[str, Any]]:
    p = an.problem
    return [
        {"issue": p.issues[c.issue], "on": p.issues[c.on], "op": c.op, "value": _r(c.value)}
        for c in p.conditions
    ]


# ------------------------------------------------------------------------------------------ JSON
def _package(an: DealAnalysis, row: int) -> dict[str, Any]:
    res, p = an.result, an.problem
    vals = res.values[row]
    util = p.utility(vals)
    moot = p.moot(vals)
    moves = (vals != p.status_quo) & ~moot
    changes = [gid for g, gid in enumerate(p.agreement_ids) if moves[p.group == g].any()]
    return {
        "values": {d: _r(v) for d, v in zip(p.issues, vals, strict=True)},
        "labels": {
            d: (None if m else an.label(d, float(v))) for d, v, m in zip(p.issues, vals, moot, strict=True)
        },
        "moves": [d for d, mv in zip(p.issues, moves, strict=True) if mv],
        "moot": [d for d, m in zip(p.issues, moot, strict=True) if m],
        "agreements": changes,
        "utility": {a: _r(u) for a, u in zip(p.actors, util, strict=True)},
        "gain": {a: _r(g) for a, g in zip(p.actors, res.gains[row], strict=True)},
        "joint_gain": _r(res.joint[row]),
    }


def _concession(an: DealAnalysis, c: Concession | None) -> dict[str, Any] | None:
    if c is None:
        return None
    p = an.problem
    return {
        "actor": an.actors[c.actor],
        "field": c.field,
        "issue": an.issues[c.issue],
        "from": _r(c.old),
        "to": _r(c.new),
        "size": _r(c.size),
        "n_feasible": c.n_feasible,
        "agreement": p.agreement_ids[c.agreement if c.agreement is not None else int(p.group[c.issue])],
        "n_opened": c.n_opened,
        "red_line": c.field.startswith("acceptable_"),
        "text": an.concession_text(c),
    }


def _evaluation(an: DealAnalysis, ev: Evaluation) -> dict[str, Any]:
    p = an.problem
    ids = p.agreement_ids
    return {
        "values": {d: _r(v) for d, v in zip(p.issues, ev.values, strict=True)},
        "given": {
            d: _r(v) for d, v in zip(p.issues, ev.given if ev.given is not None else ev.values, strict=True)
        },
        "moot": [d for d, m in zip(p.issues, ev.moot, strict=True) if m],
        "changes": [ids[g] for g in range(p.n_groups) if ev.active[g]],
        "agreements": {ids[g]: ok for g, ok in ev.agreements.items() if ev.active[g]},
        "gain": {a: _r(g) for a, g in zip(p.actors, ev.gain, strict=True)},
        "accepts": {p.actors[i]: ok for i, ok in ev.accepts.items()},
        "refusals": {
            p.actors[i]: (p.issues[j] if j is not None else None) for i, j in ev.turning_issue.items()
        },
        "refused_by": {
            p.actors[i]: {
                "issue": p.issues[j] if j is not None else None,
                "reason": ev.reasons.get(i),
                "agreement": ids[ev.refused_in[i]] if i in ev.refused_in else None,
            }
            for i, j in ev.turning_issue.items()
        },
        "breaches": {p.actors[i]: [p.issues[j] for j in js] for i, js in ev.breaches.items()},
        "feasible": ev.feasible,
    }


def _precedent(an: DealAnalysis, pr: Precedent) -> dict[str, Any]:
    return {
        "scenario": pr.scenario,
        "id": pr.analogue_id,
        "note": pr.note,
        "mapped": pr.mapped,
        "terms": {
            d: {
                "key": t.key,
                "fixed": t.fixed,
                "value": None if t.value is None else _r(t.value),
                "note": t.note,
            }
            for d, t in pr.terms.items()
        },
        "missing": pr.missing,
        "outside_deal": pr.outside_deal,
        "error": pr.error,
        **(_evaluation(an, pr.evaluation) if pr.evaluation is not None else {}),
    }


def deals_to_json(analysis: DealAnalysis) -> dict[str, Any]:
    """The documented JSON form of a deal analysis (keys in ``docs/deals.md`` and ``docs/cli.md``)."""
    an, res, p = analysis, analysis.result, analysis.problem
    top = [int(r) for r in res.ranking[:TOP]]
    linkage = [
        {
            "issue": d,
            "agreement": p.agreement_ids[int(p.group[j])],
            "single_issue_deal": bool(res.single_issue[j]),
            "in_feasible_package": bool(res.in_package[j]),
            "linked": bool(res.linked[j]),
        }
        for j, d in enumerate(p.issues)
    ]
    fav = {
        p.actors[i]: (_package(an, int(res.favourites[i])) if res.favourites[i] >= 0 else None)
        for i in range(p.n_actors)
    }
    return {
        "scenario": an.scenario,
        "title": an.title,
        "method": res.method,
        "params": an.params,
        "actors": list(p.actors),
        "issues": list(p.issues),
        "parties": an.parties,
        "veto_holders": an.veto_holders,
        "agreements": agreements_json(an),
        "red_lines": red_lines(an),
        "conditions": conditions_json(an),
        "options": {d: [_r(v) for v in o] for d, o in zip(p.issues, p.options, strict=True)},
        "status_quo": {d: _r(v) for d, v in zip(p.issues, p.status_quo, strict=True)},
        "n_packages": int(res.n_packages),
        "feasible": res.n_feasible > 0,
        "n_feasible": res.n_feasible,
        "if_linked": res.if_linked,
        "packages": [_package(an, r) for r in top],
        "n_frontier": int(res.frontier.size),
        "frontier": [_package(an, int(r)) for r in res.frontier[:MAX_FRONTIER]],
        "nash": _package(an, res.nash) if res.nash >= 0 else None,
        "kalai_smorodinsky": _package(an, res.kalai_smorodinsky) if res.kalai_smorodinsky >= 0 else None,
        "favourites": fav,
        "veto_effects": {p.actors[i]: n for i, n in res.veto_effects.items()},
        "consent_effects": {p.actors[i]: n for i, n in res.consent_effects.items()},
        "concessions": {p.actors[i]: _concession(an, c) for i, c in res.concessions.items()},
        "linkage": linkage,
        "precedents": [_precedent(an, pr) for pr in an.precedents],
    }
