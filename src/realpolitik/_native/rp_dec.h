/* 28-digit decimal arithmetic that gives Python's decimal results bit for bit (value and sign of zero).
 *
 * Semantics: decimal.Context(prec=28, rounding=ROUND_HALF_EVEN) with the default exponent limits. Every
 * operand is used exactly (a 77-digit constant is not rounded first); every result is the exact result
 * rounded once to 28 significant digits, half even. Only the value and the sign of zero are kept (not
 * the Decimal exponent or trailing zeros). Whatever this code does not do exactly as Python would
 * (division by zero, exponents far out of range, operands too long for DEC_MAXL limbs, strings that are
 * not plain numbers) sets ctx->err, and the caller falls back to Python.
 *
 * Representation: base 10^9 limbs at a limb exponent, value = (-1)^neg * sum l[i] * 10^(9*(e+i)),
 * normalized so that l[0] and l[n-1] are nonzero (n == 0 for zero). A 28-digit number needs at most 4
 * limbs (5 when rounding carries into a new limb, which then leaves a single limb).
 *
 * Plain C99 (static functions in a header, uint64_t arithmetic, no extensions). Include it from one or
 * more .c files of _native/.
 */
#ifndef RP_DEC_H
#define RP_DEC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DEC_PREC 28
#define DEC_MAXL 12 /* limbs a number can hold (long constants such as Decimal(1e-10): 77 digits) */
typedef struct {
    int32_t e;            /* limb exponent: value = (-1)^neg * sum_i l[i] * 10^(9*(e+i)) */
    int16_t n;            /* limbs in use; 0 means the value is zero */
    int16_t neg;          /* sign, kept for zero too (-0 exists, as in Python) */
    uint32_t l[DEC_MAXL]; /* base 10^9, l[0] lowest; normalized: n == 0 or (l[0] != 0 and l[n-1] != 0) */
} dec;
typedef struct {
    int err;
} decctx; /* err != 0 after an operation this code does not do exactly as Python would */

#define DEC__B 1000000000u
/* limb exponents allowed for operands and results: |adjusted exponent| stays below 100000 digits, far
   inside Python's Emin/Emax (so no subnormal, clamped or overflowing result can arise) */
#define DEC__EMIN (-11000)
#define DEC__EMAX 11000
/* work buffers: an exact sum spans at most 2 * DEC_MAXL + 1 limbs (see dec__addsub), a product
   2 * DEC_MAXL; dec__finish uses 4 more */
#define DEC__WORK (2 * DEC_MAXL + 8)

static const uint32_t dec__p10[10] = {1u,      10u,      100u,      1000u,      10000u,
                                      100000u, 1000000u, 10000000u, 100000000u, 1000000000u};

/* number of decimal digits of 1 <= x < 10^9, without branches (the digit counts of results are data):
   b = floor(log2 x) from the exponent of the exact double x; floor(b log10 2) = (b * 1233) >> 12 for
   b < 30, and x has that many digits plus one or two */
static int dec__ndig(uint32_t x) {
    double d = (double)x;
    uint64_t bits;
    int t;
    memcpy(&bits, &d, sizeof bits);
    t = (((int)(bits >> 52) - 1023) * 1233) >> 12;
    return t + 1 + (x >= dec__p10[t + 1]);
}

/* x / 10^r == (x * dec__m10[r]) >> dec__s10[r] for every x < 2^30 (r = 0..8): m = ceil(2^s / 10^r),
   s = 30 + ceil(log2 10^r), so m * 10^r - 2^s <= 2^(s - 30) (Granlund and Montgomery, 1994, thm 4.2) */
static const uint32_t dec__m10[9] = {1073741824u, 1717986919u, 1374389535u, 1099511628u, 1759218605u,
                                     1407374884u, 1125899907u, 1801439851u, 1441151881u};
static const unsigned char dec__s10[9] = {30, 34, 37, 40, 44, 47, 50, 54, 57};

static uint32_t dec__div_p10(uint32_t x, int r) { return (uint32_t)(((uint64_t)x * dec__m10[r]) >> dec__s10[r]); }

static void dec_zero(dec *r) {
    r->e = 0;
    r->n = 0;
    r->neg = 0;
}

static void dec__signed_zero(dec *r, int neg) {
    r->e = 0;
    r->n = 0;
    r->neg = (int16_t)neg;
}

static void dec__fail(decctx *c, dec *r) {
    c->err = 1;
    dec_zero(r);
}

