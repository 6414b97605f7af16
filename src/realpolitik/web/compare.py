"""Compare two runs (or two scenarios): inputs that differ, outcomes that moved, agreements that flip.

Works on stored data only: the scenario texts the runs ran on and their results (the ``analyze
--format json`` data), so a comparison never recomputes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from realpolitik.web.links import LinkedField, compare_links

#: An outcome "moved" when it changed by more than this share of the issue's range.
MOVED_SHARE = 0.01

#: Paths ending in these keys are text about the inputs (folded in the comparison).
_TEXT_KEYS = ("note", "description", "source", "url", "title", "author", "publisher", "date", "name", "kind")


@dataclass(frozen=True)
class InputDiff:
    path: str
    a: str | None  # None: absent on that side
    b: str | None
    link_a: LinkedField | None = None  # the number is set by this environment link in A (never seen)
    link_b: LinkedField | None = None

    @property
    def linked(self) -> bool:
        return self.link_a is not None or self.link_b is not None

    @property
    def text_only(self) -> bool:
        last = self.path.rsplit(".", 1)[-1].split("[", 1)[0]
        return self.path.startswith(("sources.", "metadata.")) or last in _TEXT_KEYS


@dataclass(frozen=True)
class OutcomeRow:
    model: str
    issue: str
    name: str
    width: float
    a: float | None
    b: float | None
    pressure_a: float | None
    pressure_b: float | None
    rule_a: str | None
    rule_b: str | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def pressure_delta(self) -> float | None:
        if self.pressure_a is None or self.pressure_b is None:
            return None
        return self.pressure_b - self.pressure_a

    @property
    def moved(self) -> bool:
        """The ruled outcome moved by more than :data:`MOVED_SHARE` of the issue's range (or appeared)."""
        d = self.delta
        return (d is not None and abs(d) > MOVED_SHARE * self.width) or ((self.a is None) != (self.b is None))

    @property
    def pressure_moved(self) -> bool:
        d = self.pressure_delta
        return d is not None and abs(d) > MOVED_SHARE * self.width

    @property
    def ruled_a(self) -> bool:
        return _differs(self.a, self.pressure_a, self.width)

    @property
    def ruled_b(self) -> bool:
        return _differs(self.b, self.pressure_b, self.width)


@dataclass(frozen=True)
class AgreementRow:
    model: str
    agreement: str
    name: str
    a: str | None  # status: agreed, refused, no change, ... (None: absent)
    b: str | None
    refused_a: str = ""
    refused_b: str = ""

    @property
    def flipped(self) -> bool:
        return self.a != self.b


@dataclass
class Comparison:
    inputs: list[InputDiff] = field(default_factory=list)
    params: list[tuple[str, str, str]] = field(default_factory=list)
    outcomes: list[OutcomeRow] = field(default_factory=list)
    agreements: list[AgreementRow] = field(default_factory=list)
    deal: tuple[str, str] | None = None
    probabilities: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def numbers(self) -> list[InputDiff]:
        return [d for d in self.inputs if not d.text_only]

    @property
    def texts(self) -> list[InputDiff]:
        return [d for d in self.inputs if d.text_only]

    @property
    def linked_numbers(self) -> list[InputDiff]:
        """Differing numbers that a link sets on either side (the models see the link's value)."""
        return [d for d in self.numbers if d.linked]

    @property
    def moved(self) -> list[OutcomeRow]:
        """Rows whose ruled outcome moved (the pressure alone moving is :attr:`pressure_moved`)."""
        return [r for r in self.outcomes if r.moved]

    @property
    def pressure_moved(self) -> list[OutcomeRow]:
        return [r for r in self.outcomes if r.pressure_moved]

    @property
    def flips(self) -> list[AgreementRow]:
        return [r for r in self.agreements if r.flipped]


def _differs(x: float | None, y: float | None, width: float) -> bool:
    return x is not None and y is not None and abs(x - y) > 1e-9 * max(width, 1.0)


