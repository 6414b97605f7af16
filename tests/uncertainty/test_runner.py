"""Monte Carlo runs: seeding per chunk, executors agree exactly, Parquet output, resume, failures."""

from __future__ import annotations

import json
import os
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest
from uq_support import small

from realpolitik.forecast import run_problem
from realpolitik.models import model_names
from realpolitik.uncertainty import (
    ManifestMismatchError,
    MissingDependencyError,
    apply,
    chunk_seeds,
    draw,
    monte_carlo,
    open_executor,
    sampling_spec,
)
from realpolitik.uncertainty.runner import _child


def _dump(result) -> str:
    return json.dumps(result.to_json(), sort_keys=True)


def test_serial_run_summary_matches_numpy(scenario):
    m = monte_carlo(
        scenario,
        draws=500,
        model="compromise",
        seed=3,
        chunk_size=128,
        thresholds={"tax": 50.0, "aid": ("<=", 5.0)},
    )
    assert m.ok and m.draws_completed == 500 and m.n_chunks == 4
    x = m.outcomes()
    assert x.shape == (500, 2)
    np.testing.assert_array_equal(m.draw_index(), np.arange(500))
    tax = m.summary["tax"]
    np.testing.assert_allclose(
        list(tax.quantiles.values()), np.quantile(x[:, 0], [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
    )
    assert tax.mean == pytest.approx(x[:, 0].mean())
    assert tax.interval80 == (tax.quantiles[10], tax.quantiles[90])
    assert tax.p_threshold == pytest.approx(np.mean(x[:, 0] >= 50))
    assert m.summary["aid"].p_threshold == pytest.approx(np.mean(x[:, 1] <= 5))
    strict = monte_carlo(
        scenario,
        draws=500,
        model="compromise",
        seed=3,
        chunk_size=128,
        thresholds={"tax": (">", 50.0), "aid": ("<", 5.0)},
    )
    assert strict.summary["tax"].p_threshold == pytest.approx(np.mean(x[:, 0] > 50))
    assert strict.summary["aid"].p_threshold == pytest.approx(np.mean(x[:, 1] < 5))
    assert 0 < tax.p_threshold < 1
    assert np.ptp(x[:, 0]) > 1  # the draws differ


def test_chunk_streams_depend_only_on_seed_and_chunk(scenario):
    """Chunk k's draws come from child k of SeedSequence(seed): independent of the run's length."""
    a = monte_carlo(scenario, draws=300, model="compromise", seed=11, chunk_size=100).outcomes()
    b = monte_carlo(scenario, draws=150, model="compromise", seed=11, chunk_size=100).outcomes()
    np.testing.assert_array_equal(a[:150], b)
    c = monte_carlo(scenario, draws=150, model="compromise", seed=12, chunk_size=100).outcomes()
    assert not np.array_equal(b, c)
    # the documented contract, rebuilt by hand for chunk 1
    spec = sampling_spec(scenario)
    ss = chunk_seeds(11, 3)[1]
    values = draw(spec, 100, np.random.default_rng(_child(ss, 0)))
    by_hand = run_problem(apply(spec, values), "compromise").outcome
    np.testing.assert_array_equal(a[100:200], by_hand)


def test_processes_equal_serial_for_any_worker_count(scenario):
    kw = dict(draws=420, model="compromise", seed=5, chunk_size=50, thresholds={"tax": 45.0})
    serial = monte_carlo(scenario, **kw)
    two = monte_carlo(scenario, executor="processes", workers=2, **kw)
    one = monte_carlo(scenario, executor="processes", workers=1, **kw)
    np.testing.assert_array_equal(two.outcomes(), serial.outcomes())
    np.testing.assert_array_equal(one.outcomes(), serial.outcomes())
    assert _dump(two) == _dump(serial) == _dump(one)


def test_dask_local_cluster_equals_serial(scenario, tmp_path):
    pytest.importorskip("distributed")
    kw = dict(draws=300, model="compromise", seed=5, chunk_size=40)
    serial = monte_carlo(scenario, **kw)
    dask = monte_carlo(scenario, executor="dask", workers=2, out=tmp_path / "run", **kw)
    np.testing.assert_array_equal(dask.outcomes(), serial.outcomes())
    assert _dump(dask) == _dump(serial)
    # a ready executor is used as is: here the client of a LocalCluster of two worker processes
    with open_executor("dask", workers=2) as handle:
        pids = {handle.executor.submit(os.getpid).result() for _ in range(8)}
        assert os.getpid() not in pids
        again = monte_carlo(scenario, executor=handle.executor, workers=2, **kw)
    np.testing.assert_array_equal(again.outcomes(), serial.outcomes())


def test_dask_missing_gives_one_clear_line(scenario, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'realpolitik\[dask\]'"):
        monte_carlo(scenario, draws=10, model="compromise", executor="dask")


def test_out_writes_one_parquet_file_per_chunk(scenario, tmp_path):
    out = tmp_path / "run"
    kept = monte_carlo(scenario, draws=250, model="compromise", seed=9, chunk_size=100)
    m = monte_carlo(scenario, draws=250, model="compromise", seed=9, chunk_size=100, out=out)
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "chunk-000000.parquet",
        "chunk-000001.parquet",
        "chunk-000002.parquet",
        "manifest.json",
        "summary.json",
    ]
    t = pq.read_table(out / "chunk-000002.parquet")
    assert t.column_names == ["_draw", "tax", "aid"] and t.num_rows == 50
    np.testing.assert_array_equal(t.column("_draw").to_numpy(), np.arange(200, 250))
    np.testing.assert_array_equal(m.outcomes(), kept.outcomes())
    # the summary has no paths or timings: in memory and on disk give the same bytes
    assert _dump(m) == _dump(kept)
    assert json.loads((out / "summary.json").read_text()) == m.to_json()
    assert str(tmp_path) not in (out / "summary.json").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["draws"], manifest["seed"], manifest["chunk_size"], manifest["model"]) == (
        250,
        9,
        100,
        "compromise",
    )


def test_out_refuses_existing_run_and_mismatched_resume(scenario, tmp_path):
    out = tmp_path / "run"
    monte_carlo(scenario, draws=60, model="compromise", seed=1, chunk_size=30, out=out)
    with pytest.raises(FileExistsError, match="already holds"):
        monte_carlo(scenario, draws=60, model="compromise", seed=1, chunk_size=30, out=out)
    with pytest.raises(ManifestMismatchError, match=r"seed: 1 there, 2 here"):
        monte_carlo(scenario, draws=60, model="compromise", seed=2, chunk_size=30, out=out, resume=True)
    with pytest.raises(ManifestMismatchError, match="model"):
        monte_carlo(scenario, draws=60, model="nash", seed=1, chunk_size=30, out=out, resume=True)


def test_resume_skips_written_chunks_and_completes_missing(scenario, tmp_path):
    out = tmp_path / "run"
    full = monte_carlo(scenario, draws=200, model="compromise", seed=4, chunk_size=50, out=out)
    (out / "chunk-000002.parquet").unlink()
    (out / "chunk-000001.parquet.123.tmp").write_bytes(b"partial")  # an interrupted write
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("chunk-*.parquet")}
    again = monte_carlo(scenario, draws=200, model="compromise", seed=4, chunk_size=50, out=out, resume=True)
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("chunk-*.parquet")}
    assert set(after) == {f"chunk-{k:06d}.parquet" for k in range(4)}
    assert all(after[name] == t for name, t in before.items())  # untouched
    assert not list(out.glob("*.tmp"))
    np.testing.assert_array_equal(again.outcomes(), full.outcomes())
    assert _dump(again) == _dump(full)


