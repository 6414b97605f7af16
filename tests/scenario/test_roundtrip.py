"""YAML and JSON out and back in: the same scenario (hypothesis-generated valid scenarios)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from tests.strategies import bargaining_problems, scenario_dicts

from realpolitik.scenario import dumps, from_dict, load, parse_text, save, to_problem

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(scenario_dicts())
def test_yaml_and_json_round_trip(data):
    s = from_dict(data)
    for fmt in ("yaml", "json"):
        text = dumps(s, fmt)
        again = parse_text(text, f"<{fmt}>", fmt)
        assert again == s, fmt
        assert dumps(again, fmt) == text


@settings(max_examples=15, deadline=None)
@given(scenario_dicts())
def test_save_then_load_gives_an_equal_scenario(tmp_path_factory, data):
    s = from_dict(data)
    d = tmp_path_factory.mktemp("rt")
    for name in ("s.yaml", "s.json"):
        assert load(save(s, d / name)) == s


@settings(max_examples=30, deadline=None)
@given(bargaining_problems(with_absent=True, with_issue_power=True))
def test_bargaining_problem_strategy_is_valid(p):
    assert np.all(p.position >= p.bounds[:, 0]) and np.all(p.position <= p.bounds[:, 1])
    assert np.all((p.salience >= 0) & (p.salience <= 1))
    assert np.all(p.capability > 0)


@settings(max_examples=30, deadline=None)
@given(scenario_dicts())
def test_scenarios_convert_to_problems(data):
    s = from_dict(data)
    p = to_problem(s)
    assert p.n_actors == len(s.actors) and p.n_issues == len(s.issues)
