"""KTAB CSV import/export and KTAB XML import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from tests.strategies import scenario_dicts

from realpolitik.scenario import ScenarioError, from_dict, load
from realpolitik.scenario.ktab import format_ktab_csv, parse_ktab_csv
from realpolitik.scenario.ktab_xml import parse as parse_xml

DATA = Path(__file__).parent / "data"


def ktab_numbers(text: str) -> tuple[tuple[int, int], list[list[float]]]:
    """What KTAB's CSV reader takes from a file: counts and, per actor, capability then (pos, sal) pairs."""
    rows = [[f.strip() for f in line.split(",")] for line in text.splitlines() if line.strip()]
    n_act, n_dim = int(rows[0][2]), int(rows[0][3])
    return (n_act, n_dim), [[float(x) for x in r[2 : 3 + 2 * n_dim]] for r in rows[2 : 2 + n_act]]


def reference_inputs(shared_dir: Path) -> list[Path]:
    files = sorted((shared_dir / "reference" / "ktab").glob("*/input.csv"))
    assert files
    return files


def test_every_reference_input_imports_and_exports_to_the_same_numbers(shared_dir):
    for f in reference_inputs(shared_dir):
        s = load(f)
        original = f.read_text(encoding="utf-8")
        (n_act, n_dim), _ = ktab_numbers(original)
        assert (len(s.actors), len(s.issues)) == (n_act, n_dim)
        exported = format_ktab_csv(s)
        assert ktab_numbers(exported) == ktab_numbers(original), f.name
        again = from_dict(parse_ktab_csv(exported, "x.csv"))
        assert again.actor_ids == s.actor_ids and again.issue_ids == s.issue_ids
        assert [iss.name for iss in again.issues] == [iss.name for iss in s.issues]


def test_reference_values(shared_dir):
    s = load(shared_dir / "reference" / "ktab" / "SOE-Pol-Comp" / "input.csv")
    assert s.issue_ids == ["Policy", "Competitive"]
    assert s.actor("LH").name == "Liu He - Deputy Director of DRC"
    assert s.actor("LK").capability.value == 60.2
    st = s.stance("XJ", "Competitive")
    assert (st.position.value, st.salience.value) == (20.0, 0.48)


@settings(max_examples=40, deadline=None)
@given(scenario_dicts(extras=False))
def test_export_of_any_bounds_maps_positions_to_0_100(data):
    for a in data["actors"]:
        a.setdefault("capability", 1.0)
    for row in data["positions"].values():  # KTAB needs saliences summing to at most 1
        total = sum(
            st["salience"] if isinstance(st["salience"], float) else st["salience"]["value"]
            for st in row.values()
        )
        for st in row.values():
            v = st["salience"] if isinstance(st["salience"], float) else st["salience"]["value"]
            st["salience"] = v / max(total, 1.0) * 0.999
    s = from_dict(data)
    text = format_ktab_csv(s)
    (n_act, n_dim), nums = ktab_numbers(text)
    assert (n_act, n_dim) == (len(s.actors), len(s.issues))
    back = from_dict(parse_ktab_csv(text, "x.csv"))
    for i, a in enumerate(s.actors):
        assert nums[i][0] == pytest.approx(a.capability.value, rel=1e-11)
        for j, iss in enumerate(s.issues):
            lo, hi = iss.bounds
            st = s.stance(a.id, iss.id)
            want_p = 0.0 if st is None else (st.position.value - lo) * 100 / (hi - lo)
            want_s = 0.0 if st is None else st.salience.value * 100
            assert 0 <= nums[i][1 + 2 * j] <= 100
            assert nums[i][1 + 2 * j] == pytest.approx(want_p, rel=1e-11, abs=1e-9)
            assert nums[i][2 + 2 * j] == pytest.approx(want_s, rel=1e-11, abs=1e-12)
        assert sum(nums[i][2::2]) <= 100
    assert len(back.actors) == len(s.actors)


def test_export_of_non_unit_bounds_example():
    s = from_dict(
        {
            "id": "x",
            "title": "Years, delay",
            "actors": [
                {"id": "A", "name": "A, Inc.", "capability": 2},
                {"id": "B", "name": "B", "capability": 3},
            ],
            "issues": [{"id": "delay", "name": "Delay", "bounds": [-2, 8]}],
            "positions": {
                "A": {"delay": {"position": 0.5, "salience": 0.3}},
                "B": {"delay": {"position": 8, "salience": 1}},
            },
        }
    )
    text = format_ktab_csv(s)
    assert text.splitlines()[2] == "A,A; Inc.,2,25,30"
    assert text.splitlines()[3] == "B,B,3,100,100"


