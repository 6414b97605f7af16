"""The ``realpolitik`` command line: a thin Typer + Rich layer over the Python API.

Every command that computes has ``--format json``, documented in ``docs/cli.md``. Bad input prints one
line per problem on standard error and exits with status 1; no traceback reaches the user.

One meaning per option name across commands (docs/cli.md, "Options"): ``-o/--out FILE`` is always a
file, ``--out-dir DIR`` a folder; ``--format`` the form of the output; ``-n/--draws`` Monte Carlo draws;
``-m/--model`` a model name (case-insensitive; a comma list or ``all`` where models are compared);
``--seed``, ``-p/--param``, ``--force`` (replace existing output), ``-q/--quiet`` (no progress bar).
Defaults shared with the Python API live in :mod:`realpolitik.defaults`.
"""

# No ``from __future__ import annotations`` here or in ``events/cli.py``: Typer reads every command's
# annotations on each start, and a string annotation costs a compile() each time (8% of the
# instructions of a small forecast, 15% of ``--help``). Annotations that name a type imported only
# for type checking are quoted instead; tests/test_startup.py checks this.
import json
import math
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

from realpolitik import __version__, defaults
from realpolitik._cli_base import CONTEXT, Group, flag
from realpolitik._lazy import lazy_function
from realpolitik._terminal import FitTable, Ident, ProgressBar, SafeConsole, fits, show_progress
from realpolitik._text import and_list, esc, num, slug, visible
from realpolitik.events.cli import app as events_app
from realpolitik.limits import DRAWS_IN_MEMORY
from realpolitik.models.errors import ModelInputError
from realpolitik.models.registry import get_model, model_names
from realpolitik.scenario.errors import ScenarioError

# Start-up: ``realpolitik --help`` loads neither NumPy nor pydantic; the scenario layer and the models
# load when a command first calls them (benchmarks/bench_startup.py).
if TYPE_CHECKING:
    from realpolitik.forecast import Forecast, forecast
    from realpolitik.scenario.io import builtin_ids, dumps, load, provenance
    from realpolitik.scenario.schema import Scenario
else:
    forecast = lazy_function("realpolitik.forecast", "forecast")
    builtin_ids = lazy_function("realpolitik.scenario.io", "builtin_ids")
    dumps = lazy_function("realpolitik.scenario.io", "dumps")
    provenance = lazy_function("realpolitik.scenario.io", "provenance")
    load = lazy_function("realpolitik.scenario.io", "load")

__all__ = ["SafeConsole", "app", "main"]


class _Group(Group):
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
    context_settings=CONTEXT,
)
import_app = typer.Typer(
    help="Bring scenarios in from other tools' formats.",
    no_args_is_help=True,
    context_settings=CONTEXT,
    cls=Group,
)
export_app = typer.Typer(
    help="Write scenarios out in other tools' formats.",
    no_args_is_help=True,
    context_settings=CONTEXT,
    cls=Group,
)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(events_app, name="events")

console = SafeConsole(highlight=False, emoji=False)
err_console = SafeConsole(stderr=True, highlight=False, emoji=False)


# ------------------------------------------------------------------------------------- shared options
class Fmt(str, Enum):
    table = "table"
    json = "json"


class ShowFmt(str, Enum):
    table = "table"
    yaml = "yaml"
    json = "json"


class TableFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFmt(str, Enum):
    html = "html"
    md = "md"
    json = "json"
    pdf = "pdf"


class ExecutorName(str, Enum):
    serial = "serial"
    processes = "processes"
    dask = "dask"


class DealOptions(str, Enum):
    auto = "auto"
    labels = "labels"
    grid = "grid"
    both = "both"


def _fmt_option(help: str) -> Any:
    return typer.Option("--format", case_sensitive=False, help=help)


ScenarioArg = Annotated[
    str,
    typer.Argument(
        metavar="SCENARIO",
        help="a built-in id (realpolitik scenarios) or a file: YAML, JSON, KTAB CSV/XML, decide",
        show_default=False,
    ),
]
AllowPaths = Annotated[
    bool,
    flag(
        "--allow-paths",
        help="let the scenario read series files outside its own folder (see docs/security.md)",
    ),
]
Seed = Annotated[
    int, typer.Option("--seed", min=0, metavar="N", help="seed of every random step: same seed, same output")
]
Quiet = Annotated[
    bool,
    flag("--quiet", "-q", help="no progress bar (none is drawn when standard error is not a terminal)"),
]
Params = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="NAME=VALUE",
        help="a model parameter, repeatable; VALUE is read as JSON when it parses (docs/models/)",
    ),
]
OneModel = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        metavar="NAME",
        help=f"the model to run: {', '.join(defaults.MODELS)} (any case)",
    ),
]
Models = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        metavar="NAMES",
        help=f"models to compare: all, or names separated by commas ({', '.join(defaults.MODELS)}; any case)",
    ),
]
AnalysisModel = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        metavar="NAME",
        help=(
            f"the one model of Monte Carlo, sensitivity, sweep and headline \\[default: {defaults.MODEL}; "
            "when it cannot run, the first of " + ", ".join(defaults.FALLBACK_MODELS) + " that can]"
        ),
        show_default=False,
    ),
]
StaticFigures = Annotated[
    bool,
    flag(
        "--static-figures",
        help="HTML report with SVG figures only: no embedded plotly.js (about 4.6 MB), no hover values",
    ),
]
AnalysisDraws = Annotated[
    int,
    typer.Option(
        "--draws",
        "-n",
        min=1,
        metavar="N",
        help=(
            f"Monte Carlo draws (fewer than montecarlo's {defaults.MONTECARLO_DRAWS:,}, so the whole "
            "analysis takes seconds)"
        ),
    ),
]


def _deprecated(command: str, old: str, new: str, old_value: Any, new_value: Any) -> Any:
    """The value of an option under its new name, or under its old one with a one-line note on stderr."""
    if old_value is None or old_value is False:
        return new_value
    if new_value is not None and new_value is not False:
        raise UserError(f"{old} and {new} are the same option of {command}; give {new} only")
    _warn(
        f"{command} {old} is deprecated: use {new} (the old spelling will be removed in the next release)",
        "deprecated",
    )
    return old_value


