"""The ``realpolitik`` command line: a thin Typer + Rich layer over the Python API.

Every command that computes has ``--format json``, documented in ``docs/cli.md``. Bad input prints one
line per problem on standard error and exits with status 1; no traceback reaches the user.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.errors import MarkupError
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from realpolitik import __version__
from realpolitik._lazy import lazy_function
from realpolitik._text import esc, num, visible
from realpolitik.events.cli import app as events_app
from realpolitik.models.errors import ModelInputError
from realpolitik.models.registry import get_model, model_names
from realpolitik.scenario.errors import ScenarioError

# Start-up: ``realpolitik --help`` loads neither NumPy nor pydantic; the scenario layer and the models
# load when a command first calls them (benchmarks/bench_startup.py).
if TYPE_CHECKING:
    from realpolitik.forecast import Forecast, forecast
    from realpolitik.scenario.io import builtin_ids, dumps, iter_quantities, load
    from realpolitik.scenario.schema import Scenario
else:
    forecast = lazy_function("realpolitik.forecast", "forecast")
    builtin_ids = lazy_function("realpolitik.scenario.io", "builtin_ids")
    dumps = lazy_function("realpolitik.scenario.io", "dumps")
    iter_quantities = lazy_function("realpolitik.scenario.io", "iter_quantities")
    load = lazy_function("realpolitik.scenario.io", "load")


class _Group(TyperGroup):
    """The command group: every command runs inside the one error boundary, :func:`_friendly`."""

    def invoke(self, ctx: Any) -> Any:
        with _friendly():
            return super().invoke(ctx)


app = typer.Typer(
    name="realpolitik",
    help="Strategic analysis of relations among states: scenarios, bargaining models, deals, what-ifs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Group,
)
import_app = typer.Typer(help="Bring scenarios in from other tools' formats.", no_args_is_help=True)
export_app = typer.Typer(help="Write scenarios out in other tools' formats.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(events_app, name="events")


class SafeConsole(Console):
    """A Rich console that never lets a string drive the terminal or crash on markup.

    Every string it renders has its control characters and bidi overrides made visible first (so a
    missed :func:`~realpolitik._text.esc` cannot clear a screen), and markup it cannot parse is printed
    as written instead of raising ``MarkupError``. User text should still go through ``esc`` so that
    ``[draft]`` in a name prints as ``[draft]``.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        text = visible(text)
        try:
            return super().render_str(text, **kwargs)
        except MarkupError:
            return super().render_str(text, **{**kwargs, "markup": False})


console = SafeConsole(highlight=False, emoji=False)
err_console = SafeConsole(stderr=True, highlight=False, emoji=False)

AllowPaths = Annotated[
    bool,
    typer.Option(
        "--allow-paths",
        help="let the scenario read series files outside its own folder (see docs/security.md)",
    ),
]


class Fmt(str, Enum):
    table = "table"
    json = "json"


class UserError(Exception):
    """An error in what the user asked for: printed as one line, exit status 1."""


def _error(message: str) -> None:
    """One ``error`` line on standard error (user text shown as written, never as markup)."""
    err_console.print(f"[red]error[/red] {esc(visible(message, one_line=True))}", soft_wrap=True)


def _warn(message: str, label: str = "warning") -> None:
    """One ``warning`` line on standard error."""
    err_console.print(f"[yellow]{esc(label)}[/yellow] {esc(visible(message, one_line=True))}", soft_wrap=True)


def _os_error(exc: OSError) -> str:
    """``PATH: reason`` for a failed file operation (our own messages, which name no file, as they are)."""
    if exc.filename is None:
        return str(exc)
    reason = {
        PermissionError: "permission denied",
        IsADirectoryError: "is a folder, expected a file",
        NotADirectoryError: "a part of the path is not a folder",
        FileNotFoundError: "no such file or folder",
        FileExistsError: "exists and is not a folder",  # mkdir on a file; our own messages name no file
    }.get(type(exc)) or (exc.strerror or type(exc).__name__).lower()
    where = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 else "")
    return f"{where}: {reason}"


