"""Errors for bad scenario input: one line per problem, naming file, field path, line and expectation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from realpolitik._text import visible

_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` on one line: line breaks folded into single spaces, other control characters and bidi
    overrides shown as escapes (``\\x1b``, ``\\u202e``) so that a message cannot drive a terminal."""
    return visible(_BREAKS.sub(" ", text)).strip()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``str(problem)`` is always exactly one line: ``FILE[:LINE]: [PATH:] MESSAGE``.
    """

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        file = one_line(self.file) or "<input>"
        where = f"{file}:{self.line}" if self.line is not None else file
        path = one_line(self.path)
        field = f" {path}:" if path else ""
        return f"{where}:{field} {one_line(self.message)}"


class ScenarioError(ValueError):
    """A scenario file could not be read or is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("ScenarioError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, file: str, path: str, message: str, line: int | None = None) -> ScenarioError:
        return cls([Problem(file=file, path=path, message=message, line=line)])
