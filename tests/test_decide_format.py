"""Tests of the decide input format reader and writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from realpolitik.scenario.decide_format import (
    DecideFormatError,
    decide_to_problem,
    format_decide,
    looks_like_decide,
    parse_decide,
)

SMALL = (
    "'#A'\t'a1'\t'Actor one'\t''\n"
    "'#A'\t'a2'\t'Actor two'\t'note'\n"
    "'#P'\t'tax'\t'tax'\t'Tax rate'\n"
    "'#M'\t'tax'\t10\n"
    "'#M'\t'tax'\t40\n"
    "'#M'\t'tax'\t30\n"
    "'#P'\t'war'\t'war'\t''\n"
    "'#O'\tsome output line\n"
    "'#D'\t'a1'\t'tax'\t20.5\t0.25\t1\n"
    "'#D'\t'a2'\t'tax'\t35\t0.75\t0.5\t'comment'\n"
    "'#D'\t'a2'\t'war'\t60\t1\t0.5\n"
)


def test_parse_small() -> None:
    d = parse_decide(SMALL, "small.csv")
    assert d.actor_ids == ("a1", "a2")
    assert d.actors[1] == ("a2", "Actor two", "note")
    assert d.issues == (("tax", "Tax rate"), ("war", ""))
    assert d.bounds == {"tax": (10.0, 40.0), "war": (0.0, 100.0)}
    assert [r.line for r in d.records] == [9, 10, 11]
    assert d.records[1].salience == "0.75" and d.records[1].comment == "comment"
    assert d.ignored == 1


def test_round_trip_small() -> None:
    d = parse_decide(SMALL)
    assert parse_decide(format_decide(d)) == d


def test_round_trip_copenhagen(shared_dir: Path) -> None:
    text = (shared_dir / "reference/exchange/copenhagen/input.csv").read_text()
    d = parse_decide(text, "copenhagen.csv")
    assert len(d.actors) == 11 and len(d.issues) == 7 and len(d.records) == 75
    again = parse_decide(format_decide(d))
    assert again == d
    assert looks_like_decide(text)


def test_errors_are_collected_and_located() -> None:
    bad = SMALL.replace("20.5\t0.25", "20.5\tx").replace("'#D'\t'a2'\t'war'", "'#D'\t'zz'\t'war'")
    bad += "\n'#Q'\tfoo\n'#D'\t'a1'\t'tax'\t1\t0.5\t1\n"
    with pytest.raises(DecideFormatError) as info:
        parse_decide(bad, "copenhagen.csv")
    err = info.value
    msgs = [str(e) for e in err.errors]
    assert msgs[0] == "copenhagen.csv:9: field 'salience': expected a number in [0, 1], got 'x'"
    assert any(m.startswith("copenhagen.csv:11: field 'actor'") for m in msgs)
    assert any(m.startswith("copenhagen.csv:12: empty line") for m in msgs)
    assert any("copenhagen.csv:13: field 'type'" in m for m in msgs)
    assert any(m.startswith("copenhagen.csv:14:") and "second #D line" in m for m in msgs)
    assert "\n" not in str(err) and str(err).startswith(msgs[0])
    assert (err.filename, err.line, err.field) == ("copenhagen.csv", 9, "salience")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("'#P'\t'p'\t'p'\t''\n'#M'\t'p'\t50\n'#M'\t'p'\t10\n", "value"),
        ("'#M'\t'nope'\t0\n", "issue"),
        ("'#A'\t'a'\t'a'\t''\n'#P'\t'p'\t'p'\t''\n'#D'\t'a'\t'p'\tabc\t0.5\t1\n", "position"),
        ("'#A'\t'a'\t'a'\t''\n'#P'\t'p'\t'p'\t''\n'#D'\t'a'\t'p'\t5\t0.5\t-1\n", "power"),
        ("'#A'\t'a'\t'a'\t''\n'#P'\t'p'\t'p'\t''\n'#D'\t'a'\t'p'\t5\t1.5\t1\n", "salience"),
    ],
)
def test_single_errors(text: str, field: str) -> None:
    with pytest.raises(DecideFormatError) as info:
        parse_decide(text)
    assert info.value.field == field


def test_looks_like_decide() -> None:
    assert looks_like_decide(SMALL)
    assert looks_like_decide("\n'#A';'x';'x';''\n")
    assert not looks_like_decide("actor,capability,position\nUSA,1,2\n")
    assert not looks_like_decide("")


def test_decide_to_problem() -> None:
    p = decide_to_problem(parse_decide(SMALL))
    assert p.actors == ("a1", "a2") and p.issues == ("tax", "war")
    assert p.present is not None and p.present.tolist() == [[True, False], [True, True]]
    assert p.salience[0, 1] == 0 and p.power[0, 1] == 0
    assert p.position[0, 1] == 50.0  # midpoint filler where there is no data
    assert np.allclose(p.capability, [1.0, 0.5])
    assert np.allclose(p.bounds, [[10, 40], [0, 100]])
    assert repr(float(p.position[0, 0])) == "20.5"
