"""Scenario text in the web app: validation (the package's own validator), uploads, the path policy.

Uploaded bytes are read by :func:`realpolitik.scenario.load` itself (format detection by content and
extension, the binary and UTF-8 checks, KTAB, decide and table readers): the bytes are written to a
private temporary folder under a fixed name whose extension is one of :data:`SUFFIXES` (taken from the
uploaded name only when it is one of them). No path from a request is ever opened.

**Path policy.** A scenario file may name other files: CSV series (``environment.indicators.*.series``,
``environment.capabilities``) and analogue scenarios (``analogues[].scenario``). On a server these
would read the server's disk, so the web app accepts only built-in series and built-in scenarios
there and reports anything else as a problem on that field.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from realpolitik.scenario import Problem, Scenario, ScenarioError, builtin_ids, dumps, load, parse_text
from realpolitik.scenario.errors import one_line
from realpolitik.scenario.io import detect_format

#: Upload size limit in bytes (also the limit of any request body): 2 MiB.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

#: Extensions kept from an uploaded file name (the readers use them to tell formats apart).
SUFFIXES = (".yaml", ".yml", ".json", ".csv", ".tsv", ".txt", ".xml")

BLANK = """\
id: new-scenario
title: New scenario
actors:
  - {id: A, name: First actor, capability: 1}
  - {id: B, name: Second actor, capability: 1}
issues:
  - {id: issue_1, name: First issue, bounds: [0, 100], status_quo: 50}
positions:
  A:
    issue_1: {position: 0, salience: 0.5}
  B:
    issue_1: {position: 100, salience: 0.5}
"""


@dataclass
class Checked:
    """A scenario text checked: the scenario when valid, else every problem."""

    scenario: Scenario | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.scenario is not None and not self.problems


def display_name(filename: str | None) -> str:
    """An uploaded file's name for messages only: its last part, printable, at most 100 characters."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = one_line(base)[:100]
    return base or "upload"


def _suffix(filename: str) -> str:
    m = re.search(r"(\.[A-Za-z]{1,5})$", filename)
    s = m.group(1).lower() if m else ""
    return s if s in SUFFIXES else ""


def _builtin_series() -> set[str]:
    from realpolitik.environment.series import BuiltinSource

    return set(BuiltinSource().names())


def _series_ok(ref: str, known: set[str]) -> bool:
    name = ref.removeprefix("builtin:")
    name = name[:-4] if name.endswith(".csv") else name
    return name in known


def policy_problems(s: Scenario, file: str) -> list[Problem]:
    """Problems for every reference to a file outside the package (see the module docstring)."""
    out: list[Problem] = []
    series = _builtin_series()
    scenarios = set(builtin_ids())
    env = s.environment
    for name, ind in env.indicators.items():
        if ind.series is not None and (not isinstance(ind.series, str) or not _series_ok(ind.series, series)):
            out.append(
                Problem(
                    file,
                    f"environment.indicators.{name}.series",
                    f"the web app reads only built-in series ({', '.join(sorted(series))}), not "
                    f"{ind.series if isinstance(ind.series, str) else ind.series.label()!r}; give a value "
                    "instead or use the command line for files and event stores",
                )
            )
    default_caps = type(env).model_fields["capabilities"].default
    if env.capabilities != default_caps and not _series_ok(env.capabilities, series):
        out.append(
            Problem(
                file,
                "environment.capabilities",
                f"the web app reads only built-in series, not {env.capabilities!r}",
            )
        )
    for k, an in enumerate(s.analogues):
        if an.scenario not in scenarios:
            out.append(
                Problem(
                    file,
                    f"analogues[{k}].scenario",
                    f"the web app takes analogues from the built-in scenarios ({', '.join(sorted(scenarios))}), "
                    f"not {an.scenario!r}",
                )
            )
    return out


@lru_cache(maxsize=256)
def check_text(text: str, file: str = "scenario") -> Checked:
    """Validate a YAML or JSON scenario text with the package's validator and the path policy.

    Cached by text: pages show the same stored text again and again (treat the result as read-only).
    """
    try:
        s = parse_text(text, file)
    except ScenarioError as exc:
        return Checked(None, exc.problems)
    problems = policy_problems(s, file)
    return Checked(s if not problems else None, problems)


