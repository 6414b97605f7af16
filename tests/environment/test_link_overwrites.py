"""A number in the file that its link overwrites says so: one warning line per such link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.environment import prepare
from realpolitik.environment.resolve import LINK_TOLERANCE, overwritten_numbers
from realpolitik.scenario import builtin_ids, from_dict

# alliance(JPN, USA) reads the declared relation: 0.8 here, so the links' values are exact
BASE: dict[str, Any] = {
    "id": "t",
    "title": "test",
    "as_of": "2016-12-31",
    "actors": [
        {"id": "JPN", "name": "Japan", "capability": 0.5},
        {"id": "USA", "name": "United States", "capability": 1.0},
    ],
    "issues": [{"id": "mil", "name": "Military status", "bounds": [0, 100], "status_quo": 0}],
    "positions": {
        "JPN": {"mil": {"position": 60, "salience": 0.5, "acceptable": {"low": 40}}},
        "USA": {"mil": {"position": 100, "salience": 0.4}},
    },
    "relations": [{"from": "JPN", "to": "USA", "kind": "alliance", "value": 0.8}],
}


def scenario(*links: dict[str, Any]) -> rp.Scenario:
    d = yaml.safe_load(yaml.safe_dump(BASE))
    d["environment"] = {"links": list(links)}
    return from_dict(d)


def link(target: str, base: float, gain: float = 0.0) -> dict[str, Any]:
    return {"target": target, "driver": "alliance(JPN, USA)", "base": base, "gain": gain}


def overwrites(s: rp.Scenario) -> list[str]:
    return [w for w in prepare(s).warnings if "never see" in w]


def test_a_number_the_link_overwrites_is_one_line_naming_both() -> None:
    s = scenario(link("JPN.salience.mil", 0.1, 0.5))  # 0.1 + 0.5 * 0.8 = 0.5: the file's own number
    assert overwrites(s) == []
    s = scenario(link("JPN.salience.mil", 0.4, 0.5))  # 0.8, while the file says 0.5
    assert overwrites(s) == [
        "t: environment.links[0] sets JPN.salience.mil to 0.8 at 2016-12-31 (alliance(JPN, USA) = 0.8), "
        "but the file gives 0.5; the models use 0.8 and never see 0.5: write 0.8 there, or remove the "
        "link to use 0.5"
    ]


def test_rounding_within_the_tolerance_is_equal() -> None:
    # the file writes 60 for a link that gives 60.4 on a 0-100 issue: within half a percent of the range
    assert LINK_TOLERANCE == 0.005
    assert overwrites(scenario(link("JPN.position.mil", 60.4))) == []
    assert len(overwrites(scenario(link("JPN.position.mil", 60.6)))) == 1
    assert overwrites(scenario(link("JPN.salience.mil", 0.504))) == []
    assert len(overwrites(scenario(link("JPN.salience.mil", 0.506)))) == 1


def test_every_kind_of_target_and_only_the_link_that_wins() -> None:
    s = scenario(
        link("JPN.acceptable_low.mil", 50),  # the file's red line is 40
        link("USA.acceptable_high.mil", 100),  # the file gives no such red line: nothing to differ
        link("JPN.capability", 0.9),  # the file's capability is 0.5
        link("USA.salience.mil", 0.9),  # overridden by the next link, which agrees with the file
        link("USA.salience.mil", 0.4),
    )
    lines = overwrites(s)
    assert [line.split(" sets ")[0] for line in lines] == [
        "t: environment.links[0]",
        "t: environment.links[2]",
    ]
    assert "JPN.acceptable_low.mil to 50" in lines[0] and "the file gives 40" in lines[0]
    assert "JPN.capability to 0.9" in lines[1] and "the file gives 0.5" in lines[1]


def test_a_link_without_a_value_warns_about_nothing_else() -> None:
    s = scenario(link("JPN.salience.mil", 0.9))
    effects = prepare(s).resolve().trace.links
    not_applied = [e.__class__(**{**vars(e), "applied": False}) for e in effects]
    assert overwritten_numbers(s, not_applied) == []


@pytest.mark.parametrize("sid", builtin_ids())
def test_builtin_numbers_equal_their_links(sid: str) -> None:
    assert overwrites(rp.load(sid)) == []


def test_validate_prints_the_warning(tmp_path: Path) -> None:
    d = yaml.safe_load(yaml.safe_dump(BASE))
    d["environment"] = {"links": [link("JPN.salience.mil", 0.4, 0.5)]}
    f = tmp_path / "case.yaml"
    f.write_text(yaml.safe_dump(d, sort_keys=False))
    r = CliRunner().invoke(app, ["validate", str(f)])
    assert r.exit_code == 0, r.output
    err = " ".join(r.stderr.split())  # Rich may wrap a long line
    assert err.count("never see") == 1, r.stderr
    assert f"warning {f}: t: environment.links[0] sets JPN.salience.mil to 0.8" in err
