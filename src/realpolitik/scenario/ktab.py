"""KTAB's CSV scenario format (import and export) and a simple actor table.

KTAB CSV (as read by KTAB's ``smpc --csv``):

- line 1: ``scenario name, description, nActors, nDims``; KTAB reads the first four fields and ignores
  any after them (its own ``dummyData_6Dim.csv`` starts ``Combined,All six dimensions of CDMP,27,6,0,,,…``);
- line 2: headers; dimension names come from the position headers (``Policy Position`` → ``Policy``);
  fields after the last salience header are ignored;
- then one row per actor: ``name, description, capability, (position, salience) × nDims``; fields after
  the last salience are ignored;
- positions and saliences on 0–100; each actor's saliences sum to at most 100;
- fields may carry surrounding spaces and a line may end with trailing commas;
- a blank (or missing trailing) position or salience cell reads as 0, as KTAB's reader reads it; the
  cells read that way are listed in the scenario's ``metadata.ktab_blank_cells``. A blank description
  is allowed (the name is used). A blank name or capability is refused (KTAB needs both).

On import, every issue gets bounds [0, 100] and saliences are divided by 100. On export, positions are
mapped to 0–100 from the issue's bounds and saliences multiplied by 100; numbers are written with 12
significant digits so that KTAB's parser reads back the same numbers.

The simple table (``actor, capability, position, salience`` with a header, one issue; salience on 0–100
when any value exceeds 1) is the layout of the published EUM cases.
"""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Any

from realpolitik.scenario.errors import Problem, ScenarioError
from realpolitik.scenario.schema import Scenario

_POS_SUFFIX = re.compile(r"\s*(position|pos)\s*$", re.IGNORECASE)


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A finite decimal number as KTAB writes them (``12``, ``-0.5``, ``1e3``), or None."""
    t = text.strip()
    if not _NUMBER.match(t):
        return None
    try:
        v = float(t)
    except (ValueError, OverflowError):  # pragma: no cover - the pattern only lets numbers through
        return None
    return v if math.isfinite(v) else None


def _rows(text: str, file: str = "<csv>") -> list[list[str]]:
    try:
        return [[f.strip() for f in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ScenarioError.single(file, "", f"not valid CSV: {exc}") from None


def _sniff_rows(text: str) -> list[list[str]]:
    try:
        return _rows(text[:4096])
    except ScenarioError:
        return []


def _strip_trailing(row: list[str]) -> list[str]:
    while row and row[-1] == "":
        row = row[:-1]
    return row


def looks_like_ktab_csv(text: str) -> bool:
    """True when the first line has KTAB's four fields with integer actor and dimension counts."""
    rows = _sniff_rows(text)
    if not rows:
        return False
    first = _strip_trailing(rows[0])
    if len(first) < 4:
        return False
    return first[2].isdigit() and first[3].isdigit()


def looks_like_table(text: str) -> bool:
    """True for a header ``actor, capability, position, salience`` (any order, any case)."""
    rows = _sniff_rows(text)
    if not rows:
        return False
    head = {h.lower() for h in _strip_trailing(rows[0])}
    return {"actor", "capability", "position", "salience"} <= head


def _num(text: str, file: str, line: int, field: str, problems: list[Problem]) -> float | None:
    v = parse_number(text)
    if v is None:
        shown = repr(text) if len(text) <= 40 else repr(text[:37]) + "..."
        try:
            kind = "a finite number" if not math.isfinite(float(text)) else "a plain decimal number"
        except (ValueError, OverflowError):
            kind = "a number"
        problems.append(
            Problem(
                file,
                field,
                f"expected {kind}, got {shown}" if text else "expected a number, got an empty field",
                line,
            )
        )
    return v


def ident(text: str) -> str:
    """An id usable in a scenario from any KTAB name (other characters become ``_``)."""
    out = re.sub(r"[^A-Za-z0-9_.\- ]", "_", text.strip()) or "_"
    if not (out[0].isalnum() or out[0] == "_"):
        out = "_" + out
    return out[:80]


