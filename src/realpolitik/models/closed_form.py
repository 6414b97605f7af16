"""The two closed-form baselines: the compromise model and the asymmetric Nash bargaining solution.

Both are documented in ``docs/models/compromise.md`` and ``docs/models/nash.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik.models.problem import BargainingProblem, Trajectory
from realpolitik.models.registry import ModelInfo, register


def effective_salience(problem: BargainingProblem) -> np.ndarray:
    """Saliences ``(..., A, D)`` with zeros where an actor has no data on an issue."""
    s = problem.salience
    if problem.present is not None:
        s = np.where(problem.present, s, 0.0)
    return s


def compromise_outcome(problem: BargainingProblem) -> np.ndarray:
    """O_d = Σ_i c_id s_id x_id / Σ_i c_id s_id, per issue, over any batch axes.

    Degenerate issues fall back step by step so the result is always defined: with every
    ``c·s`` zero, the capability-weighted mean of the positions; with every capability zero too, the
    plain mean of the positions of the actors present.
    """
    s = effective_salience(problem)
    c = problem.power
    x = problem.position
    present = np.ones(s.shape[-2:], dtype=bool) if problem.present is None else problem.present
    w = c * s
    num = (w * x).sum(axis=-2)
    den = w.sum(axis=-2)
    wc = np.where(present, c, 0.0)
    num_c = (wc * x).sum(axis=-2)
    den_c = wc.sum(axis=-2)
    n_present = np.maximum(present.sum(axis=-2), 1)
    plain = np.where(present, x, 0.0).sum(axis=-2) / n_present
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(
            den > 0,
            num / np.where(den > 0, den, 1.0),
            np.where(den_c > 0, num_c / np.where(den_c > 0, den_c, 1.0), plain),
        )
    return np.asarray(out)


def run_compromise(
    problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
) -> Trajectory:
    """The compromise model: the capability- and salience-weighted mean position on each issue."""
    INFO_COMPROMISE.check_params(params)
    p = problem.broadcast()
    outcome = compromise_outcome(p)
    positions = p.position[..., None, :, :]
    return Trajectory(positions=positions.copy(), outcome=outcome, rounds=0, extras={})


def _normalised(problem: BargainingProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    lo = problem.bounds[:, 0]
    width = problem.bounds[:, 1] - lo
    width = np.where(width > 0, width, 1.0)
    x = (problem.position - lo) / width
    sq = (problem.status_quo - lo) / width
    return x, sq, lo, width


def nash_outcome(
    problem: BargainingProblem,
    *,
    disagreement_cost: float = 0.0,
    tol: float = 1e-12,
    max_iter: int = 200,
) -> tuple[np.ndarray, np.ndarray]:
    """The asymmetric Nash bargaining solution with quadratic salience-weighted utilities.

    u_i(y) = −Σ_d s_id ((y_d − x_id)/w_d)², disagreement value d_i = u_i(q) − k − margin, where q is
    the status quo, k is ``disagreement_cost`` (≥ 0, on the normalised utility scale) and margin =
    1e-9 keeps the status quo strictly inside the feasible set. The solution maximises
    Σ_i c_i log(u_i(y) − d_i): a concave problem solved by damped Newton steps from the status quo,
    vectorised over the batch axes. Returns ``(outcome, iterations)``.
    """
    if disagreement_cost < 0:
        raise ValueError(f"disagreement_cost must be >= 0, got {disagreement_cost}")
    p = problem.broadcast()
    x, sq, lo, width = _normalised(p)
    s = effective_salience(p)
    c = p.actor_power()  # one weight per actor in the Nash product: per-issue power must not differ
    batch = p.batch_shape_all
    d = p.n_issues
    active = (c > 0) & (s.sum(axis=-1) > 0)  # (..., A)
    cw = np.where(active, c, 0.0)

    def util(y: np.ndarray) -> np.ndarray:
        return -(s * (y[..., None, :] - x) ** 2).sum(axis=-1)

    margin = 1e-9
    dis = util(sq) - disagreement_cost - margin
    y = np.array(np.broadcast_to(sq, batch + (d,)), dtype=float)

    def objective(yy: np.ndarray) -> np.ndarray:
        g = util(yy) - dis
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(active, cw * np.log(np.where(g > 0, g, 1.0)), 0.0)
            bad = (active & (g <= 0)).any(axis=-1)
        return np.where(bad, -np.inf, terms.sum(axis=-1))

    f = objective(y)
    done = np.zeros(batch, dtype=bool)
    it = np.zeros(batch, dtype=int)
    eye = np.eye(d)
    for _ in range(max_iter):
        g = util(y) - dis  # (..., A)
        g = np.where(active, g, 1.0)
        diff = y[..., None, :] - x  # (..., A, D)
        grad_u = -2.0 * s * diff  # (..., A, D)
        wgt = cw / g  # (..., A)
        grad = (wgt[..., None] * grad_u).sum(axis=-2)
        # Hessian: Σ c_i (∇²u_i / g_i − ∇u_i ∇u_iᵀ / g_i²), with ∇²u_i = −2 diag(s_i)
        hdiag = (wgt[..., None] * (-2.0 * s)).sum(axis=-2)
        outer = np.einsum("...a,...ad,...ae->...de", cw / g**2, grad_u, grad_u)
        hess = hdiag[..., None] * eye - outer
        hess = hess - 1e-12 * eye * (1.0 + np.abs(hdiag)[..., None])
        step = -np.linalg.solve(hess, grad[..., None])[..., 0]
        # backtracking line search keeping every surplus positive and the objective rising
        t = np.ones(batch)
        accepted = np.zeros(batch, dtype=bool)
        new_y = y.copy()
        new_f = f.copy()
        for _ls in range(60):
            cand = y + t[..., None] * step
            fc = objective(cand)
            ok = (fc >= f) & ~accepted & ~done
            new_y = np.where(ok[..., None], cand, new_y)
            new_f = np.where(ok, fc, new_f)
            accepted |= ok
            if (accepted | done).all():
                break
            t = np.where(accepted, t, t * 0.5)
        moved = np.abs(new_y - y).max(axis=-1) if d else np.zeros(batch)
        it = it + (~done)
        y = np.where(done[..., None], y, new_y)
        f = np.where(done, f, new_f)
        done = done | (moved <= tol) | ~accepted
        if done.all():
            break
    return y * width + lo, it


def run_nash(
    problem: BargainingProblem, *, rng: np.random.Generator | None = None, **params: Any
) -> Trajectory:
    """The asymmetric Nash bargaining solution (weights c_i, status quo as disagreement point)."""
    prm = INFO_NASH.check_params(params)
    p = problem.broadcast()
    outcome, iterations = nash_outcome(p, disagreement_cost=float(prm["disagreement_cost"]))
    positions = p.position[..., None, :, :]
    return Trajectory(
        positions=positions.copy(),
        outcome=outcome,
        rounds=0,
        extras={"newton_iterations": iterations},
    )


INFO_COMPROMISE = register(
    ModelInfo(
        name="compromise",
        title="Compromise model",
        run=run_compromise,
        multi_issue=False,
        params={},
        description="Capability- and salience-weighted mean of the actors' positions on each issue.",
        reference="Achen (2006); Van den Bos (1991)",
    )
)

INFO_NASH = register(
    ModelInfo(
        name="nash",
        title="Asymmetric Nash bargaining solution",
        run=run_nash,
        multi_issue=True,
        params={"disagreement_cost": 0.0},
        requires=("status_quo",),
        per_issue_power=False,
        description=(
            "Maximises the capability-weighted Nash product of quadratic salience-weighted utility gains "
            "over the status quo, across all issues at once."
        ),
        reference="Nash (1950); Achen (2006)",
    )
)
