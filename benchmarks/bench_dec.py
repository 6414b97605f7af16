"""Nanoseconds per operation of the compiled 28-digit decimal arithmetic (``_native/rp_dec.h``).

Timed inside C (``rp_dec_bench``: operands parsed once, then each operation run over 1000 pairs many
times, CPU time by ``clock()``), median of several repeats, on operands typical of the exchange model:
28-digit values in 0..100 and in 0..1, and short inputs such as 0.5, 35 or 0.125. Python's own
``decimal`` (C implementation, same context) is timed on the same operands for scale.

    .venv/bin/python benchmarks/bench_dec.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import ctypes
import random
import statistics
import sys
import time
from decimal import ROUND_HALF_EVEN, Context, Decimal

from realpolitik._native import library, status

OPS = {"add": 0, "sub": 1, "mul": 2, "div": 3, "neg": 4, "abs": 5, "cmp": 6, "sgn": 7, "to_double": 8}
N = 1000


def operands(kind: str, rng: random.Random) -> list[str]:
    """N operand strings of one kind."""
    if kind == "28 digits, 0..100":
        return [str(Decimal(rng.randint(10**27, 10**28 - 1)).scaleb(-rng.choice([26, 27]))) for _ in range(N)]
    if kind == "28 digits, 0..1":
        return [
            str(Decimal(rng.randint(10**27, 10**28 - 1)).scaleb(-rng.choice([28, 29, 30]))) for _ in range(N)
        ]
    return [repr(rng.choice([0.5, 35.0, 0.125, 100.0, 2.0, 0.25, 1.0, 12.0])) for _ in range(N)]


KINDS = ["28 digits, 0..100", "28 digits, 0..1", "short (0.5, 35, 0.125)"]


def python_ns(op: str, xs: list[Decimal], ys: list[Decimal]) -> float:
    ctx = Context(prec=28, rounding=ROUND_HALF_EVEN)
    fn = {
        "add": ctx.add,
        "sub": ctx.subtract,
        "mul": ctx.multiply,
        "div": ctx.divide,
        "neg": lambda a, _b: ctx.minus(a),
        "abs": lambda a, _b: ctx.abs(a),
        "cmp": lambda a, b: a < b,
        "sgn": lambda a, _b: a > 0,
        "to_double": lambda a, _b: float(a),
    }[op]
    start = time.perf_counter()
    for a, b in zip(xs, ys, strict=True):
        fn(a, b)
    return (time.perf_counter() - start) / len(xs) * 1e9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repeats (median reported)")
    parser.add_argument("--reps", type=int, default=2000, help="passes over the 1000 pairs per repeat")
    args = parser.parse_args()
    lib = library()
    if lib is None:
        print(f"bench_dec: compiled kernels {status()}", file=sys.stderr)
        return 1
    bench = lib.rp_dec_bench
    bench.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_long]
    bench.argtypes += [ctypes.POINTER(ctypes.c_double)]
    bench.restype = ctypes.c_double
    rng = random.Random(13)
    data = {k: (operands(k, rng), operands(k, rng)) for k in KINDS}
    check = ctypes.c_double()
    print(
        f"ns per operation, median of {args.repeat} (C: {args.reps} x {N} ops each; Python decimal for scale)"
    )
    print(f"{'op':10s}" + "".join(f"{k:>26s}" for k in KINDS) + f"{'Python, 28 digits':>20s}")
    for op, code in OPS.items():
        row = f"{op:10s}"
        for k in KINDS:
            xs, ys = data[k]
            a, b = "\n".join(xs).encode(), "\n".join(ys).encode()
            times = [bench(code, a, b, N, args.reps, ctypes.byref(check)) for _ in range(args.repeat)]
            row += f"{statistics.median(times):26.1f}"
        xs, ys = (list(map(Decimal, v)) for v in data[KINDS[0]])
        row += f"{statistics.median(python_ns(op, xs, ys) for _ in range(args.repeat)):20.1f}"
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
