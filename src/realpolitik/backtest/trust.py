"""The report's "How far to trust this" section, as data: the backtest of a scenario's analogues.

The report renders :func:`trust_section`'s dict (its templates are not here): a title, paragraphs, the
backtest of the analogues (the JSON of :meth:`Backtest.to_json`), per-case rows ready for a table, and
an SVG figure of error per model with the baselines marked.

>>> import realpolitik as rp
>>> sec = trust_section(rp.load("japan-russia-2016"), figure=False)
>>> sec["analogues"], [c["status"] for c in sec["cases"]]
(['german-unification-1990', 'nato-enlargement-1997'], ['leaky', 'leaky'])
>>> print(sec["paragraphs"][0])
None of the 2 analogues is a clean backtest: no case's inputs are all dated before its decision. ...
"""

from __future__ import annotations

from typing import Any

from realpolitik._text import and_list
from realpolitik.backtest.figure import error_figure
from realpolitik.backtest.run import Backtest, backtest
from realpolitik.backtest.scoring import BASELINE_LABELS, BASELINE_WORDS
from realpolitik.scenario import Scenario, load

TITLE = "How far to trust this"


def trust_section(
    scenario: Scenario,
    *,
    models: str | list[str] = "all",
    draws: int = 0,
    seed: int = 0,
    figure: bool = True,
    result: Backtest | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    """The section for ``scenario``: a backtest of its analogues (or ``result``, a ready backtest), with
    words that say what the numbers can and cannot show.

    Keys: ``title``; ``analogues`` (ids); ``unavailable`` ({id: why} for analogues that cannot be read);
    ``paragraphs`` (text: for each group of cases, where ``model`` — the analysis's headline model —
    and every other model stand against the plain mean of the positions); ``standing`` (that comparison
    as data: ``{group, model, model_error, mean_error, best_baseline, best_error}`` for the first group
    with cases, or None); ``cases`` (id, status, decided, leakage lines, mean error per predictor);
    ``summary`` ({clean|leaky: {predictor: {n, mean_error, median_error, ...}}}); ``predictors`` (name,
    label, kind); ``backtest`` (the full JSON) and ``figure_svg`` (or None).
    """
    ids = [an.scenario for an in scenario.analogues]
    loaded: list[Scenario] = []
    unavailable: dict[str, str] = {}
    for sid in ids:
        try:
            s = load(sid)
        except Exception as exc:  # a missing analogue must not sink the report
            unavailable[sid] = str(exc).splitlines()[0]
            continue
        if not s.outcome:
            unavailable[sid] = "no recorded outcome"
            continue
        loaded.append(s)
    out: dict[str, Any] = {
        "title": TITLE,
        "analogues": ids,
        "unavailable": unavailable,
        "paragraphs": [],
        "standing": None,
        "cases": [],
        "summary": {},
        "predictors": [],
        "backtest": None,
        "figure_svg": None,
    }
    b = result
    if b is None and loaded:
        b = backtest(loaded, models=models, draws=draws, seed=seed)
    if b is None:
        out["paragraphs"].append(
            "This scenario names no analogue with a recorded outcome, so nothing here can be scored "
            "against what happened. Run `realpolitik backtest` on cases coded before their decisions to "
            "see how the models fare."
        )
        return out
    out["paragraphs"] = paragraphs(b, model)
    out["standing"] = standing(b, model)
    out["predictors"] = [
        {"name": n, "label": BASELINE_LABELS.get(n, n), "kind": b.kind(n)} for n in b.predictors
    ]
    summary = b.summary()
    out["summary"] = {g: {k: v.to_json() for k, v in t.items()} for g, t in summary.items()}
    for c in b.cases:
        rows = [r for r in b.rows if r.case == c.id]
        errs = {}
        for n in b.predictors:
            e = [r.error(n) for r in rows if r.error(n) == r.error(n)]
            errs[n] = sum(e) / len(e) if e else None
        out["cases"].append(
            {
                "id": c.id,
                "status": c.status,
                "decided": c.decided,
                "issues": list(c.issues),
                "leakage": c.leakage.lines(),
                "mean_error": errs,
                "skipped": dict(c.skipped),
            }
        )
    out["backtest"] = b.to_json()
    if figure:
        out["figure_svg"] = error_figure(b, highlight=model)
    return out


def standing(b: Backtest, model: str | None = None) -> dict[str, Any] | None:
    """Where ``model`` (default: the first model) stands on the first group of cases that has scores
    (clean before leaky): its mean error beside the plain mean of the positions and the best baseline's."""
    s = b.summary()
    for g in ("clean", "leaky"):
        table = s[g]
        models = [k for k, v in table.items() if v.kind == "model" and v.mean_error is not None]
        base = [
            (v.mean_error, k) for k, v in table.items() if v.kind == "baseline" and v.mean_error is not None
        ]
        if not models or not base:
            continue
        m = model if model in models else models[0]
        best_e, best = min(base)
        mean = table.get("mean")
        return {
            "group": g,
            "model": m,
            "model_error": table[m].mean_error,
            "mean_error": mean.mean_error if mean is not None else None,
            "best_baseline": best,
            "best_error": best_e,
        }
    return None


def _pct(e: float) -> str:
    return f"{100 * e:.1f}%"


def paragraphs(b: Backtest, model: str | None = None) -> list[str]:
    """What a backtest can and cannot show, in words, from its clean/leaky split and summary: for each
    group, where ``model`` (the analysis's headline model) and every other model stand against the plain
    mean of the positions (a forecast that needs no model) and against the best naive baseline."""
    n = len(b.cases)
    clean = [c for c in b.cases if c.status == "clean"]
    what = "analogue" if n == 1 else "analogues"
    out = []
    if not clean:
        out.append(
            f"None of the {n} {what} is a clean backtest: no case's inputs are all dated before its "
            "decision. Their errors show how the precedents map onto this scenario and how the models "
            "behave on them; they do not measure how accurate the models are. A leaky case's stances may "
            "be coded from the outcome itself, which flatters every model and the plain mean of the "
            "positions alike."
        )
    else:
        out.append(
            f"{len(clean)} of {n} {what} {'is' if len(clean) == 1 else 'are'} clean (every input "
            "dated before the decision); only those measure accuracy. Leaky cases are summarised apart "
            "and never pooled with them."
        )
    for c in b.cases:
        if c.leakage.stances and c.leakage.at_outcome:
            out.append(
                f"{c.id}: {c.leakage.at_outcome} of {c.leakage.stances} stances sit exactly at the recorded "
                "outcome."
            )
    s = b.summary()
    for g in ("clean", "leaky"):
        table = s[g]
        base = [
            (v.mean_error, k) for k, v in table.items() if v.kind == "baseline" and v.mean_error is not None
        ]
        models = sorted(
            (v.mean_error, k) for k, v in table.items() if v.kind == "model" and v.mean_error is not None
        )
        if not base or not models:
            continue
        best_b, who = min(base)
        mean = table.get("mean")
        if mean is not None and mean.mean_error is not None:
            ref_e, ref_key = mean.mean_error, "mean"
        else:
            ref_e, ref_key = best_b, who
        ref = BASELINE_WORDS.get(ref_key, ref_key)
        lead = (
            f"On the {g} cases"
            if g == "clean"
            else f"On the {g} cases (inputs not all dated before the decision: no evidence of accuracy)"
        )
        head = model if model in {k for _, k in models} else None

        def side(e: float, ref_e: float = ref_e) -> str:
            return "better than" if e < ref_e else ("as good as" if e == ref_e else "worse than")

        text = lead + ", "
        if head is not None:
            e = table[head].mean_error
            assert e is not None
            text += (
                f"{head}, the model of this analysis, misses the recorded outcome by {_pct(e)} of the issue's "
                f"range on average, against {_pct(ref_e)} for {ref}: {side(e)} that forecast, which needs no "
                "model. "
            )
            others = [(e2, k) for e2, k in models if k != head]
            lead_others = "The other models"
        else:
            text += f"{ref} misses the recorded outcome by {_pct(ref_e)} of the issue's range on average. "
            others = models
            lead_others = "The models"
        if others:
            better = [f"{k} {_pct(e2)}" for e2, k in others if e2 < ref_e]
            worse = [f"{k} {_pct(e2)}" for e2, k in others if e2 >= ref_e]
            bits = []
            if better:
                bits.append(f"{and_list(better)} (better than {ref})")
            if worse:
                bits.append(f"{and_list(worse)} (not better)")
            text += f"{lead_others}: {'; '.join(bits)}."
        if who != ref_key:
            beat = sorted(k for e2, k in models if e2 < best_b)
            words = f"{BASELINE_WORDS.get(who, who)}, {_pct(best_b)}"
            if beat:
                verb = "beats" if len(beat) == 1 else "beat"
                text += f" The best naive baseline is {words}: {and_list(beat)} {verb} it."
            else:
                text += f" The best naive baseline is {words}: no model beats it."
        elif ref_key == "mean":
            text += " The plain mean is also the best naive baseline here."
        out.append(text)
    return out
