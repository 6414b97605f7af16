"""Reports: the analysis bundle, the summary card, ranked findings, and HTML / Markdown / JSON / PDF output.

Rendering (:mod:`realpolitik.report.render`, Jinja2 templates) returns text; this module writes files.
Jinja2, Plotly and matplotlib are imported only when a report is rendered.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from realpolitik.report.analysis import (
    DEFAULT_DRAWS,
    DEFAULT_MODEL,
    DEFAULT_MODEL_REASON,
    Analysis,
    Progress,
    run_analysis,
)
from realpolitik.report.findings import Finding, findings
from realpolitik.report.summary import AgreementLine, IssueLine, ModelValue, SummaryCard, summary_card
from realpolitik.scenario import Scenario, load

__all__ = [
    "DEFAULT_DRAWS",
    "DEFAULT_MODEL",
    "DEFAULT_MODEL_REASON",
    "FORMATS",
    "AgreementLine",
    "Analysis",
    "Finding",
    "IssueLine",
    "ModelValue",
    "OutputDirError",
    "Progress",
    "ReportFormatError",
    "SummaryCard",
    "check_output_dir",
    "check_report_target",
    "chromium",
    "findings",
    "prepare_output_dir",
    "report",
    "report_format",
    "run_analysis",
    "summary_card",
    "write_report",
]

MARKER = ".realpolitik-scenario"

#: Report formats by file extension.
FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".json": "json", ".pdf": "pdf"}


class OutputDirError(ValueError):
    """The output folder belongs to another scenario (one line, naming both)."""


class ReportFormatError(ValueError):
    """The report cannot be written in the asked format (one line saying why and what to do)."""


def _check_parents(path: Path) -> None:
    """Raise OutputDirError when a folder on the way to ``path`` is a file (``-o notes.txt/out``)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputDirError(f"{parent}: is not a folder, so {path} cannot be written")
            return


def check_output_dir(out: Path, scenario_id: str, *, force: bool = False) -> None:
    """Raise OutputDirError when ``out`` may not receive ``scenario_id``'s report; change nothing."""
    marker = out / MARKER
    _check_parents(out)
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"{out}: exists and is not a folder")
    if marker.exists():
        owner = marker.read_text(encoding="utf-8").strip()
        if owner != scenario_id and not force:
            raise OutputDirError(
                f"{out}: holds the report of scenario {owner!r}, not {scenario_id!r}; choose another folder with "
                "--out-dir or pass --force to replace it"
            )
    elif out.exists() and any(out.iterdir()) and not force:
        raise OutputDirError(
            f"{out}: is not empty and was not written by realpolitik; choose another folder with --out-dir"
        )


def prepare_output_dir(out: Path, scenario_id: str, *, force: bool = False) -> Path:
    """Create ``out`` for ``scenario_id``; refuse a folder that holds another scenario's report."""
    check_output_dir(out, scenario_id, force=force)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(scenario_id + "\n", encoding="utf-8")
    return out


