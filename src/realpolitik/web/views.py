"""The rendered view of a run (summary card and report sections) as JSON, and back.

A run stores the report's own data (:class:`~realpolitik.report.summary.SummaryCard` and the
:mod:`realpolitik.report.view` blocks, figures with their Plotly spec and static SVG), so the results
page and the downloaded HTML report show exactly what the run computed, with the report's templates,
without computing anything again.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from realpolitik.report.summary import AgreementLine, IssueLine, ModelValue, SummaryCard
from realpolitik.report.view import Cell, Details, Figure, Heading, Items, Para, Pre, Section, Table


def dump(card: SummaryCard, sections: list[Section], *, title: str, subtitle: str) -> dict[str, Any]:
    """JSON-ready data of a card and its sections (sets become sorted lists)."""
    return {
        "title": title,
        "subtitle": subtitle,
        "card": _plain(asdict(card)),
        "sections": [_plain(asdict(s)) for s in sections],
    }


def _plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    return obj


def _pair(v: Any) -> tuple[float, float] | None:
    return (v[0], v[1]) if isinstance(v, (list, tuple)) and len(v) == 2 else None


def _model_value(d: dict[str, Any] | None) -> ModelValue | None:
    if d is None:
        return None
    return ModelValue(
        model=d["model"],
        outcome=d.get("outcome"),
        pressure=d.get("pressure"),
        converged=d.get("converged"),
        cycle_length=d.get("cycle_length"),
        cycle_range=_pair(d.get("cycle_range")),
    )


def card_from_json(d: dict[str, Any]) -> SummaryCard:
    issues = []
    for i in d.get("issues", []):
        issues.append(
            IssueLine(
                issue=i["issue"],
                name=i["name"],
                unit=i.get("unit"),
                bounds=_pair(i["bounds"]) or (0.0, 1.0),
                status_quo=i.get("status_quo"),
                model=i.get("model"),
                outcome=i.get("outcome"),
                pressure=i.get("pressure"),
                label=i.get("label"),
                converged=i.get("converged"),
                cycle_range=_pair(i.get("cycle_range")),
                models=tuple(m for m in (_model_value(x) for x in i.get("models", [])) if m is not None),
                models_low=_model_value(i.get("models_low")),
                models_high=_model_value(i.get("models_high")),
                models_agree=i.get("models_agree"),
                mc_model=i.get("mc_model"),
                mc_median=i.get("mc_median"),
                mc_interval=_pair(i.get("mc_interval")),
                mc_modes=tuple(i.get("mc_modes") or ()),
                flags=tuple(i.get("flags") or ()),
            )
        )
    agreements = [
        AgreementLine(
            name=a["name"],
            issues=tuple(a.get("issues") or ()),
            signers=tuple(a.get("signers") or ()),
            veto_holders=tuple(a.get("veto_holders") or ()),
            accepted=a.get("accepted"),
            n_feasible=a.get("n_feasible"),
            n_packages=a.get("n_packages"),
            refused_by=tuple(a.get("refused_by") or ()),
            blockers=tuple(a.get("blockers") or ()),
            opening_concession=a.get("opening_concession"),
            probability=a.get("probability"),
            probability_model=a.get("probability_model"),
            nearest=a.get("nearest"),
            package=a.get("package"),
        )
        for a in d.get("agreements", [])
    ]
    return SummaryCard(
        scenario=d["scenario"],
        title=d["title"],
        as_of=d.get("as_of"),
        model=d.get("model"),
        model_reason=d.get("model_reason", ""),
        issues=tuple(issues),
        agreements=tuple(agreements),
        uncertainty=d.get("uncertainty"),
        flags=tuple(d.get("flags") or ()),
    )


def _block(d: dict[str, Any]) -> Any:
    kind = d.get("kind")
    if kind == "para":
        return Para(d["text"], d.get("style"))
    if kind == "heading":
        return Heading(d["text"])
    if kind == "items":
        return Items(tuple(d["items"]))
    if kind == "pre":
        return Pre(d["text"])
    if kind == "table":
        rows = tuple(
            tuple(Cell(c["text"], c.get("swatch"), c.get("style")) for c in row) for row in d["rows"]
        )
        return Table(tuple(d["head"]), rows, frozenset(d.get("numeric") or ()), d.get("caption"))
    if kind == "figure":
        return Figure(
            d["id"], d["title"], d["caption"], d.get("svg", ""), d.get("plotly"), int(d.get("height", 320))
        )
    if kind == "details":
        return Details(d["summary"], tuple(_block(b) for b in d.get("blocks", [])))
    raise ValueError(f"unknown block kind {kind!r}")


def sections_from_json(items: list[dict[str, Any]]) -> list[Section]:
    return [
        Section(s["id"], s["title"], [_block(b) for b in s.get("blocks", [])], s.get("model")) for s in items
    ]


def load(d: dict[str, Any]) -> tuple[SummaryCard, list[Section]]:
    """The card and sections of a stored view."""
    return card_from_json(d["card"]), sections_from_json(d.get("sections", []))


def figure_specs(sections: list[Section]) -> dict[str, Any]:
    """``{figure id: Plotly spec}`` of every interactive figure (the page's data block)."""
    return {f.id: f.plotly for sec in sections for f in sec.figures() if f.plotly is not None}
