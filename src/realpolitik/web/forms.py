"""The editor's form: a scenario draft (plain data, as in the YAML file) shown as fields, and back.

The draft travels with the form (a hidden JSON field), so structural edits (add an actor, remove a
relation) need no save, and everything the form does not show (notes, sources and ranges of numbers,
metadata, environment, analogues) is kept as it was. A number field edits the ``value`` of its
quantity and leaves the quantity's ``source``, ``note`` and ``range`` alone. Text that is not a number
is kept as typed, so the validator names it on its field ("expected a number, got 'abc'").

Field names follow the validator's paths (``actors[0].name``, ``issues[1].bounds[0]``); the grid's
cells are named by position (``cell.0.1.salience``) and :attr:`Form.paths` maps validator paths such as
``positions.JPN.territory.salience`` to them, so every problem is shown on the field it concerns.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from realpolitik.scenario import Problem
from realpolitik.web.links import LinkedField

RULES = ("collective", "consent", "unilateral")
ACTOR_KINDS = ("state", "domestic", "organisation", "other")
RELATION_KINDS = ("alliance", "rivalry", "threat", "affinity")
SOURCE_KINDS = ("document", "dataset", "judgment")
OPS = (">", ">=", "<", "<=", "==", "!=")
_INT = re.compile(r"^[+-]?\d{1,15}$")


# ------------------------------------------------------------------------------------------- data
def draft_from_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def draft_json(draft: Any) -> str:
    return json.dumps(draft, ensure_ascii=False, separators=(",", ":"))


def grid_problem(draft: Any) -> str | None:
    """Why the grid cannot show this draft (None when it can): it needs the usual shapes."""
    if not isinstance(draft, dict):
        return "the file is not a mapping of scenario fields"
    for key, kind in (("actors", list), ("issues", list), ("relations", list), ("vetoes", list),
                      ("agreements", list), ("parties", list), ("positions", dict), ("sources", dict)):  # fmt: skip
        v = draft.get(key)
        if v is not None and not isinstance(v, kind):
            return f"{key} is not a {'list' if kind is list else 'mapping'}"
        if key in ("actors", "issues", "relations", "vetoes", "agreements") and v is not None:
            if not all(isinstance(x, dict) for x in v):
                return f"an entry of {key} is not a mapping"
    pos = draft.get("positions") or {}
    if not all(isinstance(row, dict) for row in pos.values()):
        return "a row of positions is not a mapping"
    return None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def qvalue(v: Any) -> str:
    """The text of a number field: a quantity's value, or the number itself."""
    if isinstance(v, dict):
        return _text(v.get("value"))
    return _text(v)


def qmeta(v: Any) -> str:
    """What a quantity carries beside its value (shown as a hint): source, range, note."""
    if not isinstance(v, dict):
        return ""
    parts = []
    if v.get("source"):
        parts.append(f"source {v['source']}")
    if isinstance(v.get("range"), list) and len(v["range"]) == 2:
        parts.append(f"range {_text(v['range'][0])}–{_text(v['range'][1])}")
    if v.get("note"):
        parts.append(str(v["note"]))
    return "; ".join(parts)


def qrange(v: Any) -> str:
    """A quantity's range as text (``0.2, 0.8``), empty when it has none."""
    r = v.get("range") if isinstance(v, dict) else None
    return f"{_text(r[0])}, {_text(r[1])}" if isinstance(r, list) and len(r) == 2 else ""


def _csv(v: Any) -> str:
    return ", ".join(_text(x) for x in v) if isinstance(v, list) else _text(v)


def _split(text: str) -> list[str]:
    return [x.strip() for x in re.split(r"[,\s]+", text or "") if x.strip()]


def number(text: str) -> Any:
    """A number typed in a field (int when integral), or the text itself when it is not a number."""
    t = text.strip()
    if _INT.match(t):
        return int(t)
    try:
        f = float(t.replace("−", "-"))
    except ValueError:
        return t
    return f if math.isfinite(f) else t


