"""The built-in scenarios: they load, every number has provenance, the flagship has its required shape,
analogue maps point at real outcomes, the EC case reproduces the published compromise, and files survive
a dump/load round trip."""

from __future__ import annotations

import pytest

import realpolitik as rp
from realpolitik.scenario import builtin_ids, dumps, iter_quantities, load, parse_text

EXPECTED = {
    "japan-russia-2016",
    "japan-russia-2022",
    "german-unification-1990",
    "nato-enlargement-1997",
    "ec-emissions-1994",
}
FLAGSHIPS = ("japan-russia-2016", "japan-russia-2022")
FLAGSHIP_ISSUES = {"territory", "military_status", "economic_cooperation", "russia_china_front"}


@pytest.fixture(scope="module")
def scenarios() -> dict[str, rp.Scenario]:
    return {sid: load(sid) for sid in builtin_ids()}


def test_every_expected_builtin_is_shipped(scenarios):
    assert EXPECTED <= set(scenarios)


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_builtin_loads_under_its_own_id(sid):
    s = load(sid)
    assert s.id == sid
    assert s.actors and s.issues


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_every_number_has_a_source_and_judgment_has_a_note(sid):
    s = load(sid)
    quantities = list(iter_quantities(s))
    assert quantities
    unsourced = [p for p, q in quantities if q.source is None]
    assert not unsourced, f"numbers without a source: {unsourced}"
    judgment = {k for k, src in s.sources.items() if src.kind == "judgment"}
    bare = [p for p, q in quantities if q.source in judgment and not (q.note and q.note.strip())]
    assert not bare, f"judgment without a note: {bare}"


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_every_stance_is_sourced_or_judgment_with_a_note(sid):
    """Positions and saliences in particular: a stance coded from a source is still judgment unless
    the source publishes the number (only the EC case does)."""
    s = load(sid)
    for aid, row in s.positions.items():
        for iid, st in row.items():
            for q in (st.position, st.salience):
                assert q.source in s.sources, (aid, iid)
                if s.sources[q.source].kind == "judgment":
                    assert q.note, (aid, iid)


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_relation_and_link_sources_exist(sid):
    s = load(sid)
    for rel in s.relations:
        assert rel.value.source in s.sources
    for link in s.environment.links:
        assert link.source in s.sources
        assert s.sources[link.source].kind != "judgment" or link.note


@pytest.mark.parametrize("sid", FLAGSHIPS)
def test_flagship_shape(sid):
    s = load(sid)
    assert {"JPN", "RUS", "CHN", "USA"} <= set(s.actor_ids)
    assert FLAGSHIP_ISSUES <= set(s.issue_ids)
    assert s.parties == ["JPN", "RUS"]
    assert any(v.actor == "USA" and "military_status" in v.issues for v in s.vetoes)
    for iss in s.issues:
        assert iss.status_quo is not None, iss.id
        assert iss.labels, iss.id
    for aid in ("JPN", "RUS"):
        for iid in FLAGSHIP_ISSUES:
            st = s.stance(aid, iid)
            assert st is not None, (aid, iid)
            assert 0 <= st.salience.value <= 1
    # capabilities are COW CINC from a dataset source
    for a in s.actors:
        assert a.capability is not None
        assert s.sources[a.capability.source].kind == "dataset"
    kinds = {(r.from_, r.to, r.kind) for r in s.relations}
    assert ("USA", "JPN", "alliance") in kinds
    assert ("RUS", "CHN", "affinity") in kinds
    assert ("RUS", "USA", "rivalry") in kinds
    # who must agree (DESIGN §4a): the peace treaty, the conditional military status, the unilateral front
    treaty = next(a for a in s.agreements if a.id == "peace_treaty")
    assert treaty.issues == ["territory", "military_status"] and treaty.signers == ["JPN", "RUS"]
    cond = s.issue("military_status").applies_if
    assert [(c.issue, c.op, c.value) for c in cond] == [("territory", ">", 0.0)]
    assert s.rule_of("economic_cooperation").kind == "consent"
    front = s.rule_of("russia_china_front")
    assert (front.kind, front.decider) == ("unilateral", "RUS")
    veto = next(v for v in s.vetoes if v.actor == "USA")
    assert veto.relation is not None and (veto.relation.kind, veto.relation.to) == ("alliance", "JPN")
    # red lines, not ideal points: Russia wants to keep the islands and accepts at most the 1956 basis
    rus = s.stance("RUS", "territory")
    assert rus.position.value == 0 and rus.acceptable is not None and rus.acceptable.high is not None
    assert rus.acceptable.high.value <= 6.9
    usa = s.stance("USA", "military_status")
    assert usa.acceptable is not None and usa.acceptable.low is not None
    # no hand-set no-deal values
    assert not s.disagreement
    ind = s.environment.indicators["china_assertiveness"]
    assert (ind.series, ind.column, ind.scale) == (
        "senkaku_chinese_government_vessels",
        "contiguous_zone_days",
        (0.0, 365.0),
    )


def test_flagship_territory_scale_uses_the_area_shares():
    iss = load("japan-russia-2016").issue("territory")
    assert set(iss.labels) == {0.0, 6.9, 36.7, 100.0}
    assert iss.bounds == (0.0, 100.0)


def test_flagship_cinc_matches_the_case_data():
    s = load("japan-russia-2016")
    cinc = {"USA": 0.13306, "CHN": 0.23062, "JPN": 0.03297, "RUS": 0.03647}
    for aid, v in cinc.items():
        assert s.actor(aid).capability.value == pytest.approx(v)


