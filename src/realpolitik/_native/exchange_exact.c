/* The exchange model's exact engine in C (arithmetic "exact"; wrapper: realpolitik.models.exchange_native).
 *
 * rp_exchange_exact: a second implementation of realpolitik.models.exchange_scalar run with 28-digit
 * decimals (run_exact): the same formulas with the same operations in the same order, each one done in
 * rp_dec.h's decimal arithmetic, whose every result equals Python's decimal module in the 28-digit
 * round-half-even context. Sums run left to right from an exact zero, the realisation loop sorts stably
 * by gain and refreshes the touched candidates in the same order, so every decision and every number is
 * the Python engine's. The outputs are mapped to the issues' own scales and turned into doubles here, by
 * the operations of exchange._denorm (float(Decimal) is correctly rounded, and so is dec_to_double).
 *
 * When an operation leaves what rp_dec.h does exactly as Python (division by zero, exponents far out of
 * range, numbers too long) the run returns -2 and the caller runs the Python engine, which gives the
 * results (or the error) the user would have had without the kernels.
 *
 * Tests: tests/models/test_exchange_exact_native.py. Internal 0..100 scale; arrays row-major [actor][issue].
 */
#include "rp_native.h"
#include "rp_dec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define H_NONE 0
#define H_POS 1
#define H_NEG 2
#define H_MIXED 3

typedef struct {
    int aI, aJ, p, q;
    const dec *sIp, *sIq, *sJp, *sJq, *cIq, *cJp; /* the inputs */
    const dec *dI, *dJ, *xbI, *xbJ;                /* round-start positions (fixed within the round) */
    dec r1, r2, csI, csJ;                          /* (s_Jp + s_Ip) / (s_Jq + s_Iq), (s_Iq + s_Jq) / (s_Ip + s_Jp),
                                                      c_Iq s_Iq, c_Jp s_Jp */
    dec uI, uJ, hsI, hsJ;
    int hcI, hcJ;
    dec mI, mJ, yI, yJ, G;
    dec pre[5]; /* (m_I, m_J, y_I, y_J, G) of the latest evaluation before the guards, when OK passed */
    int valid, alive, stamp;
    int rec;     /* first of this candidate's 2 * A record slots in the arena, or -1 */
    int nrow[2]; /* records set on issue p (row 0) and q (row 1) */
} XCand;

typedef struct {
    int A, D;
    int first_look; /* the guards' first look in float64 (options bit 1 switches it off) */
    decctx ctx;
    const dec *s, *c; /* [A][D] */
    const char *elig;
    dec zero, one, hundred, eps, ws, wf;
    dec *W;     /* [D] */
    int *order; /* [D][A] the issue's present actors in order */
    int *norder;
    int *place; /* [D][A] */
    /* the round */
    const dec *x; /* [A][D] */
    dec *O;       /* [D] */
    dec *tl;      /* [D][A] terms in order */
    dec *prefix;  /* [D][A+1] running sums */
    dec *terms;   /* [D][A] by actor */
    dec *lst;     /* [A] scratch */
    /* per-run caches (the Python engine's dicts): the same operations once */
    dec *ratio;       /* [D][D][A] s_p / s_q */
    char *ratio_set;  /* [D][D] */
    dec *kc;          /* [npairs][A][A][4] r1, r2, csI, csJ, or NULL (too large: computed per candidate) */
    char *kc_set;
    /* float64 approximations (x_approx) for the guards' first look: per run s, c [A][D] and W [D]; per
       round the terms in order [D][A], their running sums from the left and from the right [D][A+1],
       the sum of their magnitudes [D] and the outcome [D]; a scratch list [A] */
    double *sf, *cf, *Wf, *tlf, *prefixf, *suffixf, *Sf, *Of, *lstf;
    /* records: slots of 2 * A (value, set flag) per candidate that has any */
    dec *recv;
    char *recf;
    int nrecblk, caprecblk, maxrecblk; /* blocks in use, allocated, allowed (the caller's memory bound) */
} XEng;

#define S(k, d) (&g->s[(k) * g->D + (d)])
#define CC(k, d) (&g->c[(k) * g->D + (d)])
#define ADD(r, a, b) dec_add(&g->ctx, (r), (a), (b))
#define SUB(r, a, b) dec_sub(&g->ctx, (r), (a), (b))
#define MUL(r, a, b) dec_mul(&g->ctx, (r), (a), (b))
#define DIV(r, a, b) dec_div(&g->ctx, (r), (a), (b))
#define LT(a, b) (dec_cmp((a), (b)) < 0)
#define LE(a, b) (dec_cmp((a), (b)) <= 0)
#define GT(a, b) (dec_cmp((a), (b)) > 0)

/* 10^(9m) for m = -20..20, each literal correctly rounded */
static const double X_P9[41] = {
    1e-180, 1e-171, 1e-162, 1e-153, 1e-144, 1e-135, 1e-126, 1e-117, 1e-108, 1e-99, 1e-90, 1e-81, 1e-72, 1e-63,
    1e-54,  1e-45,  1e-36,  1e-27,  1e-18,  1e-9,   1e0,    1e9,    1e18,   1e27,   1e36,  1e45,  1e54,  1e63,
    1e72,   1e81,   1e90,   1e99,   1e108,  1e117,  1e126,  1e135,  1e144,  1e153,  1e162, 1e171, 1e180};

/* A double within a relative 7u (u = 2^-53) of a decimal's value: its top three limbs (what is dropped
 * is under 1e-18 of the value) with four roundings, times a correctly rounded power of ten (two more).
 * NaN outside 1e-180..1e180 (every test on it then fails, and the caller decides in decimal). Only the
 * guards' first look uses it; no number of the run comes from it. */
