"""Reading and writing scenarios: YAML, JSON, KTAB CSV, decide's exchange-model format, simple tables.

``load`` accepts a built-in id or a path and tells formats apart by content and extension. Every failure
on bad input raises :class:`~realpolitik.scenario.errors.ScenarioError` with one line per problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from realpolitik.scenario import validate as _validate
from realpolitik.scenario.errors import Problem, ScenarioError
from realpolitik.scenario.schema import Quantity, Scenario

BUILTIN_PACKAGE = "realpolitik.data.scenarios"
_DECIDE_RECORD = re.compile(r"^['\"]?#[APMDO/]['\"]?[\t,;]")


# ---------------------------------------------------------------------------------------------- built-ins
def builtin_ids() -> list[str]:
    """Ids of the built-in scenarios, sorted."""
    root = resources.files(BUILTIN_PACKAGE)
    return sorted(p.name[: -len(".yaml")] for p in root.iterdir() if p.name.endswith(".yaml"))


def builtin_path(scenario_id: str) -> Path:
    """The package-data file of a built-in scenario."""
    p = resources.files(BUILTIN_PACKAGE) / f"{scenario_id}.yaml"
    return Path(str(p))


# ------------------------------------------------------------------------------------------ line numbers
def _line_map(text: str) -> dict[tuple[str | int, ...], int]:
    """Map every mapping key / list item path in a YAML (or JSON) text to its 1-based line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key: str | int = k.value if isinstance(k, yaml.ScalarNode) else str(k)
                lines[(*path, key)] = k.start_mark.line + 1
                walk(v, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _line_lookup(lines: dict[tuple[str | int, ...], int]) -> _validate.LineOf:
    def look(path: tuple[str | int, ...]) -> int | None:
        p = tuple(str(x) if not isinstance(x, int) else x for x in path)
        while p:
            if p in lines:
                return lines[p]
            # numeric keys (issue labels) are stored as text in the map
            p = p[:-1]
        return lines.get((), None) if lines else None

    return look


# ------------------------------------------------------------------------------------- pydantic messages
def _describe(err: dict[str, Any]) -> str:
    t = err.get("type", "")
    inp = err.get("input")
    shown = repr(inp) if not isinstance(inp, (dict, list)) else type(inp).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if t == "missing":
        return "required field is missing"
    if t == "extra_forbidden":
        return "unknown field: expected one of the documented fields (see docs/scenarios.md)"
    if t in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"expected a number, got {shown}"
    if t in ("model_type", "model_attributes_type", "dict_type") and "Quantity" in str(err.get("ctx", "")) + str(
        err.get("msg", "")
    ):
        return f"expected a number or a mapping with value/source/note/range, got {shown}"
    if t in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping, got {shown}"
    if t in ("list_type", "tuple_type"):
        return f"expected a list, got {shown}"
    if t == "string_type":
        return f"expected text, got {shown}"
    if t == "string_pattern_mismatch":
        return f"expected an id of letters, digits, '_', '-', '.' or spaces, got {shown}"
    if t == "literal_error":
        exp = err.get("ctx", {}).get("expected", "")
        return f"expected one of {exp}, got {shown}"
    if t in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return f"expected a date YYYY-MM-DD, got {shown}"
    if t == "too_short" and isinstance(inp, list):
        return "expected a non-empty list"
    if t == "value_error":
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ")
    return f"{err.get('msg', 'invalid value')} (got {shown})"


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union/function markers from an error location."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (
            part.startswith("function-") or part in ("Quantity", "float", "str", "int", "date") or "[" in part
        ):
            continue
        out.append(part)
    # a failing bare number reports ...field.value: the user wrote the field itself
    return tuple(out)


def _pydantic_problems(exc: ValidationError, file: str, line_of: _validate.LineOf) -> list[Problem]:
    seen: dict[str, Problem] = {}
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        msg = _describe(dict(err))
        key = _validate.path_str(loc)
        if key in seen:
            continue  # one message per field (union branches repeat the same field)
        seen[key] = Problem(file=file, path=key, message=msg, line=line_of(loc))
    return list(seen.values())


# ------------------------------------------------------------------------------------------- from data
def from_dict(data: Any, file: str = "<data>", text: str | None = None) -> Scenario:
    """Validate a parsed mapping into a Scenario, raising ScenarioError with every problem."""
    lines = _line_map(text) if text is not None else {}
    look = _line_lookup(lines)
    if not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        raise ScenarioError.single(file, "", f"expected a mapping of scenario fields at the top level, got {kind}", 1)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_pydantic_problems(exc, file, look)) from None
    problems = _validate.check(scenario, file, look)
    if problems:
        raise ScenarioError(problems)
    return scenario


