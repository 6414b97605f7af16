"""Clean or leaky: every number the models read, dated against the decision."""

from __future__ import annotations

import copy

import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.backtest import leakage
from realpolitik.cli import app
from realpolitik.scenario import ScenarioError, dumps, from_dict
from realpolitik.scenario.dates import DateSpan, span

from .helpers import scenario_dict


def _lk(**over):
    return leakage(from_dict(scenario_dict(**over)))


def test_inputs_dated_or_recorded_before_the_decision_are_clean():
    lk = _lk()
    assert lk.status == "clean"
    assert lk.numbers == lk.before == 7  # 2 capabilities, 1 status quo, 2 positions, 2 saliences
    assert lk.lines()[0].startswith(
        "clean: all 7 numbers the models read were known before the decision (2000-06-01)"
    )


def test_a_number_citing_a_later_source_makes_the_case_leaky_and_is_named():
    d = scenario_dict()
    d["positions"]["B"]["x"]["position"]["source"] = "late"
    lk = leakage(from_dict(d))
    assert lk.status == "leaky"
    (g,) = lk.groups
    assert (g.verdict, g.source, g.paths) == ("after", "late", ("positions.B.x.position",))
    assert (
        "1 number cites late (dated 2001): on or after the decision (positions.B.x.position)" in lk.lines()[1]
    )


def test_dates_that_overlap_the_decision_are_not_shown_before_it():
    d = scenario_dict()
    d["sources"]["early"]["date"] = "2000"  # the whole year 2000 includes 1 June
    lk = leakage(from_dict(d))
    assert lk.status == "leaky"
    assert {g.verdict for g in lk.groups} == {"unsure"}
    assert lk.groups[0].count == 4  # both capabilities, A's position and salience


def test_undated_unknown_and_missing_sources():
    d = scenario_dict()
    del d["sources"]["judge"]["recorded"]  # judgment without a recorded date
    d["actors"][0]["capability"] = 1.0  # no source at all
    d["sources"]["early"]["date"] = "spring 1999"  # free text: cannot be compared
    lk = leakage(from_dict(d))
    verdicts = {(g.verdict, g.source, g.basis) for g in lk.groups}
    assert ("undated", None, "no source") in verdicts
    assert ("undated", "judge", "judgment without a recorded date") in verdicts
    assert ("undated", "early", "date 'spring 1999' is not YYYY, YYYY-MM or YYYY-MM-DD") in verdicts
    assert lk.before == 0


def test_recorded_overrides_a_later_publication_date():
    d = scenario_dict()
    d["sources"]["late"]["recorded"] = "1999-03"  # interviews in 1999, published 2001
    d["positions"]["B"]["x"]["position"]["source"] = "late"
    assert leakage(from_dict(d)).status == "clean"


def test_without_a_decision_date_nothing_is_clean_and_a_bound_is_read_as_one():
    d = scenario_dict()
    del d["decided"]
    lk = leakage(from_dict(d))
    assert lk.status == "leaky" and lk.decided is None
    assert "no decision date (decided)" in lk.headline()
    d["decided"] = {"by": 2001, "note": "reported in a 2001 book"}
    lk = leakage(from_dict(d))
    assert lk.decided == "by 2001"
    assert lk.status == "leaky"  # 1999 may still postdate a decision known only to precede 2002
    assert {g.verdict for g in lk.groups} == {"unsure"}


def test_red_lines_relations_disagreement_and_cited_structure_are_checked():
    d = scenario_dict(
        parties=["A", "B"],
        agreements=[{"id": "deal", "issues": ["x"], "source": "late"}],
        disagreement={"A": {"x": {"value": 1, "source": "late"}}},
        relations=[{"from": "A", "to": "B", "kind": "alliance", "value": 0.5, "source": "early"}],
    )
    d["positions"]["A"]["x"]["acceptable"] = {"high": 6, "source": "late"}
    lk = leakage(from_dict(d))
    after = {p for g in lk.groups if g.verdict == "after" for p in g.paths}
    assert after == {"positions.A.x.acceptable.high", "disagreement.A.x", "agreements[0]"}
    kinds = {g.kind for g in lk.groups}
    assert kinds == {"number", "structure"}
    assert lk.numbers == 10  # structure entries are not numbers