/* r = (-1)^neg * (buf[0..len-1] at limb exponent lo, plus a nonzero amount below one unit of buf[0] when
   sticky) rounded to DEC_PREC digits, half even. buf must have len + 4 limbs (a carry, and a copy of
   4 limbs at once: bytes past the result's are copied into r->l but never read). A zero value (an
   exact cancellation) gives +0. With sticky the value must have more than DEC_PREC digits. */
static void dec__finish(decctx *c, dec *r, uint32_t *buf, int len, int32_t lo, int sticky, int neg) {
    int t = len - 1, start = 0, k, i, n;
    while (t >= 0 && buf[t] == 0) t--;
    if (t < 0) {
        if (sticky) {
            dec__fail(c, r);
            return;
        }
        dec__signed_zero(r, 0);
        return;
    }
    k = 9 * t + dec__ndig(buf[t]) - DEC_PREC; /* digits to drop */
    if (k > 0) {
        /* keep the digits of buf[q] from 10^rr up (and all above): hi = buf[q] / 10^rr. The dropped
           part's top, d = (buf[q] mod 10^rr) * 10^9 + buf[q - 1], against half a unit of the kept
           part, 10^rr * 10^9 / 2; on a tie the limbs below buf[q - 1] and the sticky decide */
        int q = k / 9, rr = k - 9 * q;
        uint32_t x = buf[q], p = dec__p10[rr], hi = dec__div_p10(x, rr);
        uint32_t below = buf[q > 0 ? q - 1 : 0] & (0u - (uint32_t)(q > 0)); /* (no branch) */
        uint64_t d = (uint64_t)(x - hi * p) * DEC__B + below, half = (uint64_t)p * 500000000u;
        if (d == half) {
            int rest = sticky;
            for (i = 0; i < q - 1 && !rest; i++) rest = buf[i] != 0;
            hi += (uint32_t)(rest | (int)(hi & 1u));
        } else {
            hi += d > half;
        }
        x = hi * p;
        buf[q] = x;
        if (x >= DEC__B) { /* the rounding carried out of the limb */
            buf[t + 1] = 0;
            for (i = q; buf[i] >= DEC__B; i++) {
                buf[i] -= DEC__B;
                buf[i + 1]++;
            }
            if (i > t) t = i;
        }
        start = q;
    } else if (sticky) {
        dec__fail(c, r);
        return;
    }
    while (buf[start] == 0) start++;
    n = t - start + 1;
    if (n > DEC_MAXL || lo + start < DEC__EMIN || lo + t >= DEC__EMAX) {
        dec__fail(c, r);
        return;
    }
    r->n = (int16_t)n;
    r->e = lo + start;
    r->neg = (int16_t)neg;
    if (n <= 4)
        memcpy(r->l, buf + start, 4 * sizeof(uint32_t));
    else
        for (i = 0; i < n; i++) r->l[i] = buf[start + i];
}

/* r = (-1)^neg * |a| rounded to DEC_PREC digits (a nonzero) */
static void dec__round_copy(decctx *c, dec *r, const dec *a, int neg) {
    int n = a->n;
    if (n <= 3 || 9 * (n - 1) + dec__ndig(a->l[n - 1]) <= DEC_PREC) {
        if (r != a) {
            int i;
            r->e = a->e;
            r->n = a->n;
            if (n <= 4)
                memcpy(r->l, a->l, 4 * sizeof(uint32_t));
            else
                for (i = 0; i < n; i++) r->l[i] = a->l[i];
        }
        r->neg = (int16_t)neg;
    } else {
        uint32_t buf[DEC_MAXL + 4];
        int i;
        for (i = 0; i < n; i++) buf[i] = a->l[i];
        dec__finish(c, r, buf, n, a->e, 0, neg);
    }
}

/* compare |a| and |b| (both nonzero): -1, 0, 1 */
static int dec__magcmp(const dec *a, const dec *b) {
    int32_t ta = a->e + a->n, tb = b->e + b->n;
    int i, j;
    if (ta != tb) return ta < tb ? -1 : 1;
    for (i = a->n - 1, j = b->n - 1; i >= 0 && j >= 0; i--, j--) {
        if (a->l[i] != b->l[j]) return a->l[i] < b->l[j] ? -1 : 1;
    }
    if (i >= 0) return 1;
    if (j >= 0) return -1;
    return 0;
}

