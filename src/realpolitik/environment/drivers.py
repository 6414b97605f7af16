"""Drivers: what a link reads. A small grammar, parsed by hand (nothing is evaluated).

::

    driver  := NAME | FUNC "(" ACTOR "," ACTOR { "," KEY "=" NAME } ")"
    FUNC    := power_share | proximity | hostility | threat | affinity | alliance | rivalry

A bare ``NAME`` is an indicator of the scenario (even when it shares a function's name). Spaces are ignored. Every driver has a canonical text
(``str(driver)``), e.g. ``threat(CHN, JPN)``, used in traces and to match overrides.

>>> d = parse_driver("threat( CHN,JPN , measure=milex)")
>>> str(d), d.func, d.actors, d.option("measure")
('threat(CHN, JPN, measure=milex)', 'threat', ('CHN', 'JPN'), 'milex')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FUNCTIONS: dict[str, frozenset[str]] = {
    "power_share": frozenset({"measure"}),
    "proximity": frozenset(),
    "hostility": frozenset({"indicator"}),
    "threat": frozenset({"measure", "hostility", "offense"}),
    "affinity": frozenset({"indicator"}),
    "alliance": frozenset({"indicator"}),
    "rivalry": frozenset({"indicator"}),
}
"""Derived quantities and the keyword options each accepts."""

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z0-9_][A-Za-z0-9_.\-]*)|(?P<punct>[(),=]))")


class DriverError(ValueError):
    """A driver text that does not follow the grammar."""


@dataclass(frozen=True)
class Driver:
    """A parsed driver: an indicator name (``func`` None) or a derived quantity with two actors."""

    name: str
    func: str | None = None
    actors: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()

    def option(self, key: str) -> str | None:
        return dict(self.options).get(key)

    def __str__(self) -> str:
        if self.func is None:
            return self.name
        parts = [*self.actors, *(f"{k}={v}" for k, v in self.options)]
        return f"{self.func}({', '.join(parts)})"


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out: list[tuple[str, str, int]] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None or m.end() == pos:
            raise DriverError(
                f"unexpected character {stripped[pos:].strip()[:1]!r} at {pos + 1} in driver {text!r}"
            )
        kind = "name" if m["name"] is not None else "punct"
        out.append((kind, m[kind], m.start(kind)))
        pos = m.end()
    return out


def parse_driver(text: str) -> Driver:
    """Parse a driver; raise :class:`DriverError` naming what was expected where."""
    toks = _tokens(text)
    if not toks:
        raise DriverError("expected a driver (an indicator name or e.g. threat(CHN, JPN)), got nothing")

    def expect(k: int, what: str, value: str | None = None) -> str:
        if k >= len(toks):
            raise DriverError(f"expected {what} at the end of driver {text!r}")
        kind, val, at = toks[k]
        if (value is None and kind != "name") or (value is not None and val != value):
            raise DriverError(f"expected {what} at {at + 1} in driver {text!r}, got {val!r}")
        return val

    name = expect(0, "a name")
    if len(toks) == 1:
        return Driver(name=name)  # an indicator (it may share a function's name)
    if name not in FUNCTIONS:
        raise DriverError(f"unknown function {name!r} in driver {text!r} (functions: {', '.join(FUNCTIONS)})")
    expect(1, "'('", "(")
    k = 2
    actors: list[str] = []
    options: dict[str, str] = {}
    while True:
        arg = expect(k, "an actor id or key=value")
        if k + 1 < len(toks) and toks[k + 1][1] == "=":
            if arg not in FUNCTIONS[name]:
                allowed = ", ".join(sorted(FUNCTIONS[name])) or "none"
                raise DriverError(f"{name} has no option {arg!r} (options: {allowed})")
            options[arg] = expect(k + 2, f"a value for {arg}")
            k += 3
        else:
            if options:
                raise DriverError(f"actors come before options in driver {text!r}")
            actors.append(arg)
            k += 1
        if k < len(toks) and toks[k][1] == ",":
            k += 1
            continue
        expect(k, "')' or ','", ")")
        k += 1
        break
    if k != len(toks):
        raise DriverError(f"unexpected {toks[k][1]!r} at {toks[k][2] + 1} after the end of driver {text!r}")
    if len(actors) != 2:
        raise DriverError(f"{name} takes two actors, got {len(actors)} in driver {text!r}")
    return Driver(name=name, func=name, actors=(actors[0], actors[1]), options=tuple(sorted(options.items())))


def canonical(text: str) -> str:
    """The canonical text of a driver (how traces and overrides name it)."""
    return str(parse_driver(text))
