"""Which files to read and what they are: inputs (files, folders, globs; plain, gzip, zip) and formats.

Pure Python, no DuckDB or pandas. A *unit* is one table to read: a plain or gzipped file, or one member
of a zip archive. The format of a unit is told from its first lines:

- GDELT events have no header; the number of tab-separated fields says the variant: 57 (1.0 backfile,
  before 2013-04-01), 58 (1.0 daily) or 61 (2.0). The most common count among the first lines decides,
  so one malformed first line does not.
- ICEWS has a header with ``CAMEO Code`` and ``Source Country``.
- POLECAT has a header with ``Event Type`` (or ``Quad Code``) and ``Actor Country``.
"""

from __future__ import annotations

import glob
import gzip
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from realpolitik.events.schema import GDELT, GDELT_DATEADDED, ICEWS, POLECAT

Dataset = Literal["gdelt1", "gdelt2", "icews", "polecat"]
DATASETS: tuple[str, ...] = ("gdelt1", "gdelt2", "icews", "polecat")
GDELT_FIELDS = {57: "gdelt1", 58: "gdelt1", 61: "gdelt2"}
SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".zip", ".gz")


class EventFileError(ValueError):
    """A file that cannot be read as event data (the message names the file and what was expected)."""


@dataclass(frozen=True)
class Unit:
    """One table to read: ``path`` on disk, ``member`` inside a zip (or None), and its display name."""

    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        return str(self.path) if self.member is None else f"{self.path}:{self.member}"

    @property
    def compression(self) -> str:
        if self.member is not None:
            return "zip"
        return "gzip" if self.path.name.lower().endswith(".gz") else "none"


def expand(inputs: Iterable[str | Path]) -> list[Path]:
    """Files named by ``inputs``: files as given, folders searched recursively, globs expanded.

    Inside folders only names ending in .csv, .tsv, .tab, .txt, .zip or .gz count (any case); hidden
    files are skipped. The result is sorted and without duplicates; a name that matches nothing raises.
    """
    out: list[Path] = []
    for item in inputs:
        s = str(item)
        p = Path(s).expanduser()
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            found = [
                q
                for q in sorted(p.rglob("*"))
                if q.is_file()
                and not any(part.startswith(".") for part in q.relative_to(p).parts)
                and q.name.lower().endswith(SUFFIXES)
            ]
            if not found:
                raise EventFileError(f"{s}: folder has no event files (.csv, .tsv, .tab, .txt, .zip, .gz)")
            out.extend(found)
        elif any(ch in s for ch in "*?["):
            found = [Path(q) for q in sorted(glob.glob(str(p), recursive=True)) if Path(q).is_file()]
            if not found:
                raise EventFileError(f"{s}: no file matches")
            out.extend(found)
        else:
            raise EventFileError(f"{s}: no such file or folder")
    seen: dict[Path, None] = {}
    for q in out:
        seen.setdefault(q.resolve(), None)
    return sorted(seen)


def units(path: Path) -> list[Unit]:
    """The tables in one file: itself, or each member of a zip archive (folders and hidden members skipped).

    A damaged or truncated zip raises :class:`EventFileError` naming the file.
    """
    if not zipfile.is_zipfile(path):
        if path.name.lower().endswith(".zip"):
            raise EventFileError(f"{path}: not a readable zip archive (truncated or damaged)")
        return [Unit(path)]
    try:
        with zipfile.ZipFile(path) as zf:
            names = [
                i.filename
                for i in zf.infolist()
                if not i.is_dir() and not Path(i.filename).name.startswith((".", "__MACOSX"))
            ]
    except (zipfile.BadZipFile, OSError) as exc:
        raise EventFileError(f"{path}: not a readable zip archive ({exc})") from None
    if not names:
        raise EventFileError(f"{path}: zip archive has no files")
    return [Unit(path, n) for n in names]


def head(unit: Unit, nbytes: int = 1 << 16) -> bytes:
    """The first ``nbytes`` of a unit, decompressed (errors name the unit)."""
    try:
        if unit.member is not None:
            with zipfile.ZipFile(unit.path) as zf, zf.open(unit.member) as f:
                return f.read(nbytes)
        if unit.compression == "gzip":
            with gzip.open(unit.path, "rb") as f:
                return f.read(nbytes)
        with unit.path.open("rb") as f:
            return f.read(nbytes)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise EventFileError(f"{unit.name}: cannot read ({exc})") from None


