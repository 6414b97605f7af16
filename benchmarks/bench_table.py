"""One table: every model on every shipped reference case, our time beside the reference program's
recorded time and the ratio; then start-up times.

    .venv/bin/python benchmarks/bench_table.py
    .venv/bin/python benchmarks/bench_table.py --decide-python /path/to/venv/bin/python

Our times are in-process, warm, the best of several runs (``--repeats``), in CPU seconds of this
process (``time.process_time``): on a shared machine wall time also counts the other processes' turns,
and the recorded reference times were taken on an otherwise idle machine, where the two agree for
single-threaded work. Reference times are those
recorded with the reference runs in ``shared/reference/*/expected.json`` on a 2-core VM (see each
row's ``ref_kind``): KTAB's and the EUM second implementation's whole-process wall times (they have no
in-process figure), decide's model-only in-process time. A 15-actor, 13-issue exchange problem the
size of COP21 is generated (seeded, decide-style numbers); it has no recorded reference time. With
``--decide-python`` (an interpreter with ``decide-exchange-model`` installed) decide's model is timed
in-process on the exchange cases in the same run (CPU seconds too), side by side with ours, and the
ratio is taken against that; this is the fair comparison on a shared, noisy machine.

compromise and nash have no reference program; their rows give our time only. The start-up rows come
from ``bench_startup.py`` (whole processes, medians).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik._native import status as native_status
from realpolitik.models import BargainingProblem, get_model
from realpolitik.scenario.decide_format import decide_to_problem, parse_decide

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_startup  # noqa: E402
from bench_smp import read_ktab_csv  # noqa: E402
from run import _table  # noqa: E402  (the combined runner's plain-text table)

DECIDE_TIMER = """
import statistics, sys, time
from decide.data.modelfactory import ModelFactory
from decide.data.reader import InputDataFile
from decide.model import equalgain
from decide.model.observers.observer import Observable
from decide.model.utils import ModelLoop
equalgain.EqualGainModel.ALLOW_RANDOM = False
factory = ModelFactory(InputDataFile.open(sys.argv[1]))
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.process_time()
    model = factory(model_klass=equalgain.EqualGainModel, randomized_value=0)
    try:
        events = Observable(model_ref=model, output_directory=sys.argv[3])
    except TypeError:
        events = Observable()
    loop = ModelLoop(model, events, 0)
    for _ in range(10):
        loop.loop()
    times.append(time.process_time() - t0)
print(min(times))
"""


def _shared() -> Path | None:
    d = REPO.parent / "shared"
    return d if (d / "reference").is_dir() else None


def _best(fn: Any, repeats: int, min_time: float = 0.3) -> float:
    """Best CPU time of ``repeats`` rounds, each repeating ``fn`` until ``min_time`` CPU seconds passed."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        n = 0
        t0 = time.process_time()
        while True:
            fn()
            n += 1
            elapsed = time.process_time() - t0
            if elapsed >= min_time:
                break
        best = min(best, elapsed / n)
    return best


def cop21_sized_text(seed: int = 21) -> str:
    """A 15-actor, 13-issue problem in decide's input format (numbers as in decide's own files)."""
    rng = np.random.default_rng(seed)
    actors = [f"Actor{i + 1:02d}" for i in range(15)]
    issues = [f"Issue{j + 1:02d}" for j in range(13)]
    lines = [f"'#A'\t'{a}'\t'{a}'\t''" for a in actors]
    for iss in issues:
        lines += [f"'#P'\t'{iss}'\t'{iss}'\t''", f"'#M'\t'{iss}'\t0", f"'#M'\t'{iss}'\t100"]
    power = np.round(rng.uniform(0.01, 0.3, len(actors)), 3)
    for i, a in enumerate(actors):
        for iss in issues:
            pos = float(rng.integers(0, 21) * 5)
            sal = float(rng.integers(1, 11)) / 10
            lines.append(f"'#D'\t'{a}'\t'{iss}'\t{pos:.1f}\t{sal:.1f}\t{power[i]}")
    return "\n".join(lines) + "\n"


