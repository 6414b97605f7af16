"""Issue 11, hostile scenario files: alias bombs, files outside the scenario's folder, control characters,
huge JSON, numbers the models cannot use, and the smaller things (``1e-3``, ids in any script).

Each test is one probe of the issue, kept as a regression test.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from tests.cli_support import GOOD, fails, ok, write

import realpolitik as rp
from realpolitik.environment import load_series, prepare
from realpolitik.environment.series import PathNotAllowedError, resolve_data_path
from realpolitik.scenario import ScenarioError, dumps, parse_text


def _bomb(levels: int) -> str:
    lines = ["metadata:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return GOOD + "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------- 1. alias bomb
def test_the_alias_bomb_is_under_a_kilobyte_and_refused_at_once(tmp_path: Path) -> None:
    text = _bomb(10)
    assert len(text.encode()) - len(GOOD) < 965
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match="alias bomb") as exc:
        parse_text(text, "bomb.yaml")
    assert time.perf_counter() - t0 < 2
    assert len(exc.value.problems) == 1 and "REALPOLITIK_MAX_YAML_VALUES" in str(exc.value)


@pytest.mark.parametrize(
    "command",
    [["validate"], ["show"], ["forecast", "-m", "compromise"], ["deals"], ["montecarlo", "-n", "10"]],
)
def test_every_command_refuses_the_alias_bomb_in_one_line(command: list[str], tmp_path: Path) -> None:
    bomb = write(tmp_path / "bomb.yaml", _bomb(10))
    t0 = time.perf_counter()
    err = fails(command[0], bomb, *command[1:])
    assert time.perf_counter() - t0 < 10 and "alias bomb" in err


def test_aliases_below_the_limit_still_work_and_metadata_is_not_walked(tmp_path: Path) -> None:
    s, dt = _timed_parse(_bomb(6))  # 531,441 values: under the limit, and never walked
    assert s.actor_ids == ["A", "B"] and dt < 5
    reused = GOOD.replace(
        "  A: {x: {position: 20, salience: 0.9}}", "  A: {x: &st {position: 20, salience: 0.9}}"
    )
    reused = reused.replace("  B: {x: {position: 80, salience: 0.5}}", "  B: {x: *st}")
    assert parse_text(reused).stance("B", "x").position.value == 20


def _timed_parse(text: str) -> tuple[rp.Scenario, float]:
    t0 = time.perf_counter()
    s = parse_text(text, "ok.yaml")
    return s, time.perf_counter() - t0


def test_the_limit_on_alias_expansion_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _bomb(4)  # 7,381 values
    monkeypatch.setenv("REALPOLITIK_MAX_YAML_VALUES", "1000")
    with pytest.raises(ScenarioError, match="1,000 values"):
        parse_text(text)
    monkeypatch.setenv("REALPOLITIK_MAX_YAML_VALUES", "100000")
    assert parse_text(text).id == "toy"


# ------------------------------------------------------------------------------- 2. path disclosure
def _with_series(series: str) -> str:
    return GOOD + f"environment:\n  indicators:\n    leak: {{series: {json.dumps(series)}}}\n"


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ", "../../../../../../etc/passwd"])
def test_a_series_outside_the_scenarios_folder_is_refused_unread(target: str, tmp_path: Path) -> None:
    f = write(tmp_path / "case" / "leak.yaml", _with_series(target))
    err = fails("validate", f)
    assert "outside the scenario's folder" in err and "--allow-paths" in err
    assert "root:" not in err and "PATH=" not in err and "HOME=" not in err


def test_allowed_paths_still_never_echo_a_files_contents(tmp_path: Path) -> None:
    if not Path("/etc/passwd").is_file():
        pytest.skip("no /etc/passwd here")
    f = write(tmp_path / "leak.yaml", _with_series("/etc/passwd"))
    err = fails("validate", f, "--allow-paths")
    assert "root:" not in err and "names not shown" in err


def test_a_symlink_in_the_folder_to_a_file_outside_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path / "secret" / "s.csv", "year,v\n2015,1\n")
    (tmp_path / "case").mkdir()
    (tmp_path / "case" / "s.csv").symlink_to(outside)
    f = write(tmp_path / "case" / "c.yaml", _with_series("s.csv"))
    assert "outside the scenario's folder" in fails("validate", f)


@pytest.mark.parametrize("ref", ["file:../secret/s.csv", "builtin:../../../secret/s", "file:/etc/hostname"])
def test_schemes_do_not_open_a_way_out(ref: str, tmp_path: Path) -> None:
    write(tmp_path / "secret" / "s.csv", "year,v\n2015,1\n")
    f = write(tmp_path / "case" / "c.yaml", _with_series(ref))
    err = fails("validate", f)
    assert "outside the scenario's folder" in err or "no built-in series" in err


def test_series_beside_the_scenario_and_in_the_data_path_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "case" / "data" / "v.csv", "year,v\n2015,0.25\n")
    shared = write(tmp_path / "shared" / "w.csv", "year,w\n2015,0.75\n")
    near = write(tmp_path / "case" / "near.yaml", _with_series("data/v.csv"))
    far = write(tmp_path / "case" / "far.yaml", _with_series(str(shared)))
    assert prepare(rp.load(near)).context.indicators["leak"] == 0.25
    with pytest.raises(PathNotAllowedError):
        prepare(rp.load(far))
    assert prepare(rp.load(far, allow_paths=True)).context.indicators["leak"] == 0.75  # the API's switch
    monkeypatch.setenv("REALPOLITIK_DATA_PATH", str(tmp_path / "shared"))
    assert prepare(rp.load(far)).context.indicators["leak"] == 0.75
    ok("validate", far)


def test_the_resolver_is_the_one_policy(tmp_path: Path) -> None:
    inside = write(tmp_path / "a" / "x.csv", "year,v\n2015,1\n")
    assert resolve_data_path("x.csv", tmp_path / "a") == inside.resolve()
    with pytest.raises(PathNotAllowedError, match="outside"):
        resolve_data_path("../b/x.csv", tmp_path / "a")
    assert resolve_data_path("../b/x.csv", tmp_path / "a", allow_paths=True) == (tmp_path / "b" / "x.csv")
    with pytest.raises(PathNotAllowedError):
        load_series(str(inside))  # absolute, outside the working directory, not allowed
    assert load_series(str(inside), allow_paths=True).name == "x"


def test_an_analogue_outside_the_folder_is_not_opened(tmp_path: Path) -> None:
    write(tmp_path / "other" / "secret.yaml", GOOD.replace("id: toy", "id: secret"))
    text = GOOD + "analogues:\n  - {scenario: ../other/secret.yaml, maps: {x: outcome.x}}\n"
    f = write(tmp_path / "case" / "a.yaml", text)
    data = json.loads(ok("deals", f, "--format", "json").stdout)
    (pr,) = data["precedents"]
    assert "outside the scenario's folder" in pr["error"]


# ------------------------------------------------------------------------------ 7. huge JSON input
def test_json_is_read_by_the_json_parser_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 50 MB JSON scenario took 118 s and 4.2 GB in the YAML parser (benchmarks/bench_input.py)."""
    data = _toy()
    data["metadata"] = {"blob": [{"k": i, "v": "x" * 40, "n": [1.5, 2.5]} for i in range(20_000)]}
    f = tmp_path / "big.json"
    f.write_text(json.dumps(data), encoding="utf-8")

    def no_yaml(*args: object, **kwargs: object) -> None:
        raise AssertionError("a JSON file went through the YAML parser")

    monkeypatch.setattr(yaml, "compose", no_yaml)
    monkeypatch.setattr(yaml.SafeLoader, "get_single_node", no_yaml)
    assert rp.load(f).id == "toy"
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(data, indent=1).replace('"capability": 2', '"capability": -2'), encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match=r"bad.json:\d+: actors\[1\].capability"):
        rp.load(bad)  # its line is found without the YAML parser too


