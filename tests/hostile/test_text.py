"""The one escaping path for user text: control characters visible, markup inert, no ``-0``."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.markup import escape as rich_escape
from rich.text import Text
from tests.cli_support import RAW_CONTROL

import realpolitik as rp
from realpolitik._text import esc, is_id, num, visible
from realpolitik.cli import SafeConsole, _json_ready, render_scenario

anything = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


def _render(text: str, *, markup: bool = True) -> str:
    c = SafeConsole(file=io.StringIO(), width=200, color_system=None, highlight=False, emoji=False)
    c.print(text, markup=markup, soft_wrap=True)
    return c.file.getvalue()  # type: ignore[attr-defined]


@settings(max_examples=200, deadline=None)
@given(anything)
def test_escaped_text_prints_exactly_as_visible_text(text: str) -> None:
    text = text.replace("\t", " ")  # Rich expands tabs
    shown = _render(f"[dim]{esc(text)}[/dim]")  # inside markup, as the commands print it
    assert shown.rstrip("\n") == Text(visible(text)).plain.rstrip("\n")
    assert not any(c in shown for c in RAW_CONTROL)


@settings(max_examples=200, deadline=None)
@given(anything)
def test_esc_agrees_with_rich_on_printable_text_and_visible_is_idempotent(text: str) -> None:
    v = visible(text)
    assert visible(v) == v
    assert esc(v) == rich_escape(v)


@given(anything)
def test_the_safe_console_never_raises_on_markup_nor_passes_control_characters(text: str) -> None:
    shown = _render(f"[bold]{text}[/bold] {text}")  # even unescaped: no MarkupError, no raw ESC
    assert not any(c in shown for c in RAW_CONTROL)


def test_output_escapes_what_validation_would_have_refused() -> None:
    """Defence in depth: a scenario built without validation still cannot drive the terminal."""
    s = rp.load("ec-emissions-1994")
    evil = s.model_copy(update={"title": "T\x1b]0;pwned\x07 [/bold]\u202egnp", "description": "a\x1b[2Jb"})
    c = SafeConsole(file=io.StringIO(), width=200, color_system=None)
    render_scenario(evil, c)
    out = c.file.getvalue()  # type: ignore[attr-defined]
    assert "T\\x1b]0;pwned\\x07 [/bold]\\u202egnp" in out and "a\\x1b[2Jb" in out
    assert not any(ch in out for ch in RAW_CONTROL)


def test_negative_zero_is_never_written() -> None:
    assert [num(-0.0), num(-0.0001, ".2f"), num(-1e-20, ".1f"), num(-0.5, ".1f")] == [
        "0",
        "0.00",
        "0.0",
        "-0.5",
    ]
    assert num(-1e-30) == "-1e-30" and num(float("nan")) == "—"
    assert _json_ready({"a": [-0.0, 1.0, float("nan")]}) == {"a": [0.0, 1.0, None]}
    assert str(_json_ready(-0.0)) == "0.0"


def test_ids_of_any_script_but_no_invisible_characters() -> None:
    assert all(
        is_id(x) for x in ("JPN", "Россия", "日本", "भारत", "Ελλάδα", "עברית", "e\u0301tat", "_x 1.2-3")
    )
    assert not any(is_id(x) for x in ("", " a", "-a", "a\u200db", "a\u202eb", "a\nb", "a/b", "a[b]", "a:b"))