static double x_approx(const dec *a) {
    int n = a->n;
    if (n == 0) return 0.0;
    int k = n < 3 ? n : 3;
    double v = (double)a->l[n - 1];
    if (k >= 2) v = v * 1e9 + (double)a->l[n - 2];
    if (k >= 3) v = v * 1e9 + (double)a->l[n - 3];
    int m = a->e + n - k;
    if (m < -20 || m > 20) return NAN;
    v = v * X_P9[m + 20];
    return a->neg ? -v : v;
}

static int x_merge(int cls, const dec *m) {
    int sg = dec_sgn(m);
    int sign = sg > 0 ? H_POS : (sg < 0 ? H_NEG : H_MIXED);
    if (cls == H_NONE) return sign;
    return cls == sign ? cls : H_MIXED;
}

/* _Round._ok: eps < |m| <= 100, 0 <= y <= 100, (no history or Σ H + m <= 100), the sign class. */
static int x_ok(XEng *g, const dec *m, const dec *y, const dec *hs, int hc) {
    dec am, t;
    dec_abs(&g->ctx, &am, m);
    if (!(LT(&g->eps, &am) && LE(&am, &g->hundred))) return 0;
    if (!(LE(&g->zero, y) && LE(y, &g->hundred))) return 0;
    if (dec_sgn(hs) != 0) {
        ADD(&t, hs, m);
        if (!LE(&t, &g->hundred)) return 0;
    }
    if (dec_sgn(m) > 0) return hc == H_NONE || hc == H_POS;
    return hc == H_NONE || hc == H_NEG;
}

/* Σ of a list from an exact zero, left to right (reduce(add, lst, zero)). */
static void x_sum(XEng *g, dec *r, const dec *lst, int n) {
    dec t = g->zero;
    for (int i = 0; i < n; i++) ADD(&t, &t, &lst[i]);
    *r = t;
}

/* (v · s) · c */
static void x_term(XEng *g, dec *r, const dec *v, const dec *s, const dec *c) {
    dec t;
    MUL(&t, v, s);
    MUL(r, &t, c);
}

/* _Round._overshoot for one side: 1 when the guard fired (the moves and the gain changed).
 *
 * First look in float64: when the two residuals r0 and r1 are of one sign beyond a bound B on their
 * float64 error, the guard does not fire in decimal either, and nothing else of the decimal sums is
 * used (no state changes), so they are skipped. The bound: the inputs are within 7u of the decimals
 * (x_approx), each term (x s) c within 3 * 7u + 2u of its decimal, a sum of n terms in any order within
 * (n + 2) u of the sum S of their magnitudes, the quotient by W and the difference a few u more; the
 * decimals' own roundings (28 digits) are far below. So r is within (3n + 110) u (|t| + S / W) of the
 * decimal residual, and B = 1e-13 (n + 40) (|t| + S / W) is 300 times that or more. Residuals nearer
 * to zero (an outcome landing on the demander, decide's 28th digit deciding) go to decimal. */