def test_json_errors_keep_their_line_numbers(tmp_path: Path) -> None:
    text = json.dumps(_toy(), indent=2).replace('"capability": 2', '"capability": -2')
    with pytest.raises(ScenarioError) as exc:
        parse_text(text, "t.json", "json")
    (p,) = exc.value.problems
    assert p.line == text.splitlines().index('      "capability": -2') + 1
    assert p.path == "actors[1].capability"
    dupes = text.replace('"title": "A toy"', '"title": "A toy", "title": "Again"')
    with pytest.raises(ScenarioError, match="duplicate key 'title'"):
        parse_text(dupes, "t.json", "json")
    with pytest.raises(ScenarioError, match=r"t.json:3: not valid JSON"):
        parse_text('{\n "id": "x",\n "title": }', "t.json", "json")


def test_a_file_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = write(tmp_path / "s.yaml", GOOD + "# " + "x" * 5000 + "\n")
    monkeypatch.setenv("REALPOLITIK_MAX_INPUT_BYTES", "4096")
    err = fails("validate", f)
    assert "more than the limit of 4,096" in err and "REALPOLITIK_MAX_INPUT_BYTES" in err


def _toy() -> dict[str, object]:
    return {
        "id": "toy",
        "title": "A toy",
        "actors": [
            {"id": "A", "name": "Alpha", "capability": 1},
            {"id": "B", "name": "Beta", "capability": 2},
        ],
        "issues": [{"id": "x", "name": "X", "bounds": [0, 100], "status_quo": 50}],
        "positions": {
            "A": {"x": {"position": 20, "salience": 0.9}},
            "B": {"x": {"position": 80, "salience": 0.5}},
        },
        "parties": ["A", "B"],
    }


