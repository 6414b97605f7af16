"""The web app over HTTP (TestClient), on SQLite and on PostgreSQL: pages, editing, runs, security."""

from __future__ import annotations

import json
import re

import yaml
from tests.web.helpers import Client, data_file, field_html

from realpolitik.scenario import dumps, load, parse_text
from realpolitik.web.scenarios import builtin_text


def test_library_lists_builtins_with_security_headers(web: Client) -> None:
    r = web.get("/")
    assert r.status_code == 200
    assert "Japan-Russia relations and the disputed islands (end of 2016)" in r.text
    assert "japan-russia-2022" in r.text
    csp = r.headers["content-security-policy"]
    script = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'"  # no inline or evaluated scripts
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text  # only <script src=...> files


def test_state_changes_need_the_csrf_token(web: Client) -> None:
    n = web.get("/").text.count('href="/scenarios/')
    r = web.tc.post("/scenarios/builtin", data={"builtin": "japan-russia-2016"})
    assert r.status_code == 403 and "Reload the page" in r.text
    r = web.tc.post("/scenarios/builtin", data={"builtin": "japan-russia-2016", "csrf_token": "0" * 64})
    assert r.status_code == 403
    assert web.get("/").text.count('href="/scenarios/') == n  # nothing was created
    r = web.tc.post(
        "/scenarios/builtin", data={"builtin": "japan-russia-2016"}, headers={"X-CSRF-Token": web.csrf}
    )
    assert r.status_code == 303  # htmx sends the token as a header


