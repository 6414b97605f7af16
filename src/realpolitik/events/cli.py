"""``realpolitik events``: ingest event files, dyad series, figures, link calibration, synthetic files.

Light at import (Typer and Rich only): DuckDB, pandas and statsmodels load inside the commands, with one
clear error when the ``events`` extra is missing.
"""

import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.markup import escape

from realpolitik._cli_base import CONTEXT, Group, flag
from realpolitik._lazy import lazy_function
from realpolitik._terminal import FitTable, Ident, ProgressBar, SafeConsole, show_progress

# the store and series modules load when a command runs, not when ``realpolitik`` lists its commands
if TYPE_CHECKING:
    from realpolitik.events.series import dyads as dyad_series
    from realpolitik.events.series import parse_pairs
    from realpolitik.events.store import ingest as ingest_files
else:
    dyad_series = lazy_function("realpolitik.events.series", "dyads")
    parse_pairs = lazy_function("realpolitik.events.series", "parse_pairs")
    ingest_files = lazy_function("realpolitik.events.store", "ingest")

app = typer.Typer(
    help="Event data (GDELT, ICEWS, POLECAT): ingest files, dyad series, figures, link calibration.",
    no_args_is_help=True,
    context_settings=CONTEXT,
    cls=Group,
)
console = SafeConsole(highlight=False, emoji=False)
err = SafeConsole(stderr=True, highlight=False, emoji=False)