def parse_ktab_csv(text: str, file: str = "<ktab>") -> dict[str, Any]:
    """A scenario mapping from KTAB CSV text; raises ScenarioError listing every problem."""
    rows = _rows(text, file)
    problems: list[Problem] = []
    if len(rows) < 2:
        raise ScenarioError.single(
            file, "", "expected a KTAB CSV: a 'name,desc,nActors,nDims' line, a header line and actor rows", 1
        )
    first = _strip_trailing(rows[0])
    if len(first) < 4:
        raise ScenarioError.single(
            file, "header", f"expected 'name,desc,nActors,nDims' (4 fields), got {len(first)} fields", 1
        )
    name, desc = first[0], first[1]
    try:
        n_actors, n_dims = int(first[2]), int(first[3])
        if n_dims > 10_000:
            raise ValueError
    except ValueError:
        raise ScenarioError.single(
            file, "header.nActors", f"expected integer nActors and nDims, got {first[2]!r}, {first[3]!r}", 1
        ) from None
    if n_actors < 1 or n_dims < 1:
        raise ScenarioError.single(
            file, "header", f"expected nActors >= 1 and nDims >= 1, got {n_actors}, {n_dims}", 1
        )
    header = _strip_trailing(rows[1])
    width = 3 + 2 * n_dims  # KTAB reads this many header fields and names missing ones blank
    dim_names = []
    for k in range(n_dims):
        h = header[3 + 2 * k] if len(header) > 3 + 2 * k else ""
        dim_names.append(_POS_SUFFIX.sub("", h) or f"Dim {k + 1}")
    issue_ids = []
    for k, dn in enumerate(dim_names):
        iid = ident(dn)
        while iid in issue_ids:
            iid = f"{iid}_{k + 1}"
        issue_ids.append(iid)
    data_rows = [(i + 3, _strip_trailing(r)) for i, r in enumerate(rows[2:]) if any(f for f in r)]
    if len(data_rows) != n_actors:
        problems.append(
            Problem(file, "nActors", f"header says {n_actors} actors, found {len(data_rows)} actor rows", 1)
        )
    actors: list[dict[str, Any]] = []
    positions: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    blank: list[str] = []
    for line, row in data_rows:
        if len(row) < 3 or not row[0] or not row[2]:
            what = "a name" if not row or not row[0] else "a capability"
            problems.append(
                Problem(
                    file,
                    f"actors[{len(actors)}]",
                    f"expected {what} (name, description, capability, {n_dims} position/salience pairs), "
                    f"got {len(row)} fields",
                    line,
                )
            )
            continue
        row = row + [""] * (width - len(row))  # KTAB reads missing trailing cells as blank
        aid = ident(row[0])
        if aid in first_line:
            problems.append(
                Problem(
                    file,
                    f"actors[{len(actors)}].id",
                    f"duplicate actor {row[0]!r} (first on line {first_line[aid]}): expected each actor once",
                    line,
                )
            )
        first_line.setdefault(aid, line)
        cap = _num(row[2], file, line, f"actors[{len(actors)}].capability", problems)
        stances: dict[str, Any] = {}
        total = 0.0
        for k in range(n_dims):
            cells = (row[3 + 2 * k], row[4 + 2 * k])
            for what, cell in zip(("position", "salience"), cells, strict=True):
                if cell == "":
                    blank.append(f"line {line}: {aid} {what} on {issue_ids[k]}")
            pos = _num(cells[0] or "0", file, line, f"positions.{aid}.{issue_ids[k]}.position", problems)
            sal = _num(cells[1] or "0", file, line, f"positions.{aid}.{issue_ids[k]}.salience", problems)
            if pos is not None and not 0 <= pos <= 100:
                problems.append(
                    Problem(
                        file,
                        f"positions.{aid}.{issue_ids[k]}.position",
                        f"expected a position on 0-100, got {row[3 + 2 * k]}",
                        line,
                    )
                )
            if sal is not None and not 0 <= sal <= 100:
                problems.append(
                    Problem(
                        file,
                        f"positions.{aid}.{issue_ids[k]}.salience",
                        f"expected a salience on 0-100, got {row[4 + 2 * k]}",
                        line,
                    )
                )
            if pos is None or sal is None:
                continue
            total += sal
            stances[issue_ids[k]] = {"position": pos, "salience": sal / 100.0}
        if total > 100 + 1e-9:
            problems.append(
                Problem(
                    file,
                    f"positions.{aid}",
                    f"expected saliences summing to at most 100, got {total:g}",
                    line,
                )
            )
        actor: dict[str, Any] = {"id": aid, "name": row[1] or row[0]}
        if cap is not None:
            actor["capability"] = cap
        actors.append(actor)
        positions[aid] = stances
    if problems:
        raise ScenarioError(problems)
    return {
        "id": ident(name),
        "title": name,
        "description": desc or None,
        "actors": actors,
        "issues": [
            {"id": iid, "name": dn, "bounds": [0, 100]} for iid, dn in zip(issue_ids, dim_names, strict=True)
        ],
        "positions": positions,
        "metadata": {"format": "ktab-csv", **({"ktab_blank_cells": blank} if blank else {})},
    }


def _g(v: float) -> str:
    """12 significant digits: enough that 0–100 numbers scaled by 1/100 and back read as written."""
    s = f"{v:.12g}"
    return "0" if s == "-0" else s