def _shown(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, str) and len(v) > 240:
        return v[:237] + "..."
    return str(v)


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """Leaf values by path (``positions.JPN.territory.salience``; list items ``[i]``, list of ids by id)."""
    out: dict[str, str] = {}
    if isinstance(data, dict):
        if prefix and set(data) == {"value"}:
            out[prefix] = _shown(data["value"])
            return out
        for k, v in data.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if prefix and k == "value" and not isinstance(v, (dict, list)):
                out[prefix] = _shown(v)  # a quantity's value stands for the field itself
                continue
            out.update(flatten(v, key))
    elif isinstance(data, list):
        if all(isinstance(x, dict) and isinstance(x.get("id"), str) for x in data) and data:
            for x in data:
                out.update(flatten({k: v for k, v in x.items() if k != "id"}, f"{prefix}[{x['id']}]"))
        elif all(not isinstance(x, (dict, list)) for x in data):
            out[prefix] = ", ".join(_shown(x) for x in data)
        else:
            for i, x in enumerate(data):
                out.update(flatten(x, f"{prefix}[{i}]"))
    else:
        out[prefix] = _shown(data)
    return out


def input_diff(text_a: str, text_b: str) -> list[InputDiff]:
    """Every input that differs between two scenario texts (by path; ids matched, not positions)."""
    from realpolitik.scenario import parse_text, to_dict

    def data(text: str) -> Any:
        try:
            return to_dict(parse_text(text, "scenario"))
        except Exception:  # an invalid text: compare what it says, if it can be read at all
            try:
                return yaml.safe_load(text)
            except (yaml.YAMLError, RecursionError, ValueError):
                return {"(text)": "cannot be read as YAML"}

    fa, fb = flatten(data(text_a)), flatten(data(text_b))
    la, lb = compare_links(text_a), compare_links(text_b)
    out = []
    for path in list(fa) + [p for p in fb if p not in fa]:
        a, b = fa.get(path), fb.get(path)
        if a != b:
            out.append(InputDiff(path, a, b, la.get(path), lb.get(path)))
    return out


def _issues(res: dict[str, Any]) -> dict[str, tuple[str, float]]:
    out: dict[str, tuple[str, float]] = {}
    for line in (res.get("summary") or {}).get("issues") or []:
        lo, hi = line.get("bounds") or (0.0, 1.0)
        out[line["issue"]] = (line.get("name") or line["issue"], float(hi) - float(lo) or 1.0)
    return out


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f else None


def compare_results(ra: dict[str, Any] | None, rb: dict[str, Any] | None, c: Comparison) -> None:
    """Fill the outcome, agreement, deal and Monte Carlo rows of ``c`` from two runs' results."""
    if not ra or not rb:
        return
    issues = {**_issues(rb), **_issues(ra)}
    fa = {f["model"]: f for f in ra.get("forecasts") or []}
    fb = {f["model"]: f for f in rb.get("forecasts") or []}
    head = ra.get("model")
    order = sorted(set(fa) | set(fb), key=lambda m: (m != head, m))
    for m in order:
        a, b = fa.get(m) or {}, fb.get(m) or {}
        ids = list(a.get("outcome") or {}) + [
            i for i in (b.get("outcome") or {}) if i not in (a.get("outcome") or {})
        ]
        for iid in ids:
            name, width = issues.get(iid, (iid, 1.0))
            c.outcomes.append(
                OutcomeRow(
                    model=m,
                    issue=iid,
                    name=name,
                    width=width,
                    a=_num((a.get("outcome") or {}).get(iid)),
                    b=_num((b.get("outcome") or {}).get(iid)),
                    pressure_a=_num((a.get("pressure") or a.get("outcome") or {}).get(iid)),
                    pressure_b=_num((b.get("pressure") or b.get("outcome") or {}).get(iid)),
                    rule_a=(a.get("rules") or {}).get(iid),
                    rule_b=(b.get("rules") or {}).get(iid),
                )
            )
        ga = {g["id"]: g for g in a.get("agreements") or []}
        gb = {g["id"]: g for g in b.get("agreements") or []}
        for gid in list(ga) + [g for g in gb if g not in ga]:
            x, y = ga.get(gid), gb.get(gid)
            c.agreements.append(
                AgreementRow(
                    model=m,
                    agreement=gid,
                    name=(x or y or {}).get("name") or gid,
                    a=x.get("status") if x else None,
                    b=y.get("status") if y else None,
                    refused_a=_refusals(x),
                    refused_b=_refusals(y),
                )
            )
    da, db_ = ra.get("deals"), rb.get("deals")
    if da or db_:
        c.deal = (_deal_text(da), _deal_text(db_))
    ma, mb = ra.get("montecarlo") or {}, rb.get("montecarlo") or {}
    pa, pb = ma.get("agreement_probability") or {}, mb.get("agreement_probability") or {}
    for gid in list(pa) + [g for g in pb if g not in pa]:
        c.probabilities.append((gid, _pct(pa.get(gid)), _pct(pb.get(gid))))
    if ma.get("deal_probability") is not None or mb.get("deal_probability") is not None:
        c.probabilities.append(
            ("a deal among the parties", _pct(ma.get("deal_probability")), _pct(mb.get("deal_probability")))
        )