static int x_overshoot(XEng *g, XCand *e, int side_i) {
    const int NA = g->A;
    int a, A;
    const dec *uA, *yA, *t;
    if (side_i) {
        a = e->q; A = e->aI; uA = &e->uI; yA = &e->yI; t = e->dJ;
    } else {
        a = e->p; A = e->aJ; uA = &e->uJ; yA = &e->yJ; t = e->dI;
    }
    const dec *Wa = &g->W[a];
    int row = (a == e->p) ? 0 : 1;
    int have = e->rec >= 0 && e->nrow[row] > 0;
    const dec *rv = have ? g->recv + (size_t)e->rec * 2 * NA + row * NA : NULL;
    const char *rf = have ? g->recf + (size_t)e->rec * 2 * NA + row * NA : NULL;
    const int *ord = g->order + a * NA;
    const int *pl = g->place + a * NA;
    const int n = g->norder[a];
    dec tot0, tot1, tmp;
    int tot0_none = 0;
    if (have && g->first_look) {
        /* the first look in float64 (see above), with the recorded positions in the list */
        const int D = g->D;
        double *lf = g->lstf;
        memcpy(lf, g->tlf + a * NA, (size_t)n * sizeof(double));
        for (int k = 0; k < NA; k++)
            if (rf[k] && k != A && pl[k] >= 0) lf[pl[k]] = (x_approx(&rv[k]) * g->sf[k * D + a]) * g->cf[k * D + a];
        const int jA = pl[A];
        const double sAf = g->sf[A * D + a], cAf = g->cf[A * D + a], Wf = g->Wf[a], tf = x_approx(t);
        double sum0 = 0.0, sum1 = 0.0, S = 0.0;
        lf[jA] = (x_approx(uA) * sAf) * cAf;
        for (int i = 0; i < n; i++) {
            sum0 += lf[i];
            S += fabs(lf[i]);
        }
        const double ty = (x_approx(yA) * sAf) * cAf;
        sum1 = sum0 - lf[jA] + ty; /* one more rounding of magnitude at most S + |ty| */
        S += fabs(ty);
        const double r0f = tf - sum0 / Wf, r1f = tf - sum1 / Wf;
        const double B = 1e-13 * (n + 40) * (fabs(tf) + S / Wf);
        if ((r0f > B && r1f > B) || (r0f < -B && r1f < -B)) return 0;
    }
    if (have) {
        dec *lst = g->lst;
        memcpy(lst, g->tl + a * NA, (size_t)n * sizeof(dec));
        for (int k = 0; k < NA; k++)
            if (rf[k] && k != A && pl[k] >= 0) x_term(g, &lst[pl[k]], &rv[k], S(k, a), CC(k, a));
        int jA = pl[A];
        x_term(g, &lst[jA], uA, S(A, a), CC(A, a));
        x_sum(g, &tot0, lst, n);
        x_term(g, &lst[jA], yA, S(A, a), CC(A, a));
        x_sum(g, &tot1, lst, n);
    } else {
        int j = pl[A];
        if (g->first_look) {
            /* the first look in float64 (see above), from the round's running sums */
            const int D = g->D;
            const double sAf = g->sf[A * D + a], cAf = g->cf[A * D + a], Wf = g->Wf[a];
            const double tf = x_approx(t);
            const double pre = g->prefixf[a * (NA + 1) + j], suf = g->suffixf[a * (NA + 1) + j + 1];
            const double ty = (x_approx(yA) * sAf) * cAf;
            const double r1f = tf - ((pre + ty) + suf) / Wf;
            double r0f, tu = 0.0;
            if (dec_cmp(uA, &g->x[A * D + a]) == 0) {
                r0f = tf - g->Of[a];
            } else {
                tu = (x_approx(uA) * sAf) * cAf;
                r0f = tf - ((pre + tu) + suf) / Wf;
            }
            const double B = 1e-13 * (n + 40) * (fabs(tf) + (g->Sf[a] + fabs(ty) + fabs(tu)) / Wf);
            if ((r0f > B && r1f > B) || (r0f < -B && r1f < -B)) return 0;
        }
        const dec *before = &g->prefix[a * (NA + 1) + j];
        const dec *tail = g->tl + a * NA + j + 1;
        int ntail = n - j - 1;
        const dec *sA = S(A, a), *cA = CC(A, a), *xA = &g->x[A * g->D + a];
        x_term(g, &tmp, yA, sA, cA);
        ADD(&tot1, before, &tmp);
        for (int i = 0; i < ntail; i++) ADD(&tot1, &tot1, &tail[i]);
        if (dec_cmp(uA, xA) == 0) {
            tot0_none = 1;
        } else {
            x_term(g, &tmp, uA, sA, cA);
            ADD(&tot0, before, &tmp);
            for (int i = 0; i < ntail; i++) ADD(&tot0, &tot0, &tail[i]);
        }
    }
    dec r0, r1;
    if (tot0_none) {
        SUB(&r0, t, &g->O[a]);
    } else {
        DIV(&tmp, &tot0, Wa);
        SUB(&r0, t, &tmp);
    }
    DIV(&tmp, &tot1, Wa);
    SUB(&r1, t, &tmp);
    int s0 = dec_sgn(&r0), s1 = dec_sgn(&r1);
    if (s0 == 0 || s1 == 0 || ((s0 > 0) == (s1 > 0))) return 0;
    /* the guard fires (rarely): the rest of the pair's numbers */
    const dec *sAa, *cAa, *sBa, *sBb, *ratio, *csA, *csB, *Wb, *uB, *dA;
    if (side_i) {
        sAa = e->sIq; cAa = e->cIq; sBa = e->sJq; sBb = e->sJp;
        ratio = &e->r2; csA = &e->csI; csB = &e->csJ;
        Wb = &g->W[e->p]; uB = &e->uJ; dA = e->dI;
    } else {
        sAa = e->sJp; cAa = e->cJp; sBa = e->sIp; sBb = e->sIq;
        ratio = &e->r1; csA = &e->csJ; csB = &e->csI;
        Wb = &g->W[e->q]; uB = &e->uI; dA = e->dJ;
    }
    dec T = g->zero;
    for (int i = 0; i < n; i++) {
        int k = ord[i];
        if (have && rf[k]) {
            x_term(g, &tmp, &rv[k], S(k, a), CC(k, a));
            ADD(&T, &T, &tmp);
        } else if (k != A) {
            ADD(&T, &T, &g->terms[a * NA + k]);
        } else {
            x_term(g, &tmp, uA, S(k, a), CC(k, a));
            ADD(&T, &T, &tmp);
        }
    }
    dec delta, da, db, muB, mA, mB;
    MUL(&tmp, t, Wa);
    SUB(&tmp, &tmp, &T);
    DIV(&tmp, &tmp, csA);
    dec_abs(&g->ctx, &delta, &tmp);
    MUL(&tmp, &delta, sAa);
    MUL(&tmp, &tmp, cAa);
    DIV(&da, &tmp, Wa);
    MUL(&db, ratio, &da);
    MUL(&tmp, &db, Wb);
    DIV(&tmp, &tmp, csB);
    dec_abs(&g->ctx, &muB, &tmp);
    if (GT(uA, t))
        dec_neg(&g->ctx, &mA, &delta);
    else
        mA = delta;
    if (GT(uB, dA))
        dec_neg(&g->ctx, &mB, &muB);
    else
        mB = muB;
    if (side_i) {
        e->mI = mA; e->mJ = mB;
    } else {
        e->mJ = mA; e->mI = mB;
    }
    ADD(&e->yI, &e->uI, &e->mI);
    ADD(&e->yJ, &e->uJ, &e->mJ);
    dec g1, g2;
    MUL(&g1, &db, sBb);
    MUL(&g2, &da, sBa);
    SUB(&tmp, &g1, &g2);
    dec_abs(&g->ctx, &e->G, &tmp);
    return 1;
}

/* _Round._guard: both overshoot guards (I first, then J on I's result) and OK again if one fired. */
static void x_guard(XEng *g, XCand *e) {
    int fired = x_overshoot(g, e, 1);
    int fired_j = x_overshoot(g, e, 0);
    if (fired_j || fired)
        e->valid = x_ok(g, &e->mI, &e->yI, &e->hsI, e->hcI) && x_ok(g, &e->mJ, &e->yJ, &e->hsJ, e->hcJ);
    else
        e->valid = 1;
}

