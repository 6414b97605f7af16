"""Start-up: whole-process wall times of bare Python, bare NumPy (the floor), ``import realpolitik``,
``realpolitik --help`` and a small ``realpolitik forecast``; medians of repeated runs.

    .venv/bin/python benchmarks/bench_startup.py                       # this checkout, 10 runs each
    .venv/bin/python benchmarks/bench_startup.py --baseline ../old/src # and another source tree, A B A B

``--baseline`` runs the same commands with ``PYTHONPATH`` set to another checkout's ``src`` folder (same
interpreter and libraries), alternating with this checkout's runs so that both see the same machine
load. The environment variable ``PYTHONDONTWRITEBYTECODE`` is removed for the timed commands (the
warm-up run writes the bytecode caches, as an installed package has them); ``--no-bytecode-cache``
keeps it, so that every run compiles the package's sources again. ``--instructions`` also counts each
command's instructions once under valgrind (cachegrind without cache simulation, ``PYTHONHASHSEED=0``; median of 3):
a count that the load of a shared machine does not disturb, for comparing two versions. ``rows()``
returns the table for ``benchmarks/run.py``. Targets (issue 13, 2-core VM):
``import realpolitik`` < 0.15 s, ``--help`` < 0.25 s, the forecast faster than KTAB's recorded
whole process on SOE-Pol-Comp (0.35 s).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KTAB_CASE = REPO / "tests" / "data" / "ktab" / "SOE-Pol-Comp" / "input.csv"
KTAB_WHOLE_PROCESS_S = 0.35  # the recorded KTAB run on SOE-Pol-Comp (expected.json runtime_seconds)


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("realpolitik")
    if script.is_file():
        return [str(script)]
    found = shutil.which("realpolitik")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from realpolitik.cli import main; sys.exit(main())"]


def commands() -> list[tuple[str, list[str], float | None]]:
    """(label, argv, target seconds or None)."""
    py = sys.executable
    cli = _cli()
    return [
        ("python -c pass", [py, "-c", "pass"], None),
        ("python -c 'import numpy' (floor)", [py, "-c", "import numpy"], None),
        ("python -c 'import realpolitik'", [py, "-c", "import realpolitik"], 0.15),
        ("realpolitik --help", [*cli, "--help"], 0.25),
        (
            "realpolitik forecast SOE-Pol-Comp --model smp --format json",
            [*cli, "forecast", str(KTAB_CASE), "--model", "smp", "--format", "json"],
            KTAB_WHOLE_PROCESS_S,
        ),
    ]


def _run(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def instructions(argv: list[str], env: dict[str, str], repeat: int = 3) -> float | None:
    """Median instructions the whole process executes (valgrind's cachegrind), None without valgrind.

    The count still varies by a few per cent from run to run (addresses differ), hence the median.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    probe = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *argv]
    counts = []
    for _ in range(repeat):
        done = subprocess.run(
            probe,
            env=dict(env, PYTHONHASHSEED="0"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
        if found is None:
            return None
        counts.append(int(found.group(1).replace(",", "")))
    return statistics.median(counts)


def rows(
    runs: int = 10, baseline: str | None = None, bytecode_cache: bool = True, count: bool = False
) -> list[dict[str, Any]]:
    """Median wall seconds per command (one warm-up run first); with ``baseline`` both side by side.

    With ``count``, each row also has ``instructions`` (and ``baseline_instructions``), in millions.
    """
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    base_env = dict(env, PYTHONPATH=str(Path(baseline).resolve())) if baseline else None
    out: list[dict[str, Any]] = []
    for label, argv, target in commands():
        _run(argv, env)
        if base_env:
            _run(argv, base_env)
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(runs):
            ours.append(_run(argv, env))
            if base_env:
                theirs.append(_run(argv, base_env))
        row: dict[str, Any] = {"command": label, "median_s": statistics.median(ours)}
        row["min_s"] = min(ours)
        if base_env:
            row["baseline_median_s"] = statistics.median(theirs)
            row["speedup"] = row["baseline_median_s"] / row["median_s"]
        if count:
            n = instructions(argv, env)
            row["instructions_m"] = None if n is None else n / 1e6
            if base_env:
                b = instructions(argv, base_env)
                row["baseline_instructions_m"] = None if b is None else b / 1e6
        row["target_s"] = target
        row["meets_target"] = None if target is None else ("yes" if row["median_s"] < target else "NO")
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--runs", type=int, default=10, help="timed runs per command (default 10)")
    ap.add_argument("--baseline", help="another checkout's src/ folder, timed side by side")
    ap.add_argument(
        "--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if it is set"
    )
    ap.add_argument(
        "--instructions", action="store_true", help="also count instructions under valgrind (slow)"
    )
    args = ap.parse_args()
    table = rows(args.runs, args.baseline, bytecode_cache=not args.no_bytecode_cache, count=args.instructions)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall seconds, {args.runs} runs")
    head = f"{'command':58} {'median s':>9} {'min s':>7}"
    if args.baseline:
        head += f" {'baseline s':>10} {'speed-up':>8}"
    if args.instructions:
        head += f" {'instr M':>8}" + (f" {'base M':>8}" if args.baseline else "")
    head += f" {'target s':>8} {'ok':>3}"
    print(head)
    print("-" * len(head))
    for r in table:
        line = f"{r['command']:58} {r['median_s']:9.3f} {r['min_s']:7.3f}"
        if args.baseline:
            line += f" {r['baseline_median_s']:10.3f} {r['speedup']:7.2f}x"
        if args.instructions:
            line += f" {_m(r.get('instructions_m')):>8}"
            if args.baseline:
                line += f" {_m(r.get('baseline_instructions_m')):>8}"
        target = f"{r['target_s']:.2f}" if r["target_s"] else "-"
        line += f" {target:>8} {r['meets_target'] or '-':>3}"
        print(line)


def _m(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


if __name__ == "__main__":
    main()
