"""The compiled 28-digit decimal arithmetic (``_native/rp_dec.h``) against Python's :mod:`decimal`.

Every operation must give the value of ``decimal.Context(prec=28, rounding=ROUND_HALF_EVEN)`` exactly,
and the same sign of zero; ``dec_to_double`` must equal ``float(Decimal)``. The generated numbers aim at
the hard cases: results one unit either side of a rounding boundary, exact halfway results, carries
that add a digit, cancellation, exponent gaps far wider than 28 digits, long constants (``Decimal`` of
a float), zeros of both signs. A long seeded fuzz of the same kind is ``benchmarks/dec_fuzz.py``.
"""

from __future__ import annotations

import ctypes
import math
import struct
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from realpolitik import _native

needs_kernel = pytest.mark.skipif(
    not _native.available(),
    reason=f"compiled kernels {_native.status()} (the Python code runs instead)",
)


@pytest.fixture(autouse=True)
def _auto_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the library when it is there, whatever the session's REALPOLITIK_NATIVE."""
    monkeypatch.setenv("REALPOLITIK_NATIVE", "auto")


CTX = Context(prec=28, rounding=ROUND_HALF_EVEN)
#: a context wide enough to compute test inputs exactly
WIDE = Context(prec=2000, rounding=ROUND_HALF_EVEN, Emin=-999999, Emax=999999)
OPS = {"add": 0, "sub": 1, "mul": 2, "div": 3, "neg": 4, "abs": 5, "cmp": 6, "sgn": 7, "float": 8, "str": 9}
MAXL = 12  # DEC_MAXL


def _lib() -> ctypes.CDLL:
    lib = _native.library()
    assert lib is not None
    if not getattr(lib, "_dec_ready", False):
        lib.rp_dec_op_alias.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_char_p]
        lib.rp_dec_op_alias.argtypes += [ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        lib.rp_dec_op_alias.restype = ctypes.c_int
        lib.rp_dec_float.argtypes = [ctypes.c_char_p]
        lib.rp_dec_float.restype = ctypes.c_double
        lib.rp_dec_pow_entry.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_uint64)]
        lib.rp_dec_pow_entry.restype = ctypes.c_int
        lib._dec_ready = True
    return lib


def c_op(op: str, a: str, b: str = "0", alias: int = 0) -> tuple[int, str]:
    """(err, result text) of the C operation."""
    out = ctypes.create_string_buffer(256)
    err = _lib().rp_dec_op_alias(OPS[op], a.encode(), b.encode(), out, 256, alias)
    return err, out.value.decode()


def py_op(op: str, a: Decimal, b: Decimal) -> Decimal | int:
    """Python's result in the engine's context."""
    if op == "add":
        return CTX.add(a, b)
    if op == "sub":
        return CTX.subtract(a, b)
    if op == "mul":
        return CTX.multiply(a, b)
    if op == "div":
        return CTX.divide(a, b)
    if op == "neg":
        return CTX.minus(a)
    if op == "abs":
        return CTX.abs(a)
    if op == "cmp":
        return (a > b) - (a < b)
    return (a > 0) - (a < 0)


def limbs_needed(d: Decimal) -> int:
    """Base-10^9 limbs the value spans (0 for zero)."""
    if d == 0:
        return 0
    _sign, digits, exp = d.normalize(WIDE).as_tuple()
    assert isinstance(exp, int)
    low, top = exp, exp + len(digits) - 1
    return top // 9 - low // 9 + 1


def check(op: str, a: Decimal, b: Decimal = Decimal(0), alias: int = 0) -> None:
    """The C result equals Python's: value, and the sign of a zero."""
    err, out = c_op(op, str(a), str(b), alias)
    if op == "div" and b == 0:
        assert err != 0, (a, b)
        return
    assert err == 0, (op, a, b, err)
    want = py_op(op, a, b)
    if isinstance(want, int):
        assert int(out) == want, (op, a, b, out, want)
        return
    got = Decimal(out)
    assert got == want and got.is_signed() == want.is_signed(), (op, str(a), str(b), out, str(want))


