"""Monte Carlo results for people and scripts: JSON, a Rich table, and generated sentences."""

from __future__ import annotations

from typing import Any

from realpolitik._text import esc, num
from realpolitik.uncertainty.runner import MonteCarloResult


def montecarlo_to_json(result: MonteCarloResult) -> dict[str, Any]:
    """The documented JSON summary (``docs/uncertainty.md``); byte-identical for equal runs."""
    return result.to_json()


def _fmt(x: float | None) -> str:
    if x is None or x != x:
        return "–"
    return num(x, ".3g") if abs(x) < 1e3 else num(x, ",.0f")


def _spread_word(width: float, scale: float) -> str:
    share = width / scale if scale > 0 else 0.0
    if share < 0.05:
        return "tightly"
    if share < 0.2:
        return "fairly tightly"
    if share < 0.4:
        return "with a wide spread"
    return "with a very wide spread"


def montecarlo_headline(result: MonteCarloResult) -> list[str]:
    """Plain sentences an analyst can quote, generated from the numbers."""
    lines = []
    n_in = len(result.inputs)
    lines.append(
        f"{result.draws_completed:,} of {result.draws:,} draws of {result.scenario} with the {result.model} "
        f"model (seed {result.seed}, {n_in} uncertain input{'s' if n_in != 1 else ''}, "
        f"{result.distribution} distributions)."
    )
    if n_in == 0:
        lines.append(
            "No input is uncertain: every draw is the point forecast. Give numbers a range or set "
            "scenario-wide uncertainty defaults."
        )
    for j, d in enumerate(result.issues):
        s = result.summary[d]
        lo, hi = s.interval80
        name = result.issue_names.get(d, d)
        if s.mean != s.mean:
            lines.append(f"{name}: the model gave no outcome in any draw.")
            continue
        scale = float(result.bounds[j, 1] - result.bounds[j, 0])
        word = _spread_word(hi - lo, scale)
        rule = result.rules.get(d, "collective")
        under = "" if rule == "collective" else f" under the {rule} rule"
        text = (
            f"{name}: the outcome{under} falls between {_fmt(lo)} and {_fmt(hi)} in 80% of draws "
            f"(median {_fmt(s.quantiles[50])}), {word} on a scale of {_fmt(scale)}."
        )
        ps = result.pressure_summary.get(d)
        if ps is not None and (
            abs(ps.quantiles[50] - s.quantiles[50]) > 1e-9 or ps.interval80 != s.interval80
        ):
            text += (
                f" The model's own pressure: median {_fmt(ps.quantiles[50])}, 80% between "
                f"{_fmt(ps.interval80[0])} and {_fmt(ps.interval80[1])}."
            )
        if s.threshold is not None and s.p_threshold is not None:
            op = {">=": "at least", "<=": "at most", ">": "above", "<": "below"}[s.threshold[0]]
            text += f" Chance it is {op} {_fmt(s.threshold[1])}: {s.p_threshold:.0%}."
        if s.nan_draws:
            text += f" {s.nan_draws:,} draws gave no outcome."
        lines.append(text)
    for name, p in result.agreement_probability.items():
        if p is not None:
            lines.append(
                f"Agreement {name} is concluded (every signer and veto holder accepts) in {p:.0%} of draws."
            )
    if result.deal_probability is not None:
        lines.append(
            f"Some package every signer and veto holder accepts exists in {result.deal_probability:.0%} of draws."
        )
    if result.failed_chunks:
        ids = ", ".join(str(k) for k in result.failed_chunks[:10])
        more = " …" if len(result.failed_chunks) > 10 else ""
        lines.append(
            f"{len(result.failed_chunks)} of {result.n_chunks} chunks failed after a retry "
            f"(chunk ids {ids}{more}); the figures cover the completed draws only."
        )
    return lines


def render_montecarlo(result: MonteCarloResult, console: Any) -> None:
    """Print a Rich table of the outcome distribution per issue (5th/50th/95th percentiles, mean, 80%
    range, threshold probability; the other quantiles are in the JSON), then the headline sentences."""
    from realpolitik._terminal import FitTable, Ident

    title = f"Monte Carlo · {result.scenario} · {result.model} · {result.draws_completed:,} draws"
    table = FitTable(title=esc(title), title_justify="left")
    table.add_column("issue")
    for head in ("p5", "median", "p95", "mean", "80% range"):
        table.add_column(head, justify="right", no_wrap=True)
    with_th = any(result.summary[d].threshold is not None for d in result.issues)
    if with_th:
        table.add_column("P(pass)", justify="right")
    for d in result.issues:
        s = result.summary[d]
        q = s.quantiles
        rule = result.rules.get(d, "collective")
        row: list[Any] = [
            Ident(d if rule == "collective" else f"{d} ({rule})"),
            _fmt(q[5]),
            _fmt(q[50]),
            _fmt(q[95]),
            _fmt(s.mean),
            f"{_fmt(s.interval80[0])}–{_fmt(s.interval80[1])}",
        ]
        if with_th:
            row.append(
                ""
                if s.threshold is None or s.p_threshold is None
                else f"{s.p_threshold:.0%} ({s.threshold[0]}{_fmt(s.threshold[1])})"
            )
        table.add_row(*row)
        ps = result.pressure_summary.get(d)
        if ps is not None and any(abs(ps.quantiles[k] - q[k]) > 1e-9 for k in q):
            pq = ps.quantiles
            prow = [
                "  pressure",
                _fmt(pq[5]),
                _fmt(pq[50]),
                _fmt(pq[95]),
                _fmt(ps.mean),
                f"{_fmt(ps.interval80[0])}–{_fmt(ps.interval80[1])}",
            ]
            table.add_row(*prow, *([""] if with_th else []), style="dim")
    console.print(table)
    for line in montecarlo_headline(result):
        style = "red" if "failed" in line and result.failed_chunks else None
        console.print(esc(line), style=style)