# ---------------------------------------------------------------------- 6. numbers the models cannot use
@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("capability: 2}", "capability: 1e308}", "actors[1].capability"),
        ("bounds: [0, 100]", "bounds: [-1.7e308, 1.7e308]", "issues[0].bounds[0]"),
        ("position: 80,", "position: 1e16,", "positions.B.x.position"),
    ],
)
def test_numbers_too_large_to_compute_with_are_refused_naming_the_field(
    old: str, new: str, field: str, tmp_path: Path
) -> None:
    f = write(tmp_path / "h.yaml", GOOD.replace(old, new))
    err = fails("validate", f, lines=None)
    assert f"{field}: expected a number between -1e+15 and 1e+15" in err


# ------------------------------------------------------------------------------- 9. control characters
@pytest.mark.parametrize(
    ("raw", "shown"),
    [("\x1b[2J", "\\x1b"), ("\x1b]0;pwned\x07", "\\x1b"), ("\u202eexe.txt", "\\u202e"), ("a\x00b", "\\x00")],
)
def test_control_characters_in_names_are_refused_naming_the_field(
    raw: str, shown: str, tmp_path: Path
) -> None:
    data = _toy()
    data["actors"][0]["name"] = "Al" + raw  # type: ignore[index]
    f = tmp_path / "c.json"
    f.write_text(json.dumps(data), encoding="utf-8")  # JSON can carry every one of them
    err = fails("show", f)
    assert "actors[0].name: expected one line of text without control characters" in err and shown in err


def test_newlines_are_fine_in_descriptions_not_in_names(tmp_path: Path) -> None:
    text = GOOD.replace("title: A toy", "title: A toy\ndescription: |\n  Two lines\n  of text.")
    assert parse_text(text).description == "Two lines\nof text.\n"
    with pytest.raises(ScenarioError, match=r"actors\[0\].name: expected one line"):
        parse_text(GOOD.replace("name: Alpha", 'name: "Al\\npha"'))


def test_a_bidi_override_in_a_key_is_shown_escaped_in_the_field_path(tmp_path: Path) -> None:
    f = write(tmp_path / "k.yaml", GOOD.replace("  B: {x:", '  "B\u202eC": {x:'))
    err = fails("validate", f, lines=None)
    assert "positions.B\\u202eC" in err and "\u202e" not in err


# ------------------------------------------------------------------------------------ 11. smaller things
def test_exponent_floats_without_a_dot_are_numbers_and_text_like_them_stays_text(tmp_path: Path) -> None:
    s = parse_text(GOOD.replace("capability: 1}", "capability: 1e-3}").replace("name: Beta", 'name: "2E5"'))
    assert s.actor("A").capability.value == 0.001 and s.actor("B").name == "2E5"  # type: ignore[union-attr]
    again = parse_text(dumps(s, "yaml"))
    assert again == s


def test_ids_in_any_script(tmp_path: Path) -> None:
    text = (
        GOOD.replace("id: A,", "id: Россия,")
        .replace("id: B,", "id: 日本,")
        .replace("  A: {x:", "  Россия: {x:")
        .replace("  B: {x:", "  日本: {x:")
        .replace("parties: [A, B]", "parties: [Россия, 日本]")
        .replace("id: x,", "id: भारत,")
        .replace("{x: {", "{भारत: {")
    )
    text += "relations:\n  - {from: Россия, to: 日本, kind: threat, value: 0.4}\n"
    text += "environment:\n  links:\n    - {target: 日本.salience.भारत, driver: 'threat(Россия, 日本)', gain: 0.5}\n"
    f = write(tmp_path / "u.yaml", text)
    out = json.loads(ok("forecast", f, "-m", "compromise", "--format", "json").stdout)
    assert set(out["outcome"]) == {"भारत"} and out["actors"] == ["Россия", "日本"]
    with pytest.raises(ScenarioError) as exc:
        parse_text(GOOD.replace("id: A,", "id: '-A',"))
    assert "expected an id of letters (any script), digits, '_', '-', '.' or spaces" in str(exc.value)


def test_the_built_in_scenarios_still_validate() -> None:
    for sid in rp.scenario.builtin_ids():
        assert rp.load(sid).id == sid