/* _Round.evaluate */
static void x_evaluate(XEng *g, XCand *e) {
    const dec *P = &g->W[e->p], *Q = &g->W[e->q];
    dec Dp, Dq, dp, dq, muI, muJ, tmp;
    SUB(&tmp, e->dI, &e->uJ);
    dec_abs(&g->ctx, &Dp, &tmp);
    SUB(&tmp, e->dJ, &e->uI);
    dec_abs(&g->ctx, &Dq, &tmp);
    MUL(&tmp, &Dp, e->sJp);
    MUL(&tmp, &tmp, e->cJp);
    DIV(&dp, &tmp, P);
    MUL(&dq, &e->r1, &dp);
    MUL(&tmp, &dq, Q);
    DIV(&muI, &tmp, &e->csI);
    muJ = Dp;
    if (GT(&muI, &Dq)) {
        MUL(&tmp, &Dq, e->sIq);
        MUL(&tmp, &tmp, e->cIq);
        DIV(&dq, &tmp, Q);
        MUL(&dp, &e->r2, &dq);
        muI = Dq;
        MUL(&tmp, &dp, P);
        DIV(&muJ, &tmp, &e->csJ);
    }
    if (GT(&e->uI, e->dJ))
        dec_neg(&g->ctx, &e->mI, &muI);
    else
        e->mI = muI;
    if (GT(&e->uJ, e->dI))
        dec_neg(&g->ctx, &e->mJ, &muJ);
    else
        e->mJ = muJ;
    ADD(&e->yI, &e->uI, &e->mI);
    ADD(&e->yJ, &e->uJ, &e->mJ);
    dec g1, g2;
    MUL(&g1, &dq, e->sIq);
    MUL(&g2, &dp, e->sIp);
    SUB(&tmp, &g1, &g2);
    dec_abs(&g->ctx, &e->G, &tmp);
    int valid = x_ok(g, &e->mI, &e->yI, &e->hsI, e->hcI) && x_ok(g, &e->mJ, &e->yJ, &e->hsJ, e->hcJ) &&
                !LT(&e->G, &g->eps);
    if (!valid) {
        e->valid = 0;
        return;
    }
    e->pre[0] = e->mI; e->pre[1] = e->mJ; e->pre[2] = e->yI; e->pre[3] = e->yJ; e->pre[4] = e->G;
    x_guard(g, e);
}

/* _Round._record: the first record of (issue, actor), else the one further from the round-start
 * position on the side of xbar. Returns -1 when no memory for records. */
static int x_record(XEng *g, XCand *e, int issue, int actor, const dec *y, const dec *xbar) {
    const int NA = g->A;
    if (e->rec < 0) {
        if (g->nrecblk == g->caprecblk) {
            int cap = g->caprecblk ? 2 * g->caprecblk : 64;
            if (cap > g->maxrecblk) cap = g->maxrecblk;
            if (cap <= g->nrecblk) return -1; /* beyond the memory bound: the caller runs Python */
            dec *nv = realloc(g->recv, (size_t)cap * 2 * NA * sizeof(dec));
            if (!nv) return -1;
            g->recv = nv;
            char *nf = realloc(g->recf, (size_t)cap * 2 * NA);
            if (!nf) return -1;
            g->recf = nf;
            g->caprecblk = cap;
        }
        e->rec = g->nrecblk++;
        memset(g->recf + (size_t)e->rec * 2 * NA, 0, (size_t)2 * NA);
    }
    int row = issue == e->p ? 0 : 1;
    dec *v = g->recv + (size_t)e->rec * 2 * NA + row * NA + actor;
    char *f = g->recf + (size_t)e->rec * 2 * NA + row * NA + actor;
    if (!*f) {
        *f = 1;
        e->nrow[row]++;
        *v = *y;
    } else if (LE(xbar, v)) {
        if (!LT(v, y)) *v = *y; /* old if old < y else y */
    } else {
        if (!GT(v, y)) *v = *y; /* old if old > y else y */
    }
    return 0;
}

/* _Round.refresh: e shares an actor and an issue with the realised r. Returns -1 when out of memory. */
static int x_refresh(XEng *g, XCand *e, const XCand *r) {
    int carried = 0;
    if (e->aI == r->aI && e->q == r->q) {
        e->uI = r->yI; carried = 1;
    } else if (e->aI == r->aJ && e->q == r->p) {
        e->uI = r->yJ; carried = 1;
    } else if (e->aJ == r->aI && e->p == r->q) {
        e->uJ = r->yI; carried = 2;
    } else if (e->aJ == r->aJ && e->p == r->p) {
        e->uJ = r->yJ; carried = 2;
    }
    int touched = 0;
    if ((e->aI == r->aJ && e->p == r->q) || (e->aJ == r->aJ && e->q == r->q)) {
        if (x_record(g, e, r->q, r->aI, &r->yI, r->xbI)) return -1;
        touched = 1;
    }
    if ((e->aI == r->aI && e->p == r->p) || (e->aJ == r->aI && e->q == r->p)) {
        if (x_record(g, e, r->p, r->aJ, &r->yJ, r->xbJ)) return -1;
        touched = 1;
    }
    if (carried) {
        if (carried == 1) {
            ADD(&e->hsI, &e->hsI, &e->mI);
            e->hcI = x_merge(e->hcI, &e->mI);
        } else {
            ADD(&e->hsJ, &e->hsJ, &e->mJ);
            e->hcJ = x_merge(e->hcJ, &e->mJ);
        }
        x_evaluate(g, e);
    } else if (touched) {
        e->mI = e->pre[0]; e->mJ = e->pre[1]; e->yI = e->pre[2]; e->yJ = e->pre[3]; e->G = e->pre[4];
        x_guard(g, e);
    }
    return 0;
}

