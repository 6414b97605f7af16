"""Long seeded fuzz of the compiled 28-digit decimal arithmetic (``_native/rp_dec.h``) against Python.

Every operation (add sub mul div neg abs cmp sgn, and float()) runs on generated operands in C, in
batches through ``rp_dec_batch``, and in ``decimal.Context(prec=28, rounding=ROUND_HALF_EVEN)``; the
value and the sign of zero must be equal, float() bit for bit. Operands: random 1..40-digit
coefficients at exponents -60..+10, 28-digit model values, Decimal(float) constants, operands of up
to 12 limbs (108 digits, the size limit), zeros of both signs, neighbours one unit in the 28th digit
apart, exact halfway sums, products and quotients, carries, cancellation, exponent gaps of 29..5000
digits, chains of results fed back as operands (as the engine does), and decimals next to the midpoint
between two doubles. Exits 1 on any mismatch.

    .venv/bin/python benchmarks/dec_fuzz.py --count 1000000 --seed 1
"""

from __future__ import annotations

import argparse
import ctypes
import math
import random
import struct
import sys
import time
from collections import Counter
from decimal import ROUND_HALF_EVEN, Context, Decimal

from realpolitik._native import library, status

CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
WIDE = Context(prec=2000, rounding=ROUND_HALF_EVEN, Emin=-999999, Emax=999999)
OPS = ["add", "sub", "mul", "div", "neg", "abs", "cmp", "sgn", "float"]
MAXL = 12
BATCH = 2000


def make(sign: int, coef: int, exp: int) -> Decimal:
    return Decimal(f"{'-' if sign else ''}{coef}E{exp}")


def coefficient(rng: random.Random, max_digits: int = 40) -> int:
    nd = rng.randint(1, max_digits)
    kind = rng.randrange(8)
    if kind < 3:
        return rng.randint(10 ** (nd - 1), 10**nd - 1)
    if kind == 3:
        return 10**nd - 1
    if kind == 4:
        return 10 ** (nd - 1)
    if kind == 5:
        return max(1, 10 ** (nd - 1) - 1)
    if kind == 6:
        return 10 ** (nd - 1) + 1
    return 5 * 10 ** (nd - 1) + rng.choice([0, 0, 1, -1]) * (nd > 1)


SHORT = [0.5, 35.0, 0.125, 1e-05, 100.0, 1.0, 0.35, 2.0, 1e-10, 5e-324, 0.1, 0.3, 1e-9, 0.01]


def number(rng: random.Random) -> Decimal:
    kind = rng.randrange(8)
    sign = rng.randrange(2)
    if kind == 0:
        return make(sign, 0, rng.randint(-40, 10))
    if kind == 1:  # Decimal(float): exact binary fractions, up to ~70 digits
        x = math.ldexp(rng.random(), rng.randint(-40, 14))
        return Decimal(-x if sign else x)
    if kind == 2:
        x = rng.choice(SHORT)
        return Decimal(repr(-x if sign else x))
    if kind == 3:
        return make(sign, rng.randint(10**27, 10**28 - 1), rng.choice([-26, -27, -28, -29, -30, -35]))
    if kind == 4 and rng.randrange(4) == 0:  # at the size limit: 12 limbs (longer ones are skipped)
        nd = rng.randint(60, 108)
        return make(sign, rng.randint(10 ** (nd - 1), 10**nd - 1), rng.randint(-120, 10))
    return make(sign, coefficient(rng), rng.randint(-60, 10))


def ulp28(a: Decimal) -> Decimal:
    return Decimal(1).scaleb(a.adjusted() - 27)


