"""KTAB's XML scenario format (import).

The layout (as read by KTAB's ``smpc --xml``)::

    <Scenario>
      <name>…</name> <desc>…</desc> <prngSeed>…</prngSeed>
      <ModelParameters>                     (optional)
        <VictoryProbModel>Linear</VictoryProbModel> <PCEModel>…</PCEModel> …
      </ModelParameters>
      <Dimensions> <dName>…</dName> … </Dimensions>
      <Actors>
        <Actor>
          <name>…</name> <description>…</description> <capability>…</capability>
          <Position> <dCoord>…</dCoord> × nDims </Position>
          <Salience> <dSal>…</dSal> × nDims </Salience>
        </Actor> …
      </Actors>
      <IdealAdjustment>                     (optional)
        <iaPair> <adjustingIdeal>A</adjustingIdeal> <referencePos>B</referencePos> <adjust>0.1</adjust> </iaPair> …
      </IdealAdjustment>
    </Scenario>

Positions and saliences are on 0–100 (KTAB divides them by 100); each actor's saliences lie in
[0, 100] and sum to at most 100; capabilities are positive. As with KTAB's CSV, every issue gets
bounds [0, 100] and saliences are divided by 100 on import.

What the scenario schema has no field for goes to ``metadata``: ``smp_params`` (the
``ModelParameters`` found, by KTAB's names, e.g. ``{"VotingRule": "PropCbc"}``), ``prng_seed`` (text,
as written) and ``ideal_adjustment`` (a list of ``{"actor", "reference", "adjust"}`` entries that
overwrite the identity accommodation matrix).

The XML is read with expat; documents with a DOCTYPE or entity declarations are refused.
"""

from __future__ import annotations

import math
import xml.parsers.expat
from dataclasses import dataclass, field
from typing import Any

from realpolitik.scenario.errors import Problem, ScenarioError
from realpolitik.scenario.ktab import ident, parse_number

#: KTAB's model parameters and the values each may take (KTAB's spelling).
SMP_PARAMETERS: dict[str, tuple[str, ...]] = {
    "VictoryProbModel": ("Linear", "Square", "Quartic", "Octic", "Binary"),
    "PCEModel": ("Conditional", "MarkovUniform", "MarkovIncentive"),
    "StateTransitions": ("Deterministic", "Stochastic"),
    "VotingRule": ("Binary", "PropBin", "Prop", "PropCbc", "Cubic", "ASymProsp"),
    "BigRAdjust": ("None", "OneThird", "Half", "TwoThirds", "Full"),
    "BigRRange": ("Min", "Mid", "Max"),
    "ThirdPartyCommit": ("NoCommit", "SemiCommit", "FullCommit"),
    "InterVecBrgn": ("S1P1", "S2P2", "S2PMax"),
    "BargnModel": ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp"),
}


@dataclass
class Element:
    """An XML element with the line it starts on."""

    tag: str
    line: int
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def all(self, tag: str) -> list[Element]:
        return [c for c in self.children if c.tag == tag]

    def line_of(self, tag: str) -> int:
        """The line of the first child ``tag``, else this element's line."""
        el = self.first(tag)
        return el.line if el is not None else self.line

    def first(self, tag: str) -> Element | None:
        for c in self.children:
            if c.tag == tag:
                return c
        return None


class _Refused(Exception):
    pass