/* The round's sums: terms (x s) c in actor order, running sums from an exact zero, outcome O. */
static void x_round_sums(XEng *g) {
    const int NA = g->A, D = g->D;
    for (int d = 0; d < D; d++) {
        dec tot = g->zero;
        int n = g->norder[d];
        g->prefix[d * (NA + 1)] = g->zero;
        for (int i = 0; i < n; i++) {
            int k = g->order[d * NA + i];
            dec t;
            x_term(g, &t, &g->x[k * D + d], S(k, d), CC(k, d));
            g->tl[d * NA + i] = t;
            g->terms[d * NA + k] = t;
            ADD(&tot, &tot, &t);
            g->prefix[d * (NA + 1) + i + 1] = tot;
        }
        if (dec_sgn(&g->W[d]) != 0)
            DIV(&g->O[d], &tot, &g->W[d]);
        else
            g->O[d] = g->zero;
        /* the float64 approximations of the round for the guards' first look */
        double *tlf = g->tlf + d * NA, *pf = g->prefixf + d * (NA + 1), *sf = g->suffixf + d * (NA + 1);
        double S = 0.0;
        pf[0] = 0.0;
        for (int i = 0; i < n; i++) {
            int k = g->order[d * NA + i];
            tlf[i] = (x_approx(&g->x[k * D + d]) * g->sf[k * D + d]) * g->cf[k * D + d];
            pf[i + 1] = pf[i] + tlf[i];
            S += fabs(tlf[i]);
        }
        sf[n] = 0.0;
        for (int i = n - 1; i >= 0; i--) sf[i] = sf[i + 1] + tlf[i];
        g->Sf[d] = S;
        g->Of[d] = x_approx(&g->O[d]);
    }
}

/* RunData.outcome */
static void x_outcome(XEng *g, const dec *x, dec *out) {
    const int NA = g->A, D = g->D;
    for (int d = 0; d < D; d++) {
        dec tot = g->zero, t;
        for (int i = 0; i < g->norder[d]; i++) {
            int k = g->order[d * NA + i];
            x_term(g, &t, &x[k * D + d], S(k, d), CC(k, d));
            ADD(&tot, &tot, &t);
        }
        if (dec_sgn(&g->W[d]) != 0)
            DIV(&out[d], &tot, &g->W[d]);
        else
            out[d] = g->zero;
    }
}

/* Stable sort of idx[0:n] by gain, descending (insertion sort: the list is nearly sorted). */
static void x_sort_by_gain(const XCand *cs, int *idx, int n) {
    for (int i = 1; i < n; i++) {
        int v = idx[i];
        const dec *gv = &cs[v].G;
        int j = i - 1;
        while (j >= 0 && dec_cmp(&cs[idx[j]].G, gv) < 0) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = v;
    }
}

typedef struct {
    int maxc;
    char *left;
    int *grp;
    XCand *cs;
    int *live;
    int *sup_start, *dem_start, *sup_fill, *dem_fill, *sup_list, *dem_list;
    char *supplied;
} XWork;

static void x_free(XEng *g, XWork *w) {
    free(g->W); free(g->order); free(g->norder); free(g->place); free(g->O); free(g->tl); free(g->prefix);
    free(g->terms); free(g->lst); free(g->ratio); free(g->ratio_set); free(g->kc); free(g->kc_set);
    free(g->recv); free(g->recf);
    free(g->sf); free(g->cf); free(g->Wf); free(g->tlf); free(g->prefixf); free(g->suffixf);
    free(g->Sf); free(g->Of); free(g->lstf);
    free(w->left); free(w->grp); free(w->cs); free(w->live); free(w->sup_start); free(w->dem_start);
    free(w->sup_fill); free(w->dem_fill); free(w->sup_list); free(w->dem_list); free(w->supplied);
}

#define KC_MAX_BYTES ((size_t)64 << 20)

static int x_init(XEng *g, XWork *w, int NA, int D, const dec *s, const dec *c, const char *present,
                  const char *elig, int cache) {
    const int AD = NA * D;
    const int npairs = D * (D - 1) / 2;
    const int maxc = w->maxc = npairs * (NA * NA / 4 + 1) + 1;
    g->A = NA; g->D = D; g->s = s; g->c = c; g->elig = elig;
    g->W = calloc((size_t)D + 1, sizeof(dec));
    g->order = calloc((size_t)AD + 1, sizeof(int));
    g->norder = calloc((size_t)D + 1, sizeof(int));
    g->place = calloc((size_t)AD + 1, sizeof(int));
    g->O = calloc((size_t)D + 1, sizeof(dec));
    g->tl = calloc((size_t)AD + 1, sizeof(dec));
    g->prefix = calloc((size_t)D * (NA + 1) + 1, sizeof(dec));
    g->terms = calloc((size_t)AD + 1, sizeof(dec));
    g->lst = calloc((size_t)NA + 1, sizeof(dec));
    g->ratio = calloc((size_t)D * D * NA + 1, sizeof(dec));
    g->ratio_set = calloc((size_t)D * D + 1, 1);
    size_t kcn = (size_t)npairs * NA * NA;
    if (cache && kcn * 4 * sizeof(dec) <= KC_MAX_BYTES) {
        g->kc = calloc(kcn * 4 + 1, sizeof(dec));
        g->kc_set = calloc(kcn + 1, 1);
        if (!g->kc || !g->kc_set) return -1;
    }
    g->sf = calloc((size_t)AD + 1, sizeof(double));
    g->cf = calloc((size_t)AD + 1, sizeof(double));
    g->Wf = calloc((size_t)D + 1, sizeof(double));
    g->tlf = calloc((size_t)AD + 1, sizeof(double));
    g->prefixf = calloc((size_t)D * (NA + 1) + 1, sizeof(double));
    g->suffixf = calloc((size_t)D * (NA + 1) + 1, sizeof(double));
    g->Sf = calloc((size_t)D + 1, sizeof(double));
    g->Of = calloc((size_t)D + 1, sizeof(double));
    g->lstf = calloc((size_t)NA + 1, sizeof(double));
    if (!g->sf || !g->cf || !g->Wf || !g->tlf || !g->prefixf || !g->suffixf || !g->Sf || !g->Of ||
        !g->lstf)
        return -1;
    w->left = calloc((size_t)AD + 1, 1);
    w->grp = calloc((size_t)4 * NA + 4, sizeof(int));
    w->cs = calloc((size_t)maxc, sizeof(XCand));
    w->live = calloc((size_t)maxc, sizeof(int));
    w->sup_start = calloc((size_t)AD + 2, sizeof(int));
    w->dem_start = calloc((size_t)AD + 2, sizeof(int));
    w->sup_fill = calloc((size_t)AD + 1, sizeof(int));
    w->dem_fill = calloc((size_t)AD + 1, sizeof(int));
    w->sup_list = calloc((size_t)2 * maxc, sizeof(int));
    w->dem_list = calloc((size_t)2 * maxc, sizeof(int));
    w->supplied = calloc((size_t)AD + 1, 1);
    if (!g->W || !g->order || !g->norder || !g->place || !g->O || !g->tl || !g->prefix || !g->terms || !g->lst ||
        !g->ratio || !g->ratio_set || !w->left || !w->grp || !w->cs || !w->live || !w->sup_start ||
        !w->dem_start || !w->sup_fill || !w->dem_fill || !w->sup_list || !w->dem_list || !w->supplied)
        return -1;
    for (int d = 0; d < D; d++) {
        int n = 0;
        dec wd = g->zero, t;
        for (int k = 0; k < NA; k++) {
            g->place[d * NA + k] = -1;
            if (present[k * D + d]) {
                g->place[d * NA + k] = n;
                g->order[d * NA + n++] = k;
                MUL(&t, S(k, d), CC(k, d));
                ADD(&wd, &wd, &t);
            }
        }
        g->norder[d] = n;
        g->W[d] = wd;
        g->Wf[d] = x_approx(&wd);
    }
    for (int i = 0; i < AD; i++) {
        g->sf[i] = x_approx(&s[i]);
        g->cf[i] = x_approx(&c[i]);
    }
    return 0;
}

