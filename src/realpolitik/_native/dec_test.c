/* Test and benchmark entry points of the 28-digit decimal arithmetic (rp_dec.h); nothing in realpolitik
   calls them (tests/test_dec_native.py, benchmarks/dec_fuzz.py and benchmarks/bench_dec.py do). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rp_native.h"
#include "rp_dec.h"

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_NEG, OP_ABS, OP_CMP, OP_SGN, OP_FLOAT, OP_STR };

/* r = op(a, b); for cmp and sgn the integer goes to *iv; returns the error flag */
static int run_op(int op, dec *r, const dec *a, const dec *b, int *iv) {
    decctx c = {0};
    switch (op) {
    case OP_ADD: dec_add(&c, r, a, b); break;
    case OP_SUB: dec_sub(&c, r, a, b); break;
    case OP_MUL: dec_mul(&c, r, a, b); break;
    case OP_DIV: dec_div(&c, r, a, b); break;
    case OP_NEG: dec_neg(&c, r, a); break;
    case OP_ABS: dec_abs(&c, r, a); break;
    case OP_CMP: *iv = dec_cmp(a, b); break;
    case OP_SGN: *iv = dec_sgn(a); break;
    case OP_STR: *r = *a; break;
    default: c.err = 1;
    }
    return c.err;
}

/* one op on strings: returns err (2 when a or b is not read), out gets dec_to_str of the result, the
   integer of cmp/sgn, or "%.17g" of the double for float. alias: 0 separate result, 1 the result
   overwrites a, 2 it overwrites b, 3 a and b are one object (b is ignored) that the result overwrites */
RP_EXPORT int rp_dec_op_alias(int op, const char *a, const char *b, char *out, int outlen, int alias) {
    decctx c = {0};
    dec x, y, r, *pa = &x, *pb = &y, *pr = &r;
    int iv = 0, err;
    dec_parse(&c, &x, a, (int)strlen(a));
    dec_parse(&c, &y, b, (int)strlen(b));
    if (c.err) return 2;
    if (op == OP_FLOAT) {
        snprintf(out, (size_t)outlen, "%.17g", dec_to_double(&x));
        return 0;
    }
    if (alias == 1) pr = &x;
    if (alias == 2) pr = &y;
    if (alias == 3) pb = pr = &x;
    err = run_op(op, pr, pa, pb, &iv);
    if (op == OP_CMP || op == OP_SGN)
        snprintf(out, (size_t)outlen, "%d", iv);
    else if (dec_to_str(pr, out, outlen) < 0)
        return 3;
    return err;
}

RP_EXPORT int rp_dec_op(int op, const char *a, const char *b, char *out, int outlen) {
    return rp_dec_op_alias(op, a, b, out, outlen, 0);
}

/* float(Decimal(a)); NaN when a is not read */
RP_EXPORT double rp_dec_float(const char *a) {
    decctx c = {0};
    dec x;
    dec_parse(&c, &x, a, (int)strlen(a));
    return c.err ? strtod("nan", NULL) : dec_to_double(&x);
}

/* Many ops at once: as and bs hold count strings each separated by '\n'; results (separated by '\n')
   go to out. Each result is dec_to_str, the integer (cmp, sgn), "%.17g" (float), or "!" when err was
   raised (parse errors included). Returns the bytes written, or -1 when out is too short. For float
   the doubles also go to dout (when not NULL). */
RP_EXPORT long rp_dec_batch(int op, const char *as, const char *bs, int count, char *out, long outlen,
                            double *dout) {
    long p = 0;
    int k;
    for (k = 0; k < count; k++) {
        const char *ae = strchr(as, '\n'), *be = strchr(bs, '\n');
        int la = ae ? (int)(ae - as) : (int)strlen(as), lb = be ? (int)(be - bs) : (int)strlen(bs);
        decctx c = {0};
        dec x, y, r;
        int iv = 0, err, w;
        char tmp[DEC_MAXL * 9 + 32];
        dec_parse(&c, &x, as, la);
        dec_parse(&c, &y, bs, lb);
        as += la + (ae != NULL);
        bs += lb + (be != NULL);
        if (c.err) {
            w = snprintf(tmp, sizeof tmp, "!");
        } else if (op == OP_FLOAT) {
            double d = dec_to_double(&x);
            if (dout) dout[k] = d;
            w = snprintf(tmp, sizeof tmp, "%.17g", d);
        } else {
            err = run_op(op, &r, &x, &y, &iv);
            if (err)
                w = snprintf(tmp, sizeof tmp, "!");
            else if (op == OP_CMP || op == OP_SGN)
                w = snprintf(tmp, sizeof tmp, "%d", iv);
            else
                w = dec_to_str(&r, tmp, (int)sizeof tmp);
        }
        if (w < 0 || p + w + 1 > outlen) return -1;
        memcpy(out + p, tmp, (size_t)w);
        p += w;
        out[p++] = '\n';
    }
    return p;
}

