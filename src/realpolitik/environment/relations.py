"""What each declared relation drives, and a warning for every relation that drives nothing.

A relation (``alliance``, ``rivalry``, ``threat``, ``affinity``; directed, strength in [-1, 1]) does work
through one of two channels:

- **links**: the derived quantity of its kind (``alliance(A, B)``, ``rivalry(A, B)``,
  ``hostility(A, B)`` and through it ``threat(A, B)`` for a threat, ``affinity(A, B)``) reads the relation
  when no indicator measures that dyad, and a link sets a salience, a position, a capability or an end
  of an acceptable range from it;
- **vetoes**: a veto with ``relation:`` is in force while that relation's strength is above 0.

Use is decided by what the links really read when the scenario is resolved at its ``as_of`` (recorded by
:class:`~realpolitik.environment.derived.Context`), not by matching names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from realpolitik.environment.derived import DYADIC, measured_by, relation_key
from realpolitik.scenario.schema import Scenario

QUANTITY_OF: dict[str, str] = {rel: quantity for quantity, rel in DYADIC.items()}
"""Relation kind -> the derived quantity that reads it (``threat`` -> ``hostility``)."""


def _readers(kind: str, j: str, i: str) -> str:
    q = QUANTITY_OF[kind]
    if kind == "threat":
        return f"hostility({j}, {i}) or threat({j}, {i})"
    return f"{q}({j}, {i})"


def veto_uses(scenario: Scenario) -> dict[str, list[str]]:
    """Relation key -> the vetoes resting on it (each as ``veto of USA on military_status``)."""
    out: dict[str, list[str]] = {}
    for v in scenario.vetoes:
        if v.relation is None:
            continue
        key = relation_key(v.relation.from_ or v.actor, v.relation.to, v.relation.kind)
        out.setdefault(key, []).append(f"veto of {v.actor} on {', '.join(v.issues)}")
    return out


def relation_uses(
    scenario: Scenario, link_reads: Sequence[tuple[str, Sequence[str]]]
) -> dict[str, list[str]]:
    """Relation key -> what it drives: ``link_reads`` pairs a link's name with the relations it read."""
    uses: dict[str, list[str]] = {relation_key(r.from_, r.to, r.kind): [] for r in scenario.relations}
    for name, keys in link_reads:
        for key in keys:
            uses.setdefault(key, []).append(name)
    for key, vetoes in veto_uses(scenario).items():
        uses.setdefault(key, []).extend(vetoes)
    return uses


def unused_relation_warnings(scenario: Scenario, uses: Mapping[str, Sequence[str]]) -> list[str]:
    """One line per declared relation that drives nothing, saying why."""
    out: list[str] = []
    first: dict[str, int] = {}
    for k, rel in enumerate(scenario.relations):
        key = relation_key(rel.from_, rel.to, rel.kind)
        name = f"relation {rel.from_}->{rel.to} {rel.kind}"
        if key in first:
            out.append(
                f"{name} (relations[{k}]) drives nothing: relations[{first[key]}] is the same relation "
                "and is the one read"
            )
            continue
        first[key] = k
        if uses.get(key):
            continue
        quantity = QUANTITY_OF[rel.kind]
        indicator = measured_by(scenario, quantity, rel.from_, rel.to)
        if indicator is not None:
            why = (
                f"indicator {indicator} measures that dyad's {quantity}, so {quantity}({rel.from_}, {rel.to}) "
                "reads the indicator, not the relation, and no veto rests on it"
            )
        else:
            why = (
                f"no link reads it (through {_readers(rel.kind, rel.from_, rel.to)}) and no veto rests on it"
            )
        out.append(f"{name} drives nothing: {why}")
    return out
