"""The compromise and Nash models against reference values and Achen's limit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from realpolitik.models import BargainingProblem, get_model

# BDM 1994 p.78 via Scholz et al. (2011) Table 1: actor, capability, position, salience (0-100)
EC = [
    ("Netherlands", 0.08, 4, 80),
    ("Belgium", 0.08, 7, 40),
    ("Luxembourg", 0.03, 4, 20),
    ("Germany", 0.16, 4, 80),
    ("France", 0.16, 10, 60),
    ("Italy", 0.16, 10, 60),
    ("UK", 0.16, 10, 90),
    ("Ireland", 0.05, 7, 10),
    ("Denmark", 0.05, 4, 100),
    ("Greece", 0.08, 7, 70),
]


def ec_problem(status_quo: float = 4.0) -> BargainingProblem:
    return BargainingProblem(
        capability=[r[1] for r in EC],
        position=[[float(r[2])] for r in EC],
        salience=[[r[3] / 100] for r in EC],
        bounds=[[4.0, 10.0]],
        status_quo=[status_quo],
        actors=tuple(r[0] for r in EC),
        issues=("emission_standards",),
    )


def test_compromise_ec_emissions() -> None:
    out = get_model("compromise").run(ec_problem()).outcome
    assert out[0] == pytest.approx(7.389955686854, abs=1e-9)


def _ktab_problem(path: Path) -> tuple[BargainingProblem, dict]:
    lines = [ln.rstrip(", \n").split(",") for ln in path.read_text().splitlines() if ln.strip()]
    n, d = int(lines[0][2]), int(lines[0][3])
    rows = [[f.strip() for f in ln] for ln in lines[2 : 2 + n]]
    cap = [float(r[2]) for r in rows]
    pos = [[float(r[3 + 2 * k]) for k in range(d)] for r in rows]
    sal = [[float(r[4 + 2 * k]) / 100 for k in range(d)] for r in rows]
    expected = json.loads((path.parent / "expected.json").read_text())
    p = BargainingProblem(
        capability=cap,
        position=pos,
        salience=sal,
        bounds=np.tile([0.0, 100.0], (d, 1)),
        status_quo=np.zeros(d),
    )
    return p, expected


@pytest.mark.parametrize("case", ["SOE-Pol-Comp", "dummyData_3Dim"])
def test_compromise_ktab_references(shared_dir: Path, case: str) -> None:
    p, expected = _ktab_problem(shared_dir / "reference" / "ktab" / case / "input.csv")
    out = get_model("compromise").run(p).outcome
    np.testing.assert_allclose(out, expected["compromise_initial"], atol=5e-5)  # printed to 4 decimals


def test_compromise_matches_exchange_round_zero(shared_dir: Path) -> None:
    import realpolitik as rp

    s = rp.load(shared_dir / "reference" / "exchange" / "copenhagen" / "input.csv")
    expected = json.loads(
        (shared_dir / "reference" / "exchange" / "copenhagen" / "expected.json").read_text()
    )
    f = rp.forecast(s, model="compromise")
    np.testing.assert_allclose(list(f.outcome.values()), expected["compromise_initial"], atol=1e-9)


def test_nash_tends_to_compromise_when_disagreement_is_costly() -> None:
    # Achen (2006): with quadratic loss, the Nash solution approaches the compromise as d -> -inf
    p = ec_problem(status_quo=4.0)
    comp = get_model("compromise").run(p).outcome[0]
    gaps = [
        abs(get_model("nash").run(p, disagreement_cost=k).outcome[0] - comp) for k in (1.0, 10.0, 1e3, 1e6)
    ]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 1e-4


def test_nash_differs_from_compromise_near_the_status_quo() -> None:
    p = ec_problem(status_quo=4.0)  # the ideal point of four actors: their zero gain pins the solution
    comp = get_model("compromise").run(p).outcome[0]
    nash = get_model("nash").run(p).outcome[0]
    assert nash == pytest.approx(4.0, abs=0.01)
    assert abs(nash - comp) > 3.0


def test_nash_symmetric_two_party_midpoint() -> None:
    p = BargainingProblem(
        capability=[1.0, 1.0],
        position=[[20.0], [80.0]],
        salience=[[1.0], [1.0]],
        bounds=[[0.0, 100.0]],
        status_quo=[50.0 - 45.0],
    )
    # status quo at 5: both actors gain from moving toward 50, Nash with equal weights is symmetric in gains
    out = get_model("nash").run(p).outcome[0]
    u1 = -(((out - 20) / 100) ** 2) + ((5 - 20) / 100) ** 2
    u2 = -(((out - 80) / 100) ** 2) + ((5 - 80) / 100) ** 2
    # first-order condition of max log(u1) + log(u2)
    du1, du2 = -2 * (out - 20) / 100**2, -2 * (out - 80) / 100**2
    assert du1 / u1 + du2 / u2 == pytest.approx(0.0, abs=1e-6)
    assert 20 < out < 80


def test_nash_with_status_quo_between_ideals_stays() -> None:
    # one issue, status quo between the two ideals: it is Pareto optimal, so nothing moves
    p = BargainingProblem(
        capability=[1.0, 2.0],
        position=[[10.0], [90.0]],
        salience=[[1.0], [1.0]],
        bounds=[[0, 100]],
        status_quo=[40.0],
    )
    assert get_model("nash").run(p).outcome[0] == pytest.approx(40.0, abs=1e-3)


def test_nash_multi_issue_gains_positive() -> None:
    p = BargainingProblem(
        capability=[1.0, 1.0, 2.0],
        position=[[80.0, 20.0], [70.0, 90.0], [60.0, 60.0]],
        salience=[[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]],
        bounds=[[0, 100], [0, 100]],
        status_quo=[0.0, 0.0],
    )
    out = get_model("nash").run(p).outcome
    x = p.position / 100
    u = lambda y: -(p.salience * (y / 100 - x) ** 2).sum(axis=1)  # noqa: E731
    assert (u(out) > u(np.zeros(2))).all()