@contextmanager
def _friendly() -> Iterator[None]:
    """The CLI's one error boundary: every expected failure is one ``error`` line and exit status 1.

    Expected failures are bad input (:class:`ScenarioError`, ``ValueError`` and its subclasses such as
    model input errors and limits), file operations (any ``OSError``), a missing optional extra
    (``ImportError``) and an unreachable cluster. Anything else is a bug: it is reported as one line too
    (``REALPOLITIK_DEBUG=1`` re-raises it with its traceback). Click's own exits pass through.
    """
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):  # Click's own exits and usage errors
        raise
    except ScenarioError as exc:
        for p in exc.problems:
            _error(str(p))
    except OSError as exc:
        _error(_os_error(exc))
    except (ModelInputError, UserError, KeyError, ValueError, ImportError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        _error(str(msg))
    except MemoryError:
        _error("out of memory: the request is too large for this machine (see docs/security.md for limits)")
    except RecursionError:
        _error("the input is nested too deeply")
    except Exception as exc:
        if os.environ.get("REALPOLITIK_DEBUG"):
            raise
        _error(
            f"internal error ({type(exc).__name__}: {exc}); please report this "
            "(REALPOLITIK_DEBUG=1 shows where it happened)"
        )
    else:
        return
    raise typer.Exit(1)


def _json_ready(obj: Any) -> Any:
    """``obj`` with NaN as ``null`` (a missing value) and ``-0.0`` as ``0.0``; infinities stay (and fail)."""
    if isinstance(obj, float):
        return None if obj != obj else obj + 0.0
    if isinstance(obj, dict):
        return {k: _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_ready(v) for v in obj]
    return obj


def _print_json(data: Any) -> None:
    """Strict JSON on standard output: an infinite number is an error, never ``Infinity``."""
    try:
        text = json.dumps(_json_ready(data), indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise UserError(
            "the result holds an infinite number, which JSON cannot carry; nothing was printed "
            "(please report this with the scenario)"
        ) from None
    sys.stdout.write(text + "\n")


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
    return num(v, ".2f")


def _check_draws(draws: int) -> None:
    """``--draws`` of analyze/report: at least 1, and within the limit of draws kept in memory."""
    from realpolitik.limits import DRAWS_IN_MEMORY

    if draws < 1:
        raise UserError(f"--draws {draws}: expected at least 1")
    DRAWS_IN_MEMORY.check(draws, "--draws")


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
                esc(r["id"]), esc(r["title"]), str(r["as_of"] or ""), str(r["actors"]), str(r["issues"])
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
    """Rich tables describing a scenario (every text from the file through ``esc``)."""
    out.print(f"[bold]{esc(s.title)}[/bold]  ({esc(s.id)}{', as of ' + str(s.as_of) if s.as_of else ''})")
    if s.description:
        out.print(esc(s.description.strip()))
    t = Table(title="Actors")
    for c in ("id", "name", "capability", "party", "veto on"):
        t.add_column(c)
    vetoes = {v.actor: ", ".join(v.issues) for v in s.vetoes}
    for a in s.actors:
        cap = num(a.capability.value) if a.capability is not None else "—"
        t.add_row(esc(a.id), esc(a.name), cap, "yes" if a.id in s.parties else "", esc(vetoes.get(a.id, "")))
    out.print(t)
    t = Table(title="Issues")
    measured = any(i.power is not None for i in s.issues)  # which capability measure gives power there
    for c in ("id", "name", "bounds", "status quo", *(("power from",) if measured else ()), "labels"):
        t.add_column(c)
    for i in s.issues:
        labels = "; ".join(f"{num(k)}: {v}" for k, v in sorted(i.labels.items()))
        sq = num(i.status_quo.value) if i.status_quo is not None else "—"
        power = ((i.power or "capability"),) if measured else ()
        t.add_row(esc(i.id), esc(i.name), f"{num(i.bounds[0])}–{num(i.bounds[1])}", sq, *power, esc(labels))
    out.print(t)
    t = Table(title="Positions (salience)")
    t.add_column("actor")
    for i in s.issues:
        t.add_column(esc(i.id), justify="right")
    for a in s.actors:
        cells = []
        for i in s.issues:
            st = s.stance(a.id, i.id)
            cells.append("—" if st is None else f"{num(st.position.value)} ({num(st.salience.value, '.2f')})")
        t.add_row(esc(a.id), *cells)
    out.print(t)
    if s.relations:
        t = Table(title="Relations")
        for c in ("from", "to", "kind", "value", "note"):
            t.add_column(c)
        for r in s.relations:
            t.add_row(esc(r.from_), esc(r.to), r.kind, num(r.value.value), esc(r.note or ""))
        out.print(t)
    n = sum(1 for _ in iter_quantities(s))
    sourced = sum(1 for _, q in iter_quantities(s) if q.source)
    out.print(f"{n} numbers, {sourced} with a source; {len(s.sources)} sources defined.")


@app.command()
def validate(
    path: Annotated[str, typer.Argument(help="scenario file to check")],
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="a historical case: list every number that leaks")
    ] = False,
    allow_paths: AllowPaths = False,
) -> None:
    """Check a scenario file and print every problem (exit 1 if there is any); for a historical case
    (with an outcome), whether it is a clean backtest and which numbers make it leaky."""
    from realpolitik.environment import prepare

    with _friendly():
        s = load(path, allow_paths=allow_paths)
        try:  # indicators and links are checked by reading them as the models would
            prepared = prepare(s)
        except ValueError as exc:
            raise UserError(f"{path}: {exc}") from None
        console.print(f"[green]ok[/green] {esc(path)}: {len(s.actors)} actors, {len(s.issues)} issues")
        for w in getattr(prepared, "warnings", []) or []:
            _warn(f"{path}: {w}")
        if s.outcome or s.decided is not None:
            from realpolitik.backtest.leakage import leakage

            for line in leakage(s).lines(verbose=verbose):
                console.print(esc(line), soft_wrap=True)


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


