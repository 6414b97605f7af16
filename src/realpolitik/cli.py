"""The ``realpolitik`` command line: a thin Typer + Rich layer over the Python API.

Every command that computes has ``--format json``, documented in ``docs/cli.md``. Bad input prints one
line per problem on standard error and exits with status 1; no traceback reaches the user.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from realpolitik import __version__
from realpolitik.forecast import Forecast, ModelInputError, forecast
from realpolitik.models import get_model, model_names
from realpolitik.scenario import Scenario, ScenarioError, builtin_ids, dumps, load
from realpolitik.scenario.io import iter_quantities

app = typer.Typer(
    name="realpolitik",
    help="Strategic analysis of relations among states: scenarios, bargaining models, deals, what-ifs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="Bring scenarios in from other tools' formats.", no_args_is_help=True)
export_app = typer.Typer(help="Write scenarios out in other tools' formats.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, emoji=False)


class Fmt(str, Enum):
    table = "table"
    json = "json"


class UserError(Exception):
    """An error in what the user asked for: printed as one line, exit status 1."""


@contextmanager
def _friendly() -> Iterator[None]:
    """Turn input errors into one-line messages and exit status 1."""
    try:
        yield
    except ScenarioError as exc:
        for p in exc.problems:
            err_console.print(f"[red]error[/red] {escape(str(p))}", soft_wrap=True, highlight=False)
        raise typer.Exit(1) from None
    except (ModelInputError, UserError, FileExistsError, KeyError, ValueError, ImportError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        err_console.print(f"[red]error[/red] {escape(str(msg))}", soft_wrap=True)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc.filename))}: no such file", soft_wrap=True)
        raise typer.Exit(1) from None


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _models_arg(model: str) -> list[str]:
    if model == "all":
        return list(model_names())
    names = [m.strip() for m in model.split(",") if m.strip()]
    for n in names:
        if n not in model_names():
            raise UserError(f"unknown model {n!r}; available: {', '.join(model_names())}, all")
    return names


def _parse_params(params: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in params or []:
        if "=" not in item:
            raise UserError(f"--param {item!r}: expected NAME=VALUE")
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = json.loads(v)
        except json.JSONDecodeError:
            out[k.strip()] = v
    return out


def _fmt(v: float) -> str:
    return f"{v:.2f}"


# ------------------------------------------------------------------------------------------- commands
@app.command()
def scenarios(fmt: Annotated[Fmt, typer.Option("--format", help="table or json")] = Fmt.table) -> None:
    """List the built-in scenarios with their titles."""
    with _friendly():
        rows = []
        for sid in builtin_ids():
            s = load(sid)
            rows.append(
                {
                    "id": sid,
                    "title": s.title,
                    "as_of": str(s.as_of) if s.as_of else None,
                    "actors": len(s.actors),
                    "issues": len(s.issues),
                }
            )
        if fmt is Fmt.json:
            _print_json(rows)
            return
        t = Table(title="Built-in scenarios")
        t.add_column("id", no_wrap=True)
        for c in ("title", "as of", "actors", "issues"):
            t.add_column(c, no_wrap=c != "title")
        for r in rows:
            t.add_row(
                str(r["id"]), str(r["title"]), str(r["as_of"] or ""), str(r["actors"]), str(r["issues"])
            )
        console.print(t)


@app.command()
def show(
    scenario: Annotated[str, typer.Argument(help="built-in id or path (YAML, JSON, KTAB CSV/XML, decide)")],
    fmt: Annotated[str, typer.Option("--format", help="table, yaml or json")] = "table",
) -> None:
    """Show a scenario: actors, issues, positions and saliences, relations, vetoes, sources."""
    with _friendly():
        s = load(scenario)
        if fmt in ("yaml", "json"):
            sys.stdout.write(dumps(s, fmt))
            return
        if fmt != "table":
            raise UserError(f"--format {fmt!r}: expected table, yaml or json")
        render_scenario(s, console)


def render_scenario(s: Scenario, out: Console) -> None:
    """Rich tables describing a scenario."""
    out.print(f"[bold]{s.title}[/bold]  ({s.id}{', as of ' + str(s.as_of) if s.as_of else ''})")
    if s.description:
        out.print(s.description.strip())
    t = Table(title="Actors")
    for c in ("id", "name", "capability", "party", "veto on"):
        t.add_column(c)
    vetoes = {v.actor: ", ".join(v.issues) for v in s.vetoes}
    for a in s.actors:
        cap = f"{a.capability.value:g}" if a.capability is not None else "—"
        t.add_row(a.id, a.name, cap, "yes" if a.id in s.parties else "", vetoes.get(a.id, ""))
    out.print(t)
    t = Table(title="Issues")
    measured = any(i.power is not None for i in s.issues)  # which capability measure gives power there
    for c in ("id", "name", "bounds", "status quo", *(("power from",) if measured else ()), "labels"):
        t.add_column(c)
    for i in s.issues:
        labels = "; ".join(f"{k:g}: {v}" for k, v in sorted(i.labels.items()))
        sq = f"{i.status_quo.value:g}" if i.status_quo is not None else "—"
        power = ((i.power or "capability"),) if measured else ()
        t.add_row(i.id, i.name, f"{i.bounds[0]:g}–{i.bounds[1]:g}", sq, *power, labels)
    out.print(t)
    t = Table(title="Positions (salience)")
    t.add_column("actor")
    for i in s.issues:
        t.add_column(i.id, justify="right")
    for a in s.actors:
        cells = []
        for i in s.issues:
            st = s.stance(a.id, i.id)
            cells.append("—" if st is None else f"{st.position.value:g} ({st.salience.value:.2f})")
        t.add_row(a.id, *cells)
    out.print(t)
    if s.relations:
        t = Table(title="Relations")
        for c in ("from", "to", "kind", "value", "note"):
            t.add_column(c)
        for r in s.relations:
            t.add_row(r.from_, r.to, r.kind, f"{r.value.value:g}", r.note or "")
        out.print(t)
    n = sum(1 for _ in iter_quantities(s))
    sourced = sum(1 for _, q in iter_quantities(s) if q.source)
    out.print(f"{n} numbers, {sourced} with a source; {len(s.sources)} sources defined.")


@app.command()
def validate(path: Annotated[str, typer.Argument(help="scenario file to check")]) -> None:
    """Check a scenario file and print every problem (exit 1 if there is any)."""
    from realpolitik.environment import prepare

    with _friendly():
        s = load(path)
        try:  # indicators and links are checked by reading them as the models would
            prepared = prepare(s)
        except ValueError as exc:
            raise UserError(f"{path}: {exc}") from None
        console.print(f"[green]ok[/green] {path}: {len(s.actors)} actors, {len(s.issues)} issues")
        for w in getattr(prepared, "warnings", []) or []:
            err_console.print(f"[yellow]warning[/yellow] {path}: {w}", soft_wrap=True)


def _run_forecasts(
    s: Scenario, models: list[str], seed: int | None, params: dict[str, Any], *, skip_missing: bool = False
) -> tuple[list[Forecast], dict[str, str]]:
    """Forecasts by each model; with ``skip_missing``, models lacking inputs are skipped with the reason."""
    out = []
    skipped: dict[str, str] = {}
    known = {k for m in models for k in get_model(m).params}
    unknown = sorted(set(params) - known)
    if unknown:
        names = ", ".join(models)
        raise UserError(f"--param {unknown[0]!r}: no parameter of that name in {names} (see docs/models/)")
    for m in models:
        p = {k: v for k, v in params.items() if k in get_model(m).params}
        try:
            out.append(forecast(s, model=m, seed=seed, **p))
        except ModelInputError as exc:
            if not skip_missing:
                raise
            skipped[m] = str(exc)
    return out, skipped


def _cell(f: Forecast, issue: str, value: float) -> str:
    """A forecast value, marked ``~`` when the model did not converge on the issue."""
    conv = f.converged
    mark = "~" if conv is not None and conv.get(issue) is False else ""
    return f"{value:.1f}{mark}"


def forecast_table(s: Scenario, results: list[Forecast], title: str = "Forecast by model") -> Table:
    """Issues as rows: the outcome under the issue's decision rule, and below it (dim) the model's own
    pressure where the rule changed it; the status quo and each model as columns. Fits 80 columns."""
    t = Table(
        title=title,
        caption="outcome under the decision rule; 'pressure': the model's own result",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    t.add_column("issue", overflow="fold", max_width=20)
    t.add_column("sq", justify="right")
    for f in results:
        t.add_column(f.model, justify="right", min_width=len(f.model), no_wrap=True)
    for iss in s.issues:
        sq = f"{iss.status_quo.value:.1f}" if iss.status_quo is not None else "—"
        cells = ["moot" if iss.id in f.moot else _cell(f, iss.id, f.outcome[iss.id]) for f in results]
        t.add_row(escape(iss.id), sq, *cells)
        if any(abs(f.pressure[iss.id] - f.outcome[iss.id]) > 1e-9 for f in results):
            t.add_row("  pressure", "", *[_cell(f, iss.id, f.pressure[iss.id]) for f in results], style="dim")
    return t


def rules_lines(results: list[Forecast]) -> list[str]:
    """Who decides each issue, in words (one line per agreement or rule)."""
    if not results:
        return []
    f = results[0]
    lines = []
    for ag in f.agreements:
        veto = f"; veto: {', '.join(ag.veto_holders)}" if ag.veto_holders else ""
        what = f"{ag.id} ({', '.join(ag.issues)})" if ag.issues != (ag.id,) else ag.id
        lines.append(f"consent: {what}, signed by {', '.join(ag.signers)}{veto}")
    for d in f.issues:
        if f.rules.get(d) == "unilateral":
            lines.append(f"unilateral: {d}, decided by {f.deciders.get(d, '?')}")
    collective = [d for d in f.issues if f.rules.get(d, "collective") == "collective"]
    if collective and len(collective) < len(f.issues):
        lines.append(f"collective: {', '.join(collective)} (the model's outcome stands)")
    return lines


def agreement_lines(results: list[Forecast]) -> list[str]:
    """Per agreement and model: agreed, refused (by whom, on which issue) or no change."""
    lines: list[str] = []
    if not results or not results[0].agreements:
        return lines
    for k, ag in enumerate(results[0].agreements):
        by_status: dict[str, list[str]] = {}
        for f in results:
            a = f.agreements[k]
            if a.status == "refused":
                who = ", ".join(f"{x} ({i})" for x, i in a.refused_by.items())
                key = f"refused by {who}"
            else:
                key = a.status
            by_status.setdefault(key, []).append(f.model)
        parts = [f"{status} [{', '.join(models)}]" for status, models in by_status.items()]
        lines.append(f"{ag.id}: " + "; ".join(parts))
    return lines


def _convergence_notes(results: list[Forecast]) -> list[str]:
    notes = []
    for f in results:
        conv = f.converged
        if not conv:
            continue
        bad = [d for d, ok in conv.items() if not ok]
        if bad:
            rng = f.extras.get("cycle_range", {}) if isinstance(f.extras, dict) else {}
            parts = []
            for d in bad:
                r = rng.get(d) if isinstance(rng, dict) else None
                parts.append(f"{d} (cycles between {r[0]:.1f} and {r[1]:.1f})" if r else d)
            notes.append(f"~ {f.model} did not converge on {', '.join(parts)}: not a point forecast")
    return notes


@app.command("forecast")
def forecast_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="a model name, several separated by commas, or all")
    ] = "all",
    seed: Annotated[int, typer.Option(help="seed for stochastic models")] = 0,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="model parameter NAME=VALUE (JSON value)")
    ] = None,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json")] = Fmt.table,
) -> None:
    """Forecast every issue with one or more bargaining models."""
    with _friendly():
        s = load(scenario)
        models = _models_arg(model)
        params = _parse_params(param)
        results, skipped = _run_forecasts(s, models, seed, params, skip_missing=model == "all")
        if not results:
            raise UserError("; ".join(skipped.values()))
        for m, why in skipped.items():
            err_console.print(f"[yellow]{m} skipped[/yellow]: {why}", soft_wrap=True)
        if fmt is Fmt.json:
            _print_json(results[0].to_json() if len(results) == 1 else [f.to_json() for f in results])
            return
        console.print(forecast_table(s, results))
        for line in _convergence_notes(results):
            console.print(escape(line))
        for line in rules_lines(results):
            console.print(f"[dim]{escape(line)}[/dim]")
        for line in agreement_lines(results):
            console.print(escape(line))
        for f in results:
            note = f.extras.get("note") if isinstance(f.extras, dict) else None
            if note:
                console.print(f"[dim]{escape(f.model)}: {escape(str(note))}[/dim]")
            for line in f.notes:
                console.print(f"[yellow]note[/yellow] {escape(line)}")


@import_app.command("ktab")
def import_ktab(
    file: Annotated[Path, typer.Argument(help="KTAB CSV or XML scenario")],
    out: Annotated[Path, typer.Option("-o", "--out", help="scenario file to write (.yaml or .json)")],
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Import a KTAB CSV/XML scenario into realpolitik's YAML or JSON format."""
    _import(file, out, force)


