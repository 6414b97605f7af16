"""Numbers set by environment links, as the editor and the comparison show them.

A link (``environment.links``) sets an actor's position, salience, red line or capability from a
driver every time the scenario is resolved, so the number the file gives for that field is never seen
by the models. The editor marks such a field as computed (which link, its driver, the value at
``as_of``) and does not let it be typed over; the comparison says when a differing input is one of
them. Values come from :func:`realpolitik.environment.prepare` (the same resolution the models use).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from realpolitik.environment import prepare
from realpolitik.environment.links import LinkError, Target, parse_target
from realpolitik.scenario import Scenario
from realpolitik.web import scenarios

#: What each target kind sets, in words.
KIND_WORDS = {
    "position": "position",
    "salience": "salience",
    "acceptable_low": "red line (lowest acceptable)",
    "acceptable_high": "red line (highest acceptable)",
    "capability": "capability",
}


@dataclass(frozen=True)
class LinkedField:
    """A number of the scenario set by a link (the last on its target: the one that wins)."""

    index: int  # environment.links[index]
    target: str  # JPN.salience.territory
    words: str  # "JPN's salience on territory"
    driver: str
    formula: str  # "0.25 + 0.5 × threat(CHN, JPN), clipped to [0.25, 0.75]"
    driver_value: float | None  # None: not known (the scenario has problems) or no reading
    value: float | None  # what the link sets at as_of
    file_value: float | None  # the file's own number (None: the file gives none)
    when: str  # "at 2016-12-31"
    others: tuple[int, ...] = ()  # earlier links on the same target (overridden by this one)
    note: str | None = None
    line: int | None = None  # line of the link in the text, when known
    differs: bool = False  # the file's number is not what the link sets

    @property
    def all_indexes(self) -> tuple[int, ...]:
        return (*self.others, self.index)


def _g(v: float) -> str:
    return f"{v:.3g}"


def formula(link: dict[str, Any]) -> str:
    """A link's function in words: ``0.25 + 0.5 × threat(CHN, JPN), clipped to [0.25, 0.75]``."""

    def num(q: Any, default: float) -> str:
        v = q.get("value") if isinstance(q, dict) else q
        try:
            return f"{float(v):g}"  # type: ignore[arg-type]  # None and text are caught below
        except (TypeError, ValueError):
            return f"{default:g}" if v is None else str(v)

    d = str(link.get("driver", "?"))
    base, gain = num(link.get("base"), 0.0), num(link.get("gain"), 1.0)
    if link.get("function") == "logistic":
        mid, steep = num(link.get("midpoint"), 0.5), num(link.get("steepness"), 10.0)
        text = f"{base} + {gain} / (1 + exp(−{steep} × ({d} − {mid})))"
    else:
        text = f"{base} + {gain} × {d}"
    clip = link.get("clip")
    if isinstance(clip, list) and len(clip) == 2:
        text += f", clipped to [{num(clip[0], 0)}, {num(clip[1], 0)}]"
    return text


def field_path(target: Target, actor_index: dict[str, int]) -> str | None:
    """The validator path of the number a target sets (``positions.JPN.territory.salience``)."""
    if target.kind == "capability":
        i = actor_index.get(target.actor)
        return None if i is None else f"actors[{i}].capability"
    base = f"positions.{target.actor}.{target.issue}"
    return {
        "position": f"{base}.position",
        "salience": f"{base}.salience",
        "acceptable_low": f"{base}.acceptable.low",
        "acceptable_high": f"{base}.acceptable.high",
    }[target.kind]


def compare_path(target: Target) -> str:
    """The path of the same number in a comparison of inputs (lists of ids by id)."""
    if target.kind == "capability":
        return f"actors[{target.actor}].capability"
    path = field_path(target, {})
    assert path is not None
    return path


def words(target: Target) -> str:
    what = KIND_WORDS[target.kind]
    return f"{target.actor}'s {what}" + (f" on {target.issue}" if target.issue else "")


def link_lines(text: str | None) -> dict[int, int]:
    """Line of each ``environment.links[k]`` in a YAML or JSON text (empty when it cannot be read)."""
    if not text:
        return {}
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return {}

    def child(n: Any, key: str) -> Any:
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    return v
        return None

    links = child(child(node, "environment"), "links")
    if not isinstance(links, yaml.SequenceNode):
        return {}
    return {k: int(item.start_mark.line) + 1 for k, item in enumerate(links.value)}


def raw_links(draft: Any) -> list[dict[str, Any]]:
    env = draft.get("environment") if isinstance(draft, dict) else None
    links = env.get("links") if isinstance(env, dict) else None
    return [x if isinstance(x, dict) else {} for x in links] if isinstance(links, list) else []