def check_data(data: object, file: str = "scenario") -> Checked:
    """Validate parsed scenario data (the editor's draft) the same way."""
    from realpolitik.scenario import from_dict

    try:
        s = from_dict(data, file)
    except ScenarioError as exc:
        return Checked(None, exc.problems)
    problems = policy_problems(s, file)
    return Checked(s if not problems else None, problems)


def to_plain(data: object) -> Any:
    """YAML data as JSON data (dates become ISO text; mapping keys text)."""
    return json.loads(json.dumps(data, default=str, ensure_ascii=False))


def draft_from_text(text: str) -> Any:
    """The draft of a stored scenario text: its plain data (None when it is not even YAML)."""
    try:
        return to_plain(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def content_hash(s: Scenario) -> str:
    """SHA-256 of the scenario's canonical YAML: equal content, equal hash (layout and comments aside)."""
    return hashlib.sha256(dumps(s).encode("utf-8")).hexdigest()


@dataclass
class Upload:
    """An uploaded file read: the text to store (YAML/JSON as given, other formats converted to YAML),
    the scenario when valid, and every problem (with the uploaded name as the file)."""

    name: str
    fmt: str | None
    text: str | None
    scenario: Scenario | None
    problems: list[Problem]


def read_upload(raw: bytes, filename: str | None) -> Upload:
    """Read an uploaded scenario file with :func:`realpolitik.scenario.load` (see the module docstring).

    YAML and JSON files that fail validation keep their text (``text``), so the editor can show the
    problems on their fields; other formats are converted to YAML only when they are valid.
    """
    name = display_name(filename)
    if len(raw) > MAX_UPLOAD_BYTES:
        msg = f"the file has {len(raw):,} bytes; the limit is {MAX_UPLOAD_BYTES:,} bytes (2 MiB)"
        return Upload(name, None, None, None, [Problem(name, "", msg)])
    suffix = _suffix(name)
    with tempfile.TemporaryDirectory(prefix="realpolitik-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(raw)
        tmp_name = str(path)

        def rename(ps: list[Problem]) -> list[Problem]:
            return [Problem(name if p.file == tmp_name else p.file, p.path, p.message, p.line) for p in ps]

        try:
            s: Scenario | None = load(path)
            problems: list[Problem] = []
        except ScenarioError as exc:
            s, problems = None, rename(exc.problems)
        text: str | None = None
        fmt: str | None = None
        try:
            decoded = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            decoded = None
        if decoded is not None and decoded.strip() and b"\x00" not in raw[:8192]:
            fmt = detect_format(path, decoded)
    if s is not None:
        problems = policy_problems(s, name)
        if fmt in ("yaml", "json") and decoded is not None:
            text = decoded
        else:
            text = dumps(s)
        return Upload(name, fmt, text, s if not problems else None, problems)
    if fmt in ("yaml", "json") and decoded is not None and _is_mapping(decoded, fmt):
        text = decoded
    return Upload(name, fmt, text, None, problems)


def _is_mapping(text: str, fmt: str) -> bool:
    """True when the text parses (as its format) to a mapping: a draft the editor can open."""
    try:
        data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError, RecursionError):
        return fmt == "yaml"  # broken YAML syntax: still a draft to fix in the YAML view
    return isinstance(data, dict)


def builtin_text(scenario_id: str) -> str:
    """The YAML text of a built-in scenario (``scenario_id`` must be one of :func:`builtin_ids`)."""
    from realpolitik.scenario.io import builtin_path

    if scenario_id not in builtin_ids():
        raise KeyError(scenario_id)
    return builtin_path(scenario_id).read_text(encoding="utf-8")


@cache
def builtin_titles() -> tuple[tuple[str, str], ...]:
    """(id, title) of every built-in scenario (read once)."""
    return tuple((b, meta_of(builtin_text(b))[1]) for b in builtin_ids())


def meta_of(text: str) -> tuple[str, str]:
    """(id, title) of a scenario text, valid or not, for lists (``?`` where they cannot be told)."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return "?", "(cannot be read)"
    if not isinstance(data, dict):
        return "?", "(not a scenario)"
    sid, title = data.get("id"), data.get("title")
    return (
        one_line(str(sid))[:200] if sid is not None else "?",
        one_line(str(title))[:500] if title is not None else "(untitled)",
    )
