/* The exchange model's kernels (Equal Gain; wrapper: realpolitik.models.exchange_native).
 *
 * rp_exchange_float: the scalar float64 engine (arithmetic="float", engine scalar), a second
 * implementation of realpolitik.models.exchange_scalar run with Python floats (float_arith). Every
 * formula is evaluated with the same operations in the same order as the Python engine (IEEE doubles,
 * no FMA contraction, no fast-math), every sum runs left to right from 0.0, the realisation loop sorts
 * stably by gain and refreshes the touched candidates in the same order, so the results are
 * bit-identical to the Python engine's.
 *
 * rp_exchange_certified_round: one round of the fast mode. The same round in float64 from copies of
 * the exact run's decimal positions, with every decision taken only beyond a bound on its float64
 * error (``certify``); the others are settled in decimal by a callback into Python, which holds the
 * decimal state. The realised exchanges are then evaluated in decimal by the caller, so the run is the
 * exact mode's (docs/models/exchange.md).
 *
 * Tests: tests/models/test_exchange_native.py. Internal 0..100 scale; arrays row-major [actor][issue].
 */
#include "rp_native.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define H_NONE 0
#define H_POS 1
#define H_NEG 2
#define H_MIXED 3

typedef struct {
    int aI, aJ, p, q;
    double sIp, sIq, sJp, sJq, cIq, cJp, r1, r2, csI, csJ;
    double uI, uJ, dI, dJ, xbI, xbJ;
    double hsI, hsJ;
    int hcI, hcJ;
    double mI, mJ, yI, yJ, G;
    double pre[5];
    double Gerr, preGerr; /* certified rounds: a bound on the float64 error of G */
    double mrel;          /* certified rounds: relative error bound of the moves after the guard fired */
    int dec;              /* certified rounds: 1 the latest evaluation is the decimal one, 2 its gain is (G
                             rounded from the decimal one), 0 neither */
    int br;               /* certified rounds: EVALUATE's branch, surely taken (1: J moves all the way, 2: I) */
    int gk;               /* ... and no overshoot guard fired (the decimal numbers are that branch's formulas) */
    int gcls;             /* ... and the class of its decimal gain (equal gains, equal classes) */
    double G2;            /* ... and the decimal gain minus its float64 rounding, rounded (orders gains
                             that round to the same float64) */
    int recbad;           /* certified rounds: a record was too close to call in float64 */
    int valid, alive, stamp, nrec;
    double *recv; /* [2][A]: records on issue p (row 0) and q (row 1), by actor */
    char *recf;   /* whether each record is set */
} Cand;

typedef struct {
    int A, D;
    const double *s, *c; /* [A][D] */
    const char *present, *elig;
    double eps, tol, ztol, lo, hi;
    double *W;      /* [D] */
    int *order;     /* [D][A]: the issue's actors in order */
    int *norder;    /* [D] */
    int *place;     /* [D][A]: place of an actor in the issue's order, or -1 */
    /* the round */
    const double *x; /* [A][D] round-start positions */
    double *O;       /* [D] */
    double *tl;      /* [D][A]: terms in order */
    double *prefix;  /* [D][A+1] */
    double *terms;   /* [D][A]: term by actor */
    double *lst;     /* [A] scratch */
    /* certified rounds (the fast mode's oracle): every decision taken with a margin */
    int certify;
    int near;         /* the first decision too close to call (0: none) */
    const char *role; /* [D][D][A][A]: j is I for the pair (i, j) on (p, q) (decimal ratios), or NULL */
    int (*cb)(void);  /* the decimal settlement (Python): reads info/io, writes io */
    int32_t *info;
    double *io;
    int *nxp; /* exchanges realised so far in the round */
} Eng;

#define TOL 1e-9 /* margin of comparisons on the 0..100 scale */
#define EP 1e-11 /* bound on the float64 error of a position inside a certified round (each is a correctly
                    rounded copy of a decimal: 1.5e-14 on 0..100; kept generous) */
#define BAND 1e-7

#define S(k, d) (g->s[(k) * g->D + (d)])
#define CC(k, d) (g->c[(k) * g->D + (d)])

static int merge_cls(int cls, double m) {
    int sign = m > 0.0 ? H_POS : (m < 0.0 ? H_NEG : H_MIXED);
    if (cls == H_NONE) return sign;
    return cls == sign ? cls : H_MIXED;
}

static int ok_side(Eng *g, double m, double y, double hs, int hc) {
    double am = fabs(m);
    if (!(g->eps < am && am <= g->hi)) return 0;
    if (!(g->lo <= y && y <= g->hi)) return 0;
    if (hs != 0.0 && !(hs + m <= g->hi)) return 0;
    if (m > 0.0) return hc == H_NONE || hc == H_POS;
    return hc == H_NONE || hc == H_NEG;
}

/* OK(X) three-valued for certified rounds: 0 surely not, 1 surely, 2 too close to call (``band``: the
 * error bound of the move). With ``yuns``, a new position too close to 0 or 100 sets *yuns instead
 * (the caller settles that test alone). */
static int ok3(Eng *g, double m, double y, double hs, int hc, double band, int *yuns) {
    double am = fabs(m);
    double ym = TOL + band;
    int unsure = 0;
    if (fabs(am - g->eps) <= band) unsure = 1;
    else if (!(g->eps < am)) return 0;
    if (fabs(am - 100.0) <= ym) unsure = 1;
    else if (!(am <= 100.0)) return 0;
    int yu = 0;
    if (fabs(y) <= ym) yu = 1;
    else if (!(0.0 <= y)) return 0;
    if (fabs(y - 100.0) <= ym) yu = 1;
    else if (!(y <= 100.0)) return 0;
    if (yu) {
        if (yuns)
            *yuns = 1;
        else
            unsure = 1;
    }
    if (hs != 0.0) {
        if (fabs(hs + m - 100.0) <= ym) unsure = 1;
        else if (!(hs + m <= 100.0)) return 0;
    }
    if (!(m > 0.0 ? (hc == H_NONE || hc == H_POS) : (hc == H_NONE || hc == H_NEG))) return 0;
    return unsure ? 2 : 1;
}

