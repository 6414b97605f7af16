"""The scenario layer: building the arrays, JSON, rendering, sentences, precedents, the probe."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from realpolitik.forecast import scenario_problem
from realpolitik.scenario import ScenarioError, builtin_ids, dumps, from_dict

from .helpers import islands

# ``realpolitik.deals`` the attribute is the function rp.deals; the subpackage is in sys.modules
D = importlib.import_module("realpolitik.deals")

KEYS = {
    "scenario", "method", "n_packages", "feasible", "n_feasible", "packages", "frontier", "nash",
    "kalai_smorodinsky", "favourites", "veto_effects", "concessions", "linkage", "precedents",
}  # fmt: skip


def test_problem_from_scenario_arrays() -> None:
    p = D.problem_from_scenario(islands())
    assert p.actors == ("JPN", "RUS", "USA") and p.issues == ("territory", "military", "economy")
    assert p.party.tolist() == [True, True, False]
    assert p.veto.tolist() == [[False] * 3, [False] * 3, [False, True, False]]
    assert p.options[0].tolist() == [0, 7, 37, 100]  # labels
    assert p.options[2].size == 21  # no labels: the grid (status quo 20 is on it)
    assert p.salience[2, 0] == 0  # no stance: indifferent
    assert D.problem_from_scenario(islands(), options="grid").options[0].size == 21


def test_json_has_the_documented_keys_and_serialises() -> None:
    a = D.deals(islands())
    j = D.deals_to_json(a)
    assert KEYS <= set(j)
    json.dumps(j)
    assert j["method"] == "enumerated" and j["feasible"] == (j["n_feasible"] > 0)
    assert j["n_packages"] == 4 * 3 * 21
    top = j["packages"]
    assert top and set(top[0]) >= {"values", "utility", "gain", "joint_gain"}
    assert [p["joint_gain"] for p in top] == sorted((p["joint_gain"] for p in top), reverse=True)
    assert j["nash"] in j["frontier"] and j["kalai_smorodinsky"] in j["frontier"]
    assert set(j["veto_effects"]) == {"USA"} and j["veto_effects"]["USA"] >= j["n_feasible"]
    assert {x["issue"] for x in j["linkage"]} == {"territory", "military", "economy"}
    assert j["concessions"] == {}  # a deal exists


def test_render_and_sentences() -> None:
    a = D.deals(islands())
    con = Console(record=True, width=160)
    D.render_deals(a, con)
    text = con.export_text()
    assert "Nash" in text and "Linkage" in text
    sents = D.summary_sentences(a)
    assert sents[0].startswith(f"{a.n_feasible} of {a.n_packages} packages")
    assert any("Nash" in s for s in sents)


def test_no_deal_reports_a_concession() -> None:
    s = islands()
    s.positions["RUS"]["economy"].position.value = 20  # nothing left to compensate Russia with
    s.positions["JPN"]["economy"].position.value = 20
    a = D.deals(s)
    j = a.to_json()
    assert not j["feasible"] and j["nash"] is None
    best = min((c for c in j["concessions"].values() if c), key=lambda c: c["size"])
    assert best["n_feasible"] > 0
    assert set(best) == {
        "actor", "field", "issue", "from", "to", "size", "n_feasible", "agreement", "n_opened", "red_line", "text",
    }  # fmt: skip
    assert best["n_opened"] > 0 and best["agreement"] == "treaty"
    assert any("smallest single concession" in x for x in D.summary_sentences(a))


def test_declared_disagreement_point_moves_a_veto() -> None:
    base = D.deals(islands())
    assert base.result.veto_effects[2] > base.n_feasible  # the U.S. veto binds from the status quo
    # if no deal meant the worst military status for the United States, its veto could never bind
    a = D.deals(islands(), disagreement={"USA": {"military": 100}})
    assert a.n_feasible == base.result.veto_effects[2] == a.result.veto_effects[2]


def test_search_mode_from_a_scenario() -> None:
    a = D.deals(islands(), max_enumerate=10, seed=1)
    b = D.deals(islands())
    assert a.method == "search" and a.to_json()["method"] == "search"
    assert {tuple(r) for r in a.result.values} <= {tuple(r) for r in b.result.values}


def _analogue(tmp_path: Path) -> Path:
    analogue = from_dict(
        {
            "id": "test-analogue",
            "title": "Analogue",
            "actors": [{"id": "X", "name": "X"}],
            "issues": [
                {"id": "forces", "name": "Forces", "bounds": [0, 10], "status_quo": 0},
                {"id": "money", "name": "Money", "status_quo": 0},
            ],
            "positions": {"X": {"forces": {"position": 0, "salience": 1}}},
            "outcome": {"forces": 5, "money": 50},
        }
    )
    path = tmp_path / "analogue.yaml"
    path.write_text(dumps(analogue, "yaml"))
    return path


def test_precedent_mapped_and_judged(tmp_path: Path) -> None:
    path = _analogue(tmp_path)
    note = "the precedent settles forces on territory that changes hands"
    s = islands(
        analogues=[
            {
                "scenario": str(path),
                "maps": {
                    "territory": {"value": 7, "note": note},
                    "military": "forces",
                    "economy": "outcome.money",
                },
            },
            {
                "scenario": str(tmp_path / "missing.yaml"),
                "maps": {"territory": {"value": 7}, "military": "forces"},
            },
        ]
    )
    assert "outside the scenario's folder" in (D.deals(s).precedents[0].error or "")
    s.allow_paths = True  # the analogue lies outside the working directory (this scenario's folder)
    a = D.deals(s)
    pr = a.precedents[0]
    assert pr.analogue_id == "test-analogue"
    assert pr.mapped == {"territory": "value 7", "military": "forces", "economy": "money"}
    assert pr.terms["territory"] == D.Term(key=None, fixed=7.0, note=note, value=7.0)
    assert pr.terms["military"].key == "forces" and pr.terms["military"].value == 50.0
    assert pr.evaluation is not None
    assert pr.evaluation.values.tolist() == [7.0, 50.0, 50.0]  # 5 of 0..10 rescaled to 0..100
    assert not pr.evaluation.moot.any()
    acc = pr.evaluation.accepts
    assert acc[2] is False and pr.evaluation.turning_issue[2] == 1  # USA refuses on military
    assert pr.evaluation.reasons[2] == "loss" and pr.evaluation.refused_in[2] == 0  # in the treaty
    assert a.precedents[1].error and a.precedents[1].evaluation is None
    j = a.to_json()["precedents"]
    assert j[0]["refusals"]["USA"] == "military" and j[0]["feasible"] is False
    assert j[0]["refused_by"]["USA"] == {"issue": "military", "reason": "loss", "agreement": "treaty"}
    assert j[0]["terms"]["territory"] == {"key": None, "fixed": 7.0, "value": 7.0, "note": note}
    assert j[1]["error"]


def test_precedent_without_the_territory_it_is_about_is_moot(tmp_path: Path) -> None:
    """Forces on islands nobody hands over are not a package (issue 10: the precedents' artefact).
    Validation refuses such a mapping; judged anyway, the forces are moot and the package changes nothing."""
    path = _analogue(tmp_path)
    with pytest.raises(ScenarioError, match="territory"):
        islands(analogues=[{"scenario": str(path), "maps": {"military": "forces"}}])
    ev = D.evaluate(D.problem_from_scenario(islands()), np.array([0.0, 50.0, 20.0]))
    assert ev.given is not None and ev.given.tolist() == [0.0, 50.0, 20.0]
    assert ev.values.tolist() == [0.0, 0.0, 20.0]  # military held at its status quo
    assert ev.moot.tolist() == [False, True, False]
    assert not ev.active.any() and not ev.feasible


def test_missing_status_quo_is_reported() -> None:
    s = islands()
    s.issues[2].status_quo = None
    with pytest.raises(D.DealInputError, match=r"status quo.*economy"):
        D.deals(s)


def test_deal_exists_probe_batched() -> None:
    s = islands()
    p = scenario_problem(s)
    assert bool(D.deal_exists(s)) == D.deals(s).feasible
    sal = p.salience.copy()
    sal[1, 2] = 0.0  # Russia stops caring about the economy: nothing to trade
    from dataclasses import replace

    other = replace(p, salience=sal)
    flags = D.deal_exists(s, p.stack([other]))
    assert flags.shape == (2,)
    assert flags[0] == D.deals(s).feasible
    assert bool(flags[1]) == (D.analyse(D.problem_from_scenario(s, other)).n_feasible > 0)


@pytest.mark.skipif("japan-russia-2016" not in builtin_ids(), reason="built-in not written yet")
def test_flagship_runs() -> None:
    a = D.deals("japan-russia-2016")
    j = a.to_json()
    assert KEYS <= set(j) and j["parties"] == ["JPN", "RUS"]
    assert "USA" in j["veto_effects"]
    assert len(j["precedents"]) >= 1
    assert np.isfinite(a.result.gains).all()