def float_bits(x: float) -> bytes:
    return struct.pack("<d", x)


# --- generated numbers -----------------------------------------------------------------------------


@st.composite
def coefficients(draw: st.DrawFn, max_digits: int = 40) -> int:
    """Coefficients of 1..max_digits digits: random, all nines, powers of ten and their neighbours,
    fives (halfway digits)."""
    nd = draw(st.integers(1, max_digits))
    kind = draw(st.sampled_from(["random", "random", "random", "nines", "pow", "pow-1", "pow+1", "five"]))
    if kind == "random":
        return draw(st.integers(10 ** (nd - 1), 10**nd - 1))
    if kind == "nines":
        return 10**nd - 1
    if kind == "pow":
        return 10 ** (nd - 1)
    if kind == "pow-1":
        return max(1, 10 ** (nd - 1) - 1)
    if kind == "pow+1":
        return 10 ** (nd - 1) + 1
    return 5 * 10 ** (nd - 1) + draw(st.sampled_from([0, 0, 1, -1])) * (nd > 1)


def make(sign: int, coef: int, exp: int) -> Decimal:
    return Decimal(f"{'-' if sign else ''}{coef}E{exp}")


@st.composite
def decimals(draw: st.DrawFn) -> Decimal:
    """Numbers as the engine meets them, and the awkward ones."""
    kind = draw(st.sampled_from(["plain", "plain", "plain", "model", "long", "zero", "short"]))
    sign = draw(st.integers(0, 1))
    if kind == "zero":
        return make(sign, 0, draw(st.integers(-40, 10)))
    if kind == "long":  # Decimal(float): up to several dozen exact digits
        x = draw(st.floats(min_value=1e-12, max_value=1e4, allow_nan=False, allow_infinity=False))
        return Decimal(-x if sign else x)
    if kind == "short":  # Decimal(repr(float)) inputs: 0.5, 35, 0.125, 1e-05
        x = draw(st.sampled_from([0.5, 35.0, 0.125, 1e-05, 100.0, 1.0, 0.35, 2.0, 1e-10, 5e-324]))
        return Decimal(repr(-x if sign else x))
    if kind == "model":  # 28 digits, values 0..100 or 0..1
        coef = draw(st.integers(10**27, 10**28 - 1))
        return make(sign, coef, draw(st.sampled_from([-26, -27, -28, -29, -30, -35])))
    return make(sign, draw(coefficients()), draw(st.integers(-60, 10)))