/* OVERSHOOT for one side: 1 when the guard fired (moves and gain changed). */
static int overshoot(Eng *g, Cand *e, int side_i) {
    int a, A;
    double uA, yA, t;
    if (side_i) {
        a = e->q; A = e->aI; uA = e->uI; yA = e->yI; t = e->dJ;
    } else {
        a = e->p; A = e->aJ; uA = e->uJ; yA = e->yJ; t = e->dI;
    }
    const int D = g->D, NA = g->A;
    double Wa = g->W[a];
    int row = (a == e->p) ? 0 : 1;
    const double *rv = e->recv + row * NA;
    const char *rf = e->recf + row * NA;
    int have = 0;
    if (e->nrec) {
        for (int k = 0; k < NA; k++)
            if (rf[k]) { have = 1; break; }
    }
    const int *ord = g->order + a * NA;
    const int *pl = g->place + a * NA;
    int n = g->norder[a];
    double tot0 = 0.0, tot1 = 0.0;
    int tot0_none = 0;
    if (have) {
        double *lst = g->lst;
        memcpy(lst, g->tl + a * NA, (size_t)n * sizeof(double));
        for (int k = 0; k < NA; k++)
            if (rf[k] && k != A && pl[k] >= 0) lst[pl[k]] = (rv[k] * S(k, a)) * CC(k, a);
        int jA = pl[A];
        lst[jA] = (uA * S(A, a)) * CC(A, a);
        tot0 = 0.0;
        for (int i = 0; i < n; i++) tot0 = tot0 + lst[i];
        lst[jA] = (yA * S(A, a)) * CC(A, a);
        tot1 = 0.0;
        for (int i = 0; i < n; i++) tot1 = tot1 + lst[i];
    } else {
        int j = pl[A];
        double before = g->prefix[a * (NA + 1) + j];
        const double *tail = g->tl + a * NA + j + 1;
        int ntail = n - j - 1;
        double sA = S(A, a), cA = CC(A, a), xA = g->x[A * D + a];
        tot1 = before + (yA * sA) * cA;
        for (int i = 0; i < ntail; i++) tot1 = tot1 + tail[i];
        if (uA == xA) {
            tot0_none = 1;
        } else {
            tot0 = before + (uA * sA) * cA;
            for (int i = 0; i < ntail; i++) tot0 = tot0 + tail[i];
        }
    }
    double r0 = t - (tot0_none ? g->O[a] : tot0 / Wa);
    double r1 = t - tot1 / Wa;
    if (g->certify && (fabs(r0) <= TOL || fabs(r1) <= TOL)) {
        g->near = 10;
        return 0;
    }
    double zt = g->ztol;
    if (zt != 0.0) {
        if ((-zt <= r0 && r0 <= zt) || (-zt <= r1 && r1 <= zt) || ((r0 > 0.0) == (r1 > 0.0))) return 0;
    } else if (r0 == 0.0 || r1 == 0.0 || ((r0 > 0.0) == (r1 > 0.0))) {
        return 0;
    }
    double sAa, cAa, sBa, sBb, ratio, csA, csB, Wb, uB, dA;
    if (side_i) {
        sAa = e->sIq; cAa = e->cIq; sBa = e->sJq; sBb = e->sJp;
        ratio = e->r2; csA = e->csI; csB = e->csJ;
        Wb = g->W[e->p]; uB = e->uJ; dA = e->dI;
    } else {
        sAa = e->sJp; cAa = e->cJp; sBa = e->sIp; sBb = e->sIq;
        ratio = e->r1; csA = e->csJ; csB = e->csI;
        Wb = g->W[e->q]; uB = e->uI; dA = e->dJ;
    }
    double T = 0.0;
    for (int i = 0; i < n; i++) {
        int k = ord[i];
        if (have && rf[k]) {
            T = T + (rv[k] * S(k, a)) * CC(k, a);
        } else if (k != A) {
            T = T + g->terms[a * NA + k];
        } else {
            T = T + (uA * S(k, a)) * CC(k, a);
        }
    }
    if (g->certify && (fabs(uA - t) <= TOL || fabs(uB - dA) <= TOL)) {
        g->near = 11;
        return 0;
    }
    double delta = fabs((t * Wa - T) / csA);
    double da = ((delta * sAa) * cAa) / Wa;
    double db = ratio * da;
    double muB = fabs((db * Wb) / csB);
    double mA = uA > t ? -delta : delta;
    double mB = uB > dA ? -muB : muB;
    if (side_i) {
        e->mI = mA; e->mJ = mB;
    } else {
        e->mJ = mA; e->mI = mB;
    }
    e->yI = e->uI + e->mI;
    e->yJ = e->uJ + e->mJ;
    e->G = fabs(db * sBb - da * sBa);
    if (g->certify) {
        double err = ((1e-14 + 2.3e-16 * n) * (fabs(t * Wa) + fabs(T)) + 2.0 * EP * Wa) / csA + 1e-15 * delta;
        if (!(delta > 0.0)) {
            g->near = 12;
            return 1;
        }
        double relf = err / delta + 1e-14;
        e->Gerr = 4.0 * relf * (db * sBb + da * sBa) + 1e-13 * e->G;
        e->mrel = relf;
    }
    return 1;
}

