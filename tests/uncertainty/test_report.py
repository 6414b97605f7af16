"""JSON, Rich table and headline sentences of a Monte Carlo result."""

from __future__ import annotations

import json

import numpy as np
from rich.console import Console

from realpolitik.uncertainty import monte_carlo, montecarlo_headline, montecarlo_to_json, render_montecarlo


def test_json_shape_and_stability(scenario, tmp_path):
    m = monte_carlo(
        scenario,
        draws=200,
        model="compromise",
        seed=7,
        chunk_size=64,
        thresholds={"tax": 50.0},
        out=tmp_path / "a",
    )
    js = montecarlo_to_json(m)
    assert list(js) == [
        "scenario",
        "model",
        "params",
        "draws",
        "draws_completed",
        "seed",
        "chunk_size",
        "distribution",
        "uncertain_inputs",
        "issues",
        "agreement_probability",
        "deal_probability",
        "failed_chunks",
    ]
    tax = js["issues"]["tax"]
    assert list(tax["quantiles"]) == ["5", "10", "25", "50", "75", "90", "95"]
    assert tax["interval80"] == [tax["quantiles"]["10"], tax["quantiles"]["90"]]
    assert tax["threshold"]["op"] == ">=" and 0 <= tax["threshold"]["probability"] <= 1
    assert tax["mean"] == float(np.mean(m.outcomes("tax")))
    other = monte_carlo(
        scenario,
        draws=200,
        model="compromise",
        seed=7,
        chunk_size=64,
        thresholds={"tax": 50.0},
        out=tmp_path / "b",
    )
    assert json.dumps(js) == json.dumps(montecarlo_to_json(other))
    assert "tmp" not in json.dumps(js)


def test_headline_and_table(scenario):
    m = monte_carlo(
        scenario,
        draws=300,
        model="compromise",
        seed=7,
        chunk_size=100,
        thresholds={"aid": ("<=", 5)},
        deal_probe=lambda p: p.capability[:, 0] > 0.4,
    )
    lines = montecarlo_headline(m)
    assert lines[0].startswith("300 of 300 draws of uq-small with the compromise model (seed 7")
    lo, hi = m.summary["tax"].interval80
    assert any(
        line.startswith("Tax rate: the outcome falls between") and f"{lo:.3g} and {hi:.3g}" in line
        for line in lines
    )
    p_aid = m.summary["aid"].p_threshold
    assert any(f"Chance it is at most 5: {p_aid:.0%}" in line for line in lines)
    assert any(line.startswith("Some package every signer and veto holder accepts exists in") for line in lines)
    console = Console(record=True, width=140)
    render_montecarlo(m, console)
    text = console.export_text()
    assert "tax" in text and "aid" in text and f"{m.summary['tax'].quantiles[50]:.3g}" in text


def test_headline_reports_failed_chunks(scenario, monkeypatch):
    monkeypatch.setenv("UQ_FAIL_ABOVE", "0.5")
    m = monte_carlo(scenario, draws=60, model="uq_faulty", seed=8, chunk_size=5)
    assert m.failed_chunks
    line = montecarlo_headline(m)[-1]
    assert line.startswith(
        f"{len(m.failed_chunks)} of 12 chunks failed after a retry (chunk ids {m.failed_chunks[0]}"
    )