def _cell(f: Forecast, issue: str, value: float, *, ruled: bool = True) -> str:
    """A forecast value, marked ``~`` when it is not a point forecast (the model did not converge there,
    and, for the outcome under the rule, the rule does not give the same answer in every round)."""
    conv = f.converged
    loose = conv is not None and conv.get(issue) is False
    mark = "~" if loose and (not ruled or not f.settled.get(issue, False)) else ""
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
        sq = num(iss.status_quo.value, ".1f") if iss.status_quo is not None else "—"
        cells = ["moot" if iss.id in f.moot else _cell(f, iss.id, f.outcome[iss.id]) for f in results]
        t.add_row(esc(iss.id), sq, *cells)
        if any(abs(f.pressure[iss.id] - f.outcome[iss.id]) > 1e-9 for f in results):
            t.add_row(
                "  pressure",
                "",
                *[_cell(f, iss.id, f.pressure[iss.id], ruled=False) for f in results],
                style="dim",
            )
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
            held = [d for d in bad if f.settled.get(d)]
            if held:
                notes.append(
                    f"  under the decision rule the outcome on {', '.join(held)} is the same in every round of "
                    "the cycle, so it stands"
                )
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
    allow_paths: AllowPaths = False,
) -> None:
    """Forecast every issue with one or more bargaining models."""
    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
        models = _models_arg(model)
        params = _parse_params(param)
        results, skipped = _run_forecasts(s, models, seed, params, skip_missing=model == "all")
        if not results:
            raise UserError("; ".join(skipped.values()))
        for m, why in skipped.items():
            _warn(why, f"{m} skipped:")
        if fmt is Fmt.json:
            _print_json(results[0].to_json() if len(results) == 1 else [f.to_json() for f in results])
            return
        console.print(forecast_table(s, results))
        for line in _convergence_notes(results):
            console.print(esc(line))
        for line in rules_lines(results):
            console.print(f"[dim]{esc(line)}[/dim]")
        for line in agreement_lines(results):
            console.print(esc(line))
        for f in results:
            note = f.extras.get("note") if isinstance(f.extras, dict) else None
            if note:
                console.print(f"[dim]{esc(f.model)}: {esc(note)}[/dim]")
            for line in f.notes:
                console.print(f"[yellow]note[/yellow] {esc(line)}")


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
        console.print(f"wrote {esc(out)} ({len(s.actors)} actors, {len(s.issues)} issues)")


def _export(scenario: str, out: Path, force: bool, writer: Callable[[Scenario], str]) -> None:
    with _friendly():
        s = load(scenario)
        if out.exists() and not force:
            raise UserError(f"{out}: already exists; refusing to overwrite it (use --force)")
        if out.is_dir():
            raise UserError(f"{out}: is a folder, expected a file name")
        out.write_text(writer(s), encoding="utf-8")
        console.print(f"wrote {esc(out)}")


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
    allow_paths: AllowPaths = False,
) -> None:
    """Deal space: which packages every party accepts, vetoes, concessions, linkage, precedents."""
    from realpolitik.deals import deals, deals_to_json, render_deals

    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
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
    allow_paths: AllowPaths = False,
) -> None:
    """The main job: forecasts by every model, deals, environment sweep, Monte Carlo, findings, HTML report."""
    from realpolitik.report import check_output_dir, prepare_output_dir, run_analysis, write_report

    with _friendly():
        if model is not None:
            _models_arg(model)
        s = load(scenario, allow_paths=allow_paths)
        _check_draws(draws)
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
        written = write_report(a, folder / "report.html", overwrite=True)  # the folder is this scenario's
        write_report(a, folder / "analysis.json", overwrite=True)
        render_summary(a, console)
        console.print(
            f"\n[bold]Report written[/bold]: {esc(written[0])}  (and {esc(folder / 'analysis.json')})"
        )