@import_app.command("decide")
def import_decide(
    file: Annotated[Path, typer.Argument(help="exchange-model (decide) input file")],
    out: Annotated[Path, typer.Option("-o", "--out", help="scenario file to write (.yaml or .json)")],
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Import an exchange-model (decide) input file into realpolitik's YAML or JSON format."""
    _import(file, out, force)


def _import(file: Path, out: Path, force: bool) -> None:
    from realpolitik.scenario import save

    with _friendly():
        s = load(file)
        save(s, out, overwrite=force)
        console.print(f"wrote {out} ({len(s.actors)} actors, {len(s.issues)} issues)")


def _export(scenario: str, out: Path, force: bool, writer: Callable[[Scenario], str]) -> None:
    with _friendly():
        s = load(scenario)
        if out.exists() and not force:
            raise UserError(f"{out}: already exists; refusing to overwrite it (use --force)")
        out.write_text(writer(s), encoding="utf-8")
        console.print(f"wrote {out}")


@export_app.command("ktab")
def export_ktab(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[Path, typer.Option("-o", "--out", help="KTAB CSV file to write")],
    normalize_saliences: Annotated[
        bool,
        typer.Option(
            "--normalize-saliences",
            help="divide each actor's saliences by their sum when it exceeds 1 (KTAB needs <= 1)",
        ),
    ] = False,
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Export a scenario as KTAB CSV (positions on 0–100, saliences × 100)."""
    from realpolitik.scenario.ktab import format_ktab_csv

    _export(scenario, out, force, lambda s: format_ktab_csv(s, normalize_saliences=normalize_saliences))


@export_app.command("decide")
def export_decide(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[Path, typer.Option("-o", "--out", help="exchange-model input file to write")],
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Export a scenario in the exchange model's (decide) input format."""
    from realpolitik.scenario.convert import to_decide_text

    _export(scenario, out, force, to_decide_text)


@export_app.command("yaml")
def export_yaml(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[Path, typer.Option("-o", "--out", help="YAML file to write")],
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Export a scenario (built-in or imported) as YAML, to edit it."""
    _export(scenario, out, force, lambda s: dumps(s, "yaml"))


@export_app.command("json")
def export_json(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[Path, typer.Option("-o", "--out", help="JSON file to write")],
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Export a scenario as JSON."""
    _export(scenario, out, force, lambda s: dumps(s, "json"))


@app.command("deals")
def deals_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    options: Annotated[
        str, typer.Option(help="auto, labels, grid or both: where each issue's options come from")
    ] = "auto",
    step: Annotated[float, typer.Option(help="grid step as a share of each issue's range")] = 0.05,
    seed: Annotated[int, typer.Option(help="seed for the search on large package spaces")] = 0,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json")] = Fmt.table,
) -> None:
    """Deal space: which packages every party accepts, vetoes, concessions, linkage, precedents."""
    from realpolitik.deals import deals, deals_to_json, render_deals

    with _friendly():
        s = load(scenario)
        if options not in ("auto", "labels", "grid", "both"):
            raise UserError(f"--options {options!r}: expected auto, labels, grid or both")
        result = deals(s, options=options, step=step, seed=seed)  # type: ignore[arg-type]
        if fmt is Fmt.json:
            _print_json(deals_to_json(result))
            return
        render_deals(result, console)


def _default_out(scenario_id: str) -> Path:
    return Path("realpolitik-out") / scenario_id


@app.command()
def analyze(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="output folder (default ./realpolitik-out/<id>/)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed for every stochastic step")] = 0,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws")] = 2000,
    force: Annotated[
        bool, typer.Option(help="write into a folder that holds another scenario's report")
    ] = False,
    fmt: Annotated[
        Fmt, typer.Option("--format", help="table (terminal summary + report files) or json (all results)")
    ] = Fmt.table,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="the one model of Monte Carlo, sweep and headline (default eum)"),
    ] = None,
) -> None:
    """The main job: forecasts by every model, deals, environment sweep, Monte Carlo, findings, HTML report."""
    from realpolitik.report import check_output_dir, prepare_output_dir, run_analysis, write_report

    with _friendly():
        if model is not None:
            _models_arg(model)
        s = load(scenario)
        folder = out or _default_out(s.id)
        cmd = (
            f"realpolitik analyze {scenario}"
            + (f" -o {out}" if out else "")
            + (f" --seed {seed}" if seed else "")
        )
        cmd += f" --draws {draws}" if draws != 2000 else ""
        cmd += f" --model {model}" if model else ""
        if fmt is not Fmt.json:
            check_output_dir(folder, s.id, force=force)  # refuse a foreign folder before the work, not after
        a = run_analysis(s, seed=seed, draws=draws, model=model, command=cmd)
        if fmt is Fmt.json:
            _print_json(a.to_json())
            return
        prepare_output_dir(folder, s.id, force=force)
        written = write_report(a, folder / "report.html")
        write_report(a, folder / "analysis.json")
        render_summary(a, console)
        console.print(f"\n[bold]Report written[/bold]: {written[0]}  (and {folder / 'analysis.json'})")


