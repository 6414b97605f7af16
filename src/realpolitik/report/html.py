"""The self-contained HTML report: inline CSS, inline SVG figures, no script, nothing fetched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from html import escape
from typing import Any

import numpy as np

from realpolitik.report import figures
from realpolitik.report.analysis import Analysis
from realpolitik.report.colors import actor_colors
from realpolitik.report.findings import findings
from realpolitik.scenario.io import iter_quantities

CSS = """
:root { --ink:#1d2430; --muted:#5b6472; --rule:#d9dde3; --accent:#0072B2; --bg:#fbfbfc; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color:var(--ink); background:var(--bg); }
header { background:#1d2430; color:#fff; padding:18px 32px; }
header h1 { margin:0; font-size:22px; font-weight:600; }
header p { margin:4px 0 0; color:#c9d1dc; font-size:13px; }
nav { position:sticky; top:0; background:#fff; border-bottom:1px solid var(--rule); padding:8px 32px; z-index:2; }
nav a { color:var(--accent); text-decoration:none; margin-right:18px; font-size:14px; }
main { max-width:1120px; margin:0 auto; padding:8px 32px 48px; }
section { margin-top:28px; }
h2 { font-size:19px; border-bottom:2px solid var(--accent); padding-bottom:4px; }
h3 { font-size:16px; margin-top:22px; }
table { border-collapse:collapse; margin:8px 0 14px; font-size:13.5px; background:#fff; }
th, td { border:1px solid var(--rule); padding:4px 9px; text-align:left; vertical-align:top; }
th { background:#f1f3f6; font-weight:600; }
td.num { text-align:right; font-variant-numeric: tabular-nums; }
.swatch { display:inline-block; width:11px; height:11px; border-radius:2px; margin-right:6px; vertical-align:-1px; }
figure { margin:12px 0 18px; background:#fff; border:1px solid var(--rule); padding:8px; }
figure svg { max-width:100%; height:auto; display:block; }
figcaption { color:var(--muted); font-size:13px; margin-top:4px; }
.note { color:var(--muted); font-size:13px; }
.finding { margin:6px 0; }
.finding .num { color:var(--muted); font-size:13px; }
.yes { color:#007a4d; font-weight:600; } .no { color:#b3261e; font-weight:600; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size:13px; }
pre { background:#fff; border:1px solid var(--rule); padding:10px; overflow-x:auto; }
"""


def _n(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return escape(str(v))
    if not np.isfinite(f):
        return "—"
    return f"{f:.{digits}f}"


def table(head: Iterable[str], rows: Iterable[Iterable[Any]], num_cols: set[int] | None = None) -> str:
    num_cols = num_cols or set()
    h = "".join(f"<th>{escape(str(c))}</th>" for c in head)
    body = []
    for r in rows:
        cells = []
        for k, c in enumerate(r):
            cls = ' class="num"' if k in num_cols else ""
            cells.append(f"<td{cls}>{c}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{h}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def figure(svg: str, caption: str, fig_id: str) -> str:
    return f'<figure id="{escape(fig_id)}" data-figure="{escape(fig_id)}">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


# ------------------------------------------------------------------------------------------- sections
def section_scenario(a: Analysis) -> str:
    s = a.scenario
    colors = actor_colors(s.actor_ids)
    vetoes = {v.actor: v.issues for v in s.vetoes}
    parts = [f"<p>{escape(s.description.strip())}</p>" if s.description else ""]
    rows = []
    for act in s.actors:
        cap = act.capability
        rows.append(
            [
                f'<span class="swatch" style="background:{colors[act.id]}"></span>{escape(act.id)}',
                escape(act.name),
                _n(cap.value, 4) if cap else "—",
                "party"
                if act.id in s.parties
                else ("veto on " + ", ".join(vetoes[act.id]) if act.id in vetoes else ""),
            ]
        )
    parts.append("<h3>Actors</h3>" + table(["id", "name", "capability", "role"], rows, {2}))
    rows = []
    for iss in s.issues:
        labels = "<br>".join(f"{k:g}: {escape(v)}" for k, v in sorted(iss.labels.items()))
        rows.append(
            [
                escape(iss.id),
                escape(iss.name),
                f"{iss.bounds[0]:g} – {iss.bounds[1]:g}" + (f" {escape(iss.unit)}" if iss.unit else ""),
                _n(iss.status_quo.value) if iss.status_quo else "—",
                labels,
            ]
        )
    parts.append(
        "<h3>Issues</h3>" + table(["id", "name", "scale", "status quo", "labelled points"], rows, {3})
    )
    head = ["actor"] + [i.id for i in s.issues]
    rows = []
    for act in s.actors:
        row = [f'<span class="swatch" style="background:{colors[act.id]}"></span>{escape(act.id)}']
        for iss in s.issues:
            st = s.stance(act.id, iss.id)
            row.append(
                "—"
                if st is None
                else f"{st.position.value:g} <span class='note'>(s {st.salience.value:.2f})</span>"
            )
        rows.append(row)
    parts.append(
        "<h3>Positions and saliences</h3>"
        + table(head, rows, set(range(1, len(head))))
        + "<p class='note'>Position on each issue's scale; salience (s) on 0–1.</p>"
    )
    if s.relations:
        rows = [
            [escape(r.from_), escape(r.to), escape(r.kind), _n(r.value.value), escape(r.note or "")]
            for r in s.relations
        ]
        parts.append("<h3>Relations</h3>" + table(["from", "to", "kind", "value", "note"], rows, {3}))
    if s.vetoes:
        rows = [[escape(v.actor), escape(", ".join(v.issues)), escape(v.note or "")] for v in s.vetoes]
        parts.append("<h3>Vetoes</h3>" + table(["actor", "issues", "note"], rows))
    # provenance
    judg = {k for k, src in s.sources.items() if src.kind == "judgment"}
    rows = []
    n_j = 0
    for path, q in iter_quantities(s):
        kind = "analyst judgment" if q.source in judg else ("sourced" if q.source else "no source")
        n_j += q.source in judg
        rng = f"[{q.range[0]:g}, {q.range[1]:g}]" if q.range else ""
        rows.append(
            [
                f"<code>{escape(path)}</code>",
                f"{q.value:g}",
                escape(rng),
                escape(q.source or "—"),
                kind,
                escape(q.note or ""),
            ]
        )
    src_rows = [
        [
            escape(k),
            escape(v.title),
            escape(v.kind),
            escape(" ".join(x for x in (v.author, v.publisher, str(v.date) if v.date else None) if x)),
            escape(v.url or ""),
        ]
        for k, v in s.sources.items()
    ]
    parts.append(
        "<h3>Sources</h3>"
        + (
            table(["key", "title", "kind", "by / date", "url"], src_rows)
            if src_rows
            else "<p class='note'>No sources declared.</p>"
        )
        + f"<h3>Provenance of every number</h3><p class='note'>{len(rows)} numbers; {n_j} are analyst judgment "
        "(source of kind judgment, with the note they rest on).</p>"
        + table(["field", "value", "range", "source", "kind", "note"], rows, {1})
    )
    return "".join(parts)


def section_forecasts(a: Analysis) -> str:
    s = a.scenario
    if not a.forecasts:
        return "<p class='note'>No model could run on this scenario.</p>"
    colors = actor_colors(s.actor_ids)
    head = ["issue", "status quo"] + [f.model for f in a.forecasts]
    rows = []
    for iss in s.issues:
        rows.append(
            [escape(iss.name), _n(iss.status_quo.value) if iss.status_quo else "—"]
            + [_n(f.outcome[iss.id]) for f in a.forecasts]
        )
    parts = [table(head, rows, set(range(1, len(head))))]
    if a.skipped:
        parts.append(
            "<p class='note'>"
            + "<br>".join(escape(f"{m} not run: {why}") for m, why in a.skipped.items())
            + "</p>"
        )
    for f in a.forecasts:
        note = f.extras.get("note") if isinstance(f.extras, dict) else None
        if note:
            parts.append(f"<p class='note'>{escape(f.model)}: {escape(str(note))}</p>")
    dynamic = [f for f in a.forecasts if np.asarray(f.trajectory).shape[0] > 1]
    if dynamic:
        parts.append("<h3>Trajectories of actors' positions</h3>")
        for j, iss in enumerate(s.issues):
            runs = []
            for f in dynamic:
                traj = np.asarray(f.trajectory)
                outcome = _outcome_by_round(f, iss.id)
                runs.append((f.model, traj[:, :, j], outcome))
            svg = figures.trajectories(iss.name, iss.unit, iss.bounds, iss.labels, s.actor_ids, runs, colors)
            parts.append(
                figure(
                    svg,
                    f"Each actor's position on {iss.name} after each round, by dynamic model; dashed: the model's outcome.",
                    f"trajectory-{iss.id}",
                )
            )
    return "".join(parts)


def _outcome_by_round(f: Any, issue_id: str) -> np.ndarray | None:
    ex = f.extras if isinstance(f.extras, dict) else {}
    for key in ("outcome_by_round", "median_by_round"):
        v = ex.get(key)
        if isinstance(v, dict) and issue_id in v:
            return np.asarray(v[issue_id], dtype=float)
    return None


def section_findings(a: Analysis) -> str:
    fs = findings(a)
    if not fs:
        return "<p class='note'>No findings.</p>"
    items = "".join(
        f"<li class='finding' data-section='{escape(f.section)}'>{escape(f.text)} <span class='num'>[{escape(f.number)}]</span></li>"
        for f in fs
    )
    return f"<ul>{items}</ul>"


def section_reproduce(a: Analysis) -> str:
    return (
        f"<p>Produced by realpolitik {escape(a.version)} with seed {a.seed}. To reproduce:</p>"
        f"<pre>{escape(a.command)}</pre>"
        f"<p class='note'>Models: {escape(', '.join(f.model for f in a.forecasts))}. "
        "Every number above comes from the scenario file and the models' documented methods (docs/models/).</p>"
    )


SECTIONS: list[tuple[str, str, Any]] = [
    ("findings", "Findings", section_findings),
    ("scenario", "Scenario", section_scenario),
    ("forecasts", "Forecasts", section_forecasts),
]


def extra_sections(a: Analysis) -> list[tuple[str, str, str]]:
    """Deals, environment and uncertainty sections, when those parts ran."""
    from realpolitik.report import parts

    out = []
    for sid, title, fn in parts.SECTIONS:
        body = fn(a)
        if body is None:
            note = a.notes.get(sid)
            if note:
                out.append((sid, title, f"<p class='note'>{escape(note)}</p>"))
            continue
        out.append((sid, title, body))
    return out


def render(a: Analysis) -> str:
    """The whole report as one HTML document."""
    s = a.scenario
    blocks = [(sid, title, fn(a)) for sid, title, fn in SECTIONS]
    blocks += extra_sections(a)
    blocks.append(("reproduce", "How to reproduce", section_reproduce(a)))
    nav = "".join(f'<a href="#{sid}">{escape(title)}</a>' for sid, title, _ in blocks)
    body = "".join(
        f'<section id="{sid}"><h2>{escape(title)}</h2>{html}</section>' for sid, title, html in blocks
    )
    date = dt.date.today().isoformat()
    sub = (
        f"{escape(s.id)}"
        + (f" · as of {s.as_of}" if s.as_of else "")
        + f" · realpolitik {escape(a.version)} · {date}"
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(s.title)} — realpolitik report</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(s.title)}</h1><p>{sub}</p></header><nav>{nav}</nav><main>{body}</main></body></html>"
    )
