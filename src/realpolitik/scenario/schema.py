"""The scenario data model (pydantic v2).

A scenario describes a strategic situation: actors and their capabilities, the issues in dispute with
each actor's position and salience, relations among actors, who must sign a deal (parties) and who can
block it (vetoes), environment indicators and links, historical analogues, and sources. Every number may
be a bare number or a :class:`Quantity` carrying ``value``, ``source``, ``note`` and ``range``.

Structural checks (types, required fields, value ranges of single fields) live here; checks that relate
fields to each other (ids, bounds, sources) live in :mod:`realpolitik.scenario.validate` so that every
problem in a file is reported at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from realpolitik import display as _display

Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.\- ]*$")]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False)


class Quantity(_Base):
    """A number with its provenance: ``value``, the key of its ``source``, a ``note`` and a ``range``."""

    value: float
    source: str | None = None
    note: str | None = None
    range: tuple[float, float] | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float) -> float:
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("expected a finite number")
        return v

    @field_validator("range")
    @classmethod
    def _ordered(cls, r: tuple[float, float] | None) -> tuple[float, float] | None:
        if r is not None and r[0] > r[1]:
            raise ValueError(f"expected [low, high] with low <= high, got [{r[0]}, {r[1]}]")
        return r


def _as_quantity(v: Any) -> Any:
    """Bare numbers become Quantities, so every number downstream has the same shape."""
    if isinstance(v, bool):
        return v  # let pydantic reject booleans with its own message
    if isinstance(v, (int, float)):
        return {"value": v}
    return v


Number = Annotated[Quantity, Field()]


class Source(_Base):
    """A document, data set, or analyst judgment that numbers can cite by key."""

    title: str
    kind: Literal["document", "dataset", "judgment"] = "document"
    author: str | None = None
    publisher: str | None = None
    date: dt.date | str | None = None
    url: str | None = None
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, v: Any) -> Any:
        """``"2017-04-05"`` (as JSON writes it) is the same date as YAML's ``2017-04-05``."""
        if isinstance(v, str) and len(v) == 10:
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                return v
        return v


class Actor(_Base):
    """An actor: a state, a government agency, or a domestic group."""

    id: Id
    name: str
    capability: Quantity | None = None
    kind: Literal["state", "domestic", "organisation", "other"] = "state"
    risk: Quantity | None = Field(
        default=None,
        description="Risk attitude in [-1, 1]: negative averse (concave utility), positive acceptant.",
    )
    note: str | None = None

    _q = field_validator("capability", "risk", mode="before")(classmethod(lambda cls, v: _as_quantity(v)))


RuleKind = Literal["collective", "consent", "unilateral"]
RULE_KINDS: tuple[str, ...] = ("collective", "consent", "unilateral")


class Rule(_Base):
    """Who decides an issue (DESIGN §4a).

    - ``collective``: the bargaining model's outcome is the outcome (a vote, a council, the literature's
      reference cases);
    - ``consent``: every signer (default: the scenario's ``parties``) and every veto holder on the issue
      must accept the change, else the status quo stands;
    - ``unilateral``: one actor (``decider``) decides; its final position in the model is the outcome.

    A bare string (``rule: consent``) is read as ``{kind: consent}``.
    """

    kind: RuleKind
    signers: list[Id] | None = None
    decider: Id | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        return {"kind": v} if isinstance(v, str) else v

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Rule:
        if self.kind == "unilateral" and self.decider is None:
            raise ValueError("a unilateral rule needs a decider (the actor who decides)")
        if self.kind != "unilateral" and self.decider is not None:
            raise ValueError(f"decider is only for unilateral rules, not {self.kind}")
        if self.kind != "consent" and self.signers is not None:
            raise ValueError(f"signers are only for consent rules, not {self.kind}")
        return self


ConditionOp = Literal[">", ">=", "<", "<=", "==", "!="]
CONDITION_OPS: tuple[str, ...] = (">", ">=", "<", "<=", "==", "!=")


