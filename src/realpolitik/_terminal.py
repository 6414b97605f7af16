"""The terminal side of the command line: a safe console, ids that fold only at word boundaries, progress.

- :class:`SafeConsole` never lets a string drive the terminal or crash on markup;
- :class:`Ident` is an id (or any short label) in a Rich table cell: when its column is narrow it folds
  after ``_ - . / , (`` or a space, never inside a word, so ``economic_cooperation`` becomes
  ``economic_`` / ``cooperation`` rather than ``economic_cooperat`` / ``ion``;
- :class:`FitTable` is a Rich table that, when it must shrink to fit the terminal, narrows prose columns
  before id columns and never narrows a column below its widest word (Rich alone would cut numbers and
  ids to even out the widths);
- :class:`ProgressBar` is a Rich progress bar on standard error with a total and an estimated time left,
  shown only on a terminal, not with ``--quiet``, and only once the work has run for half a second.

>>> fold_id("economic_cooperation", 12)
['economic_', 'cooperation']
>>> fold_id("threat(CHN, JPN)", 8)
['threat(', 'CHN,', 'JPN)']
>>> fold_id("supercalifragilistic", 8)  # one word longer than the column: cut only then
['supercal', 'ifragili', 'stic']
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.errors import MarkupError
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from realpolitik._text import visible


class SafeConsole(Console):
    """A Rich console that never lets a string drive the terminal or crash on markup.

    Every string it renders has its control characters and bidi overrides made visible first (so a
    missed :func:`~realpolitik._text.esc` cannot clear a screen), and markup it cannot parse is printed
    as written instead of raising ``MarkupError``. User text should still go through ``esc`` so that
    ``[draft]`` in a name prints as ``[draft]``.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        text = visible(text)
        try:
            return super().render_str(text, **kwargs)
        except MarkupError:
            return super().render_str(text, **{**kwargs, "markup": False})


# A break is allowed after these characters (and a run of spaces): the boundaries of an id's words.
_BREAK = re.compile(r"(?:(?<=[_\-./,:;= ])|(?<=\w\())(?=[^ ])")


def id_parts(text: str) -> list[str]:
    """``text`` cut after every word boundary of an id (``_ - . / , : ; =``, spaces, and an opening
    bracket that follows a letter, as in ``threat(``).

    >>> id_parts("russia_china_front"), id_parts("JPN.salience.territory")
    (['russia_', 'china_', 'front'], ['JPN.', 'salience.', 'territory'])
    """
    return [p for p in _BREAK.split(text) if p] or [""]