def _file_number(draft: Any, target: Target) -> float | None:
    """The draft's own number for ``target`` (None when it gives none or it is not a number)."""

    def val(q: Any) -> float | None:
        v = q.get("value") if isinstance(q, dict) else q
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        return float(v) if math.isfinite(v) else None

    if not isinstance(draft, dict):
        return None
    if target.kind == "capability":
        for a in draft.get("actors") or []:
            if isinstance(a, dict) and a.get("id") == target.actor:
                return val(a.get("capability"))
        return None
    row = (draft.get("positions") or {}).get(target.actor)
    st = row.get(target.issue) if isinstance(row, dict) else None
    if not isinstance(st, dict):
        return None
    if target.kind in ("position", "salience"):
        return val(st.get(target.kind))
    acc = st.get("acceptable")
    if isinstance(acc, list) and len(acc) == 2:
        acc = {"low": acc[0], "high": acc[1]}
    if not isinstance(acc, dict):
        return None
    return val(acc.get("low" if target.kind == "acceptable_low" else "high"))


def is_overwrite_warning(line: str) -> bool:
    """True for :func:`realpolitik.environment.resolve.overwritten_numbers`' lines (shown on their fields)."""
    return " sets " in line and " and never see " in line


@dataclass(frozen=True)
class LinkInfo:
    """Every linked number of a scenario (by validator path) and the environment's warnings."""

    fields: dict[str, LinkedField]
    warnings: tuple[str, ...] = ()
    error: str | None = None  # why the links could not be resolved (the fields then have no values)

    def by_index(self, index: int) -> LinkedField | None:
        return next((f for f in self.fields.values() if index in f.all_indexes), None)


def link_info(draft: Any, scenario: Scenario | None, text: str | None = None) -> LinkInfo:
    """The linked numbers of ``draft`` (plain data), with values when ``scenario`` (the same, valid) is given.

    ``text`` (the stored YAML) gives the links' lines for the YAML view.
    """
    raw = raw_links(draft)
    if not raw:
        return LinkInfo({})
    actors = draft.get("actors") if isinstance(draft, dict) else None
    actor_index: dict[str, int] = {
        str(a["id"]): i
        for i, a in enumerate(actors or [])
        if isinstance(a, dict) and isinstance(a.get("id"), str)
    }
    effects: dict[int, Any] = {}
    warnings: tuple[str, ...] = ()
    error = None
    when = ""
    if scenario is not None:
        when = f"at {scenario.as_of}" if scenario.as_of is not None else "at the latest readings"
        try:
            prepared = prepare(scenario)
            effects = {e.index: e for e in prepared.resolve().trace.links}
            warnings = tuple(dict.fromkeys(prepared.warnings))
        except ValueError as exc:  # a link or series that cannot be read: say so, mark the fields anyway
            error = str(exc)
    lines = link_lines(text)
    by_target: dict[str, list[int]] = {}
    targets: dict[int, Target] = {}
    for k, link in enumerate(raw):
        try:
            t = parse_target(str(link.get("target", "")))
        except LinkError:
            continue
        targets[k] = t
        by_target.setdefault(str(t), []).append(k)
    fields: dict[str, LinkedField] = {}
    for ks in by_target.values():
        k = ks[-1]
        t = targets[k]
        path = field_path(t, actor_index)
        if path is None:
            continue
        e = effects.get(k)
        value = e.value if e is not None and e.applied else None
        own = _file_number(draft, t)
        differs = False
        if value is not None and own is not None:
            differs = any(f"environment.links[{k}] sets" in w and is_overwrite_warning(w) for w in warnings)
        fields[path] = LinkedField(
            index=k,
            target=str(t),
            words=words(t),
            driver=str(raw[k].get("driver", "?")),
            formula=formula(raw[k]),
            driver_value=None if e is None or not math.isfinite(e.driver_value) else e.driver_value,
            value=value,
            file_value=own,
            when=when,
            others=tuple(ks[:-1]),
            note=raw[k].get("note") if isinstance(raw[k].get("note"), str) else None,
            line=lines.get(k),
            differs=differs,
        )
    return LinkInfo(fields, warnings, error)


@lru_cache(maxsize=128)
def text_link_info(text: str) -> LinkInfo:
    """:func:`link_info` of a stored scenario text (cached by text; treat as read-only)."""
    checked = scenarios.check_text(text)
    return link_info(scenarios.draft_from_text(text), checked.scenario if checked.valid else None, text)


def compare_links(text: str) -> dict[str, LinkedField]:
    """Linked numbers of a stored text by their path in a comparison of inputs."""
    info = text_link_info(text)
    return {compare_path(parse_target(f.target)): f for f in info.fields.values()}


def remove_links(draft: dict[str, Any], index: int) -> list[int]:
    """Remove ``environment.links[index]`` and every other link on the same target; the indexes removed."""
    raw = raw_links(draft)
    if not 0 <= index < len(raw):
        return []
    try:
        target = str(parse_target(str(raw[index].get("target", ""))))
    except LinkError:
        return []
    gone = []
    for k, link in enumerate(raw):
        try:
            if str(parse_target(str(link.get("target", "")))) == target:
                gone.append(k)
        except LinkError:
            continue
    env = draft["environment"]
    env["links"] = [x for k, x in enumerate(env["links"]) if k not in gone]
    if not env["links"]:
        env.pop("links")
    return gone
