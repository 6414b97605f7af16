"""The normalised event table (one row per event and dyad) that every reader produces.

=============  ========  ====================================================================
column         type      meaning
=============  ========  ====================================================================
date           date      when the event took place (or, by choice, when GDELT added it)
source         text      ISO 3166-1 alpha-3 of the source actor's country (None: no country)
target         text      ISO alpha-3 of the target actor's country
source_code    text      the source country as the file gives it (CAMEO code, ICEWS name, ISO)
target_code    text      the target country as the file gives it
event_code     text      CAMEO event code with leading zeros (POLECAT: the PLOVER event type)
root_code      text      first two digits of the CAMEO code (None for PLOVER types)
quad_class     int8      1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
                         4 material conflict: the file's own where it has one, else derived
goldstein      float64   Goldstein weight of the CAMEO code from GDELT's own table (None for
                         PLOVER types and for codes GDELT's table lacks)
mentions       int32     GDELT NumMentions (None for ICEWS and POLECAT)
sources        int32     GDELT NumSources (None for ICEWS and POLECAT)
dataset        text      gdelt1, gdelt2, icews or polecat
file           text      the file (``archive.zip:member`` for zip members) the row came from
problem        text      None, or why the row cannot be used: ``bad date``, ``bad event code``,
                         ``unknown country code`` (the row is kept, the unknown side is None)
=============  ========  ====================================================================
"""

from __future__ import annotations

COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "DATE"),
    ("source", "VARCHAR"),
    ("target", "VARCHAR"),
    ("source_code", "VARCHAR"),
    ("target_code", "VARCHAR"),
    ("event_code", "VARCHAR"),
    ("root_code", "VARCHAR"),
    ("quad_class", "TINYINT"),
    ("goldstein", "DOUBLE"),
    ("mentions", "INTEGER"),
    ("sources", "INTEGER"),
    ("dataset", "VARCHAR"),
    ("file", "VARCHAR"),
    ("problem", "VARCHAR"),
)
NAMES = tuple(c for c, _ in COLUMNS)

ON_READ = {
    "root_code": "CASE WHEN dataset <> 'polecat' THEN substr(event_code, 1, 2) END",
    "source_code": "COALESCE(source_code, source)",
    "target_code": "COALESCE(target_code, target)",
}
"""How reading a Parquet part of the store computes these columns of the table (SQL over the part).

A part does not store ``root_code`` (the first two digits of the CAMEO code), and stores a GDELT row's
``source_code``/``target_code`` only where it differs from the ISO code (``ROM`` for ``ROU``, regions,
unknown codes): most CAMEO country codes are ISO codes, and writing these three text columns in full
added about a tenth to the time of an ingest."""
STORED: tuple[tuple[str, str], ...] = tuple((c, t) for c, t in COLUMNS if c != "root_code")
"""The columns of a Parquet part of the store, in order."""

PROBLEMS = ("wrong column count", "bad date", "bad event code", "unknown country code", "bad encoding")
"""Reasons a row is reported. Rows with the first three (and undecodable rows) are not used; rows
with an unknown country code are kept, the unknown side left empty."""

# GDELT field positions (0-based), the same in 1.0 (57/58 fields) and 2.0 (61 fields): the 2.0 ADM2
# columns come after these.
GDELT = {
    "date": 1,
    "actor1_country": 7,
    "actor2_country": 17,
    "event_code": 26,
    "quad_class": 29,
    "mentions": 31,
    "sources": 32,
}
GDELT_DATEADDED = {57: 56, 58: 56, 61: 59}

ICEWS = {
    "date": ("event date",),
    "source": ("source country",),
    "target": ("target country",),
    "event_code": ("cameo code",),
}
POLECAT = {
    "date": ("event date", "date"),
    "source": ("actor country", "actor_country"),
    "target": ("recipient country", "recipient_country"),
    "event_type": ("event type", "event_type"),
    "quad": ("quad code", "quad_code", "quad class"),
    "source_cow": ("actor cow",),
    "target_cow": ("recipient cow",),
}