def fold_id(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` cells, broken only at word boundaries (:func:`id_parts`);
    a single word wider than ``width`` is cut, as nothing else fits."""
    width = max(1, width)
    lines: list[str] = []
    cur = ""
    for part in id_parts(text):
        if cur and cell_len((cur + part).rstrip()) > width:
            lines.append(cur.rstrip())
            cur = ""
        cur += part
        while cell_len(cur.rstrip()) > width and cell_len(cur) > 1:
            cut = _cut(cur, width)
            lines.append(cur[:cut])
            cur = cur[cut:]
    if cur or not lines:
        lines.append(cur.rstrip())
    return lines


def _cut(text: str, width: int) -> int:
    """The longest prefix of ``text`` that fits ``width`` cells (at least one character)."""
    n = 0
    for k, ch in enumerate(text):
        n += cell_len(ch)
        if n > width:
            return max(1, k)
    return len(text)


class Ident:
    """An id in a table cell or header: as wide as it is when there is room, folded at word boundaries
    (:func:`fold_id`) when the column is narrower, never cut inside a word unless that word alone is
    wider than the column. The text is shown as written (control characters made visible, no markup).
    """

    def __init__(self, text: object, style: str = "") -> None:
        self.text = visible(str(text), one_line=True)
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest_word = max(cell_len(p.rstrip()) for p in id_parts(self.text))
        return Measurement(widest_word, cell_len(self.text)).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = fold_id(self.text, options.max_width)
        yield Text("\n".join(lines), style=self.style, no_wrap=True, overflow="fold")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Ident({self.text!r})"


class FitTable(Table):
    """A :class:`rich.table.Table` that fits the width without cutting words when that is possible.

    When the table is wider than the terminal, the widest prose column is narrowed first (its text wraps
    at spaces), then the widest column of :class:`Ident` cells (folded at word boundaries), and no column
    below its widest word. Only when even that does not fit does Rich's own rule apply (which cuts);
    :func:`fits` tells in advance, so a caller can choose another layout.
    """

    def _calculate_column_widths(self, console: Console, options: ConsoleOptions) -> list[int]:
        avail = options.max_width  # Rich passes the width left for the columns (borders taken off)
        ranges = [self._measure_column(console, options, c) for c in self.columns]
        widths = [r.maximum for r in ranges]
        mins = [r.minimum for r in ranges]
        if self.expand or sum(widths) <= avail or sum(mins) > avail:
            return super()._calculate_column_widths(console, options)
        ids = [any(_has_ident(cell) for cell in (c.header, *c._cells)) for c in self.columns]
        # a short column (a two-word header over numbers, say) wraps at once; a long one down to PROSE_WIDTH
        comfortable = [
            m if w <= self.PROSE_WIDTH else max(m, self.PROSE_WIDTH)
            for m, w in zip(mins, widths, strict=True)
        ]
        excess = sum(widths) - avail
        # prose down to a comfortable width, then ids down to their widest word, then prose to its own
        for id_group, floor in ((False, comfortable), (True, mins), (False, mins)):
            while excess > 0:
                slack = [k for k in range(len(widths)) if ids[k] == id_group and widths[k] > floor[k]]
                if not slack:
                    break
                widest = max(widths[k] for k in slack)
                for k in slack:
                    if widths[k] == widest and excess > 0:
                        widths[k] -= 1
                        excess -= 1
        return widths

    PROSE_WIDTH = 20
    """A long prose column narrows to this many cells (or its widest word) before any id column folds."""


def _has_ident(renderable: object) -> bool:
    """An :class:`Ident`, or a group of renderables holding one."""
    if isinstance(renderable, Ident):
        return True
    return any(_has_ident(r) for r in getattr(renderable, "renderables", ()))


def fits(table: Table, console: Console, width: int | None = None) -> bool:
    """Whether ``table`` fits ``width`` (default: the console's) without cutting a word of any cell."""
    avail = (console.width if width is None else width) - table._extra_width
    options = console.options.update_width(max(1, avail))
    return sum(table._measure_column(console, options, c).minimum for c in table.columns) <= avail


def show_progress(console: Console, quiet: bool = False) -> bool:
    """Whether a progress bar goes to ``console``: a terminal, and not ``--quiet``."""
    return not quiet and console.is_terminal


class ProgressBar:
    """A progress bar on ``console`` with a total, the count done, the elapsed time and the time left.

    Nothing is drawn when ``enabled`` is false, nor before ``delay`` seconds have passed (a command that
    ends sooner shows no bar); the bar disappears when it is closed. ``update`` and ``advance`` are cheap
    enough to call per step. Use as a context manager.
    """

    def __init__(
        self,
        label: str,
        *,
        total: float | None = None,
        unit: str = "",
        enabled: bool = True,
        console: Console | None = None,
        delay: float = 0.5,
    ) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.enabled = enabled
        self.console = console
        self.delay = delay
        self.done = 0.0
        self._start = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._lock = threading.Lock()
        self._closed = False
        self._timer: threading.Timer | None = None
        if enabled:  # drawn after ``delay`` even if no step reports by then (a long first step)
            self._timer = threading.Timer(delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _show(self) -> None:
        with self._lock:
            if not self._closed and self._bar is None:
                self._open()

    def advance(self, n: float = 1) -> None:
        self.update(self.done + n)

    def update(self, done: float, total: float | None = None, label: str | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if label is not None:
            self.label = label
        if not self.enabled:
            return
        with self._lock:
            if self._closed:
                return
            if self._bar is None:
                if time.monotonic() - self._start < self.delay:
                    return
                self._open()
            self._bar.update(
                self._task, completed=self.done, total=self.total, description=self.label, count=self._count()
            )

    def _count(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        total = "?" if self.total is None else f"{self.total:,.0f}"
        return f"{self.done:,.0f}/{total}{unit}"

    def _open(self) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            TextColumn("{task.fields[count]}", markup=False),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            TextColumn("· left"),
            TimeRemainingColumn(),
            console=self.console or Console(stderr=True),
            transient=True,
            speed_estimate_period=600.0,  # slow steps (a case, an analysis step) still give an estimate
        )
        self._bar.start()
        self._task = self._bar.add_task(
            self.label, total=self.total, completed=self.done, count=self._count()
        )
        task = self._bar.tasks[-1]  # the clock starts with the work, not with the bar
        task.start_time = (task.start_time or 0.0) - (time.monotonic() - self._start)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