@app.command()
def report(
    scenario: Annotated[str, typer.Argument(help="built-in id or path")],
    out: Annotated[Path, typer.Option("-o", "--out", help="file to write (.html, .md or .json)")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="html, md, json or pdf (default: from the extension)")
    ] = None,
    seed: Annotated[int, typer.Option(help="seed for every stochastic step")] = 0,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws")] = 2000,
    force: Annotated[
        bool, typer.Option(help="overwrite OUT (and, for .md, its figure files) if they exist")
    ] = False,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help="the one model of Monte Carlo, sweep and headline (default eum)"),
    ] = None,
    allow_paths: AllowPaths = False,
) -> None:
    """Write the analyst's report for a scenario as one HTML file, Markdown with figures, JSON or PDF."""
    from realpolitik.report import check_report_target, run_analysis, write_report

    with _friendly():
        if model is not None:
            _models_arg(model)
        # an unknown format, PDF without Chromium, or a file in the way fails before any work
        check_report_target(out, fmt, overwrite=force)
        s = load(scenario, allow_paths=allow_paths)
        _check_draws(draws)
        cmd = f"realpolitik report {scenario} -o {out.name}" + (f" --seed {seed}" if seed else "")
        cmd += f" --draws {draws}" if draws != 2000 else ""
        cmd += f" --format {fmt}" if fmt else ""
        cmd += f" --model {model}" if model else ""
        a = run_analysis(s, seed=seed, draws=draws, model=model, command=cmd)
        files = write_report(a, out, fmt, overwrite=force)
        more = f" and {len(files) - 1} figure files" if len(files) > 1 else ""
        console.print(f"wrote {esc(files[0])}{more}")