/* The decimal evaluation of e's current state, by the caller (Python): 0, or -1 with g->near set when it
 * could not be settled (the round is then played in decimal). */
static int decimal_eval(Eng *g, Cand *e) {
    int32_t *info = g->info;
    double *io = g->io;
    info[0] = 1;
    info[1] = *g->nxp;
    info[2] = e->aI; info[3] = e->aJ; info[4] = e->p; info[5] = e->q;
    info[6] = e->hcI; info[7] = e->hcJ;
    io[0] = e->hsI; io[1] = e->hsJ;
    int rc = g->cb();
    if (rc) {
        g->near = 70 + rc;
        e->valid = 0;
        return -1;
    }
    e->valid = io[0] != 0.0;
    e->mI = io[1]; e->mJ = io[2]; e->yI = io[3]; e->yJ = io[4]; e->G = io[5];
    e->gcls = (int)io[6];
    e->G2 = io[13];
    if (io[7] != 0.0) {
        e->pre[0] = io[8]; e->pre[1] = io[9]; e->pre[2] = io[10]; e->pre[3] = io[11]; e->pre[4] = io[12];
        e->preGerr = 1e-13 * fabs(io[12]);
    }
    e->Gerr = 0.0;
    e->dec = 1;
    e->br = e->gk = 0;
    return 0;
}

/* Whether actor A's position on issue a, moved all the way to actor B's (round-start) position, stays
 * within 0..100 in decimal (Python): 1 or 0, or -1 with g->near set. */
static int landing(Eng *g, int A, int a, int B) {
    int32_t *info = g->info;
    info[0] = 5;
    info[1] = *g->nxp;
    info[2] = A; info[3] = a; info[4] = B;
    int rc = g->cb();
    if (rc) {
        g->near = 70 + rc;
        return -1;
    }
    return g->io[0] != 0.0;
}

static void guard_cert(Eng *g, Cand *e) {
    e->dec = 0;
    e->gk = e->br;
    if (e->recbad) {
        decimal_eval(g, e);
        return;
    }
    int fired = overshoot(g, e, 1);
    if (g->near) {
        g->near = 0;
        decimal_eval(g, e);
        return;
    }
    int fired_j = overshoot(g, e, 0);
    if (g->near) {
        g->near = 0;
        decimal_eval(g, e);
        return;
    }
    if (fired_j || fired) {
        e->gk = 0;
        double bI = 4.0 * e->mrel * fabs(e->mI) + BAND, bJ = 4.0 * e->mrel * fabs(e->mJ) + BAND;
        int oI = ok3(g, e->mI, e->yI, e->hsI, e->hcI, bI, NULL);
        int oJ = ok3(g, e->mJ, e->yJ, e->hsJ, e->hcJ, bJ, NULL);
        if (oI == 0 || oJ == 0)
            e->valid = 0;
        else if (oI == 2 || oJ == 2)
            decimal_eval(g, e);
        else
            e->valid = 1;
    } else {
        e->valid = 1;
    }
}

static void guard(Eng *g, Cand *e) {
    if (g->certify) {
        guard_cert(g, e);
        return;
    }
    int fired = overshoot(g, e, 1);
    int fired_j = overshoot(g, e, 0);
    if (fired_j || fired)
        e->valid = ok_side(g, e->mI, e->yI, e->hsI, e->hcI) && ok_side(g, e->mJ, e->yJ, e->hsJ, e->hcJ);
    else
        e->valid = 1;
}

static int ok_inline(Eng *g, double m, double y, double hs, int hc) {
    double am = fabs(m);
    return g->eps < am && am <= g->hi && g->lo <= y && y <= g->hi && (hs == 0.0 || hs + m <= g->hi) &&
           (m > 0.0 ? (hc == H_NONE || hc == H_POS) : (hc == H_NONE || hc == H_NEG));
}