def parse_xml(text: str, file: str = "<xml>") -> Element:
    """The element tree of ``text`` (local names, stripped of namespace prefixes), or ScenarioError."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    roots: list[Element] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        el = Element(tag=name.rsplit(":", 1)[-1], line=parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(el)
        else:
            roots.append(el)
        stack.append(el)

    def end(_name: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].text += data

    def refuse(*_args: Any) -> None:
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError as exc:
        msg = xml.parsers.expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        raise ScenarioError.single(
            file, "", f"not valid XML: {msg} (column {exc.offset + 1})", exc.lineno
        ) from None
    except _Refused:
        raise ScenarioError.single(
            file,
            "",
            "not accepted: XML with a DOCTYPE or entity declarations (expected a plain KTAB scenario)",
            parser.CurrentLineNumber,
        ) from None
    if not roots:  # pragma: no cover - expat reports "no element found" first
        raise ScenarioError.single(file, "", "not valid XML: no element found", 1)
    return roots[0]


def parse(text: str, file: str = "<ktab-xml>") -> dict[str, Any]:
    """A scenario mapping from KTAB XML text (as :func:`realpolitik.scenario.ktab.parse_ktab_csv` returns).

    Raises :class:`ScenarioError` listing every problem found, each with its line.
    """
    root = parse_xml(text, file)
    problems: list[Problem] = []

    def err(path: str, message: str, line: int) -> None:
        problems.append(Problem(file=file, path=path, message=message, line=line))

    if root.tag != "Scenario":
        raise ScenarioError.single(
            file,
            "",
            f"expected the root element <Scenario> of a KTAB XML scenario, got <{root.tag}>",
            root.line,
        )

    def text_of(el: Element | None) -> str:
        return el.text.strip() if el is not None else ""

    blank: list[str] = []

    def number(
        el: Element | None, parent: Element, tag: str, path: str, blank_is_zero: bool = False
    ) -> float | None:
        if el is None:
            err(path, f"expected a <{tag}> element with a number", parent.line)
            return None
        raw = el.text.strip()
        if not raw and blank_is_zero:  # KTAB's reader leaves an empty coordinate or salience at 0
            blank.append(f"line {el.line}: {path}")
            return 0.0
        v = parse_number(raw)
        if v is None:
            err(
                path,
                f"expected a number in <{tag}>, got {raw!r}"
                if raw
                else f"expected a number in <{tag}>, got nothing",
                el.line,
            )
        return v

    name = text_of(root.first("name"))
    desc = text_of(root.first("desc"))
    metadata: dict[str, Any] = {"format": "ktab-xml"}
    seed = root.first("prngSeed")
    if seed is not None and seed.text.strip():
        metadata["prng_seed"] = seed.text.strip()

    params_el = root.first("ModelParameters")
    if params_el is not None:
        params: dict[str, str] = {}
        for p in params_el.children:
            value = p.text.strip()
            path = f"ModelParameters.{p.tag}"
            if p.tag not in SMP_PARAMETERS:
                err(
                    path,
                    f"unknown model parameter <{p.tag}>: expected one of {', '.join(SMP_PARAMETERS)}",
                    p.line,
                )
            elif value not in SMP_PARAMETERS[p.tag]:
                err(path, f"expected one of {', '.join(SMP_PARAMETERS[p.tag])}, got {value!r}", p.line)
            elif p.tag in params:
                err(path, f"duplicate <{p.tag}>: expected each model parameter once", p.line)
            else:
                params[p.tag] = value
        metadata["smp_params"] = params

    dims_el = root.first("Dimensions")
    dim_names: list[str] = []
    if dims_el is None:
        err("Dimensions", "expected a <Dimensions> element with one <dName> per issue", root.line)
    else:
        for k, d in enumerate(dims_el.all("dName")):
            dn = d.text.strip()
            if not dn:
                err(f"Dimensions.dName[{k}]", "expected a dimension name, got an empty <dName>", d.line)
            dim_names.append(dn or f"Dim {k + 1}")
        if not dim_names:
            err("Dimensions", "expected at least one <dName>", dims_el.line)
    issue_ids: list[str] = []
    for k, dn in enumerate(dim_names):
        iid = ident(dn)
        while iid in issue_ids:
            iid = f"{iid}_{k + 1}"
        issue_ids.append(iid)
    n_dims = len(dim_names)

    actors_el = root.first("Actors")
    actor_els = actors_el.all("Actor") if actors_el is not None else []
    if actors_el is None:
        err("Actors", "expected an <Actors> element with one <Actor> per actor", root.line)
    elif not actor_els:
        err("Actors", "expected at least one <Actor>", actors_el.line)

    actors: list[dict[str, Any]] = []
    positions: dict[str, dict[str, Any]] = {}
    by_name: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for i, a in enumerate(actor_els):
        aname = text_of(a.first("name"))
        if not aname:
            err(f"actors[{i}].name", "expected an actor <name>", a.line_of("name"))
            aname = f"actor {i + 1}"
        aid = ident(aname)
        if aid in first_line:
            err(
                f"actors[{i}].id",
                f"duplicate actor {aname!r} (first on line {first_line[aid]}): expected each name once",
                a.line,
            )
        first_line.setdefault(aid, a.line)
        by_name.setdefault(aname, aid)
        actor: dict[str, Any] = {"id": aid, "name": text_of(a.first("description")) or aname}
        cap = number(a.first("capability"), a, "capability", f"actors[{i}].capability")
        if cap is not None:
            if not cap > 0:
                err(
                    f"actors[{i}].capability",
                    f"expected a capability > 0, got {cap:g}",
                    a.line_of("capability"),
                )
            actor["capability"] = cap
        actors.append(actor)

        values: dict[str, list[tuple[float | None, int]]] = {}
        for group, item in (("Position", "dCoord"), ("Salience", "dSal")):
            g = a.first(group)
            if g is None:
                err(f"positions.{aid}", f"expected a <{group}> element with {n_dims} <{item}>", a.line)
                continue
            items = g.all(item)
            if n_dims and len(items) != n_dims:
                err(
                    f"positions.{aid}",
                    f"expected {n_dims} <{item}> in <{group}> (one per dimension), got {len(items)}",
                    g.line,
                )
            values[group] = [
                (
                    number(
                        e,
                        g,
                        item,
                        f"positions.{aid}.{issue_ids[k] if k < n_dims else k}.{group.lower()}",
                        blank_is_zero=True,
                    ),
                    e.line,
                )
                for k, e in enumerate(items)
            ]
        stances: dict[str, Any] = {}
        total = 0.0
        for k, iid in enumerate(issue_ids):
            pos = values.get("Position", [])
            sal = values.get("Salience", [])
            if k >= len(pos) or k >= len(sal):
                continue
            (px, pline), (sx, sline) = pos[k], sal[k]
            if px is not None and not 0 <= px <= 100:
                err(f"positions.{aid}.{iid}.position", f"expected a position on 0-100, got {px:g}", pline)
            if sx is not None:
                if not 0 <= sx <= 100:
                    err(f"positions.{aid}.{iid}.salience", f"expected a salience on 0-100, got {sx:g}", sline)
                total += sx
            if px is not None and sx is not None:
                stances[iid] = {"position": px, "salience": sx / 100.0}
        if total > 100 + 1e-9:
            err(f"positions.{aid}", f"expected saliences summing to at most 100, got {total:g}", a.line)
        positions[aid] = stances

    ia_el = root.first("IdealAdjustment")
    if ia_el is not None:
        pairs: list[dict[str, Any]] = []
        rows: dict[str, dict[str, float]] = {}
        for k, pair in enumerate(ia_el.all("iaPair")):
            path = f"IdealAdjustment.iaPair[{k}]"
            ids: list[str | None] = []
            for tag in ("adjustingIdeal", "referencePos"):
                who = text_of(pair.first(tag))
                if who not in by_name:
                    shown = f"{who!r}" if who else "nothing"
                    err(
                        f"{path}.{tag}",
                        f"unknown actor {shown}: expected the <name> of an actor",
                        pair.line_of(tag),
                    )
                ids.append(by_name.get(who))
            adj = number(pair.first("adjust"), pair, "adjust", f"{path}.adjust")
            if adj is not None and not 0 <= adj <= 1:
                err(
                    f"{path}.adjust",
                    f"expected an adjustment in [0, 1], got {adj:g}",
                    pair.line_of("adjust"),
                )
            who_id, ref_id = ids
            if adj is not None and who_id is not None and ref_id is not None:
                pairs.append({"actor": who_id, "reference": ref_id, "adjust": adj})
                rows.setdefault(who_id, {who_id: 1.0})[ref_id] = adj
        for who, row in rows.items():
            s = math.fsum(row.values())
            if s > 1 + 1e-10:
                err(
                    "IdealAdjustment",
                    f"expected the adjustments of {who!r} (with 1 on the diagonal unless set) to sum to at most 1, got {s:g}",
                    ia_el.line,
                )
        metadata["ideal_adjustment"] = pairs

    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise ScenarioError(problems)
    if blank:
        metadata["ktab_blank_cells"] = blank
    title = name or "KTAB scenario"
    return {
        "id": ident(name or "ktab"),
        "title": title,
        "description": desc or None,
        "actors": actors,
        "issues": [
            {"id": iid, "name": dn, "bounds": [0, 100]} for iid, dn in zip(issue_ids, dim_names, strict=True)
        ],
        "positions": positions,
        "metadata": metadata,
    }
