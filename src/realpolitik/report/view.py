"""The report as data: sections made of a few kinds of blocks, rendered by the HTML and Markdown templates.

Every text here is plain text (never markup): the templates escape it for their format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Cell:
    """A table cell: text, and optionally an actor colour swatch or a style (``yes``, ``no``, ``muted``)."""

    text: str
    swatch: str | None = None
    style: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    style: str | None = None  # None, "note", "verdict-yes", "verdict-no", "flag"
    kind: str = "para"


@dataclass(frozen=True)
class Heading:
    text: str
    kind: str = "heading"


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]
    kind: str = "items"


@dataclass(frozen=True)
class Pre:
    text: str
    kind: str = "pre"


@dataclass(frozen=True)
class Table:
    head: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    numeric: frozenset[int] = frozenset()
    caption: str | None = None
    kind: str = "table"


@dataclass(frozen=True)
class Figure:
    """One figure: a static SVG (Markdown, print, no script) and, for the HTML page, a Plotly spec."""

    id: str
    title: str
    caption: str
    svg: str
    plotly: dict[str, Any] | None = None
    height: int = 320
    kind: str = "figure"


@dataclass(frozen=True)
class Details:
    """Folded content (``<details>`` in HTML; a sub-heading in Markdown)."""

    summary: str
    blocks: tuple[Any, ...]
    kind: str = "details"


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Any] = field(default_factory=list)
    model: str | None = None  # "Model: X, because ..." shown under the heading

    def figures(self) -> list[Figure]:
        out: list[Figure] = []

        def walk(blocks: Any) -> None:
            for b in blocks:
                if isinstance(b, Figure):
                    out.append(b)
                elif isinstance(b, Details):
                    walk(b.blocks)

        walk(self.blocks)
        return out


def cells(*values: Any) -> tuple[Cell, ...]:
    return tuple(v if isinstance(v, Cell) else Cell(str(v)) for v in values)


def table(
    head: list[str], rows: list[list[Any]], numeric: set[int] | None = None, caption: str | None = None
) -> Table:
    return Table(tuple(head), tuple(cells(*r) for r in rows), frozenset(numeric or ()), caption)