static void evaluate(Eng *g, Cand *e) {
    double P = g->W[e->p], Q = g->W[e->q];
    double uI = e->uI, uJ = e->uJ, dI = e->dI, dJ = e->dJ;
    double Dp = fabs(dI - uJ);
    double Dq = fabs(dJ - uI);
    if (g->certify) e->dec = 0;
    if (g->certify && (Dp <= TOL || Dq <= TOL)) {
        /* |m_J| <= D_p and |m_I| <= D_q: under eps/2 the move is under eps in either arithmetic */
        e->valid = 0;
        if (!(Dp < 0.5 * g->eps || Dq < 0.5 * g->eps)) decimal_eval(g, e);
        return;
    }
    double dp = ((Dp * e->sJp) * e->cJp) / P;
    double dq = e->r1 * dp;
    double muI = (dq * Q) / e->csI;
    double muJ = Dp;
    if (g->certify) {
        double margin = 4.0 * (muI * (2.0 * EP / Dp + 1e-14) + 2.0 * EP);
        if (fabs(muI - Dq) <= margin) {
            decimal_eval(g, e);
            return;
        }
        e->br = muI > Dq ? 2 : 1;
    }
    if (muI > Dq) {
        dq = ((Dq * e->sIq) * e->cIq) / Q;
        dp = e->r2 * dq;
        muI = Dq;
        muJ = (dp * P) / e->csJ;
    }
    double mI = uI > dJ ? -muI : muI;
    double mJ = uJ > dI ? -muJ : muJ;
    double yI = uI + mI, yJ = uJ + mJ;
    double G = fabs(dq * e->sIq - dp * e->sIp);
    e->mI = mI; e->mJ = mJ; e->yI = yI; e->yJ = yJ; e->G = G;
    if (g->certify) {
        double rel = 2.0 * EP / (Dp < Dq ? Dp : Dq) + 1e-13; /* relative error of the moves */
        e->Gerr = 4.0 * rel * (dq * e->sIq + dp * e->sIp) + 1e-13 * G;
        /* a side that moved all the way (the branch says which) lands on its partner's position: near a
         * limit, only the decimal new position decides whether it stays within 0..100 */
        int yuI = 0, yuJ = 0;
        int oI = ok3(g, mI, yI, e->hsI, e->hcI, 4.0 * rel * fabs(mI), e->br == 2 ? &yuI : NULL);
        int oJ = ok3(g, mJ, yJ, e->hsJ, e->hcJ, 4.0 * rel * fabs(mJ), e->br == 1 ? &yuJ : NULL);
        int oG = fabs(G - g->eps) <= e->Gerr ? 2 : !(G < g->eps);
        if (oI == 0 || oJ == 0 || oG == 0) {
            e->valid = 0;
            return;
        }
        if (yuI || yuJ) {
            int in = yuI ? landing(g, e->aI, e->q, e->aJ) : 1;
            if (in > 0 && yuJ) in = landing(g, e->aJ, e->p, e->aI);
            if (in <= 0) {
                e->valid = 0;
                return;
            }
        }
        if (oI == 2 || oJ == 2 || oG == 2) {
            decimal_eval(g, e);
            return;
        }
        e->pre[0] = mI; e->pre[1] = mJ; e->pre[2] = yI; e->pre[3] = yJ; e->pre[4] = G;
        e->preGerr = e->Gerr;
        guard(g, e);
        return;
    }
    int valid = ok_inline(g, mI, yI, e->hsI, e->hcI) && ok_inline(g, mJ, yJ, e->hsJ, e->hcJ) && !(G < g->eps);
    if (!valid) {
        e->valid = 0;
        return;
    }
    e->pre[0] = mI; e->pre[1] = mJ; e->pre[2] = yI; e->pre[3] = yJ; e->pre[4] = G;
    guard(g, e);
}

static void record(Eng *g, Cand *e, int NA, int issue, int actor, double y, double xbar) {
    int row = issue == e->p ? 0 : 1;
    double *v = e->recv + row * NA + actor;
    char *f = e->recf + row * NA + actor;
    if (!*f) {
        *f = 1;
        e->nrec++;
        *v = y;
    } else {
        double old = *v;
        if (g->certify && fabs(xbar - old) <= TOL) e->recbad = 1;
        if (xbar <= old)
            *v = old < y ? old : y;
        else
            *v = old > y ? old : y;
    }
}

static void refresh(Eng *g, Cand *e, const Cand *r) {
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
        record(g, e, g->A, r->q, r->aI, r->yI, r->xbI);
        touched = 1;
    }
    if ((e->aI == r->aI && e->p == r->p) || (e->aJ == r->aI && e->q == r->p)) {
        record(g, e, g->A, r->p, r->aJ, r->yJ, r->xbJ);
        touched = 1;
    }
    if (carried) {
        if (carried == 1) {
            e->hsI = e->hsI + e->mI;
            e->hcI = merge_cls(e->hcI, e->mI);
        } else {
            e->hsJ = e->hsJ + e->mJ;
            e->hcJ = merge_cls(e->hcJ, e->mJ);
        }
        evaluate(g, e);
    } else if (touched) {
        int was_dec = e->dec, was_cls = e->gcls;
        double was_G = e->G;
        e->mI = e->pre[0]; e->mJ = e->pre[1]; e->yI = e->pre[2]; e->yJ = e->pre[3]; e->G = e->pre[4];
        e->Gerr = e->preGerr;
        e->dec = 0;
        guard(g, e);
        if (g->certify && was_dec == 2 && e->gk && e->valid && !e->dec) {
            /* no guard fired: the gain is the same branch formula of the same positions as before */
            e->G = was_G;
            e->gcls = was_cls;
            e->Gerr = 0.0;
            e->dec = 2;
        }
    }
}

/* The round's sums: outcome O, terms, prefix sums (from 0.0, in actor order). */
static void round_sums(Eng *g) {
    const int NA = g->A, D = g->D;
    for (int d = 0; d < D; d++) {
        double tot = 0.0;
        int n = g->norder[d];
        g->prefix[d * (NA + 1)] = 0.0;
        for (int i = 0; i < n; i++) {
            int k = g->order[d * NA + i];
            double t = (g->x[k * D + d] * S(k, d)) * CC(k, d);
            g->tl[d * NA + i] = t;
            g->terms[d * NA + k] = t;
            tot = tot + t;
            g->prefix[d * (NA + 1) + i + 1] = tot;
        }
        g->O[d] = g->W[d] != 0.0 ? tot / g->W[d] : 0.0;
    }
}

static void outcome_of(Eng *g, const double *x, double *out) {
    const int NA = g->A, D = g->D;
    for (int d = 0; d < D; d++) {
        double tot = 0.0;
        for (int i = 0; i < g->norder[d]; i++) {
            int k = g->order[d * NA + i];
            tot = tot + (x[k * D + d] * S(k, d)) * CC(k, d);
        }
        out[d] = g->W[d] != 0.0 ? tot / g->W[d] : 0.0;
    }
}