def format_ktab_csv(scenario: Scenario, *, normalize_saliences: bool = False) -> str:
    """KTAB CSV text for ``scenario``.

    Positions are mapped linearly from each issue's bounds to 0–100 and saliences multiplied by 100.
    An actor without a stance on an issue gets position 0 and salience 0 there. Names lose the
    characters KTAB's reader splits on (``,`` becomes ``;``, quotes and line breaks are dropped).

    KTAB refuses actors whose saliences sum to more than 100: such a scenario raises ``ValueError``
    unless ``normalize_saliences`` is set, which divides those actors' saliences by their sum.
    Every actor needs a capability.
    """
    missing = [a.id for a in scenario.actors if a.capability is None]
    if missing:
        raise ValueError(f"KTAB CSV needs a capability for every actor; missing for {', '.join(missing)}")
    if not scenario.actors or not scenario.issues:
        raise ValueError("KTAB CSV needs at least one actor and one issue")
    lines = [
        ",".join(
            [
                _csv_field(scenario.title) or scenario.id,
                _csv_field(scenario.description or ""),
                str(len(scenario.actors)),
                str(len(scenario.issues)),
            ]
        ),
        ",".join(
            ["Actor", "Description", "Influence"]
            + [f"{_csv_field(i.name) or i.id} {h}" for i in scenario.issues for h in ("Position", "Salience")]
        ),
    ]
    for a in scenario.actors:
        assert a.capability is not None
        sal = [
            st.salience.value if (st := scenario.stance(a.id, iss.id)) is not None else 0.0
            for iss in scenario.issues
        ]
        total = math.fsum(sal)
        if total > 1 + 1e-12:
            if not normalize_saliences:
                raise ValueError(
                    f"KTAB needs each actor's saliences to sum to at most 1 (100 in the file); {a.id} sums to "
                    f"{total:g} (pass normalize_saliences=True to divide them by their sum)"
                )
            sal = [x / total for x in sal]
        fields = [_csv_field(a.id), _csv_field(a.name), _g(a.capability.value)]
        for iss, s_ in zip(scenario.issues, sal, strict=True):
            st = scenario.stance(a.id, iss.id)
            lo, hi = iss.bounds
            if st is None:
                fields += [_g(0.0), _g(0.0)]
                continue
            x = st.position.value
            pos = x if (lo, hi) == (0.0, 100.0) else (x - lo) * 100.0 / (hi - lo)
            fields += [_g(pos), _g(s_ * 100.0)]
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


def _csv_field(text: str) -> str:
    return " ".join(text.replace(",", ";").replace('"', "").split())


def parse_table(text: str, file: str = "<table>", scenario_id: str = "table") -> dict[str, Any]:
    """A one-issue scenario from an ``actor, capability, position, salience`` table."""
    rows = [r for r in _rows(text, file) if any(r)]
    if not rows:
        raise ScenarioError.single(file, "", "expected a header 'actor, capability, position, salience'", 1)
    head = [h.lower() for h in _strip_trailing(rows[0])]
    if not {"actor", "capability", "position", "salience"} <= set(head):
        raise ScenarioError.single(
            file, "header", "expected a header 'actor, capability, position, salience'", 1
        )
    col = {h: head.index(h) for h in ("actor", "capability", "position", "salience")}
    problems: list[Problem] = []
    recs = []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) < len(head):
            problems.append(Problem(file, f"row {i - 1}", f"expected {len(head)} fields, got {len(row)}", i))
            continue
        aid = ident(row[col["actor"]])
        vals = {
            k: _num(row[col[k]], file, i, f"{aid}.{k}", problems)
            for k in ("capability", "position", "salience")
        }
        recs.append((aid, row[col["actor"]], vals))
    if problems:
        raise ScenarioError(problems)
    if not recs:
        raise ScenarioError.single(file, "", "expected at least one actor row after the header", 2)
    sal_scale = 100.0 if any((v["salience"] or 0) > 1 for _, _, v in recs) else 1.0
    xs = [v["position"] for _, _, v in recs if v["position"] is not None]
    lo, hi = min(xs), max(xs)
    if lo == hi:
        hi = lo + 1.0
    return {
        "id": ident(scenario_id),
        "title": scenario_id,
        "actors": [{"id": aid, "name": name, "capability": v["capability"]} for aid, name, v in recs],
        "issues": [{"id": "issue", "name": "Issue", "bounds": [lo, hi]}],
        "positions": {
            aid: {"issue": {"position": v["position"], "salience": (v["salience"] or 0) / sal_scale}}
            for aid, _, v in recs
        },
        "metadata": {"format": "table", "salience_scale": sal_scale},
    }