class OutFmt(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    parquet = "parquet"


class Fmt(str, Enum):
    table = "table"
    json = "json"


class Engine(str, Enum):
    duckdb = "duckdb"
    dask = "dask"


@contextmanager
def _friendly() -> Iterator[None]:
    """Input errors as one line on standard error and exit status 1 (no traceback)."""
    try:
        yield
    except FileNotFoundError as exc:
        err.print(f"[red]error[/red] {escape(str(exc.filename or exc))}: no such file", soft_wrap=True)
        raise typer.Exit(1) from None
    except (ValueError, ImportError, FileExistsError, KeyError, OSError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        err.print(f"[red]error[/red] {escape(str(msg))}", soft_wrap=True)
        raise typer.Exit(1) from None


def _json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


@app.command()
def ingest(
    files: Annotated[list[str], typer.Argument(help="event files, folders or globs (plain, .gz or .zip)")],
    db: Annotated[Path, typer.Option("--db", help="event store folder (created if needed)")],
    dataset: Annotated[
        str | None, typer.Option(help="gdelt1, gdelt2, icews or polecat (default: detect)")
    ] = None,
    date_field: Annotated[
        str, typer.Option(help="event (when it happened) or added (GDELT DATEADDED)")
    ] = "event",
    engine: Annotated[Engine, typer.Option(help="duckdb (one machine) or dask (a cluster)")] = Engine.duckdb,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address, e.g. tcp://host:8786")
    ] = None,
    fmt: Annotated[Fmt, typer.Option("--format", case_sensitive=False, help="table or json")] = Fmt.table,
    quiet: Annotated[
        bool,
        flag("--quiet", "-q", help="no progress bar (none is drawn when standard error is not a terminal)"),
    ] = False,
) -> None:
    """Read event files into a store; report rows and bad rows per file and reason."""
    with _friendly():
        with ProgressBar("ingest", unit="files", enabled=show_progress(err, quiet), console=err) as bar:
            rep = ingest_files(
                files,
                db,
                engine=engine.value,
                scheduler=scheduler,
                dataset=dataset,
                date_field=date_field,
                progress=lambda name, done, total: bar.update(done, total, f"ingest {name}"),
            )
        data = rep.to_json()
        if fmt is Fmt.json:
            _json(data)
        else:
            t = FitTable(title=f"Ingested into {escape(str(db))}")
            for c in ("file", "data set", "status", "rows", "bad rows (reason: n)", "dates"):
                t.add_column(c)
            for f in data["files"]:
                bad = ", ".join(f"{k}: {n}" for k, n in f["bad"].items()) or "-"
                dates = Ident(f"{f['min_date']}..{f['max_date']}") if f["min_date"] else "-"
                status = f["status"] if not f.get("duplicate_of") else "duplicate"
                t.add_row(Ident(f["name"]), f["dataset"], status, str(f["rows"]), escape(bad), dates)
            console.print(t)
            tot = data["totals"]
            console.print(
                f"{tot['files']} files, {tot['rows']} rows; bad rows: "
                + (", ".join(f"{k} {n}" for k, n in tot["bad"].items()) or "none")
            )
            for f in data["files"]:
                if f.get("note"):
                    console.print(
                        f"[yellow]note[/yellow] {escape(f['name'])}: {escape(f['note'])}", soft_wrap=True
                    )
        for e in data["errors"]:
            err.print(f"[red]error[/red] {escape(e['error'])}", soft_wrap=True)
        if data["errors"]:
            raise typer.Exit(1)


def _series(
    db: Path,
    pairs: str | None,
    period: str,
    undirected: bool,
    weight: str | None,
    dataset: str | None,
    start: str | None,
    end: str | None,
    engine: Engine,
    scheduler: str | None,
) -> Any:
    return dyad_series(
        db,
        pairs=parse_pairs(pairs) if pairs else None,
        period=period,
        directed=not undirected,
        weight=weight,
        datasets=[dataset] if dataset else None,
        start=start,
        end=end,
        engine=engine.value,
        scheduler=scheduler,
    )


@app.command()
def dyads(
    db: Annotated[Path, typer.Option("--db", help="event store folder")],
    pairs: Annotated[str | None, typer.Option(help="dyads, e.g. CHN-JPN,JPN-RUS (default: all)")] = None,
    period: Annotated[str, typer.Option(help="day, week, month, quarter or year")] = "month",
    undirected: Annotated[bool, flag("--undirected", help="A-B and B-A together")] = False,
    weight: Annotated[str | None, typer.Option(help="mentions: count mentions instead of events")] = None,
    dataset: Annotated[str | None, typer.Option(help="use one data set of the store")] = None,
    start: Annotated[str | None, typer.Option(help="first day (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, typer.Option(help="last day (YYYY-MM-DD)")] = None,
    fmt: Annotated[
        OutFmt, typer.Option("--format", case_sensitive=False, help="table, json, csv or parquet")
    ] = OutFmt.table,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", metavar="FILE", help="file to write (needed for parquet)")
    ] = None,
    engine: Annotated[Engine, typer.Option(help="duckdb or dask")] = Engine.duckdb,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address")] = None,
    force: Annotated[bool, flag("--force", help="replace the --out file if it exists")] = False,
) -> None:
    """Dyad series per period: counts by quad class, Goldstein mean and sum, conflict share."""
    with _friendly():
        if out is not None and out.exists() and not force:
            raise FileExistsError(f"{out}: already exists; refusing to overwrite it (--force to replace)")
        ds = _series(db, pairs, period, undirected, weight, dataset, start, end, engine, scheduler)
        for w in ds.warnings:
            err.print(f"[yellow]warning[/yellow] {escape(w)}", soft_wrap=True)
        data = ds.to_json()
        if fmt is OutFmt.parquet:
            if out is None:
                raise ValueError("--format parquet needs --out FILE")
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(ds.rows), out)
            console.print(f"wrote {len(ds.rows)} rows to {out}")
            return
        if fmt is OutFmt.json:
            text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        elif fmt is OutFmt.csv:
            buf = io.StringIO()
            cols = ["source", "target", "period", "start", "end", "observed", *data["measures"]]
            w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            for r in data["rows"]:
                w.writerow({k: ("" if r[k] is None else r[k]) for k in cols})
            text = buf.getvalue()
        else:
            t = FitTable(
                title=f"Dyads per {escape(period)}" + (" (weighted by mentions)" if weight else ""),
                caption="coop, conflict: verbal/material events",
                box=box.SIMPLE_HEAD,
            )
            for c in ("dyad", "period", "events", "coop", "conflict", "conflict share", "Goldstein mean"):
                t.add_column(c, justify="left" if c in ("dyad", "period") else "right")
            arrow = "→" if not undirected else "–"

            def num(v: Any, f: str = "{}") -> str:
                return "·" if v is None else f.format(v)

            for r in data["rows"]:
                t.add_row(
                    Ident(f"{r['source']}{arrow}{r['target']}"),
                    Ident(r["period"]),
                    num(r["events"]),
                    f"{num(r['verbal_coop'])}/{num(r['material_coop'])}",
                    f"{num(r['verbal_conflict'])}/{num(r['material_conflict'])}",
                    num(r["conflict_share"], "{:.2f}"),
                    num(r["goldstein_mean"], "{:.2f}"),
                )
            console.print(t)
            console.print("· = missing (no events of the dyad, or a period the store does not cover)")
            return
        if out is not None:
            out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)


