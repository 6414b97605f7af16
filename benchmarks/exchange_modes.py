"""The exchange model's three arithmetic modes side by side, with medians, and decide in the same run.

    .venv/bin/python benchmarks/exchange_modes.py
    .venv/bin/python benchmarks/exchange_modes.py --runs 15 --decide-python /path/to/venv/bin/python

Cases: Copenhagen (11 actors, 7 issues, from ``shared/`` beside the checkout) and the generated
15-actor, 13-issue problem of ``bench_table.py`` (COP21-sized). Each repetition runs exact, fast and
float one after the other (interleaved, so that the load of a shared machine falls on all three
alike); the table gives the median and the best of the CPU seconds per run (``time.process_time``,
10 rounds, warm, in-process). The ratio columns divide the reference program's time by our median:
decide's recorded model-only in-process time (Copenhagen only; 2025.3.1 on an idle 2-core VM) and,
with ``--decide-python`` (an interpreter with ``decide-exchange-model`` installed), decide's median
measured here in the same run, CPU seconds too. Nothing here is a unit test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_table import DECIDE_TIMER, cop21_sized_text  # noqa: E402
from run import _table  # noqa: E402  (the combined runner's plain-text table)

from realpolitik.models import get_model  # noqa: E402
from realpolitik.scenario.decide_format import decide_to_problem, parse_decide  # noqa: E402

MODES = ("exact", "fast", "float")
DECIDE_MEDIAN = DECIDE_TIMER.replace("print(min(times))", "print(statistics.median(times))")


def _cases() -> list[tuple[str, str, float | None]]:
    """(name, decide input text, decide's recorded model-only seconds or None)."""
    out: list[tuple[str, str, float | None]] = []
    base = REPO.parent / "shared" / "reference" / "exchange" / "copenhagen"
    if base.is_dir():
        note = json.loads((base / "expected.json").read_text()).get("runtime_note", "")
        ref = float(note.split("in-process:")[1].split("s")[0]) if "in-process:" in note else None
        out.append(("copenhagen 11x7", (base / "input.csv").read_text(), ref))
    else:
        print("exchange_modes: ../shared/ not found; Copenhagen skipped", file=sys.stderr)
    out.append(("generated 15x13", cop21_sized_text(), None))
    return out


def _decide_median(python: str, text: str, runs: int) -> float | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        path.write_text(text)
        res = subprocess.run(
            [python, "-c", DECIDE_MEDIAN, str(path), str(runs), tmp],
            capture_output=True,
            text=True,
            check=False,
        )
    if res.returncode != 0:
        print(f"exchange_modes: decide did not run: {res.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return float(res.stdout.strip().splitlines()[-1])


def rows(runs: int = 11, decide_python: str | None = None) -> list[dict[str, Any]]:
    model = get_model("exchange")
    out: list[dict[str, Any]] = []
    for name, text, ref in _cases():
        p = decide_to_problem(parse_decide(text, "case.csv"))
        live = _decide_median(decide_python, text, max(3, runs // 3)) if decide_python else None
        times: dict[str, list[float]] = {m: [] for m in MODES}
        for m in MODES:  # warm
            model.run(p, arithmetic=m)
        for _ in range(runs):
            for m in MODES:
                t0 = time.process_time()
                model.run(p, arithmetic=m)
                times[m].append(time.process_time() - t0)
        for m in MODES:
            med = statistics.median(times[m])
            row: dict[str, Any] = {
                "case": name,
                "mode": m,
                "median_s": med,
                "best_s": min(times[m]),
                "decide_recorded_s": ref,
                "x_recorded": ref / med if ref else None,
            }
            if decide_python:
                row["decide_now_s"] = live
                row["x_now"] = live / med if live else None
            out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=11, help="repetitions of each mode (default 11)")
    ap.add_argument("--decide-python", help="a Python with decide-exchange-model, timed in the same run")
    args = ap.parse_args()
    print(_table(rows(args.runs, args.decide_python)))


if __name__ == "__main__":
    main()