def _failing_chunks(scenario, seed, draws, chunk_size, above):
    """Chunks whose draws put actor A's capability above ``above`` (rebuilt from the stream contract)."""
    spec = sampling_spec(scenario)
    k_cap = [x.path for x in spec.inputs].index("actors[0].capability")
    n = -(-draws // chunk_size)
    bad = []
    for k, ss in enumerate(chunk_seeds(seed, n)):
        size = min(chunk_size, draws - k * chunk_size)
        if draw(spec, size, np.random.default_rng(_child(ss, 0)))[:, k_cap].max() > above:
            bad.append(k)
    return bad


def test_failing_chunk_is_reported_others_kept_then_resumed(scenario, tmp_path, monkeypatch):
    out = tmp_path / "run"
    kw = dict(draws=120, model="uq_faulty", seed=8, chunk_size=5, out=out)
    bad = _failing_chunks(scenario, 8, 120, 5, 0.55)
    assert 0 < len(bad) < 24
    monkeypatch.setenv("UQ_FAIL_ABOVE", "0.55")
    m = monte_carlo(scenario, **kw)
    assert list(m.failed_chunks) == bad
    assert "injected failure" in m.errors[bad[0]]
    assert m.draws_completed == 120 - 5 * len(bad)
    assert m.to_json()["failed_chunks"] == bad
    assert sorted(int(p.name[6:12]) for p in out.glob("chunk-*.parquet")) == [
        k for k in range(24) if k not in bad
    ]
    monkeypatch.delenv("UQ_FAIL_ABOVE")
    resumed = monte_carlo(scenario, resume=True, **kw)
    assert resumed.ok
    clean = monte_carlo(scenario, draws=120, model="uq_faulty", seed=8, chunk_size=5)
    np.testing.assert_array_equal(resumed.outcomes(), clean.outcomes())


def test_transient_failure_is_retried(scenario, tmp_path, monkeypatch):
    monkeypatch.setenv("UQ_FLAKY_DIR", str(tmp_path))
    m = monte_carlo(scenario, draws=40, model="uq_faulty", seed=2, chunk_size=10)
    assert (tmp_path / "failed-once").exists()  # one call did fail
    assert m.ok
    monkeypatch.delenv("UQ_FLAKY_DIR")
    np.testing.assert_array_equal(
        m.outcomes(), monte_carlo(scenario, draws=40, model="uq_faulty", seed=2, chunk_size=10).outcomes()
    )


def test_worker_death_is_retried_then_reported(scenario, monkeypatch):
    bad = _failing_chunks(scenario, 8, 60, 5, 0.57)
    assert 0 < len(bad) <= 3
    monkeypatch.setenv("UQ_DIE_ABOVE", "0.57")
    m = monte_carlo(
        scenario, draws=60, model="uq_faulty", seed=8, chunk_size=5, executor="processes", workers=2
    )
    assert list(m.failed_chunks) == bad
    assert "BrokenProcessPool" in m.errors[bad[0]]
    monkeypatch.delenv("UQ_DIE_ABOVE")
    clean = monte_carlo(scenario, draws=60, model="uq_faulty", seed=8, chunk_size=5)
    keep = np.concatenate([np.arange(k * 5, k * 5 + 5) for k in range(12) if k not in bad])
    np.testing.assert_array_equal(m.draw_index(), keep)
    np.testing.assert_array_equal(m.outcomes(), clean.outcomes()[keep])


def test_deal_probe_probability_and_its_failure(scenario):
    def probe(problem):
        return problem.capability[:, 0] > 0.45

    m = monte_carlo(scenario, draws=300, model="compromise", seed=1, chunk_size=100, deal_probe=probe)
    spec = sampling_spec(scenario)
    k = [x.path for x in spec.inputs].index("actors[0].capability")
    caps = np.concatenate(
        [draw(spec, 100, np.random.default_rng(_child(ss, 0)))[:, k] for ss in chunk_seeds(1, 3)]
    )
    assert m.deal_probability == pytest.approx(np.mean(caps > 0.45))
    assert m.to_json()["deal_probability"] == m.deal_probability

    def broken(problem):
        raise RuntimeError("no deals today")

    m2 = monte_carlo(scenario, draws=300, model="compromise", seed=1, chunk_size=100, deal_probe=broken)
    assert m2.deal_probability is None and m2.ok
    assert "no deals today" in m2.deal_errors[0]
    np.testing.assert_array_equal(m2.outcomes(), m.outcomes())
    off = monte_carlo(scenario, draws=10, model="compromise", deal_probe=False)
    assert off.to_json()["deal_probability"] is None


def test_arguments_are_checked(scenario):
    with pytest.raises(ValueError, match="draws"):
        monte_carlo(scenario, draws=0, model="compromise")
    with pytest.raises(ValueError, match="threshold operator"):
        monte_carlo(scenario, draws=5, model="compromise", thresholds={"tax": ("==", 1.0)})
    with pytest.raises(ValueError, match="unknown issue"):
        monte_carlo(scenario, draws=5, model="compromise", thresholds={"nope": 1.0})
    with pytest.raises(ValueError, match="no parameter"):
        monte_carlo(scenario, draws=5, model="compromise", bogus=1)
    with pytest.raises(ValueError, match="executor must be one of"):
        monte_carlo(scenario, draws=5, model="compromise", executor="threads")


def test_seed_none_is_recorded_and_replays(scenario):
    m = monte_carlo(scenario, draws=50, model="compromise", seed=None, chunk_size=20)
    again = monte_carlo(scenario, draws=50, model="compromise", seed=m.seed, chunk_size=20)
    np.testing.assert_array_equal(m.outcomes(), again.outcomes())


def test_progress_bar_does_not_change_results(scenario):
    a = monte_carlo(scenario, draws=100, model="compromise", seed=6, chunk_size=25, progress=True)
    b = monte_carlo(scenario, draws=100, model="compromise", seed=6, chunk_size=25)
    assert _dump(a) == _dump(b)


eum_only = pytest.mark.skipif("eum" not in model_names(), reason="eum is not registered")


@eum_only
def test_eum_batch_equals_loop_of_single_runs(scenario):
    m = monte_carlo(scenario, draws=40, model="eum", seed=21, chunk_size=16)
    spec = sampling_spec(scenario)
    ss = chunk_seeds(21, 3)[1]
    values = draw(spec, 16, np.random.default_rng(_child(ss, 0)))
    batch = apply(spec, values)
    singles = np.array([run_problem(batch.item(i), "eum").outcome for i in range(16)])
    np.testing.assert_allclose(m.outcomes()[16:32], singles, rtol=0, atol=1e-12)
    assert np.ptp(m.outcomes(), axis=0).min() > 0


@eum_only
def test_eum_processes_equal_serial(scenario):
    kw = dict(draws=200, model="eum", seed=2, chunk_size=50)
    assert _dump(monte_carlo(scenario, executor="processes", workers=2, **kw)) == _dump(
        monte_carlo(scenario, **kw)
    )


def test_no_uncertain_input_gives_point_forecast():
    s = small()
    data = s.model_dump(mode="json", by_alias=True, exclude_none=True)
    for a in data["actors"]:
        a["capability"].pop("range", None)
    for row in data["positions"].values():
        for st in row.values():
            st["position"].pop("range", None)
            st["salience"].pop("range", None)
    for iss in data["issues"]:
        iss["status_quo"].pop("range", None)
    from realpolitik.scenario.schema import Scenario

    m = monte_carlo(Scenario.model_validate(data), draws=20, model="compromise", chunk_size=8)
    assert m.inputs == ()
    assert np.ptp(m.outcomes(), axis=0).max() == 0
    assert m.out is None