class UserError(Exception):
    """An error in what the user asked for: printed as one line, exit status 1."""


def _error(message: str) -> None:
    """One ``error`` line on standard error (user text shown as written, never as markup)."""
    err_console.print(f"[red]error[/red] {esc(visible(message, one_line=True))}", soft_wrap=True)


def _warn(message: str, label: str = "warning") -> None:
    """One ``warning`` line on standard error: something the user can act on."""
    err_console.print(f"[yellow]{esc(label)}[/yellow] {esc(visible(message, one_line=True))}", soft_wrap=True)


def _note(message: str) -> None:
    """One dim line on standard error: information, nothing to act on."""
    err_console.print(f"[dim]{esc(visible(message, one_line=True))}[/dim]", soft_wrap=True)


def _warn_once(messages: list[str], prefix: str = "") -> None:
    """Each distinct warning once, in order."""
    for m in dict.fromkeys(messages):
        _warn(prefix + m)


def _bar(label: str, *, total: float | None = None, unit: str = "", quiet: bool = False) -> ProgressBar:
    """A progress bar on standard error (only on a terminal, not with ``--quiet``)."""
    return ProgressBar(
        visible(label, one_line=True),
        total=total,
        unit=unit,
        enabled=show_progress(err_console, quiet),
        console=err_console,
    )


def _version(value: bool) -> None:
    if value:
        console.print(f"realpolitik {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="print the version and exit",
            callback=_version,
            is_eager=True,
            metavar="",
            show_default=False,
        ),
    ] = False,
) -> None:
    """Strategic analysis of relations among states: scenarios, bargaining models, deals, what-ifs."""


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


def _model_name(name: str, *, also: str = "") -> str:
    """A registered model's name from any spelling of it (``EUM``, `` eum``); else one clear error."""
    low = name.strip().lower()
    if low in model_names():
        return low
    raise UserError(f"unknown model {name.strip()!r}; known models: {', '.join(defaults.MODELS)}{also}")


def _models_arg(model: str) -> list[str]:
    """Model names from ``all`` or ``a,b`` (any case), in the order given, each once."""
    if model.strip().lower() == "all":
        return list(model_names())
    names = [_model_name(m, also=", or all") for m in model.split(",") if m.strip()]
    if not names:
        raise UserError(f"--model {model!r}: expected a model name, names separated by commas, or all")
    return list(dict.fromkeys(names))


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
    if draws < 1:
        raise UserError(f"--draws {draws}: expected at least 1")
    DRAWS_IN_MEMORY.check(draws, "--draws")


# ------------------------------------------------------------------------------------------- commands
@app.command()
def scenarios(fmt: Annotated[Fmt, _fmt_option("table, or json (a list of objects)")] = Fmt.table) -> None:
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
        t = FitTable(title="Built-in scenarios")
        t.add_column("id")
        t.add_column("title")
        for c in ("as of", "actors", "issues"):
            t.add_column(c, no_wrap=True, justify="left" if c == "as of" else "right")
        for r in rows:
            t.add_row(
                Ident(r["id"]), esc(r["title"]), str(r["as_of"] or ""), str(r["actors"]), str(r["issues"])
            )
        console.print(t)


@app.command()
def show(
    scenario: ScenarioArg,
    fmt: Annotated[
        ShowFmt, _fmt_option("table, or the scenario file itself as yaml or json (to edit it)")
    ] = ShowFmt.table,
    allow_paths: AllowPaths = False,
) -> None:
    """Show a scenario: actors, issues, positions, rules, indicators, sweep drivers, relations, sources."""
    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
        if fmt is not ShowFmt.table:
            sys.stdout.write(dumps(s, fmt.value))
            return
        render_scenario(s, console)


def _table(title: str, *columns: str, right: tuple[str, ...] = (), caption: str | None = None) -> Table:
    t = FitTable(
        title=title, title_justify="left", caption=caption, caption_justify="left", box=box.SIMPLE_HEAD
    )
    for c in columns:
        t.add_column(c, justify="right" if c in right else "left")
    return t


def _print_table(t: Table, out: Console) -> None:
    """``t`` as a table when it fits ``out`` without cutting a word; else each row as lines of
    ``column: value`` under the row's first cell (so nothing is ever cut, however narrow the terminal)."""
    if fits(t, out):
        out.print(t)
        return

    def text(cell: Any) -> str:
        return esc(cell) if isinstance(cell, Ident) else str(cell)

    out.print(f"[italic]{t.title}[/italic]" if t.title else "")
    heads = [str(c.header) for c in t.columns]
    for r in range(t.row_count):
        cells = [text(c._cells[r]) for c in t.columns]
        if cells[0]:
            out.print(f"  [bold]{cells[0]}[/bold]")
        for head, cell in zip(heads[1:], cells[1:], strict=True):
            if cell:
                out.print(f"    {esc(head)}: {cell}")
    if t.caption:
        out.print(f"[dim]{t.caption}[/dim]")


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{num(low)}–{num(high)}"
    return f"≥ {num(low)}" if low is not None else f"≤ {num(high)}" if high is not None else ""