@app.command()
def plot(
    db: Annotated[Path, typer.Option("--db", help="event store folder")],
    pairs: Annotated[str, typer.Option(help="dyads, e.g. CHN-JPN,JPN-RUS")],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE", help="figure file (.svg or .png)")],
    measure: Annotated[
        str, typer.Option(help="measure to plot, e.g. conflict_share, events, goldstein_mean")
    ] = "conflict_share",
    period: Annotated[str, typer.Option(help="day, week, month, quarter or year")] = "month",
    undirected: Annotated[bool, flag("--undirected", help="A-B and B-A together")] = False,
    dataset: Annotated[str | None, typer.Option(help="use one data set of the store")] = None,
    start: Annotated[str | None, typer.Option(help="first day (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, typer.Option(help="last day (YYYY-MM-DD)")] = None,
    force: Annotated[bool, flag("--force", help="replace the figure file if it exists")] = False,
) -> None:
    """A figure of one measure for some dyads over time (SVG, as the report uses)."""
    with _friendly():
        from realpolitik.events.plot import plot_measure
        from realpolitik.events.series import MEASURES

        if measure not in MEASURES:
            raise ValueError(f"unknown measure {measure!r}; expected one of {', '.join(MEASURES)}")
        if out.exists() and not force:
            raise FileExistsError(f"{out}: already exists; refusing to overwrite it (--force to replace)")
        ds = _series(db, pairs, period, undirected, None, dataset, start, end, Engine.duckdb, None)
        plot_measure(ds, measure, out)
        console.print(f"wrote {out}")


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="scenario file (or built-in id)")],
    db: Annotated[Path, typer.Option("--db", help="event store folder")],
    link: Annotated[
        str, typer.Option(help="the link: its target (e.g. JPN.salience.russia_china_front) or index")
    ],
    driver: Annotated[str, typer.Option(help="driver series DYAD:MEASURE, e.g. CHN-JPN:conflict_share")],
    response: Annotated[
        str, typer.Option(help="response series DYAD:MEASURE, e.g. JPN-RUS:cooperation_share")
    ],
    out: Annotated[Path, typer.Option("-o", "--out", metavar="FILE", help="new scenario file to write")],
    period: Annotated[str, typer.Option(help="day, week, month, quarter or year")] = "month",
    start: Annotated[str | None, typer.Option(help="first day of the window (YYYY-MM-DD)")] = None,
    end: Annotated[str | None, typer.Option(help="last day of the window (YYYY-MM-DD)")] = None,
    dataset: Annotated[str | None, typer.Option(help="use one data set of the store")] = None,
    driver_scale: Annotated[
        str | None, typer.Option(help="low,high of the driver measure (shares: 0,1)")
    ] = None,
    response_scale: Annotated[
        str | None, typer.Option(help="low,high of the response mapped onto the parameter")
    ] = None,
    level: Annotated[float, typer.Option(help="confidence level of the intervals")] = 0.95,
    indicator: Annotated[
        str | None, typer.Option(help="name of the driver indicator added to the scenario")
    ] = None,
    force: Annotated[bool, flag("--force", help="replace the --out file if it exists")] = False,
    fmt: Annotated[Fmt, typer.Option("--format", case_sensitive=False, help="table or json")] = Fmt.table,
) -> None:
    """Estimate a link's base and gain from event series (OLS, HAC errors) into a new scenario file."""
    with _friendly():
        if not 0.5 <= level < 1:
            raise ValueError(f"--level must be in [0.5, 1), got {level}")
        src = Path(scenario)
        if src.exists() and out.resolve() == src.resolve() and not force:
            raise FileExistsError(
                f"{out}: is the input scenario; refusing to overwrite it (--force to replace)"
            )
        if out.exists() and not force:
            raise FileExistsError(f"{out}: already exists; refusing to overwrite it (--force to replace)")
        # NumPy, statsmodels and the scenario layer load only when a calibration runs (start-up time)
        from realpolitik.events.calibrate import SeriesSpec
        from realpolitik.events.calibrate import calibrate as calibrate_link
        from realpolitik.scenario.io import load, save

        s = load(scenario)
        new, cal = calibrate_link(
            s,
            db,
            link=link,
            driver=SeriesSpec.parse(driver, _scale(driver_scale, "--driver-scale")),
            response=SeriesSpec.parse(response, _scale(response_scale, "--response-scale")),
            period=period,
            start=start,
            end=end,
            datasets=[dataset] if dataset else None,
            level=level,
            indicator=indicator,
            db_ref=_db_ref(db, out),
        )
        save(new, out, overwrite=force)
        if fmt is Fmt.json:
            _json({**cal.to_json(), "out": str(out)})
            return
        console.print(escape(cal.sentence()))
        if not cal.significant:
            console.print(
                f"[yellow]not significant[/yellow]: the {cal.level:.0%} interval of the gain contains 0; "
                "the link keeps the estimate and its range, and its note says so"
            )
        console.print(f"wrote {out} (link {cal.link}: {cal.target} = base + gain × {cal.indicator})")