@app.command()
def report(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[Path, typer.Option("-o", "--out", help="file to write (.html, .md or .json)")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="html, md, json or pdf (default: from the extension)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed for every stochastic step")] = 0,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws")] = 2000,
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="the one model of Monte Carlo, sweep and headline (default eum)"),
    ] = None,
) -> None:
    """Write the analyst's report for a scenario as one HTML file, Markdown with figures, JSON or PDF."""
    from realpolitik.report import report_format, run_analysis, write_report

    with _friendly():
        if model is not None:
            _models_arg(model)
        report_format(out, fmt)  # an unknown format, or PDF without Chromium, fails before any work
        s = load(scenario)
        if out.exists() and not force:
            raise UserError(f"{out}: already exists; refusing to overwrite it (use --force)")
        cmd = f"realpolitik report {scenario} -o {out.name}" + (f" --seed {seed}" if seed else "")
        cmd += f" --draws {draws}" if draws != 2000 else ""
        cmd += f" --format {fmt}" if fmt else ""
        cmd += f" --model {model}" if model else ""
        a = run_analysis(s, seed=seed, draws=draws, model=model, command=cmd)
        files = write_report(a, out, fmt)
        console.print(f"wrote {files[0]}" + (f" and {len(files) - 1} figure files" if len(files) > 1 else ""))