def render_scenario(s: "Scenario", out: Console) -> None:
    """Rich tables describing a scenario (every text from the file shown as written, never as markup).

    Ids are never cut inside a word: they fold at ``_ - .`` when a column is narrow, and a table whose
    columns cannot fit the terminal is printed in a long form instead.
    """
    from realpolitik.deals.rules import decision_structure

    out.print(f"[bold]{esc(s.title)}[/bold]  ({esc(s.id)}{', as of ' + str(s.as_of) if s.as_of else ''})")
    if s.description:
        out.print(esc(s.description.strip()))
    vetoes = {v.actor: ", ".join(v.issues) for v in s.vetoes}
    t = _table("Actors", "id", "name", "capability", "party", "veto on", right=("capability",))
    for a in s.actors:
        cap = num(a.capability.value) if a.capability is not None else "—"
        veto = Ident(vetoes[a.id]) if a.id in vetoes else ""
        t.add_row(Ident(a.id), esc(a.name), cap, "yes" if a.id in s.parties else "", veto)
    _print_table(t, out)

    structure = decision_structure(s)
    measured = any(i.power is not None for i in s.issues)  # which capability measure gives power there
    cols = ("id", "name (unit)", "bounds", "status quo", *(("power from",) if measured else ()))
    t = _table(
        "Issues", *cols, right=("status quo",), caption="who decides each issue: Decision rules, below"
    )
    for i in s.issues:
        sq = num(i.status_quo.value) if i.status_quo is not None else "—"
        power = (Ident(i.power or "capability"),) if measured else ()
        name = esc(i.name) + (f" [dim]({esc(i.unit)})[/dim]" if i.unit else "")
        t.add_row(Ident(i.id), name, f"{num(i.bounds[0])}–{num(i.bounds[1])}", sq, *power)
    _print_table(t, out)
    labelled = [i for i in s.issues if i.labels]
    if labelled:
        t = _table("Labels", "issue", "value", "label", right=("value",))
        for i in labelled:
            for k, (v, text) in enumerate(sorted(i.labels.items())):
                t.add_row(Ident(i.id) if k == 0 else "", num(v), esc(text))
        _print_table(t, out)
    _positions(s, out)
    _rules(s, structure, out)
    _environment(s, out)
    if s.relations:
        t = _table("Relations", "from", "to", "kind", "value", "note", right=("value",))
        for r in s.relations:
            # a relation's note is on the relation or on its value (where the built-in scenarios put it)
            note = r.note or r.value.note or ""
            t.add_row(Ident(r.from_), Ident(r.to), r.kind, num(r.value.value), esc(note))
        _print_table(t, out)
    prov = provenance(s)
    if s.sources:
        t = _table(f"Sources ({prov.words()})", "key", "title", "date", "kind")
        for key, src in s.sources.items():
            date = src.date or src.recorded or ""
            t.add_row(Ident(key), esc(src.title), esc(str(date)), src.kind)
        _print_table(t, out)
    else:
        out.print(f"Sources: none defined ({prov.words()}).")


def _positions(s: "Scenario", out: Console) -> None:
    """Each actor's position (salience) per issue: a grid when it fits the terminal, else one row each."""

    def cell(actor: str, issue: str) -> str:
        st = s.stance(actor, issue)
        return "—" if st is None else f"{num(st.position.value)} ({num(st.salience.value, '.2f')})"

    grid = _table("Positions (salience)", "actor")
    for i in s.issues:
        grid.add_column(Ident(i.id), justify="right")
    for a in s.actors:
        grid.add_row(Ident(a.id), *(cell(a.id, i.id) for i in s.issues))
    if fits(grid, out):
        out.print(grid)
        return
    t = _table(
        "Positions (salience)", "issue", "actor", "position", "salience", right=("position", "salience")
    )
    for i in s.issues:
        first = True
        for a in s.actors:
            st = s.stance(a.id, i.id)
            if st is None:
                continue
            t.add_row(
                Ident(i.id) if first else "",
                Ident(a.id),
                num(st.position.value),
                num(st.salience.value, ".2f"),
            )
            first = False
    _print_table(t, out)


def _rules(s: "Scenario", structure: Any, out: Console) -> None:
    """Who decides each issue: agreements with their signers and vetoes, unilateral issues, red lines,
    conditions."""
    lines: list[str] = []
    for ag in structure.agreements:
        what = f"{ag.id} ({', '.join(ag.issues)})" if ag.issues != (ag.id,) else ag.id
        veto = [
            f"{a} on {', '.join(d for d in structure.vetoes.get(a, ()) if d in ag.issues)}"
            for a in ag.veto_holders
        ]
        lines.append(
            f"consent: {what}, signed by {', '.join(ag.signers) or 'nobody'}"
            + (f"; veto: {'; '.join(veto)}" if veto else "")
        )
    for d, who in structure.deciders.items():
        lines.append(f"unilateral: {d}, decided by {who}")
    collective = [d for d in structure.issues if structure.rules.get(d) == "collective"]
    if collective:
        lines.append(f"collective: {', '.join(collective)} (the model's outcome stands)")
    for lapsed in structure.lapsed_vetoes:
        lines.append(f"veto not in force: {lapsed} (the relation it rests on does not hold)")
    for v in s.vetoes:
        if v.relation is not None:
            rel = v.relation
            lines.append(
                f"veto of {v.actor} rests on the relation {rel.from_ or v.actor}->{rel.to} {rel.kind}"
            )
    red = []
    for a in s.actors:
        parts = []
        for i in s.issues:
            st = s.stance(a.id, i.id)
            acc = None if st is None else st.acceptable
            if acc is None or (acc.low is None and acc.high is None):
                continue
            low = None if acc.low is None else acc.low.value
            high = None if acc.high is None else acc.high.value
            parts.append(f"{i.id} {_range(low, high)}")
        if parts:
            red.append(f"{a.id}: {'; '.join(parts)}")
    for c in structure.conditions:
        lines.append(f"condition: {c.issue} applies only if {c.on} {c.op} {num(c.value)}")
    out.print("[bold]Decision rules[/bold]")
    for line in lines or ["none declared"]:
        out.print(f"  {esc(line)}")
    if red:
        out.print("[bold]Red lines[/bold] (what each actor can accept at all)")
        for line in red:
            out.print(f"  {esc(line)}")