def test_static_files_are_served_from_the_package(web: Client) -> None:
    htmx = web.get("/static/htmx.min.js")
    assert htmx.status_code == 200 and "Zero-Clause BSD" in htmx.text[:400] and "htmx" in htmx.text
    plotly = web.get("/static/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
    assert (
        web.get("/static/plotly.min.js", headers={"if-none-match": plotly.headers["etag"]}).status_code == 304
    )
    assert web.get("/static/../db.py").status_code == 404
    assert web.get("/static/%2e%2e%2fdb.py").status_code == 404


def test_builtin_copy_opens_in_the_grid_and_downloads_as_given(web: Client) -> None:
    sid = web.open_builtin()
    page = web.get(f"/scenarios/{sid}").text
    assert 'name="cell.1.0.salience" value="0.6"' in page  # Russia's salience on territory
    # Japan's salience on territory is set by a link: shown as computed (its value at as_of), not a field
    assert 'name="cell.0.0.salience"' not in page
    assert re.search(r'<input type="text" value="0.899" id="f-cell_0_0_salience" readonly', page)
    assert "Positions and saliences" in page
    y = web.get(f"/scenarios/{sid}/scenario.yaml")
    assert y.status_code == 200 and "attachment" in y.headers["content-disposition"]
    assert y.text == builtin_text("japan-russia-2016")


def _editor_form(page: str) -> dict[str, str]:
    """Every field of the editor form as the browser would send it (first value of each name)."""
    form = page[page.index('<form method="post" action="/scenarios/') :]
    form = form[form.index('id="editor"') :]
    out: dict[str, str] = {}
    for m in re.finditer(r'<input type="(?:text|hidden)" name="([^"]+)" value="([^"]*)"', form):
        out.setdefault(m.group(1), _unescape(m.group(2)))
    for m in re.finditer(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        sel = re.search(r'<option value="([^"]*)" selected>', m.group(2))
        out.setdefault(m.group(1), _unescape(sel.group(1)) if sel else "")
    for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        out.setdefault(m.group(1), _unescape(m.group(2)))
    return out


def _unescape(s: str) -> str:
    import html

    return html.unescape(s)


def test_grid_edit_saves_a_new_version_that_the_yaml_view_shows(web: Client) -> None:
    sid = web.open_builtin()
    form = _editor_form(web.get(f"/scenarios/{sid}").text)
    assert form["base_version"] == "1"
    form["cell.1.0.salience"] = "0.3"  # outside the range [0.4, 0.8] that the number carries
    r = web.post(f"/scenarios/{sid}", {**form, "op": "save"})
    assert r.status_code == 422 and "widen the ranges" in r.text
    assert (
        "this number&#39;s uncertainty range [0.4, 0.8] no longer contains 0.3: widen the range (to [0.3, 0.8]), "
        "or tick ‘widen the ranges’ beside Save to do it for every edited number"
    ) in field_html(r.text, "cell.1.0.salience")
    r = web.post(f"/scenarios/{sid}", {**form, "op": "save", "widen": "1"})
    assert r.status_code == 303, r.text[:2000]
    text = web.get(f"/scenarios/{sid}/scenario.yaml").text
    s = parse_text(text)
    assert s.positions["RUS"]["territory"].salience.value == 0.3
    assert s.positions["RUS"]["territory"].salience.range == (0.3, 0.8)
    # everything the grid does not show is kept: sources and ranges of numbers, notes, environment
    original = load("japan-russia-2016")
    assert (
        s.positions["RUS"]["territory"].salience.source
        == original.positions["RUS"]["territory"].salience.source
    )
    # and so are the numbers links set: the grid does not send them
    assert s.positions["JPN"] == original.positions["JPN"]
    assert s.environment == original.environment and s.analogues == original.analogues
    assert dumps(s) == text  # the grid saves the canonical form: dumps(load(x)) is stable
    assert dumps(parse_text(dumps(s))) == dumps(s)
    page = web.get(f"/scenarios/{sid}").text
    assert "version 2" in page and 'name="cell.1.0.salience" value="0.3"' in page


def test_problems_are_shown_on_the_field_they_concern(web: Client) -> None:
    sid = web.open_builtin()
    form = _editor_form(web.get(f"/scenarios/{sid}").text)
    form.update({"cell.1.0.salience": "abc", "issues[0].bounds[0]": "500", "relations[0].to": "XYZ"})
    r = web.post(f"/scenarios/{sid}", {**form, "op": "save"})
    assert r.status_code == 422
    sal = field_html(r.text, "cell.1.0.salience")
    assert 'aria-invalid="true"' in sal and "expected a number, got &#39;abc&#39;" in sal
    assert "lower &lt; upper" in field_html(r.text, "issues[0].bounds[0]")
    assert "unknown actor &#39;XYZ&#39;" in field_html(r.text, "relations[0].to")
    assert 'value="abc"' in sal  # what the user typed is kept
    assert "version 1" in web.get(f"/scenarios/{sid}").text  # nothing saved


def test_structural_edits_add_and_remove_rows_without_saving(web: Client) -> None:
    sid = web.open_builtin()
    form = _editor_form(web.get(f"/scenarios/{sid}").text)
    r = web.post(f"/scenarios/{sid}", {**form, "op": "add_actor"})
    assert r.status_code == 200 and 'name="actors[4].id" value="ACTOR1"' in r.text
    form2 = _editor_form(r.text)
    form2["actors[4].remove"] = "1"
    form2["relations[3].remove"] = "1"
    r = web.post(f"/scenarios/{sid}", {**form2, "op": "save"})
    assert r.status_code == 303, r.text[:3000]
    s = parse_text(web.get(f"/scenarios/{sid}/scenario.yaml").text)
    assert s.actor_ids == ["JPN", "RUS", "CHN", "USA"]
    assert len(s.relations) == len(load("japan-russia-2016").relations) - 1


def test_second_save_from_the_same_version_is_refused(web: Client) -> None:
    sid = web.open_builtin()
    page = web.get(f"/scenarios/{sid}").text
    first, second = _editor_form(page), _editor_form(page)
    first["cell.1.0.salience"] = "0.5"
    second["cell.1.0.salience"] = "0.7"
    assert web.post(f"/scenarios/{sid}", {**first, "op": "save"}).status_code == 303
    r = web.post(f"/scenarios/{sid}", {**second, "op": "save"})
    assert r.status_code == 409
    assert "Not saved: someone else saved this scenario" in r.text
    assert f'href="/scenarios/{sid}/yaml"' in r.text  # a way to see the other version
    assert 'name="cell.1.0.salience" value="0.7"' in r.text  # the second user's edit is not lost
    assert (
        parse_text(web.get(f"/scenarios/{sid}/scenario.yaml").text)
        .positions["RUS"]["territory"]
        .salience.value
        == 0.5
    )
    # ... and can be kept as a new scenario
    copy = re.search(
        r'<form method="post" action="/scenarios/\d+/copy" id="save-copy">.*?name="draft" value="([^"]*)"',
        r.text,
        re.S,
    )
    assert copy
    r = web.post(f"/scenarios/{sid}/copy", {"draft": _unescape(copy.group(1))})
    assert r.status_code == 303
    new = r.headers["location"]
    assert (
        parse_text(web.get(new + "/scenario.yaml").text).positions["RUS"]["territory"].salience.value == 0.7
    )


def test_yaml_view_round_trips_and_names_lines(web: Client) -> None:
    sid = web.open_builtin()
    text = web.get(f"/scenarios/{sid}/scenario.yaml").text
    edited = text.replace(
        "title: Japan-Russia relations and the disputed islands (end of 2016)",
        "title: Edited here  # a comment",
    )
    assert edited != text
    r = web.post(f"/scenarios/{sid}/yaml", {"yaml": edited, "base_version": "1", "op": "save"})
    assert r.status_code == 303
    assert web.get(f"/scenarios/{sid}/scenario.yaml").text == edited  # kept as typed, comment too
    assert 'name="title" value="Edited here"' in web.get(f"/scenarios/{sid}").text  # the grid reflects it
    broken = edited.replace("salience: {value: 0.9,", "salience: {value: lots,", 1)
    r = web.post(f"/scenarios/{sid}/yaml", {"yaml": broken, "base_version": "2", "op": "save"})
    assert r.status_code == 422
    line = next(i for i, ln in enumerate(broken.splitlines(), 1) if "lots" in ln)
    assert f'data-line="{line}"' in r.text and "expected a number" in r.text
    assert "lots" in r.text  # the text is kept in the textarea
    r = web.post(f"/scenarios/{sid}/yaml", {"yaml": text, "base_version": "1", "op": "save"})
    assert r.status_code == 409 and "Not saved" in r.text


def test_uploads_are_read_by_the_package_and_checked(web: Client) -> None:
    good = builtin_text("ec-emissions-1994").encode()
    r = web.tc.post(
        "/scenarios/upload",
        data={"csrf_token": web.csrf},
        files={"file": ("../../etc/x.yaml", good, "text/yaml")},
    )
    assert r.status_code == 303 and "uploaded" not in r.headers["location"]
    # a broken YAML file is kept as a draft and opened with its problems on the fields
    data = yaml.safe_load(builtin_text("japan-russia-2016"))
    data["positions"]["RUS"]["territory"]["salience"] = "high"
    data["issues"][1]["bounds"] = [100, 0]
    r = web.tc.post(
        "/scenarios/upload",
        data={"csrf_token": web.csrf},
        files={"file": ("broken.yaml", yaml.safe_dump(data).encode(), "text/yaml")},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("?uploaded=problems")
    page = web.get(r.headers["location"]).text
    assert "The uploaded file has problems" in page
    assert "got &#39;high&#39;" in field_html(page, "cell.1.0.salience")
    assert "lower &lt; upper" in field_html(page, "issues[1].bounds[0]")
    # KTAB CSV: converted by the package's reader
    ktab = next(data_file("ktab", "dummyData_3Dim").glob("*.csv"))
    r = web.tc.post(
        "/scenarios/upload",
        data={"csrf_token": web.csrf},
        files={"file": (ktab.name, ktab.read_bytes(), "text/csv")},
    )
    assert r.status_code == 303, r.text[:1000]
    # not a scenario at all: refused on the upload form, nothing stored
    r = web.tc.post(
        "/scenarios/upload",
        data={"csrf_token": web.csrf},
        files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")},
    )
    assert r.status_code == 400 and "binary file" in r.text and "x.png" in r.text
    # too large
    r = web.tc.post(
        "/scenarios/upload",
        data={"csrf_token": web.csrf},
        files={"file": ("big.yaml", b"#" * (3 * 1024 * 1024), "text/yaml")},
    )
    assert r.status_code == 413


def test_files_named_inside_a_scenario_are_refused(web: Client) -> None:
    data = yaml.safe_load(builtin_text("japan-russia-2016"))
    first = next(iter(data["environment"]["indicators"]))
    data["environment"]["indicators"][first]["series"] = "/etc/passwd"
    data["analogues"][0]["scenario"] = "../secret.yaml"
    r = web.tc.post(
        "/scenarios/upload",
        data={"csrf_token": web.csrf},
        files={"file": ("paths.yaml", yaml.safe_dump(data).encode(), "text/yaml")},
    )
    assert r.status_code == 303
    yml = web.get(r.headers["location"].split("?")[0] + "/yaml").text
    assert "reads only built-in series" in yml and "&#39;/etc/passwd&#39;" in yml
    assert "takes analogues from the built-in scenarios" in yml


def test_user_text_is_escaped_everywhere(web: Client) -> None:
    evil = builtin_text("ec-emissions-1994").replace(
        "title: EC emission standards",
        "title: <script>alert(1)</script><img src=x onerror=alert(2)> EC emission standards",
        1,
    )
    r = web.tc.post(
        "/scenarios/upload",
        data={"csrf_token": web.csrf},
        files={"file": ("evil.yaml", evil.encode(), "text/yaml")},
    )
    sid = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    for url in ("/", f"/scenarios/{sid}", f"/scenarios/{sid}/yaml"):
        page = web.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_forecast_run_is_an_immutable_record_with_downloads(web: Client) -> None:
    sid = web.open_builtin()
    rid = web.run(sid, "forecast", seed=3, model="compromise")
    j = web.wait(rid)
    assert j["status"] == "done", j
    assert j["seed"] == 3 and j["params"]["model"] == "compromise" and len(j["scenario_hash"]) == 64
    page = web.get(f"/runs/{rid}").text
    assert 'id="summary"' in page and "Outcome (compromise)" in page and 'id="rp-figures"' in page
    rec = web.get(f"/runs/{rid}/results.json").json()
    assert rec["seed"] == 3 and rec["realpolitik_version"] and rec["scenario_hash"] == j["scenario_hash"]
    fc = {f["model"]: f for f in rec["results"]["forecasts"]}
    assert fc["compromise"]["outcome"]["territory"] == 0.0  # held at the status quo by consent
    assert round(fc["compromise"]["pressure"]["territory"], 1) == 49.9  # docs/rules.md
    csv = web.get(f"/runs/{rid}/results.csv").text.splitlines()
    assert csv[0] == "run,part,model,item,measure,value"
    assert any(line.startswith(f"{rid},forecast,compromise,territory,pressure,49.89") for line in csv)
    rep = web.get(f"/runs/{rid}/report.html")
    assert rep.status_code == 200 and "<!DOCTYPE html>" in rep.text and 'id="summary"' in rep.text
    y = web.get(f"/runs/{rid}/scenario.yaml")
    assert y.text == builtin_text("japan-russia-2016")
    # the page shows what this run computed and the command that computes it from that very file
    file = f"japan-russia-2016-run{rid}.yaml"
    assert f'filename="{file}"' in y.headers["content-disposition"]
    command = f"realpolitik forecast {file} --model all --seed 3"
    assert rec["results"]["command"] == command
    for text in (page, rep.text):
        assert command in text and "realpolitik analyze" not in text.replace("(realpolitik analyze)", "")
        assert "did not run" not in text and "Monte Carlo, sensitivity and sweep runs" not in text
        assert 'id="deals"' not in text and 'id="uncertainty"' not in text and 'id="environment"' not in text
    assert "with the number it rests on: every model&#39;s forecast." in page
    assert 'class="run-card no-montecarlo"' in page  # the card's Monte Carlo column is not shown


def test_same_seed_same_results(web: Client) -> None:
    sid = web.open_builtin()
    a, b = (
        web.run(sid, "montecarlo", draws=40, model="compromise", seed=7),
        web.run(sid, "montecarlo", draws=40, model="compromise", seed=7),
    )
    assert web.wait(a)["status"] == "done" and web.wait(b)["status"] == "done"
    ra, rb = (web.get(f"/runs/{r}/results.json").json()["results"] for r in (a, b))
    assert ra["montecarlo"]["issues"] == rb["montecarlo"]["issues"]


def test_cancel_a_running_job(web: Client) -> None:
    sid = web.open_builtin()
    rid = web.run(sid, "montecarlo", draws=20000, model="eum")
    j = web.wait(rid, until=("running", "done", "failed", "cancelled"))
    assert j["status"] == "running", j
    r = web.post(f"/runs/{rid}/cancel")
    assert r.status_code == 303
    j = web.wait(rid, timeout=30)
    assert j["status"] == "cancelled", j
    # the pool is still there: the next job runs
    ok = web.run(sid, "forecast", model="compromise")
    assert web.wait(ok)["status"] == "done"


def test_a_failing_job_is_recorded_and_the_server_goes_on(web: Client) -> None:
    from sqlalchemy import update

    from realpolitik.web.db import RunRow

    sid = web.open_builtin("ec-emissions-1994")
    st = web.tc.app.state.rp  # type: ignore[attr-defined]
    rid = web.run(sid, "forecast", model="compromise")
    web.wait(rid)
    with st.engine.begin() as c:  # a run whose stored scenario cannot be read (as after a bad migration)
        bad = c.execute(
            RunRow.__table__.insert().values(
                **{
                    k: v
                    for k, v in c.execute(RunRow.__table__.select().where(RunRow.id == rid))
                    .mappings()
                    .one()
                    .items()
                    if k != "id"
                }
            )
        ).inserted_primary_key[0]
        c.execute(
            update(RunRow)
            .where(RunRow.id == bad)
            .values(
                status="queued", results=None, view=None, scenario_content="id: [", instance=st.jobs.instance
            )
        )
    st.jobs.submit(bad)
    j = web.wait(bad)
    assert j["status"] == "failed" and "not valid YAML" in j["error"], j
    assert "failed" in web.get(f"/runs/{bad}").text
    assert web.wait(web.run(sid, "forecast", model="compromise"))["status"] == "done"


def test_a_killed_worker_fails_its_run_only(web: Client) -> None:
    import os
    import signal

    sid = web.open_builtin()
    st = web.tc.app.state.rp  # type: ignore[attr-defined]
    rid = web.run(sid, "montecarlo", draws=20000, model="eum")
    assert web.wait(rid, until=("running", "done", "failed", "cancelled"))["status"] == "running"
    for p in list(st.jobs.handle.executor._processes.values()):
        os.kill(p.pid, signal.SIGKILL)
    j = web.wait(rid, timeout=30)
    assert j["status"] == "failed" and "worker process stopped" in j["error"], j
    assert web.wait(web.run(sid, "forecast", model="compromise"))["status"] == "done"


def test_compare_two_runs_shows_what_moved(web: Client) -> None:
    a = web.open_builtin("japan-russia-2016")
    b = web.open_builtin("japan-russia-2022")
    ra, rb = web.run(a, "forecast", model="compromise"), web.run(b, "forecast", model="compromise")
    assert web.wait(ra)["status"] == "done" and web.wait(rb)["status"] == "done"
    page = web.get(f"/compare?a={ra}&b={rb}").text
    assert "Inputs that differ" in page and "Outcomes" in page and "Agreements" in page
    assert "outcomes moved" in page or "No outcome moved" in page
    assert "<code>as_of</code>" in page  # the two cases differ in their date
    # compare the scenarios themselves: inputs, and the latest runs' outcomes
    page = web.get(f"/compare/scenarios?a={a}&b={b}").text
    assert "Inputs that differ" in page and f"/runs/{ra}" in page


def test_compare_scenarios_from_builtins_and_run_both(web: Client) -> None:
    r = web.post(
        "/compare/scenarios/open", {"a": "builtin:japan-russia-2016", "b": "builtin:japan-russia-2022"}
    )
    assert r.status_code == 303
    r = web.get(r.headers["location"])
    assert r.status_code == 200 and "Run both" in r.text
    a, b = (int(x) for x in re.findall(r"[ab]=(\d+)", str(r.url)))
    r = web.post(
        "/compare/scenarios/run", {"a": str(a), "b": str(b), "kind": "forecast", "model": "compromise"}
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/compare?a=")


def test_unknown_things_are_404_and_bad_run_options_400(web: Client) -> None:
    assert web.get("/scenarios/999999").status_code == 404
    assert web.get("/runs/999999").status_code == 404
    assert web.get("/api/runs/999999").json() == {"error": "there is no run 999999"}
    sid = web.open_builtin("ec-emissions-1994")
    assert web.post(f"/scenarios/{sid}/run", {"kind": "rm -rf"}).status_code == 400
    assert web.post(f"/scenarios/{sid}/run", {"kind": "forecast", "model": "oracle"}).status_code == 400
    assert web.post(f"/scenarios/{sid}/run", {"kind": "montecarlo", "draws": "10000000"}).status_code == 400
    assert web.post("/scenarios/builtin", {"builtin": "../../etc/passwd"}).status_code == 400


def test_results_json_is_plain_json(web: Client) -> None:
    sid = web.open_builtin("ec-emissions-1994")
    rid = web.run(sid, "deals")
    assert web.wait(rid)["status"] == "done"
    text = web.get(f"/runs/{rid}/results.json").text
    assert json.loads(text)["kind"] == "deals"


def test_numbers_set_by_links_are_computed_and_can_be_unlinked(web: Client) -> None:
    sid = web.open_builtin()
    page = web.get(f"/scenarios/{sid}").text
    assert len(re.findall(r'<input type="text" value="[^"]*" id="f-cell_[^"]*" readonly', page)) == 7
    assert page.count("Remove the link and set the number") == 7
    assert 'value="unlink:5"' in page and "0 + 0.5 × affinity(RUS, CHN), clipped to [0, 1]" in page
    line = re.search(rf'href="/scenarios/{sid}/yaml\?line=(\d+)#yaml">Edit the link instead', page)
    assert (
        line
        and f'data-select-line="{line.group(1)}"'
        in web.get(f"/scenarios/{sid}/yaml?line={line.group(1)}").text
    )
    assert 'id="warnings"' not in page  # the built-in's numbers equal what its links set
    assert '<option value="">default (compromise)</option>' in page  # the run box names the default model
    form = _editor_form(page)
    assert "cell.1.3.salience" not in form  # Russia's salience on the front: set by links[5]
    r = web.post(f"/scenarios/{sid}", {**form, "op": "unlink:5"})
    assert r.status_code == 200
    assert (
        "Removed the link environment.links[5] (RUS.salience.russia_china_front, driven by affinity(RUS, CHN)). "
        "RUS&#39;s salience on russia_china_front is now the file&#39;s own number, 0.3 (the link gave 0.3 at "
        "2016-12-31)"
    ) in r.text
    assert 'name="cell.1.3.salience" value="0.3"' in r.text and "autofocus" in field_html(
        r.text, "cell.1.3.salience"
    )
    assert "version 1" in web.get(f"/scenarios/{sid}").text  # nothing saved yet
    form = _editor_form(r.text)
    form["cell.1.3.salience"] = "0.45"
    assert web.post(f"/scenarios/{sid}", {**form, "op": "save"}).status_code == 303
    s = parse_text(web.get(f"/scenarios/{sid}/scenario.yaml").text)
    assert s.positions["RUS"]["russia_china_front"].salience.value == 0.45
    assert [str(x.target) for x in s.environment.links] == [
        str(x.target)
        for x in load("japan-russia-2016").environment.links
        if x.target != "RUS.salience.russia_china_front"
    ]
    assert web.post(f"/scenarios/{sid}", {**form, "op": "unlink:99"}).status_code == 400


def test_a_saved_number_its_link_overwrites_is_warned_about(web: Client) -> None:
    sid = web.open_builtin()
    text = builtin_text("japan-russia-2016").replace(
        'salience: {value: 0.3, range: [0.2, 0.5], source: analyst, note: "an instrument Moscow',
        'salience: {value: 0.8, range: [0.2, 0.9], source: analyst, note: "an instrument Moscow',
        1,
    )
    r = web.post(f"/scenarios/{sid}/yaml", {"yaml": text, "base_version": "1", "op": "save"})
    assert r.status_code == 303
    yaml_page = web.get(f"/scenarios/{sid}/yaml").text
    assert "environment.links[5] sets RUS.salience.russia_china_front to 0.3" in yaml_page
    page = web.get(f"/scenarios/{sid}").text
    warn = page[page.index('id="warnings"') :]
    warn = warn[: warn.index("</div>")]
    assert 'href="#f-cell_1_3_salience"' in warn and "the file gives 0.8, but the link" in warn
    assert "so the models use 0.3 and never see 0.8" in warn
    assert re.search(
        r'value="0.3" id="f-cell_1_3_salience" readonly aria-describedby="[^"]+" class="differs"', page
    )


def test_runs_and_scenarios_to_compare_are_offered_sensibly(web: Client) -> None:
    # the start page always offers the built-in pair, whatever the user has (a broken upload included)
    web.post("/scenarios/upload", files={"file": ("broken.yaml", b"id: x\ntitle: [\n")})
    page = web.get("/").text
    form = page[page.index('action="/compare/scenarios/open"') :]
    form = form[: form.index("</form>")]
    selected = re.findall(r'<option value="([^"]+)" selected>', form)
    assert selected == ["builtin:japan-russia-2016", "builtin:japan-russia-2022"]
    # two runs of the same version with the same settings, then another: the defaults are two different runs
    sid = web.open_builtin("ec-emissions-1994")
    r1, r2 = web.run(sid, "forecast", model="compromise"), web.run(sid, "forecast", model="compromise")
    r3 = web.run(sid, "forecast", model="compromise", seed=1)
    for r in (r1, r2, r3):
        assert web.wait(r)["status"] == "done"
    page = web.get("/compare").text
    a, b = re.findall(r'<select name="[ab]">.*?<option value="(\d+)" selected>', page, re.S)
    assert (int(a), int(b)) == (r2, r3)