/* The constants of a pair (I, J, p, q): _Round._consts / set_constants, once per run when cached. */
static void x_consts(XEng *g, XCand *e, int pair) {
    dec *k = NULL;
    if (g->kc) {
        size_t at = ((size_t)pair * g->A + e->aI) * g->A + e->aJ;
        k = g->kc + at * 4;
        if (g->kc_set[at]) {
            e->r1 = k[0]; e->r2 = k[1]; e->csI = k[2]; e->csJ = k[3];
            return;
        }
        g->kc_set[at] = 1;
    }
    dec t1, t2;
    ADD(&t1, e->sJp, e->sIp);
    ADD(&t2, e->sJq, e->sIq);
    DIV(&e->r1, &t1, &t2);
    ADD(&t1, e->sIq, e->sJq);
    ADD(&t2, e->sIp, e->sJp);
    DIV(&e->r2, &t1, &t2);
    MUL(&e->csI, e->cIq, e->sIq);
    MUL(&e->csJ, e->cJp, e->sJp);
    if (k) {
        k[0] = e->r1; k[1] = e->r2; k[2] = e->csI; k[3] = e->csJ;
    }
}

/* One round from g->x: creates and evaluates the candidates, realises them greedily by gain. v: the
 * voting positions (a copy of x on entry). Returns the number realised, -1 (no memory). */