def _environment(s: "Scenario", out: Console) -> None:
    """Indicators at ``as_of`` and the drivers a sweep can vary (quantities the links read)."""
    if not s.environment.indicators:
        out.print("[dim]No indicators, so no drivers: sweep has nothing to vary.[/dim]")
        return
    from realpolitik.environment import prepare

    try:
        prep = prepare(s)
    except ValueError as exc:  # a broken series or link: show what the file says and why it cannot resolve
        out.print(f"[yellow]environment not read[/yellow]: {esc(exc)}")
        return
    when = f"at {s.as_of}" if s.as_of else "latest readings"
    t = _table(
        f"Indicators ({when})",
        "indicator",
        "value",
        "read",
        "from",
        right=("value",),
        caption="value: the reading on the indicator's 0–1 scale",
    )
    for name, rec in prep.records.items():
        value = prep.context.indicators.get(name, float("nan"))
        where = ".".join(str(x) for x in (rec.get("series"), rec.get("column")) if x)
        t.add_row(Ident(name), num(value, ".3g"), esc(_reading(rec)), Ident(where) if where else "given")
    _print_table(t, out)
    t = _table(
        "Drivers a sweep can vary (sweep --vary DRIVER=LOW:HIGH:N)",
        "driver",
        "value",
        "moves",
        right=("value",),
        caption="moves: the links it reaches (read through another driver, or none: varying it changes nothing)",
    )
    for u in prep.drivers():
        if u.through:
            moves = f"what {', '.join(u.through)} moves"
        else:
            moves = ", ".join(u.links) or "none"
        t.add_row(Ident(u.name), num(u.value, ".3g"), Ident(moves))
    _print_table(t, out)


def _reading(rec: dict[str, Any]) -> str:
    """How an indicator was read: the raw value on its scale and the period, or the value given."""
    raw = rec.get("raw")
    if raw is None:
        return "given"
    scale = rec.get("scale")
    text = num(raw) + (f" of {num(scale[0])}–{num(scale[1])}" if scale else "")
    if rec.get("period"):
        text += f", {rec['period']}" + (" (stale)" if rec.get("stale") else "")
    return text


@app.command()
def validate(
    path: Annotated[str, typer.Argument(metavar="FILE", help="scenario file to check", show_default=False)],
    verbose: Annotated[
        bool, flag("--verbose", "-v", help="for a historical case: list every number that leaks")
    ] = False,
    allow_paths: AllowPaths = False,
) -> None:
    """Check a scenario file: every problem on one line (exit 1 if any); for a historical case, leakage.

    For a historical case (with an outcome), also whether it is a clean backtest and which numbers make
    it leaky."""
    from realpolitik.environment import prepare

    with _friendly():
        s = load(path, allow_paths=allow_paths)
        try:  # indicators and links are checked by reading them as the models would
            prepared = prepare(s)
        except ValueError as exc:
            raise UserError(f"{path}: {exc}") from None
        console.print(f"[green]ok[/green] {esc(path)}: {len(s.actors)} actors, {len(s.issues)} issues")
        _warn_once(list(getattr(prepared, "warnings", []) or []), prefix=f"{path}: ")
        if s.outcome or s.decided is not None:
            from realpolitik.backtest.leakage import leakage

            for line in leakage(s).lines(verbose=verbose):
                console.print(esc(line))


def _run_forecasts(
    s: "Scenario", models: list[str], seed: int | None, params: dict[str, Any], *, skip_missing: bool = False
) -> tuple[list["Forecast"], dict[str, str]]:
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


def _cell(f: "Forecast", issue: str, value: float, *, ruled: bool = True) -> str:
    """A forecast value, marked ``~`` when it is not a point forecast (the model did not converge there,
    and, for the outcome under the rule, the rule does not give the same answer in every round)."""
    conv = f.converged
    loose = conv is not None and conv.get(issue) is False
    mark = "~" if loose and (not ruled or not f.settled.get(issue, False)) else ""
    return f"{value:.1f}{mark}"  # where a '~' value moves is said under the table (_convergence_notes)


def _loose_range(f: "Forecast", issue: str) -> tuple[float, float] | None:
    """The range a non-converged forecast moves in: its cycle's, else the range of its last rounds."""
    ex = f.extras if isinstance(f.extras, dict) else {}
    for key in ("cycle_range", "outcome_range"):
        r = (ex.get(key) or {}).get(issue) if isinstance(ex.get(key), dict) else None
        if r:
            return float(r[0]), float(r[1])
    return None


def forecast_table(s: "Scenario", results: list["Forecast"], title: str = "Forecast by model") -> Table:
    """Issues as rows: the outcome under the issue's decision rule, and below it (dim) the model's own
    pressure where the rule changed it; the status quo and each model as columns. Fits 80 columns."""
    t = FitTable(
        title=title,
        caption="outcome under the decision rule; 'pressure': the model's own result",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    t.add_column("issue")
    t.add_column("sq", justify="right")
    for f in results:
        t.add_column(f.model, justify="right", min_width=len(f.model), no_wrap=True)
    for iss in s.issues:
        sq = num(iss.status_quo.value, ".1f") if iss.status_quo is not None else "—"
        cells = ["moot" if iss.id in f.moot else _cell(f, iss.id, f.outcome[iss.id]) for f in results]
        t.add_row(Ident(iss.id), sq, *cells)
        if any(abs(f.pressure[iss.id] - f.outcome[iss.id]) > 1e-9 for f in results):
            t.add_row(
                "  pressure",
                "",
                *[_cell(f, iss.id, f.pressure[iss.id], ruled=False) for f in results],
                style="dim",
            )
    return t


def rules_lines(results: list["Forecast"]) -> list[str]:
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


def agreement_lines(results: list["Forecast"]) -> list[str]:
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


def _convergence_notes(results: list["Forecast"]) -> list[str]:
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
                moves = _loose_range(f, d)
                if r:
                    parts.append(f"{d} (cycles between {r[0]:.1f} and {r[1]:.1f})")
                elif moves:
                    parts.append(
                        f"{d} (no repeating cycle in {f.rounds} rounds; it moves between {moves[0]:.1f} and "
                        f"{moves[1]:.1f})"
                    )
                else:
                    parts.append(d)
            notes.append(f"~ {f.model} did not converge on {', '.join(parts)}: not a point forecast")
            held = [d for d in bad if f.settled.get(d)]
            if held:
                notes.append(
                    f"  under the decision rule the outcome on {', '.join(held)} is the same in every round, "
                    "so it stands"
                )
    return notes


def _print_notes(lines: list[str], out: Console) -> None:
    """Notes under a table; a line that starts indented continues the note above it, and wraps there."""
    from rich.padding import Padding

    for line in lines:
        indent = len(line) - len(line.lstrip())
        out.print(Padding(esc(line.strip()), (0, 0, 0, indent)))


def _model_notes(results: list["Forecast"]) -> list[str]:
    """What each model did not use of the data, each note once with every model it concerns."""
    by_note: dict[str, list[str]] = {}
    for f in results:
        for line in f.notes:
            text = line.removeprefix(f"{f.model}: ")  # the same note of two models is one line
            by_note.setdefault(text, []).append(f.model)
    return [f"{', '.join(models)}: {note}" for note, models in by_note.items()]


@app.command("forecast")
def forecast_cmd(
    scenario: ScenarioArg,
    model: Models = defaults.COMPARE,
    seed: Seed = defaults.SEED,
    param: Params = None,
    fmt: Annotated[Fmt, _fmt_option("table, or json (one object per model)")] = Fmt.table,
    allow_paths: AllowPaths = False,
) -> None:
    """Forecast every issue with one or more bargaining models, under the scenario's decision rules."""
    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
        models = _models_arg(model)
        params = _parse_params(param)
        every = model.strip().lower() == "all"
        results, skipped = _run_forecasts(s, models, seed, params, skip_missing=every)
        if not results:
            raise UserError("; ".join(skipped.values()))
        for m, why in skipped.items():  # asked for all: a model that cannot run is information, not a fault
            _note(f"{m} not run: {why}")
        if fmt is Fmt.json:
            _print_json(results[0].to_json() if len(results) == 1 else [f.to_json() for f in results])
            return
        console.print(forecast_table(s, results))
        _print_notes(_convergence_notes(results), console)
        for line in rules_lines(results):
            console.print(f"[dim]{esc(line)}[/dim]")
        for line in agreement_lines(results):
            console.print(esc(line))
        for f in results:
            note = f.extras.get("note") if isinstance(f.extras, dict) else None
            if note:
                console.print(f"[dim]{esc(f.model)}: {esc(note)}[/dim]")
        for line in _model_notes(results):
            console.print(f"[dim]{esc(line)}[/dim]")


# --------------------------------------------------------------------------------------- import/export
@import_app.command("ktab")
def import_ktab(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="KTAB CSV or XML scenario", show_default=False)
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="FILE", help="scenario file to write (.yaml or .json)")
    ],
    force: Annotated[bool, flag("--force", help="replace FILE if it exists")] = False,
) -> None:
    """Import a KTAB CSV/XML scenario into realpolitik's YAML or JSON format."""
    _import(file, out, force, "ktab")