def render_summary(a: Any, out: Console) -> None:
    """The terminal summary of an analysis."""
    from realpolitik.report import findings

    s = a.scenario
    out.rule(f"[bold]{s.title}[/bold]")
    parties = ", ".join(s.parties) or "none"
    vetoes = "; ".join(f"{v.actor} on {', '.join(v.issues)}" for v in s.vetoes) or "none"
    out.print(
        f"{s.id} · as of {s.as_of or '—'} · {len(s.actors)} actors ({', '.join(s.actor_ids)}) · "
        f"{len(s.issues)} issues · parties: {parties} · vetoes: {vetoes}"
    )
    if a.forecasts:
        out.print(forecast_table(s, a.forecasts))
    for m, why in a.skipped.items():
        out.print(f"[yellow]{m} not run[/yellow]: {why}", soft_wrap=True)
    d = a.deals
    if d:
        t = Table(title="Deals", title_justify="left")
        t.add_column("question")
        t.add_column("answer")
        t.add_row(
            "deal exists?",
            ("[green]yes[/green]" if d["feasible"] else "[red]no[/red]")
            + f" ({d['n_feasible']:,} of {d['n_packages']:,} packages, {d['method']})",
        )
        for actor, n in (d.get("veto_effects") or {}).items():
            t.add_row(f"without {actor}'s veto", f"{n:,} feasible packages")
        nash = d.get("nash")
        if nash:
            t.add_row("Nash package", ", ".join(f"{k} {v:g}" for k, v in nash["values"].items()))
        conc = [(k, c) for k, c in (d.get("concessions") or {}).items() if c]
        if conc:
            k, c = min(conc, key=lambda kc: kc[1]["size"])
            t.add_row("opening concession", f"{k}: {c['field']} on {c['issue']} {c['from']:g} → {c['to']:g}")
        for pr in d.get("precedents") or []:
            if pr.get("accepts"):
                refusing = [f"{x} (on {i})" for x, i in (pr.get("refusals") or {}).items() if i]
                t.add_row(
                    f"precedent {pr['scenario']}",
                    "accepted by all" if pr.get("feasible") else "refused by " + ", ".join(refusing),
                )
        out.print(t)
    elif "deals" in a.notes:
        out.print(f"[dim]deals: {a.notes['deals']}[/dim]")
    if a.sweep_object is not None:
        from realpolitik.environment import sweep_headline

        out.print(f"[bold]Environment[/bold]: {sweep_headline(a.sweep_object)}")
    elif "sweep" in a.notes:
        out.print(f"[dim]environment: {a.notes['sweep']}[/dim]")
    if a.montecarlo:
        mc = a.montecarlo
        t = Table(
            title=f"Monte Carlo ({mc['model']}, {mc['draws_completed']:,} draws, seed {mc['seed']})",
            title_justify="left",
        )
        for c in ("issue", "median", "80% interval", "shape"):
            t.add_column(c, justify="right" if c not in ("issue", "shape") else "left")
        modes = a.extras.get("mc_modes") or {}
        for iid, st in mc["issues"].items():
            iv = st["interval80"]
            ms = sorted(modes.get(iid) or [], key=lambda m: m["value"])
            shape = (
                "splits: " + ", ".join(f"{m['share']:.0%} in {m['low']:.3g}–{m['high']:.3g}" for m in ms)
                if len(ms) >= 2
                else "one peak"
            )
            t.add_row(iid, _fmt(st["quantiles"]["50"]), f"{_fmt(iv[0])} – {_fmt(iv[1])}", shape)
        if mc.get("deal_probability") is not None:
            t.add_row("P(deal)", f"{mc['deal_probability']:.0%}", "", "")
        out.print(t)
    elif "montecarlo" in a.notes:
        out.print(f"[dim]uncertainty: {a.notes['montecarlo']}[/dim]")
    fs = findings(a)
    if fs:
        from realpolitik.report.findings import HEADLINE

        out.print("[bold]Findings[/bold] (most important first)")
        for f in fs[:HEADLINE]:
            out.print(f" • {f.text} [dim]\\[{f.number}][/dim]", soft_wrap=False)
        if len(fs) > HEADLINE:
            out.print(f"[dim]   … and {len(fs) - HEADLINE} more in the report[/dim]")