static int x_play_round(XEng *g, XWork *w, int *real, int cap, int *nx, dec *v) {
    const int NA = g->A, D = g->D, AD = NA * D;
    const dec *xs = g->x;
    const char *elig = g->elig;
    XCand *cs = w->cs;
    int *live = w->live;
    x_round_sums(g);
    for (int k = 0; k < NA; k++)
        for (int d = 0; d < D; d++) w->left[k * D + d] = LE(&xs[k * D + d], &g->O[d]); /* x <= O + 0 */
    g->nrecblk = 0;
    int nc = 0;
    int pair = 0;
    for (int p = 0; p < D; p++) {
        for (int q = p + 1; q < D; q++, pair++) {
            int *ga = w->grp, *gb = w->grp + NA, *gc = w->grp + 2 * NA, *gd = w->grp + 3 * NA;
            int na = 0, nb = 0, ncc = 0, nd = 0;
            dec *ratio = g->ratio + (size_t)(p * D + q) * NA;
            int fill = !g->ratio_set[p * D + q];
            g->ratio_set[p * D + q] = 1;
            for (int k = 0; k < NA; k++) {
                if (!(elig[k * D + p] && elig[k * D + q])) continue;
                if (fill) DIV(&ratio[k], S(k, p), S(k, q));
                int lp = w->left[k * D + p], lq = w->left[k * D + q];
                if (lp && lq)
                    gd[nd++] = k;
                else if (lp)
                    gb[nb++] = k;
                else if (lq)
                    gc[ncc++] = k;
                else
                    ga[na++] = k;
            }
            for (int pass = 0; pass < 2; pass++) {
                int *g1 = pass ? gb : ga, *g2 = pass ? gc : gd;
                int n1 = pass ? nb : na, n2 = pass ? ncc : nd;
                for (int ii = 0; ii < n1; ii++) {
                    int i = g1[ii];
                    for (int jj = 0; jj < n2; jj++) {
                        int j = g2[jj];
                        int ai = i, aj = j;
                        if (LT(&ratio[i], &ratio[j])) { /* s_ip / s_iq < s_jp / s_jq: j is I (ties: i) */
                            ai = j; aj = i;
                        }
                        XCand *e = &cs[nc];
                        e->aI = ai; e->aJ = aj; e->p = p; e->q = q;
                        e->sIp = S(ai, p); e->sIq = S(ai, q); e->sJp = S(aj, p); e->sJq = S(aj, q);
                        e->cIq = CC(ai, q); e->cJp = CC(aj, p);
                        x_consts(g, e, pair);
                        e->xbI = &xs[ai * D + q];
                        e->xbJ = &xs[aj * D + p];
                        e->uI = *e->xbI;
                        e->uJ = *e->xbJ;
                        e->dI = &xs[ai * D + p];
                        e->dJ = &xs[aj * D + q];
                        e->hsI = e->hsJ = g->zero;
                        e->hcI = e->hcJ = H_NONE;
                        e->rec = -1;
                        e->nrow[0] = e->nrow[1] = 0;
                        e->alive = 0;
                        e->stamp = -1;
                        x_evaluate(g, e);
                        nc++;
                    }
                }
            }
        }
    }
    /* indexes by (supplier, issue supplied) and (demander, issue demanded), in creation order */
    int *sup_start = w->sup_start, *dem_start = w->dem_start, *sup_list = w->sup_list, *dem_list = w->dem_list;
    memset(sup_start, 0, (size_t)(AD + 2) * sizeof(int));
    memset(dem_start, 0, (size_t)(AD + 2) * sizeof(int));
    for (int i = 0; i < nc; i++) {
        XCand *e = &cs[i];
        sup_start[e->aI * D + e->q + 1]++;
        sup_start[e->aJ * D + e->p + 1]++;
        dem_start[e->aI * D + e->p + 1]++;
        dem_start[e->aJ * D + e->q + 1]++;
    }
    for (int k = 0; k < AD; k++) {
        sup_start[k + 1] += sup_start[k];
        dem_start[k + 1] += dem_start[k];
        w->sup_fill[k] = sup_start[k];
        w->dem_fill[k] = dem_start[k];
    }
    for (int i = 0; i < nc; i++) {
        XCand *e = &cs[i];
        sup_list[w->sup_fill[e->aI * D + e->q]++] = i;
        sup_list[w->sup_fill[e->aJ * D + e->p]++] = i;
        dem_list[w->dem_fill[e->aI * D + e->p]++] = i;
        dem_list[w->dem_fill[e->aJ * D + e->q]++] = i;
    }
    int nl = 0;
    for (int i = 0; i < nc; i++)
        if (cs[i].valid) {
            live[nl++] = i;
            cs[i].alive = 1;
        }
    int step = 0;
    int nreal = 0;
    memset(w->supplied, 0, (size_t)AD);
    while (nl > 0) {
        x_sort_by_gain(cs, live, nl);
        int ri = live[0];
        XCand *r = &cs[ri];
        memmove(live, live + 1, (size_t)(nl - 1) * sizeof(int));
        nl--;
        r->alive = 0;
        if (*nx < cap) real[*nx] = ri;
        (*nx)++;
        nreal++;
        v[r->aI * D + r->q] = r->yI;
        v[r->aJ * D + r->p] = r->yJ;
        w->supplied[r->aI * D + r->q] = 1;
        w->supplied[r->aJ * D + r->p] = 1;
        step++;
        int changed = 0;
        int keys[4] = {r->aI * D + r->q, r->aJ * D + r->p, r->aJ * D + r->q, r->aI * D + r->p};
        for (int k4 = 0; k4 < 4; k4++) {
            const int *st = k4 < 2 ? sup_start : dem_start;
            const int *ls = k4 < 2 ? sup_list : dem_list;
            for (int t = st[keys[k4]]; t < st[keys[k4] + 1]; t++) {
                XCand *e = &cs[ls[t]];
                if (e->alive && e->stamp != step) {
                    e->stamp = step;
                    if (x_refresh(g, e, r)) return -1;
                    if (!e->valid) {
                        e->alive = 0;
                        changed = 1;
                    }
                }
            }
        }
        if (changed) {
            int m = 0;
            for (int i = 0; i < nl; i++)
                if (cs[live[i]].alive) live[m++] = live[i];
            nl = m;
        }
    }
    return nreal;
}

/* Parse the next number of a space-separated list. */
static const char *x_next(decctx *ctx, dec *r, const char *at) {
    while (*at == ' ') at++;
    const char *end = at;
    while (*end && *end != ' ') end++;
    dec_parse(ctx, r, at, (int)(end - at));
    return end;
}

/* exchange._denorm: the issue's own scale, as a double. kind 0: float(lo) (k = 0); 1: float(v)
 * (k = 1 and lo = 0); 2: float(v / k + lo). */
static double x_den(XEng *g, const dec *v, int kind, const dec *lo, const dec *k) {
    if (kind == 0) return dec_to_double(lo);
    if (kind == 1) return dec_to_double(v);
    dec t;
    DIV(&t, v, k);
    ADD(&t, &t, lo);
    return dec_to_double(&t);
}

/* The whole exact run.
 * ints: [A, D, rounds, exch_capacity, options, record_blocks]; options (tests): bit 0 no per-run cache
 *   of the pairs' constants, bit 1 no float64 first look in the guards (the same results, more decimal
 *   work); record_blocks: the most candidates of a round that may hold records (2 A slots each, allocated
 *   as needed; more returns -1)
 * text: space-separated numbers as Python's Decimal() reads them: positions [A][D], saliences [A][D],
 *   powers [A][D] (each the repr of the input float; "0" where absent), each issue's lower bounds [D]
 *   and upper bounds [D], then eps, w_sal, w_fix (str of the exact decimal of the double).
 * present, elig: [A][D] bytes.
 * Outputs on the issues' own scales (exchange._denorm): hist [(R+1)][A][D], vote [R][A][D],
 * out [(R+1)][D], vout [R][D], nex [R] (int32), exch [capacity][9] (actor_i, actor_j, p, q, start_i,
 * voting_i, start_j, voting_j, gain on the internal scale).
 * Returns 0, -1 (out of memory), -2 (an operation outside what rp_dec.h does exactly: run the Python
 * engine) or -(2 + needed capacity) when exch is too small (needed > capacity >= 1). */
