"""The rendered view of a run (summary card and report sections) as JSON, and back.

A run stores the report's own data (:class:`~realpolitik.report.summary.SummaryCard` and the
:mod:`realpolitik.report.view` blocks, figures with their Plotly spec and static SVG), so the results
page and the downloaded HTML report show exactly what the run computed, with the report's templates,
without computing anything again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
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


#: The part of the analysis each report section shows (the findings, the scenario and how to reproduce
#: are shown for every run).
SECTION_PARTS = {
    "forecasts": "forecasts",
    "deals": "deals",
    "uncertainty": "montecarlo",
    "environment": "sweep",
    "trust": "trust",
}

ALL_PARTS = ("forecasts", "deals", "sweep", "montecarlo", "trust")


def part_words(parts: tuple[str, ...], model: str | None) -> str:
    """What a run computed, in words: ``every model's forecast and the deal analysis``."""
    m = f"{model} " if model else ""
    words = {
        "forecasts": "every model's forecast",
        "deals": "the deal analysis (no bargaining model)",
        "sweep": f"the {m}environment sweep",
        "montecarlo": f"the {m}Monte Carlo and sensitivity runs",
        "trust": "the backtest of the analogues",
    }
    items = [words[p] for p in ALL_PARTS if p in parts]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class RunView:
    """What a run's page (and its downloaded report) shows: only the parts the run computed."""

    card: SummaryCard | None  # None: nothing of the summary card was computed (a sweep alone)
    sections: list[Section]
    hide: list[str] = field(default_factory=list)  # columns of the card's issue table not computed


def for_run(card: SummaryCard, sections: list[Section], parts: tuple[str, ...]) -> RunView:
    """The card and sections of a run of ``parts`` (:data:`realpolitik.web.worker.KINDS`), without the
    sections of parts it did not run and with the findings' and reproduction's words about what it ran.

    The report's builders describe a full analysis; a run of one part keeps their blocks and says what
    it computed instead.
    """
    if set(ALL_PARTS) <= set(parts):
        return RunView(card, sections)
    kept: list[Section] = []
    what = part_words(parts, card.model)
    for sec in sections:
        part = SECTION_PARTS.get(sec.id)
        if part is not None and part not in parts:
            continue
        if sec.id == "findings":
            sec = Section(
                sec.id,
                sec.title,
                sec.blocks,
                f"Generated from what this run computed, most important first, each with the number it rests on: {what}.",
            )
        elif sec.id == "reproduce" and len(sec.blocks) == 3 and isinstance(sec.blocks[2], Para):
            note = Para(
                f"This run computed {what}; the full analysis (realpolitik analyze) adds the other parts. Every "
                "number above comes from the scenario file and the documented methods (docs/).",
                "note",
            )
            sec = Section(sec.id, sec.title, [*sec.blocks[:2], note], sec.model)
        kept.append(sec)
    hide = []
    forecasts, mc = "forecasts" in parts, "montecarlo" in parts
    if not forecasts:
        hide.append("forecasts")
    if not mc:
        hide.append("montecarlo")
    headlines = tuple(h for h in card.headlines if forecasts or (h.kind == "agreement" and "deals" in parts))
    agreements = card.agreements if forecasts or "deals" in parts else ()
    trimmed = replace(card, headlines=headlines, agreements=agreements)
    shown = headlines or agreements or forecasts or mc
    return RunView(trimmed if shown else None, kept, hide)
