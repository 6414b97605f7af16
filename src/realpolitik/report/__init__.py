"""Reports: the analysis bundle, generated findings, figures, and HTML / Markdown / JSON output."""

from __future__ import annotations

import json
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
    "findings",
    "prepare_output_dir",
    "report",
    "run_analysis",
    "write_report",
]

MARKER = ".realpolitik-scenario"


class OutputDirError(ValueError):
    """The output folder belongs to another scenario (one line, naming both)."""


def check_output_dir(out: Path, scenario_id: str, *, force: bool = False) -> None:
    """Raise OutputDirError when ``out`` may not receive ``scenario_id``'s report; change nothing."""
    marker = out / MARKER
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


def write_report(analysis: Analysis, path: str | Path, fmt: str | None = None) -> list[Path]:
    """Write the report as ``html``, ``md`` or ``json`` (told by ``fmt`` or the file extension)."""
    from realpolitik.report import html as html_mod

    p = Path(path)
    kind = fmt or {".md": "md", ".json": "json"}.get(p.suffix.lower(), "html")
    p.parent.mkdir(parents=True, exist_ok=True)
    if kind == "json":
        p.write_text(json.dumps(analysis.to_json(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return [p]
    doc = html_mod.render(analysis)
    if kind == "html":
        p.write_text(doc, encoding="utf-8")
        return [p]
    if kind == "md":
        from realpolitik.report.markdown import html_to_markdown

        text, figs = html_to_markdown(doc, p)
        p.write_text(text, encoding="utf-8")
        return [p, *figs]
    raise ValueError(f"report format {kind!r}: expected html, md or json")


def report(
    scenario: Any, path: str | Path, *, seed: int = 0, draws: int = DEFAULT_DRAWS, fmt: str | None = None
) -> Path:
    """Analyse ``scenario`` (a Scenario, built-in id or path) and write the report to ``path``."""
    from realpolitik.scenario import Scenario, load

    s = scenario if isinstance(scenario, Scenario) else load(scenario)
    a = run_analysis(
        s, seed=seed, draws=draws, command=f"realpolitik report {s.id} -o {Path(path).name} --seed {seed}"
    )
    return write_report(a, path, fmt)[0]
