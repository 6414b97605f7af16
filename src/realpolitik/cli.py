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
from rich.console import Console
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

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


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
            err_console.print(f"[red]error[/red] {p}", soft_wrap=True, markup=True, highlight=False)
        raise typer.Exit(1) from None
    except (ModelInputError, UserError, FileExistsError, KeyError, ValueError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        err_console.print(f"[red]error[/red] {msg}", soft_wrap=True)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        err_console.print(f"[red]error[/red] {exc.filename}: no such file", soft_wrap=True)
        raise typer.Exit(1) from None


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _models_arg(model: str, *, default_all: tuple[str, ...] | None = None) -> list[str]:
    if model == "all":
        return list(default_all or model_names())
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
        for c in ("id", "title", "as of", "actors", "issues"):
            t.add_column(c)
        for r in rows:
            t.add_row(str(r["id"]), str(r["title"]), str(r["as_of"] or ""), str(r["actors"]), str(r["issues"]))
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
    for c in ("id", "name", "bounds", "status quo", "labels"):
        t.add_column(c)
    for i in s.issues:
        labels = "; ".join(f"{k:g}: {v}" for k, v in sorted(i.labels.items()))
        sq = f"{i.status_quo.value:g}" if i.status_quo is not None else "—"
        t.add_row(i.id, i.name, f"{i.bounds[0]:g}–{i.bounds[1]:g}", sq, labels)
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
    with _friendly():
        s = load(path)
        console.print(f"[green]ok[/green] {path}: {len(s.actors)} actors, {len(s.issues)} issues")


def _run_forecasts(
    s: Scenario, models: list[str], seed: int | None, params: dict[str, Any], *, skip_missing: bool = False
) -> tuple[list[Forecast], dict[str, str]]:
    """Forecasts by each model; with ``skip_missing``, models lacking inputs are skipped with the reason."""
    out = []
    skipped: dict[str, str] = {}
    for m in models:
        p = {k: v for k, v in params.items() if k in get_model(m).params}
        try:
            out.append(forecast(s, model=m, seed=seed, **p))
        except ModelInputError as exc:
            if not skip_missing:
                raise
            skipped[m] = str(exc)
    return out, skipped


def forecast_table(s: Scenario, results: list[Forecast], title: str = "Forecast by model") -> Table:
    t = Table(title=title)
    t.add_column("issue")
    t.add_column("status quo", justify="right")
    for f in results:
        t.add_column(f.model, justify="right")
    for iss in s.issues:
        sq = _fmt(iss.status_quo.value) if iss.status_quo is not None else "—"
        t.add_row(
            iss.name if len(iss.name) <= 40 else iss.id, sq, *[_fmt(f.outcome[iss.id]) for f in results]
        )
    return t


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
        for f in results:
            note = f.extras.get("note") if isinstance(f.extras, dict) else None
            if note:
                console.print(f"[dim]{f.model}: {note}[/dim]")


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
    force: Annotated[bool, typer.Option(help="overwrite OUT if it exists")] = False,
) -> None:
    """Export a scenario as KTAB CSV (positions on 0–100, saliences × 100)."""
    from realpolitik.scenario.ktab import format_ktab_csv

    _export(scenario, out, force, format_ktab_csv)


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


@app.command()
def analyze(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="output folder (default ./realpolitik-out/<id>/)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed for every stochastic step")] = 0,
    fmt: Annotated[Fmt, typer.Option("--format", help="table or json")] = Fmt.table,
) -> None:
    """The main job: scenario summary and every registered model's forecast."""
    with _friendly():
        s = load(scenario)
        results, skipped = _run_forecasts(s, list(model_names()), seed, {}, skip_missing=True)
        if fmt is Fmt.json:
            _print_json({"scenario": s.id, "forecasts": [f.to_json() for f in results], "skipped": skipped})
            return
        render_scenario(s, console)
        console.print(forecast_table(s, results))
        for m, why in skipped.items():
            console.print(f"[yellow]{m} skipped[/yellow]: {why}")


@app.command()
def version() -> None:
    """Print the version."""
    console.print(f"realpolitik {__version__}")


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
