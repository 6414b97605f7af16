"""Fixtures: synthetic files of every format, and hand-written rows for each pitfall (FORMATS.md §10)."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("duckdb")

from realpolitik.events.generate import write_demo

DATA = Path(__file__).resolve().parents[1] / "data" / "events"
REAL = (DATA / "gdelt1_example_rows.tsv").read_text(encoding="utf-8").split("\n")[:3]


def gdelt_row(base: int = 1, **fields: str) -> str:
    """A real GDELT 1.0 row (``base`` 0..2) with fields replaced by 0-based position."""
    f = REAL[base].split("\t")
    for k, v in fields.items():
        f[int(k[1:])] = v
    return "\t".join(f)


def pitfall_files(root: Path) -> dict[str, Path]:
    """Small files, each row a pitfall; the expected results are asserted in test_pitfalls.py."""
    root.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    g = []
    # 1. the three real rows as published (58 fields each; rows 1 and 3 have empty Actor1 blocks)
    g += REAL
    # 2. codes are strings: "010" (make statement) and "10" (demand) differ; 106 is in Goldstein's table
    g.append(gdelt_row(1, f7="CHN", f17="JPN", f26="010", f27="010", f28="01", f29="1"))
    g.append(gdelt_row(1, f7="CHN", f17="JPN", f26="10", f27="10", f28="10", f29="3"))
    g.append(gdelt_row(1, f7="CHN", f17="JPN", f26="106", f27="106", f28="10", f29="3", f30="0"))
    # 3. ROU in the actor code with a blank country; CAMEO's ROM; an SSD code missing from CAMEO's list
    g.append(gdelt_row(1, f5="ROUGOV", f7="", f17="ROM", f26="042", f27="042", f28="04", f29="1"))
    g.append(gdelt_row(1, f7="SSD", f17="ROU", f26="042", f27="042", f28="04", f29="1"))
    # 4. FIPS geo codes (PP) are not actor countries: no dyad from geography
    g.append(gdelt_row(1, f7="", f17="", f26="190", f27="190", f28="19", f29="4"))
    # regions are known codes but not countries (AFR); XYZ is unknown (counted)
    g.append(gdelt_row(1, f7="AFR", f17="JPN", f26="042", f27="042", f28="04", f29="1"))
    g.append(gdelt_row(1, f7="XYZ", f17="JPN", f26="042", f27="042", f28="04", f29="1"))
    # 11. SQLDATE years before DATEADDED (row 1 of the real rows already: 2004 vs 2014)
    # bad date and bad event codes (counted, not used)
    g.append(gdelt_row(1, f1="20041331", f7="CHN", f17="JPN"))
    g.append(gdelt_row(1, f7="CHN", f17="JPN", f26="--", f27="", f28=""))
    g.append(gdelt_row(1, f7="CHN", f17="JPN", f26="2501", f27="250", f28="25"))
    # a quote character inside a name is data (no CSV quoting)
    g.append(gdelt_row(1, f6='"EXXON', f7="USA", f17="JPN"))
    # 1. wrong column counts: one field short, and trailing empty fields kept (not stripped)
    g.append("\t".join(REAL[1].split("\t")[:57]))
    g.append(gdelt_row(2, f57=""))  # 58 fields with an empty last one: valid
    (root / "gdelt1_daily.export.CSV").write_text("\n".join(g) + "\n", encoding="utf-8")
    out["gdelt1"] = root / "gdelt1_daily.export.CSV"
    # 1. the 57-field backfile layout (no SOURCEURL)
    back = ["\t".join(r.split("\t")[:57]) for r in REAL]
    (root / "200411.csv").write_text("\n".join(back) + "\n", encoding="utf-8")
    out["gdelt1_backfile"] = root / "200411.csv"
    # GDELT 2.0: ADM2 after each ADM1 (61 fields), DATEADDED with time
    two = []
    for r in REAL:
        f = r.split("\t")
        f = f[:39] + ["ADM2a"] + f[39:46] + ["ADM2b"] + f[46:53] + ["ADM2c"] + f[53:]
        f[59] = "20141124000000"
        two.append("\t".join(f))
    (root / "20141124000000.export.CSV").write_text("\n".join(two) + "\n", encoding="utf-8")
    out["gdelt2"] = root / "20141124000000.export.CSV"
    # 5-8. ICEWS: header, names, quoted comma sectors, NA, M/D/YYYY dates (2017 file), non-unique ids,
    # leading zeros, roots 09 and 14 (quad by GDELT's rule), 016 (GDELT -2.0, ICEWS -5)
    icews_header = (
        "Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\tCAMEO Code\tIntensity\t"
        "Target Name\tTarget Sectors\tTarget Country\tStory ID\tSentence Number\tPublisher\tCity\tDistrict\t"
        "Province\tCountry\tLatitude\tLongitude"
    )

    def icews(eid: str, date: str, sc: str, code: str, tc: str, sectors: str = "Government") -> str:
        return "\t".join(
            [
                eid,
                date,
                "Someone",
                sectors,
                sc,
                "Text",
                code,
                "0",
                "Other",
                "Government",
                tc,
                "1",
                "1",
                "Wire",
                "City",
                "NA",
                "Prov",
                "Japan",
                "35.6",
                "139.7",
            ]
        )

    rows = [
        icews("1", "2017-06-01", "Japan", "040", "Russian Federation", '"Executive,Government"'),
        icews("1", "6/2/2017", "China", "140", "Japan"),  # same id, other date: both kept
        icews("2", "2017-06-03", "China", "091", "Japan"),
        icews("3", "2017-06-04", "Japan", "016", "China"),
        icews("4", "2017-06-05", "NA", "190", "Japan"),
        icews("5", "2017-13-01", "Japan", "040", "China"),  # bad date
        icews("6", "2017-06-06", "Atlantis", "040", "China"),  # unknown country name
        icews("7", "2017-06-07", "Japan", "40", "China"),  # leading zero lost by a spreadsheet: bad code
    ]
    (root / "events.2017.tab").write_text(icews_header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out["icews"] = root / "events.2017.tab"
    # ICEWS in ISO-8859-1 (not valid UTF-8): read as Latin-1
    latin = icews_header + "\n" + icews("9", "2017-06-08", "Côte d'Ivoire", "042", "France") + "\n"
    (root / "events.latin1.tab").write_bytes(latin.encode("latin-1"))
    out["icews_latin1"] = root / "events.latin1.tab"
    # 13. POLECAT: a header naming Headline the rows lack, ';'-lists, None, quad text, lower-case types
    ph = "Event ID\tEvent Date\tEvent Type\tEvent Mode\tQuad Code\tHeadline\tActor Country\tRecipient Country\tCountry"
    prow = [
        "a1\t2022-01-03\tassault\t\tMATERIAL CONFLICT\tRUS\tUKR\tUKR",
        "a2\t2022-01-04\tconsult\t\tVERBAL COOPERATION\tUSA;GBR\tUKR\tUKR",
        "a3\t2022-01-05\tsanction\t\t\tUSA\tRUS\tRUS",  # no quad: SANCTION -> 3 (manual's quad table)
        "a4\t2022-01-06\tcrime\t\t\tUSA\tRUS\tRUS",  # CRIME is not a PLOVER type: bad event code
        "a5\t2022-01-07\tagree\t\tVERBAL COOPERATION\tNone\tUKR\tUKR",
    ]
    (root / "ngecEvents.headline.txt").write_text(ph + "\n" + "\n".join(prow) + "\n", encoding="utf-8")
    out["polecat_headline"] = root / "ngecEvents.headline.txt"
    ph2 = "Event ID\tEvent Date\tEvent Type\tQuad Code\tActor Country\tRecipient Country"
    prow2 = [
        "b1\t2022-02-01\tAID\tMATERIAL COOPERATION\tJPN\tUKR\t\t",
        "b2\t2022-02-02\tTHREATEN\tVERBAL CONFLICT\tRUS\tJPN\t\t",
    ]
    (root / "ngecEvents.trailing.txt").write_text(ph2 + "\n" + "\n".join(prow2) + "\n", encoding="utf-8")
    out["polecat_trailing"] = root / "ngecEvents.trailing.txt"
    return out


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    write_demo(root, seed=11, rows=4000, months=60, start="2010-01-01")
    return root


@pytest.fixture(scope="session")
def pitfalls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return pitfall_files(tmp_path_factory.mktemp("pitfalls"))


def gz(path: Path) -> Path:
    out = path.with_name(path.name + ".gz")
    out.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
    return out


def zipped(path: Path, *, truncate: bool = False) -> Path:
    out = path.with_name(path.name + ".zip")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, path.name)
    if truncate:
        data = out.read_bytes()
        out.write_bytes(data[: len(data) // 2])
    return out