@import_app.command("decide")
def import_decide(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="exchange-model (decide) input file", show_default=False)
    ],
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="FILE", help="scenario file to write (.yaml or .json)")
    ],
    force: Annotated[bool, flag("--force", help="replace FILE if it exists")] = False,
) -> None:
    """Import an exchange-model (decide) input file into realpolitik's YAML or JSON format."""
    _import(file, out, force, "decide")


def _import(file: Path, out: Path, force: bool, kind: str) -> None:
    from realpolitik.scenario import save

    with _friendly():
        s = load(file, expect=kind)
        save(s, out, overwrite=force)
        console.print(f"wrote {esc(out)} ({len(s.actors)} actors, {len(s.issues)} issues)")


def _export(scenario: str, out: Path, force: bool, writer: Callable[["Scenario"], str]) -> None:
    with _friendly():
        s = load(scenario)
        if out.exists() and not force:
            raise UserError(f"{out}: already exists; refusing to overwrite it (use --force)")
        if out.is_dir():
            raise UserError(f"{out}: is a folder, expected a file name")
        out.write_text(writer(s), encoding="utf-8")
        console.print(f"wrote {esc(out)}")


ExportForce = Annotated[bool, flag("--force", help="replace FILE if it exists")]


@export_app.command("ktab")
def export_ktab(
    scenario: ScenarioArg,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE", help="KTAB CSV file to write")],
    normalize_saliences: Annotated[
        bool,
        flag(
            "--normalize-saliences",
            help="divide each actor's saliences by their sum when it exceeds 1 (KTAB needs <= 1)",
        ),
    ] = False,
    force: ExportForce = False,
) -> None:
    """Export a scenario as KTAB CSV (positions on 0–100, saliences × 100)."""
    from realpolitik.scenario.ktab import format_ktab_csv

    _export(scenario, out, force, lambda s: format_ktab_csv(s, normalize_saliences=normalize_saliences))


@export_app.command("decide")
def export_decide(
    scenario: ScenarioArg,
    out: Annotated[
        Path, typer.Option("-o", "--out", metavar="FILE", help="exchange-model input file to write")
    ],
    force: ExportForce = False,
) -> None:
    """Export a scenario in the exchange model's (decide) input format."""
    from realpolitik.scenario.convert import to_decide_text

    _export(scenario, out, force, to_decide_text)


@export_app.command("yaml")
def export_yaml(
    scenario: ScenarioArg,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE", help="YAML file to write")],
    force: ExportForce = False,
) -> None:
    """Export a scenario (built-in or imported) as YAML, to edit it."""
    _export(scenario, out, force, lambda s: dumps(s, "yaml"))


@export_app.command("json")
def export_json(
    scenario: ScenarioArg,
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE", help="JSON file to write")],
    force: ExportForce = False,
) -> None:
    """Export a scenario as JSON."""
    _export(scenario, out, force, lambda s: dumps(s, "json"))


@app.command("deals")
def deals_cmd(
    scenario: ScenarioArg,
    options: Annotated[
        DealOptions,
        typer.Option(
            case_sensitive=False,
            help="where each issue's options come from: auto (its labels when it has two or more, else the "
            "grid), labels, grid or both",
        ),
    ] = DealOptions.auto,
    step: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="grid step as a share of each issue's range (0.05: 21 points)"),
    ] = 0.05,
    seed: Seed = defaults.SEED,
    fmt: Annotated[Fmt, _fmt_option("table, or json")] = Fmt.table,
    allow_paths: AllowPaths = False,
) -> None:
    """Deal space: which packages every party accepts, vetoes, concessions, linkage, precedents."""
    from realpolitik.deals import deals, deals_to_json, render_deals

    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
        result = deals(s, options=options.value, step=step, seed=seed)  # type: ignore[arg-type]
        if fmt is Fmt.json:
            _print_json(deals_to_json(result))
            return
        render_deals(result, console)


