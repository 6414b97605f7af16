"""Reading and writing scenarios: YAML, JSON, KTAB CSV, decide's exchange-model format, simple tables.

``load`` accepts a built-in id or a path and tells formats apart by content and extension. Every failure
on bad input raises :class:`~realpolitik.scenario.errors.ScenarioError` with one line per problem.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from realpolitik._lazy import lazy_function
from realpolitik._text import ID_RULE, is_id, visible
from realpolitik.limits import INPUT_BYTES
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


# ------------------------------------------------------------------------------------------------ YAML
# PyYAML loads only when a YAML text is read or written (``realpolitik.scenario.yaml_text``): reading a
# KTAB CSV or a JSON file does not pay for it.
if TYPE_CHECKING:
    from realpolitik.scenario.yaml_text import Dupes, Lines, dump_yaml, load_yaml, walk_text
else:
    load_yaml = lazy_function("realpolitik.scenario.yaml_text", "load_yaml")
    walk_text = lazy_function("realpolitik.scenario.yaml_text", "walk_text")
    dump_yaml = lazy_function("realpolitik.scenario.yaml_text", "dump_yaml")


_JSON_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|\n|-?(?:Infinity|[0-9][0-9.eE+\-]*)|true|false|null|NaN'
)


def _json_lines(text: str) -> tuple[Lines, Dupes]:
    """Line of every key / list item path in a JSON text, and its duplicate keys (one linear scan).

    The text has already been parsed by :func:`json.loads`; this only finds where things are, for
    messages, so it is run when there is something to report.
    """
    lines: Lines = {(): 1}
    dupes: Dupes = []
    line = 1
    # one frame per open container: [is_object, path, next index or current key, expecting a key, keys]
    frames: list[list[Any]] = []

    def value_path() -> tuple[str | int, ...]:
        if not frames:
            return ()
        f = frames[-1]
        return (*f[1], f[2])

    for m in _JSON_TOKEN.finditer(text):
        tok = m.group(0)
        if tok == "\n":
            line += 1
            continue
        top = frames[-1] if frames else None
        if tok in ",:":
            if top is not None and tok == ",":
                if top[0]:
                    top[3] = True
                else:
                    top[2] += 1
            continue
        if tok in "}]":
            if frames:
                frames.pop()
            continue
        if top is not None and top[0] and top[3]:  # a key
            key = json.loads(tok) if "\\" in tok else tok[1:-1]
            path = (*top[1], key)
            if key in top[4]:
                dupes.append((path, line, top[4][key]))
            else:
                top[4][key] = line
                lines.setdefault(path, line)
            top[2], top[3] = key, False
            continue
        path = value_path()
        if top is not None and not top[0]:
            lines.setdefault(path, line)
        if tok == "{":
            frames.append([True, path, None, True, {}])
        elif tok == "[":
            frames.append([False, path, 0, False, {}])
    return lines, dupes


class _LazyLines:
    """A line map computed on first use (finding lines in a large file costs more than parsing it)."""

    def __init__(self, compute: Callable[[], tuple[Lines, Dupes]]):
        self._compute = compute
        self._lines: Lines | None = None

    def get(self) -> Lines:
        if self._lines is None:
            try:
                self._lines = self._compute()[0]
            except (RecursionError, ValueError):
                self._lines = {}
        return self._lines


def _line_lookup(lines: Lines | _LazyLines) -> _validate.LineOf:
    def look(path: tuple[str | int, ...]) -> int | None:
        table = lines.get() if isinstance(lines, _LazyLines) else lines
        p = tuple(str(x) if not isinstance(x, int) else x for x in path)
        while p:
            if p in table:
                return table[p]
            # numeric keys (issue labels) are stored as text in the map
            p = p[:-1]
        return table.get((), None) if table else None

    return look


# ------------------------------------------------------------------------------------- pydantic messages
def _shown(inp: Any) -> str:
    if isinstance(inp, dict):
        return "a mapping"
    if isinstance(inp, (list, tuple)):
        return "a list"
    if inp is None:
        return "nothing (null)"
    try:
        shown = visible(repr(inp))
    except Exception:  # pragma: no cover - exotic objects
        shown = type(inp).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return shown


def _describe(err: dict[str, Any]) -> str:
    t = err.get("type", "")
    inp = err.get("input")
    shown = _shown(inp)
    ctx = err.get("ctx") or {}
    if t == "missing":
        return "required field is missing"
    if t == "extra_forbidden":
        return "unknown field: expected one of the documented fields (see docs/scenarios.md)"
    if t in ("float_parsing", "float_type", "int_parsing", "int_type", "finite_number"):
        if isinstance(inp, int) and not isinstance(inp, bool):
            return f"expected a number of a usable size, got an integer with {len(str(abs(inp)))} digits"
        return f"expected a number, got {shown}"
    if t in ("model_type", "model_attributes_type", "dict_type") and "Quantity" in str(ctx) + str(
        err.get("msg", "")
    ):
        return f"expected a number or a mapping with value/source/note/range, got {shown}"
    if t in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping, got {shown}"
    if t in ("list_type", "tuple_type"):
        return f"expected a list, got {shown}"
    if t == "too_long" and isinstance(inp, (list, tuple)) and ctx.get("max_length") == 2:
        return f"expected a list of two numbers [low, high], got {len(inp)} items"
    if t == "too_short" and isinstance(inp, (list, tuple)) and ctx.get("min_length", 0) >= 1 and len(inp) > 0:
        return f"expected a list of two numbers [low, high], got {len(inp)} item(s)"
    if t == "string_type":
        return f"expected text, got {shown}"
    if t == "string_pattern_mismatch":
        return f"{ID_RULE}, got {shown}"
    if t == "string_too_short":
        return "expected a non-empty id"
    if t == "string_too_long":
        return f"expected an id of at most {ctx.get('max_length', 80)} characters"
    if t == "literal_error":
        exp = ctx.get("expected", "")
        return f"expected one of {exp}, got {shown}"
    if t.startswith("date") or t.startswith("datetime"):
        return f"expected a date YYYY-MM-DD, got {shown}"
    if t == "too_short" and isinstance(inp, list):
        return "expected a non-empty list"
    if t == "greater_than_equal":
        return f"expected a number >= {ctx.get('ge')}, got {shown}"
    if t == "recursion_loop":
        return "expected plain data, got a structure that contains itself (a recursive YAML alias)"
    if t == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        if msg.startswith("expected") and "got" not in msg and not isinstance(inp, (dict, list)):
            msg += f", got {shown}"
        return msg
    return f"{err.get('msg', 'invalid value')} (got {shown})"


def _is_marker(part: Any) -> bool:
    """pydantic's own location parts: union members, validator functions, dict-key markers."""
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _locate(data: Any, loc: tuple[Any, ...], missing: bool) -> tuple[tuple[Any, ...], tuple[str | int, ...]]:
    """Follow a pydantic location through the raw data.

    Returns the raw key path (to edit the data) and the display path (dict keys as text, list indices as
    ints). The path stops where the data stops (a bare number reported at ``field.value`` is ``field``;
    union-member tags such as ``date``/``str`` are dropped), except that a missing field is named.
    """
    raw: list[Any] = []
    shown: list[str | int] = []
    node = data
    parts = [p for p in loc if not _is_marker(p)]
    for i, part in enumerate(parts):
        if isinstance(node, dict) and part in node:
            raw.append(part)
            shown.append(str(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            raw.append(part)
            shown.append(part)
            node = node[part]
        else:
            if missing and isinstance(node, dict) and i == len(parts) - 1:
                raw.append(part)
                shown.append(str(part))
            break
    return tuple(raw), tuple(shown)


def _pydantic_problems(
    exc: ValidationError, data: Any, file: str, line_of: _validate.LineOf
) -> tuple[list[Problem], list[tuple[Any, ...]]]:
    """One-line problems for a pydantic error, and the raw paths of the broken parts."""
    seen: dict[str, Problem] = {}
    broken: list[tuple[Any, ...]] = []
    for err in exc.errors():
        raw, shown = _locate(data, tuple(err["loc"]), err.get("type") == "missing")
        broken.append(raw)
        key = _validate.path_str(shown)
        if key in seen:
            continue  # one message per field (union branches repeat the same field)
        seen[key] = Problem(file=file, path=key, message=_describe(dict(err)), line=line_of(shown))
    return list(seen.values()), broken


# ------------------------------------------------------------------------------------------- salvage
def _good_id(x: Any) -> bool:
    return isinstance(x, str) and 0 < len(x) <= 80 and is_id(x)


def _placeholder(pattern: tuple[str, ...], old: Any, index: int) -> Any:
    """A minimal valid stand-in for a broken list item (problems under it are not reported again)."""
    if pattern in (("actors",), ("issues",)):
        oid = old.get("id") if isinstance(old, dict) else None
        return {"id": oid if _good_id(oid) else f"_broken_{index}", "name": "?"}
    return {
        ("relations",): {"from": "_", "to": "_", "kind": "affinity"},
        ("vetoes",): {"actor": "_", "issues": ["_"]},
        ("analogues",): {"scenario": "_"},
        ("environment", "links"): {"target": "_.capability", "driver": "_"},
        ("parties",): "_",
        ("vetoes", "*", "issues"): "_",
    }.get(pattern)


def _note_broken(data: dict[str, Any], path: tuple[Any, ...], salv: _validate.Salvaged) -> None:
    """Record which ids can no longer be checked because ``path`` was dropped."""
    section = path[0] if path else None
    for name, ids, flag in (("actors", salv.actors, "all_actors"), ("issues", salv.issues, "all_issues")):
        if section != name:
            continue
        items = data.get(name)
        if len(path) == 1 or not isinstance(items, list):
            setattr(salv, flag, True)
            continue
        item = items[path[1]] if isinstance(path[1], int) and path[1] < len(items) else None
        iid = item.get("id") if isinstance(item, dict) else None
        if isinstance(iid, str) and _good_id(iid):
            ids.add(iid)
        else:
            setattr(salv, flag, True)
    if section == "sources":
        if len(path) == 1:
            salv.all_sources = True
        else:
            salv.sources.add(str(path[1]))


def _drop(data: dict[str, Any], path: tuple[Any, ...], salv: _validate.Salvaged) -> bool:
    """Remove or replace the broken part at ``path``; False when nothing could be done."""
    if not path:
        return False
    if path == ("id",):
        if data.get("id") == "_":
            return False
        data["id"] = "_"
        return True
    if path == ("title",):
        if data.get("title") == "?":
            return False
        data["title"] = "?"
        return True
    parent: Any = data
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    shown = tuple(p if isinstance(p, int) else str(p) for p in path)
    if isinstance(parent, list):
        pattern = tuple("*" if isinstance(p, int) else str(p) for p in path[:-1])
        new = _placeholder(pattern, parent[key], key)
        if new is None or new == parent[key]:
            return _drop(data, path[:-1], salv)
        _note_broken(data, path, salv)
        parent[key] = new
        salv.broken.add(shown)
        return True
    if isinstance(parent, dict) and key in parent:
        _note_broken(data, path, salv)
        del parent[key]
        salv.broken.add(shown)
        return True
    return _drop(data, path[:-1], salv)


def _salvage(
    data: dict[str, Any], broken: list[tuple[Any, ...]]
) -> tuple[Scenario | None, _validate.Salvaged]:
    """The scenario that is left once the broken parts are dropped (None when that does not converge)."""
    salv = _validate.Salvaged()
    try:
        work = copy.deepcopy(data)
    except (RecursionError, TypeError):
        return None, salv
    for _round in range(25):
        changed = False
        for raw in sorted(broken, key=len, reverse=True):
            try:
                changed |= _drop(work, raw, salv)
            except (KeyError, IndexError, TypeError):
                continue
        if not changed:
            return None, salv
        try:
            return Scenario.model_validate(work), salv
        except ValidationError as exc:
            broken = [_locate(work, tuple(e["loc"]), e.get("type") == "missing")[0] for e in exc.errors()]
        except RecursionError:
            return None, salv
    return None, salv


# ------------------------------------------------------------------------------------------- from data
def _from_data(data: Any, file: str, lines: Lines | _LazyLines, dupes: Dupes) -> Scenario:
    look = _line_lookup(lines)
    if data is None:
        raise ScenarioError.single(
            file,
            "",
            "the file is empty: expected a mapping of scenario fields (id, title, actors, issues, ...)",
            1,
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"{_shown(data)} ({type(data).__name__})"
        raise ScenarioError.single(
            file,
            "",
            f"expected a mapping of scenario fields (id, title, actors, ...) at the top level, got {kind}",
            1,
        )
    problems = [
        Problem(
            file=file,
            path=_validate.path_str(path),
            message=f"duplicate key {path[-1]!r} (first on line {first}): expected each key once",
            line=line,
        )
        for path, line, first in dupes
    ]
    try:
        scenario: Scenario | None = Scenario.model_validate(data)
        salv: _validate.Salvaged | None = None
    except ValidationError as exc:
        structural, broken = _pydantic_problems(exc, data, file, look)
        problems += structural
        scenario, salv = _salvage(data, broken)
        if salv is not None:
            salv.broken.update(tuple(p) for p in broken)
    except RecursionError:
        raise ScenarioError.single(
            file, "", "expected plain data, got a structure nested too deeply", 1
        ) from None
    if scenario is not None:
        reported = {p.path for p in problems}
        problems += [p for p in _validate.check(scenario, file, look, salv) if p.path not in reported]
    if problems:
        problems.sort(key=lambda p: (p.line is None, p.line or 0))
        raise ScenarioError(problems)
    assert scenario is not None
    return scenario


def from_dict(data: Any, file: str = "<data>", text: str | None = None) -> Scenario:
    """Validate a parsed mapping into a Scenario, raising ScenarioError with every problem.

    ``text`` (the YAML/JSON the data came from) lets problems name their line.
    """
    if text is None:
        return _from_data(data, file, {}, [])
    if text.lstrip().startswith(("{", "[")):
        lazy = _LazyLines(lambda: _json_lines(text))
        return _from_data(data, file, lazy, [])
    lines, dupes = walk_text(text)
    return _from_data(data, file, lines, dupes)


def _load_json(text: str, file: str) -> tuple[Any, _LazyLines, Dupes]:
    """Parse JSON with the JSON parser; lines (and duplicate keys' paths) are found only when needed."""
    has_dupes = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal has_dupes
        out = dict(items)
        if len(out) != len(items):
            has_dupes = True
        return out

    try:
        data = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise ScenarioError.single(
            file, "", f"not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno
        ) from None
    except RecursionError:
        raise ScenarioError.single(file, "", "not valid JSON: nested too deeply", None) from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ScenarioError.single(file, "", f"not valid JSON: {str(exc).split(';')[0]}", None) from None
    lazy = _LazyLines(lambda: _json_lines(text))
    dupes: Dupes = _json_lines(text)[1] if has_dupes else []
    return data, lazy, dupes


def parse_text(text: str, file: str = "<text>", fmt: str | None = None) -> Scenario:
    """Parse a YAML or JSON scenario text (``fmt`` "yaml"/"json", or told by content)."""
    if fmt is None:
        fmt = "json" if text.lstrip().startswith("{") else "yaml"
    lines: Lines | _LazyLines
    if fmt == "json":
        data, lines, dupes = _load_json(text, file)
    else:
        data, lines, dupes = load_yaml(text, file)
    return _from_data(data, file, lines, dupes)


# ------------------------------------------------------------------------------------------------ load
_BINARY_SIGNATURES = (b"\x89PNG", b"%PDF", b"PK\x03\x04", b"\x7fELF", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff")


def _read_text(path: Path) -> str:
    name = str(path)
    try:
        if path.is_dir():
            raise ScenarioError.single(name, "", "is a directory, expected a scenario file")
        if path.exists() and not path.is_file():
            raise ScenarioError.single(name, "", "is not a regular file, expected a scenario file")
        size = path.stat().st_size
        limit = INPUT_BYTES.value()
        if size > limit:
            raise ScenarioError.single(
                name,
                "",
                f"is {size:,} bytes, more than the limit of {limit:,} for a scenario file "
                f"(set {INPUT_BYTES.env} to raise it)",
            )
        blocks: list[bytes] = []
        total = 0
        with path.open("rb") as fh:  # in blocks: the file may grow after stat (or report size 0)
            while block := fh.read(1 << 20):
                total += len(block)
                if total > limit:
                    raise ScenarioError.single(
                        name, "", f"is more than {limit:,} bytes (set {INPUT_BYTES.env} to raise the limit)"
                    )
                blocks.append(block)
        raw = b"".join(blocks)
    except FileNotFoundError:
        raise ScenarioError.single(name, "", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError.single(name, "", "is a directory, expected a scenario file") from None
    except PermissionError:
        raise ScenarioError.single(name, "", "cannot be read: permission denied") from None
    except OSError as exc:
        raise ScenarioError.single(name, "", f"cannot be read: {exc.strerror or exc}") from None
    if not raw.strip():
        raise ScenarioError.single(
            name, "", "the file is empty: expected a scenario (YAML, JSON, KTAB CSV/XML or decide format)", 1
        )
    if raw.startswith(_BINARY_SIGNATURES) or b"\x00" in raw[:8192]:
        raise ScenarioError.single(
            name, "", "is a binary file, expected a scenario text file (YAML, JSON, CSV or XML)"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError.single(
            name,
            "",
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}): save it as UTF-8",
            line,
        ) from None


def detect_format(path: Path, text: str) -> str:
    """``yaml``, ``json``, ``ktab-csv``, ``ktab-xml``, ``decide`` or ``table``, by extension, then content."""
    from realpolitik.scenario import ktab

    head = text.lstrip()[:2048]
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "json"
    if suffix == ".xml" or head.startswith("<"):
        return "ktab-xml"
    if _DECIDE_RECORD.match(head):
        return "decide"
    if head.startswith("{"):
        return "json"
    if suffix in (".csv", ".txt", ".tsv"):
        if ktab.looks_like_ktab_csv(text):
            return "ktab-csv"
        if ktab.looks_like_table(text):
            return "table"
        return "ktab-csv"
    # no telling extension: recognise the tabular formats by their first lines
    if ktab.looks_like_ktab_csv(text):
        return "ktab-csv"
    if ktab.looks_like_table(text):
        return "table"
    return "yaml"


#: What each detected format is called in messages.
FORMAT_NAMES = {
    "yaml": "a YAML scenario",
    "json": "a JSON scenario",
    "ktab-csv": "a KTAB CSV file",
    "ktab-xml": "a KTAB XML file",
    "decide": "an exchange-model (decide) input file",
    "table": "an actor table (actor, capability, position, salience)",
}
#: The formats each ``expect`` of :func:`load` accepts, and how they are named.
EXPECT = {
    "ktab": (("ktab-csv", "ktab-xml"), "KTAB (CSV or XML)", "import ktab"),
    "decide": (("decide",), "the exchange model's (decide) format", "import decide"),
}


def load(source: str | Path, *, allow_paths: bool = False, expect: str | None = None) -> Scenario:
    """Load a built-in scenario by id, or a scenario file (YAML, JSON, KTAB CSV/XML, decide, table).

    Bad input of any kind raises :class:`ScenarioError` (one line per problem), never anything else.
    ``allow_paths`` lets the scenario's series files (and analogues) lie outside its own folder: pass it
    only for a scenario you trust (docs/security.md). ``expect`` (``"ktab"`` or ``"decide"``) reads a
    file only in that format: a file recognisably in another format is refused, naming both.
    """
    if expect is not None and expect not in EXPECT:
        raise ValueError(f"expect must be one of {', '.join(EXPECT)}, got {expect!r}")
    try:
        scenario = _load(source, expect)
    except ScenarioError:
        raise
    except RecursionError:
        raise ScenarioError.single(str(source), "", "cannot be read: the data is nested too deeply") from None
    except Exception as exc:  # a bug in a reader must still not show bad input as a traceback
        raise ScenarioError.single(
            str(source), "", f"internal error while reading ({type(exc).__name__}: {exc}); please report this"
        ) from exc
    if not (isinstance(source, str) and source in builtin_ids() and not _exists(Path(source))):
        scenario._source_dir = Path(source).resolve().parent
    scenario._allow_paths = bool(allow_paths)
    return scenario


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _expected_format(path: Path, text: str, detected: str, expect: str) -> str:
    """The reader to use for a file the user says is in ``expect``'s format; refuse one that is
    recognisably in another format (a guess by default is not recognition: then read it as told)."""
    from realpolitik.scenario import ktab

    allowed, named, command = EXPECT[expect]
    if detected in allowed:
        return detected
    suffix = path.suffix.lower()
    head = text.lstrip()[:2048]
    recognised = {
        "yaml": suffix in (".yaml", ".yml"),
        "json": suffix == ".json" or head.startswith("{"),
        "ktab-xml": True,
        "decide": True,
        "ktab-csv": ktab.looks_like_ktab_csv(text),
        "table": True,
    }[detected]
    if recognised:
        other = {"ktab-csv": "import ktab", "ktab-xml": "import ktab", "decide": "import decide"}.get(
            detected
        )
        hint = f"use `realpolitik {other}`" if other else "every command reads it as it is"
        raise ScenarioError.single(
            str(path), "", f"is {FORMAT_NAMES[detected]}, not {named}, so `{command}` cannot read it ({hint})"
        )
    return allowed[0]


def _load(source: str | Path, expect: str | None = None) -> Scenario:
    from realpolitik.scenario import ktab

    if expect is None and isinstance(source, str) and not _exists(Path(source)) and source in builtin_ids():
        path = builtin_path(source)
        return parse_text(path.read_text(encoding="utf-8"), f"<built-in {source}>")
    try:
        path = Path(source)
    except TypeError:
        raise ScenarioError.single(
            repr(source), "", "expected a file path or a built-in scenario id"
        ) from None
    if "\x00" in str(path):
        raise ScenarioError.single(repr(str(path)), "", "expected a file path, got text with a NUL character")
    if not _exists(path):
        hint = ""
        if isinstance(source, str) and "/" not in source and "." not in source:
            hint = f" (built-in scenarios: {', '.join(builtin_ids()) or 'none'})"
        raise ScenarioError.single(str(source), "", f"no such file or built-in scenario{hint}")
    text = _read_text(path)
    fmt = detect_format(path, text)
    if expect is not None:
        fmt = _expected_format(path, text, fmt, expect)
    name = str(path)
    if fmt == "ktab-xml":
        from realpolitik.scenario import ktab_xml

        return from_dict(ktab_xml.parse(text, name), name)
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
    return dump_yaml(data)


def save(scenario: Scenario, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the scenario to ``path`` (format by extension: .json, else YAML); refuse to overwrite."""
    p = Path(path)
    if p.exists() and not overwrite:
        raise FileExistsError(f"{p}: already exists; refusing to overwrite it (choose another name)")
    fmt = "json" if p.suffix.lower() == ".json" else "yaml"
    p.write_text(dumps(scenario, fmt), encoding="utf-8")
    return p


@dataclass(frozen=True)
class Provenance:
    """Where a scenario's numbers come from: how many cite a document or dataset, how many a source of
    kind ``judgment`` (analyst judgment) and how many of those carry a note, how many cite none."""

    numbers: int
    documented: int
    judgment: int
    judgment_noted: int
    unsourced: int  # no source, or one the scenario does not declare

    def words(self) -> str:
        """``61 numbers: 8 from documents or datasets, 53 analyst judgment (each with a note)``."""
        parts = []
        if self.documented:
            parts.append(f"{self.documented:,} from documents or datasets")
        if self.judgment:
            if self.judgment_noted == self.judgment:
                noted = "each with a note" if self.judgment > 1 else "with a note"
            else:
                noted = f"{self.judgment_noted:,} with a note"
            parts.append(f"{self.judgment:,} analyst judgment ({noted})")
        if self.unsourced:
            parts.append(f"{self.unsourced:,} citing no declared source")
        return f"{self.numbers:,} numbers: " + (", ".join(parts) or "none")


def provenance(scenario: Scenario) -> Provenance:
    """Count the scenario's numbers by the kind of source they cite (:func:`iter_quantities`).

    >>> provenance(load("japan-russia-2016")).words()
    '61 numbers: 8 from documents or datasets, 53 analyst judgment (each with a note)'
    """
    kinds = {k: src.kind for k, src in scenario.sources.items()}
    n = documented = judgment = noted = 0
    for _, q in iter_quantities(scenario):
        n += 1
        kind = kinds.get(q.source) if q.source else None
        if kind == "judgment":
            judgment += 1
            noted += bool(q.note and q.note.strip())
        elif kind is not None:
            documented += 1
    return Provenance(n, documented, judgment, noted, n - documented - judgment)


def iter_quantities(scenario: Scenario) -> Iterator[tuple[str, Quantity]]:
    """Every number in the scenario with its field path (for provenance tables).

    A link's ``base`` and ``gain`` without a source of their own carry the link's source and note.
    """
    for path, q in _validate._quantities(scenario, ()):
        if path[:2] == ("environment", "links") and path[-1] in ("base", "gain") and q.source is None:
            ln = scenario.environment.links[int(path[2])]
            q = q.model_copy(update={"source": ln.source, "note": q.note or ln.note})
        yield _validate.path_str(path), q
