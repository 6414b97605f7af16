"""One test per kind of error: the exact field path and line, in one-line messages."""

from __future__ import annotations

import re
import textwrap

import pytest

from realpolitik.scenario import ScenarioError, load, parse_text

BASE = """\
id: t
title: Test
sources:
  nbr: {title: A report}
actors:
  - {id: JPN, name: Japan, capability: 3}
  - {id: RUS, name: Russia, capability: 4}
issues:
  - id: territory
    name: Islands
    bounds: [0, 100]
positions:
  JPN:
    territory: {position: 100, salience: 0.9}
  RUS:
    territory: {position: 0, salience: 0.8}
"""


def problems(text: str, file: str = "case.yaml") -> list[tuple[str, int | None, str]]:
    with pytest.raises(ScenarioError) as info:
        parse_text(text, file)
    for line in str(info.value).splitlines():
        assert re.match(rf"^{re.escape(file)}(:\d+)?: ", line), line
    return [(p.path, p.line, p.message) for p in info.value.problems]


def only(text: str) -> tuple[str, int | None, str]:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_base_is_valid():
    assert parse_text(BASE, "case.yaml").actor_ids == ["JPN", "RUS"]


def test_unknown_actor_in_positions():
    path, line, msg = only(BASE + "  USA:\n    territory: {position: 5, salience: 0.1}\n")
    assert (path, line) == ("positions.USA", 17)
    assert "unknown actor 'USA'" in msg and "JPN, RUS" in msg


def test_unknown_issue_in_positions():
    text = BASE.replace(
        "    territory: {position: 0, salience: 0.8}", "    military: {position: 0, salience: 0.8}"
    )
    path, line, msg = only(text)
    assert (path, line) == ("positions.RUS.military", 16)
    assert "unknown issue 'military'" in msg and "expected one of territory" in msg


def test_duplicate_actor_id():
    text = BASE.replace(
        "  - {id: RUS, name: Russia, capability: 4}", "  - {id: JPN, name: Again, capability: 4}"
    )
    found = problems(text)
    assert ("actors[1].id", 7) in [(p, ln) for p, ln, _ in found]
    assert any("duplicate actor id 'JPN'" in m for _, _, m in found)


def test_duplicate_issue_id():
    text = BASE.replace("positions:", "  - {id: territory, name: Again}\npositions:")
    path, line, msg = only(text)
    assert (path, line) == ("issues[1].id", 12)
    assert "duplicate issue id" in msg


def test_duplicate_mapping_key():
    text = BASE + "  JPN:\n    territory: {position: 5, salience: 0.1}\n"
    path, line, msg = only(text)
    assert (path, line) == ("positions.JPN", 17)
    assert "duplicate key 'JPN' (first on line 13)" in msg


def test_position_outside_bounds():
    path, line, msg = only(BASE.replace("{position: 100, salience: 0.9}", "{position: 120, salience: 0.9}"))
    assert (path, line) == ("positions.JPN.territory.position", 14)
    assert msg == "expected a position within the issue's bounds [0, 100], got 120"


def test_salience_outside_unit_interval():
    path, line, msg = only(BASE.replace("{position: 100, salience: 0.9}", "{position: 100, salience: 90}"))
    assert (path, line) == ("positions.JPN.territory.salience", 14)
    assert msg == "expected a salience in [0, 1], got 90"


def test_range_that_does_not_contain_its_value():
    text = BASE.replace("salience: 0.9}", "salience: {value: 0.9, range: [0.1, 0.5]}}")
    path, line, msg = only(text)
    assert (path, line) == ("positions.JPN.territory.salience.range", 14)
    assert msg == "expected a range that contains the value 0.9, got [0.1, 0.5]"


def test_undefined_source():
    text = BASE.replace("capability: 4}", "capability: {value: 4, source: cow}}")
    path, line, msg = only(text)
    assert (path, line) == ("actors[1].capability.source", 7)
    assert "unknown source 'cow'" in msg and "expected a key of sources" in msg


def test_veto_on_unknown_issue():
    text = BASE + "vetoes:\n  - actor: JPN\n    issues: [territory, military]\n"
    path, line, msg = only(text)
    assert (path, line) == ("vetoes[0].issues[1]", 19)
    assert "unknown issue 'military'" in msg


