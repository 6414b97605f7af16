"""The rendered view of a run (summary card and report sections) as JSON, and back.

A run stores the report's own data (:class:`~realpolitik.report.summary.SummaryCard` and the
:mod:`realpolitik.report.view` blocks, figures with their Plotly spec and static SVG), so the results
page and the downloaded HTML report show exactly what the run computed, with the report's templates,
without computing anything again.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from realpolitik.report.summary import SummaryCard
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


def card_from_json(d: dict[str, Any]) -> SummaryCard:
    """The stored card (the report's own :meth:`SummaryCard.from_json`)."""
    return SummaryCard.from_json(d)


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
