"""A fixed workload of small exchange runs, for instruction counts of one checkout against another.

    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \\
        .venv/bin/python benchmarks/exchange_small_runs.py --mode exact --runs 100 [--src OTHER/src]

Runs the seeded decide-style 6 x 3 and 10 x 2 problems of ``bench_small.py`` ``--runs`` times each (10
rounds, one warm run of each first) with ``--src`` (another checkout's ``src`` folder) or this
checkout. Instruction counts are not disturbed by the load of a shared machine, unlike times; the
count of ``--runs 0`` (start-up, imports and the warm runs) subtracted from that of ``--runs N`` and
divided by 2N is the count per run. ``PYTHONHASHSEED=0`` makes the start-up count steadier.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=("exact", "fast", "float"), default="exact")
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--src", help="another checkout's src folder (default: this checkout's package)")
    args = ap.parse_args()
    if args.src:
        sys.path.insert(0, str(Path(args.src).resolve()))
    sys.path.insert(1 if args.src else 0, str(HERE))
    from bench_small import decide_problem

    import realpolitik.models.exchange as exchange

    if args.src and not exchange.__file__.startswith(str(Path(args.src).resolve())):
        raise SystemExit(f"exchange_small_runs: loaded {exchange.__file__}, not from {args.src}")
    problems = [decide_problem(6, 3, 1), decide_problem(10, 2, 2)]
    for p in problems:
        exchange.run_exchange(p, arithmetic=args.mode)
    for p in problems:
        for _ in range(args.runs):
            exchange.run_exchange(p, arithmetic=args.mode)


if __name__ == "__main__":
    main()