def render_summary(a: Any, out: Console) -> None:
    """The terminal summary of an analysis, read through the decision rules: the answer per agreement
    and per issue decided outside one, each agreement's refusals, red lines and opening concession, the
    forecast table (outcome under the rule, pressure beside it), linking, precedents, Monte Carlo and
    the headline findings. Every text from the scenario goes through ``esc``; fits 80 columns."""
    from rich.padding import Padding

    from realpolitik.report import findings, summary_card
    from realpolitik.report.findings import HEADLINE
    from realpolitik.report.summary import package_words, refusal_words

    s = a.scenario
    card = summary_card(a)
    out.rule(f"[bold]{esc(s.title)}[/bold]")
    out.print(
        esc(
            f"{s.id} · as of {s.as_of or '—'} · {len(s.actors)} actors ({', '.join(s.actor_ids)}) · "
            f"{len(s.issues)} issues"
        )
    )

    def bullets(rows: list[tuple[str, str]]) -> None:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for m, text in rows:
            grid.add_row(m, text)
        out.print(grid)

    marks = {"yes": "[blue]✓[/blue]", "mixed": "[blue]◐[/blue]", "no": "[red]✗[/red]", "own": "→"}
    bullets(
        [(marks.get(h.style, "•"), f"[bold]{esc(h.title)}[/bold] — {esc(h.answer)}") for h in card.headlines]
    )

    def fact(label: str, text: str) -> None:
        out.print(Padding(f"[dim]{label}[/dim] {esc(text)}", (0, 0, 0, 4)))

    for ag in card.agreements:
        out.print(Padding(f"[bold]{esc(ag.name)}[/bold] ({esc(ag.id)})", (1, 0, 0, 1)))
        veto = "; ".join(f"{v} on {', '.join(i)}" for v, i in ag.veto_holders.items())
        fact("signed by", ", ".join(ag.signers) + (f"; veto: {veto}" if veto else ""))
        if ag.models:
            fact("models", "; ".join(f"{m.model} {m.status}" for m in ag.models))
        if ag.refusals:
            fact("refused by", refusal_words(ag.refusals, ag.n_models))
        for c in ag.conflicts:
            fact("no common ground", c)
        if ag.package:
            fact("acceptable", ag.package)
        if ag.nearest:
            fact(f"nearest to {ag.nearest_model}", package_words(ag.nearest))
        if ag.opening_concession:
            fact("opening concession", ag.opening_concession)
        elif ag.no_single_concession:
            fact("opening concession", "none: no single change of one actor's position, salience or red line")
        if ag.probability is not None:
            fact(
                "P(agreement)",
                f"{ag.probability:.0%} of {ag.probability_draws or 0:,} {ag.probability_model} Monte Carlo draws",
            )
    if a.forecasts:
        out.print()
        out.print(forecast_table(s, a.forecasts, title="Forecast by model: outcome under the rule"))
    for m, why in a.skipped.items():
        out.print(f"[yellow]{esc(m)} not run[/yellow]: {esc(why)}", soft_wrap=True)
    if card.linkage:
        out.print(f"[bold]Linking[/bold]: {esc(card.linkage)}")
    for p in card.precedents:
        out.print(f"[bold]Precedent[/bold]: {esc(p)}")
    if "deals" in a.notes:
        out.print(f"[dim]deals: {esc(a.notes['deals'])}[/dim]")
    if a.sweep:
        from realpolitik.report.findings import sweep_findings

        for f in sorted(sweep_findings(a, card), key=lambda f: -f.importance)[:2]:
            out.print(f"[bold]Environment[/bold]: {esc(f.text)}")
    elif "sweep" in a.notes:
        out.print(f"[dim]environment: {esc(a.notes['sweep'])}[/dim]")
    if a.montecarlo:
        mc = a.montecarlo
        t = Table(
            title=esc(f"Monte Carlo ({mc['model']}, {mc['draws_completed']:,} draws, seed {mc['seed']})"),
            caption="80% of the draws: the outcome under the rule, and the pressure",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            padding=(0, 1),
        )
        t.add_column("issue", overflow="fold", max_width=20)
        t.add_column("outcome", justify="right")
        t.add_column("pressure", justify="right")
        t.add_column("shape of the outcome", overflow="fold")
        modes = a.extras.get("mc_modes") or {}
        for iid, st in mc["issues"].items():
            iv = st["interval80"]
            piv = (st.get("pressure") or {}).get("interval80") or [None, None]
            ms = sorted(modes.get(iid) or [], key=lambda m: m["value"])
            shape = (
                "splits: " + ", ".join(f"{m['share']:.0%} in {m['low']:.3g}–{m['high']:.3g}" for m in ms)
                if len(ms) >= 2
                else "one peak"
            )
            t.add_row(esc(iid), _span(iv), _span(piv), shape)
        out.print(t)
        probs = [
            f"{esc(gid)} {p:.0%}"
            for gid, p in (mc.get("agreement_probability") or {}).items()
            if p is not None
        ]
        if probs:
            out.print(f"[bold]P(agreement)[/bold] over the draws: {'; '.join(probs)}")
    elif "montecarlo" in a.notes:
        out.print(f"[dim]uncertainty: {esc(a.notes['montecarlo'])}[/dim]")
    if card.trust:
        out.print(f"[bold]How far to trust this[/bold]: {esc(card.trust)}")
    fs = findings(a)
    if fs:
        out.print("[bold]Findings[/bold] (most important first)")
        bullets([("•", f"{esc(f.text)} [dim]\\[{esc(f.number)}][/dim]") for f in fs[:HEADLINE]])
        if len(fs) > HEADLINE:
            out.print(f"[dim]   … and {len(fs) - HEADLINE} more in the report[/dim]")


def _span(iv: list[float | None] | None) -> str:
    """``0``, ``22.4–95.9``: an interval of a Monte Carlo summary (``—`` when missing)."""
    from realpolitik.report.summary import g

    if not iv or iv[0] is None or iv[1] is None:
        return "—"
    lo, hi = float(iv[0]), float(iv[1])
    return g(lo) if abs(hi - lo) < 1e-9 else f"{g(lo)}–{g(hi)}"


