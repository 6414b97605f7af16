"""The backtest in the terminal: per-issue errors, the clean and leaky summaries, and why cases leak."""

from __future__ import annotations

import math

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from realpolitik._terminal import FitTable, Ident, fits
from realpolitik.backtest.run import GROUPS, Backtest, ScoredIssue
from realpolitik.backtest.scoring import BASELINE_LABELS

MAX_CASE_NOTES = 12  # cases shown one by one (tables, leakage) without --verbose


def _n(k: int, noun: str) -> str:
    return f"{k} {noun}{'' if k == 1 else 's'}"


def _label(name: str) -> str:
    return BASELINE_LABELS.get(name, name)


def _pct(x: float | None) -> str:
    return "—" if x is None or not math.isfinite(x) else f"{100 * x:.1f}"


def _val(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:.0f}"


def case_table(b: Backtest, case: str, issues: list[str] | None = None, with_mean: bool = True) -> Table:
    """One case: a row per model and baseline, a column per issue with a recorded outcome (or those of
    ``issues``); each cell is the error (% of the issue's range) above the forecast (dim). Models'
    forecasts are under the rules; ``mean`` is over every issue of the case."""
    every = [r for r in b.rows if r.case == case]
    rows = every if issues is None else [r for r in every if r.issue in issues]
    c = next(x for x in b.cases if x.id == case)
    when = f", decided {c.decided}" if c.decided else ""
    t = FitTable(
        title=f"[bold]{escape(case)}[/bold] · {c.status}{escape(when)}",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        title_justify="left",
    )
    t.add_column("error %\n[dim]forecast[/dim]", no_wrap=True, min_width=10)
    for r in rows:
        head = Group(Ident(r.issue), Text(f"= {_val(r.outcome)}", style="dim", justify="right"))
        t.add_column(head, justify="right", min_width=6)
    if with_mean:
        t.add_column("mean", justify="right")
    for name in b.predictors:
        finite = [e for e in (r.error(name) for r in every) if math.isfinite(e)]
        mean = sum(finite) / len(finite) if finite else None
        label = name if name in b.models else f"[cyan]{escape(_label(name))}[/cyan]"
        cells = [f"{_pct(r.error(name))}\n[dim]{_val(r.forecast.get(name))}[/dim]" for r in rows]
        t.add_row(label, *cells, *([_pct(mean)] if with_mean else []))
    return t


def case_tables(b: Backtest, case: str, out: Console) -> list[Table]:
    """:func:`case_table`, split into as few tables as fit ``out`` without cutting an issue id."""
    issues = [r.issue for r in b.rows if r.case == case]
    for parts in range(1, len(issues) + 1):
        k = math.ceil(len(issues) / parts)
        chunks = [issues[i : i + k] for i in range(0, len(issues), k)]
        tables = [case_table(b, case, ch, with_mean=ch is chunks[-1]) for ch in chunks]
        if all(fits(t, out) for t in tables):
            return tables
    return tables


def summary_table(b: Backtest, group: str) -> Table | None:
    """Mean and median error per predictor over one group; with draws, calibration and CRPS."""
    rows: list[ScoredIssue] = b.group_rows(group)
    if not rows:
        return None
    n_cases = len({r.case for r in rows})
    s = b.summary()[group]
    t = FitTable(
        title=f"{group.capitalize()} cases: {_n(n_cases, 'case')}, {_n(len(rows), 'issue')}",
        caption="error: |forecast − outcome| as % of the issue's range"
        + (
            "; in 80%: share of outcomes inside the model's 80% interval; CRPS: % of the range"
            if b.draws
            else ""
        ),
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        title_justify="left",
    )
    t.add_column("predictor", no_wrap=True)
    t.add_column("n", justify="right")
    t.add_column("mean error", justify="right")
    t.add_column("median error", justify="right")
    if b.draws:
        t.add_column("in 80%", justify="right")
        t.add_column("CRPS", justify="right")
    for name in b.predictors:
        p = s[name]
        label = name if name in b.models else f"[cyan]{escape(_label(name))}[/cyan] (baseline)"
        cells = [label, str(p.n), _pct(p.mean_error), _pct(p.median_error)]
        if b.draws:
            cal = "" if p.calibration80 is None else f"{100 * p.calibration80:.0f}% of {p.n_intervals}"
            cells += [cal, _pct(p.crps) if p.crps is not None else ""]
        t.add_row(*cells)
    return t


def render_backtest(b: Backtest, out: Console, verbose: bool = False) -> None:
    """The whole backtest for the terminal."""
    clean = sum(1 for c in b.cases if c.status == "clean")
    out.print(
        f"[bold]Backtest[/bold]: {_n(len(b.cases), 'case')} "
        f"({clean} clean, {len(b.cases) - clean} leaky), {_n(len(b.rows), 'issue')} with a recorded outcome; "
        f"models: {', '.join(b.models)}" + (f"; {b.draws:,} draws, seed {b.seed}" if b.draws else "")
    )
    for note in b.notes:
        out.print(f"[dim]left out: {escape(note)}[/dim]")
    if b.rows and (verbose or len(b.cases) <= MAX_CASE_NOTES):
        for c in b.cases:
            if c.issues:
                for table in case_tables(b, c.id, out):
                    out.print(table)
        out.print("[dim]models: the forecast under each issue's decision rule; cyan: naive baselines[/dim]")
    elif b.rows:
        out.print(
            f"[dim]{len(b.rows)} issues: the per-issue results are in --format csv or json (or --verbose)[/dim]"
        )
    for g in GROUPS:
        t = summary_table(b, g)
        if t is not None:
            out.print(t)
        else:
            why = (
                "no case's inputs are all dated before its decision"
                if g == "clean"
                else "every case's inputs are dated before its decision"
            )
            out.print(f"[bold]{g.capitalize()} cases[/bold]: none ({why}).")
    out.print(
        "[dim]Clean and leaky cases are never pooled: a leaky case's inputs may encode its outcome.[/dim]"
    )
    shown = b.cases if verbose or len(b.cases) <= MAX_CASE_NOTES else []
    for c in shown:
        lines = c.leakage.lines(verbose=verbose)
        out.print(f"[bold]{escape(c.id)}[/bold] ({escape(c.origin)}): {escape(lines[0])}")
        for line in lines[1:]:
            out.print(escape(line))
        for m, why in c.skipped.items():
            out.print(f"  [yellow]{escape(m)} not run[/yellow]: {escape(why)}")
        for note in c.notes:
            out.print(f"  [dim]{escape(note)}[/dim]")
    if not shown:
        skipped = sum(1 for c in b.cases if c.skipped)
        out.print(
            f"[dim]{len(b.cases)} cases: {clean} clean, {len(b.cases) - clean} leaky"
            + (f"; {skipped} with a model not run" if skipped else "")
            + " (--verbose: each case's leakage; --format json: all of it)[/dim]"
        )
        notes = sorted({n for c in b.cases for n in c.notes})
        for note in notes:
            out.print(f"[dim]{escape(note)}[/dim]")
