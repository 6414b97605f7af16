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
) -> dict[str, Any]:
    """The section for ``scenario``: a backtest of its analogues (or ``result``, a ready backtest), with
    words that say what the numbers can and cannot show.

    Keys: ``title``; ``analogues`` (ids); ``unavailable`` ({id: why} for analogues that cannot be read);
    ``paragraphs`` (text); ``cases`` (id, status, decided, leakage lines, mean error per predictor);
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
    out["paragraphs"] = paragraphs(b)
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
        out["figure_svg"] = error_figure(b, title=f"Analogues of {scenario.id}: error per model and baseline")
    return out


def paragraphs(b: Backtest) -> list[str]:
    """What a backtest can and cannot show, in words, from its clean/leaky split and summary."""
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
        models = [
            (v.mean_error, k) for k, v in table.items() if v.kind == "model" and v.mean_error is not None
        ]
        if not base or not models:
            continue
        best_b, who = min(base)
        beat = sorted(k for e, k in models if e < best_b)
        words = f"{BASELINE_WORDS.get(who, who)}, {100 * best_b:.1f}% of the range on average"
        caveat = "" if g == "clean" else "; on leaky cases that is no evidence of accuracy"
        if beat:
            verb = "beats" if len(beat) == 1 else "beat"
            out.append(
                f"On the {g} cases, {', '.join(beat)} {verb} the best naive baseline ({words}){caveat}."
            )
        else:
            out.append(f"On the {g} cases, no model beats the best naive baseline ({words}){caveat}.")
    return out