/* Stable sort of idx[0:n] by gain, descending (insertion sort: the list is nearly sorted). */
static void sort_by_gain(const Cand *cs, int *idx, int n) {
    for (int i = 1; i < n; i++) {
        int v = idx[i];
        double gv = cs[v].G;
        int j = i - 1;
        while (j >= 0 && cs[idx[j]].G < gv) {
            idx[j + 1] = idx[j];
            j--;
        }
        idx[j + 1] = v;
    }
}

/* _near_tie_order: gains within tol (relative) of their neighbour, chained, keep their order in the
 * list before the sort (prevpos: each candidate's place in that list). */
static void near_tie_order(const Cand *cs, int *live, int n, const int *prevpos, double tol, int *tmp) {
    if (n < 2) return;
    int any = 0;
    for (int i = 0; i + 1 < n; i++) {
        double a = cs[live[i]].G, b = cs[live[i + 1]].G;
        double d = a - b;
        if (d <= tol * a && d > 0.0) {
            any = 1;
            break;
        }
    }
    if (!any) return;
    int a = 0;
    while (a < n) {
        int b = a + 1;
        int bad = 0;
        while (b < n) {
            double ga = cs[live[b - 1]].G, gb = cs[live[b]].G;
            double d = ga - gb;
            if (!(d <= tol * ga)) break;
            if (d > 0.0) bad = 1;
            b++;
        }
        if (bad) {
            /* sort live[a:b] by place before the sort (distinct keys) */
            int m = b - a;
            for (int i = 0; i < m; i++) tmp[i] = live[a + i];
            for (int i = 1; i < m; i++) {
                int v = tmp[i];
                int j = i - 1;
                while (j >= 0 && prevpos[tmp[j]] > prevpos[v]) {
                    tmp[j + 1] = tmp[j];
                    j--;
                }
                tmp[j + 1] = v;
            }
            for (int i = 0; i < m; i++) live[a + i] = tmp[i];
        }
        a = b;
    }
}

/* Working memory of a run. */
typedef struct {
    int maxc;
    double *ratio;
    char *left;
    int *grp;
    Cand *cs;
    double *recv;
    char *recf;
    int *live, *prevpos, *tmp;
    double *sufmax;
    int *st, *batch;
    int *sup_start, *dem_start, *sup_fill, *dem_fill, *sup_list, *dem_list;
    double *xs;
    char *supplied;
} Work;

static void eng_free(Eng *g, Work *w) {
    free(g->W); free(g->order); free(g->norder); free(g->place); free(g->O); free(g->tl); free(g->prefix);
    free(g->terms); free(g->lst);
    free(w->ratio); free(w->left); free(w->grp); free(w->cs); free(w->recv); free(w->recf); free(w->live);
    free(w->prevpos); free(w->tmp); free(w->sufmax); free(w->st); free(w->batch); free(w->sup_start); free(w->dem_start); free(w->sup_fill);
    free(w->dem_fill); free(w->sup_list); free(w->dem_list); free(w->xs); free(w->supplied);
}

/* Set up the engine: sizes, constants, per-issue actor order and W. Returns 0 or -1 (no memory). */
static int eng_init(Eng *g, Work *w, int NA, int D, const double *s, const double *c, const char *present,
                    const char *elig, double eps, double tol) {
    memset(g, 0, sizeof(*g));
    memset(w, 0, sizeof(*w));
    g->A = NA; g->D = D; g->s = s; g->c = c; g->present = present; g->elig = elig;
    g->eps = eps;
    g->tol = tol;
    g->ztol = g->tol != 0.0 ? 0.0 + g->tol * 100.0 : 0.0;
    g->lo = 0.0 - g->ztol;
    g->hi = 100.0 + g->ztol;
    const int AD = NA * D;
    int npairs = D * (D - 1) / 2;
    int maxc = w->maxc = npairs * (NA * NA / 4 + 1) + 1;
    g->W = calloc((size_t)D + 1, sizeof(double));
    g->order = calloc((size_t)AD + 1, sizeof(int));
    g->norder = calloc((size_t)D + 1, sizeof(int));
    g->place = calloc((size_t)AD + 1, sizeof(int));
    g->O = calloc((size_t)D + 1, sizeof(double));
    g->tl = calloc((size_t)AD + 1, sizeof(double));
    g->prefix = calloc((size_t)D * (NA + 1) + 1, sizeof(double));
    g->terms = calloc((size_t)AD + 1, sizeof(double));
    g->lst = calloc((size_t)NA + 1, sizeof(double));
    w->ratio = calloc((size_t)NA + 1, sizeof(double));
    w->left = calloc((size_t)AD + 1, 1);
    w->grp = calloc((size_t)4 * NA + 4, sizeof(int));
    w->cs = calloc((size_t)maxc, sizeof(Cand));
    w->recv = calloc((size_t)maxc * 2 * NA + 1, sizeof(double));
    w->recf = calloc((size_t)maxc * 2 * NA + 1, 1);
    w->live = calloc((size_t)maxc, sizeof(int));
    w->prevpos = calloc((size_t)maxc, sizeof(int));
    w->tmp = calloc((size_t)maxc, sizeof(int));
    w->sufmax = calloc((size_t)maxc + 1, sizeof(double));
    w->st = calloc((size_t)2 * maxc + 2, sizeof(int));
    w->batch = calloc((size_t)maxc + 1, sizeof(int));
    w->sup_start = calloc((size_t)AD + 2, sizeof(int));
    w->dem_start = calloc((size_t)AD + 2, sizeof(int));
    w->sup_fill = calloc((size_t)AD + 1, sizeof(int));
    w->dem_fill = calloc((size_t)AD + 1, sizeof(int));
    w->sup_list = calloc((size_t)2 * maxc, sizeof(int));
    w->dem_list = calloc((size_t)2 * maxc, sizeof(int));
    w->xs = calloc((size_t)AD + 1, sizeof(double));
    w->supplied = calloc((size_t)AD + 1, 1);
    if (!g->W || !g->order || !g->norder || !g->place || !g->O || !g->tl || !g->prefix || !g->terms || !g->lst ||
        !w->ratio || !w->left || !w->grp || !w->cs || !w->recv || !w->recf || !w->live || !w->prevpos || !w->sufmax || !w->st || !w->batch ||
        !w->tmp || !w->sup_start || !w->dem_start || !w->sup_fill || !w->dem_fill || !w->sup_list ||
        !w->dem_list || !w->xs || !w->supplied)
        return -1;
    for (int d = 0; d < D; d++) {
        int n = 0;
        double wd = 0.0;
        for (int k = 0; k < NA; k++) {
            g->place[d * NA + k] = -1;
            if (present[k * D + d]) {
                g->place[d * NA + k] = n;
                g->order[d * NA + n++] = k;
                wd = wd + S(k, d) * CC(k, d);
            }
        }
        g->norder[d] = n;
        g->W[d] = wd;
    }
    return 0;
}