def parse_text(text: str, file: str = "<text>", fmt: str | None = None) -> Scenario:
    """Parse a YAML or JSON scenario text (``fmt`` "yaml"/"json", or told by content)."""
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError.single(file, "", f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ScenarioError.single(file, "", f"not valid YAML: {problem}", line) from None
    return from_dict(data, file, text)


# ------------------------------------------------------------------------------------------------ load
def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError.single(str(path), "", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError.single(str(path), "", "is a directory, expected a scenario file") from None
    except OSError as exc:
        raise ScenarioError.single(str(path), "", f"cannot be read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError.single(str(path), "", f"is not UTF-8 text (byte {exc.start})") from None


def detect_format(path: Path, text: str) -> str:
    """``yaml``, ``json``, ``ktab-csv``, ``ktab-xml``, ``decide`` or ``table``, by content and extension."""
    from realpolitik.scenario import ktab

    head = text.lstrip()[:2048]
    suffix = path.suffix.lower()
    if head.startswith("<"):
        return "ktab-xml"
    if _DECIDE_RECORD.match(head):
        return "decide"
    if suffix == ".json" or head.startswith("{"):
        return "json"
    if suffix in (".csv", ".txt", ".tsv"):
        if ktab.looks_like_ktab_csv(text):
            return "ktab-csv"
        if ktab.looks_like_table(text):
            return "table"
        return "ktab-csv"
    return "yaml"


def load(source: str | Path) -> Scenario:
    """Load a built-in scenario by id, or a scenario file (YAML, JSON, KTAB CSV/XML, decide, table)."""
    from realpolitik.scenario import ktab

    if isinstance(source, str) and not Path(source).exists() and source in builtin_ids():
        path = builtin_path(source)
        return parse_text(path.read_text(encoding="utf-8"), f"<built-in {source}>")
    path = Path(source)
    if not path.exists():
        hint = ""
        if isinstance(source, str) and "/" not in source and "." not in source:
            hint = f" (built-in scenarios: {', '.join(builtin_ids())})"
        raise ScenarioError.single(str(source), "", f"no such file or built-in scenario{hint}")
    text = _read_text(path)
    fmt = detect_format(path, text)
    name = str(path)
    if fmt == "ktab-xml":
        return from_dict(ktab.parse_ktab_xml(text, name), name)
    if fmt == "decide":
        from realpolitik.scenario import decide_format

        try:
            data = decide_format.parse_decide(text, name)
        except decide_format.DecideFormatError as exc:
            raise ScenarioError(
                [Problem(file=name, path=e.field or "", message=e.message, line=e.line) for e in exc.errors]
            ) from None
        return from_dict(decide_to_dict(data, path.stem), name)
    if fmt == "ktab-csv":
        return from_dict(ktab.parse_ktab_csv(text, name), name)
    if fmt == "table":
        return from_dict(ktab.parse_table(text, name, path.stem), name)
    return parse_text(text, name, fmt)


def decide_to_dict(data: Any, scenario_id: str) -> dict[str, Any]:
    """A scenario mapping from decide's exchange-model records (per-issue power kept as stance power)."""
    actors = []
    positions: dict[str, dict[str, Any]] = {}
    for a in data.actors:
        aid, name = a[0], a[1]
        actors.append({"id": _safe_id(aid), "name": name or aid})
    issues = []
    for iss in data.issues:
        name, desc = iss[0], iss[1]
        lo, hi = data.bounds.get(name, (0.0, 100.0))
        issues.append({"id": _safe_id(name), "name": desc or name, "bounds": [lo, hi]})
    for rec in data.records:
        positions.setdefault(_safe_id(rec.actor), {})[_safe_id(rec.issue)] = {
            "position": float(rec.position),
            "salience": float(rec.salience),
            "power": float(rec.power),
        }
    return {
        "id": _safe_id(scenario_id),
        "title": scenario_id,
        "description": "Imported from the exchange model's (decide) input format.",
        "actors": actors,
        "issues": issues,
        "positions": positions,
        "metadata": {"format": "decide"},
    }


def _safe_id(text: str) -> str:
    """An id usable in a scenario from any label (keeps letters, digits, space, _ . - ( ) as '_')."""
    out = "".join(ch if ch.isalnum() or ch in "_.- " else "_" for ch in text.strip())
    out = out.strip() or "_"
    if not (out[0].isalnum() or out[0] == "_"):
        out = "_" + out
    return out[:80]


# ----------------------------------------------------------------------------------------------- save
def _compact(obj: Any) -> Any:
    """JSON-ready data with bare numbers where a Quantity has nothing but its value."""
    if isinstance(obj, dict):
        if set(obj) == {"value"} and isinstance(obj["value"], (int, float)):
            return obj["value"]
        return {k: _compact(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_compact(v) for v in obj]
    return obj


def to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data (what YAML/JSON files hold), without empty defaults."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_defaults=True)
    data = {"id": scenario.id, "title": scenario.title, **data}
    return _compact(data)  # type: ignore[no-any-return]


def dumps(scenario: Scenario, fmt: str = "yaml") -> str:
    """The scenario as YAML or JSON text."""
    data = to_dict(scenario)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def save(scenario: Scenario, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the scenario to ``path`` (format by extension: .json, else YAML); refuse to overwrite."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p}: already exists; refusing to overwrite it (choose another name)")
    fmt = "json" if p.suffix.lower() == ".json" else "yaml"
    p.write_text(dumps(scenario, fmt), encoding="utf-8")
    return p


def iter_quantities(scenario: Scenario) -> Iterator[tuple[str, Quantity]]:
    """Every number in the scenario with its field path (for provenance tables)."""
    for path, q in _validate._quantities(scenario, ()):
        yield _validate.path_str(path), q