def _nan(v: float | None) -> float:
    """A JSON number that may be ``None`` (missing) as a float (NaN when missing)."""
    return float("nan") if v is None else float(v)


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
    allow_paths: AllowPaths = False,
) -> None:
    """What-if: vary one or two environment drivers over a grid and run a model at every point."""
    from realpolitik.environment.sweep import parse_vary, render_sweep, sweep, sweep_to_json

    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
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
    allow_paths: AllowPaths = False,
) -> None:
    """Monte Carlo over the scenario's uncertain inputs (ranges and scenario-wide defaults)."""
    from realpolitik.uncertainty import monte_carlo, montecarlo_to_json, render_montecarlo

    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
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
        for note in result.notes:  # chunks of an earlier run that could not be trusted
            _warn(note)
        if fmt is Fmt.json:
            _print_json(montecarlo_to_json(result))
        else:
            render_montecarlo(result, console)
        for k in result.failed_chunks:
            _error(f"chunk {k} failed (after a retry): {result.errors.get(k, 'no reason recorded')}")
        if result.failed_chunks:
            raise typer.Exit(1)


def _parse_thresholds(items: list[str] | None) -> dict[str, tuple[str, float]]:
    out: dict[str, tuple[str, float]] = {}
    for item in items or []:
        for op in (">=", "<=", ">", "<"):
            if op in item:
                issue, _, value = item.partition(op)
                try:
                    v = float(value)
                except ValueError:
                    raise UserError(f"--threshold {item!r}: expected ISSUE>VALUE or ISSUE<VALUE") from None
                if not math.isfinite(v):
                    raise UserError(f"--threshold {item!r}: expected a finite number after {op}")
                out[issue.strip()] = (op, v)
                break
        else:
            raise UserError(f"--threshold {item!r}: expected ISSUE>VALUE or ISSUE<VALUE")
    return out


@app.command("backtest")
def backtest_cmd(
    cases: Annotated[
        list[str] | None,
        typer.Argument(
            help="built-in ids, scenario files, long tables (CSV/Parquet) or folders "
            "(default: every built-in with an outcome)"
        ),
    ] = None,
    models: Annotated[
        str, typer.Option("--models", "--model", "-m", help="model names separated by commas, or all")
    ] = "all",
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=0, help="Monte Carlo draws per case and model (0: none)")
    ] = 0,
    seed: Annotated[int, typer.Option(min=0, help="seed: forecasts and draws, any executor")] = 0,
    uncertainty: Annotated[
        str | None,
        typer.Option(
            help="input uncertainty for long tables and scenarios without an uncertainty block, "
            "e.g. position=0.05,salience=0.1,capability=0.1"
        ),
    ] = None,
    executor: Annotated[str | None, typer.Option(help="serial, processes or dask (default serial)")] = None,
    workers: Annotated[int | None, typer.Option(min=1, help="workers for processes/dask")] = None,
    scheduler: Annotated[str | None, typer.Option(help="address of a running Dask scheduler")] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="long-table cases per chunk")] = 100,
    figure: Annotated[
        Path | None, typer.Option(help="also write an SVG figure of error per model, baselines marked")
    ] = None,
    force: Annotated[bool, typer.Option(help="overwrite the --figure file if it exists")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="every case and leaky number")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv")] = "table",
) -> None:
    """Score each model's forecast (under the decision rules) against recorded outcomes, beside naive
    baselines; clean cases (inputs dated before the decision) and leaky ones are summarised apart."""
    from realpolitik.backtest import Uncertainty, backtest
    from realpolitik.backtest.render import render_backtest

    with _friendly():
        if fmt not in ("table", "json", "csv"):
            raise UserError(f"--format {fmt!r}: expected table, json or csv")
        if executor is None:
            executor = "dask" if scheduler else "serial"
        if executor not in ("serial", "processes", "dask"):
            raise UserError(f"--executor {executor!r}: expected serial, processes or dask")
        if figure is not None and figure.exists() and not force:
            raise UserError(f"{figure}: already exists; refusing to overwrite it (use --force)")
        unc = Uncertainty.parse(uncertainty) if uncertainty else None
        if models != "all":
            _models_arg(models)
        result = backtest(
            cases or None,
            models=models,
            draws=draws,
            seed=seed,
            uncertainty=unc,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk_size,
        )
        if figure is not None:
            from realpolitik.backtest.figure import error_figure

            figure.write_text(error_figure(result), encoding="utf-8")
        if fmt == "json":
            _print_json(result.to_json())
        elif fmt == "csv":
            sys.stdout.write(result.to_csv())
        else:
            render_backtest(result, console, verbose=verbose)
            if figure is not None:
                console.print(f"wrote {figure}")


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
        err_console.print(f"[red]error[/red] {esc(str(exc))}", soft_wrap=True)
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
