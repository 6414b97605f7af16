"""Lookup tables for event data: CAMEO codes, Goldstein weights, countries (package data).

Everything here is plain Python (no pandas, no DuckDB) so that importing it stays cheap. Codes are
strings: ``"010"`` (make statement) and ``"10"`` (demand) are different codes.

>>> goldstein()["0874"], goldstein()["20"]
(10.0, -10.0)
>>> quad_class("14"), quad_class("09"), quad_class("15")
(3, 2, 4)
>>> to_iso3("ROM"), to_iso3("ROU"), to_iso3("AFR"), to_iso3("XYZ")
('ROU', 'ROU', None, None)
>>> country_from_name("Russian Federation"), country_from_name("Korea, Republic of")
('RUS', 'KOR')
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

PACKAGE = "realpolitik.data.events"

QUAD_NAMES = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}
"""GDELT's QuadClass values (codebook)."""

ROOT_QUAD = {f"{r:02d}": (1 if r <= 5 else 2 if r <= 9 else 3 if r <= 14 else 4) for r in range(1, 21)}
"""CAMEO root → quad class by GDELT's rule (01–05 → 1, 06–09 → 2, 10–14 → 3, 15–20 → 4), the convention
GDELT's own QuadClass follows (verified over 88,185 GDELT 1.0 events, shared/events/FORMATS.md §6.1) and
the one used here for data without a quad class (ICEWS)."""

PLOVER_QUAD = {
    **dict.fromkeys(("AGREE", "CONSULT", "SUPPORT", "CONCEDE"), 1),
    **dict.fromkeys(("COOPERATE", "AID", "RETREAT"), 2),
    **dict.fromkeys(("REQUEST", "ACCUSE", "REJECT", "SANCTION", "THREATEN"), 3),
    **dict.fromkeys(("PROTEST", "MOBILIZE", "COERCE", "ASSAULT"), 4),
}
"""PLOVER event type → quad class, from the "Quad categories in PLOVER" table of the PLOVER manual
(draft 2.0, 2024). The manual is inconsistent on SANCTION; its quad table (verbal conflict) is used."""

POLECAT_QUAD_TEXT = {
    "VERBAL COOPERATION": 1,
    "MATERIAL COOPERATION": 2,
    "VERBAL CONFLICT": 3,
    "MATERIAL CONFLICT": 4,
}


def _rows(name: str) -> list[list[str]]:
    text = (resources.files(PACKAGE) / name).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))[1:]


@cache
def goldstein() -> dict[str, float]:
    """CAMEO event code → Goldstein weight, from GDELT's own table (311 codes)."""
    return {code: float(v) for code, v in _rows("goldstein.tsv")}


@cache
def event_descriptions() -> dict[str, str]:
    """CAMEO event code → GDELT's description, verbatim (defects included)."""
    return {code: text for code, text in _rows("cameo_eventcodes.tsv")}


@cache
def cameo_countries() -> dict[str, tuple[str | None, str]]:
    """CAMEO country/region code → (ISO alpha-3 or None, kind)."""
    return {code: (iso or None, kind) for code, iso, kind in _rows("cameo_iso3.tsv")}


@cache
def iso3166() -> dict[str, str]:
    """ISO alpha-3 code → name."""
    return {code: name for code, name in _rows("iso3166.tsv")}


@cache
def country_map() -> dict[str, str | None]:
    """Every code a data set may put in a country field → ISO alpha-3 (None: known, not a country).

    CAMEO codes (regions map to None), ISO alpha-3 codes (GDELT's coder emits some that are not in the
    CAMEO list, e.g. ``ROU``, ``SSD``). A code absent from this map is an unknown country code.
    """
    out: dict[str, str | None] = {code: code for code in iso3166()}
    out.update({code: iso for code, (iso, _kind) in cameo_countries().items()})
    return out


@cache
def cow_map() -> dict[str, str]:
    """Correlates of War state abbreviation or number (as text) → ISO alpha-3."""
    out: dict[str, str] = {}
    for abb, num, iso in _rows("cow_iso3.tsv"):
        out[abb] = iso
        out[num] = iso
    return out


@cache
def country_names() -> dict[str, str]:
    """Lower-case country name → ISO alpha-3 (for ICEWS, which gives names)."""
    return {name: iso for name, iso in _rows("country_names.tsv")}


def to_iso3(code: str | None) -> str | None:
    """The ISO alpha-3 code for a CAMEO or ISO country code (None for regions and unknown codes)."""
    if not code:
        return None
    return country_map().get(code.strip().upper())


def country_from_name(name: str | None) -> str | None:
    """The ISO alpha-3 code for a country name (None when unknown or empty)."""
    if not name:
        return None
    return country_names().get(name.strip().lower())


def quad_class(event_code: str) -> int | None:
    """Quad class of a CAMEO code by GDELT's root rule (None when the root is not 01–20)."""
    return ROOT_QUAD.get(event_code[:2])
