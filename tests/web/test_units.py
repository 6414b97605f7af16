"""The web app's parts without a server: forms, comparison, stored views, security helpers, start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from realpolitik.scenario import Problem, builtin_ids, dumps, load
from realpolitik.web import compare, forms, links, scenarios, security, views

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


# ------------------------------------------------------------------------ numbers set by links
FLAGSHIP_LINKED = {  # the seven cells of japan-russia-2016 that environment links set
    "positions.JPN.territory.salience",
    "positions.JPN.economic_cooperation.salience",
    "positions.JPN.economic_cooperation.position",
    "positions.JPN.russia_china_front.salience",
    "positions.JPN.military_status.acceptable.low",
    "positions.RUS.military_status.acceptable.high",
    "positions.RUS.russia_china_front.salience",
}


def test_the_flagships_linked_numbers_carry_their_link_driver_and_value() -> None:
    from realpolitik.environment import resolve

    text = scenarios.builtin_text("japan-russia-2016")
    info = links.text_link_info(text)
    assert set(info.fields) == FLAGSHIP_LINKED and info.error is None
    for e in resolve(load("japan-russia-2016")).trace.links:
        f = info.by_index(e.index)
        assert f is not None and f.target == e.target and f.driver == e.driver
        assert (f.value, f.driver_value, f.file_value) == (e.value, e.driver_value, e.scenario_value)
        assert not f.differs  # the built-in writes the numbers its links give
    rus = info.fields["positions.RUS.russia_china_front.salience"]
    assert rus.words == "RUS's salience on russia_china_front" and rus.when == "at 2016-12-31"
    assert rus.formula == "0 + 0.5 × affinity(RUS, CHN), clipped to [0, 1]" and rus.value == 0.3
    assert text.splitlines()[rus.line - 1].strip() == "- target: RUS.salience.russia_china_front"
    form = forms.build_form(scenarios.draft_from_text(text), [], info.fields)
    assert form.linked["cell.1.3.salience"] is rus and form.linked[
        "cell.0.2.position"
    ].value == pytest.approx(60.28876570971834)
    assert len(form.linked) == 7


def test_a_number_that_differs_from_its_link_is_flagged() -> None:
    text = scenarios.builtin_text("japan-russia-2016")
    edited = text.replace(
        'salience: {value: 0.3, range: [0.2, 0.5], source: analyst, note: "an instrument Moscow',
        'salience: {value: 0.8, range: [0.2, 0.9], source: analyst, note: "an instrument Moscow',
        1,
    )
    assert edited != text
    info = links.text_link_info(edited)
    rus = info.fields["positions.RUS.russia_china_front.salience"]
    assert rus.differs and (rus.value, rus.file_value) == (0.3, 0.8)
    assert [w for w in info.warnings if links.is_overwrite_warning(w)] == [
        "japan-russia-2016: environment.links[5] sets RUS.salience.russia_china_front to 0.3 at 2016-12-31 "
        "(affinity(RUS, CHN) = 0.6), but the file gives 0.8; the models use 0.3 and never see 0.8: write 0.3 "
        "there, or remove the link to use 0.8"
    ]
    # the comparison of inputs says which differing number a link sets
    (d,) = [
        x for x in compare.input_diff(text, edited) if x.path == "positions.RUS.russia_china_front.salience"
    ]
    assert d.linked and d.link_a is not None and d.link_b is not None and d.link_b.value == 0.3


def test_a_grid_save_keeps_linked_numbers_and_their_stances() -> None:
    text = scenarios.builtin_text("japan-russia-2016")
    draft = scenarios.draft_from_text(text)
    info = links.text_link_info(text)
    form = forms.build_form(draft, [], info.fields)
    # the browser sends no linked field (they have no name), and no red line where there is none
    sent = {k: v for k, v in form.values.items() if k not in form.linked}
    assert "cell.0.2.position" not in sent and sent["cell.0.2.low"] == sent["cell.0.2.high"] == ""
    new = forms.apply_form(draft, sent)
    assert (
        new["positions"]["JPN"]["economic_cooperation"] == draft["positions"]["JPN"]["economic_cooperation"]
    )
    assert dumps(load("japan-russia-2016")) == dumps(scenarios.check_data(new).scenario)  # type: ignore[arg-type]


def test_removing_a_link_removes_every_link_on_its_target() -> None:
    draft = {
        "environment": {
            "links": [
                {"target": "JPN.salience.x", "driver": "a"},
                {"target": "RUS.salience.x", "driver": "a"},
                {"target": "JPN.salience.x", "driver": "b"},
            ]
        }
    }
    assert links.remove_links(draft, 2) == [0, 2]
    assert draft["environment"]["links"] == [{"target": "RUS.salience.x", "driver": "a"}]
    assert links.remove_links(draft, 5) == []
    assert links.remove_links(draft, 0) == [0] and "links" not in draft["environment"]


def test_a_value_outside_its_range_is_said_in_words_with_the_range_that_fits() -> None:
    draft = scenarios.draft_from_text(scenarios.builtin_text("japan-russia-2016"))
    draft["positions"]["RUS"]["territory"]["salience"]["value"] = 0.9
    problems = scenarios.check_data(draft).problems
    form = forms.build_form(draft, problems)
    assert form.errors["cell.1.0.salience"] == [
        "this number's uncertainty range [0.4, 0.8] no longer contains 0.9: widen the range (to [0.4, 0.9]), "
        "or tick \u2018widen the ranges\u2019 beside Save to do it for every edited number"
    ]
    assert form.widen == {"cell.1.0.salience": ("positions.RUS.territory.salience", "[0.4, 0.9]")}
    assert forms.widen_one(draft, "positions.RUS.territory.salience")
    assert draft["positions"]["RUS"]["territory"]["salience"]["range"] == [0.4, 0.9]
    assert not forms.widen_one(draft, "positions.RUS.territory.salience")  # nothing left to widen
    assert not forms.widen_one(draft, "positions.XYZ.territory.salience")
    assert scenarios.check_data(draft).valid


# ------------------------------------------------------------------------ what a run shows
def test_compare_counts_outcome_moves_and_pressure_moves_apart() -> None:
    def res(out: float, pressure: float) -> dict[str, object]:
        return {
            "model": "eum",
            "summary": {"issues": [{"issue": "t", "name": "T", "bounds": [0, 100]}]},
            "forecasts": [{"model": "eum", "outcome": {"t": out}, "pressure": {"t": pressure}}],
        }

    c = compare.Comparison()
    compare.compare_results(res(0.0, 30.0), res(0.0, 60.0), c)  # the rule holds 0; the pressure moves
    assert c.moved == [] and c.pressure_moved == c.outcomes
    c = compare.Comparison()
    compare.compare_results(res(0.0, 30.0), res(40.0, 40.0), c)
    assert c.moved == c.outcomes == c.pressure_moved


def test_default_runs_to_compare_differ() -> None:
    from types import SimpleNamespace as R

    def run(i: int, h: str = "x", status: str = "done", seed: int = 0) -> R:
        return R(id=i, status=status, scenario_hash=h, kind="forecast", params={"model": None}, seed=seed)

    assert compare.default_runs([]) == (None, None)
    assert compare.default_runs([run(1)]) == (None, 1)
    # newest first: run 4 repeats run 3, so A is run 2 (another scenario); a failed run is never chosen
    assert compare.default_runs([run(5, status="failed"), run(4), run(3), run(2, "y")]) == (2, 4)
    assert compare.default_runs([run(3), run(2)]) == (2, 3)  # two equal runs: still two different runs
    assert compare.default_runs([run(3), run(2, seed=1)]) == (2, 3)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("forecast", "realpolitik forecast case-run7.yaml --model all --seed 3"),
        ("deals", "realpolitik deals case-run7.yaml --seed 3"),
        ("sweep", "realpolitik sweep case-run7.yaml --vary china_assertiveness=0:1:11 --seed 3"),
        ("montecarlo", "realpolitik montecarlo case-run7.yaml --draws 500 --seed 3"),
        ("analyze", "realpolitik analyze case-run7.yaml --seed 3 --draws 500"),
    ],
)
def test_each_job_names_the_command_that_computes_it(kind: str, expected: str) -> None:
    from realpolitik.web.worker import reproduce_command, scenario_file

    file = scenario_file("case", 7)
    assert (
        reproduce_command(kind, file, seed=3, model=None, draws=500, driver="china_assertiveness") == expected
    )
    assert reproduce_command("montecarlo", file, seed=3, model="nash", draws=500, sensitivity=True) == (
        "realpolitik montecarlo case-run7.yaml --draws 500 --model nash --seed 3\n"
        "# and the sensitivity analysis (tornado, Sobol indices), as in: "
        "realpolitik analyze case-run7.yaml --seed 3 --draws 500 --model nash"
    )


def test_the_forecast_command_reproduces_a_forecast_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from realpolitik.cli import app
    from realpolitik.report import run_analysis
    from realpolitik.web.worker import KINDS, reproduce_command

    text = scenarios.builtin_text("ec-emissions-1994")
    (tmp_path / "ec-run1.yaml").write_text(text)
    a = run_analysis(load("ec-emissions-1994"), seed=2, parts=KINDS["forecast"])
    cmd = reproduce_command("forecast", "ec-run1.yaml", seed=2, model=None, draws=2000)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, [*cmd.split()[1:], "--format", "json"])
    assert r.exit_code == 0, r.output
    got = {f["model"]: f["outcome"] for f in json.loads(r.stdout)}
    assert got == {f.model: dict(f.outcome) for f in a.forecasts}


def test_a_forecast_run_shows_only_what_it_computed() -> None:
    from realpolitik.report import run_analysis
    from realpolitik.report.sections import build
    from realpolitik.web.worker import KINDS

    a = run_analysis(load("ec-emissions-1994"), parts=KINDS["forecast"])
    a.command = "realpolitik forecast ec-run1.yaml --model all --seed 0"
    card, sections = build(a, interactive=False)
    rv = views.for_run(card, sections, KINDS["forecast"])
    assert [s.id for s in rv.sections] == ["findings", "forecasts", "scenario", "reproduce"]
    assert rv.sections[0].model == (
        "Generated from what this run computed, most important first, each with the number it rests on: "
        "every model's forecast."
    )
    texts = [getattr(b, "text", "") for s in rv.sections for b in s.blocks]
    assert not any("did not run" in t for t in texts)
    assert "realpolitik forecast ec-run1.yaml --model all --seed 0" in texts
    assert rv.card is not None and rv.hide == ["montecarlo"]
    # a full analysis keeps everything the report shows
    full = views.for_run(card, sections, KINDS["analyze"])
    assert full.sections == sections and full.hide == []
    # a deal analysis alone: no forecast columns and only the agreements' answers
    d = run_analysis(load("japan-russia-2016"), parts=KINDS["deals"])
    dv = views.for_run(*build(d, interactive=False), KINDS["deals"])
    assert [s.id for s in dv.sections] == ["findings", "deals", "scenario", "reproduce"]
    assert dv.card is not None and {h.kind for h in dv.card.headlines} == {"agreement"}
    assert dv.hide == ["forecasts", "montecarlo"]


def test_a_run_names_the_model_it_ran_with() -> None:
    from realpolitik import defaults

    assert compare.model_label({"model": "nash"}) == "nash"
    assert (
        compare.model_label({"model": None, "default_model": defaults.MODEL}) == f"default ({defaults.MODEL})"
    )
    assert compare.model_label({"model": None}) == "default (eum)"  # recorded before the default was stored