RP_EXPORT int rp_exchange_exact(const int32_t *ints, const char *text, const char *present, const char *elig,
                                double *hist, double *vote, double *out, double *vout, int32_t *nex,
                                double *exch) {
    const int NA = ints[0], D = ints[1], R = ints[2], cap = ints[3], opts = ints[4];
    const int AD = NA * D;
    XEng eng;
    XWork work;
    XEng *g = &eng;
    XWork *w = &work;
    memset(g, 0, sizeof(*g));
    memset(w, 0, sizeof(*w));
    g->maxrecblk = ints[5];
    int rc = -1;
    dec *in = calloc((size_t)5 * AD + 4 * D + 8, sizeof(dec));
    int *real = calloc((size_t)(cap > 0 ? cap : 1), sizeof(int));
    double *xden = calloc((size_t)AD + 1, sizeof(double));
    int *kind = calloc((size_t)D + 1, sizeof(int));
    if (!in || !real || !xden || !kind) goto finish;
    dec *pos = in, *s = in + AD, *c = in + 2 * AD, *x = in + 3 * AD, *vv = in + 4 * AD;
    dec *lo = in + 5 * AD, *hi = lo + D, *k = hi + D, *newx = k + D;
    dec_zero(&g->zero);
    const char *at = text;
    for (int i = 0; i < 3 * AD; i++) at = x_next(&g->ctx, &in[i], at);
    for (int j = 0; j < 2 * D; j++) at = x_next(&g->ctx, &lo[j], at);
    at = x_next(&g->ctx, &g->eps, at);
    at = x_next(&g->ctx, &g->ws, at);
    at = x_next(&g->ctx, &g->wf, at);
    dec_parse(&g->ctx, &g->one, "1", 1);
    dec_parse(&g->ctx, &g->hundred, "100", 3);
    if (g->ctx.err) {
        rc = -2;
        goto finish;
    }
    /* k = 100 / (hi - lo) (0 where hi = lo); x = (position - lo) k where present, else 0 */
    for (int j = 0; j < D; j++) {
        if (dec_cmp(&hi[j], &lo[j]) != 0) {
            dec t;
            SUB(&t, &hi[j], &lo[j]);
            DIV(&k[j], &g->hundred, &t);
        } else {
            k[j] = g->zero;
        }
        if (dec_sgn(&k[j]) == 0)
            kind[j] = 0;
        else if (dec_cmp(&k[j], &g->one) == 0 && dec_sgn(&lo[j]) == 0)
            kind[j] = 1;
        else
            kind[j] = 2;
    }
    for (int i = 0; i < NA; i++)
        for (int j = 0; j < D; j++) {
            if (present[i * D + j]) {
                dec t;
                SUB(&t, &pos[i * D + j], &lo[j]);
                MUL(&x[i * D + j], &t, &k[j]);
            } else {
                x[i * D + j] = g->zero;
            }
        }
    if (x_init(g, w, NA, D, s, c, present, elig, !(opts & 1))) goto finish;
    g->first_look = !(opts & 2);
    for (int i = 0; i < AD; i++) {
        xden[i] = present[i] ? x_den(g, &x[i], kind[i % D], &lo[i % D], &k[i % D]) : 0.0;
        hist[i] = xden[i];
    }
    int nx = 0;
    /* the realised candidates of a round are copied out before the next round reuses the buffer */
    for (int rnd = 0; rnd < R; rnd++) {
        if (g->ctx.err) break;
        g->x = x;
        memcpy(vv, x, (size_t)AD * sizeof(dec));
        int first = nx;
        int n = x_play_round(g, w, real, cap, &nx, vv);
        if (n < 0) goto finish;
        nex[rnd] = n;
        double *vrow = vote + (size_t)rnd * AD;
        memcpy(vrow, xden, (size_t)AD * sizeof(double));
        /* (beyond the buffer the run only counts: it is made again with room, as Python asks) */
        for (int t = first; t < nx && t < cap; t++) {
            const XCand *r = &w->cs[real[t]];
            double *row = exch + (size_t)t * 9;
            int iq = r->q, ip = r->p;
            row[0] = r->aI; row[1] = r->aJ; row[2] = ip; row[3] = iq;
            row[4] = xden[r->aI * D + iq];
            row[5] = x_den(g, &r->yI, kind[iq], &lo[iq], &k[iq]);
            row[6] = xden[r->aJ * D + ip];
            row[7] = x_den(g, &r->yJ, kind[ip], &lo[ip], &k[ip]);
            row[8] = dec_to_double(&r->G);
            vrow[r->aI * D + iq] = row[5];
            vrow[r->aJ * D + ip] = row[7];
        }
        for (int d = 0; d < D; d++) out[(size_t)rnd * D + d] = x_den(g, &g->O[d], kind[d], &lo[d], &k[d]);
        x_outcome(g, vv, newx); /* voting outcome (newx as scratch: D values) */
        for (int d = 0; d < D; d++) vout[(size_t)rnd * D + d] = x_den(g, &newx[d], kind[d], &lo[d], &k[d]);
        /* end-of-round update of the supplied positions */
        for (int i = 0; i < AD; i++) {
            if (!w->supplied[i]) continue;
            const dec *sal = &s[i], *xb = &x[i], *y = &vv[i];
            dec a1, t1, t2, t3;
            SUB(&t1, &g->one, sal);
            MUL(&a1, &t1, &g->ws);
            MUL(&t1, &a1, y);
            MUL(&t2, &g->wf, y);
            ADD(&t1, &t1, &t2); /* (a1 y) + wf y */
            SUB(&t2, &g->one, &a1);
            SUB(&t2, &t2, &g->wf);
            MUL(&t3, &t2, xb);
            ADD(&x[i], &t1, &t3);
            xden[i] = x_den(g, &x[i], kind[i % D], &lo[i % D], &k[i % D]);
        }
        memcpy(hist + (size_t)(rnd + 1) * AD, xden, (size_t)AD * sizeof(double));
    }
    if (!g->ctx.err) {
        g->x = x;
        x_outcome(g, x, newx);
        for (int d = 0; d < D; d++) out[(size_t)R * D + d] = x_den(g, &newx[d], kind[d], &lo[d], &k[d]);
    }
    if (g->ctx.err)
        rc = -2;
    else if (nx > cap)
        rc = -(2 + nx);
    else
        rc = 0;
finish:
    x_free(g, w);
    free(in);
    free(real);
    free(xden);
    free(kind);
    return rc;
}
