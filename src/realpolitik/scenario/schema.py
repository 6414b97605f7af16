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

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from realpolitik._text import ID_RULE, is_id


def _id(v: str) -> str:
    if not is_id(v):
        raise ValueError(ID_RULE)
    return v


Id = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_id)]


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


class Issue(_Base):
    """An issue in dispute: a one-dimensional scale with bounds, a status quo and labelled points."""

    id: Id
    name: str
    bounds: tuple[float, float] = (0.0, 100.0)
    status_quo: Quantity | None = None
    labels: dict[float, str] = Field(default_factory=dict)
    unit: str | None = None
    description: str | None = None
    note: str | None = None

    _q = field_validator("status_quo", mode="before")(classmethod(lambda cls, v: _as_quantity(v)))

    @field_validator("bounds")
    @classmethod
    def _bounds(cls, b: tuple[float, float]) -> tuple[float, float]:
        if not b[0] < b[1]:
            raise ValueError(f"expected [lower, upper] with lower < upper, got [{b[0]}, {b[1]}]")
        return b


class Stance(_Base):
    """One actor's position and salience on one issue (and, optionally, its power on that issue)."""

    position: Quantity
    salience: Quantity
    power: Quantity | None = None
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


class Veto(_Base):
    """An actor outside the parties who can block a deal on some issues."""

    actor: Id
    issues: list[Id] = Field(min_length=1)
    note: str | None = None
    source: str | None = None


class Indicator(_Base):
    """An environment indicator: a time series read at the scenario's ``as_of`` and scaled to [0, 1].

    ``series`` names a built-in series, a CSV path, or ``scheme:ref`` for a registered series source
    (see :mod:`realpolitik.environment.series`). ``value`` (in the series' units) is used instead of the
    series when given. ``where`` selects rows of a long table (e.g. ``{country: CHN}``); ``fill`` stands
    in when the series has no value yet at ``as_of`` (e.g. 0 for a count of events that had not begun).
    ``measures`` and
    ``dyad`` say what the indicator measures between which actors (``hostility`` of dyad[0] toward
    dyad[1], or ``affinity`` of dyad[0] for dyad[1]), so derived quantities can find it.
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
    measures: Literal["hostility", "affinity"] | None = None
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


class Analogue(_Base):
    """A historical precedent whose outcome maps onto this scenario's issues."""

    scenario: str
    maps: dict[Id, str] = Field(default_factory=dict)
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
    _allow_paths: bool = PrivateAttr(default=False)

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
    def allow_paths(self) -> bool:
        """Whether the files it names (series, analogues) may lie outside its folder (docs/security.md).

        Set by ``load(..., allow_paths=True)``, or directly on a scenario you trust.
        """
        return self._allow_paths

    @allow_paths.setter
    def allow_paths(self, value: bool) -> None:
        self._allow_paths = bool(value)

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
