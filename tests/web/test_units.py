"""The web app's parts without a server: forms, comparison, stored views, security helpers, start-up."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from realpolitik.scenario import Problem, builtin_ids, dumps, load
from realpolitik.web import compare, forms, scenarios, security, views

HEAVY = ("fastapi", "starlette", "sqlalchemy", "uvicorn", "alembic", "multipart", "httpx")


def _imported(args: list[str]) -> set[str]:
    """Top-level modules imported by ``python -X importtime ARGS``."""
    env = {**os.environ, "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], capture_output=True, text=True, env=env, check=False
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_import_and_help_load_no_web_framework() -> None:
    assert not _imported(["-c", "import realpolitik"]) & set(HEAVY)
    assert not _imported(["-m", "realpolitik.cli", "--help"]) & set(HEAVY)
    assert not _imported(["-m", "realpolitik.cli", "serve", "--help"]) & set(HEAVY)


def test_serve_refuses_an_open_host_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from realpolitik.web.server import TOKEN_ENV, ServeError, resolve

    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(ServeError, match="needs an access token"):
        resolve("0.0.0.0", 8765, None, None)
    with pytest.raises(ServeError, match="at least 16"):
        resolve("0.0.0.0", 8765, None, "short")
    url, token = resolve("0.0.0.0", 8765, "sqlite:///x.db", "a-long-enough-token-123")
    assert token == "a-long-enough-token-123" and url == "sqlite:///x.db"
    monkeypatch.setenv(TOKEN_ENV, "from-the-environment-42")
    assert resolve("192.0.2.1", 8765, "postgresql://u:p@h/db", None) == (
        "postgresql+psycopg://u:p@h/db",
        "from-the-environment-42",
    )
    assert resolve("127.0.0.1", 8765, None, None)[0].startswith("sqlite:///")


def test_missing_extra_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from realpolitik.web import MissingExtraError, require_extra

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "fastapi" else real(n, *a))
    with pytest.raises(MissingExtraError) as e:
        require_extra()
    assert (
        str(e.value)
        == "the web app needs the optional extra: pip install 'realpolitik[web]' (missing: fastapi)"
    )


@pytest.mark.parametrize("sid", builtin_ids())
def test_the_grid_round_trips_every_builtin(sid: str) -> None:
    text = scenarios.builtin_text(sid)
    draft = scenarios.draft_from_text(text)
    assert forms.grid_problem(draft) is None
    form = forms.build_form(draft)
    again = scenarios.check_data(forms.apply_form(draft, form.values))
    assert again.valid, again.problems
    assert again.scenario is not None and dumps(again.scenario) == dumps(load(sid))


def test_problems_land_on_their_fields() -> None:
    draft = scenarios.draft_from_text(scenarios.builtin_text("japan-russia-2016"))
    form = forms.build_form(
        draft,
        [
            Problem("f", "positions.RUS.territory.acceptable.high", "too high"),
            Problem("f", "positions.JPN.territory.salience.range", "bad range"),
            Problem("f", "issues[1].bounds", "bad bounds"),
            Problem("f", "vetoes[0].relation", "no such relation"),
            Problem("f", "environment.links[0].target", "elsewhere"),
            Problem("f", "", "the file is empty"),
        ],
    )
    assert form.errors["cell.1.0.high"] == ["too high"]
    assert form.errors["cell.0.0.salience"] == ["bad range"]
    assert form.errors["issues[1].bounds[0]"] == ["bad bounds"]
    assert form.errors["vetoes[0].relation.kind"] == ["no such relation"]
    assert form.general == ["environment.links[0].target: elsewhere", "the file is empty"]


def test_renaming_an_actor_follows_its_references() -> None:
    draft = scenarios.draft_from_text(scenarios.builtin_text("japan-russia-2016"))
    values = forms.build_form(draft).values
    new = forms.apply_form(draft, {**values, "actors[1].id": "RUSSIA"})
    checked = scenarios.check_data(new)
    assert checked.valid, checked.problems
    s = checked.scenario
    assert s is not None and "RUSSIA" in s.positions and "RUSSIA" in s.parties
    assert s.rule_of("russia_china_front").decider == "RUSSIA"


def test_number_fields_keep_their_provenance() -> None:
    d = {"salience": {"value": 0.9, "source": "x", "range": [0.8, 1.0]}}
    forms._set_q(d, "salience", "0.85")
    assert d["salience"] == {"value": 0.85, "source": "x", "range": [0.8, 1.0]}
    forms._set_q(d, "salience", "lots")
    assert d["salience"]["value"] == "lots"  # kept as typed: the validator names it
    assert forms.number("1e400") == "1e400" and forms.number("-3") == -3 and forms.number(" 2.5 ") == 2.5
    assert (
        forms.widen_ranges({"a": {"value": 0.5, "range": [0.8, 1.0]}, "b": [{"value": 3, "range": [0, 2]}]})
        == 2
    )


def test_input_diff_matches_lists_by_id() -> None:
    a = scenarios.builtin_text("japan-russia-2016")
    b = a.replace("salience: {value: 0.9, range: [0.8, 1.0]", "salience: {value: 0.7, range: [0.6, 1.0]", 1)
    diff = compare.input_diff(a, b)
    paths = {d.path: d for d in diff}
    assert paths["positions.JPN.territory.salience"].a == "0.9"
    assert paths["positions.JPN.territory.salience"].b == "0.7"
    assert "positions.JPN.territory.salience.range" in paths
    assert compare.input_diff(a, a) == []
    flat = compare.flatten({"actors": [{"id": "A", "name": "x", "capability": {"value": 2}}]})
    assert flat == {"actors[A].name": "x", "actors[A].capability": "2"}


def test_outcomes_moved_and_agreements_flipped() -> None:
    def res(out: float, pressure: float, status: str) -> dict[str, object]:
        return {
            "model": "compromise",
            "summary": {"issues": [{"issue": "t", "name": "Territory", "bounds": [0, 100]}]},
            "forecasts": [
                {
                    "model": "compromise",
                    "outcome": {"t": out},
                    "pressure": {"t": pressure},
                    "rules": {"t": "consent"},
                    "agreements": [
                        {"id": "treaty", "name": "Treaty", "status": status, "refused_by": {"RUS": "t"}}
                    ],
                }
            ],
        }

    c = compare.Comparison()
    compare.compare_results(res(0.0, 49.9, "refused"), res(49.9, 49.9, "agreed"), c)
    (row,) = c.outcomes
    assert row.moved and row.ruled_a and not row.ruled_b and row.delta == pytest.approx(49.9)
    assert not row.pressure_moved
    (ag,) = c.agreements
    assert ag.flipped and ag.refused_a == "RUS on t" and c.flips == [ag]
    c2 = compare.Comparison()
    compare.compare_results(res(0.0, 49.9, "refused"), res(0.5, 49.9, "refused"), c2)
    assert not c2.outcomes[0].moved and not c2.flips  # 0.5 on a range of 100 is within 1%


def test_a_stored_view_renders_as_the_report_did() -> None:
    from realpolitik.report import run_analysis
    from realpolitik.report.render import render_card_html
    from realpolitik.report.sections import build

    a = run_analysis(load("ec-emissions-1994"), parts=("forecasts", "deals"))
    card, sections = build(a, interactive=False)
    data = views.dump(card, sections, title="t", subtitle="s")
    import json

    card2, sections2 = views.load(json.loads(json.dumps(data)))
    assert card2 == card
    assert sections2 == sections
    assert render_card_html(card2) == render_card_html(card)


def test_loopback_and_csrf_helpers() -> None:
    assert (
        security.is_loopback("127.0.0.1")
        and security.is_loopback("::1")
        and security.is_loopback("localhost")
    )
    assert security.is_loopback("127.8.0.1") and security.is_loopback("[::1]")
    assert not security.is_loopback("0.0.0.0") and not security.is_loopback("192.168.1.2")
    assert not security.is_loopback("example.org")
    t = security.csrf_token("key", "session")
    assert security.csrf_ok("key", "session", t)
    assert not security.csrf_ok("key", "other", t) and not security.csrf_ok("key", None, t)
    assert not security.csrf_ok("other key", "session", t)


def test_upload_names_are_labels_only() -> None:
    assert scenarios.display_name("../../etc/passwd") == "passwd"
    assert scenarios.display_name("C:\\Users\\x\\case.yaml") == "case.yaml"
    assert scenarios.display_name("a\nb.yaml") == "a b.yaml"
    assert scenarios.display_name(None) == "upload"
    up = scenarios.read_upload(b"id: x\ntitle: y\n", "/etc/shadow.yaml")
    assert up.name == "shadow.yaml" and up.text is not None and up.scenario is None
    assert all(p.file == "shadow.yaml" for p in up.problems)
    assert (
        scenarios.read_upload(b"x" * (scenarios.MAX_UPLOAD_BYTES + 1), "a.yaml")
        .problems[0]
        .message.startswith("the file has")
    )


def test_a_blank_scenario_is_valid_and_runs() -> None:
    from realpolitik import forecast

    checked = scenarios.check_text(scenarios.BLANK)
    assert checked.valid and checked.scenario is not None
    assert forecast(checked.scenario, model="compromise").outcome["issue_1"] == 50.0
