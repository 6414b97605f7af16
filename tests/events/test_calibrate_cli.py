"""Calibration recovers the planted relation; the events CLI end to end; event series in the environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import realpolitik as rp
from realpolitik.cli import app
from realpolitik.environment import resolve
from realpolitik.events.calibrate import SeriesSpec, calibrate, fit
from realpolitik.events.generate import PLANTED, write_demo
from realpolitik.events.series import EventSeriesError
from realpolitik.events.store import ingest
from realpolitik.scenario import load
from realpolitik.uncertainty import sampling_spec

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cal")
    write_demo(root / "files", seed=5, rows=12000, months=96, formats=("gdelt1",))
    ingest([root / "files"], root / "store")
    return root / "store"


def test_recovers_planted_relation(store: Path) -> None:
    s = rp.load("japan-russia-2016")
    new, cal = calibrate(
        s,
        store,
        link="JPN.salience.russia_china_front",
        driver=SeriesSpec.parse("CHN-JPN:conflict_share"),
        response=SeriesSpec.parse("JPN-RUS:cooperation_share"),
    )
    assert cal.n == 96 and cal.significant
    assert cal.b_ci[0] <= PLANTED["b"] <= cal.b_ci[1]
    assert cal.a_ci[0] <= PLANTED["a"] <= cal.a_ci[1]
    ln = new.environment.links[cal.link]
    assert ln.driver == cal.indicator and ln.gain.range == pytest.approx(cal.b_ci, abs=1e-6)
    assert ln.base.range is not None and ln.source == cal.source_key
    assert "monthly 2009-01..2016-12" in new.sources[cal.source_key].note
    # the input scenario is untouched
    assert s.environment.links[0].driver == "threat(CHN, JPN)"


def test_not_significant_says_so() -> None:
    x = np.tile([0.1, 0.9, 0.3, 0.7], 10)
    y = np.tile([0.4, 0.4, 0.6, 0.6], 10)  # zero covariance with x by construction
    f = fit(x, y)
    assert f["b_ci"][0] < 0 < f["b_ci"][1]
    with pytest.raises(EventSeriesError, match="does not vary"):
        fit([0.2] * 10, y[:10])


def test_link_range_is_drawn(store: Path, tmp_path: Path) -> None:
    s = rp.load("japan-russia-2016")
    new, _cal = calibrate(
        s,
        store,
        link="0",
        driver=SeriesSpec.parse("CHN-JPN:conflict_share"),
        response=SeriesSpec.parse("JPN-RUS:cooperation_share"),
        db_ref=str(store),
    )
    spec = sampling_spec(new)
    kinds = {x.kind for x in spec.inputs}
    assert {"link_base", "link_gain"} <= kinds and len(spec.links) == 1
    ld = spec.links[0]
    from realpolitik.uncertainty.sampling import apply, draw

    batch = apply(spec, draw(spec, 400, np.random.default_rng(0)))
    cell = batch.salience[(slice(None), *ld.cell)]
    assert cell.std() > 0.005 and np.all((cell >= 0.25) & (cell <= 0.75))  # the link's clip holds
    # without ranges nothing changes
    assert not any(x.kind.startswith("link") for x in sampling_spec(s).inputs)


def test_event_indicator_in_environment(store: Path, tmp_path: Path) -> None:
    s = rp.load("japan-russia-2016").model_copy(deep=True)
    from realpolitik.scenario.schema import EventSeries, Indicator

    s.environment.indicators["china_assertiveness"] = Indicator(
        series=EventSeries(events=store.name, dyad="CHN-JPN", measure="conflict_share", period="year"),
        measures="hostility",
        dyad=("CHN", "JPN"),
    )
    r = resolve(s, base_dir=store.parent)
    rec = r.trace.indicators["china_assertiveness"]
    assert (
        rec["period"] == "2016"
        and 0 < rec["value"] < 1
        and "CHN-JPN conflict_share per year" in rec["series"]
    )
    s2 = s.model_copy(deep=True)
    s2.environment.indicators["china_assertiveness"].series.events = "elsewhere"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="no event store"):
        resolve(s2, base_dir=store.parent)


def test_cli_end_to_end(tmp_path: Path) -> None:
    files, db = tmp_path / "files", tmp_path / "db"
    r = runner.invoke(app, ["events", "generate", str(files), "--rows", "1500", "--seed", "2"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["events", "ingest", str(files), "--db", str(db), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["totals"]["files"] == 32 and data["totals"]["bad"] == {} and data["errors"] == []
    r = runner.invoke(
        app,
        [
            "events",
            "dyads",
            "--db",
            str(db),
            "--pairs",
            "CHN-JPN,JPN-RUS",
            "--period",
            "year",
            "--dataset",
            "gdelt2",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["period"] == "year" and {(x["source"], x["target"]) for x in d["rows"]} == {
        ("CHN", "JPN"),
        ("JPN", "RUS"),
    }
    assert all(x["observed"] for x in d["rows"]) and len(d["rows"]) == 16
    r = runner.invoke(
        app,
        ["events", "dyads", "--db", str(db), "--pairs", "CHN-JPN", "--format", "csv", "--dataset", "icews"],
    )
    assert r.exit_code == 0 and r.stdout.startswith("source,target,period,start,end,observed,events,")
    pq = tmp_path / "d.parquet"
    r = runner.invoke(app, ["events", "dyads", "--db", str(db), "--format", "parquet", "--out", str(pq)])
    assert r.exit_code == 0 and pq.stat().st_size > 0
    fig = tmp_path / "f.svg"
    r = runner.invoke(
        app,
        [
            "events",
            "plot",
            "--db",
            str(db),
            "--pairs",
            "CHN-JPN,JPN-RUS",
            "--out",
            str(fig),
            "--dataset",
            "gdelt1",
        ],
    )
    assert r.exit_code == 0 and fig.read_text().lstrip().startswith("<?xml")
    out = tmp_path / "cal.yaml"
    args = [
        "events",
        "calibrate",
        "japan-russia-2016",
        "--db",
        str(db),
        "--dataset",
        "gdelt1",
        "--link",
        "JPN.salience.russia_china_front",
        "--driver",
        "CHN-JPN:conflict_share",
        "--response",
        "JPN-RUS:cooperation_share",
        "--out",
        str(out),
        "--format",
        "json",
    ]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    c = json.loads(r.stdout)
    assert c["method"].startswith("OLS") and c["out"] == str(out) and isinstance(c["significant"], bool)
    new = load(out)
    assert new.environment.links[0].gain.range is not None
    assert rp.forecast(new, model="compromise").outcome  # the new scenario runs, reading the store
    r = runner.invoke(app, args)  # refuses to overwrite
    assert r.exit_code == 1 and "refusing to overwrite" in r.output


def test_cli_errors(tmp_path: Path) -> None:
    r = runner.invoke(app, ["events", "dyads", "--db", str(tmp_path / "none")])
    assert r.exit_code == 1 and "no event store" in r.output
    r = runner.invoke(app, ["events", "dyads", "--db", str(tmp_path), "--pairs", "CHINA-JPN"])
    assert r.exit_code == 1 and "expected a dyad" in r.output
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    r = runner.invoke(app, ["events", "ingest", str(bad), "--db", str(tmp_path / "db")])
    assert r.exit_code == 1 and "x.zip" in r.output


def test_import_stays_light() -> None:
    code = (
        "import sys, realpolitik, realpolitik.cli\n"
        "heavy = [m for m in ('duckdb', 'pandas', 'statsmodels', 'dask') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_extra_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "duckdb" else real(name, *a)
    )
    r = runner.invoke(app, ["events", "ingest", str(tmp_path), "--db", str(tmp_path / "db")])
    assert r.exit_code == 1 and "pip install 'realpolitik[events]'" in r.output and "duckdb" in r.output