def pair(rng: random.Random) -> tuple[Decimal, Decimal]:
    kind = rng.randrange(10)
    a = number(rng)
    if kind <= 1:
        return a, number(rng)
    if a == 0:
        a = make(rng.randrange(2), coefficient(rng, 28), rng.randint(-40, 5))
    sign = rng.randrange(2)
    if kind == 2:  # near: cancellation and results one unit apart
        b = WIDE.add(a, WIDE.multiply(Decimal(rng.randint(-3, 3)), ulp28(a)))
        extra = rng.choice([Decimal(0), Decimal(0), Decimal("1e-40"), Decimal("-3e-45")])
        b = WIDE.add(b, WIDE.multiply(extra, abs(a)))
        return a, -b if sign else b
    if kind == 3:  # a +- half a unit in the 28th digit (exact ties), a bit either side, far below
        h = WIDE.multiply(ulp28(a), Decimal("0.5"))
        if rng.randrange(2):
            h = WIDE.add(h, WIDE.multiply(h, Decimal(rng.choice(["1e-30", "-1e-30", "1e-80"]))))
        if rng.randrange(2):
            h = h.scaleb(-rng.randint(1, 40))
        return a, -h if sign else h
    if kind == 4:  # exponent gaps wider than the precision
        b = number(rng)
        if b == 0:
            b = Decimal(7)
        gap = rng.choice([27, 28, 29, 30, 35, 36, 37, 40, 45, 50, 60, 90, 200, 5000])
        b = b.scaleb(a.adjusted() - b.adjusted() - gap)
        return (a, b) if rng.randrange(2) else (b, a)
    if kind == 5:  # 99..9 +- small: a new digit, or a borrow across zeros
        nd, e = rng.randint(1, 40), rng.randint(-40, 5)
        small = make(0, rng.randint(1, 9), e - rng.randint(0, 3))
        return (make(0, 10**nd - 1, e), small) if sign else (make(0, 1, e + nd), -small)
    if kind == 6:  # same magnitude, 28 digits
        return a, make(rng.randrange(2), coefficient(rng, 28), a.adjusted() - rng.randint(26, 28))
    if kind == 7:  # a * b exactly 29 digits ending in 5
        while True:
            x = rng.randint(10**14, 10**15 - 1) // 10 * 10 + 5
            y = rng.randint(10**13, 10**15 - 1) | 1
            if len(str(x * y)) == 29:
                break
        return make(rng.randrange(2), x, rng.randint(-30, 5)), make(sign, y, rng.randint(-30, 5))
    if kind == 8:  # a / b an exact quotient of 29 (or 30) digits ending in 5 (50)
        q = rng.randint(10**27, 10**28 - 1) * 10 + 5
        if rng.randrange(2):
            q *= 10
        y = rng.randint(1, 10 ** rng.randint(1, 18))
        return make(rng.randrange(2), q * y, rng.randint(-40, 5)), make(sign, y, rng.randint(-40, 5))
    # quotients a / b with b a divisor of a times a power of ten, and non-terminating ones
    y = coefficient(rng, 28)
    return make(rng.randrange(2), y * rng.randint(1, 10**12), rng.randint(-40, 5)), make(
        sign, y, rng.randint(-40, 5)
    )


def near_halfway(rng: random.Random) -> Decimal:
    x = math.ldexp(rng.random() + 0.5, rng.randint(-1000, 1000))
    y = math.nextafter(x, math.inf)
    mid = WIDE.divide(WIDE.add(Decimal(x), Decimal(y)), Decimal(2))
    kind = rng.randrange(4)
    if kind == 0:
        d = mid
    elif kind == 1:
        d = WIDE.add(mid, WIDE.multiply(mid, Decimal(rng.choice([-1, 1])).scaleb(-rng.randint(17, 60))))
    else:  # what the engine holds: 28-digit numbers, near midpoints or not
        d = CTX.plus(
            WIDE.add(mid, WIDE.multiply(mid, Decimal(rng.randint(-9, 9)).scaleb(-rng.randint(16, 30))))
        )
    if rng.randrange(2):
        d = -d
    return d


def limbs_needed(d: Decimal) -> int:
    if d == 0:
        return 0
    _sign, digits, exp = d.normalize(WIDE).as_tuple()
    assert isinstance(exp, int)
    return (exp + len(digits) - 1) // 9 - exp // 9 + 1