/* r = (-1)^aneg |a| + (-1)^bneg |b| rounded */
static void dec__addsub(decctx *c, dec *r, const dec *a, int aneg, const dec *b, int bneg) {
    uint32_t buf[DEC__WORK];
    const dec *A, *B;
    int32_t ta, tb, T, lo;
    int len, i, off, sub, neg;
    if (b->n == 0) {
        if (a->n == 0)
            dec__signed_zero(r, aneg & bneg);
        else
            dec__round_copy(c, r, a, aneg);
        return;
    }
    if (a->n == 0) {
        dec__round_copy(c, r, b, bneg);
        return;
    }
    sub = aneg != bneg;
    ta = a->e + a->n - 1;
    tb = b->e + b->n - 1;
    /* A: the operand of larger magnitude (for a sum, the one with the higher top limb) */
    if (tb > ta || (sub && tb == ta && dec__magcmp(a, b) < 0)) {
        A = b;
        B = a;
        neg = bneg;
        T = ta;
        ta = tb;
        tb = T;
    } else {
        A = a;
        B = b;
        neg = aneg;
    }
    /* When all of B lies below limb T = min(A->e, ta - 4), |B| < 10^(9T): 9T is at or below A's lowest
       digit and at least 29 digits below A's top digit (hence below the rounding digit of any result,
       whose top digit is at most one below A's). No rounding boundary (multiple of half a unit in the
       last place, or power of ten) then lies strictly between A and A +- B, so B can be replaced by any
       value of its sign in (0, 10^(9T)) without changing the rounded result: 1 at limb T - 1. */
    T = A->e < ta - 4 ? A->e : ta - 4;
    lo = tb < T ? T - 1 : A->e < B->e ? A->e : B->e;
    len = ta - lo + 1; /* A occupies the top of buf[0..len-1] */
    off = A->e - lo;
    /* (fixed-size copies for the common short numbers: compilers turn loops into calls of memset and
       memcpy; the limbs copied past A's, unset or not, are overwritten or never read) */
    if (off <= 4 && A->n <= 4) {
        memset(buf, 0, 4 * sizeof(uint32_t));
        memcpy(buf + off, A->l, 4 * sizeof(uint32_t));
    } else {
        for (i = 0; i < off; i++) buf[i] = 0;
        for (i = 0; i < A->n; i++) buf[off + i] = A->l[i];
    }
    buf[len] = 0;
    if (tb < T) {
        if (sub) {
            for (i = 0; buf[i] == 0; i++) buf[i] = DEC__B - 1;
            buf[i]--;
        } else {
            buf[0] = 1;
        }
    } else {
        off = B->e - lo;
        if (sub) {
            uint32_t borrow = 0;
            for (i = 0; i < B->n; i++) {
                int32_t x = (int32_t)buf[off + i] - (int32_t)B->l[i] - (int32_t)borrow;
                borrow = x < 0;
                buf[off + i] = (uint32_t)(x + (borrow ? (int32_t)DEC__B : 0));
            }
            for (i += off; borrow; i++) {
                borrow = buf[i] == 0;
                buf[i] = borrow ? DEC__B - 1 : buf[i] - 1;
            }
        } else {
            uint32_t carry = 0;
            for (i = 0; i < B->n; i++) {
                uint32_t x = buf[off + i] + B->l[i] + carry;
                carry = x >= DEC__B;
                buf[off + i] = carry ? x - DEC__B : x;
            }
            for (i += off; carry; i++) {
                uint32_t x = buf[i] + 1;
                carry = x >= DEC__B;
                buf[i] = carry ? 0 : x;
            }
        }
    }
    dec__finish(c, r, buf, len + 1, lo, 0, neg);
}

static void dec_add(decctx *c, dec *r, const dec *a, const dec *b) { dec__addsub(c, r, a, a->neg, b, b->neg); }

static void dec_sub(decctx *c, dec *r, const dec *a, const dec *b) { dec__addsub(c, r, a, a->neg, b, !b->neg); }

