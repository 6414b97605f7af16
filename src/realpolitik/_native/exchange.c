/* The exchange model's scalar float64 engine (arithmetic="float", engine scalar): a second
 * implementation of realpolitik.models.exchange_scalar run with Python floats (float_arith).
 *
 * Every formula is evaluated with the same operations in the same order as the Python engine
 * (IEEE doubles, no FMA contraction, no fast-math), every sum runs left to right from 0.0, the
 * realisation loop sorts stably by gain and refreshes the touched candidates in the same order, so
 * the results are bit-identical to the Python engine's (tests/models/test_exchange_native.py).
 * Internal 0..100 scale; arrays row-major [actor][issue].
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
} Eng;

#define S(k, d) (g->s[(k) * g->D + (d)])
#define CC(k, d) (g->c[(k) * g->D + (d)])

static int merge_cls(int cls, double m) {
    int sign = m > 0.0 ? H_POS : (m < 0.0 ? H_NEG : H_MIXED);
    if (cls == H_NONE) return sign;
    return cls == sign ? cls : H_MIXED;
}

static int ok_side(const Eng *g, double m, double y, double hs, int hc) {
    double am = fabs(m);
    if (!(g->eps < am && am <= g->hi)) return 0;
    if (!(g->lo <= y && y <= g->hi)) return 0;
    if (hs != 0.0 && !(hs + m <= g->hi)) return 0;
    if (m > 0.0) return hc == H_NONE || hc == H_POS;
    return hc == H_NONE || hc == H_NEG;
}

/* OVERSHOOT for one side: 1 when the guard fired (moves and gain changed). */
static int overshoot(const Eng *g, Cand *e, int side_i) {
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
    return 1;
}

static void guard(const Eng *g, Cand *e) {
    int fired = overshoot(g, e, 1);
    int fired_j = overshoot(g, e, 0);
    if (fired_j || fired)
        e->valid = ok_side(g, e->mI, e->yI, e->hsI, e->hcI) && ok_side(g, e->mJ, e->yJ, e->hsJ, e->hcJ);
    else
        e->valid = 1;
}

static int ok_inline(const Eng *g, double m, double y, double hs, int hc) {
    double am = fabs(m);
    return g->eps < am && am <= g->hi && g->lo <= y && y <= g->hi && (hs == 0.0 || hs + m <= g->hi) &&
           (m > 0.0 ? (hc == H_NONE || hc == H_POS) : (hc == H_NONE || hc == H_NEG));
}

static void evaluate(const Eng *g, Cand *e) {
    double P = g->W[e->p], Q = g->W[e->q];
    double uI = e->uI, uJ = e->uJ, dI = e->dI, dJ = e->dJ;
    double Dp = fabs(dI - uJ);
    double Dq = fabs(dJ - uI);
    double dp = ((Dp * e->sJp) * e->cJp) / P;
    double dq = e->r1 * dp;
    double muI = (dq * Q) / e->csI;
    double muJ = Dp;
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
    int valid = ok_inline(g, mI, yI, e->hsI, e->hcI) && ok_inline(g, mJ, yJ, e->hsJ, e->hcJ) && !(G < g->eps);
    if (!valid) {
        e->valid = 0;
        return;
    }
    e->pre[0] = mI; e->pre[1] = mJ; e->pre[2] = yI; e->pre[3] = yJ; e->pre[4] = G;
    guard(g, e);
}

static void record(Cand *e, int NA, int issue, int actor, double y, double xbar) {
    int row = issue == e->p ? 0 : 1;
    double *v = e->recv + row * NA + actor;
    char *f = e->recf + row * NA + actor;
    if (!*f) {
        *f = 1;
        e->nrec++;
        *v = y;
    } else {
        double old = *v;
        if (xbar <= old)
            *v = old < y ? old : y;
        else
            *v = old > y ? old : y;
    }
}