def test_2022_moves_with_the_facts():
    old, new = load("japan-russia-2016"), load("japan-russia-2022")
    assert new.as_of.year == 2022
    # Russia's constitution bans ceding territory; the Russia-China front deepens; economic ties collapse
    red_new = new.stance("RUS", "territory").acceptable.high.value
    red_old = old.stance("RUS", "territory").acceptable.high.value
    assert red_new == 0 < red_old
    assert new.stance("JPN", "economic_cooperation").acceptable.high.value == new.issue(
        "economic_cooperation"
    ).status_quo.value  # sanctions: no cooperation beyond what remains
    assert new.issue("russia_china_front").status_quo.value > old.issue("russia_china_front").status_quo.value
    assert (
        new.issue("economic_cooperation").status_quo.value
        < old.issue("economic_cooperation").status_quo.value
    )
    assert (
        new.stance("JPN", "economic_cooperation").position.value
        < old.stance("JPN", "economic_cooperation").position.value
    )


@pytest.mark.parametrize("sid", FLAGSHIPS)
def test_analogue_maps_point_at_outcomes(sid):
    s = load(sid)
    targets = {a.scenario for a in s.analogues}
    assert {"german-unification-1990", "nato-enlargement-1997"} <= targets
    for an in s.analogues:
        other = load(an.scenario)
        assert an.maps
        for here, there in an.maps.items():
            assert here in s.issue_ids
            if not isinstance(there, str):  # a fixed value with its reason (the territory it is applied to)
                assert there.value is not None and there.note
                continue
            assert there in other.issue_ids, (an.scenario, there)
            assert there in other.outcome, (an.scenario, there)
            # the same 0-100 meaning: same bounds, and the outcome is a labelled point of both scales
            assert other.issue(there).bounds == s.issue(here).bounds
        # a precedent carries every issue it settles: military status applies only to returned islands
        assert "territory" in an.maps and "military_status" in an.maps
    mapped = {iid for an in s.analogues for iid in an.maps}
    assert "military_status" in mapped and "economic_cooperation" in mapped


@pytest.mark.parametrize("sid", ["german-unification-1990", "nato-enlargement-1997"])
def test_analogues_signed_outcome_is_accepted_by_their_signers(sid):
    """Coherence, not a fit: the package each analogue's signers signed must pass the acceptance test
    under the analogue's own data (every agreement the outcome changes is accepted by all its rows)."""
    import numpy as np

    from realpolitik.deals import problem_from_scenario
    from realpolitik.deals.analysis import evaluate

    s = load(sid)
    d = problem_from_scenario(s)
    values = np.array([s.outcome[k].value for k in d.issues])
    ev = evaluate(d, values)
    assert ev.active.any()
    for g, name in enumerate(d.group_ids):
        if ev.active[g]:
            assert ev.agreements[g], (name, ev.accepts, ev.turning_issue)


def test_common_forces_scale_is_shared():
    """military_status, foreign_forces and permanent_forces carry the same labelled points."""
    jr = load("japan-russia-2016").issue("military_status")
    gu = load("german-unification-1990").issue("foreign_forces")
    ne = load("nato-enlargement-1997").issue("permanent_forces")
    assert set(jr.labels) == set(gu.labels) == set(ne.labels)
    assert gu.labels == ne.labels
    assert load("german-unification-1990").outcome["foreign_forces"].value in gu.labels
    assert load("nato-enlargement-1997").outcome["permanent_forces"].value in ne.labels


@pytest.mark.parametrize("sid", ["german-unification-1990", "nato-enlargement-1997", "ec-emissions-1994"])
def test_historical_cases_have_an_outcome_per_issue(sid):
    s = load(sid)
    assert set(s.outcome) == set(s.issue_ids)


def test_analogue_capabilities_from_cinc_table():
    s = load("german-unification-1990")
    for aid, v in {"USSR": 0.1295, "USA": 0.1413, "FRG": 0.0277, "GDR": 0.0062}.items():
        assert s.actor(aid).capability.value == pytest.approx(v)
        assert s.actor(aid).capability.source == "nmc6"
    assert load("nato-enlargement-1997").actor("RUS").capability.value == pytest.approx(0.0560)


def test_ec_emissions_compromise_matches_the_reference():
    s = load("ec-emissions-1994")
    f = rp.forecast(s, model="compromise")
    assert round(f.outcome["emission_standards"], 5) == 7.38996
    assert s.outcome["emission_standards"].value == pytest.approx(8.833)
    assert len(s.actors) == 10
    assert s.issue("emission_standards").bounds == (4.0, 10.0)


def test_ec_emissions_matches_the_reference_input(shared_dir):
    import csv

    with open(shared_dir / "reference/eum/emission_standards/input.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    s = load("ec-emissions-1994")
    assert [r["actor"] for r in rows] == s.actor_ids
    for r in rows:
        st = s.stance(r["actor"], "emission_standards")
        assert s.actor(r["actor"]).capability.value == pytest.approx(float(r["capability"]))
        assert st.position.value == pytest.approx(float(r["position"]))
        assert st.salience.value == pytest.approx(float(r["salience"]) / 100)


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_yaml_round_trip(sid):
    s = load(sid)
    again = parse_text(dumps(s), f"<dump {sid}>")
    assert again == s
    assert parse_text(dumps(s, "json"), f"<dump {sid}>", fmt="json") == s