/* the table entry of 10^(9 j) used by dec_to_double: m into *m, returns b (m * 2^b); 0 and *m = 0
   outside the table */
RP_EXPORT int rp_dec_pow_entry(int j, uint64_t *m) {
    if (j < DEC__PJ0 || j > DEC__PJ1) {
        *m = 0;
        return 0;
    }
    *m = dec__p10_9[j - DEC__PJ0].m;
    return dec__p10_9[j - DEC__PJ0].b;
}

/* Timing: parses count numbers from as and bs ('\n'-separated), then runs op over all pairs reps times
   and returns the CPU nanoseconds per op (clock()), or -1 on a parse error. *check gets a sum of
   result limbs so that the work cannot be optimized away. */
RP_EXPORT double rp_dec_bench(int op, const char *as, const char *bs, int count, long reps, double *check) {
    dec *x = (dec *)malloc(sizeof(dec) * (size_t)(count > 0 ? count : 1));
    dec *y = (dec *)malloc(sizeof(dec) * (size_t)(count > 0 ? count : 1));
    decctx c = {0};
    dec r;
    double sum = 0.0, ns;
    long rep;
    int k, bad = 0;
    clock_t t0, t1;
    uint32_t acc = 0;
    if (!x || !y) {
        free(x);
        free(y);
        return -1.0;
    }
    for (k = 0; k < count; k++) {
        const char *ae = strchr(as, '\n'), *be = strchr(bs, '\n');
        int la = ae ? (int)(ae - as) : (int)strlen(as), lb = be ? (int)(be - bs) : (int)strlen(bs);
        dec_parse(&c, &x[k], as, la);
        dec_parse(&c, &y[k], bs, lb);
        as += la + (ae != NULL);
        bs += lb + (be != NULL);
    }
    if (c.err) bad = 1;
    memset(&r, 0, sizeof r);
    t0 = clock();
    for (rep = 0; rep < reps && !bad; rep++) {
        switch (op) {
        case OP_ADD:
            for (k = 0; k < count; k++) {
                dec_add(&c, &r, &x[k], &y[k]);
                acc += r.l[0];
            }
            break;
        case OP_SUB:
            for (k = 0; k < count; k++) {
                dec_sub(&c, &r, &x[k], &y[k]);
                acc += r.l[0];
            }
            break;
        case OP_MUL:
            for (k = 0; k < count; k++) {
                dec_mul(&c, &r, &x[k], &y[k]);
                acc += r.l[0];
            }
            break;
        case OP_DIV:
            for (k = 0; k < count; k++) {
                dec_div(&c, &r, &x[k], &y[k]);
                acc += r.l[0];
            }
            break;
        case OP_NEG:
            for (k = 0; k < count; k++) {
                dec_neg(&c, &r, &x[k]);
                acc += r.l[0];
            }
            break;
        case OP_ABS:
            for (k = 0; k < count; k++) {
                dec_abs(&c, &r, &x[k]);
                acc += r.l[0];
            }
            break;
        case OP_CMP:
            for (k = 0; k < count; k++) acc += (uint32_t)dec_cmp(&x[k], &y[k]);
            break;
        case OP_SGN:
            for (k = 0; k < count; k++) acc += (uint32_t)dec_sgn(&x[k]);
            break;
        case OP_FLOAT:
            for (k = 0; k < count; k++) sum += dec_to_double(&x[k]);
            break;
        default: bad = 1;
        }
    }
    t1 = clock();
    free(x);
    free(y);
    if (bad) return -1.0;
    if (check) *check = sum + (double)acc + c.err;
    ns = (double)(t1 - t0) / CLOCKS_PER_SEC * 1e9;
    return reps > 0 && count > 0 ? ns / ((double)reps * count) : 0.0;
}
