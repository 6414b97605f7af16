"""Relations do work: alliance()/rivalry() drivers, shadowing indicators, vetoes, red-line links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from realpolitik.cli import app
from realpolitik.deals.rules import decision_structure
from realpolitik.environment import LinkError, prepare, resolve, resolved_scenario
from realpolitik.scenario import from_dict


def scenario(
    relations: list[dict[str, Any]],
    links: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **extra: Any,
) -> dict[str, Any]:
    """Japan, Russia and the U.S.; territory 0-100 (Russia keeps all at 0) and a 0-1 alignment issue."""
    d: dict[str, Any] = {
        "id": "rel",
        "title": "relations test",
        "as_of": "2016-12-31",
        "actors": [
            {"id": "JPN", "name": "Japan", "capability": 0.033},
            {"id": "RUS", "name": "Russia", "capability": 0.036},
            {"id": "USA", "name": "United States", "capability": 0.133},
        ],
        "issues": [
            {"id": "territory", "name": "T", "bounds": [0, 100], "status_quo": 0},
            {"id": "align", "name": "A", "bounds": [0, 1], "status_quo": 0.5},
        ],
        "positions": {
            "JPN": {
                "territory": {"position": 100, "salience": 0.9},
                "align": {"position": 0, "salience": 0.3},
            },
            "RUS": {
                "territory": {"position": 10, "salience": 0.8},
                "align": {"position": 1, "salience": 0.4},
            },
            "USA": {"align": {"position": 0, "salience": 0.5}},
        },
        "relations": relations,
        "parties": ["JPN", "RUS"],
        "environment": {"links": list(links)},
    }
    d.update(extra)
    return d


ALLIANCE = {"from": "USA", "to": "JPN", "kind": "alliance", "value": 0.8}
RIVALRY = {"from": "RUS", "to": "USA", "kind": "rivalry", "value": 0.5}


def unused(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "drives nothing" in w]


def test_alliance_drives_a_link_and_is_recorded_as_read() -> None:
    link = {"target": "JPN.salience.align", "driver": "alliance(USA, JPN)", "base": 0.2, "gain": 0.5}
    s = from_dict(scenario([ALLIANCE, RIVALRY], [link]))
    r = resolve(s)
    assert r.problem.salience[0, 1] == pytest.approx(0.2 + 0.5 * 0.8)
    assert r.trace.drivers["alliance(USA, JPN)"] == pytest.approx(0.8)
    assert r.trace.relations == {"USA->JPN alliance": 0.8}
    assert r.trace.links[0].relations == ("USA->JPN alliance",)
    p = prepare(s)
    assert p.relation_uses["USA->JPN alliance"] == ["links[0] (JPN.salience.align)"]
    # the rivalry is read by nothing: exactly one warning, naming it and why
    assert unused(p.warnings) == [
        "relation RUS->USA rivalry drives nothing: no link reads it (through rivalry(RUS, USA)) "
        "and no veto rests on it"
    ]
    json.dumps(r.trace.to_json())


def test_rivalry_is_clipped_to_the_unit_interval_and_overrides_read_no_relation() -> None:
    link = {"target": "RUS.salience.align", "driver": "rivalry(RUS, USA)", "base": 0.1, "gain": 0.8}
    s = from_dict(scenario([{**RIVALRY, "value": -0.4}], [link]))
    r = resolve(s)
    assert r.trace.drivers["rivalry(RUS, USA)"] == 0.0  # a negative strength is no rivalry
    assert r.problem.salience[1, 1] == pytest.approx(0.1)
    assert unused(prepare(s).warnings) == []  # read at as_of, so it drives the link
    over = resolve(s, {"rivalry(RUS, USA)": 1.0})
    assert over.trace.relations == {} and over.problem.salience[1, 1] == pytest.approx(0.9)


def test_relations_are_directed() -> None:
    link = {"target": "JPN.salience.align", "driver": "alliance(JPN, USA)", "base": 0.2, "gain": 0.5}
    r = resolve(from_dict(scenario([ALLIANCE], [link])))
    assert not r.trace.links[0].applied and r.problem.salience[0, 1] == 0.3
    assert any("no alliance of JPN toward USA" in w and "directed" in w for w in r.trace.warnings)
    assert any(w.startswith("relation USA->JPN alliance drives nothing") for w in r.trace.warnings)


def test_an_indicator_measuring_the_dyad_shadows_the_relation() -> None:
    indicators = {
        "rus_us_tension": {"value": 30, "scale": [0, 100], "measures": "rivalry", "dyad": ["RUS", "USA"]},
    }
    link = {"target": "RUS.salience.align", "driver": "rivalry(RUS, USA)", "base": 0.0, "gain": 1.0}
    d = scenario([RIVALRY], [link])
    d["environment"]["indicators"] = indicators
    s = from_dict(d)
    r = resolve(s)
    assert r.problem.salience[1, 1] == pytest.approx(0.3)  # the indicator, not the relation's 0.5
    assert r.trace.relations == {}
    assert unused(prepare(s).warnings) == [
        "relation RUS->USA rivalry drives nothing: indicator rus_us_tension measures that dyad's rivalry, "
        "so rivalry(RUS, USA) reads the indicator, not the relation, and no veto rests on it"
    ]


def test_threat_relation_reaches_threat_through_hostility() -> None:
    rel = {"from": "RUS", "to": "JPN", "kind": "threat", "value": 0.6}
    link = {"target": "JPN.salience.align", "driver": "threat(RUS, JPN)", "base": 0.0, "gain": 1.0}
    d = scenario([rel], [link])
    d["environment"]["proximity"] = {"RUS-JPN": 1.0}
    r = resolve(from_dict(d))
    share = 0.03647 / (0.03647 + 0.03297)  # CINC 2016 from the built-in capabilities series
    assert r.problem.salience[0, 1] == pytest.approx(share * 0.6)
    assert r.trace.relations == {"RUS->JPN threat": 0.6}


def test_a_veto_resting_on_a_relation_uses_it_and_lapses_at_zero() -> None:
    veto = {"actor": "USA", "issues": ["territory"], "relation": {"kind": "alliance", "to": "JPN"}}
    s = from_dict(scenario([ALLIANCE], vetoes=[veto]))
    p = prepare(s)
    assert p.relation_uses["USA->JPN alliance"] == ["veto of USA on territory"]
    assert unused(p.warnings) == []
    assert decision_structure(s).vetoes == {"USA": ("territory",)}
    lapsed = from_dict(scenario([{**ALLIANCE, "value": 0.0}], vetoes=[veto]))
    assert unused(prepare(lapsed).warnings) == []  # still what decides the veto
    assert decision_structure(lapsed).vetoes == {}


def test_a_repeated_relation_is_flagged() -> None:
    link = {"target": "JPN.salience.align", "driver": "alliance(USA, JPN)", "base": 0.0, "gain": 1.0}
    p = prepare(from_dict(scenario([ALLIANCE, {**ALLIANCE, "value": 0.2}], [link])))
    assert unused(p.warnings) == [
        "relation USA->JPN alliance (relations[1]) drives nothing: relations[0] is the same relation and is "
        "the one read"
    ]


# ------------------------------------------------------------------------------------------ red lines
RED_LINE = {
    "target": "RUS.acceptable_high.territory",
    "driver": "rivalry(RUS, USA)",
    "base": 50,
    "gain": -60,
    "note": "the sharper the rivalry with the U.S., the fewer islands Moscow could sign away",
}


def test_a_red_line_link_creates_and_moves_the_acceptable_range() -> None:
    s = from_dict(scenario([RIVALRY], [RED_LINE]))
    r = resolve(s)
    assert r.problem.acceptable is not None  # the scenario has none: created from the bounds
    np.testing.assert_array_equal(r.problem.acceptable[0, 0], [0, 100])
    assert r.problem.acceptable[1, 0, 1] == pytest.approx(50 - 60 * 0.5)  # 20
    np.testing.assert_array_equal(r.problem.acceptable[:, 1], [[0, 1]] * 3)
    assert r.problem.position[1, 0] == 10
    # written back into a scenario copy, resolving that copy gives the same range
    again = resolve(resolved_scenario(s, r)).problem
    np.testing.assert_allclose(again.acceptable, r.problem.acceptable)


def test_a_red_line_link_never_excludes_the_ideal_point() -> None:
    s = from_dict(scenario([{**RIVALRY, "value": 0.9}], [RED_LINE]))  # 50 - 54 = -4 -> 0 -> ideal point 10
    r = resolve(s)
    (e,) = r.trace.links
    assert r.problem.acceptable[1, 0, 1] == 10 and e.value == 10 and e.clipped
    assert "ideal point 10" in (e.reason or "")
    w = [x for x in prepare(s).warnings if "acceptable_high" in x]
    assert w == [
        "rel: environment.links[0] (RUS.acceptable_high.territory) at 2016-12-31: 0 would exclude RUS's own "
        "ideal point 10 on territory; clipped to 10 (a red line never excludes what the actor wants most)"
    ]
    # the same at a swept point, but no warning about as_of when it holds there
    ok = from_dict(scenario([RIVALRY], [RED_LINE]))
    point = resolve(ok, {"rivalry(RUS, USA)": 1.0})
    assert point.problem.acceptable[1, 0, 1] == 10 and point.trace.links[0].clipped
    assert not any("acceptable_high" in x for x in point.trace.warnings)


def test_a_position_link_stays_inside_the_actors_red_line() -> None:
    d = scenario(
        [RIVALRY],
        [{"target": "RUS.position.territory", "driver": "rivalry(RUS, USA)", "base": 0, "gain": 80}],
    )
    d["positions"]["RUS"]["territory"]["acceptable"] = {"high": 25}
    r = resolve(from_dict(d))
    (e,) = r.trace.links
    assert r.problem.position[1, 0] == 25 and e.clipped and "acceptable range [0, 25]" in (e.reason or "")


def test_red_line_link_on_a_missing_stance_is_an_error() -> None:
    bad = {**RED_LINE, "target": "USA.acceptable_low.territory"}
    with pytest.raises(LinkError, match=r"links\[0\]\.target: USA has no stance on territory"):
        prepare(from_dict(scenario([RIVALRY], [bad])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    x=st.floats(0, 100),
    base=st.floats(-50, 150),
    gain=st.floats(-100, 100),
    value=st.floats(0, 1),
    end=st.sampled_from(["acceptable_low", "acceptable_high"]),
)
def test_red_line_links_keep_every_ideal_point_inside(
    x: float, base: float, gain: float, value: float, end: str
) -> None:
    link = {"target": f"RUS.{end}.territory", "driver": "rivalry(RUS, USA)", "base": base, "gain": gain}
    d = scenario([{**RIVALRY, "value": value}], [link])
    d["positions"]["RUS"]["territory"]["position"] = x
    p = resolve(from_dict(d)).problem
    assert p.acceptable is not None
    lo, hi = p.acceptable[1, 0]
    assert 0 <= lo <= x <= hi <= 100


def test_validate_prints_one_line_per_idle_relation(tmp_path: Path) -> None:
    import yaml

    f = tmp_path / "rel.yaml"
    f.write_text(yaml.safe_dump(scenario([ALLIANCE, RIVALRY])), encoding="utf-8")
    res = CliRunner().invoke(app, ["validate", str(f)], terminal_width=400)
    assert res.exit_code == 0
    lines = [ln for ln in res.output.splitlines() if "drives nothing" in ln]
    assert len(lines) == 2 and "relation USA->JPN alliance drives nothing" in lines[0]
