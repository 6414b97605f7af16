"""Each pitfall of shared/events/FORMATS.md §10 read as expected, by both engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from realpolitik.events import duck
from realpolitik.events.store import Store, ingest


def rows(db: Path, name: str) -> list[dict]:
    st = Store(db)
    parts = [
        f for r in st.records() if r.name.endswith(name) and r.duplicate_of is None for f in st.part_files(r)
    ]
    return duck.scan(parts).to_pylist()


@pytest.fixture(scope="module", params=["duckdb", "dask"])
def db(
    request: pytest.FixtureRequest, pitfalls: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp(f"pit-{request.param}") / "store"
    rep = ingest(list(pitfalls.values()), out, engine=request.param)
    assert rep.errors == []
    return out


def test_gdelt_rows(db: Path) -> None:
    rs = rows(db, "gdelt1_daily.export.CSV")
    real = sorted(
        (r for r in rs if r["source_code"] is None and r["event_code"] in ("014", "051", "080")),
        key=lambda r: r["event_code"],
    )
    # the real example rows: codes as strings, quads and Goldstein weights as GDELT published them
    assert [r["event_code"] for r in real] == ["014", "051", "080", "080"]
    assert [r["quad_class"] for r in real] == [1, 1, 2, 2]
    assert [r["goldstein"] for r in real] == [0.0, 3.4, 5.0, 5.0]
    assert real[1]["target"] == "USA" and real[0]["source"] is None  # empty Actor1 block
    assert (
        str(real[0]["date"]) == "2004-11-26" and len(real) == 4
    )  # row 3 twice (once with an empty last field)  # SQLDATE, not DATEADDED (2014-11-24)
    by_code = {r["event_code"]: r for r in rs if r["source"] == "CHN"}
    assert by_code["010"]["goldstein"] == 0.0 and by_code["010"]["quad_class"] == 1
    assert by_code["10"]["goldstein"] == -5.0 and by_code["10"]["quad_class"] == 3
    assert by_code["106"]["goldstein"] == -5.0  # GDELT's table, not the row's 0
    assert (by_code["010"]["root_code"], by_code["10"]["root_code"], by_code["106"]["root_code"]) == (
        "01",
        "10",
        "10",
    )
    bad = [r for r in rs if r["problem"] == "bad event code"]
    assert len(bad) == 2 and all(r["event_code"] is None and r["root_code"] is None for r in bad)
    ro = [r for r in rs if r["source_code"] is None and r["target_code"] == "ROM"]
    assert (
        ro and ro[0]["target"] == "ROU" and ro[0]["source"] is None
    )  # ROUGOV with blank country stays blank
    ssd = next(r for r in rs if r["source_code"] == "SSD")
    assert (ssd["source"], ssd["target"], ssd["problem"]) == ("SSD", "ROU", None)
    afr = next(r for r in rs if r["source_code"] == "AFR")
    assert afr["source"] is None and afr["problem"] is None  # a region: known, not a country
    xyz = next(r for r in rs if r["source_code"] == "XYZ")
    assert xyz["problem"] == "unknown country code" and xyz["target"] == "JPN"
    quoted = [r for r in rs if r["source"] == "USA" and r["target"] == "JPN"]
    assert quoted  # the '"EXXON' name did not start a quoted field


def test_gdelt_bad_rows_counted(db: Path) -> None:
    rec = next(r for r in Store(db).records() if r.name.endswith("gdelt1_daily.export.CSV"))
    assert rec.fields == 58 and rec.dataset == "gdelt1"
    assert rec.bad == {"bad date": 1, "bad event code": 2, "unknown country code": 1, "wrong column count": 1}
    assert rec.bad_lines["wrong column count"] == [16]
    assert rec.rows == 16  # every row but the short one is kept in the table


def test_gdelt_variants(db: Path) -> None:
    recs = {Path(r.name).name: r for r in Store(db).records()}
    assert (recs["200411.csv"].dataset, recs["200411.csv"].fields) == ("gdelt1", 57)
    assert (recs["20141124000000.export.CSV"].dataset, recs["20141124000000.export.CSV"].fields) == (
        "gdelt2",
        61,
    )
    two = rows(db, "20141124000000.export.CSV")
    assert sorted(r["event_code"] for r in two) == ["014", "051", "080"]
    assert {r["event_code"]: r["mentions"] for r in two}["051"] == 2


def test_icews(db: Path) -> None:
    rs = rows(db, "events.2017.tab")
    assert len(rs) == 8  # non-unique Event ID: both rows kept
    first = next(r for r in rs if r["event_code"] == "040" and r["source"] == "JPN" and r["target"] == "RUS")
    assert (first["source"], first["target"], first["event_code"], first["quad_class"]) == (
        "JPN",
        "RUS",
        "040",
        1,
    )
    dates = sorted(str(r["date"]) for r in rs if r["date"] is not None)
    assert "2017-06-02" in dates  # M/D/YYYY of the 2017 file
    q = {r["event_code"]: r["quad_class"] for r in rs if r["event_code"]}
    assert q["140"] == 3 and q["091"] == 2  # GDELT's rule for roots 14 and 09
    assert {r["event_code"]: r["root_code"] for r in rs if r["event_code"]}["091"] == "09"
    g = {r["event_code"]: r["goldstein"] for r in rs if r["event_code"]}
    assert g["016"] == -2.0  # GDELT's weight, not ICEWS's -5
    rec = next(r for r in Store(db).records() if r.name.endswith("events.2017.tab"))
    assert rec.bad == {"bad date": 1, "bad event code": 1, "unknown country code": 1}
    na = next(r for r in rs if r["event_code"] == "190")
    assert na["source"] is None and na["problem"] is None  # NA is missing, not unknown


def test_icews_latin1(db: Path) -> None:
    rec = next(r for r in Store(db).records() if r.name.endswith("events.latin1.tab"))
    assert rec.encoding == "latin-1" and "ISO-8859-1" in (rec.note or "").upper()
    (r,) = rows(db, "events.latin1.tab")
    assert (r["source"], r["target"], r["source_code"]) == ("CIV", "FRA", "Côte d'Ivoire")


def test_polecat(db: Path) -> None:
    rec = next(r for r in Store(db).records() if r.name.endswith("headline.txt"))
    assert "Headline" in (rec.note or "")
    rs = rows(db, "ngecEvents.headline.txt")
    pairs = [(r["source"], r["target"], r["event_code"], r["quad_class"]) for r in rs]
    assert ("RUS", "UKR", "ASSAULT", 4) in pairs
    assert ("USA", "UKR", "CONSULT", 1) in pairs and ("GBR", "UKR", "CONSULT", 1) in pairs  # a ';'-list
    assert ("USA", "RUS", "SANCTION", 3) in pairs
    assert {r["root_code"] for r in rs} == {None}  # PLOVER types have no CAMEO root
    assert (None, "UKR", "AGREE", 1) in pairs
    assert rec.bad == {"bad event code": 1}
    trailing = rows(db, "ngecEvents.trailing.txt")
    assert sorted((r["source"], r["target"], r["quad_class"]) for r in trailing) == [
        ("JPN", "UKR", 2),
        ("RUS", "JPN", 3),
    ]


def test_date_added(pitfalls: dict[str, Path], tmp_path: Path) -> None:
    ingest([pitfalls["gdelt1"]], tmp_path / "s", date_field="added")
    rs = duck.scan(Store(tmp_path / "s").parts()).to_pylist()
    assert {str(r["date"]) for r in rs if r["problem"] is None} == {"2014-11-24"}
