"""Notebook display: short reprs, HTML cards (escaped), DataFrames and Plotly figures for every result."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import realpolitik as rp
from realpolitik import display
from realpolitik.scenario import from_dict


@pytest.fixture(scope="module")
def flagship() -> rp.Scenario:
    return rp.load("japan-russia-2016")


def test_reprs_are_one_short_line(flagship) -> None:
    f = rp.forecast(flagship, model="eum")
    d = rp.deals(flagship)
    sw = rp.sweep(flagship, {"china_assertiveness": [0.0, 1.0]})
    m = rp.monte_carlo(flagship, draws=50, model="compromise")
    for text in (repr(flagship), display.forecast_repr(f), display.deals_repr(d), repr(sw), repr(m)):
        assert "\n" not in text and len(text) < 260, text
    assert repr(flagship) == (
        f"Scenario('japan-russia-2016': 4 actors, 4 issues, 2 parties, 1 veto, {len(flagship.sources)} sources)"
    )


def test_displays_read_the_decision_rules(flagship) -> None:
    """Forecasts show the ruled outcome, the pressure and each agreement; deals show each agreement and say
    a moot issue is moot; sweeps and Monte Carlo count agreements, not "a deal"."""
    f = rp.forecast(flagship, model="compromise")
    text = display.forecast_repr(f)
    assert "territory=0," in text and "peace_treaty refused" in text and "economic_cooperation agreed" in text
    ff = display.forecast_frame(f)
    assert (
        ff.loc["territory", "outcome"] == 0.0 and ff.loc["territory", "pressure"] > 40
    )  # held at the status quo
    assert ff.loc["russia_china_front", "rule"] == "unilateral"
    assert ff.loc["russia_china_front", "agreement or decider"] == "RUS"
    assert ff.loc["territory", "agreement or decider"] == "peace_treaty" and bool(ff["settled"].all())
    html = display.forecast_html(f)
    assert "refused by" in html and "RUS (territory)" in html and "unilateral (RUS)" in html
    d = rp.deals(flagship)
    assert "peace_treaty blocked" in display.deals_repr(
        d
    ) and "economic_cooperation open" in display.deals_repr(d)
    card = display.deals_html(d)
    assert "blocked: no acceptable package changes it" in card and "no single change opens it" in card
    # a package that returns no island: military status is moot there, never a number
    p = d.problem
    values = np.array(p.status_quo, dtype=float)
    values[list(d.issues).index("economic_cooperation")] = 75.0
    values[list(d.issues).index("military_status")] = 100.0  # moot: territory stays 0
    assert "military_status" not in d.package_text(values)
    values[list(d.issues).index("territory")] = 6.9
    assert "military_status 100" in d.package_text(values)
    sw = rp.sweep(flagship, {"china_assertiveness": [0.0, 1.0]}, model="compromise")
    assert "peace_treaty concluded at 0 of 2" in repr(sw)
    assert "territory pressure" in sw.to_frame().columns and "peace_treaty agreed" in sw.to_frame().columns
    m = rp.monte_carlo(flagship, draws=40, model="compromise")
    assert "P(peace_treaty)=0%" in repr(m) and "P(agreement) for peace_treaty: 0%" in display.montecarlo_html(
        m
    )


def test_frames(flagship) -> None:
    f = rp.forecast(flagship, model="exchange")
    ff = display.forecast_frame(f)
    assert list(ff.index) == list(f.issues) and ff.loc["territory", "outcome"] == pytest.approx(
        f.outcome["territory"]
    )
    assert ff.loc["territory", "JPN"] == pytest.approx(float(np.asarray(f.trajectory)[-1, 0, 0]))
    sf = flagship.to_frame()
    assert len(sf) == sum(len(v) for v in flagship.positions.values())
    d = rp.deals(flagship.model_copy(update={"vetoes": []}))
    df = display.deals_frame(d)
    assert len(df) == d.n_feasible and df["joint gain"].is_monotonic_decreasing
    assert {"package", "agreements"} <= set(df.columns)
    m = rp.monte_carlo(flagship, draws=120, model="compromise", chunk_size=50)
    mf = m.to_frame()
    assert mf.shape == (120, 4) and list(mf.index) == list(range(120))
    assert np.array_equal(mf.to_numpy(), m.outcomes())


def test_plots_are_plotly_figures(flagship) -> None:
    f = rp.forecast(flagship, model="eum")
    figs = [flagship.plot(), display.forecast_plot(f), display.deals_plot(rp.deals(flagship))]
    figs.append(rp.sweep(flagship, {"china_assertiveness": [0.0, 1.0]}).plot())
    figs.append(rp.monte_carlo(flagship, draws=50, model="compromise").plot())
    assert all(isinstance(x, go.Figure) and x.data for x in figs[:2])
    assert all(isinstance(x, go.Figure) for x in figs)


def test_html_cards_escape_scenario_text() -> None:
    s = from_dict(
        {
            "id": "h",
            "title": "<script>alert(1)</script>",
            "actors": [{"id": "A", "name": "<img src=x onerror=alert(2)>", "capability": 1.0}],
            "issues": [{"id": "x", "name": "<b>bold</b>", "bounds": [0, 1], "unit": "<i>u</i>"}],
            "positions": {"A": {"x": {"position": 0.5, "salience": 0.5}}},
        }
    )
    html = s._repr_html_()
    assert "<script>" not in html and "<b>bold" not in html and "<i>u" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<table" in display.forecast_html(rp.forecast(s, model="compromise"))