def ulp28(a: Decimal) -> Decimal:
    """One unit in the 28th significant digit of a (nonzero)."""
    return Decimal(1).scaleb(a.adjusted() - 27)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Decimal, Decimal]:
    """Operand pairs: independent, near each other (cancellation, ties), far apart, carries."""
    kind = draw(
        st.sampled_from(["indep", "indep", "near", "half", "far", "carry", "multie", "divtie", "samemag"])
    )
    a = draw(decimals())
    if kind == "indep":
        return a, draw(decimals())
    if a == 0:
        a = make(draw(st.integers(0, 1)), draw(coefficients(28)), draw(st.integers(-40, 5)))
    sign = draw(st.integers(0, 1))
    if kind == "near":  # b within a few units in the 28th digit of a, or of -a
        k = draw(st.integers(-3, 3))
        b = WIDE.add(a, WIDE.multiply(Decimal(k), ulp28(a)))
        extra = draw(st.sampled_from([Decimal(0), Decimal(0), Decimal("1e-40"), Decimal("-3e-45")]))
        b = WIDE.add(b, WIDE.multiply(extra, abs(a)))
        return a, -b if sign else b
    if kind == "half":  # a +- half a unit (and a bit), and far below
        h = WIDE.multiply(ulp28(a), Decimal("0.5"))
        if draw(st.booleans()):
            h = WIDE.add(h, WIDE.multiply(h, Decimal(draw(st.sampled_from(["1e-30", "-1e-30", "1e-80"])))))
        if draw(st.booleans()):
            h = h.scaleb(-draw(st.integers(1, 40)))
        return a, -h if sign else h
    if kind == "far":  # exponent gaps far wider than the precision
        b = draw(decimals())
        assume(b != 0)
        gap = draw(st.sampled_from([29, 30, 35, 36, 37, 40, 45, 50, 60, 90, 200, 5000]))
        b = b.scaleb(a.adjusted() - b.adjusted() - gap)
        return (a, b) if draw(st.booleans()) else (b, a)
    if kind == "carry":  # 99..9 (+-) small: a new digit, or borrow across zeros
        nd = draw(st.integers(1, 40))
        e = draw(st.integers(-40, 5))
        nines = make(0, 10**nd - 1, e)
        small = make(0, draw(st.integers(1, 9)), e - draw(st.integers(0, 3)))
        return (nines, small) if sign else (make(0, 1, e + nd), -small)
    if kind == "samemag":
        b = make(draw(st.integers(0, 1)), draw(coefficients(28)), a.adjusted() - draw(st.integers(26, 28)))
        return a, b
    if kind == "multie":  # a * b exactly 29 digits ending in 5: a halfway product
        x = draw(st.integers(10**14, 10**15 - 1)) // 10 * 10 + 5
        y = draw(st.integers(10**13, 10**15 - 1)) | 1
        assume(len(str(x * y)) == 29)
        return make(draw(st.integers(0, 1)), x, draw(st.integers(-30, 5))), make(
            sign, y, draw(st.integers(-30, 5))
        )
    # divtie: a / b an exact 29-digit quotient ending in 5 (or 30 digits ending in 50, 25, 75)
    q = draw(st.integers(10**27, 10**28 - 1)) * 10 + 5
    if draw(st.booleans()):
        q *= 10
    y = draw(st.integers(1, 10**18))
    return (
        make(draw(st.integers(0, 1)), q * y, draw(st.integers(-40, 5))),
        make(sign, y, draw(st.integers(-40, 5))),
    )


# --- properties ------------------------------------------------------------------------------------

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@needs_kernel
@SETTINGS
@given(pairs(), st.sampled_from(["add", "sub", "mul", "div", "cmp"]))
def test_binary_ops_equal_python(pair: tuple[Decimal, Decimal], op: str) -> None:
    a, b = pair
    check(op, a, b)
    check(op, b, a)


@needs_kernel
@SETTINGS
@given(decimals(), st.sampled_from(["neg", "abs", "sgn"]))
def test_unary_ops_equal_python(a: Decimal, op: str) -> None:
    check(op, a)


@st.composite
def longest(draw: st.DrawFn) -> Decimal:
    """Operands at the size limit: up to 108 digits (12 limbs at the best alignment; longer ones are
    refused with the error flag)."""
    nd = draw(st.integers(60, 108))
    coef = draw(st.integers(10 ** (nd - 1), 10**nd - 1))
    return make(draw(st.integers(0, 1)), coef, draw(st.integers(-120, 10)))


@needs_kernel
@settings(max_examples=200, deadline=None)
@given(st.one_of(longest(), decimals()), longest(), st.sampled_from(["add", "sub", "mul", "div", "cmp"]))
def test_longest_operands(a: Decimal, b: Decimal, op: str) -> None:
    """12-limb operands (the work buffers' worst case); 13 limbs and more set the flag."""
    if limbs_needed(a) > MAXL or limbs_needed(b) > MAXL:
        assert c_op(op, str(a), str(b))[0] == 2
        return
    check(op, a, b)
    check(op, b, a)
    check("neg", b)


@needs_kernel
@settings(max_examples=150, deadline=None)
@given(pairs(), st.sampled_from(["add", "sub", "mul", "div"]), st.integers(1, 3))
def test_result_may_overwrite_an_operand(pair: tuple[Decimal, Decimal], op: str, alias: int) -> None:
    """r may be a or b (or a and b one object): the engine updates numbers in place."""
    a, b = pair
    check(op, a, a if alias == 3 else b, alias)