static void refresh(const Eng *g, Cand *e, const Cand *r) {
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
        record(e, g->A, r->q, r->aI, r->yI, r->xbI);
        touched = 1;
    }
    if ((e->aI == r->aI && e->p == r->p) || (e->aJ == r->aI && e->q == r->p)) {
        record(e, g->A, r->p, r->aJ, r->yJ, r->xbJ);
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
        e->mI = e->pre[0]; e->mJ = e->pre[1]; e->yI = e->pre[2]; e->yJ = e->pre[3]; e->G = e->pre[4];
        guard(g, e);
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

static void outcome_of(const Eng *g, const double *x, double *out) {
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

/* Run the model.
 * ints: [A, D, rounds, exch_capacity]; dbl: [eps, w_sal, w_fix, tol]
 * x, s, c: [A][D] internal scale (0 where absent); present, elig: [A][D] bytes.
 * Outputs: hist [(R+1)][A][D], vote [R][A][D], out [(R+1)][D], vout [R][D], nex [R] (int32),
 * exch [capacity][9] (aI, aJ, p, q, start_i, voting_i, start_j, voting_j, gain).
 * Returns 0, -1 (out of memory) or -(2 + needed capacity) when exch is too small. */
RP_EXPORT int rp_exchange_float(const int32_t *ints, const double *dbl, const double *x0, const double *s,
                                const double *c, const char *present, const char *elig, double *hist,
                                double *vote, double *out, double *vout, int32_t *nex, double *exch) {
    const int NA = ints[0], D = ints[1], R = ints[2], cap = ints[3];
    Eng eng;
    Eng *g = &eng;
    memset(g, 0, sizeof(eng));
    g->A = NA; g->D = D; g->s = s; g->c = c; g->present = present; g->elig = elig;
    g->eps = dbl[0];
    const double ws = dbl[1], wf = dbl[2];
    g->tol = dbl[3];
    g->ztol = g->tol != 0.0 ? 0.0 + g->tol * 100.0 : 0.0;
    g->lo = 0.0 - g->ztol;
    g->hi = 100.0 + g->ztol;
    const int AD = NA * D;
    int npairs = D * (D - 1) / 2;
    int maxc = npairs * (NA * NA / 4 + 1) + 1;
    int rc = 0;
    g->W = calloc((size_t)D + 1, sizeof(double));
    g->order = calloc((size_t)AD + 1, sizeof(int));
    g->norder = calloc((size_t)D + 1, sizeof(int));
    g->place = calloc((size_t)AD + 1, sizeof(int));
    g->O = calloc((size_t)D + 1, sizeof(double));
    g->tl = calloc((size_t)AD + 1, sizeof(double));
    g->prefix = calloc((size_t)D * (NA + 1) + 1, sizeof(double));
    g->terms = calloc((size_t)AD + 1, sizeof(double));
    g->lst = calloc((size_t)NA + 1, sizeof(double));
    double *ratio = calloc((size_t)NA + 1, sizeof(double));
    char *left = calloc((size_t)AD + 1, 1);
    int *grp = calloc((size_t)4 * NA + 4, sizeof(int));
    Cand *cs = calloc((size_t)maxc, sizeof(Cand));
    double *recv = calloc((size_t)maxc * 2 * NA + 1, sizeof(double));
    char *recf = calloc((size_t)maxc * 2 * NA + 1, 1);
    int *live = calloc((size_t)maxc, sizeof(int));
    int *prevpos = calloc((size_t)maxc, sizeof(int));
    int *tmp = calloc((size_t)maxc, sizeof(int));
    int *sup_start = calloc((size_t)AD + 2, sizeof(int));
    int *dem_start = calloc((size_t)AD + 2, sizeof(int));
    int *sup_fill = calloc((size_t)AD + 1, sizeof(int));
    int *dem_fill = calloc((size_t)AD + 1, sizeof(int));
    int *sup_list = calloc((size_t)2 * maxc, sizeof(int));
    int *dem_list = calloc((size_t)2 * maxc, sizeof(int));
    double *xs = calloc((size_t)AD + 1, sizeof(double));
    char *supplied = calloc((size_t)AD + 1, 1);
    if (!g->W || !g->order || !g->norder || !g->place || !g->O || !g->tl || !g->prefix || !g->terms || !g->lst ||
        !ratio || !left || !grp || !cs || !recv || !recf || !live || !prevpos || !tmp || !sup_start ||
        !dem_start || !sup_fill || !dem_fill || !sup_list || !dem_list || !xs || !supplied) {
        rc = -1;
        goto done;
    }
    for (int d = 0; d < D; d++) {
        int n = 0;
        double w = 0.0;
        for (int k = 0; k < NA; k++) {
            g->place[d * NA + k] = -1;
            if (present[k * D + d]) {
                g->place[d * NA + k] = n;
                g->order[d * NA + n++] = k;
                w = w + S(k, d) * CC(k, d);
            }
        }
        g->norder[d] = n;
        g->W[d] = w;
    }
    memcpy(xs, x0, (size_t)AD * sizeof(double));
    memcpy(hist, xs, (size_t)AD * sizeof(double));
    int nx = 0; /* exchanges recorded */
    for (int rnd = 0; rnd < R; rnd++) {
        g->x = xs;
        round_sums(g);
        /* create */
        for (int k = 0; k < NA; k++)
            for (int d = 0; d < D; d++) left[k * D + d] = xs[k * D + d] <= g->O[d] + g->ztol;
        int nc = 0;
        for (int p = 0; p < D; p++) {
            for (int q = p + 1; q < D; q++) {
                int *ga = grp, *gb = grp + NA, *gc = grp + 2 * NA, *gd = grp + 3 * NA;
                int na = 0, nb = 0, ncc = 0, nd = 0;
                for (int k = 0; k < NA; k++) {
                    if (!(elig[k * D + p] && elig[k * D + q])) continue;
                    ratio[k] = S(k, p) / S(k, q);
                    int lp = left[k * D + p], lq = left[k * D + q];
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
                            if (ratio[i] < ratio[j]) {
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
                            e->recv = recv + (size_t)nc * 2 * NA;
                            e->recf = recf + (size_t)nc * 2 * NA;
                            memset(e->recf, 0, (size_t)2 * NA);
                            e->nrec = 0;
                            e->alive = 0;
                            e->stamp = -1;
                            evaluate(g, e);
                            nc++;
                        }
                    }
                }
            }
        }
        /* indexes by (supplier, issue supplied) and (demander, issue demanded), creation order */
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
            sup_fill[k] = sup_start[k];
            dem_fill[k] = dem_start[k];
        }
        for (int i = 0; i < nc; i++) {
            Cand *e = &cs[i];
            sup_list[sup_fill[e->aI * D + e->q]++] = i;
            sup_list[sup_fill[e->aJ * D + e->p]++] = i;
            dem_list[dem_fill[e->aI * D + e->p]++] = i;
            dem_list[dem_fill[e->aJ * D + e->q]++] = i;
        }
        int nl = 0;
        for (int i = 0; i < nc; i++)
            if (cs[i].valid) {
                live[nl++] = i;
                cs[i].alive = 1;
            }
        int step = 0;
        int nreal = 0;
        int first = nx;
        /* voting positions start as the round-start positions */
        double *v = vote + (size_t)rnd * AD;
        memcpy(v, xs, (size_t)AD * sizeof(double));
        memset(supplied, 0, (size_t)AD);
        while (nl > 0) {
            if (g->tol != 0.0)
                for (int i = 0; i < nl; i++) prevpos[live[i]] = i;
            sort_by_gain(cs, live, nl);
            if (g->tol != 0.0) near_tie_order(cs, live, nl, prevpos, g->tol, tmp);
            Cand *r = &cs[live[0]];
            memmove(live, live + 1, (size_t)(nl - 1) * sizeof(int));
            nl--;
            r->alive = 0;
            if (nx < cap) {
                double *row = exch + (size_t)nx * 9;
                row[0] = r->aI; row[1] = r->aJ; row[2] = r->p; row[3] = r->q;
                row[4] = r->xbI; row[5] = r->yI; row[6] = r->xbJ; row[7] = r->yJ; row[8] = r->G;
            }
            nx++;
            nreal++;
            v[r->aI * D + r->q] = r->yI;
            v[r->aJ * D + r->p] = r->yJ;
            supplied[r->aI * D + r->q] = 1;
            supplied[r->aJ * D + r->p] = 1;
            step++;
            int changed = 0;
            int keys[4] = {r->aI * D + r->q, r->aJ * D + r->p, r->aJ * D + r->q, r->aI * D + r->p};
            for (int w = 0; w < 4; w++) {
                const int *st = w < 2 ? sup_start : dem_start;
                const int *ls = w < 2 ? sup_list : dem_list;
                for (int t = st[keys[w]]; t < st[keys[w] + 1]; t++) {
                    Cand *e = &cs[ls[t]];
                    if (e->alive && e->stamp != step) {
                        e->stamp = step;
                        refresh(g, e, r);
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
        (void)first;
        nex[rnd] = nreal;
        memcpy(out + (size_t)rnd * D, g->O, (size_t)D * sizeof(double));
        outcome_of(g, v, vout + (size_t)rnd * D);
        /* end-of-round update of the supplied positions */
        double *nw = hist + (size_t)(rnd + 1) * AD;
        memcpy(nw, xs, (size_t)AD * sizeof(double));
        for (int k = 0; k < AD; k++) {
            if (!supplied[k]) continue;
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
    free(g->W); free(g->order); free(g->norder); free(g->place); free(g->O); free(g->tl); free(g->prefix);
    free(g->terms); free(g->lst); free(ratio); free(left); free(grp); free(cs); free(recv); free(recf);
    free(live); free(prevpos); free(tmp); free(sup_start); free(dem_start); free(sup_fill); free(dem_fill);
    free(sup_list); free(dem_list); free(xs); free(supplied);
    return rc;
}
