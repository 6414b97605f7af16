"""Errors for bad scenario input: one line per problem, naming file, field path, line and expectation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


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