@needs_kernel
@pytest.mark.parametrize(
    ("op", "a", "b"),
    [
        ("add", "1e-30", "50"),
        ("sub", "100", "1e-60"),
        ("sub", "1E+10", "1E-5000"),
        ("add", "9999999999999999999999999999", "1"),
        ("add", "9999999999999999999999999999.5", "0"),
        ("add", "0.99999999999999999999999999995", "0"),
        ("add", "0.99999999999999999999999999985", "0"),
        ("add", "-0", "-0"),
        ("add", "0", "-0"),
        ("add", "-0", "0"),
        ("sub", "-0", "0"),
        ("sub", "0", "0"),
        ("sub", "-0", "-0"),
        ("add", "1.5", "-1.5"),
        ("add", "-1.5", "1.5"),
        ("add", "-0", "-3.25"),
        ("mul", "0", "-5"),
        ("mul", "-0", "-5"),
        ("mul", "-0", "0"),
        ("div", "0", "-5"),
        ("div", "-0", "-5"),
        ("div", "1", "3"),
        ("div", "-2", "3"),
        ("div", "1", "7"),
        ("div", "1", "0.0001"),
        ("div", "5", "0"),
        ("div", "0", "0"),
        ("div", "-0", "-0"),
        ("neg", "0", "0"),
        ("neg", "-0", "0"),
        ("abs", "-0", "0"),
        ("neg", "1.0000000000000000364321973154977415791655470655996396089904010295867919921875E-10", "0"),
        ("abs", "-0.1000000000000000055511151231257827021181583404541015625", "0"),
        ("sub", "1.0000000000000000364321973154977415791655470655996396089904010295867919921875E-10", "35.5"),
        ("cmp", "-0", "0"),
        ("cmp", "1E+5", "100000.000"),
        ("cmp", "-1e-60", "-2e-60"),
        ("sgn", "-0", "0"),
    ],
)
def test_known_cases(op: str, a: str, b: str) -> None:
    check(op, Decimal(a), Decimal(b))