def chromium() -> str | None:
    """The headless Chromium used for PDF export: ``$REALPOLITIK_CHROMIUM`` or the first on PATH."""
    env = os.environ.get("REALPOLITIK_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def report_format(path: str | Path, fmt: str | None = None) -> str:
    """The format of the report at ``path``: ``fmt`` when given, else from the extension.

    Raises :class:`ReportFormatError` for an unknown format or extension, and for ``pdf`` when no
    Chromium is installed, before any work is done.
    """
    p = Path(path)
    if fmt is not None:
        kind = fmt.lower()
        if kind not in set(FORMATS.values()):
            raise ReportFormatError(f"--format {fmt!r}: expected html, md, json or pdf")
    else:
        ext = p.suffix.lower()
        if ext not in FORMATS:
            raise ReportFormatError(
                f"{p}: cannot tell the report format from {ext or 'a name without extension'!r}; "
                "use .html, .md, .json or .pdf, or give --format"
            )
        kind = FORMATS[ext]
    if kind == "pdf" and chromium() is None:
        raise ReportFormatError(
            f"{p}: PDF export needs headless Chromium (chromium on PATH or REALPOLITIK_CHROMIUM); none found. "
            "Write HTML (-o report.html) and print it from a browser, or install chromium"
        )
    return kind


def check_report_target(path: str | Path, fmt: str | None = None, *, overwrite: bool = False) -> None:
    """Raise before any work when the report cannot be written to ``path`` without overwriting.

    The format must be known (:func:`report_format`); ``path`` must not be a folder; without
    ``overwrite`` it must not exist, nor (for Markdown) may the figure folder beside it
    (``<stem>_figures/``) hold files already. :func:`write_report` checks every file again when it writes.
    """
    p = Path(path)
    kind = report_format(p, fmt)
    _check_parents(p)
    if p.is_dir():
        raise OutputDirError(f"{p}: is a folder, expected a file name for the report")
    if overwrite:
        return
    if p.exists() or p.is_symlink():
        raise FileExistsError(f"{p}: already exists; refusing to overwrite it (use --force)")
    figures = p.parent / f"{p.stem}_figures"
    if kind == "md" and figures.is_dir() and any(figures.iterdir()):
        raise FileExistsError(
            f"{figures}: already holds files; refusing to overwrite them (use --force, or another name)"
        )


def write_report(
    analysis: Analysis,
    path: str | Path,
    fmt: str | None = None,
    *,
    overwrite: bool = False,
    interactive: bool = True,
) -> list[Path]:
    """Write the report as ``html``, ``md``, ``json`` or ``pdf`` (told by ``fmt`` or the file extension).
    ``interactive=False``: an HTML report with static SVG figures only, no embedded plotly.js.

    Every file (the report, and for Markdown its figures in ``<stem>_figures/``) is rendered into a
    temporary folder first; then, unless ``overwrite``, nothing is written if any of them already exists.
    Returns the paths written, the report first.
    """
    p = Path(path)
    kind = report_format(p, fmt)
    if p.is_dir():
        raise OutputDirError(f"{p}: is a folder, expected a file name for the report")
    p.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".realpolitik-", dir=p.parent))
    try:
        staged = _render(analysis, stage / p.name, kind, interactive=interactive)
        targets = [(f, p.parent / f.relative_to(stage)) for f in staged]
        if not overwrite:
            taken = [t for _, t in targets if t.exists() or t.is_symlink()]
            if taken:
                more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
                raise FileExistsError(
                    f"{taken[0]}: already exists{more}; refusing to overwrite it (use --force)"
                )
        for src, dst in targets:
            if dst.is_dir():
                raise OutputDirError(f"{dst}: is a folder, expected to write a file there")
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
        return [dst for _, dst in targets]
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _render(analysis: Analysis, p: Path, kind: str, *, interactive: bool = True) -> list[Path]:
    """Write the report to ``p`` (in a staging folder); the files written, the report first."""
    if kind == "json":
        p.write_text(json.dumps(analysis.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return [p]
    from realpolitik.report import render

    if kind == "html":
        p.write_text(render.render_html(analysis, interactive=interactive), encoding="utf-8")
        return [p]
    if kind == "pdf":
        _write_pdf(render.render_html(analysis, for_print=True), p)
        return [p]
    fig_dir = p.parent / f"{p.stem}_figures"
    text, figs = render.render_markdown(analysis, fig_dir.name)
    written = [p]
    if figs:
        fig_dir.mkdir(parents=True, exist_ok=True)
    for name, svg in figs.items():
        f = fig_dir / name
        f.write_text(svg, encoding="utf-8")
        written.append(f)
    p.write_text(text, encoding="utf-8")
    return written


def _write_pdf(html: str, out: Path, timeout: float = 180.0) -> None:
    exe = chromium()
    if exe is None:  # pragma: no cover - report_format checked it
        raise ReportFormatError(f"{out}: PDF export needs headless Chromium; none found")
    with tempfile.TemporaryDirectory(prefix="realpolitik-pdf-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        target = Path(tmp) / "report.pdf"
        args = [exe, "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp}/profile",
                "--no-pdf-header-footer", f"--print-to-pdf={target}", page.as_uri()]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReportFormatError(f"{out}: Chromium could not print the report ({exc})") from None
        if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
            raise ReportFormatError(f"{out}: Chromium could not print the report ({last[:200]})")
        shutil.move(str(target), out)


def report(
    scenario: Any,
    path: str | Path,
    *,
    seed: int = 0,
    draws: int = DEFAULT_DRAWS,
    fmt: str | None = None,
    model: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Analyse ``scenario`` (a Scenario, built-in id or path) and write the report to ``path``.

    Existing files are not overwritten unless ``overwrite`` (checked before the analysis runs).
    """
    check_report_target(path, fmt, overwrite=overwrite)
    s = scenario if isinstance(scenario, Scenario) else load(scenario)
    a = run_analysis(
        s,
        seed=seed,
        draws=draws,
        model=model,
        command=f"realpolitik report {s.id} -o {Path(path).name} --seed {seed}",
    )
    return write_report(a, path, fmt, overwrite=overwrite)[0]