def test_a_flood_becomes_one_line_per_source_and_verbose_lists_all():
    d = scenario_dict()
    d["actors"] = [
        {"id": f"A{i}", "name": f"A{i}", "capability": {"value": 1, "source": "late"}} for i in range(40)
    ]
    d["positions"] = {f"A{i}": {"x": {"position": 5, "salience": 0.5}} for i in range(40)}
    lk = leakage(from_dict(d))
    short = lk.lines()
    assert len(short) <= 5
    assert any("40 numbers cite late (dated 2001)" in line and "... 37 more" in line for line in short)
    long = lk.lines(verbose=True)
    assert all(f"actors[{i}].capability" in "\n".join(long) for i in range(40))


def test_positions_coded_at_the_outcome_are_counted():
    d = scenario_dict()
    d["positions"]["B"]["x"]["position"]["value"] = 7  # the outcome
    lk = leakage(from_dict(d))
    assert (lk.at_outcome, lk.stances) == (1, 2)
    assert "1 of 2 stances on issues with a recorded outcome sit exactly at the outcome" in lk.lines()[-1]


@pytest.mark.parametrize(
    ("case", "decided", "at"),
    [
        ("ec-emissions-1994", "by 1994", 0),
        ("german-unification-1990", "1990-09-12", 9),
        ("nato-enlargement-1997", "1997-05-27", 9),
    ],
)
def test_the_built_in_analogues_are_leaky(case, decided, at):
    lk = leakage(rp.load(case))
    assert lk.status == "leaky"
    assert lk.decided == decided
    assert lk.at_outcome == at
    assert lk.before == 0


def test_decided_and_recorded_round_trip_and_bad_dates_are_one_line_errors():
    s = from_dict(scenario_dict(decided={"by": "1994-03", "source": "late"}))
    again = rp.scenario.parse_text(dumps(s, "yaml"))
    assert again == s and again.decided is not None and again.decided.by == "1994-03"
    with pytest.raises(ScenarioError, match=r"decided.*expected a date YYYY-MM-DD, YYYY-MM or YYYY"):
        from_dict(scenario_dict(decided="last spring"))
    bad = scenario_dict()
    bad["sources"]["judge"]["recorded"] = "1999-13"
    with pytest.raises(ScenarioError, match=r"sources.judge.recorded"):
        from_dict(bad)
    with pytest.raises(ScenarioError, match=r"decided.source: unknown source 'nope'"):
        from_dict(scenario_dict(decided={"date": "2000", "source": "nope"}))
    with pytest.raises(ScenarioError, match=r"either date .* or by"):
        from_dict(scenario_dict(decided={"date": "2000", "by": "2001"}))


def test_date_spans():
    assert span("1990-09-12") == DateSpan(span("1990-09-12").start, span("1990-09-12").end)
    assert span("1990").before(span("1991-01-01")) and not span("1990").before(span("1990-12-31"))
    assert span("1990-10").not_before(span("1990-09-12"))
    assert DateSpan.by("1994").text == "by 1994" and not span("1980").before(DateSpan.by("1994"))
    assert span("1990-02-30") is None and span(True) is None and span("") is None


def test_validate_prints_the_leakage_of_a_historical_case(tmp_path):
    runner = CliRunner()
    r = runner.invoke(app, ["validate", str(rp.scenario.io.builtin_path("german-unification-1990"))])
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())  # lines wrap at the terminal's width, between words
    assert (
        "leaky: none of the 60 numbers the models read is shown to predate the decision (1990-09-12)" in text
    )
    assert "9 of 24 stances" in text
    f = tmp_path / "toy.yaml"
    f.write_text(dumps(from_dict(copy.deepcopy(scenario_dict())), "yaml"))
    r = runner.invoke(app, ["validate", str(f)])
    assert r.exit_code == 0 and "clean: all 7 numbers" in " ".join(r.output.split())
    r = runner.invoke(app, ["validate", str(rp.scenario.io.builtin_path("japan-russia-2016"))])
    assert "leaky" not in r.output  # no outcome: not a historical case