@needs_kernel
@pytest.mark.parametrize(
    ("op", "a", "b"),
    [
        ("mul", "1e-60000", "1e-60000"),
        ("mul", "1e60000", "1e60000"),
        ("div", "1e-60000", "1e60000"),
        ("div", "1e60000", "1e-60000"),
        ("add", "9" * 28 + "e98972", "1e98972"),  # 1e99000: the carry leaves the range
    ],
)
def test_results_far_out_of_range_raise_the_flag(op: str, a: str, b: str) -> None:
    """Results beyond about 1e+-99000 are left to Python (which still computes them): err, not a value."""
    assert py_op(op, Decimal(a), Decimal(b)) != 0  # Python has a value here; the C code declines
    assert c_op(op, a, b)[0] == 1
    check(op, Decimal(a).scaleb(-Decimal(a).adjusted() // 2), Decimal(b).scaleb(-Decimal(b).adjusted() // 2))


@needs_kernel
def test_every_rounding_position_and_tie() -> None:
    """Results with 29..45 digits, at every offset within a limb, just below, at and above a tie."""
    for extra in range(1, 18):
        for offset in range(-60, -40):
            base = 10**27 + 1234567  # odd and even kept digits
            for last in (base, base + 1):
                for tail in (0, 1, 4, 5, 6, 9):
                    coef = (last * 10 + tail) * 10 ** (extra - 1)
                    for rest in (0, 1):
                        x = make(0, coef + rest * (extra > 1), offset)
                        check("add", x, Decimal(0))
                        check("sub", Decimal("-0"), x)
                        check("neg", x)
                        check("abs", -x)


@needs_kernel
@settings(max_examples=300, deadline=None)
@given(decimals())
def test_parse_and_text_round_trip(a: Decimal) -> None:
    """dec_parse reads str(Decimal) exactly, dec_to_str writes a string that reads back the same."""
    err, out = c_op("str", str(a))
    if limbs_needed(a) > MAXL:
        assert err == 2
        return
    assert err == 0
    assert Decimal(out) == a and Decimal(out).is_signed() == a.is_signed(), (str(a), out)
    for text in (f"{a:f}", f"{a:e}", str(a).lower()):  # other spellings of the same number
        assert Decimal(c_op("str", text)[1]) == a


@needs_kernel
@pytest.mark.parametrize(
    "text",
    [
        ".5",
        "5.",
        "-0.0",
        "+1.25",
        "1e-05",
        "5e-324",
        "1E+5",
        "0E-7",
        "-.0e3",
        "0000123.4500",
        "1." + "0" * 60,
    ],
)
def test_parse_forms(text: str) -> None:
    err, out = c_op("neg", text)
    want = CTX.minus(Decimal(text))
    assert err == 0
    assert Decimal(out) == want and Decimal(out).is_signed() == want.is_signed()


@needs_kernel
@pytest.mark.parametrize(
    "text",
    ["", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "inf", "-Infinity", "nan", "sNaN", "1x", " 1", "1 ", "1_0",
     "0x10", "1e99999999999", "1e-200000", "1" + "0" * 120 + "1"],
)  # fmt: skip
def test_parse_rejects(text: str) -> None:
    """Anything but a plain finite number in range raises the error flag."""
    assert c_op("neg", text)[0] == 2


@needs_kernel
def test_power_table_entries() -> None:
    """The table of 10^(9j) used by dec_to_double: m = floor(10^(9j) / 2^b), 2^63 <= m < 2^64."""
    lib = _lib()
    m = ctypes.c_uint64()
    for j in range(-40, 36):
        b = lib.rp_dec_pow_entry(j, ctypes.byref(m))
        assert m.value != 0
        want = Fraction(10) ** (9 * j) / Fraction(2) ** b
        assert 2**63 <= want < 2**64
        assert m.value == math.floor(want), j


def c_float(text: str) -> float:
    return float(_lib().rp_dec_float(text.encode()))


def near_halfway(x: float, k: int, side: int) -> Decimal:
    """The midpoint between double x and its upper neighbour, moved by side * 10^-k of it."""
    y = math.nextafter(x, math.inf)
    mid = WIDE.divide(WIDE.add(Decimal(x), Decimal(y)), Decimal(2))
    return WIDE.add(mid, WIDE.multiply(mid, Decimal(side).scaleb(-k)))


@needs_kernel
@settings(max_examples=400, deadline=None)
@given(
    st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False),
    st.integers(17, 60),
    st.sampled_from([-1, 0, 1]),
    st.booleans(),
    st.booleans(),
)
def test_to_double_near_halfway(x: float, k: int, side: int, neg: bool, round28: bool) -> None:
    """dec_to_double == float(Decimal) next to the midpoint between two doubles (and on it)."""
    d = near_halfway(x, k, side)
    if round28:  # what the engine holds: a 28-digit result
        d = CTX.plus(d)
    if neg:
        d = -d
    if limbs_needed(d) > MAXL:
        d = CTX.plus(d)
    assert float_bits(c_float(str(d))) == float_bits(float(d)), str(d)


@needs_kernel
@settings(max_examples=400, deadline=None)
@given(decimals())
def test_to_double_equals_float(a: Decimal) -> None:
    assert float_bits(c_float(str(a))) == float_bits(float(a)), str(a)


@needs_kernel
@pytest.mark.parametrize(
    "text",
    ["0", "-0", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-320", "2.2250738585072011e-308",
     "2.2250738585072014e-308", "1.7976931348623157e308", "1.7976931348623158e308", "1e308", "1e400", "-1e400",
     "1e-400", "9007199254740993", "9007199254740992.5", "0.1", "123456789012345678901234567.5", "1E+315"],
)  # fmt: skip
def test_to_double_edges(text: str) -> None:
    """Subnormals, overflow to infinity, exact ties (the fallback path) as Python's float()."""
    assert float_bits(c_float(text)) == float_bits(float(Decimal(text)))