def default_out_dir(scenario_id: str) -> Path:
    """Where ``analyze`` writes without ``--out-dir``: ``realpolitik-out/<id>`` with the id made a safe
    folder name (no spaces, no slashes: :func:`~realpolitik._text.slug`)."""
    return Path("realpolitik-out") / slug(scenario_id)


@app.command()
def analyze(
    scenario: ScenarioArg,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir",
            metavar="DIR",
            help="folder for report.html and analysis.json \\[default: realpolitik-out/<scenario id>/]",
            show_default=False,
        ),
    ] = None,
    old_out: Annotated[Path | None, typer.Option("--out", "-o", hidden=True)] = None,
    seed: Seed = defaults.SEED,
    draws: AnalysisDraws = defaults.ANALYSIS_DRAWS,
    model: AnalysisModel = None,
    force: Annotated[
        bool, flag("--force", help="write into a folder that holds another scenario's report")
    ] = False,
    fmt: Annotated[
        Fmt, _fmt_option("table (a summary, and the report files), or json (every result; no files)")
    ] = Fmt.table,
    static_figures: StaticFigures = False,
    quiet: Quiet = False,
    allow_paths: AllowPaths = False,
) -> None:
    """The main job: forecasts by every model, deals, environment sweep, Monte Carlo, findings, HTML report."""
    from realpolitik.report import check_output_dir, prepare_output_dir, run_analysis, write_report

    with _friendly():
        out = _deprecated("analyze", "-o/--out", "--out-dir", old_out, out_dir)
        model = None if model is None else _model_name(model)
        s = load(scenario, allow_paths=allow_paths)
        _check_draws(draws)
        folder = out or default_out_dir(s.id)
        cmd = (
            f"realpolitik analyze {scenario}"
            + (f" --out-dir {out}" if out else "")
            + (f" --seed {seed}" if seed else "")
        )
        cmd += f" --draws {draws}" if draws != defaults.ANALYSIS_DRAWS else ""
        cmd += f" --model {model}" if model else ""
        cmd += " --static-figures" if static_figures else ""
        if fmt is not Fmt.json:
            check_output_dir(folder, s.id, force=force)  # refuse a foreign folder before the work, not after
        with _bar(f"{s.id}: analysis", unit="steps", quiet=quiet) as bar:
            a = run_analysis(
                s,
                seed=seed,
                draws=draws,
                model=model,
                command=cmd,
                progress=lambda step, done, total: bar.update(done, total, f"{s.id}: {step}"),
            )
        if fmt is Fmt.json:
            _print_json(a.to_json())
            return
        prepare_output_dir(folder, s.id, force=force)
        # the folder is this scenario's
        written = write_report(a, folder / "report.html", overwrite=True, interactive=not static_figures)
        write_report(a, folder / "analysis.json", overwrite=True)
        render_summary(a, console)
        size = written[0].stat().st_size / 2**20
        hint = "" if static_figures else "; --static-figures writes it without plotly.js, at about a tenth"
        console.print(
            f"\n[bold]Report written[/bold]: {esc(written[0])} ({size:.1f} MB{hint})  "
            f"(and {esc(folder / 'analysis.json')})"
        )


@app.command()
def report(
    scenario: ScenarioArg,
    out: Annotated[
        Path,
        typer.Option("-o", "--out", metavar="FILE", help="file to write: .html, .md, .json or .pdf"),
    ],
    fmt: Annotated[
        ReportFmt | None,
        _fmt_option("html, md, json or pdf \\[default: from the extension of FILE]"),
    ] = None,
    seed: Seed = defaults.SEED,
    draws: AnalysisDraws = defaults.ANALYSIS_DRAWS,
    force: Annotated[
        bool, flag("--force", help="replace FILE (and, for .md, its figure files) if they exist")
    ] = False,
    model: AnalysisModel = None,
    static_figures: StaticFigures = False,
    quiet: Quiet = False,
    allow_paths: AllowPaths = False,
) -> None:
    """Write the analyst's report for a scenario as one HTML file, Markdown with figures, JSON or PDF."""
    from realpolitik.report import check_report_target, run_analysis, write_report

    with _friendly():
        model = None if model is None else _model_name(model)
        kind = None if fmt is None else fmt.value
        # an unknown format, PDF without Chromium, or a file in the way fails before any work
        check_report_target(out, kind, overwrite=force)
        s = load(scenario, allow_paths=allow_paths)
        _check_draws(draws)
        cmd = f"realpolitik report {scenario} -o {out.name}" + (f" --seed {seed}" if seed else "")
        cmd += f" --draws {draws}" if draws != defaults.ANALYSIS_DRAWS else ""
        cmd += f" --format {kind}" if kind else ""
        cmd += f" --model {model}" if model else ""
        cmd += " --static-figures" if static_figures else ""
        with _bar(f"{s.id}: report", unit="steps", quiet=quiet) as bar:
            a = run_analysis(
                s,
                seed=seed,
                draws=draws,
                model=model,
                command=cmd,
                progress=lambda step, done, total: bar.update(done, total, f"{s.id}: {step}"),
            )
        files = write_report(a, out, kind, overwrite=force, interactive=not static_figures)
        more = f" and {len(files) - 1} figure files" if len(files) > 1 else ""
        console.print(f"wrote {esc(files[0])}{more}")


