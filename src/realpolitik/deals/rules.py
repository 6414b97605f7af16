"""A scenario's decision rules as plain data: who decides each issue, which issues are signed together,
who signs, who can veto, and which issues apply only under conditions (DESIGN §4a).

:func:`decision_structure` reads them once from a validated scenario; the deal analysis
(:func:`realpolitik.deals.problem_from_scenario`) and the forecasts read through the rule
(:mod:`realpolitik.forecast`) both start from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from realpolitik.scenario.schema import Scenario


@dataclass(frozen=True)
class Agreement:
    """Issues under consent signed together (an issue agreed on its own is an agreement of one)."""

    id: str
    name: str | None
    issues: tuple[str, ...]
    signers: tuple[str, ...]
    veto_holders: tuple[str, ...]  # actors with a veto in force on some of its issues
    declared: bool  # listed in the scenario's ``agreements`` (else: a lone consent issue)


@dataclass(frozen=True)
class IssueCondition:
    """``issue`` applies only if ``on op value`` holds."""

    issue: str
    on: str
    op: str
    value: float


@dataclass(frozen=True)
class DecisionStructure:
    """Who must agree to what in one scenario."""

    issues: tuple[str, ...]
    rules: dict[str, str]  # issue -> collective | consent | unilateral
    deciders: dict[str, str]  # unilateral issue -> deciding actor
    agreements: tuple[Agreement, ...]
    vetoes: dict[str, tuple[str, ...]]  # actor -> consent issues it can veto (vetoes in force only)
    conditions: tuple[IssueCondition, ...]  # in dependency order
    lapsed_vetoes: tuple[str, ...] = field(default=())  # "ACTOR on ISSUES" whose relation is not in force

    @property
    def consent_issues(self) -> tuple[str, ...]:
        """Consent issues, agreement by agreement."""
        return tuple(d for ag in self.agreements for d in ag.issues)


def _dependency_order(scenario: Scenario) -> list[str]:
    """Issue ids so that an issue comes after every issue its ``applies_if`` reads (cycles: file order)."""
    deps = {i.id: [c.issue for c in i.applies_if] for i in scenario.issues}
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(n: str) -> None:
        if state.get(n):
            return
        state[n] = 1
        for m in deps.get(n, []):
            if m in deps and not state.get(m):
                visit(m)
        state[n] = 2
        order.append(n)

    for i in scenario.issues:
        visit(i.id)
    return order


def _relation_in_force(scenario: Scenario, actor: str, veto_index: int) -> bool:
    v = scenario.vetoes[veto_index]
    if v.relation is None:
        return True
    frm = v.relation.from_ or actor
    for r in scenario.relations:
        if r.kind == v.relation.kind and r.from_ == frm and r.to == v.relation.to:
            return r.value.value > 0
    return False


def decision_structure(scenario: Scenario) -> DecisionStructure:
    """The decision rules of a (validated) scenario."""
    rules: dict[str, str] = {}
    deciders: dict[str, str] = {}
    for iss in scenario.issues:
        r = scenario.rule_of(iss.id)
        rules[iss.id] = r.kind
        if r.kind == "unilateral" and r.decider is not None:
            deciders[iss.id] = r.decider
    vetoes: dict[str, list[str]] = {}
    lapsed: list[str] = []
    for k, v in enumerate(scenario.vetoes):
        if not _relation_in_force(scenario, v.actor, k):
            lapsed.append(f"{v.actor} on {', '.join(v.issues)}")
            continue
        row = vetoes.setdefault(v.actor, [])
        row.extend(d for d in v.issues if rules.get(d) == "consent" and d not in row)
    parties = tuple(scenario.parties)
    agreements: list[Agreement] = []
    grouped: set[str] = set()

    def holders(issues: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(a for a in scenario.actor_ids if any(d in vetoes.get(a, []) for d in issues))

    for ag in scenario.agreements:
        issues = tuple(d for d in ag.issues if rules.get(d) == "consent")
        if not issues:
            continue
        grouped.update(issues)
        own_rules = [scenario.issue(d).rule for d in issues]
        own = next((r.signers for r in own_rules if r is not None and r.signers), None)
        signers = tuple(ag.signers or own or parties)
        agreements.append(Agreement(ag.id, ag.name, issues, signers, holders(issues), True))
    default = scenario.default_rule
    for iss in scenario.issues:
        if rules[iss.id] != "consent" or iss.id in grouped:
            continue
        own = iss.rule.signers if iss.rule is not None else None
        signers = tuple(own or (default.signers if default.kind == "consent" else None) or parties)
        agreements.append(Agreement(iss.id, iss.name, (iss.id,), signers, holders((iss.id,)), False))
    conditions: list[IssueCondition] = []
    for d in _dependency_order(scenario):
        conditions.extend(
            IssueCondition(d, c.issue, c.op, float(c.value)) for c in scenario.issue(d).applies_if
        )
    return DecisionStructure(
        issues=tuple(scenario.issue_ids),
        rules=rules,
        deciders=deciders,
        agreements=tuple(agreements),
        vetoes={a: tuple(v) for a, v in vetoes.items() if v},
        conditions=tuple(conditions),
        lapsed_vetoes=tuple(lapsed),
    )