def test_empty_scenario():
    found = problems("id: t\ntitle: Empty\n")
    assert [(p, ln) for p, ln, _ in found] == [("actors", 1), ("issues", 1)]
    assert all("the scenario is empty" in m for _, _, m in found)


def test_non_finite_bounds():
    path, line, msg = only(BASE.replace("bounds: [0, 100]", "bounds: [0, .inf]"))
    assert (path, line) == ("issues[0].bounds[1]", 11)
    assert "expected a finite number" in msg


def test_missing_required_field_and_cross_field_errors_print_together():
    text = BASE.replace("  - {id: RUS, name: Russia, capability: 4}", "  - {id: RUS, capability: 4}")
    text = text.replace("{position: 100, salience: 0.9}", "{position: 120, salience: 0.9}")
    text += "  USA:\n    territory: {position: 5, salience: 0.1}\n"
    found = problems(text)
    assert [(p, ln) for p, ln, _ in found] == [
        ("actors[1].name", 7),
        ("positions.JPN.territory.position", 14),
        ("positions.USA", 17),
    ]
    assert found[0][2] == "required field is missing"


def test_broken_actor_does_not_cause_unknown_actor_errors():
    text = BASE.replace(
        "  - {id: RUS, name: Russia, capability: 4}", "  - {id: RUS, name: [1, 2], capability: x}"
    )
    found = problems(text)
    assert {p for p, _, _ in found} == {"actors[1].name", "actors[1].capability"}


def test_wrong_type_bare_number_names_the_field_and_its_line():
    path, line, msg = only(BASE.replace("salience: 0.8}", "salience: .nan}"))
    assert (path, line) == ("positions.RUS.territory.salience", 16)
    assert msg == "expected a finite number, got nan"


def test_unknown_field_names_its_line():
    path, line, msg = only(BASE.replace("    name: Islands\n", "    name: Islands\n    colour: red\n"))
    assert (path, line) == ("issues[0].colour", 11)
    assert msg.startswith("unknown field")


def test_json_errors_have_lines_too():
    text = textwrap.dedent(
        """\
        {
          "id": "t", "title": "T",
          "actors": [{"id": "A", "name": "A"}],
          "issues": [{"id": "i", "name": "I"}],
          "positions": {"A": {"i": {"position": 50, "salience": 2}}}
        }
        """
    )
    with pytest.raises(ScenarioError) as info:
        parse_text(text, "c.json", "json")
    (p,) = info.value.problems
    assert (p.path, p.line) == ("positions.A.i.salience", 5)


def test_python_tags_are_rejected_by_the_safe_loader(tmp_path):
    f = tmp_path / "evil.yaml"
    f.write_text("id: !!python/object/apply:os.system ['echo hacked']\ntitle: x\n")
    with pytest.raises(ScenarioError) as info:
        load(f)
    (p,) = info.value.problems
    assert p.line == 1 and "python/object" in p.message and "safe loader" in p.message


def test_bad_timestamp_is_a_yaml_error_with_its_line():
    _path, line, msg = only(BASE.replace("title: Test", "title: Test\nas_of: 2016-13-45"))
    assert line == 3 and "not valid YAML" in msg and "month" in msg


@pytest.mark.parametrize(
    ("make", "expect"),
    [
        (lambda d: d / "missing.yaml", "no such file"),
        (lambda d: d, "is a directory"),
    ],
)
def test_unreadable_paths(tmp_path, make, expect):
    with pytest.raises(ScenarioError) as info:
        load(make(tmp_path))
    assert len(str(info.value).splitlines()) == 1
    assert expect in str(info.value)


def test_binary_file(tmp_path):
    f = tmp_path / "image.yaml"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ScenarioError, match=r"^.*image\.yaml: is a binary file") as info:
        load(f)
    assert len(str(info.value).splitlines()) == 1


def test_non_utf8_and_empty_files(tmp_path):
    f = tmp_path / "latin1.yaml"
    f.write_bytes("id: t\ntitle: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin1\.yaml:2: is not UTF-8 text"):
        load(f)
    e = tmp_path / "empty.yaml"
    e.write_text("")
    with pytest.raises(ScenarioError, match=r"empty\.yaml:1: the file is empty"):
        load(e)


def test_top_level_list(tmp_path):
    f = tmp_path / "list.yaml"
    f.write_text("- a\n- b\n")
    with pytest.raises(
        ScenarioError, match=r"list\.yaml:1: expected a mapping of scenario fields .* got a list$"
    ):
        load(f)