static void dec_mul(decctx *c, dec *r, const dec *a, const dec *b) {
    uint32_t buf[DEC__WORK];
    int na = a->n, nb = b->n, k, i, neg = a->neg ^ b->neg;
    uint64_t carry = 0;
    if (na == 0 || nb == 0) {
        dec__signed_zero(r, neg);
        return;
    }
    if (na <= 4 && nb <= 4) { /* up to 28-digit operands: all 16 products of zero-padded limbs */
        uint64_t a0 = a->l[0], a1 = na > 1 ? a->l[1] : 0, a2 = na > 2 ? a->l[2] : 0, a3 = na > 3 ? a->l[3] : 0;
        uint64_t b0 = b->l[0], b1 = nb > 1 ? b->l[1] : 0, b2 = nb > 2 ? b->l[2] : 0, b3 = nb > 3 ? b->l[3] : 0;
        uint64_t col[7];
        col[0] = a0 * b0;
        col[1] = a0 * b1 + a1 * b0;
        col[2] = a0 * b2 + a1 * b1 + a2 * b0;
        col[3] = a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
        col[4] = a1 * b3 + a2 * b2 + a3 * b1;
        col[5] = a2 * b3 + a3 * b2;
        col[6] = a3 * b3;
        for (k = 0; k < na + nb - 1; k++) {
            uint64_t t = col[k] + carry;
            carry = t / DEC__B;
            buf[k] = (uint32_t)(t - carry * DEC__B);
        }
        buf[na + nb - 1] = (uint32_t)carry;
        dec__finish(c, r, buf, na + nb, a->e + b->e, 0, neg);
        return;
    }
    /* column sums: at most DEC_MAXL products below 10^18 each plus a carry below 1.3e10 < 2^64 */
    for (k = 0; k < na + nb - 1; k++) {
        uint64_t t = carry;
        int i0 = k - nb + 1 > 0 ? k - nb + 1 : 0, i1 = k < na - 1 ? k : na - 1;
        for (i = i0; i <= i1; i++) t += (uint64_t)a->l[i] * b->l[k - i];
        carry = t / DEC__B;
        buf[k] = (uint32_t)(t - carry * DEC__B);
    }
    buf[na + nb - 1] = (uint32_t)carry;
    dec__finish(c, r, buf, na + nb, a->e + b->e, 0, neg);
}

/* estimate of the quotient limb of the window w[0..n] by a divisor whose top limbs give 1 / inv */
static double dec__div_est(const uint32_t *w, int n, double inv) {
    double rf = (double)(int64_t)((uint64_t)w[n] * DEC__B + w[n - 1]);
    if (n >= 2) rf += (double)w[n - 2] * 1e-9;
    return rf * inv;
}

