"""YAML text: the safe loader with line numbers and an alias-bomb bound, and the dumper.

Split from :mod:`realpolitik.scenario.io` so that PyYAML loads only when a YAML text is read or written.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from realpolitik.limits import YAML_VALUES
from realpolitik.scenario.errors import ScenarioError

Lines = dict[tuple[str | int, ...], int]
"""The line of every mapping key / list item path."""
Dupes = list[tuple[tuple[str | int, ...], int, int]]
"""Duplicate mapping keys: (path, line, line of the first)."""


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no ``!!python/...`` tags), with construction errors carrying their line.

    It also reads YAML 1.2 floats without a dot (``1e-3``, ``2E5``), which YAML 1.1 takes as text.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else node.tag
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown} as {node.tag.rsplit(':', 1)[-1]}: {exc}", node.start_mark
            ) from None


# YAML 1.2 core-schema floats that YAML 1.1 (PyYAML) reads as text: an exponent without a dot.
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _expanded_values(root: yaml.Node, limit: int) -> int:
    """Values in a composed YAML document with every alias expanded, counting up to ``limit + 1``.

    Each node is counted once (memoised), so an alias bomb is measured in the time it takes to read it;
    a recursive alias counts once.
    """
    memo: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]

    def children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [x for kv in node.value for x in kv]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            open_.discard(nid)
            total = 1
            for child in children(node):
                total += memo.get(id(child), 1)
                if total > limit:
                    break
            memo[nid] = min(total, limit + 1)
            continue
        if nid in memo or nid in open_:
            continue
        open_.add(nid)
        stack.append((node, True))
        stack.extend((c, False) for c in children(node) if id(c) not in memo and id(c) not in open_)
    return memo.get(id(root), 1)


def walk_nodes(root: yaml.Node | None) -> tuple[Lines, Dupes]:
    """Line of every mapping key / list item path, and duplicate mapping keys (path, line, first line)."""
    lines: Lines = {}
    dupes: Dupes = []
    seen_nodes: set[int] = set()

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen_nodes:  # an alias: already walked (and possibly recursive)
            return
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str | int, int] = {}
            for k, v in node.value:
                key: str | int = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark.line + 1)
                line = k.start_mark.line + 1
                if (
                    isinstance(key, str)
                    and key in first
                    and isinstance(k, yaml.ScalarNode)
                    and k.value != "<<"
                ):
                    dupes.append(((*path, key), line, first[key]))
                    continue
                first[key] = line
                lines[(*path, key)] = line
                walk(v, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i))

    if root is not None:
        walk(root, ())
    return lines, dupes


def _yaml_error(exc: yaml.YAMLError, text: str, what: str = "YAML") -> tuple[str, int | None]:
    """A one-line description and the line of a PyYAML error."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    if isinstance(exc, yaml.reader.ReaderError):
        line = text[: exc.position].count("\n") + 1
        return f"not valid {what}: character {exc.character!r} is not allowed ({exc.reason})", line
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if isinstance(exc, yaml.constructor.ConstructorError) and "could not determine a constructor" in problem:
        tag = problem.split("tag", 1)[-1].strip(" '")
        return (
            f"not valid {what}: the tag {tag!r} is not allowed (files are read with the safe loader: "
            "expected plain mappings, lists, text and numbers)",
            line,
        )
    context = getattr(exc, "context", None)
    msg = (
        f"{context}: {problem}" if context and isinstance(exc, yaml.constructor.ConstructorError) else problem
    )
    return f"not valid {what}: {msg}", line


def load_yaml(text: str, file: str) -> tuple[Any, Lines, Dupes]:
    """Parse YAML text with the safe loader; the data, its line map and its duplicate keys."""
    loader: _SafeLoader | None = None
    try:
        loader = _SafeLoader(text)
        node = loader.get_single_node()
        if node is not None:
            limit = YAML_VALUES.value()
            n = _expanded_values(node, limit)
            if n > limit:
                raise ScenarioError.single(
                    file,
                    "",
                    f"YAML aliases expand this file to more than {limit:,} values (an alias bomb?); "
                    f"refused before reading it (set {YAML_VALUES.env} to raise the limit)",
                    None,
                )
        lines, dupes = walk_nodes(node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        msg, line = _yaml_error(exc, text)
        raise ScenarioError.single(file, "", msg, line) from None
    except RecursionError:
        raise ScenarioError.single(file, "", "not valid YAML: nested too deeply", None) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, lines, dupes


def walk_text(text: str) -> tuple[Lines, Dupes]:
    """The line map and duplicate keys of a YAML (or JSON) text; empty if it does not parse."""
    try:
        return walk_nodes(yaml.compose(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return {}, []


class _SafeDumper(yaml.SafeDumper):
    """PyYAML's safe dumper that quotes text the loader would read as a number (``"1e5"``)."""


_SafeDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def dump_yaml(data: Any) -> str:
    """Plain data as YAML text (block style, keys in their order, Unicode kept)."""
    return yaml.dump(data, Dumper=_SafeDumper, sort_keys=False, allow_unicode=True, width=110)
