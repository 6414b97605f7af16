"""Long tables: reading, checks with one line per problem, leakage by recorded dates."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.backtest import looks_like_long_table, read_long_table, write_long_table
from realpolitik.backtest.table import COLUMNS
from realpolitik.scenario import ScenarioError

from .helpers import write_table

GOOD = """case,issue,actor,position,salience,capability,lower,upper,status_quo,outcome,decided,recorded
p1,tax,DE,10,0.8,29,0,100,0,40,2003-05,2002-11-02
p1,tax,FR,60,0.5,29,0,100,0,40,2003-05,2002-11-02
p1,tax,NL,90,1.0,13,0,100,0,40,2003-05,2002-11-02
p1,date,DE,1,0.2,29,0,10,,,2003-05,2002-11-02
p1,date,NL,8,0.9,13,0,10,,,2003-05,2002-11-02
p2,ban,DE,0,0.3,29,0,100,100,25,2004,2005-01
p2,ban,FR,50,0.7,29,0,100,100,25,2004,
"""


def _write(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_cases_issues_actors_and_dates(tmp_path):
    c1, c2 = read_long_table(_write(tmp_path, GOOD))
    assert (c1.id, c1.actors, c1.issues) == ("p1", ("DE", "FR", "NL"), ("tax", "date"))
    assert c1.present.tolist() == [[True, True], [True, False], [True, True]]
    assert c1.capability.tolist() == [29, 29, 13]
    assert c1.bounds.tolist() == [[0, 100], [0, 10]]
    assert np.isnan(c1.outcome[1]) and c1.outcome[0] == 40  # 'date' has no outcome: not scored
    assert np.isnan(c1.status_quo[1])
    assert c1.leakage.status == "clean" and c1.leakage.decided == "2003-05"
    assert c2.leakage.status == "leaky"
    kinds = {(g.verdict, g.describe()) for g in c2.leakage.groups}
    assert kinds == {("after", "1 row recorded 2005-01"), ("undated", "1 row without a recorded date")}


def test_parquet_reads_like_csv(tmp_path):
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    src = _write(tmp_path, GOOD)
    table = pcsv.read_csv(
        src,
        convert_options=pcsv.ConvertOptions(column_types={"decided": pa.string(), "recorded": pa.string()}),
    )
    pq.write_table(table, tmp_path / "t.parquet")
    a = read_long_table(src)
    b = read_long_table(tmp_path / "t.parquet")
    for x, y in zip(a, b, strict=True):
        assert x.id == y.id and x.actors == y.actors and x.issues == y.issues
        np.testing.assert_array_equal(x.position, y.position)
        np.testing.assert_array_equal(x.outcome, y.outcome)
        assert x.leakage.status == y.leakage.status


def test_detection(tmp_path):
    assert looks_like_long_table(_write(tmp_path, GOOD))
    assert not looks_like_long_table(
        _write(tmp_path, "actor,capability,position,salience\nA,1,2,0.5\n", "k.csv")
    )
    assert looks_like_long_table(tmp_path / "x.parquet")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("salience,", "weight,", 1), r"header: missing column salience"),
        (
            lambda t: t.replace("p1,tax,FR,60", "p1,tax,FR,sixty"),
            r"t.csv:3: row 2.position: expected a number, got 'sixty'",
        ),
        (
            lambda t: t.replace("p1,tax,FR,60", "p1,tax,FR,160"),
            r"t.csv:3: row 2.position: expected a value within \[0, 100\], got 160",
        ),
        (
            lambda t: t.replace("p1,tax,FR,60,0.5", "p1,tax,FR,60,1.5"),
            r"row 2.salience: expected a salience in \[0, 1\], got 1.5",
        ),
        (
            lambda t: t.replace("p1,date,NL,8,0.9,13", "p1,date,NL,8,0.9,14"),
            r"t.csv:6: row 5.capability: case 'p1', actor 'NL': capability 14 differs from 13",
        ),
        (
            lambda t: t.replace("p1,tax,NL,90,1.0,13,0,100,0,40", "p1,tax,NL,90,1.0,13,0,100,0,41"),
            r"t.csv:4: row 3.outcome: case 'p1', issue 'tax': outcome differs",
        ),
        (
            lambda t: t + "p2,ban,FR,40,0.7,29,0,100,100,25,2004,\n",
            r"t.csv:9: row 8: case 'p2': a second row for actor 'FR' on issue 'ban'",
        ),
        (
            lambda t: t.replace("2005-01", "Jan 2005"),
            r"row 6.recorded: expected a date YYYY-MM-DD, YYYY-MM or YYYY, got 'Jan 2005'",
        ),
        (
            lambda t: t.replace("p2,ban,FR,50,0.7,29,0,100", "p2,ban,FR,50,0.7,29,100,100"),
            r"row 7.upper: expected lower < upper, got \[100, 100\]",
        ),
        (
            lambda t: t.replace("p2,ban,DE,0,0.3,", "p2,ban,DE,0,,"),
            r"row 6.salience: expected a number, got an empty field",
        ),
    ],
)
def test_bad_tables_give_one_line_per_problem(tmp_path, edit, message):
    with pytest.raises(ScenarioError, match=message) as exc:
        read_long_table(_write(tmp_path, edit(GOOD)))
    assert all("\n" not in str(p) for p in exc.value.problems)


def test_at_most_twenty_problems_are_listed(tmp_path):
    rows = [",".join(COLUMNS)] + [f"c,i,A{k},x,0.5,1,0,100,,50,," for k in range(50)]
    with pytest.raises(ScenarioError) as exc:
        read_long_table(_write(tmp_path, "\n".join(rows) + "\n"))
    assert len(exc.value.problems) == 21 and "30 more problems" in str(exc.value.problems[-1])


def test_generated_table_groups_into_shapes(tmp_path):
    cases = read_long_table(write_table(tmp_path / "g.csv", cases=6, actors=3, issues=2))
    assert len(cases) == 6 and {c.shape_key for c in cases} == {cases[0].shape_key}
    assert [c.leakage.status for c in cases] == ["clean", "leaky"] * 3


def test_written_tables_keep_what_is_there_and_need_the_required_columns(tmp_path):
    p = write_table(tmp_path / "t.csv", cases=1, actors=2)
    before = p.read_bytes()
    with pytest.raises(FileExistsError):
        write_table(p, cases=2, actors=3)
    assert p.read_bytes() == before
    row = {"case": "c", "issue": "i", "actor": "A", "position": 1, "salience": 0.5, "capability": 1}
    with pytest.raises(ValueError, match="row 1 has no lower, upper, outcome"):
        write_long_table(tmp_path / "u.csv", [row])