static void dec_div(decctx *c, dec *r, const dec *a, const dec *b) {
    uint32_t ubuf[DEC_MAXL + 9], q[DEC_MAXL + 12], *u = ubuf + 1; /* u[-1] = 0: see below */
    const uint32_t *v = b->l;
    int n = b->n, na = a->n, s, lu, j, i, neg = a->neg ^ b->neg, ge, jtop;
    uint32_t sticky = 0;
    double vf, inv, est;
    if (n == 0) {
        dec__fail(c, r);
        return;
    }
    if (na == 0) {
        dec__signed_zero(r, neg);
        return;
    }
    /* ge: the top n limbs of A (zero-padded) are at least V, so the first quotient limb is nonzero */
    ge = 1;
    for (i = 0; i < n; i++) {
        uint32_t x = i < na ? a->l[na - 1 - i] : 0u;
        if (x != v[n - 1 - i]) {
            ge = x > v[n - 1 - i];
            break;
        }
    }
    vf = (double)v[n - 1];
    if (n >= 2) vf += (double)v[n - 2] * 1e-9;
    if (n >= 3) vf += (double)v[n - 3] * 1e-18;
    inv = 1.0 / vf;
    /* U = A * 10^(9s): the quotient floor(U / V) gets 5 significant limbs, or 4 when its top limb has
       at least 2 digits (either way over 28 digits, so the rounding digit is in it); the remainder
       tells whether anything lies below them. The top limb is estimated from the top limbs of A (its
       first window: 0 and A's top n limbs when ge, else A's top n + 1 limbs), within 1e-6 as below */
    {
        /* (selected without branches: ge is data) below 0, i1 and i2 stand for zero limbs of the shift */
        int i1 = na - 1 - !ge, i2 = na - 2 - !ge;
        uint32_t t0 = a->l[na - 1] & (0u - (uint32_t)!ge);
        uint32_t t1 = a->l[i1 > 0 ? i1 : 0] & (0u - (uint32_t)(i1 >= 0));
        uint32_t t2 = a->l[i2 > 0 ? i2 : 0] & (0u - (uint32_t)(i2 >= 0 && n >= 2));
        double top = (double)t0 * 1e9 + (double)t1 + (double)t2 * 1e-9;
        s = 5 - ge + n - na - (top >= 10.5 * vf);
        est = top * inv; /* the first window's estimate (as dec__div_est would make it) */
    }
    if (s < 0) s = 0;
    lu = s + na;
    ubuf[0] = 0;
    /* (fixed-size copies for the common sizes, as in dec__addsub: u has 20 limbs) */
    memset(u, 0, 8 * sizeof(uint32_t));
    for (i = 8; i < s; i++) u[i] = 0;
    if (na <= 4)
        memcpy(u + s, a->l, 4 * sizeof(uint32_t));
    else
        for (i = 0; i < na; i++) u[s + i] = a->l[i];
    u[lu] = 0;
    jtop = lu - n - !ge; /* the window u[j..j+n] of the first quotient limb: its top limb is below V */
    /* Quotient limb j of the window W = u[j..j+n] < 10^9 V: est, from the top limbs, is within 1e-6 of
       W / V (truncation below 3e-9, rounding below 1e-6), so qd is the limb or one less. The
       corrections below make the limb exact whatever qd was (they only cost time). */
    for (j = jtop; j >= 0; j--) {
        uint32_t *w = u + j;
        /* qd = floor(est - 1e-4) (truncation: est > -1): the limb, or one less when est is within
           1e-4 above an integer (the true ratio may then be just below it) */
        int64_t qd, borrow = 0, top;
        int fresh = 1; /* the next estimate must be made from the remainder's limbs */
        if (!(est < 1.5e9)) est = 1.5e9; /* (never with a sane estimate; keeps the conversion defined) */
        qd = (int64_t)(est - 1e-4);
        if (qd > 0) { /* (zero limbs come in exact quotients of short numbers: nothing to subtract) */
            /* W -= qd V. x[i] = w[i] - (qd V)'s limb i, each from its own product, before borrows; the
               borrows (0..2 a limb) then run along. The next estimate is taken from the x, whose value is
               the remainder's up to the limbs below the top four: it need not wait for the borrows. */
            int64_t x[DEC_MAXL + 1];
            uint64_t hprev = 0;
            for (i = 0; i < n; i++) {
                uint64_t p = (uint64_t)qd * v[i], h = p / DEC__B;
                x[i] = (int64_t)w[i] - (int64_t)(p - h * DEC__B) - (int64_t)hprev;
                hprev = h;
            }
            x[n] = (int64_t)w[n] - (int64_t)hprev;
            { /* (also made, unused, after the last limb: u[-1] is there for it) */
                /* (unsigned arithmetic: wraps harmlessly if qd was off, when this is not used) */
                uint64_t x1 = n >= 2 ? (uint64_t)x[n - 2] : (uint64_t)w[-1];
                double rf = (double)(int64_t)(((uint64_t)x[n] * DEC__B + (uint64_t)x[n - 1]) * DEC__B + x1);
                if (n >= 3)
                    rf += (double)x[n - 3] * 1e-9;
                else if (n == 2)
                    rf += (double)w[-1] * 1e-9;
                est = rf * inv;
                fresh = 0;
            }
            for (i = 0; i < n; i++) {
                int64_t y = x[i] - borrow;
                borrow = (y < 0) + (y < -(int64_t)DEC__B);
                w[i] = (uint32_t)(y + borrow * (int64_t)DEC__B);
            }
            top = x[n] - borrow;
            while (top < 0) { /* qd was too large (not expected from the estimate): add V back */
                uint32_t carry = 0;
                for (i = 0; i < n; i++) {
                    uint32_t y = w[i] + v[i] + carry;
                    carry = y >= DEC__B;
                    w[i] = carry ? y - DEC__B : y;
                }
                top += carry;
                qd--;
                fresh = 1;
            }
            w[n] = (uint32_t)top;
        }
        /* the remainder is below 2V; once more if it is at least V */
        while (w[n] || w[n - 1] >= v[n - 1]) {
            int lt = 0;
            if (!w[n]) {
                for (i = n - 1; i >= 0; i--) {
                    if (w[i] != v[i]) {
                        lt = w[i] < v[i];
                        break;
                    }
                }
                if (lt) break;
            }
            borrow = 0;
            for (i = 0; i < n; i++) {
                int64_t y = (int64_t)w[i] - (int64_t)v[i] - borrow;
                borrow = y < 0;
                w[i] = (uint32_t)(y + borrow * (int64_t)DEC__B);
            }
            w[n] = (uint32_t)((int64_t)w[n] - borrow);
            qd++;
            fresh = 1;
        }
        q[j] = (uint32_t)qd;
        if (fresh) est = dec__div_est(u + j - 1, n, inv);
    }
    for (i = 0; i < n; i++) sticky |= u[i];
    dec__finish(c, r, q, jtop + 1, a->e - s - b->e, sticky != 0, neg);
}

static void dec_neg(decctx *c, dec *r, const dec *a) {
    if (a->n == 0)
        dec_zero(r);
    else
        dec__round_copy(c, r, a, !a->neg);
}

static void dec_abs(decctx *c, dec *r, const dec *a) {
    if (a->n == 0)
        dec_zero(r);
    else
        dec__round_copy(c, r, a, 0);
}