def _reference_cases(shared: Path) -> list[dict[str, Any]]:
    """(model, case, problem, reference seconds, kind, decide input text)."""
    out: list[dict[str, Any]] = []
    for case in ("dummyData_3Dim", "SOE-Pol-Comp"):
        base = shared / "reference" / "ktab" / case
        exp = json.loads((base / "expected.json").read_text())
        out.append(
            {
                "models": ("smp", "compromise", "nash"),
                "case": case,
                "problem": read_ktab_csv(base / "input.csv"),
                "ref_s": exp["runtime_seconds"],
                "ref_kind": "KTAB smpc, whole process",
            }
        )
    base = shared / "reference" / "eum" / "emission_standards"
    exp = json.loads((base / "expected.json").read_text())
    rows = [r.split(",") for r in (base / "input.csv").read_text().strip().splitlines()[1:]]
    ec = BargainingProblem(
        capability=np.array([float(r[1]) for r in rows]),
        position=np.array([[float(r[2])] for r in rows]),
        salience=np.array([[float(r[3]) / 100.0] for r in rows]),
        bounds=np.array([[4.0, 10.0]]),
        status_quo=np.array([7.0]),
        actors=tuple(r[0] for r in rows),
    )
    out.append(
        {
            "models": ("eum", "compromise", "nash"),
            "case": "emission_standards",
            "problem": ec,
            "ref_s": exp["runtime_seconds"],
            "ref_kind": "jmckib EUM (python), whole process",
        }
    )
    for case in ("two_by_two", "copenhagen"):
        base = shared / "reference" / "exchange" / case
        exp = json.loads((base / "expected.json").read_text())
        note = exp.get("runtime_note", "")
        ref = float(note.split("in-process:")[1].split("s")[0]) if "in-process:" in note else None
        text = (base / "input.csv").read_text()
        out.append(
            {
                "models": ("exchange",),
                "case": case,
                "problem": decide_to_problem(parse_decide(text, f"{case}.csv")),
                "ref_s": ref,
                "ref_kind": "decide, model only, in-process",
                "decide_text": text,
            }
        )
    text = cop21_sized_text()
    out.append(
        {
            "models": ("exchange",),
            "case": "generated 15x13 (COP21-sized)",
            "problem": decide_to_problem(parse_decide(text, "cop21_sized.csv")),
            "ref_s": None,
            "ref_kind": "none recorded (--decide-python times decide)",
            "decide_text": text,
        }
    )
    return out


def _decide_seconds(python: str, text: str, repeats: int) -> float | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        path.write_text(text)
        res = subprocess.run(
            [python, "-c", DECIDE_TIMER, str(path), str(repeats), tmp],
            capture_output=True,
            text=True,
            check=False,
        )
    if res.returncode != 0:
        print(f"bench_table: decide did not run: {res.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return float(res.stdout.strip().splitlines()[-1])


def rows(repeats: int = 3, decide_python: str | None = None, startup_runs: int = 10) -> list[dict[str, Any]]:
    shared = _shared()
    out: list[dict[str, Any]] = []
    if shared is None:
        print("bench_table: ../shared/ not found; no reference rows", file=sys.stderr)
    for c in _reference_cases(shared) if shared else []:
        p: BargainingProblem = c["problem"]
        live = None
        if decide_python and "decide_text" in c:
            live = _decide_seconds(decide_python, c["decide_text"], repeats)
        for m in c["models"]:
            info = get_model(m)
            modes = ("exact", "fast", "float") if m == "exchange" else (None,)
            for mode in modes:
                kw: dict[str, Any] = dict(c.get("params", {}).get(m, {}))
                if mode:
                    kw["arithmetic"] = mode
                sec = _best(lambda p=p, kw=kw, info=info: info.run(p, **kw), repeats)
                ref = c["ref_s"] if m in ("smp", "eum", "exchange") else None
                row: dict[str, Any] = {
                    "model": m + (f" {mode}" if mode else ""),
                    "case": c["case"],
                    "size": f"{p.n_actors}x{p.n_issues}",
                    "ours_s": sec,
                    "ref_s": ref,
                    "ratio": ref / sec if ref else None,
                    "ref_kind": "no reference program" if m in ("compromise", "nash") else c["ref_kind"],
                }
                if live is not None:
                    row["decide_now_s"] = live
                    row["ratio_now"] = live / sec
                out.append(row)
    for r in bench_startup.rows(startup_runs):
        out.append(
            {
                "model": "start-up",
                "case": r["command"],
                "ours_s": r["median_s"],
                "ref_s": r["target_s"],
                "ref_kind": "target (median of whole processes)" if r["target_s"] else "floor / baseline",
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--decide-python", help="a Python with decide-exchange-model, timed side by side")
    args = ap.parse_args()
    print(f"compiled kernels: {native_status()} (REALPOLITIK_NATIVE=0 times the Python code)")
    print(_table(rows(args.repeats, args.decide_python)))


if __name__ == "__main__":
    main()