@app.command("sweep")
def sweep_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    vary: Annotated[
        list[str], typer.Option("--vary", help="DRIVER=LOW:HIGH:N or DRIVER=v1,v2,... (once or twice)")
    ],
    model: Annotated[str, typer.Option("--model", "-m", help="model to run at every point")] = "compromise",
    seed: Annotated[int, typer.Option(help="seed for stochastic models")] = 0,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="model parameter NAME=VALUE")
    ] = None,
    no_deals: Annotated[
        bool, typer.Option("--no-deals", help="skip the deal analysis at each point")
    ] = False,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json")] = Fmt.table,
) -> None:
    """What-if: vary one or two environment drivers over a grid and run a model at every point."""
    from realpolitik.environment import parse_vary, render_sweep, sweep, sweep_to_json

    with _friendly():
        s = load(scenario)
        if len(vary) > 2:
            raise UserError("--vary: at most two drivers")
        grid = dict(parse_vary(v) for v in vary)
        _models_arg(model)
        result = sweep(s, grid, model=model, seed=seed, deals=not no_deals, **_parse_params(param))
        if fmt is Fmt.json:
            _print_json(sweep_to_json(result))
            return
        render_sweep(result, console)


@app.command("montecarlo")
def montecarlo_cmd(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    draws: Annotated[int, typer.Option("--draws", "-n", min=1, help="number of draws")] = 10_000,
    model: Annotated[str, typer.Option("--model", "-m", help="model to run on every draw")] = "eum",
    seed: Annotated[int, typer.Option(help="seed: same seed, same result, any executor")] = 0,
    executor: Annotated[
        str | None,
        typer.Option(help="serial, processes or dask (default serial; dask when --scheduler is given)"),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="workers for processes/dask")] = None,
    scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler")] = None,
    chunk_size: Annotated[int | None, typer.Option(help="draws per chunk")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="folder for Parquet chunks and the manifest")
    ] = None,
    resume: Annotated[bool, typer.Option(help="continue a run from its --out folder")] = False,
    threshold: Annotated[
        list[str] | None,
        typer.Option("--threshold", help="ISSUE>VALUE or ISSUE<VALUE: probability of passing it"),
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="model parameter NAME=VALUE")
    ] = None,
    no_deals: Annotated[
        bool, typer.Option("--no-deals", help="skip the probability that a deal exists")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="no progress bar")] = False,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json")] = Fmt.table,
) -> None:
    """Monte Carlo over the scenario's uncertain inputs (ranges and scenario-wide defaults)."""
    from realpolitik.uncertainty import monte_carlo, montecarlo_to_json, render_montecarlo

    with _friendly():
        s = load(scenario)
        _models_arg(model)
        if executor is None:
            executor = "dask" if scheduler else "serial"
        if executor not in ("serial", "processes", "dask"):
            raise UserError(f"--executor {executor!r}: expected serial, processes or dask")
        if scheduler and executor != "dask":
            raise UserError(f"--scheduler needs --executor dask, not {executor}")
        if resume and out is None:
            raise UserError("--resume needs --out DIR (the folder of the run to continue)")
        thresholds = _parse_thresholds(threshold)
        kwargs: dict[str, Any] = {}
        if chunk_size is not None:
            kwargs["chunk_size"] = chunk_size
        result = monte_carlo(
            s,
            draws=draws,
            model=model,
            seed=seed,
            executor=executor,
            out=out,
            resume=resume,
            workers=workers,
            scheduler=scheduler,
            thresholds=thresholds or None,
            progress=not quiet and fmt is Fmt.table and sys.stderr.isatty(),
            deal_probe=not no_deals,
            **kwargs,
            **_parse_params(param),
        )
        if fmt is Fmt.json:
            _print_json(montecarlo_to_json(result))
        else:
            render_montecarlo(result, console)
        if result.failed_chunks:
            raise typer.Exit(1)


