"""Readers over plain, gzip and zip files, folders and globs; the cache; errors per file; engines agree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from realpolitik.events import duck
from realpolitik.events import store as store_module
from realpolitik.events.formats import EventFileError, Unit, detect, expand
from realpolitik.events.generate import write_demo
from realpolitik.events.series import dyads
from realpolitik.events.store import Store, StoreError, ingest

from .conftest import gdelt_row, gz, zipped


def key(r: dict) -> tuple:
    return tuple("" if v is None else str(v) for v in r.values())


def test_demo_every_format(demo_files: Path, tmp_path: Path) -> None:
    rep = ingest([demo_files], tmp_path / "db")
    assert rep.errors == []
    recs = Store(tmp_path / "db").records()
    assert {r.dataset for r in recs} == {"gdelt1", "gdelt2", "icews", "polecat"}
    assert {r.fields for r in recs if r.dataset == "gdelt1"} == {57, 58}
    assert sum(r.rows for r in recs) == 4 * 4000
    assert all(r.bad == {} for r in recs)
    # a second ingest reads nothing again
    again = ingest([demo_files], tmp_path / "db")
    assert again.read == [] and len(again.cached) == len(recs)


def test_compressions_folders_globs(pitfalls: dict[str, Path], tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    plain = shutil.copy(pitfalls["gdelt2"], src / "a.export.CSV")
    g = gz(Path(plain))
    z = zipped(Path(shutil.copy(pitfalls["gdelt1_backfile"], src / "b.csv")))
    assert expand([src]) == sorted(p.resolve() for p in src.iterdir())
    assert expand([str(src / "*.zip")]) == [z.resolve()]
    with pytest.raises(EventFileError, match="no file matches"):
        expand([str(src / "*.nothing")])
    rep = ingest([plain, g, z], tmp_path / "db")
    assert rep.errors == []
    names = sorted(Path(r.name).name for r in rep.read + rep.cached)
    assert names == ["a.export.CSV", "a.export.CSV.gz", "b.csv.zip:b.csv"]
    # the gzip file differs in bytes, so it is its own part; its rows equal the plain file's
    st = Store(tmp_path / "db")
    parts = {Path(r.name).name: st.part_files(r) for r in rep.read}
    a = sorted(duck.scan(parts["a.export.CSV"]).drop(["file"]).to_pylist(), key=key)
    b = sorted(duck.scan(parts["a.export.CSV.gz"]).drop(["file"]).to_pylist(), key=key)
    assert a == b and len(a) == 3


def test_same_content_counted_once(pitfalls: dict[str, Path], tmp_path: Path) -> None:
    copy = shutil.copy(pitfalls["gdelt2"], tmp_path / "copy.export.CSV")
    rep = ingest([pitfalls["gdelt2"], copy], tmp_path / "db")
    dup = [r for r in rep.cached if r.duplicate_of]
    assert len(rep.read) == 1 and len(dup) == 1 and "counted once" in (dup[0].note or "")
    assert len(Store(tmp_path / "db").parts()) == 1


def test_truncated_zip_and_gzip_are_errors_for_that_file(pitfalls: dict[str, Path], tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    big = src / "big.export.CSV"
    big.write_text((Path(pitfalls["gdelt2"]).read_text() * 3000), encoding="utf-8")
    zipped(big, truncate=True)
    bad_gz = gz(big)
    bad_gz.write_bytes(bad_gz.read_bytes()[:-2000])
    big.unlink()
    good = shutil.copy(pitfalls["icews"], src / "events.2017.tab")
    rep = ingest([src], tmp_path / "db")
    errs = {Path(e["file"].split(":")[0]).name: e["error"] for e in rep.errors}
    assert set(errs) == {"big.export.CSV.zip", "big.export.CSV.gz"}
    assert "zip" in errs["big.export.CSV.zip"] and (
        "truncated" in errs["big.export.CSV.zip"] or "damaged" in errs["big.export.CSV.zip"]
    )
    assert "GZIP" in errs["big.export.CSV.gz"].upper()
    assert [Path(r.name).name for r in rep.read] == [Path(good).name]
    assert len(Store(tmp_path / "db").errors()) == 2


def test_spaces_and_odd_numbers_read_alike_by_both_engines(tmp_path: Path) -> None:
    """Fields are stripped of ASCII spaces only; NumMentions/NumSources are sign and digits only."""
    nbsp = "\u00a0"
    rows = [
        gdelt_row(1, f1=" 20141101 ", f7=" CHN", f17="JPN ", f26=" 042", f29=" 1", f31=" 12 ", f32="+5"),
        gdelt_row(1, f1="20141102", f7="CHN", f17="JPN", f31="1.5", f32="1e3"),
        gdelt_row(1, f1="20141103", f7="CHN", f17="JPN", f31="0x10", f32="1_000"),
        gdelt_row(1, f1="20141104", f7="CHN", f17="JPN", f31="007", f32="-0"),
        gdelt_row(1, f1="20141105", f7="CHN", f17="JPN", f31="2147483648", f32="   "),
        gdelt_row(1, f1="20141106", f7=nbsp + "CHN", f17="JPN", f26="042" + nbsp),
    ]
    src = tmp_path / "odd.export.CSV"
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    got = {}
    for engine in ("duckdb", "dask"):
        rep = ingest([src], tmp_path / engine, engine=engine)
        assert rep.errors == []
        got[engine] = sorted(duck.scan(Store(tmp_path / engine).parts()).to_pylist(), key=lambda r: r["date"])
    assert got["duckdb"] == got["dask"]
    first = got["duckdb"][0]
    assert (first["source"], first["target"], first["event_code"], first["quad_class"]) == (
        "CHN",
        "JPN",
        "042",
        1,
    )
    assert (first["mentions"], first["sources"]) == (12, 5)
    assert [(r["mentions"], r["sources"]) for r in got["duckdb"][1:5]] == [
        (None, None),
        (None, None),
        (7, 0),
        (None, None),
    ]
    # a no-break space is not stripped: an unknown country code, and an event code that is not one
    assert got["duckdb"][5]["problem"] == "bad event code"


def test_batch_with_latin1_and_empty_files(pitfalls: dict[str, Path], tmp_path: Path) -> None:
    """Small files of one layout are read in one query; a Latin-1 one is read again alone, an empty one
    gets an empty part; both engines agree."""
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(pitfalls["icews_latin1"], src / "a_latin.tab")
    (src / "b_empty.tab").write_text(pitfalls["icews"].read_text().split("\n")[0] + "\n")
    shutil.copy(pitfalls["icews"], src / "c.tab")
    rows = {}
    for engine in ("duckdb", "dask"):
        rep = ingest([src], tmp_path / engine, engine=engine)
        assert rep.errors == []
        got = {Path(r.name).name: (r.rows, r.encoding) for r in rep.read}
        assert got == {"a_latin.tab": (1, "latin-1"), "b_empty.tab": (0, "utf-8"), "c.tab": (8, "utf-8")}
        rows[engine] = sorted(duck.scan(Store(tmp_path / engine).parts()).to_pylist(), key=key)
    assert rows["duckdb"] == rows["dask"] and len(rows["duckdb"]) == 9


def test_files_read_alone_and_in_batches_alike(
    demo_files: Path, pitfalls: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big files are read alone, several at once on cursors of one connection; small ones in batches."""
    inputs = [demo_files, *pitfalls.values()]
    batched = ingest(inputs, tmp_path / "batched")
    monkeypatch.setattr(store_module, "SOLO_BYTES", 0)
    alone = ingest(inputs, tmp_path / "alone")
    assert batched.to_json()["totals"] == alone.to_json()["totals"]
    a = sorted(duck.scan(Store(tmp_path / "batched").parts()).to_pylist(), key=key)
    b = sorted(duck.scan(Store(tmp_path / "alone").parts()).to_pylist(), key=key)
    assert a == b and len(a) > 16000