def _pct(v: Any) -> str:
    f = _num(v)
    return "—" if f is None else f"{f:.0%}"


def _refusals(g: dict[str, Any] | None) -> str:
    if not g:
        return ""
    return ", ".join(f"{actor} on {issue}" for actor, issue in (g.get("refused_by") or {}).items())


def _deal_text(d: dict[str, Any] | None) -> str:
    if not d:
        return "not run"
    return f"{'possible' if d.get('feasible') else 'no deal'} ({d.get('n_feasible', 0):,} of {d.get('n_packages', 0):,} packages acceptable)"


def model_label(params: dict[str, Any]) -> str:
    """The model a run was asked for: its name, or ``default (compromise)`` with the default it ran with
    (runs recorded before the default was stored ran with eum, the default then)."""
    return str(params.get("model") or f"default ({params.get('default_model') or 'eum'})")


def run_params(run: Any) -> dict[str, str]:
    """The parameters of a run as shown side by side."""
    p = dict(run.params or {})
    return {
        "scenario": f"{run.scenario_title} ({run.scenario_id})",
        "scenario content hash": run.scenario_hash[:12],
        "job": run.kind,
        "model": model_label(p),
        "seed": str(run.seed),
        "draws": str(p.get("draws") or "—") if run.kind in ("montecarlo", "analyze") else "—",
        "realpolitik version": run.realpolitik_version,
    }


def compare_runs(a: Any, b: Any, ra: dict[str, Any] | None, rb: dict[str, Any] | None) -> Comparison:
    c = Comparison(inputs=input_diff(a.scenario_content, b.scenario_content))
    pa, pb = run_params(a), run_params(b)
    c.params = [(k, pa[k], pb[k]) for k in pa]
    compare_results(ra, rb, c)
    return c


def default_runs(runs: Sequence[Any]) -> tuple[int | None, int | None]:
    """The runs a comparison starts from: the latest finished run (B) and the latest finished one before
    it that differs from it in what ran (A: scenario content, job, parameters or seed), else the one just
    before it. ``runs`` newest first; (None, id) when there is only one."""
    done = [r for r in runs if r.status == "done"] or list(runs)
    if not done:
        return None, None
    b = done[0]

    def what(r: Any) -> tuple[Any, ...]:
        return (r.scenario_hash, r.kind, sorted((r.params or {}).items()), r.seed)

    other = next((r for r in done[1:] if what(r) != what(b)), None)
    if other is None:
        other = done[1] if len(done) > 1 else None
    return (other.id if other is not None else None), b.id
