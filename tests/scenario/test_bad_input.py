"""No traceback for bad input: broken files raise only ScenarioError, one well-formed line per problem."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import scenario_dicts

from realpolitik.scenario import ScenarioError, dumps, from_dict, load

SETTINGS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

BAD_VALUES = st.sampled_from(
    [
        None,
        "",
        "x",
        "not a number",
        -1,
        10**400,
        1e308,
        float("nan"),
        float("inf"),
        -float("inf"),
        True,
        [],
        {},
        [1, 2, 3],
        {"value": "x"},
        {"value": 1, "range": [2, 1]},
        "bad id!",
        "\x00",
        "é" * 100,
    ]
)


def check_load(path: Path) -> None:
    """``load`` either succeeds or raises ScenarioError whose every line is ``FILE[:LINE]: ...``."""
    try:
        load(path)
    except ScenarioError as exc:
        lines = str(exc).splitlines()
        assert lines and len(lines) == len(exc.problems)
        for line in lines:
            assert re.match(rf"^{re.escape(str(path))}(:\d+)?: \S", line), line
            assert "internal error" not in line, line


def _paths(obj: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*path, i))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    """A valid scenario with a few random edits: values replaced, keys dropped or renamed, items added."""
    data = copy.deepcopy(draw(scenario_dicts()))
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        op = draw(st.sampled_from(["replace", "delete", "rename", "add"]))
        if op == "replace":
            parent[key] = draw(BAD_VALUES)
        elif op == "delete":
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["bad id!", "", "x" * 90, "USA", "1", "value"]))] = parent.pop(key)
        elif isinstance(parent, list):
            parent.append(draw(BAD_VALUES))
    return data


@SETTINGS
@given(data=mutated(), fmt=st.sampled_from(["yaml", "json"]))
def test_mutated_scenarios(tmp_path, data, fmt):
    f = tmp_path / f"s.{fmt}"
    if fmt == "json":
        f.write_text(json.dumps(data, default=str))
    else:
        f.write_text(yaml.safe_dump(data, allow_unicode=True))
    check_load(f)


@SETTINGS
@given(data=scenario_dicts(), cut=st.floats(0, 1), fmt=st.sampled_from(["yaml", "json"]))
def test_truncated_files(tmp_path, data, cut, fmt):
    text = dumps(from_dict(data), fmt)
    f = tmp_path / f"s.{fmt}"
    f.write_text(text[: int(cut * len(text))], encoding="utf-8")
    check_load(f)


def test_truncated_yaml_at_every_cut_point(tmp_path):
    text = (Path(__file__).parent / "data" / "small.yaml").read_text(encoding="utf-8")
    for n in range(len(text) + 1):
        f = tmp_path / "cut.yaml"
        f.write_text(text[:n], encoding="utf-8")
        check_load(f)


@SETTINGS
@given(raw=st.binary(max_size=300), suffix=st.sampled_from([".yaml", ".json", ".csv", ".xml", ".txt", ""]))
def test_garbage_bytes(tmp_path, raw, suffix):
    f = tmp_path / f"g{suffix}"
    f.write_bytes(raw)
    check_load(f)


@SETTINGS
@given(data=scenario_dicts(), pos=st.integers(0, 10_000), junk=st.binary(min_size=1, max_size=8))
def test_bytes_spliced_into_a_valid_file(tmp_path, data, pos, junk):
    raw = dumps(from_dict(data)).encode()
    pos = pos % (len(raw) + 1)
    f = tmp_path / "s.yaml"
    f.write_bytes(raw[:pos] + junk + raw[pos:])
    check_load(f)


@SETTINGS
@given(text=st.text(max_size=200), suffix=st.sampled_from([".yaml", ".csv", ".xml", ".txt"]))
def test_random_text(tmp_path, text, suffix):
    f = tmp_path / f"t{suffix}"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    check_load(f)


def test_special_cases(tmp_path):
    cases = {
        "empty.yaml": "",
        "blank.yaml": "\n   \n",
        "list.yaml": "- 1\n- 2\n",
        "scalar.yaml": "42\n",
        "huge.yaml": "id: t\ntitle: T\nactors: [{id: A, name: A, capability: 1" + "0" * 400 + "}]\n",
        "hugefloat.json": '{"id": "t", "title": "T", "actors": [{"id": "A", "name": "A", "capability": 1e999}]}',
        "nan.json": '{"id": "t", "title": "T", "issues": [{"id": "i", "name": "I", "bounds": [NaN, 1]}]}',
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "deep.yaml": "a: " + "[" * 5000 + "]" * 5000,
        "recursive.yaml": "id: t\ntitle: T\nactors: &a [*a]\n",
        "multi.yaml": "id: a\n---\nid: b\n",
        "tags.yaml": "id: !!binary 'zz!'\n",
        "unhashable.yaml": "? [a]\n: 1\n",
        "xml_entity.xml": '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><Scenario>&a;</Scenario>',
        "python.yaml": "!!python/object/new:os.system [ls]\n",
        "ktab_short.csv": "name,desc,3,2\n",
        "ktab_bad.csv": "name,desc,1,1\nActor,Desc,Cap,P Position,P Salience\nA,a,x,nan,200\n",
        "nul.csv": "a,b\x00,1,1\n",
    }
    for name, text in cases.items():
        f = tmp_path / name
        f.write_text(text, encoding="utf-8")
        check_load(f)
    f = tmp_path / "latin1.yaml"
    f.write_bytes(b"id: caf\xe9\n")
    check_load(f)
    check_load(tmp_path / "nonexistent.yaml")
    check_load(tmp_path)