# ------------------------------------------------------------------------------------------- form
@dataclass
class Form:
    """What the editor template shows: rows and cells as field values, and where problems go."""

    draft: dict[str, Any]
    values: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # validator path -> field name
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    placed: list[tuple[str, str, str]] = field(default_factory=list)  # (path, message, field name)
    actors: list[tuple[int, str]] = field(default_factory=list)  # (index, id)
    issues: list[tuple[int, str]] = field(default_factory=list)
    n_relations: int = 0
    n_vetoes: int = 0
    n_agreements: int = 0
    n_sources: int = 0
    linked: dict[str, LinkedField] = field(default_factory=dict)  # field name -> the link that sets it
    # field name -> (quantity path, its range widened to hold the value)
    widen: dict[str, tuple[str, str]] = field(default_factory=dict)
    focus: str = ""  # the field to put the cursor in

    def v(self, name: str) -> str:
        return self.values.get(name, "")

    def err(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def put(self, name: str, value: str, path: str | None = None, hint: str = "") -> None:
        self.values[name] = value
        self.paths[path or name] = name
        if hint:
            self.hints[name] = hint


def build_form(
    draft: dict[str, Any],
    problems: list[Problem] | None = None,
    links: Mapping[str, LinkedField] | None = None,
) -> Form:
    """The fields of a draft (whose shapes :func:`grid_problem` accepted) and its problems placed.

    ``links``: the numbers set by environment links, by validator path
    (:func:`realpolitik.web.links.link_info`); their fields are shown as computed, not as inputs.
    """
    f = Form(draft)
    for key in ("id", "title", "as_of", "description"):
        f.put(key, _text(draft.get(key)))
    f.put("parties", _csv(draft.get("parties") or []))
    rule = draft.get("decision_rule")
    rule = {"kind": rule} if isinstance(rule, str) else (rule if isinstance(rule, dict) else {})
    f.put("decision_rule.kind", _text(rule.get("kind")))
    f.put("decision_rule.signers", _csv(rule.get("signers") or []))
    f.put("decision_rule.decider", _text(rule.get("decider")))
    actors = draft.get("actors") or []
    issues = draft.get("issues") or []
    for i, a in enumerate(actors):
        p = f"actors[{i}]"
        f.actors.append((i, _text(a.get("id"))))
        f.put(f"{p}.id", _text(a.get("id")))
        f.put(f"{p}.name", _text(a.get("name")))
        f.put(f"{p}.capability", qvalue(a.get("capability")), hint=qmeta(a.get("capability")))
        f.put(f"{p}.kind", _text(a.get("kind") or "state"))
        f.paths[p] = f"{p}.id"
    for j, iss in enumerate(issues):
        p = f"issues[{j}]"
        f.issues.append((j, _text(iss.get("id"))))
        f.put(f"{p}.id", _text(iss.get("id")))
        f.put(f"{p}.name", _text(iss.get("name")))
        b = iss.get("bounds")
        b = b if isinstance(b, list) and len(b) == 2 else [0, 100] if b is None else [b, ""]
        f.put(f"{p}.bounds[0]", _text(b[0]))
        f.put(f"{p}.bounds[1]", _text(b[1]))
        f.paths[f"{p}.bounds"] = f"{p}.bounds[0]"
        f.put(f"{p}.status_quo", qvalue(iss.get("status_quo")), hint=qmeta(iss.get("status_quo")))
        f.put(f"{p}.unit", _text(iss.get("unit")))
        labels = iss.get("labels") if isinstance(iss.get("labels"), dict) else {}
        f.put(f"{p}.labels", "\n".join(f"{_text(number(str(k)))}: {_text(v)}" for k, v in labels.items()))
        r = iss.get("rule")
        r = {"kind": r} if isinstance(r, str) else (r if isinstance(r, dict) else {})
        f.put(f"{p}.rule.kind", _text(r.get("kind")))
        f.put(f"{p}.rule.signers", _csv(r.get("signers") or []))
        f.put(f"{p}.rule.decider", _text(r.get("decider")))
        f.paths[f"{p}.rule"] = f"{p}.rule.kind"
        conds = iss.get("applies_if")
        conds = [conds] if isinstance(conds, dict) else conds if isinstance(conds, list) else []
        f.put(
            f"{p}.applies_if",
            "\n".join(
                f"{_text(c.get('issue'))} {_text(c.get('op'))} {_text(c.get('value'))}"
                for c in conds
                if isinstance(c, dict)
            ),
        )
        f.paths[p] = f"{p}.id"
    positions = draft.get("positions") or {}
    for i, a in enumerate(actors):
        aid = _text(a.get("id"))
        row: dict[str, Any] = positions[aid] if isinstance(positions.get(aid), dict) else {}
        f.paths[f"positions.{aid}"] = f"actors[{i}].id"
        for j, iss in enumerate(issues):
            iid = _text(iss.get("id"))
            st: dict[str, Any] = row[iid] if isinstance(row.get(iid), dict) else {}
            c, path = f"cell.{i}.{j}", f"positions.{aid}.{iid}"
            f.put(f"{c}.position", qvalue(st.get("position")), f"{path}.position", qmeta(st.get("position")))
            f.put(f"{c}.salience", qvalue(st.get("salience")), f"{path}.salience", qmeta(st.get("salience")))
            acc = st.get("acceptable")
            acc = {"low": acc[0], "high": acc[1]} if isinstance(acc, list) and len(acc) == 2 else acc
            acc = acc if isinstance(acc, dict) else {}
            f.put(f"{c}.low", qvalue(acc.get("low")), f"{path}.acceptable.low", qmeta(acc.get("low")))
            f.put(f"{c}.high", qvalue(acc.get("high")), f"{path}.acceptable.high", qmeta(acc.get("high")))
            f.paths[f"{path}.acceptable"] = f"{c}.low"
            f.paths[path] = f"{c}.position"
    for k, r in enumerate(draft.get("relations") or []):
        p = f"relations[{k}]"
        f.put(f"{p}.from", _text(r.get("from")))
        f.put(f"{p}.to", _text(r.get("to")))
        f.put(f"{p}.kind", _text(r.get("kind")))
        f.put(f"{p}.value", qvalue(r.get("value", 1)), hint=qmeta(r.get("value")))
        f.paths[p] = f"{p}.from"
    f.n_relations = len(draft.get("relations") or [])
    for k, v in enumerate(draft.get("vetoes") or []):
        p = f"vetoes[{k}]"
        f.put(f"{p}.actor", _text(v.get("actor")))
        f.put(f"{p}.issues", _csv(v.get("issues") or []))
        rel = v.get("relation") if isinstance(v.get("relation"), dict) else {}
        f.put(f"{p}.relation.kind", _text(rel.get("kind")))
        f.put(f"{p}.relation.to", _text(rel.get("to")))
        f.paths[f"{p}.relation"] = f"{p}.relation.kind"
        f.paths[p] = f"{p}.actor"
    f.n_vetoes = len(draft.get("vetoes") or [])
    for k, ag in enumerate(draft.get("agreements") or []):
        p = f"agreements[{k}]"
        f.put(f"{p}.id", _text(ag.get("id")))
        f.put(f"{p}.name", _text(ag.get("name")))
        f.put(f"{p}.issues", _csv(ag.get("issues") or []))
        f.put(f"{p}.signers", _csv(ag.get("signers") or []))
        f.paths[p] = f"{p}.id"
    f.n_agreements = len(draft.get("agreements") or [])
    for k, (key, src) in enumerate((draft.get("sources") or {}).items()):
        src = src if isinstance(src, dict) else {}
        p = f"sources[{k}]"
        f.put(f"{p}.key", _text(key), f"sources.{key}")
        for name in ("title", "kind", "date", "url"):
            f.put(f"{p}.{name}", _text(src.get(name)), f"sources.{key}.{name}")
    f.n_sources = len(draft.get("sources") or {})
    for path, info in (links or {}).items():
        if path in f.paths:
            f.linked[f.paths[path]] = info
    if problems:
        place(f, problems)
    return f


def _parent(path: str) -> str:
    m = re.match(r"^(.*?)(\[\d+\]|\.[^.\[\]]*)$", path)
    return m.group(1) if m else ""


_OUTSIDE_RANGE = re.compile(r"^expected a range that contains the value (\S+), got \[(\S+), (\S+)\]$")


def _worded(p: Problem) -> tuple[str, tuple[str, str] | None]:
    """A problem's message as the editor says it, and for a value outside its range the range that fits it."""
    m = _OUTSIDE_RANGE.match(p.message)
    if not m or not p.path.endswith(".range"):
        return p.message, None
    v, lo, hi = m.groups()
    try:
        x, a, b = float(v), float(lo), float(hi)
    except ValueError:
        return p.message, None
    wider = f"[{_text(min(a, x))}, {_text(max(b, x))}]"
    return (
        f"this number's uncertainty range [{lo}, {hi}] no longer contains {v}: widen the range (to {wider}), "
        "or tick ‘widen the ranges’ beside Save to do it for every edited number",
        (p.path.removesuffix(".range"), wider),
    )


def place(f: Form, problems: list[Problem]) -> None:
    """Attach each problem to the field it concerns (or the nearest enclosing one, else the top)."""
    for p in problems:
        message, wider = _worded(p)
        p = Problem(p.file, p.path, message, p.line)
        path = p.path
        target = None
        while path:
            if path in f.paths:
                target = f.paths[path]
                break
            below = [k for k in f.paths if k.startswith(path + ".") or k.startswith(path + "[")]
            if below:
                target = f.paths[below[0]]
                break
            path = _parent(path)
        msg = p.message if target else (f"{p.path}: {p.message}" if p.path else p.message)
        if target:
            f.errors.setdefault(target, []).append(msg)
            f.placed.append((p.path, p.message, target))
            if wider is not None:
                f.widen[target] = wider
        else:
            f.general.append(msg)


# ------------------------------------------------------------------------------------------ apply
def _set_q(container: dict[str, Any], key: str, text: str | None) -> None:
    """Set a number field: the quantity's value (its source, note, range kept); blank removes it."""
    if text is None:
        return
    if not text.strip():
        container.pop(key, None)
        return
    val = number(text)
    old = container.get(key)
    if isinstance(old, dict):
        new = dict(old)
        new["value"] = val
        container[key] = new
    else:
        container[key] = val


def _set_text(container: dict[str, Any], key: str, text: str | None, *, keep_blank: bool = False) -> None:
    if text is None:
        return
    t = text.strip()
    if t or keep_blank:
        container[key] = t
    else:
        container.pop(key, None)


def _rename_actor(d: dict[str, Any], old: str, new: str) -> None:
    def sub(x: Any) -> Any:
        return new if x == old else x

    pos = d.get("positions")
    if isinstance(pos, dict) and old in pos and new not in pos:
        d["positions"] = {(new if k == old else k): v for k, v in pos.items()}
    if isinstance(d.get("parties"), list):
        d["parties"] = [sub(x) for x in d["parties"]]
    for r in d.get("relations") or []:
        for k in ("from", "to"):
            if k in r:
                r[k] = sub(r[k])
    for v in d.get("vetoes") or []:
        v["actor"] = sub(v.get("actor"))
        if isinstance(v.get("relation"), dict):
            for k in ("from", "to"):
                if k in v["relation"]:
                    v["relation"][k] = sub(v["relation"][k])
    for ag in d.get("agreements") or []:
        if isinstance(ag.get("signers"), list):
            ag["signers"] = [sub(x) for x in ag["signers"]]
    rules = [iss.get("rule") for iss in d.get("issues") or []] + [d.get("decision_rule")]
    for r in rules:
        if isinstance(r, dict):
            if isinstance(r.get("signers"), list):
                r["signers"] = [sub(x) for x in r["signers"]]
            if "decider" in r:
                r["decider"] = sub(r["decider"])
    dis = d.get("disagreement")
    if isinstance(dis, dict) and old in dis and new not in dis:
        d["disagreement"] = {(new if k == old else k): v for k, v in dis.items()}
    env: dict[str, Any] = d["environment"] if isinstance(d.get("environment"), dict) else {}
    for link in env.get("links") or []:
        t = link.get("target") if isinstance(link, dict) else None
        if isinstance(t, str) and t.split(".", 1)[0] == old:
            link["target"] = new + t[len(old) :]
    for ind in (env.get("indicators") or {}).values():
        if isinstance(ind, dict) and isinstance(ind.get("dyad"), list):
            ind["dyad"] = [sub(x) for x in ind["dyad"]]


def _rename_issue(d: dict[str, Any], old: str, new: str) -> None:
    def sub(x: Any) -> Any:
        return new if x == old else x

    for row in (d.get("positions") or {}).values():
        if isinstance(row, dict) and old in row and new not in row:
            items = list(row.items())
            row.clear()
            row.update({(new if k == old else k): v for k, v in items})
    for group in ("agreements", "vetoes"):
        for x in d.get(group) or []:
            if isinstance(x.get("issues"), list):
                x["issues"] = [sub(i) for i in x["issues"]]
    for iss in d.get("issues") or []:
        conds = iss.get("applies_if")
        for c in [conds] if isinstance(conds, dict) else conds if isinstance(conds, list) else []:
            if isinstance(c, dict) and "issue" in c:
                c["issue"] = sub(c["issue"])
    for key in ("outcome",):
        m = d.get(key)
        if isinstance(m, dict) and old in m and new not in m:
            d[key] = {(new if k == old else k): v for k, v in m.items()}
    for row in (d.get("disagreement") or {}).values():
        if isinstance(row, dict) and old in row and new not in row:
            row[new] = row.pop(old)
    env: dict[str, Any] = d["environment"] if isinstance(d.get("environment"), dict) else {}
    for link in env.get("links") or []:
        t = link.get("target") if isinstance(link, dict) else None
        if isinstance(t, str) and t.count(".") >= 2 and t.rsplit(".", 1)[1] == old:
            link["target"] = t.rsplit(".", 1)[0] + "." + new
    for an in d.get("analogues") or []:
        maps = an.get("maps") if isinstance(an, dict) else None
        if isinstance(maps, dict) and old in maps and new not in maps:
            an["maps"] = {(new if k == old else k): v for k, v in maps.items()}


def _rule(old: Any, kind: str | None, signers: str | None, decider: str | None) -> dict[str, Any] | None:
    """A rule from its fields (its note and source kept); None for "the default"."""
    if kind is None:
        return old if isinstance(old, dict) else ({"kind": old} if isinstance(old, str) else None)
    k = kind.strip()
    if not k:
        return None
    base = dict(old) if isinstance(old, dict) else {}
    base["kind"] = k
    base.pop("signers", None)
    base.pop("decider", None)
    if k == "consent" and signers and _split(signers):
        base["signers"] = _split(signers)
    if k == "unilateral" and decider is not None:
        base["decider"] = decider.strip() or None
        if base["decider"] is None:
            base.pop("decider")
    return base


def _labels(text: str) -> dict[str, Any] | str:
    out: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, label = line.partition(":")
        if not sep:
            return line  # kept as typed: the validator says what is wrong
        out[key.strip()] = label.strip()
    return out


def _conditions(text: str, old: Any) -> list[Any]:
    """Conditions from lines ``issue op value``; a line equal to the old condition keeps its note."""
    before = [old] if isinstance(old, dict) else old if isinstance(old, list) else []
    out: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = re.match(r"^\s*(\S+)\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$", line)
        if m:
            c: dict[str, Any] = {"issue": m.group(1), "op": m.group(2), "value": number(m.group(3))}
        else:
            c = {"issue": line.strip(), "op": "?", "value": None}
        k = len(out)
        prev = before[k] if k < len(before) and isinstance(before[k], dict) else None
        if prev is not None and all(_same(prev.get(x), c[x]) for x in ("issue", "op", "value")):
            c = {**prev, **c}
        out.append(c)
    return out


def _same(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return bool(a == b)


def apply_form(draft: dict[str, Any], form: Mapping[str, Any], op: str | None = None) -> dict[str, Any]:
    """A new draft: ``draft`` with every field of ``form`` applied, then the structural ``op``."""
    d = copy.deepcopy(draft)

    def g(name: str) -> str | None:
        v = form.get(name)
        return None if v is None else str(v)

    for key in ("id", "title"):
        _set_text(d, key, g(key), keep_blank=True)
    for key in ("as_of", "description"):
        _set_text(d, key, g(key))
    if g("parties") is not None:
        parties = _split(g("parties") or "")
        if parties:
            d["parties"] = parties
        else:
            d.pop("parties", None)
    if g("decision_rule.kind") is not None:
        r = _rule(
            d.get("decision_rule"),
            g("decision_rule.kind"),
            g("decision_rule.signers"),
            g("decision_rule.decider"),
        )
        if r is None:
            d.pop("decision_rule", None)
        else:
            d["decision_rule"] = r
    actors = d.setdefault("actors", [])
    issues = d.setdefault("issues", [])
    for i, a in enumerate(actors):
        p = f"actors[{i}]"
        _set_text(a, "name", g(f"{p}.name"), keep_blank=True)
        _set_q(a, "capability", g(f"{p}.capability"))
        kind = g(f"{p}.kind")
        if kind is not None:
            if kind.strip() and kind.strip() != "state":
                a["kind"] = kind.strip()
            else:
                a.pop("kind", None)
    for j, iss in enumerate(issues):
        p = f"issues[{j}]"
        _set_text(iss, "name", g(f"{p}.name"), keep_blank=True)
        lo, hi = g(f"{p}.bounds[0]"), g(f"{p}.bounds[1]")
        if lo is not None and hi is not None:
            iss["bounds"] = [number(lo) if lo.strip() else None, number(hi) if hi.strip() else None]
        _set_q(iss, "status_quo", g(f"{p}.status_quo"))
        _set_text(iss, "unit", g(f"{p}.unit"))
        labels = g(f"{p}.labels")
        if labels is not None:
            lab = _labels(labels)
            if lab:
                iss["labels"] = lab
            else:
                iss.pop("labels", None)
        if g(f"{p}.rule.kind") is not None:
            r = _rule(iss.get("rule"), g(f"{p}.rule.kind"), g(f"{p}.rule.signers"), g(f"{p}.rule.decider"))
            if r is None:
                iss.pop("rule", None)
            else:
                iss["rule"] = r
        conds = g(f"{p}.applies_if")
        if conds is not None:
            c = _conditions(conds, iss.get("applies_if"))
            if c:
                iss["applies_if"] = c
            else:
                iss.pop("applies_if", None)
    positions = d.get("positions")
    if not isinstance(positions, dict):
        positions = {}
    for i, a in enumerate(actors):
        aid = a.get("id")
        if not isinstance(aid, str):
            continue
        for j, iss in enumerate(issues):
            iid = iss.get("id")
            cell = f"cell.{i}.{j}"
            fields = [g(f"{cell}.{k}") for k in ("position", "salience", "low", "high")]
            if not isinstance(iid, str) or all(x is None for x in fields):
                continue
            row = positions.setdefault(aid, {})
            old = row.get(iid)
            if all(x is not None and not x.strip() for x in fields):  # a linked field is not submitted
                row.pop(iid, None)
                continue
            st = dict(old) if isinstance(old, dict) else {}
            _set_q(st, "position", fields[0])
            _set_q(st, "salience", fields[1])
            acc = st.get("acceptable")
            acc = {"low": acc[0], "high": acc[1]} if isinstance(acc, list) and len(acc) == 2 else acc
            acc = dict(acc) if isinstance(acc, dict) else {}
            _set_q(acc, "low", fields[2])
            _set_q(acc, "high", fields[3])
            if acc.get("low") is None:
                acc.pop("low", None)
            if acc.get("high") is None:
                acc.pop("high", None)
            if "low" in acc or "high" in acc:
                st["acceptable"] = acc
            else:
                st.pop("acceptable", None)
            row[iid] = st
    for aid in [k for k, row in positions.items() if isinstance(row, dict) and not row]:
        del positions[aid]
    if positions or "positions" in d:
        d["positions"] = positions
    for k, r in enumerate(d.get("relations") or []):
        p = f"relations[{k}]"
        for key in ("from", "to", "kind"):
            _set_text(r, key, g(f"{p}.{key}"), keep_blank=True)
        _set_q(r, "value", g(f"{p}.value"))
    for k, v in enumerate(d.get("vetoes") or []):
        p = f"vetoes[{k}]"
        _set_text(v, "actor", g(f"{p}.actor"), keep_blank=True)
        if g(f"{p}.issues") is not None:
            v["issues"] = _split(g(f"{p}.issues") or "")
        rk, rt = g(f"{p}.relation.kind"), g(f"{p}.relation.to")
        if rk is not None:
            if rk.strip():
                rel = dict(v.get("relation") or {}) if isinstance(v.get("relation"), dict) else {}
                rel["kind"] = rk.strip()
                rel["to"] = (rt or "").strip()
                v["relation"] = rel
            else:
                v.pop("relation", None)
    for k, ag in enumerate(d.get("agreements") or []):
        p = f"agreements[{k}]"
        _set_text(ag, "id", g(f"{p}.id"), keep_blank=True)
        _set_text(ag, "name", g(f"{p}.name"))
        if g(f"{p}.issues") is not None:
            ag["issues"] = _split(g(f"{p}.issues") or "")
        if g(f"{p}.signers") is not None:
            s = _split(g(f"{p}.signers") or "")
            if s:
                ag["signers"] = s
            else:
                ag.pop("signers", None)
    sources = d.get("sources")
    if isinstance(sources, dict) and sources:
        new_sources: dict[str, Any] = {}
        for k, (key, src) in enumerate(sources.items()):
            p = f"sources[{k}]"
            if form.get(f"{p}.remove"):
                continue
            src = dict(src) if isinstance(src, dict) else {}
            for name in ("title", "kind", "date", "url"):
                _set_text(src, name, g(f"{p}.{name}"), keep_blank=name == "title")
            nk = (g(f"{p}.key") or key).strip() or key
            new_sources[nk if nk not in new_sources else key] = src
        d["sources"] = new_sources
    # ids last: a renamed actor or issue takes its references (just set from the form) along
    for key, items, rename in (("actors", actors, _rename_actor), ("issues", issues, _rename_issue)):
        for k, x in enumerate(items):
            new_id = g(f"{key}[{k}].id")
            if new_id is None:
                continue
            new_id = new_id.strip()
            old_id = x.get("id")
            if isinstance(old_id, str) and new_id and new_id != old_id:
                rename(d, old_id, new_id)
            x["id"] = new_id
    # removals (checked boxes), last so that every index above meant the rendered row
    for group in ("relations", "vetoes", "agreements"):
        items = d.get(group)
        if isinstance(items, list):
            d[group] = [x for k, x in enumerate(items) if not form.get(f"{group}[{k}].remove")]
            if not d[group]:
                d.pop(group)
    gone_actors = [a.get("id") for k, a in enumerate(actors) if form.get(f"actors[{k}].remove")]
    gone_issues = [x.get("id") for k, x in enumerate(issues) if form.get(f"issues[{k}].remove")]
    d["actors"] = [a for k, a in enumerate(actors) if not form.get(f"actors[{k}].remove")]
    d["issues"] = [x for k, x in enumerate(issues) if not form.get(f"issues[{k}].remove")]
    pos: dict[str, Any] = d["positions"] if isinstance(d.get("positions"), dict) else {}
    for aid in gone_actors:
        pos.pop(aid, None)
    for row in pos.values():
        if isinstance(row, dict):
            for iid in gone_issues:
                row.pop(iid, None)
    if op:
        apply_op(d, op)
    return d


def _fresh(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def apply_op(d: dict[str, Any], op: str) -> None:
    """Structural edits: add an actor, issue, relation, veto, agreement or source."""
    actors = d.setdefault("actors", [])
    issues = d.setdefault("issues", [])
    aids = [a.get("id") for a in actors if isinstance(a.get("id"), str)]
    iids = [i.get("id") for i in issues if isinstance(i.get("id"), str)]
    if op == "add_actor":
        new = _fresh("ACTOR", set(aids))
        actors.append({"id": new, "name": "New actor", "capability": 1})
    elif op == "add_issue":
        new = _fresh("issue_", set(iids))
        issues.append({"id": new, "name": "New issue", "bounds": [0, 100]})
    elif op == "add_relation":
        d.setdefault("relations", []).append(
            {
                "from": aids[0] if aids else "",
                "to": aids[-1] if aids else "",
                "kind": "affinity",
                "value": 0.5,
            }
        )
    elif op == "add_veto":
        d.setdefault("vetoes", []).append({"actor": aids[-1] if aids else "", "issues": iids[:1]})
    elif op == "add_agreement":
        taken = {ag.get("id") for ag in d.get("agreements") or []}
        d.setdefault("agreements", []).append(
            {"id": _fresh("agreement_", {t for t in taken if t}), "issues": iids[:1]}
        )
    elif op == "add_source":
        src: dict[str, Any] = d["sources"] if isinstance(d.get("sources"), dict) else {}
        src[_fresh("source_", set(src))] = {"title": "New source", "kind": "judgment"}
        d["sources"] = src


_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def at_path(d: Any, path: str) -> Any:
    """The item of plain data ``d`` at a validator path (``positions.JPN.territory.salience``), or None."""
    for m in _STEP.finditer(path):
        key, index = m.groups()
        if index is not None:
            d = d[int(index)] if isinstance(d, list) and int(index) < len(d) else None
        else:
            d = d.get(key) if isinstance(d, dict) else None
        if d is None:
            return None
    return d


def _widen(q: dict[str, Any]) -> bool:
    """Widen one quantity's ``range`` to include its value (True when it did not)."""
    v, r = q.get("value"), q.get("range")
    if (
        isinstance(v, (int, float))
        and isinstance(r, list)
        and len(r) == 2
        and all(isinstance(x, (int, float)) for x in r)
        and not r[0] <= v <= r[1]
    ):
        q["range"] = [min(r[0], v), max(r[1], v)]
        return True
    return False


def widen_one(d: Any, path: str) -> bool:
    """Widen the ``range`` of the quantity at ``path`` to include its value; False when it had no need."""
    q = at_path(d, path)
    return isinstance(q, dict) and _widen(q)


def widen_ranges(d: Any) -> int:
    """Widen every quantity's ``range`` that does not contain its value to include it; how many."""
    n = 0
    if isinstance(d, dict):
        n += _widen(d)
        for x in d.values():
            n += widen_ranges(x)
    elif isinstance(d, list):
        for x in d:
            n += widen_ranges(x)
    return n
