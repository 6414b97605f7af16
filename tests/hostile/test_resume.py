"""Issue 11, item 5: a Monte Carlo resume trusts no chunk file it cannot verify.

Each chunk's draw range, row count and SHA-256 are in the manifest; a damaged, truncated, column-missing
or copied chunk is set aside (``.rejected``) and computed again, with a note naming the file.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.cli_support import fails, ok

import realpolitik as rp
from realpolitik.scenario import from_dict
from realpolitik.uncertainty.runner import ResumeError

SMALL = {
    "id": "uq-hostile",
    "title": "Small",
    "actors": [
        {"id": "A", "name": "A", "capability": {"value": 0.4, "range": [0.3, 0.6]}},
        {"id": "B", "name": "B", "capability": 0.3},
        {"id": "C", "name": "C", "capability": 0.2},
    ],
    "issues": [{"id": "tax", "name": "Tax", "status_quo": 40}, {"id": "aid", "name": "Aid", "status_quo": 5}],
    "positions": {
        "A": {"tax": {"position": 20, "salience": 0.8}, "aid": {"position": 2, "salience": 0.5}},
        "B": {"tax": {"position": 80, "salience": 0.6}, "aid": {"position": 8, "salience": 0.4}},
        "C": {"tax": {"position": 50, "salience": 0.5}, "aid": {"position": 5, "salience": 0.9}},
    },
    "uncertainty": {"position": 0.05, "salience": 0.1},
}
KW = {"draws": 200, "model": "compromise", "seed": 5, "chunk_size": 50, "deal_probe": False}


def _run(out: Path, resume: bool = False) -> rp.uncertainty.MonteCarloResult:
    return rp.monte_carlo(from_dict(SMALL), out=out, resume=resume, **KW)


def _flip_bytes(p: Path) -> None:
    b = bytearray(p.read_bytes())
    for i in range(len(b) // 3, len(b) // 3 + 64):
        b[i] ^= 0xFF
    p.write_bytes(bytes(b))


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _drop_column(p: Path) -> None:
    t = pq.read_table(p)
    pq.write_table(t.drop_columns(["aid"]), p)


def _copy_other(p: Path) -> None:
    shutil.copy(p.with_name("chunk-000000.parquet"), p)


def _copy_other_and_its_record(p: Path) -> None:
    """A copy whose manifest record was copied too: only the draw range gives it away."""
    _copy_other(p)
    m = json.loads((p.parent / "manifest.json").read_text())
    m["chunks"]["000002"] = {**m["chunks"]["000000"], "start": 100}
    (p.parent / "manifest.json").write_text(json.dumps(m))


def _not_parquet(p: Path) -> None:
    p.write_text("definitely not parquet")


def _nan_values(p: Path) -> None:
    t = pq.read_table(p)
    cols = {n: t.column(n) for n in t.column_names}
    cols["tax"] = pa.array(np.full(t.num_rows, np.nan))
    pq.write_table(pa.table(cols), p)


@pytest.mark.parametrize(
    "damage",
    [
        _flip_bytes,
        _truncate,
        _drop_column,
        _copy_other,
        _copy_other_and_its_record,
        _not_parquet,
        _nan_values,
    ],
)
def test_a_damaged_chunk_is_set_aside_and_computed_again(
    damage: Callable[[Path], None], tmp_path: Path
) -> None:
    out = tmp_path / "run"
    full = _run(out)
    bad = out / "chunk-000002.parquet"
    damage(bad)
    again = _run(out, resume=True)
    assert len(again.notes) == 1 and str(bad) in again.notes[0] and "computed again" in again.notes[0]
    assert (out / "chunk-000002.parquet.rejected").exists()
    np.testing.assert_array_equal(again.outcomes(), full.outcomes())
    assert again.to_json() == full.to_json()
    assert not _run(out, resume=True).notes  # the recomputed chunk is recorded and trusted now


def test_a_chunk_written_after_the_last_manifest_update_is_recomputed(tmp_path: Path) -> None:
    out = tmp_path / "run"
    full = _run(out)
    m = json.loads((out / "manifest.json").read_text())
    del m["chunks"]["000001"]  # as if killed between writing the chunk and recording it
    (out / "manifest.json").write_text(json.dumps(m))
    again = _run(out, resume=True)
    assert "not recorded in the manifest" in again.notes[0]
    np.testing.assert_array_equal(again.outcomes(), full.outcomes())


def test_untouched_chunks_are_trusted_without_being_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "run"
    _run(out)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("chunk-*.parquet")}
    again = _run(out, resume=True)
    assert not again.notes
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("chunk-*.parquet")} == before


def test_resume_needs_a_run_to_continue(tmp_path: Path) -> None:
    with pytest.raises(ResumeError, match="no such folder"):
        _run(tmp_path / "typo", resume=True)
    assert not (tmp_path / "typo").exists()  # nothing silently started
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResumeError, match="no manifest"):
        _run(tmp_path / "empty", resume=True)
    out = tmp_path / "run"
    _run(out)
    (out / "manifest.json").write_text("{ truncated")
    with pytest.raises(ResumeError, match="cannot be read"):
        _run(out, resume=True)


def test_the_cli_says_which_chunk_it_recomputed_and_refuses_a_missing_folder(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps(SMALL), encoding="utf-8")
    out = tmp_path / "run"
    args = [
        "montecarlo",
        f,
        "-n",
        "200",
        "--chunk-size",
        "50",
        "-m",
        "compromise",
        "--no-deals",
        "--format",
        "json",
    ]
    first = ok(*args, "--out-dir", out).stdout
    _flip_bytes(out / "chunk-000001.parquet")
    r = ok(*args, "--out-dir", out, "--resume")
    assert r.stdout == first
    assert r.stderr.startswith("warning ") and "chunk-000001.parquet: its checksum does not match" in r.stderr
    assert "no such folder" in fails(*args, "--out-dir", tmp_path / "typo", "--resume")