def python(op: str, a: Decimal, b: Decimal) -> Decimal | int | float | None:
    if op == "add":
        return CTX.add(a, b)
    if op == "sub":
        return CTX.subtract(a, b)
    if op == "mul":
        return CTX.multiply(a, b)
    if op == "div":
        return None if b == 0 else CTX.divide(a, b)
    if op == "neg":
        return CTX.minus(a)
    if op == "abs":
        return CTX.abs(a)
    if op == "cmp":
        return (a > b) - (a < b)
    if op == "sgn":
        return (a > 0) - (a < 0)
    return float(a)


def same(op: str, got: str, dgot: float, want: Decimal | int | float | None) -> bool:
    if want is None:
        return got == "!"
    if got == "!":
        return False
    if isinstance(want, float):
        return struct.pack("<d", dgot) == struct.pack("<d", want)
    if isinstance(want, int):
        return int(got) == want
    g = Decimal(got)
    return g == want and g.is_signed() == want.is_signed()


class Runner:
    def __init__(self) -> None:
        lib = library()
        if lib is None:
            sys.exit(f"dec_fuzz: compiled kernels {status()}")
        self.fn = lib.rp_dec_batch
        self.fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]
        self.fn.argtypes += [ctypes.c_char_p, ctypes.c_long, ctypes.c_void_p]
        self.fn.restype = ctypes.c_long
        self.out = ctypes.create_string_buffer(BATCH * 200)
        self.dout = (ctypes.c_double * BATCH)()

    def run(self, op: str, cases: list[tuple[Decimal, Decimal]]) -> tuple[list[str], list[float]]:
        a = "\n".join(str(x) for x, _ in cases).encode()
        b = "\n".join(str(y) for _, y in cases).encode()
        n = self.fn(OPS.index(op), a, b, len(cases), self.out, len(self.out), ctypes.addressof(self.dout))
        assert n >= 0
        return self.out.raw[:n].decode().split("\n")[: len(cases)], list(self.dout[: len(cases)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000, help="operations per kind (default 200000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    runner = Runner()
    counts: Counter[str] = Counter()
    bad: Counter[str] = Counter()
    shown = 0
    start = time.perf_counter()
    pool = [number(rng) for _ in range(64)]
    kinds = [*OPS, "chain", "halfway"]
    for kind in kinds:
        done = 0
        while done < args.count:
            m = min(BATCH, args.count - done)
            ops: list[str]
            if kind == "halfway":
                ops, cases = ["float"] * m, [(near_halfway(rng), Decimal(0)) for _ in range(m)]
            elif kind == "chain":  # results fed back as operands, as the engine does
                op = rng.choice(["add", "sub", "mul", "div", "neg", "abs", "cmp"])
                ops = [op] * m
                cases = [(rng.choice(pool), rng.choice(pool)) for _ in range(m)]
            elif kind in ("neg", "abs", "sgn", "float"):
                ops, cases = (
                    [kind] * m,
                    [(number(rng) if i % 2 else pair(rng)[0], Decimal(0)) for i in range(m)],
                )
            else:
                ops, cases = [kind] * m, [pair(rng) for _ in range(m)]
            cases = [(x, y) for x, y in cases if limbs_needed(x) <= MAXL and limbs_needed(y) <= MAXL]
            got, dgot = runner.run(ops[0], cases)
            for (x, y), g, dg in zip(cases, got, dgot, strict=True):
                want = python(ops[0], x, y)
                counts[kind] += 1
                if not same(ops[0], g, dg, want):
                    bad[kind] += 1
                    if shown < 20:
                        shown += 1
                        print(f"MISMATCH {ops[0]}({x}, {y}): C {g} {dg!r}, Python {want}")
                elif (
                    kind == "chain" and isinstance(want, Decimal) and want != 0 and abs(want.adjusted()) < 60
                ):
                    pool[rng.randrange(len(pool))] = want
            if kind == "chain" and rng.randrange(4) == 0:
                pool[rng.randrange(len(pool))] = number(rng)
            done += m
    elapsed = time.perf_counter() - start
    total = sum(counts.values())
    print(f"dec_fuzz seed {args.seed}: {total} operations in {elapsed:.1f} s, {sum(bad.values())} mismatches")
    for kind in kinds:
        print(f"  {kind:8s} {counts[kind]:10d} ops  {bad[kind]} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
