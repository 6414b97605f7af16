"""What the deal analysis tells a reader: JSON keys and terminal output under decision rules."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

from rich.console import Console

from realpolitik.scenario import Scenario, dumps, from_dict

from .helpers import treaty

D = importlib.import_module("realpolitik.deals")


def text_of(a: object, width: int = 80) -> str:
    con = Console(record=True, width=width)
    D.render_deals(a, con)
    return con.export_text()


def red_line_case() -> Scenario:
    """No U.S. veto; Russia accepts at most 25 on military status, Japan at least 50: only a red line
    relaxed opens the treaty."""
    s = treaty(vetoes=[])
    s.positions["JPN"]["military_status"].salience.value = 0.1
    return s


def analogue(tmp_path: Path) -> Path:
    other = from_dict(
        {
            "id": "two-plus-four-like-precedent-1990",
            "title": "Analogue",
            "actors": [{"id": "X", "name": "X"}],
            "issues": [{"id": "foreign_forces", "name": "Forces", "status_quo": 0}],
            "positions": {"X": {"foreign_forces": {"position": 0, "salience": 1}}},
            "outcome": {"foreign_forces": 50},
        }
    )
    path = tmp_path / "analogue.yaml"
    path.write_text(dumps(other, "yaml"))
    return path


# ------------------------------------------------------------------------------------- JSON
def test_json_describes_agreements_red_lines_and_conditions() -> None:
    j = D.deals(treaty()).to_json()
    json.dumps(j)
    ag = {a["id"]: a for a in j["agreements"]}
    assert list(ag) == ["peace_treaty", "economic_cooperation"]
    assert ag["peace_treaty"]["issues"] == ["territory", "military_status"]
    assert ag["peace_treaty"]["signers"] == ["JPN", "RUS"]
    assert ag["peace_treaty"]["veto_holders"] == {"USA": ["military_status"]}
    assert ag["peace_treaty"]["declared"] is True and ag["economic_cooperation"]["declared"] is False
    assert ag["peace_treaty"]["changed"] is False and ag["economic_cooperation"]["changed"] is True
    assert set(ag["peace_treaty"]["concessions"]) == {"JPN", "RUS", "USA"}
    assert ag["economic_cooperation"]["concessions"] == {}
    assert j["red_lines"] == {
        "JPN": {"territory": {"low": 7.0, "high": 100.0}, "military_status": {"low": 50.0, "high": 100.0}},
        "RUS": {"territory": {"low": 0.0, "high": 7.0}, "military_status": {"low": 0.0, "high": 25.0}},
        "USA": {"military_status": {"low": 75.0, "high": 100.0}},
    }
    assert j["conditions"] == [{"issue": "military_status", "on": "territory", "op": ">", "value": 0.0}]
    assert j["if_linked"] == 0  # Japan signs no grand package that leaves the islands where they are
    assert j["n_feasible"] > 0 and j["concessions"] == {}
    for link in j["linkage"]:
        assert link["agreement"] == (
            "economic_cooperation" if link["issue"] == "economic_cooperation" else "peace_treaty"
        )


def test_packages_show_moot_issues_as_moot_never_as_a_value() -> None:
    """A package that returns no island has no military status to speak of (issue 10)."""
    j = D.deals(treaty()).to_json()
    for pkg in j["packages"] + j["frontier"]:
        assert pkg["values"]["territory"] == 0
        assert pkg["moot"] == ["military_status"]
        assert pkg["labels"]["military_status"] is None
        assert "military_status" not in pkg["moves"]
        assert pkg["agreements"] == ["economic_cooperation"]
    out = text_of(D.deals(treaty()))
    assert "military_status 100" not in out and "treaty applies in full" not in out


def test_a_relaxed_red_line_is_said_in_words() -> None:
    a = D.deals(red_line_case())
    treaty_ag = next(x for x in a.to_json()["agreements"] if x["id"] == "peace_treaty")
    c = treaty_ag["concessions"]["RUS"]
    assert c["field"] == "acceptable_high" and c["issue"] == "military_status" and c["red_line"] is True
    assert (c["from"], c["to"], c["agreement"]) == (25.0, 50.0, "peace_treaty")
    assert c["n_opened"] > 0 and c["n_feasible"] >= c["n_opened"]
    assert c["text"] == "RUS relaxes its red line on military_status: accepts up to 50 (was at most 25)"
    out = text_of(a)
    assert "relaxes its red line on" in out and "military_status" in out
    assert "The smallest single concession that opens peace_treaty" in " ".join(out.split())


def test_precedents_say_who_refuses_why_and_with_which_terms(tmp_path: Path) -> None:
    note = "forces on islands handed over"
    s = treaty(
        analogues=[
            {
                "scenario": str(analogue(tmp_path)),
                "maps": {"territory": {"value": 7, "note": note}, "military_status": "foreign_forces"},
                "note": "the precedent the essay cites",
            }
        ]
    )
    s.allow_paths = True  # the analogue file lies in tmp_path, outside a scenario built in memory
    a = D.deals(s)
    pr = a.to_json()["precedents"][0]
    assert pr["id"] == "two-plus-four-like-precedent-1990" and pr["note"] == "the precedent the essay cites"
    assert pr["terms"] == {
        "territory": {"key": None, "fixed": 7.0, "value": 7.0, "note": note},
        "military_status": {"key": "foreign_forces", "fixed": None, "value": 50.0, "note": None},
    }
    assert pr["values"] == {"territory": 7.0, "military_status": 50.0, "economic_cooperation": 20.0}
    assert pr["changes"] == ["peace_treaty"] and pr["agreements"] == {"peace_treaty": False}
    assert pr["refused_by"]["RUS"] == {
        "issue": "military_status",
        "reason": "red_line",
        "agreement": "peace_treaty",
    }
    assert pr["refused_by"]["USA"]["reason"] == "red_line"
    assert pr["breaches"]["RUS"] == ["military_status"] and "JPN" not in pr["breaches"]
    # Japan is inside its red lines but loses more on military status than it gains in islands
    assert pr["refused_by"]["JPN"] == {
        "issue": "military_status",
        "reason": "loss",
        "agreement": "peace_treaty",
    }
    assert pr["accepts"] == {"JPN": False, "RUS": False, "USA": False} and pr["feasible"] is False
    out = " ".join(text_of(a).split())
    assert "JPN on military_status (a loss)" in out
    assert "territory 7, fixed (forces on islands handed over)" in out
    assert "military_status 50, from foreign_forces" in out
    assert "RUS on military_status (a red line)" in out


# ------------------------------------------------------------------------------------- 80 columns
def _tokens(a: object, out: str) -> None:
    j = a.to_json()  # type: ignore[attr-defined]
    words = set(j["actors"]) | set(j["issues"]) | {x["id"] for x in j["agreements"]}
    words |= {p["id"] for p in j["precedents"] if p.get("id")}
    for w in words:
        assert re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", out), f"{w!r} cut or missing"
    assert "…" not in out


def test_terminal_output_fits_80_columns_without_cutting_ids(tmp_path: Path) -> None:
    s = red_line_case()
    s.analogues = from_dict(
        {
            **json.loads(dumps(s, "json")),
            "analogues": [
                {
                    "scenario": str(analogue(tmp_path)),
                    "maps": {"territory": {"value": 7, "note": "n"}, "military_status": "foreign_forces"},
                }
            ],
        }
    ).analogues
    for case in (D.deals(treaty()), D.deals(s)):
        out = text_of(case)
        assert max(len(line.rstrip()) for line in out.splitlines()) <= 80
        _tokens(case, out)
        # values in packages stay whole: every number written in a package cell is a whole option value
        j = case.to_json()
        opts = {f"{v:g}" for vs in j["options"].values() for v in vs}
        for m in re.finditer(r"(territory|military_status|economic_cooperation) (\d+(?:\.\d+)?)", out):
            assert m.group(2) in opts, m.group(0)