def _parse_thresholds(items: list[str] | None) -> dict[str, tuple[str, float]]:
    out: dict[str, tuple[str, float]] = {}
    for item in items or []:
        for op in (">=", "<=", ">", "<"):
            if op in item:
                issue, _, value = item.partition(op)
                try:
                    out[issue.strip()] = (op, float(value))
                except ValueError:
                    raise UserError(f"--threshold {item!r}: expected ISSUE>VALUE or ISSUE<VALUE") from None
                break
        else:
            raise UserError(f"--threshold {item!r}: expected ISSUE>VALUE or ISSUE<VALUE")
    return out


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="address to listen on (beyond this machine needs --token)")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8765,
    db: Annotated[
        str | None,
        typer.Option(help="database URL (default: SQLite in your data folder; postgresql://... for a team)"),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="access token every request must carry (or set REALPOLITIK_TOKEN)", show_default=False
        ),
    ] = None,
) -> None:
    """Open the web app: edit scenarios in a grid, run any part, compare runs (needs the optional web extra)."""
    from realpolitik.web import MissingExtraError
    from realpolitik.web.server import ServeError
    from realpolitik.web.server import serve as run_server

    try:
        run_server(host=host, port=port, db=db, token=token)
    except (MissingExtraError, ServeError) as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None


@app.command()
def version() -> None:
    """Print the version."""
    console.print(f"realpolitik {__version__}")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