def test_unknown_format(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(EventFileError, match="cannot tell the format"):
        detect(Unit(p))
    rep = ingest([p], tmp_path / "db")
    assert "cannot tell the format" in rep.errors[0]["error"]


def test_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no event store"):
        dyads(tmp_path / "nothing")


def test_engines_identical(pitfalls: dict[str, Path], tmp_path: Path) -> None:
    write_demo(tmp_path / "demo", seed=3, rows=800, months=36, start="2014-01-01")
    inputs = [tmp_path / "demo", *pitfalls.values()]
    a = ingest(inputs, tmp_path / "duck", engine="duckdb")
    b = ingest(inputs, tmp_path / "dask", engine="dask")
    ja, jb = a.to_json(), b.to_json()

    def strip(j: dict) -> list:
        return sorted(
            (f["name"], f["rows"], f["bad"], f["min_date"], f["max_date"], f["encoding"]) for f in j["files"]
        )

    assert strip(ja) == strip(jb)
    ra = sorted(duck.scan(Store(tmp_path / "duck").parts()).to_pylist(), key=key)
    rb = sorted(duck.scan(Store(tmp_path / "dask").parts()).to_pylist(), key=key)
    assert ra == rb and len(ra) > 3200
    for period, directed, weight in (
        ("week", True, None),
        ("month", False, "mentions"),
        ("quarter", True, "mentions"),
    ):
        kw = dict(period=period, directed=directed, weight=weight)
        x = dyads(tmp_path / "duck", engine="duckdb", **kw)
        y = dyads(tmp_path / "duck", engine="dask", **kw)
        assert x.rows == y.rows and x.rows
    z = dyads(tmp_path / "dask", engine="duckdb", period="month", pairs=[("CHN", "JPN")], datasets=["gdelt2"])
    w = dyads(tmp_path / "duck", engine="dask", period="month", pairs=[("CHN", "JPN")], datasets=["gdelt2"])
    assert z.rows == w.rows


def test_missing_part_is_an_error(pitfalls: dict[str, Path], tmp_path: Path) -> None:
    ingest([pitfalls["gdelt2"]], tmp_path / "db")
    (rec,) = Store(tmp_path / "db").records()
    shutil.rmtree(tmp_path / "db" / rec.part)
    with pytest.raises(StoreError, match="missing; ingest the file again"):
        dyads(tmp_path / "db")