def data_warning_lines(warnings: list[str], limit: int = 3) -> list[str]:
    """The scenario's data warnings (stale readings, say), the same warning for several actors said
    once: ``capabilities 'capabilities': gdp_current_usd_tn of JPN, RUS and USA is from 2019, 1096 days
    old``; at most ``limit`` lines, then how many more."""

    groups: dict[tuple[str, str], list[str]] = {}
    for w in warnings:
        m = re.fullmatch(r"(.*) of (\S+) is from (.*)", w)
        key = (m.group(1), m.group(3)) if m else (w, "")
        groups.setdefault(key, []).append(m.group(2) if m else "")
    lines = [
        f"{head} of {and_list(actors)} {'is' if len(actors) == 1 else 'are'} from {tail}" if tail else head
        for (head, tail), actors in groups.items()
    ]
    more = len(lines) - limit
    return lines[:limit] + ([f"and {more} more (the report's Environment section)"] if more > 0 else [])


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
    title = visible(s.title, one_line=True)
    if cell_len(title) + 6 <= out.width:
        out.rule(f"[bold]{esc(title)}[/bold]")
    else:  # a rule would cut the title: the whole title, wrapped, over a plain rule
        out.print(f"[bold]{esc(title)}[/bold]")
        out.rule()
    out.print(
        esc(
            f"{s.id} · as of {s.as_of or '—'} · {len(s.actors)} actors ({', '.join(s.actor_ids)}) · "
            f"{len(s.issues)} issues"
        )
    )
    if card.provenance:
        out.print(f"[dim]{esc(card.provenance)}[/dim]")

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
            fact(
                f"nearest acceptable to the {ag.nearest_model} pressure",
                package_words(ag.nearest) + (f" ({ag.nearest_note})" if ag.nearest_note else ""),
            )
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
        _print_notes(_convergence_notes(a.forecasts), out)  # what '~' means, as forecast says it
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

        for f in sweep_findings(a, card):  # what the driver moves most, then each agreement
            out.print(f"[bold]Environment[/bold]: {esc(f.text)}")
        for line in data_warning_lines(list(a.sweep.get("warnings") or [])):
            out.print(f"[yellow]Data[/yellow]: {esc(line)}")
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


def _check_drivers(s: "Scenario", names: list[str], scenario: str) -> None:
    """Each ``--vary`` driver names an indicator or a derived quantity of the scenario's actors; else one
    error listing the drivers there are."""
    from realpolitik.environment import parse_driver, prepare

    prep = prepare(s)
    known = [u.name for u in prep.drivers()]
    hint = f"; `realpolitik show {scenario}` lists them with what each moves"
    for name in names:
        d = parse_driver(name)
        if d.func is None and d.name not in prep.context.indicators:
            listed = ", ".join(known) or "none (the scenario has no indicators)"
            raise UserError(f"--vary {name!r}: not a driver of {s.id}; drivers: {listed}{hint}")
        for a in d.actors:
            if a not in s.actor_ids:
                raise UserError(
                    f"--vary {name!r}: unknown actor {a!r} (actors: {', '.join(s.actor_ids)}){hint}"
                )


@app.command("sweep")
def sweep_cmd(
    scenario: ScenarioArg,
    vary: Annotated[
        list[str],
        typer.Option(
            "--vary",
            metavar="DRIVER=LOW:HIGH:N",
            help="a driver and its values, once or twice: LOW:HIGH:N (N evenly spaced) or v1,v2,...; "
            "drivers are the scenario's indicators and the quantities its links read, such as "
            "'threat(CHN, JPN)': `realpolitik show SCENARIO` lists them",
            show_default=False,
        ),
    ],
    model: OneModel = defaults.MODEL,
    seed: Seed = defaults.SEED,
    param: Params = None,
    no_deals: Annotated[bool, flag("--no-deals", help="skip the deal analysis at each point")] = False,
    fmt: Annotated[Fmt, _fmt_option("table, or json")] = Fmt.table,
    quiet: Quiet = False,
    allow_paths: AllowPaths = False,
) -> None:
    """What-if: vary one or two environment drivers over a grid and run a model at every point.

    The drivers of a scenario, with their values and what they move, are listed by `realpolitik show`."""
    from realpolitik.environment.sweep import parse_vary, render_sweep, sweep, sweep_to_json

    with _friendly():
        s = load(scenario, allow_paths=allow_paths)
        if len(vary) > 2:
            raise UserError("--vary: at most two drivers")
        grid = dict(parse_vary(v) for v in vary)
        _check_drivers(s, list(grid), scenario)
        model = _model_name(model)
        points = math.prod(len(v) for v in grid.values())
        with _bar(f"{s.id}: sweep ({model})", total=points, unit="points", quiet=quiet) as bar:
            result = sweep(
                s,
                grid,
                model=model,
                seed=seed,
                deals=not no_deals,
                progress=lambda done, total: bar.update(done, total),
                **_parse_params(param),
            )
        if fmt is Fmt.json:  # the warnings are in the JSON
            _print_json(sweep_to_json(result))
            return
        render_sweep(result, console, warnings=False)
        _warn_once(list(result.warnings))


