"""Reports: the analysis bundle, generated findings, figures, and HTML / Markdown / JSON output."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from realpolitik.report.analysis import DEFAULT_DRAWS, Analysis, run_analysis
from realpolitik.report.findings import Finding, findings

__all__ = [
    "DEFAULT_DRAWS",
    "Analysis",
    "Finding",
    "OutputDirError",
    "check_output_dir",
    "check_report_target",
    "findings",
    "prepare_output_dir",
    "report",
    "run_analysis",
    "write_report",
]

MARKER = ".realpolitik-scenario"


class OutputDirError(ValueError):
    """The output folder belongs to another scenario (one line, naming both)."""


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
                f"{out}: holds the report of scenario {owner!r}, not {scenario_id!r}; choose another folder with -o "
                "or pass --force to replace it"
            )
    elif out.exists() and any(out.iterdir()) and not force:
        raise OutputDirError(
            f"{out}: is not empty and was not written by realpolitik; choose another folder with -o"
        )


def prepare_output_dir(out: Path, scenario_id: str, *, force: bool = False) -> Path:
    """Create ``out`` for ``scenario_id``; refuse a folder that holds another scenario's report."""
    check_output_dir(out, scenario_id, force=force)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(scenario_id + "\n", encoding="utf-8")
    return out


def _kind(path: Path, fmt: str | None) -> str:
    kind = fmt or {".md": "md", ".json": "json"}.get(path.suffix.lower(), "html")
    if kind not in ("html", "md", "json"):
        raise ValueError(f"report format {kind!r}: expected html, md or json")
    return kind


def check_report_target(path: str | Path, fmt: str | None = None, *, overwrite: bool = False) -> None:
    """Raise before any work when the report cannot be written to ``path`` without overwriting.

    ``path`` must not be a folder; without ``overwrite`` it must not exist, nor (for Markdown) may the
    figure folder beside it (``<stem>_figures/``) hold files already. :func:`write_report` checks every
    file again when it writes.
    """
    p = Path(path)
    kind = _kind(p, fmt)
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
    analysis: Analysis, path: str | Path, fmt: str | None = None, *, overwrite: bool = False
) -> list[Path]:
    """Write the report as ``html``, ``md`` or ``json`` (told by ``fmt`` or the file extension).

    Every file (the report, and for Markdown its figures) is rendered into a temporary folder first;
    then, unless ``overwrite``, nothing is written if any of them already exists. Returns the paths
    written, the report first.
    """
    p = Path(path)
    kind = _kind(p, fmt)
    if p.is_dir():
        raise OutputDirError(f"{p}: is a folder, expected a file name for the report")
    p.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".realpolitik-", dir=p.parent))
    try:
        staged = _render(analysis, stage / p.name, kind)
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


def _render(analysis: Analysis, p: Path, kind: str) -> list[Path]:
    """Write the report to ``p`` (in a staging folder); the files written, the report first."""
    from realpolitik.report import html as html_mod

    if kind == "json":
        p.write_text(json.dumps(analysis.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return [p]
    doc = html_mod.render(analysis)
    if kind == "html":
        p.write_text(doc, encoding="utf-8")
        return [p]
    from realpolitik.report.markdown import html_to_markdown

    text, figs = html_to_markdown(doc, p)
    p.write_text(text, encoding="utf-8")
    return [p, *figs]


def report(
    scenario: Any,
    path: str | Path,
    *,
    seed: int = 0,
    draws: int = DEFAULT_DRAWS,
    fmt: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Analyse ``scenario`` (a Scenario, built-in id or path) and write the report to ``path``.

    Existing files are not overwritten unless ``overwrite`` (checked before the analysis runs).
    """
    from realpolitik.scenario import Scenario, load

    check_report_target(path, fmt, overwrite=overwrite)
    s = scenario if isinstance(scenario, Scenario) else load(scenario)
    a = run_analysis(
        s, seed=seed, draws=draws, command=f"realpolitik report {s.id} -o {Path(path).name} --seed {seed}"
    )
    return write_report(a, path, fmt, overwrite=overwrite)[0]