def test_export_refuses_saliences_summing_over_one_unless_asked():
    s = from_dict(
        {
            "id": "x",
            "title": "T",
            "actors": [{"id": "A", "name": "A", "capability": 1}],
            "issues": [{"id": "i", "name": "I"}, {"id": "j", "name": "J"}],
            "positions": {
                "A": {"i": {"position": 10, "salience": 0.9}, "j": {"position": 20, "salience": 0.6}}
            },
        }
    )
    with pytest.raises(ValueError, match=r"sums to 1\.5"):
        format_ktab_csv(s)
    _, nums = ktab_numbers(format_ktab_csv(s, normalize_saliences=True))
    assert nums[0][2] + nums[0][4] == pytest.approx(100)


def test_ktab_csv_errors_name_line_and_field(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text(
        "Case,desc,3,1\nActor,Desc,Power,Tax Position,Tax Salience\nA,a,10,50,40\nB,b,x,20,140\nA,again,5,5,5\n"
    )
    with pytest.raises(ScenarioError) as info:
        load(f)
    got = [(p.path, p.line) for p in info.value.problems]
    assert ("actors[1].capability", 4) in got
    assert ("positions.B.Tax.salience", 4) in got
    assert ("actors[2].id", 5) in got
    for line in str(info.value).splitlines():
        assert re.match(rf"^{re.escape(str(f))}:\d+: ", line)


def test_xml_fixture_imports():
    s = load(DATA / "ktab_small.xml")
    assert s.title == "Tiny Trade" and s.description == "Three actors on two dimensions"
    assert s.actor_ids == ["North", "South", "Island"]
    assert s.actor("South").name == "Southern bloc" and s.actor("North").capability.value == 120.5
    assert [i.name for i in s.issues] == ["Tariffs", "Quotas"] and all(i.bounds == (0, 100) for i in s.issues)
    st = s.stance("North", "Quotas")
    assert (st.position.value, st.salience.value) == (90.25, 0.4)
    assert s.metadata["smp_params"] == {
        "VictoryProbModel": "Square",
        "PCEModel": "MarkovIncentive",
        "StateTransitions": "Deterministic",
        "VotingRule": "PropCbc",
        "BigRAdjust": "Half",
        "BigRRange": "Max",
        "ThirdPartyCommit": "NoCommit",
        "InterVecBrgn": "S1P1",
        "BargnModel": "PWCompInterp",
    }
    assert s.metadata["prng_seed"] == "0123456789"
    assert s.metadata["ideal_adjustment"] == [
        {"actor": "North", "reference": "North", "adjust": 0.8},
        {"actor": "North", "reference": "South", "adjust": 0.1},
    ]


def test_xml_and_csv_of_the_same_scenario_agree(shared_dir):
    s_csv = load(shared_dir / "reference" / "ktab" / "dummyData_3Dim" / "input.csv")
    lines = ["<Scenario>", f"<name>{s_csv.title}</name>", "<Dimensions>"]
    lines += [f"<dName>{i.name}</dName>" for i in s_csv.issues] + ["</Dimensions>", "<Actors>"]
    for a in s_csv.actors:
        sts = [s_csv.stance(a.id, i.id) for i in s_csv.issues]
        lines += [
            f"<Actor><name>{a.id}</name><description>{a.name}</description><capability>{a.capability.value!r}</capability>",
            "<Position>" + "".join(f"<dCoord>{st.position.value!r}</dCoord>" for st in sts) + "</Position>",
            "<Salience>"
            + "".join(f"<dSal>{st.salience.value * 100:.12g}</dSal>" for st in sts)
            + "</Salience></Actor>",
        ]
    lines += ["</Actors>", "</Scenario>"]
    s_xml = from_dict(parse_xml("\n".join(lines), "x.xml"))
    assert (
        s_xml.actors == s_csv.actors and s_xml.issues == s_csv.issues and s_xml.positions == s_csv.positions
    )


def xml_problems(text: str) -> list[tuple[str, int | None, str]]:
    with pytest.raises(ScenarioError) as info:
        parse_xml(text, "k.xml")
    for line in str(info.value).splitlines():
        assert re.match(r"^k\.xml(:\d+)?: ", line), line
    return [(p.path, p.line, p.message) for p in info.value.problems]


def test_xml_errors():
    text = (DATA / "ktab_small.xml").read_text()
    bad = (
        text.replace("<VotingRule>PropCbc</VotingRule>", "<VotingRule>Majority</VotingRule>")
        .replace("<capability>80</capability>", "<capability>-3</capability>")
        .replace("<dCoord>50</dCoord><dCoord>50</dCoord>", "<dCoord></dCoord>")
        .replace("<dSal>60</dSal>", "<dSal>160</dSal>")
        .replace("<referencePos>South</referencePos>", "<referencePos>Nobody</referencePos>")
    )
    got = xml_problems(bad)
    paths = {(p, ln) for p, ln, _ in got}
    assert ("ModelParameters.VotingRule", 11) in paths
    assert ("actors[1].capability", 33) in paths
    assert ("positions.Island", 41) in paths  # one <dCoord> for two dimensions
    assert ("positions.North.Tariffs.salience", 28) in paths
    assert ("IdealAdjustment.iaPair[1].referencePos", 47) in paths
    msgs = " | ".join(m for _, _, m in got)
    assert "expected one of Binary, PropBin, Prop, PropCbc, Cubic, ASymProsp, got 'Majority'" in msgs
    assert "expected a capability > 0, got -3" in msgs


def test_xml_structure_errors():
    assert xml_problems("<Scenario><name>x</name>")[0][2].startswith("not valid XML")
    assert "root element <Scenario>" in xml_problems("<Model/>")[0][2]
    got = xml_problems("<Scenario><name>x</name></Scenario>")
    assert {p for p, _, _ in got} == {"Dimensions", "Actors"}
    assert "DOCTYPE" in xml_problems('<!DOCTYPE x [<!ENTITY e "e">]><Scenario/>')[0][2]


# ------------------------------------------------------------------ what KTAB's readers accept, we accept
SIX_DIM_HEAD = "Combined,All six dimensions of CDMP,2,2,0,,,,,,,,,,\n"


def test_csv_header_line_with_extra_trailing_fields():
    """KTAB's own dummyData_6Dim.csv starts with a fifth field and a run of empty ones."""
    text = (
        SIX_DIM_HEAD
        + "Actor,Description,Influence,Dim0 Position,Dim0 Salience,Dim1 Position,Dim1 Salience,,\n"
        "AA00,Actor 00,99.98,50,8,62.5,10,,\n"
        "AA01,Actor 01,79.79,60,16.53,72.5,11.15\n"
    )
    s = from_dict(parse_ktab_csv(text, "six.csv"))
    assert s.title == "Combined" and s.issue_ids == ["Dim0", "Dim1"] and s.actor_ids == ["AA00", "AA01"]
    assert s.stance("AA01", "Dim1").salience.value == pytest.approx(0.1115)
    assert "ktab_blank_cells" not in s.metadata


def test_csv_sniffing_accepts_the_longer_first_line(tmp_path):
    f = tmp_path / "six.csv"
    f.write_text(
        SIX_DIM_HEAD
        + "Actor,Desc,Power,A Position,A Salience,B Position,B Salience\nx,,1,5,5,5,5\ny,,2,6,6,7,7\n"
    )
    s = load(f)
    assert len(s.actors) == 2 and s.actor("x").name == "x"  # blank description: the name stands in


def test_csv_blank_cells_read_as_zero_and_are_listed():
    text = (
        "S,d,2,2\nActor,Desc,Power,A Position,A Salience,B Position,B Salience\n"
        "x,,1,,5,50,\n"  # blank position on A, blank salience on B
        "y,why,2,60,10\n"  # trailing cells missing altogether
    )
    s = from_dict(parse_ktab_csv(text, "b.csv"))
    assert s.stance("x", "A").position.value == 0.0 and s.stance("x", "B").salience.value == 0.0
    assert s.stance("y", "B").position.value == 0.0 and s.stance("y", "B").salience.value == 0.0
    assert s.metadata["ktab_blank_cells"] == [
        "line 3: x position on A",
        "line 3: x salience on B",
        "line 4: y position on B",
        "line 4: y salience on B",
    ]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (",,1,5,5", "expected a name"),
        ("x,,,5,5", "expected a capability"),
        ("x,,1,abc,5", "expected a number"),
    ],
)
def test_csv_blank_name_or_capability_and_bad_numbers_are_still_refused(row, expected):
    with pytest.raises(ScenarioError, match=expected):
        parse_ktab_csv(f"S,d,1,1\nActor,Desc,Power,A Position,A Salience\n{row}\n", "b.csv")


def test_xml_blank_coordinate_reads_as_zero():
    text = (DATA / "ktab_small.xml").read_text()
    first = text.index("<dCoord>")
    end = text.index("</dCoord>", first)
    blanked = text[: first + len("<dCoord>")] + text[end:]
    s = from_dict(parse_xml(blanked, "k.xml"))
    first_actor, first_issue = s.actor_ids[0], s.issue_ids[0]
    assert s.stance(first_actor, first_issue).position.value == 0.0
    assert len(s.metadata["ktab_blank_cells"]) == 1
