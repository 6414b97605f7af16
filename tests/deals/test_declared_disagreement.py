"""A scenario can declare an actor's no-deal expectation; validation checks it and deals use it."""

from __future__ import annotations

import pytest

import realpolitik as rp
from realpolitik.scenario import ScenarioError, from_dict

BASE = {
    "id": "t",
    "title": "t",
    "actors": [
        {"id": "A", "name": "A", "capability": 1},
        {"id": "B", "name": "B", "capability": 1},
        {"id": "V", "name": "V", "capability": 1},
    ],
    "issues": [{"id": "x", "name": "x", "status_quo": 0, "labels": {0: "none", 50: "half", 100: "all"}}],
    "positions": {
        "A": {"x": {"position": 100, "salience": 1}},
        "B": {"x": {"position": 40, "salience": 1}},
        "V": {"x": {"position": 100, "salience": 1}},
    },
    "parties": ["A", "B"],
    "vetoes": [{"actor": "V", "issues": ["x"]}],
}


def test_declared_disagreement_makes_a_veto_bind() -> None:
    free = rp.deals(from_dict(BASE))
    assert free.result.n_feasible > 0
    bound = rp.deals(from_dict({**BASE, "disagreement": {"V": {"x": 100}}}))
    assert bound.result.n_feasible == 0  # V expects 100 without a deal; B refuses 100 itself
    assert bound.result.veto_effects[2] == free.result.n_feasible


def test_declared_disagreement_is_validated() -> None:
    with pytest.raises(ScenarioError) as err:
        from_dict({**BASE, "disagreement": {"W": {"x": 1}, "V": {"y": 1, "x": 200}}}, "f.yaml")
    text = str(err.value)
    assert "disagreement.W: unknown actor 'W'" in text
    assert "disagreement.V.y: unknown issue 'y'" in text
    assert "disagreement.V.x: expected a value within the issue's bounds [0, 100], got 200" in text


def test_flagship_no_treaty() -> None:
    """The essay's reading: no package changes the peace treaty (economic cooperation, agreed on its own
    under DESIGN §4a, can move); Russia refuses every precedent on the islands' military status."""
    d = rp.deals("japan-russia-2016").to_json()
    treaty = next(ag for ag in d["agreements"] if "territory" in ag["issues"])
    assert treaty["changed"] is False
    assert all("territory" not in p["moves"] for p in d["packages"])
    for p in d["precedents"]:
        assert p["refusals"]["RUS"] == "military_status"