static int dec_sgn(const dec *a) { return a->n == 0 ? 0 : a->neg ? -1 : 1; }

static int dec_cmp(const dec *a, const dec *b) {
    int sa = dec_sgn(a), sb = dec_sgn(b), m;
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    m = dec__magcmp(a, b);
    return sa > 0 ? m : -m;
}

/* Decimal(s) for [+-] digits [. digits] [e|E [+-] digits], exactly; anything else sets err */
static void dec_parse(decctx *c, dec *r, const char *s, int len) {
    int i = 0, neg = 0, ndig = 0, nfrac = 0, dot = 0, first = -1, last = -1, mend, k;
    long ex = 0, w0, wt;
    int32_t e, top;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    for (; i < len; i++) {
        char ch = s[i];
        if (ch >= '0' && ch <= '9') {
            if (ch != '0') {
                if (first < 0) first = i;
                last = i;
            }
            ndig++;
            nfrac += dot;
        } else if (ch == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    mend = i;
    if (ndig == 0) {
        dec__fail(c, r);
        return;
    }
    if (i < len) {
        int eneg = 0, edig = 0;
        if (s[i] != 'e' && s[i] != 'E') {
            dec__fail(c, r);
            return;
        }
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, edig++) {
            if (ex < 100000000L) ex = ex * 10 + (s[i] - '0');
        }
        if (edig == 0 || i < len) {
            dec__fail(c, r);
            return;
        }
        if (eneg) ex = -ex;
    }
    if (ex <= -100000000L || ex >= 100000000L) {
        dec__fail(c, r);
        return;
    }
    if (first < 0) {
        dec__signed_zero(r, neg);
        return;
    }
    /* weight (power of ten) of the last nonzero digit and of the first */
    {
        long after_last = 0, after_first = 0; /* digits after each, up to the end of the mantissa */
        for (k = last + 1; k < mend; k++) after_last += s[k] != '.';
        for (k = first + 1; k < mend; k++) after_first += s[k] != '.';
        w0 = ex - nfrac + after_last;
        wt = ex - nfrac + after_first;
    }
    e = (int32_t)(w0 >= 0 ? w0 / 9 : -((-w0 + 8) / 9));
    top = (int32_t)(wt >= 0 ? wt / 9 : -((-wt + 8) / 9));
    if (top - e + 1 > DEC_MAXL || e < DEC__EMIN || top >= DEC__EMAX) {
        dec__fail(c, r);
        return;
    }
    memset(r->l, 0, sizeof(uint32_t) * (size_t)(top - e + 1));
    {
        long w = w0; /* weight of the digit at k */
        for (k = last; k >= first; k--) {
            if (s[k] == '.') continue;
            if (s[k] != '0') {
                long d = w - 9L * e;
                r->l[d / 9] += (uint32_t)(s[k] - '0') * dec__p10[d % 9];
            }
            w++;
        }
    }
    r->e = e;
    r->n = (int16_t)(top - e + 1);
    r->neg = (int16_t)neg;
}

/* a string Decimal() reads back to the same value and sign: [-]digitsE[-]exp; returns its length, or -1
   (and "" when len > 0) when buf is too short (DEC_MAXL * 9 + 16 bytes are always enough) */
static int dec_to_str(const dec *a, char *buf, int len) {
    char tmp[DEC_MAXL * 9 + 24];
    int p = 0, i, j;
    long ex;
    if (a->neg) tmp[p++] = '-';
    if (a->n == 0) {
        tmp[p++] = '0';
    } else {
        uint32_t x = a->l[a->n - 1];
        int nd = dec__ndig(x);
        for (j = nd - 1; j >= 0; j--) tmp[p++] = (char)('0' + (x / dec__p10[j]) % 10u);
        for (i = a->n - 2; i >= 0; i--) {
            x = a->l[i];
            for (j = 8; j >= 0; j--) tmp[p++] = (char)('0' + (x / dec__p10[j]) % 10u);
        }
        ex = 9L * a->e;
        if (ex != 0) {
            char d[16];
            int nd2 = 0;
            unsigned long m = (unsigned long)(ex < 0 ? -ex : ex);
            tmp[p++] = 'E';
            if (ex < 0) tmp[p++] = '-';
            while (m) {
                d[nd2++] = (char)('0' + m % 10);
                m /= 10;
            }
            while (nd2) tmp[p++] = d[--nd2];
        }
    }
    if (p + 1 > len) {
        if (len > 0) buf[0] = '\0';
        return -1;
    }
    memcpy(buf, tmp, (size_t)p);
    buf[p] = '\0';
    return p;
}

/* 10^(9j) for j in [DEC__PJ0, DEC__PJ1] as m * 2^b, 2^63 <= m < 2^64, m truncated (generated with
   Python's fractions: b such that 2^63 <= 10^(9j) / 2^b < 2^64, m = floor(10^(9j) / 2^b)) */
#define DEC__PJ0 (-40)
#define DEC__PJ1 35
static const struct {
    uint64_t m;
    int b;
} dec__p10_9[DEC__PJ1 - DEC__PJ0 + 1] = {
    {0x89bf722840327f82u, -1259}, {0x8049a4ac0c5811aeu, -1229}, {0xeef453d6923bd65au, -1200},
    {0xde8b2b66b3bc4723u, -1170}, {0xcf42894a5dce35eau, -1140}, {0xc1069cd4eabe89f8u, -1110},
    {0xb3c4f1ba87bc8696u, -1080}, {0xa76c582338ed2621u, -1050}, {0x9becce62836ac577u, -1020},
    {0x91376c36d99995beu, -990}, {0x873e4f75e2224e68u, -960}, {0xfbe9141915d7a922u, -931},
    {0xea9c227723ee8bcbu, -901}, {0xda7f5bf590966848u, -871}, {0xcb7ddcdda26da268u, -841},
    {0xbd8430bd08277231u, -811}, {0xb080392cc4349decu, -781}, {0xa46116538d0deb78u, -751},
    {0x991711052d8bf3c5u, -721}, {0x8e938662882af53eu, -691}, {0x84c8d4dfd2c63f3bu, -661},
    {0xf7549530e188c128u, -632}, {0xe65829b3046b0afau, -602}, {0xd686619ba27255a2u, -572},
    {0xc7caba6e7c5382c8u, -542}, {0xba121a4650e4ddebu, -512}, {0xad4ab7112eb3929du, -482},
    {0xa163ff802a3426a8u, -452}, {0x964e858c91ba2655u, -422}, {0x8bfbea76c619ef36u, -392},
    {0x825ecc24c873782fu, -362}, {0xf2d56790ab41c2a2u, -333}, {0xe2280b6c20dd5232u, -303},
    {0xd29fe4b18e88640eu, -273}, {0xc428d05aa4751e4cu, -243}, {0xb6b00d69bb55c8d1u, -213},
    {0xaa242499697392d2u, -183}, {0x9e74d1b791e07e48u, -153}, {0x9392ee8e921d5d07u, -123},
    {0x89705f4136b4a597u, -93}, {0x8000000000000000u, -63}, {0xee6b280000000000u, -34},
    {0xde0b6b3a76400000u, -4}, {0xcecb8f27f4200f3au, 26}, {0xc097ce7bc90715b3u, 56},
    {0xb35dbf821ae4f38bu, 86}, {0xa70c3c40a64e6c51u, 116}, {0x9b934c3b330c8577u, 146},
    {0x90e40fbeea1d3a4au, 176}, {0x86f0ac99b4e8dafdu, 206}, {0xfb5878494ace3a5fu, 235},
    {0xea1575143cf97226u, 265}, {0xda01ee641a708de9u, 295}, {0xcb090c8001ab551cu, 325},
    {0xbd176620a501fbffu, 355}, {0xb01ae745b101e9e4u, 385}, {0xa402b9c5a8d3a6e7u, 415},
    {0x98bf2f79d5993802u, 445}, {0x8e41ade9fbebc27du, 475}, {0x847c9b5d7c2e09b7u, 505},
    {0xf6c69a72a3989f5bu, 534}, {0xe5d3ef282a242e81u, 564}, {0xd60b3bd56a5586f1u, 594},
    {0xc75809c42c684dd1u, 624}, {0xb9a74a0637ce2ee1u, 654}, {0xace73cbfdc0bfb7bu, 684},
    {0xa1075a24e4421730u, 714}, {0x95f83d0a1fb69cd9u, 744}, {0x8bab8eefb6409c1au, 774},
    {0x8213f56a67f6b29bu, 804}, {0xf24a01a73cf2dccfu, 833}, {0xe1a63853bbd26451u, 863},
    {0xd226fc195c6a2f8cu, 893}, {0xc3b8358109e84f07u, 923}, {0xb6472e511c81471du, 953},
    {0xa9c2794ae3a3c69au, 983},
};

/* (hi, lo) = x * y */
static void dec__mul64(uint64_t x, uint64_t y, uint64_t *hi, uint64_t *lo) {
    uint64_t x0 = x & 0xffffffffu, x1 = x >> 32, y0 = y & 0xffffffffu, y1 = y >> 32;
    uint64_t p00 = x0 * y0, p01 = x0 * y1, p10 = x1 * y0, p11 = x1 * y1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* leading zero bits of x != 0 */
static int dec__clz64(uint64_t x) {
    int n = 0;
    if (!(x >> 32)) {
        n += 32;
        x <<= 32;
    }
    if (!(x >> 48)) {
        n += 16;
        x <<= 16;
    }
    if (!(x >> 56)) {
        n += 8;
        x <<= 8;
    }
    if (!(x >> 60)) {
        n += 4;
        x <<= 4;
    }
    if (!(x >> 62)) {
        n += 2;
        x <<= 2;
    }
    if (!(x >> 63)) n += 1;
    return n;
}

/* float(Decimal(a)): correctly rounded. A fast path gives the double when a 64-bit approximation of the
   value is provably on one side of every rounding boundary; otherwise the decimal string goes through
   strtod (correctly rounded in glibc and every current C library, as Python's own float()). */
static double dec_to_double(const dec *a) {
    int n = a->n;
    if (n == 0) return a->neg ? -0.0 : 0.0;
    if (n <= 2 && a->e >= -2 && a->e <= 2) {
        /* C * 10^(9e) with C < 2^53 exact as a double and 10^9, 10^18 too: one correctly rounded
           multiplication or division (inputs such as 0.5, 35, 0.125, 1e-05) */
        uint64_t cc = n == 2 ? (uint64_t)a->l[1] * DEC__B + a->l[0] : a->l[0];
        if (cc <= ((uint64_t)1 << 53)) {
            double d = (double)cc;
            if (a->e != 0) {
                double p = a->e == 1 || a->e == -1 ? 1e9 : 1e18;
                d = a->e > 0 ? d * p : d / p;
            }
            return a->neg ? -d : d;
        }
    }
    {
        /* C = the top (up to) 4 limbs as a 128-bit integer; the value is in [C, C + 1) * 10^(9 j) */
        int used = n < 4 ? n : 4, i, z, E, bexp;
        int32_t j = a->e + (n - used);
        uint64_t chi = 0, clo = a->l[n - 1], ch, ph, xh, xl, m, low, mant, bits;
        double d;
        for (i = n - 2; i >= n - used; i--) {
            uint64_t h, l;
            dec__mul64(clo, DEC__B, &h, &l);
            chi = chi * DEC__B + h;
            clo = l + a->l[i];
            chi += clo < l;
        }
        if (j >= DEC__PJ0 && j <= DEC__PJ1) {
            int sa; /* C = ch * 2^sa + (rest below 2^sa) */
            if (chi) {
                z = dec__clz64(chi);
                ch = z ? (chi << z) | (clo >> (64 - z)) : chi;
                sa = 64 - z;
            } else {
                z = dec__clz64(clo);
                ch = clo << z;
                sa = -z;
            }
            /* value in [ch ph, (ch + 1)(ph + 1)) * 2^(sa + b): the top 64 bits m of ch * ph, at 2^E, are
               below the value by less than 6 units (ch + ph + 1 < 2^65, plus the truncation of ch*ph) */
            ph = dec__p10_9[j - DEC__PJ0].m;
            dec__mul64(ch, ph, &xh, &xl);
            if (xh >> 63) {
                m = xh;
                E = sa + dec__p10_9[j - DEC__PJ0].b + 64;
            } else {
                m = (xh << 1) | (xl >> 63);
                E = sa + dec__p10_9[j - DEC__PJ0].b + 63;
            }
            low = m & 0x7ffu;
            mant = m >> 11;
            if (low + 6 <= 0x400u || (low > 0x400u && low + 6 <= 0x800u)) {
                mant += low > 0x400u;
                if (mant >> 53) {
                    mant >>= 1;
                    E++;
                }
                bexp = E + 11 + 52 + 1023; /* value = mant * 2^(E + 11), 2^52 <= mant < 2^53 */
                if (bexp >= 1 && bexp <= 2046) {
                    bits = ((uint64_t)bexp << 52) | (mant & ((((uint64_t)1) << 52) - 1));
                    if (a->neg) bits |= ((uint64_t)1) << 63;
                    memcpy(&d, &bits, sizeof d);
                    return d;
                }
            }
        }
    }
    {
        char buf[DEC_MAXL * 9 + 24];
        dec_to_str(a, buf, (int)sizeof buf);
        return strtod(buf, NULL);
    }
}

#endif