@app.command("montecarlo")
def montecarlo_cmd(
    scenario: ScenarioArg,
    draws: Annotated[
        int, typer.Option("--draws", "-n", min=1, metavar="N", help="number of draws")
    ] = defaults.MONTECARLO_DRAWS,
    model: OneModel = defaults.MODEL,
    seed: Annotated[
        int, typer.Option("--seed", min=0, metavar="N", help="seed: same seed, same result, any executor")
    ] = defaults.SEED,
    executor: Annotated[
        ExecutorName | None,
        typer.Option(
            case_sensitive=False,
            help="where the chunks run \\[default: serial; dask when --scheduler is given]",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="workers for processes/dask \\[default: usable cores]"),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="address of a running Dask scheduler")
    ] = None,
    chunk_size: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="draws per chunk (changing it changes the draws)"),
    ] = defaults.CHUNK_SIZE,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out-dir", metavar="DIR", help="folder for the draws (Parquet chunks), the manifest and summary"
        ),
    ] = None,
    old_out: Annotated[Path | None, typer.Option("--out", hidden=True)] = None,
    resume: Annotated[bool, flag("--resume", help="continue the run in --out-dir")] = False,
    threshold: Annotated[
        list[str] | None,
        typer.Option(
            "--threshold", metavar="ISSUE>VALUE", help="ISSUE>VALUE, ISSUE<VALUE, >=, <=: probability of it"
        ),
    ] = None,
    param: Params = None,
    no_deals: Annotated[
        bool, flag("--no-deals", help="skip the probability that a deal exists (faster)")
    ] = False,
    quiet: Quiet = False,
    fmt: Annotated[Fmt, _fmt_option("table, or json (byte-identical for the same arguments)")] = Fmt.table,
    allow_paths: AllowPaths = False,
) -> None:
    """Monte Carlo over the scenario's uncertain inputs (ranges and scenario-wide defaults)."""
    from realpolitik.uncertainty import monte_carlo, montecarlo_to_json, render_montecarlo

    with _friendly():
        out = _deprecated("montecarlo", "--out", "--out-dir", old_out, out_dir)
        s = load(scenario, allow_paths=allow_paths)
        model = _model_name(model)
        kind = executor.value if executor is not None else ("dask" if scheduler else "serial")
        if scheduler and kind != "dask":
            raise UserError(f"--scheduler needs --executor dask, not {kind}")
        if resume and out is None:
            raise UserError("--resume needs --out-dir DIR (the folder of the run to continue)")
        thresholds = _parse_thresholds(threshold)
        with _bar(f"{s.id}: Monte Carlo ({model})", total=draws, unit="draws", quiet=quiet) as bar:
            result = monte_carlo(
                s,
                draws=draws,
                model=model,
                seed=seed,
                executor=kind,
                out=out,
                resume=resume,
                workers=workers,
                scheduler=scheduler,
                thresholds=thresholds or None,
                progress=(lambda done, total: bar.update(done, total)) if bar.enabled else False,
                deal_probe=not no_deals,
                chunk_size=chunk_size,
                **_parse_params(param),
            )
        _warn_once(list(result.notes))  # chunks of an earlier run that could not be trusted
        if fmt is Fmt.json:
            if not result.inputs:  # the table's headline says so; JSON readers hear it here
                _warn(
                    f"{s.id}: no input is uncertain, so every draw repeats the point forecast (docs/uncertainty.md)"
                )
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
            metavar="CASE",
            help="built-in ids, scenario files, long tables (CSV/Parquet) or folders "
            "\\[default: every built-in with an outcome]",
            show_default=False,
        ),
    ] = None,
    model: Models = defaults.COMPARE,
    old_models: Annotated[str | None, typer.Option("--models", hidden=True)] = None,
    draws: Annotated[
        int,
        typer.Option(
            "--draws", "-n", min=0, metavar="N", help="Monte Carlo draws per case and model (0: none)"
        ),
    ] = 0,
    seed: Seed = defaults.SEED,
    uncertainty: Annotated[
        str | None,
        typer.Option(
            metavar="SPEC",
            help="input uncertainty for long tables and scenarios without an uncertainty block, "
            "e.g. position=0.05,salience=0.1,capability=0.1",
        ),
    ] = None,
    executor: Annotated[
        ExecutorName | None,
        typer.Option(case_sensitive=False, help="where cases run \\[default: serial; dask with --scheduler]"),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, metavar="N", help="workers for processes/dask \\[default: usable cores]"),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(metavar="ADDRESS", help="address of a running Dask scheduler")
    ] = None,
    chunk_size: Annotated[int, typer.Option(min=1, metavar="N", help="long-table cases per chunk")] = 100,
    figure: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="also write an SVG figure of error per model, baselines marked"),
    ] = None,
    force: Annotated[bool, flag("--force", help="replace the --figure file if it exists")] = False,
    verbose: Annotated[bool, flag("--verbose", "-v", help="every case and every leaky number")] = False,
    fmt: Annotated[TableFmt, _fmt_option("table, json or csv (one row per scored issue)")] = TableFmt.table,
    quiet: Quiet = False,
) -> None:
    """Score each model's ruled forecast against recorded outcomes, beside naive baselines.

    Clean cases (inputs dated before the decision) and leaky ones are summarised apart."""
    from realpolitik.backtest import Uncertainty, backtest
    from realpolitik.backtest.render import render_backtest

    with _friendly():
        given = None if model == defaults.COMPARE else model  # --model said explicitly, beside --models?
        models = _deprecated("backtest", "--models", "--model", old_models, given) or model
        kind = executor.value if executor is not None else ("dask" if scheduler else "serial")
        if scheduler and kind != "dask":
            raise UserError(f"--scheduler needs --executor dask, not {kind}")
        if figure is not None and figure.exists() and not force:
            raise UserError(f"{figure}: already exists; refusing to overwrite it (use --force)")
        unc = Uncertainty.parse(uncertainty) if uncertainty else None
        names = _models_arg(models)
        with _bar("backtest", unit="cases", quiet=quiet) as bar:
            result = backtest(
                cases or None,
                models=names,
                draws=draws,
                seed=seed,
                uncertainty=unc,
                executor=kind,
                workers=workers,
                scheduler=scheduler,
                chunk_size=chunk_size,
                progress=lambda done, total: bar.update(done, total),
            )
        if figure is not None:
            from realpolitik.backtest.figure import error_figure

            figure.write_text(error_figure(result), encoding="utf-8")
        if fmt is TableFmt.json:
            _print_json(result.to_json())
        elif fmt is TableFmt.csv:
            sys.stdout.write(result.to_csv())
        else:
            render_backtest(result, console, verbose=verbose)
            if figure is not None:
                console.print(f"wrote {esc(figure)}")


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
            help="access token every request must carry (or set REALPOLITIK_TOKEN); default: none, "
            "which only 127.0.0.1 allows",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Open the web app: edit scenarios in a grid, run any part, compare runs (needs the optional web extra)."""
    from realpolitik.web import MissingExtraError
    from realpolitik.web.server import ServeError
    from realpolitik.web.server import serve as run_server

    with _friendly():
        try:
            run_server(host=host, port=port, db=db, token=token)
        except (MissingExtraError, ServeError) as exc:
            raise UserError(str(exc)) from None


@app.command()
def version() -> None:
    """Print the version, and whether the compiled kernels are in use."""
    from realpolitik._native import status

    console.print(f"realpolitik {__version__}")
    console.print(f"compiled kernels: {status()}", markup=False, highlight=False, soft_wrap=True)


def main() -> None:
    """Console entry point.

    The command line does not load pydantic plugins: finding them scans every installed package's
    metadata on each start (about 2% of a small forecast's work), and no command needs one. An
    explicit ``PYDANTIC_DISABLE_PLUGINS`` in the environment is respected, and the Python API (which
    does not go through here) loads plugins as pydantic normally does.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
