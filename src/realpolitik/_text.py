"""Text from files, made safe to show: control characters visible, Rich markup inert, no ``-0``.

Names, notes and paths come from files that analysts share. Printed raw, an ESC or OSC sequence in a
name would drive the reader's terminal (clear the screen, set the title, draw a link), a bidi override
(U+202E) would reorder what the reader sees, and ``[/bold]`` would be read as Rich markup. Every piece of
user text on its way to a terminal goes through :func:`esc` (Rich) or :func:`visible` (plain text).

>>> visible("Al\\x1b]0;pwned\\x07pha \\u202egnp.exe")
'Al\\\\x1b]0;pwned\\\\x07pha \\\\u202egnp.exe'
>>> esc("[/bold] and [link=x]")
'\\\\[/bold] and \\\\[link=x]'
>>> num(-0.0001, ".2f"), num(-0.0), num(float("nan"))
('0.00', '0', '—')
"""

from __future__ import annotations

import math
import re
import unicodedata

# C0 controls except tab and line feed, DEL, C1 controls, the line/paragraph separators, and the bidi
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what a reader sees.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Rich markup tags start with a letter, '#', '/' or '@' inside square brackets (rich.markup.RE_TAGS).
_MARKUP = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")


def _escape_char(c: str) -> str:
    code = ord(c)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def unsafe_chars(text: str, *, multiline: bool = False) -> list[str]:
    """The control and bidi characters of ``text`` that :func:`visible` would escape, as escapes.

    With ``multiline`` a line feed, carriage return and tab are allowed (descriptions and notes).
    """
    if multiline:
        found = _UNSAFE.findall(text.replace("\r", ""))
    else:
        found = _UNSAFE_LINE.findall(text)
    return list(dict.fromkeys(_escape_char(c) for c in found))


def visible(text: object, *, one_line: bool = False) -> str:
    """``text`` with control characters and bidi overrides shown as ``\\xNN`` / ``\\uNNNN`` escapes.

    Tabs and line feeds stay (folded into spaces with ``one_line``); nothing else changes, so the
    result of an already visible text is the same text.
    """
    s = str(text).replace("\r\n", "\n")
    if one_line:
        s = re.sub(r"[\t\n]+", " ", s)
    return _UNSAFE.sub(lambda m: _escape_char(m.group(0)), s)


def esc(text: object) -> str:
    """``text`` made :func:`visible` and with Rich markup escaped: printed by Rich exactly as written."""
    s = _MARKUP.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", visible(text))
    if s.endswith("\\") and not s.endswith("\\\\"):
        s += "\\"  # a trailing backslash would escape the markup that follows it
    return s


_ASCII_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\- ]*\Z")
ID_RULE = (
    "expected an id of letters (any script), digits, '_', '-', '.' or spaces, "
    "starting with a letter, digit or '_'"
)


def is_id(text: object) -> bool:
    """Whether ``text`` is a valid id: letters of any script (with their combining marks), digits,
    ``_ - .`` and spaces, starting with a letter, digit or ``_``; no control or invisible characters.

    >>> [is_id(x) for x in ("JPN", "Россия", "भारत", "e-u.1 x", "-a", "a\u202eb", "a\u200db", "")]
    [True, True, True, True, False, False, False, False]
    """
    if not isinstance(text, str) or not text:
        return False
    if _ASCII_ID.match(text):
        return True
    first = text[0]
    if not (first.isalnum() or first == "_"):
        return False
    return all(c.isalnum() or c in "_.- " or unicodedata.category(c)[0] == "M" for c in text[1:])


def num(value: float, spec: str = "g", missing: str = "—") -> str:
    """``format(value, spec)`` that never writes ``-0`` (``-0.0``, or ``-0.00`` from rounding)."""
    v = float(value)
    if not math.isfinite(v):
        return missing if math.isnan(v) else ("∞" if v > 0 else "−∞")
    text = format(v + 0.0, spec)
    if text.startswith("-") and not any(ch in "123456789" for ch in text.split("e")[0]):
        text = text[1:]
    return text


def human(ident: str) -> str:
    """An id as words in a sentence (``military_status`` → ``military status``)."""
    return str(ident).replace("_", " ")


def and_list(items: list[str] | tuple[str, ...]) -> str:
    """``A``, ``A and B``, ``A, B and C``.

    >>> and_list(["JPN"]), and_list(["JPN", "RUS"]), and_list(["JPN", "RUS", "USA"])
    ('JPN', 'JPN and RUS', 'JPN, RUS and USA')
    """
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def the(agreement_id: str, issues: tuple[str, ...] | list[str] = ()) -> str:
    """An agreement in the middle of a sentence: ``the peace treaty``, or ``the agreement on economic
    cooperation`` for a consent issue agreed on its own.

    >>> the("peace_treaty", ("territory", "military_status")), the("trade", ("trade",))
    ('the peace treaty', 'the agreement on trade')
    """
    if tuple(issues) == (agreement_id,):
        return "the agreement on " + human(agreement_id)
    return "the " + human(agreement_id)


_NOT_SLUG = re.compile(r"[^\w.\-]+")


def slug(text: object, fallback: str = "scenario") -> str:
    """A file or folder name made from an id: letters (any script), digits, ``_``, ``.`` and ``-`` kept,
    every run of other characters (spaces, slashes, brackets, controls) one ``-``; never empty, never
    starting with ``.`` or ``-``.

    >>> slug("japan-russia-2016"), slug("My case (draft) 2/3"), slug("../.."), slug("  ")
    ('japan-russia-2016', 'My-case-draft-2-3', 'scenario', 'scenario')
    """
    s = _NOT_SLUG.sub("-", str(text)).strip("-.")
    s = re.sub(r"-{2,}", "-", s)
    return s[:100].rstrip("-.") or fallback