/* Decimal order of two candidates' gains (both decimal): >0 when a's is larger; *unknown set when
 * they differ in decimal but round to the same float64. */
static int dec_cmp(const Cand *a, const Cand *b, int *unknown) {
    if (a->gcls == b->gcls) return 0;
    if (a->G != b->G) return a->G > b->G ? 1 : -1;
    if (a->G2 != b->G2) return a->G2 > b->G2 ? 1 : -1;
    *unknown = 1;
    return 0;
}

/* After the stable sort by float64 gain: where neighbours' gains are too close to order in float64
 * (chained), order that stretch by decimal gain, equal decimal gains in their order before the sort
 * (w->prevpos), as the exact engine's stable sort does. Returns nonzero when the round must be played in
 * decimal. */
static int settle_ties(Eng *g, Work *w, int nl) {
    Cand *cs = w->cs;
    int *live = w->live;
    /* each gain lies within Gerr of its float64 value; a candidate can only change places with one whose
     * interval (widened by the tolerance of the Python checked engine) reaches its own: sufmax[i] is the
     * highest upper end from entry i on */
    double *sufmax = w->sufmax;
    sufmax[nl] = -HUGE_VAL;
    for (int i = nl - 1; i >= 0; i--) {
        double up = cs[live[i]].G + cs[live[i]].Gerr;
        sufmax[i] = up > sufmax[i + 1] ? up : sufmax[i + 1];
    }
    int nst = 0, nb = 0; /* bad stretches, candidates whose decimal gain the batch call gives */
    int a = 0;
    while (a < nl - 1) {
        int b = a;
        double ga = cs[live[a]].G;
        double lo = ga - cs[live[a]].Gerr - (1e-9 * ga + 1e-11);
        while (b < nl - 1 && sufmax[b + 1] >= lo) {
            b++;
            double gb = cs[live[b]].G;
            double l2 = gb - cs[live[b]].Gerr - (1e-9 * gb + 1e-11);
            if (l2 < lo) lo = l2;
        }
        if (b == a) {
            a++;
            continue;
        }
        /* live[a..b] chained near: in order already when all are decimal and each neighbour pair is
         * equal in decimal and kept its order, or different in decimal with different keys */
        int bad = 0;
        for (int i = a; i <= b && !bad; i++) {
            const Cand *x = &cs[live[i]];
            if (!x->dec) bad = 1;
            else if (i < b) {
                const Cand *y = &cs[live[i + 1]];
                if (!y->dec) bad = 1;
                else if (x->gcls == y->gcls) bad = w->prevpos[live[i]] > w->prevpos[live[i + 1]];
                else bad = x->G == y->G && !(x->G2 > y->G2);
            }
        }
        if (bad) {
            w->st[2 * nst] = a;
            w->st[2 * nst + 1] = b;
            nst++;
            for (int i = a; i <= b; i++) {
                Cand *x = &cs[live[i]];
                if (!x->dec && x->gk) w->batch[nb++] = live[i];
            }
        }
        a = b + 1;
    }
    if (!nst) return 0;
    /* the decimal gains by their branch's formula, in one call */
    if (nb) {
        int32_t *info = g->info;
        info[0] = 4;
        info[1] = *g->nxp;
        info[2] = nb;
        for (int k = 0; k < nb; k++) {
            const Cand *x = &cs[w->batch[k]];
            int32_t *row = info + 8 + 5 * k;
            row[0] = x->aI; row[1] = x->aJ; row[2] = x->p; row[3] = x->q; row[4] = x->gk;
        }
        int rc = g->cb();
        if (rc) {
            g->near = 70 + rc;
            return 1;
        }
        for (int k = 0; k < nb; k++) {
            Cand *x = &cs[w->batch[k]];
            x->G = g->io[3 * k];
            x->gcls = (int)g->io[3 * k + 1];
            x->G2 = g->io[3 * k + 2];
            x->Gerr = 0.0;
            x->dec = 2;
        }
    }
    for (int s = 0; s < nst; s++) {
        int a = w->st[2 * s], b = w->st[2 * s + 1];
        {
            int m = b - a + 1;
            int *tmp = w->tmp;
            for (int i = 0; i < m; i++) tmp[i] = live[a + i];
            /* order before the sort */
            for (int i = 1; i < m; i++) {
                int v = tmp[i], j = i - 1;
                while (j >= 0 && w->prevpos[tmp[j]] > w->prevpos[v]) {
                    tmp[j + 1] = tmp[j];
                    j--;
                }
                tmp[j + 1] = v;
            }
            for (int i = 0; i < m; i++) {
                Cand *x = &cs[tmp[i]];
                if (!x->dec) {
                    if (decimal_eval(g, x)) return 1;
                    if (!x->valid) { /* float64 was sure it is valid: never guess */
                        g->near = 80;
                        return 1;
                    }
                }
            }
            /* stable insertion sort by decimal gain, descending */
            int *before = w->batch;
            for (int i = 0; i < m; i++) before[i] = tmp[i];
            int unknown = 0;
            for (int i = 1; i < m; i++) {
                int v = tmp[i], j = i - 1;
                while (j >= 0) {
                    if (dec_cmp(&cs[tmp[j]], &cs[v], &unknown) >= 0) break;
                    tmp[j + 1] = tmp[j];
                    j--;
                }
                tmp[j + 1] = v;
            }
            if (unknown) { /* gains that round alike: the stretch ordered by the decimal gains (Python) */
                int32_t *info = g->info;
                info[0] = 6;
                info[2] = m;
                for (int i = 0; i < m; i++) info[8 + i] = cs[before[i]].gcls;
                int rc = g->cb();
                if (rc) {
                    g->near = 70 + rc;
                    return 1;
                }
                for (int i = 0; i < m; i++) tmp[i] = before[(int)g->io[i]];
            }
            for (int i = 0; i < m; i++) live[a + i] = tmp[i];
        }
    }
    return 0;
}