def _scale(text: str | None, opt: str) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        raise ValueError(f"{opt}: expected LOW,HIGH, got {text!r}") from None
    return lo, hi


def _db_ref(db: Path, out: Path) -> str:
    """How the new scenario names the store: relative to its own folder when possible."""
    try:
        return os.path.relpath(db.resolve(), out.resolve().parent)
    except ValueError:
        return str(db.resolve())


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="folder to write synthetic files into")],
    rows: Annotated[int, typer.Option(help="events per format")] = 6000,
    seed: Annotated[
        int,
        typer.Option("--seed", min=0, metavar="N", help="seed of every random step: same seed, same output"),
    ] = 0,
    months: Annotated[int, typer.Option(help="months covered")] = 96,
    start: Annotated[str, typer.Option(help="first month (YYYY-MM-DD)")] = "2009-01-01",
    compression: Annotated[str, typer.Option(help="zip, gzip or none")] = "zip",
    force: Annotated[bool, flag("--force", help="write into a folder that has files")] = False,
) -> None:
    """Write SYNTHETIC files in the exact GDELT/ICEWS/POLECAT formats (for trying the pipeline; not data)."""
    with _friendly():
        if out.exists() and any(out.iterdir()) and not force:
            raise FileExistsError(f"{out}: folder has files; refusing to write into it (--force to add)")
        from realpolitik.events.generate import PLANTED, write_demo

        if compression not in ("zip", "gzip", "none"):
            raise ValueError(f"--compression must be zip, gzip or none, got {compression!r}")
        if rows < 100:
            raise ValueError("--rows must be at least 100")
        paths = write_demo(out, seed=seed, rows=rows, months=months, start=start, compression=compression)
        console.print(f"wrote {len(paths)} synthetic files to {out}")
        console.print(
            f"planted: cooperation_share(JPN→RUS) = {PLANTED['a']} + {PLANTED['b']} × conflict_share(CHN→JPN), per month"
        )