def split_header(line: str) -> list[str]:
    """Header names of a tab-separated first line (trailing empty names from trailing tabs dropped)."""
    names = line.rstrip("\r\n").split("\t")
    while names and not names[-1].strip():
        names.pop()
    return [n.strip().strip('"') for n in names]


def detect(unit: Unit, sample: bytes | None = None) -> tuple[str, int]:
    """``(dataset, fields)`` of a unit: the data set and the number of fields of its data rows."""
    data = head(unit) if sample is None else sample
    text = data.decode("utf-8", errors="replace")
    lines = [ln for ln in text.split("\n")[:-1] if ln.strip()] or [text]
    first = lines[0].rstrip("\r")
    low = {n.lower() for n in split_header(first)}
    if "cameo code" in low and ("source country" in low or "source name" in low):
        return "icews", len(split_header(first))
    if ("event type" in low or "quad code" in low) and ("actor country" in low or "recipient country" in low):
        body = [ln.rstrip("\r").split("\t") for ln in lines[1:21]]
        fields = Counter(len(r) for r in body).most_common(1)[0][0] if body else len(split_header(first))
        return "polecat", fields
    counts = Counter(len(ln.rstrip("\r").split("\t")) for ln in lines[:20])
    fields = counts.most_common(1)[0][0]
    if fields in GDELT_FIELDS:
        return GDELT_FIELDS[fields], fields
    raise EventFileError(
        f"{unit.name}: cannot tell the format: lines have {fields} tab-separated fields; expected 57 or 58 "
        "(GDELT 1.0), 61 (GDELT 2.0), or a header of ICEWS (CAMEO Code, Source Country) or POLECAT "
        "(Event Type, Actor Country)"
    )


@dataclass(frozen=True)
class Layout:
    """Where the fields are in one unit: data set, field count, header row, positions (0-based)."""

    dataset: str
    fields: int
    header: bool
    pos: dict[str, int | None]
    note: str | None = None


def layout(unit: Unit, dataset: str | None = None, *, date_field: str = "event") -> Layout:
    """Detect (or check) the data set of ``unit`` and locate the fields the readers need.

    ``date_field`` is ``event`` (when the event happened) or ``added`` (GDELT's DATEADDED).
    """
    sample = head(unit)
    found, fields = detect(unit, sample)
    if dataset is not None and dataset != found:
        if not (dataset in ("gdelt1", "gdelt2") and found in ("gdelt1", "gdelt2")):
            raise EventFileError(f"{unit.name}: looks like {found}, not {dataset}")
        expected = {"gdelt1": (57, 58), "gdelt2": (61,)}[dataset]
        raise EventFileError(
            f"{unit.name}: {fields} fields per line; {dataset} has {' or '.join(map(str, expected))}"
        )
    if found in ("gdelt1", "gdelt2"):
        pos: dict[str, int | None] = dict(GDELT)
        if date_field == "added":
            pos["date"] = GDELT_DATEADDED[fields]
        return Layout(found, fields, False, pos)
    if date_field != "event":
        raise EventFileError(f"{unit.name}: only GDELT has a date-added field; use the event date")
    first = sample.decode("utf-8", errors="replace").split("\n", 1)[0]
    names = split_header(first)
    note = None
    if found == "polecat" and len(names) > fields and "Headline" in names:
        names = [n for n in names if n != "Headline"]
        note = "header names a Headline column the rows lack (a known POLECAT defect); ignored"
    if found == "polecat" and fields > len(names):
        note = f"rows have {fields - len(names)} empty trailing field(s) beyond the header (a known POLECAT defect)"
    lower = [n.lower() for n in names]
    spec = ICEWS if found == "icews" else POLECAT
    pos = {}
    for key, options in spec.items():
        pos[key] = next((lower.index(o) for o in options if o in lower), None)
    required = (
        ("date", "source", "target", "event_code") if found == "icews" else ("date", "source", "target")
    )
    missing = [k for k in required if pos.get(k) is None]
    if found == "polecat" and pos.get("event_type") is None and pos.get("quad") is None:
        missing.append("event_type")
    if missing:
        want = ", ".join(spec[k][0] for k in missing)
        raise EventFileError(f"{unit.name}: header lacks {want} (header: {', '.join(names)})")
    if found == "icews":
        fields = len(names)
    return Layout(found, fields, True, pos, note)