/* One round from g->x: the round's sums, the candidates, the realisation loop. Realised exchanges go
 * to exch rows of 10 doubles (see rp_exchange_float) while
 * *nx < cap (*nx counts them all); v (the voting positions, a copy of the round start) and w->supplied
 * are updated. Returns the number realised, or -1 when a certified round met a decision too close to
 * call (g->near says which). */
static int play_round(Eng *g, Work *w, double *exch, int cap, int *nx, double *v) {
    const int NA = g->A, D = g->D, AD = NA * D;
    const double *xs = g->x;
    const char *elig = g->elig;
    Cand *cs = w->cs;
    int *live = w->live;
    g->nxp = nx;
    round_sums(g);
    for (int k = 0; k < NA; k++) {
        for (int d = 0; d < D; d++) {
            w->left[k * D + d] = xs[k * D + d] <= g->O[d] + g->ztol;
            if (g->certify && elig[k * D + d] && fabs(xs[k * D + d] - g->O[d]) <= TOL) {
                g->near = 60;
                return -1;
            }
        }
    }
    int nc = 0;
    for (int p = 0; p < D; p++) {
        for (int q = p + 1; q < D; q++) {
            int *ga = w->grp, *gb = w->grp + NA, *gc = w->grp + 2 * NA, *gd = w->grp + 3 * NA;
            int na = 0, nb = 0, ncc = 0, nd = 0;
            for (int k = 0; k < NA; k++) {
                if (!(elig[k * D + p] && elig[k * D + q])) continue;
                w->ratio[k] = S(k, p) / S(k, q);
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
            const char *role = g->role ? g->role + (size_t)(p * D + q) * NA * NA : NULL;
            for (int pass = 0; pass < 2; pass++) {
                int *g1 = pass ? gb : ga, *g2 = pass ? gc : gd;
                int n1 = pass ? nb : na, n2 = pass ? ncc : nd;
                for (int ii = 0; ii < n1; ii++) {
                    int i = g1[ii];
                    for (int jj = 0; jj < n2; jj++) {
                        int j = g2[jj];
                        int ai = i, aj = j;
                        if (role ? role[i * NA + j] : w->ratio[i] < w->ratio[j]) {
                            ai = j; aj = i;
                        }
                        Cand *e = &cs[nc];
                        e->aI = ai; e->aJ = aj; e->p = p; e->q = q;
                        e->sIp = S(ai, p); e->sIq = S(ai, q); e->sJp = S(aj, p); e->sJq = S(aj, q);
                        e->cIq = CC(ai, q); e->cJp = CC(aj, p);
                        e->r1 = (e->sJp + e->sIp) / (e->sJq + e->sIq);
                        e->r2 = (e->sIq + e->sJq) / (e->sIp + e->sJp);
                        e->csI = e->cIq * e->sIq;
                        e->csJ = e->cJp * e->sJp;
                        e->xbI = e->uI = xs[ai * D + q];
                        e->xbJ = e->uJ = xs[aj * D + p];
                        e->dI = xs[ai * D + p];
                        e->dJ = xs[aj * D + q];
                        e->hsI = e->hsJ = 0.0;
                        e->hcI = e->hcJ = H_NONE;
                        e->recv = w->recv + (size_t)nc * 2 * NA;
                        e->recf = w->recf + (size_t)nc * 2 * NA;
                        memset(e->recf, 0, (size_t)2 * NA);
                        e->nrec = 0;
                        e->alive = 0;
                        e->stamp = -1;
                        e->Gerr = e->preGerr = e->mrel = 0.0;
                        e->dec = e->recbad = e->br = e->gk = 0;
                        evaluate(g, e);
                        if (g->near) return -1;
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
        Cand *e = &cs[i];
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
        Cand *e = &cs[i];
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
    g->nxp = nx;
    memset(w->supplied, 0, (size_t)AD);
    while (nl > 0) {
        if (g->tol != 0.0 || g->certify)
            for (int i = 0; i < nl; i++) w->prevpos[live[i]] = i;
        sort_by_gain(cs, live, nl);
        if (g->tol != 0.0) near_tie_order(cs, live, nl, w->prevpos, g->tol, w->tmp);
        if (g->certify && nl > 1 && settle_ties(g, w, nl)) return -1;
        Cand *r = &cs[live[0]];
        memmove(live, live + 1, (size_t)(nl - 1) * sizeof(int));
        nl--;
        r->alive = 0;
        if (*nx < cap) {
            double *row = exch + (size_t)(*nx) * 10;
            row[0] = r->aI; row[1] = r->aJ; row[2] = r->p; row[3] = r->q;
            row[4] = r->xbI; row[5] = r->yI; row[6] = r->xbJ; row[7] = r->yJ; row[8] = r->G;
            row[9] = r->dec == 1 ? 0 : r->gk;
        }
        (*nx)++;
        nreal++;
        if (g->certify) {
            /* the positions it hands on: the decimal ones, rounded (Python replays the exchange), so
             * that every position in the round is a correctly rounded copy of the exact run's */
            g->info[0] = 7;
            g->info[1] = *nx;
            int rc = g->cb();
            if (rc) {
                g->near = 70 + rc;
                return -1;
            }
            r->yI = g->io[0];
            r->yJ = g->io[1];
        }
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
                Cand *e = &cs[ls[t]];
                if (e->alive && e->stamp != step) {
                    e->stamp = step;
                    refresh(g, e, r);
                    if (g->near) return -1;
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

/* The whole run in float64 (arithmetic "float", the scalar engine).
 * ints: [A, D, rounds, exch_capacity]; dbl: [eps, w_sal, w_fix, tol]
 * x, s, c: [A][D] internal scale (0 where absent); present, elig: [A][D] bytes.
 * Outputs: hist [(R+1)][A][D], vote [R][A][D], out [(R+1)][D], vout [R][D], nex [R] (int32),
 * exch [capacity][10] (aI, aJ, p, q, start_i, voting_i, start_j, voting_j, gain, and for certified
 * rounds the branch whose formulas give the decimal numbers, 0: a whole evaluation).
 * Returns 0, -1 (out of memory) or -(2 + needed capacity) when exch is too small. */
RP_EXPORT int rp_exchange_float(const int32_t *ints, const double *dbl, const double *x0, const double *s,
                                const double *c, const char *present, const char *elig, double *hist,
                                double *vote, double *out, double *vout, int32_t *nex, double *exch) {
    const int NA = ints[0], D = ints[1], R = ints[2], cap = ints[3];
    const int AD = NA * D;
    Eng eng;
    Work work;
    Eng *g = &eng;
    Work *w = &work;
    const double ws = dbl[1], wf = dbl[2];
    int rc = eng_init(g, w, NA, D, s, c, present, elig, dbl[0], dbl[3]);
    if (rc) goto done;
    double *xs = w->xs;
    memcpy(xs, x0, (size_t)AD * sizeof(double));
    memcpy(hist, xs, (size_t)AD * sizeof(double));
    int nx = 0;
    for (int rnd = 0; rnd < R; rnd++) {
        g->x = xs;
        double *v = vote + (size_t)rnd * AD;
        memcpy(v, xs, (size_t)AD * sizeof(double));
        nex[rnd] = play_round(g, w, exch, cap, &nx, v);
        memcpy(out + (size_t)rnd * D, g->O, (size_t)D * sizeof(double));
        outcome_of(g, v, vout + (size_t)rnd * D);
        /* end-of-round update of the supplied positions */
        double *nw = hist + (size_t)(rnd + 1) * AD;
        memcpy(nw, xs, (size_t)AD * sizeof(double));
        for (int k = 0; k < AD; k++) {
            if (!w->supplied[k]) continue;
            double sal = s[k];
            double xb = xs[k];
            double y = v[k];
            double a1 = (1.0 - sal) * ws;
            nw[k] = ((a1 * y) + wf * y) + ((1.0 - a1) - wf) * xb;
        }
        memcpy(xs, nw, (size_t)AD * sizeof(double));
    }
    outcome_of(g, xs, out + (size_t)R * D);
    if (nx > cap) rc = -(2 + nx);
done:
    eng_free(g, w);
    return rc;
}

/* One certified round for the fast mode: the round in float64 from x (the round-start positions,
 * correctly rounded copies of the exact run's decimals), every decision taken beyond a margin that
 * bounds the float64 error, roles from ``role`` (decided on decimal salience ratios).
 * ints: [A, D, exch_capacity]; dbl: [eps]. The realised exchanges in order go to exch (rows of 10, as
 * rp_exchange_float). Returns their number, -1 (out of memory), -(2 + needed capacity), or
 * -(1000 + code) when a decision was too close to call (the caller plays the round in decimal). */
RP_EXPORT int rp_exchange_certified_round(const int32_t *ints, const double *dbl, const double *x, const double *s,
                                          const double *c, const char *present, const char *elig,
                                          const char *role, double *exch, int (*cb)(void), int32_t *info,
                                          double *io) {
    const int NA = ints[0], D = ints[1], cap = ints[2];
    Eng eng;
    Work work;
    Eng *g = &eng;
    Work *w = &work;
    int rc = eng_init(g, w, NA, D, s, c, present, elig, dbl[0], 0.0);
    if (rc) goto done;
    g->certify = 1;
    g->role = role;
    g->cb = cb;
    g->info = info;
    g->io = io;
    g->x = x;
    memcpy(w->xs, x, (size_t)NA * D * sizeof(double));
    int nx = 0;
    int n = play_round(g, w, exch, cap, &nx, w->xs);
    if (n < 0)
        rc = -(1000 + g->near);
    else if (nx > cap)
        rc = -(2 + nx);
    else
        rc = n;
done:
    eng_free(g, w);
    return rc;
}