class Condition(_Base):
    """``issue op value``: when an issue applies at all, e.g. ``{issue: territory, op: ">", value: 0}``.

    Structured data, never an evaluated string. ``==``/``!=`` compare with a tolerance of 1e-9 times the
    issue's range.
    """

    issue: Id
    op: ConditionOp
    value: float
    note: str | None = None


class Acceptable(_Base):
    """The values an actor can accept at all on one issue (a red line): ``[low, high]``.

    An ideal point (``position``) is what the actor wants; the acceptable range is what it will sign.
    Either end may be left out (the issue's bound). A pair ``[low, high]`` is read as
    ``{low: ..., high: ...}``; each end may carry a ``range`` for Monte Carlo like any number.
    """

    low: Quantity | None = None
    high: Quantity | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, v: Any) -> Any:
        if isinstance(v, (list, tuple)):
            if len(v) != 2:
                raise ValueError(f"expected [low, high], got {len(v)} values")
            return {"low": v[0], "high": v[1]}
        return v

    _q = field_validator("low", "high", mode="before")(classmethod(lambda cls, v: _as_quantity(v)))


class Issue(_Base):
    """An issue in dispute: a one-dimensional scale with bounds, a status quo and labelled points.

    ``rule`` says who decides it (default: the scenario's ``decision_rule``); ``applies_if`` makes it
    conditional on other issues (all conditions must hold; otherwise the issue is moot: it keeps its
    status quo and counts for nothing); ``power`` names the capability measure that gives actors'
    power on this issue (``cinc``, ``gdp``, ``milex``, ``population`` or a column of the capabilities
    series; default: each actor's ``capability``).
    """

    id: Id
    name: str
    bounds: tuple[float, float] = (0.0, 100.0)
    status_quo: Quantity | None = None
    labels: dict[float, str] = Field(default_factory=dict)
    unit: str | None = None
    rule: Rule | None = None
    applies_if: list[Condition] = Field(default_factory=list)
    power: str | None = Field(default=None, description="capability measure for power on this issue")
    description: str | None = None
    note: str | None = None

    _q = field_validator("status_quo", mode="before")(classmethod(lambda cls, v: _as_quantity(v)))

    @field_validator("applies_if", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @field_validator("bounds")
    @classmethod
    def _bounds(cls, b: tuple[float, float]) -> tuple[float, float]:
        if not b[0] < b[1]:
            raise ValueError(f"expected [lower, upper] with lower < upper, got [{b[0]}, {b[1]}]")
        return b


class Stance(_Base):
    """One actor's position and salience on one issue (optionally its power there and its red line)."""

    position: Quantity
    salience: Quantity
    power: Quantity | None = None
    acceptable: Acceptable | None = None
    note: str | None = None

    _q = field_validator("position", "salience", "power", mode="before")(
        classmethod(lambda cls, v: _as_quantity(v))
    )


RelationKind = Literal["alliance", "rivalry", "threat", "affinity"]


class Relation(_Base):
    """A directed relation between two actors, with a strength in [-1, 1]."""

    from_: Id = Field(alias="from")
    to: Id
    kind: RelationKind
    value: Quantity = Field(default_factory=lambda: Quantity(value=1.0))
    note: str | None = None
    source: str | None = None

    _q = field_validator("value", mode="before")(classmethod(lambda cls, v: _as_quantity(v)))


class RelationRef(_Base):
    """Names one declared relation: ``{kind: alliance, to: JPN}`` (``from`` defaults to the citing actor)."""

    kind: RelationKind
    to: Id
    from_: Id | None = Field(default=None, alias="from")


class Veto(_Base):
    """An actor outside the parties who can block a deal on some issues.

    ``relation`` names the declared relation the veto rests on (e.g. the U.S. alliance with Japan): the
    veto is in force while that relation's strength is above 0.
    """

    actor: Id
    issues: list[Id] = Field(min_length=1)
    relation: RelationRef | None = None
    note: str | None = None
    source: str | None = None


class Agreement(_Base):
    """Issues under consent that are signed together (a treaty): accepted or refused as a whole.

    ``signers`` default to the scenario's ``parties``.
    """

    id: Id
    name: str | None = None
    issues: list[Id] = Field(min_length=1)
    signers: list[Id] | None = None
    source: str | None = None
    note: str | None = None


class Indicator(_Base):
    """An environment indicator: a time series read at the scenario's ``as_of`` and scaled to [0, 1].

    ``series`` names a built-in series, a CSV path, or ``scheme:ref`` for a registered series source
    (see :mod:`realpolitik.environment.series`). ``value`` (in the series' units) is used instead of the
    series when given. ``where`` selects rows of a long table (e.g. ``{country: CHN}``); ``fill`` stands
    in when the series has no value yet at ``as_of`` (e.g. 0 for a count of events that had not begun).
    ``measures`` and
    ``dyad`` say what the indicator measures between which actors (``hostility`` of dyad[0] toward
    dyad[1], ``affinity`` of dyad[0] for dyad[1], the strength of dyad[0]'s ``alliance`` with or
    ``rivalry`` toward dyad[1]), so derived quantities can find it; it then stands in for the relation of
    that kind (``threat`` for hostility) from dyad[0] to dyad[1].
    """

    series: str | None = None
    column: str | None = None
    scale: tuple[float, float] | None = None
    value: Quantity | None = None
    where: dict[str, str] = Field(default_factory=dict)
    date_column: str | None = None
    fill: float | None = Field(
        default=None, description="value (series units) when the series has none at or before as_of"
    )
    measures: Literal["hostility", "affinity", "alliance", "rivalry"] | None = None
    dyad: tuple[Id, Id] | None = None
    description: str | None = None
    source: str | None = None
    note: str | None = None

    _q = field_validator("value", mode="before")(classmethod(lambda cls, v: _as_quantity(v)))

    @model_validator(mode="after")
    def _series_or_value(self) -> Indicator:
        if self.series is None and self.value is None:
            raise ValueError("expected a series or a value")
        if self.scale is not None and not self.scale[0] < self.scale[1]:
            lo, hi = self.scale
            raise ValueError(f"expected scale [low, high] with low < high, got [{lo}, {hi}]")
        if (self.measures is None) != (self.dyad is None):
            raise ValueError("measures and dyad go together")
        return self


class Link(_Base):
    """An actor parameter set by a clipped affine or logistic function of a driver."""

    target: str
    driver: str
    function: Literal["affine", "logistic"] = "affine"
    base: float = 0.0
    gain: float = 1.0
    midpoint: float = 0.5
    steepness: float = Field(default=10.0, gt=0, description="slope factor of the logistic function")
    clip: tuple[float, float] | None = None
    source: str | None = None
    note: str | None = None


class Environment(_Base):
    indicators: dict[Id, Indicator] = Field(default_factory=dict)
    links: list[Link] = Field(default_factory=list)
    proximity: dict[str, Quantity] = Field(default_factory=dict, description='keys "J-I", values in [0, 1]')
    capabilities: str = Field(default="capabilities", description="series with actors' capabilities")
    power_measure: str = Field(default="cinc", description="cinc, gdp, milex, capability or a column name")
    note: str | None = None

    @field_validator("proximity", mode="before")
    @classmethod
    def _proximity_q(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: _as_quantity(x) for k, x in v.items()}
        return v


class AnalogueTerm(_Base):
    """How one issue of this scenario reads a precedent: an outcome ``key`` of the analogue (rescaled from
    the analogue issue's bounds to this issue's), or a fixed ``value`` on this issue's scale, with a note
    saying why (e.g. the territory a precedent about forces on transferred territory is applied to)."""

    key: str | None = None
    value: float | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one(self) -> AnalogueTerm:
        if (self.key is None) == (self.value is None):
            raise ValueError("expected either key (an outcome of the analogue) or value (on this issue's scale)")
        return self


class Analogue(_Base):
    """A historical precedent whose outcome maps onto this scenario's issues.

    ``maps``: this issue -> the analogue's outcome key (``"foreign_forces"`` or ``"outcome.foreign_forces"``),
    or ``{key: ..., note: ...}`` / ``{value: ..., note: ...}``. A precedent carries every issue it settles:
    an issue that applies only if another does (``applies_if``) needs that issue mapped too.
    """

    scenario: str
    maps: dict[Id, str | AnalogueTerm] = Field(default_factory=dict)
    note: str | None = None


class Uncertainty(_Base):
    """Scenario-wide defaults for inputs without their own ``range``."""

    distribution: Literal["uniform", "triangular", "truncnormal"] = "triangular"
    position: float | None = Field(
        default=None, ge=0, description="± half-width, as a share of the issue range"
    )
    salience: float | None = Field(default=None, ge=0, description="± half-width on the 0–1 salience scale")
    capability: float | None = Field(default=None, ge=0, description="± half-width, relative to the value")


class Scenario(_Base):
    """A complete strategic situation."""

    _source_dir: Path | None = PrivateAttr(default=None)

    id: Id
    title: str
    description: str | None = None
    as_of: dt.date | None = None
    sources: dict[Id, Source] = Field(default_factory=dict)
    actors: list[Actor] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)
    positions: dict[Id, dict[Id, Stance]] = Field(default_factory=dict)
    relations: list[Relation] = Field(default_factory=list)
    parties: list[Id] = Field(default_factory=list)
    vetoes: list[Veto] = Field(default_factory=list)
    decision_rule: Rule | None = Field(
        default=None,
        description="rule of issues without their own (default: consent when parties are named, else collective)",
    )
    agreements: list[Agreement] = Field(default_factory=list)
    disagreement: dict[Id, dict[Id, Quantity]] = Field(
        default_factory=dict,
        description="Per actor, the value it expects on an issue if no deal is made, where that differs from the status quo.",
    )
    environment: Environment = Field(default_factory=Environment)
    analogues: list[Analogue] = Field(default_factory=list)
    outcome: dict[Id, Quantity] = Field(default_factory=dict)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("outcome", mode="before")
    @classmethod
    def _outcome_q(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: _as_quantity(x) for k, x in v.items()}
        return v

    @field_validator("disagreement", mode="before")
    @classmethod
    def _disagreement_q(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {
                a: ({k: _as_quantity(x) for k, x in row.items()} if isinstance(row, dict) else row)
                for a, row in v.items()
            }
        return v

    @model_validator(mode="after")
    def _nonempty(self) -> Scenario:
        return self

    # ------------------------------------------------------------------ convenience
    def __eq__(self, other: object) -> bool:
        """Equal content (where a scenario was loaded from does not count)."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    @property
    def source_dir(self) -> Path | None:
        """The folder of the file this scenario was loaded from (relative series paths start there)."""
        return self._source_dir

    @property
    def actor_ids(self) -> list[str]:
        return [a.id for a in self.actors]

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def issue(self, issue_id: str) -> Issue:
        for i in self.issues:
            if i.id == issue_id:
                return i
        raise KeyError(issue_id)

    def stance(self, actor_id: str, issue_id: str) -> Stance | None:
        return self.positions.get(actor_id, {}).get(issue_id)

    @property
    def default_rule(self) -> Rule:
        """The rule of issues without their own: ``decision_rule``, else consent with parties, else collective."""
        if self.decision_rule is not None:
            return self.decision_rule
        return Rule(kind="consent") if self.parties else Rule(kind="collective")

    def rule_of(self, issue_id: str) -> Rule:
        """The rule in force on an issue (its own, or the scenario's default)."""
        own = self.issue(issue_id).rule
        if own is not None:
            return own
        if any(issue_id in ag.issues for ag in self.agreements):
            return Rule(kind="consent")
        return self.default_rule

    # notebook display: short repr, HTML card, DataFrame, figure (realpolitik.display) ----------------
    def __repr__(self) -> str:
        return _display.scenario_repr(self)

    def _repr_html_(self) -> str:
        return _display.scenario_html(self)

    def to_frame(self) -> Any:
        """One row per actor and issue (a pandas DataFrame): position, salience, capability."""
        return _display.scenario_frame(self)

    def plot(self) -> Any:
        """Each actor's position on every issue (a Plotly figure)."""
        return _display.scenario_plot(self)
