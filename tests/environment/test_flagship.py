"""The flagship case: japan-russia-2016 links Japan's stance toward Russia to the threat from China."""

from __future__ import annotations

import numpy as np
import pytest

import realpolitik as rp
from realpolitik.environment import resolve, sweep

SCENARIO = "japan-russia-2016"


@pytest.fixture(scope="module")
def scenario() -> rp.Scenario:
    if SCENARIO not in rp.scenario.builtin_ids():
        pytest.skip(f"{SCENARIO} is not built in yet")
    return rp.load(SCENARIO)


def test_threat_from_china_at_the_end_of_2016(scenario: rp.Scenario) -> None:
    r = resolve(scenario)
    share = 0.23062 / (0.23062 + 0.03297)  # CINC 2016, capabilities series
    assert r.trace.drivers["hostility(CHN, JPN)"] == pytest.approx(211 / 365)  # Senkaku contiguous zone
    assert r.trace.drivers["threat(CHN, JPN)"] == pytest.approx(share * 211 / 365)


def test_links_are_marked_judgment_and_calibrated_to_the_scenarios_numbers(scenario: rp.Scenario) -> None:
    links = scenario.environment.links
    assert links, "the flagship case links Japan's stance to the threat from China"
    for link in links:
        assert link.source is not None and scenario.sources[link.source].kind == "judgment"
        assert link.note
    threat_links = [k for k in links if k.driver == "threat(CHN, JPN)"]
    assert threat_links and all(k.target.startswith("JPN.") for k in threat_links)
    # the declared relations drive the rest: the alliance, Russia's rivalry with the U.S., its affinity for China
    assert {k.driver for k in links} - {"threat(CHN, JPN)"} == {
        "alliance(JPN, USA)",
        "rivalry(RUS, USA)",
        "affinity(RUS, CHN)",
    }
    own, got = rp.to_problem(scenario), resolve(scenario).problem
    np.testing.assert_allclose(got.salience, own.salience, atol=0.005)
    np.testing.assert_allclose(got.position, own.position, atol=0.5)


def test_the_sweep_runs_every_model_and_japan_weighs_the_front_more_as_the_threat_rises(
    scenario: rp.Scenario,
) -> None:
    xs = np.linspace(0, 1, 6)
    base = sweep(scenario, {"threat(CHN, JPN)": xs}, model="compromise", deals=False)
    front = base.issues.index("russia_china_front")
    # Japan (position 0) weighs the front more, so the compromise pressure falls toward it; Russia decides
    # the front itself (unilateral), so the outcome under the rule is Russia's own final position
    assert np.all(np.diff(base.pressure[:, front]) < 0)
    assert base.rules["russia_china_front"] == "unilateral"
    for model in ("nash", "eum", "exchange"):
        w = sweep(scenario, {"threat(CHN, JPN)": xs}, model=model, deals=False)
        assert np.isfinite(w.outcome).all()
