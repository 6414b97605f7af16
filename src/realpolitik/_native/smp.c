/* smp's small single runs (models/smp_kernels.py SmallRun and models/smp.py _run_single) in C.
 *
 * The same floating-point operations, in the same order, as the Python/NumPy SmallRun, which is the
 * reference and the fallback; results are identical bit for bit (tests compare every output). Notes on
 * how NumPy orders the operations it performs, mirrored here:
 *
 * - np.add.reduce along an array's innermost axis is NumPy's pairwise summation over the whole row
 *   (np_sum below: sequential from -0.0 below 8 terms, else 8 accumulators and pairwise halves);
 *   along an outer axis it is strictly left to right, starting from the first element;
 * - np.multiply.reduce is left to right along any axis;
 * - np.maximum(a, b) is b unless a > b or a is NaN (so maximum(-0.0, 0.0) is +0.0);
 * - argmax takes the first maximum, or the first NaN;
 * - Python's max()/min() of a list keep the first item unless a later one compares greater/less.
 *
 * The options are those of small_path_applies (Prop votes, linear victory, conditional PCE, SemiCommit,
 * S2P2 or S1P1 bargains, InitOnly, deterministic), any risk range and risk adjustment.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rp_native.h"

#define PW_BLOCKSIZE 128

/* NumPy's pairwise sum of a contiguous row (np.add.reduce along the innermost axis). */
static double np_sum(const double *a, int64_t n) {
    if (n < 8) {
        double res = -0.0;
        for (int64_t i = 0; i < n; i++) res += a[i];
        return res;
    } else if (n <= PW_BLOCKSIZE) {
        double r[8], res;
        int64_t i;
        for (int j = 0; j < 8; j++) r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8) {
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        }
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    } else {
        int64_t n2 = n / 2;
        n2 -= n2 % 8;
        return np_sum(a, n2) + np_sum(a + n2, n - n2);
    }
}

static inline double np_max(double a, double b) {
    const double r = a > b ? a : b; /* (maxsd, without a branch) */
    return a != a ? a : r;
}

/* np.argmax of a row: the first maximum, or the first NaN. */
static int64_t np_argmax(const double *a, int64_t n) {
    double mp = a[0];
    int64_t mi = 0;
    if (mp != mp) return 0;
    for (int64_t i = 1; i < n; i++) {
        if (!(a[i] <= mp)) {
            mp = a[i];
            mi = i;
            if (mp != mp) break;
        }
    }
    return mi;
}

/* Coalition strengths c[a, b] (m x m) = sum over voters v in order of max((u[v, a] - u[v, b]) cap_v, 0),
 * the first term + 1e-8 (coalitions() of Prop votes); u[v, a] at u[v * ld + a]. The voters are the
 * outer loop, so the m * m sums are independent chains (each still in voter order). */
static void coalitions(const double *u, int64_t ld, int64_t m, int64_t nv, const double *cap, double *c) {
    for (int64_t a = 0; a < m; a++) {
        const double ua = u[a];
        for (int64_t b = 0; b < m; b++) c[a * m + b] = np_max((ua - u[b]) * cap[0], 0.0) + 1e-8;
    }
    for (int64_t v = 1; v < nv; v++) {
        const double *uv = u + v * ld, cv = cap[v];
        for (int64_t a = 0; a < m; a++) {
            const double ua = uv[a];
            double *ca = c + a * m;
            for (int64_t b = 0; b < m; b++) ca[b] = ca[b] + np_max((ua - uv[b]) * cv, 0.0);
        }
    }
}

/* Linear victory probabilities p[a, b] = c[a, b] / (c[a, b] + c[b, a]), 0.5 on the diagonal. */
static void victory(const double *c, int64_t m, double *p) {
    for (int64_t a = 0; a < m; a++) {
        for (int64_t b = 0; b < m; b++) p[a * m + b] = c[a * m + b] / (c[a * m + b] + c[b * m + a]);
        p[a * m + a] = 0.5;
    }
}

enum { RR_MID = 0, RR_MIN = 1, RR_MAX = 2 };
enum { RA_ONE_THIRD = 0, RA_NONE = 1, RA_HALF = 2, RA_TWO_THIRDS = 3, RA_FULL = 4 };
enum { IV_S2P2 = 0, IV_S1P1 = 1 };

typedef struct {
    int64_t n, dims, risk_range, risk_adjust, intervec;
    const double *sal, *sal2, *cap, *den_col, *s_tot, *w;
    const int64_t *bad; /* 1 where an actor has no salience at all (distance 0) */
    /* assessment */
    double *d, *u0, *c, *p, *q, *p0, *risk, *rp, *unj, *ustar, *uni;
    /* challenges */
    double *pmat, *gain, *cq; /* cq: 5n scratch */
    /* turn */
    int64_t *best, *init, *zrow, *pair;
    double *zy, *um, *values, *cm, *pv, *qq, *row, *usT;
    double *z; /* (n + 2n) x dims: the positions, then the offers */
} Work;

/* Actor i's salience-weighted distance from its position xi to y (distances()'s operations: squared
   weighted differences summed left to right over issues, divided by Σ_k s_ik², square root; 0 for an
   actor without salience). */
static inline double wdist(const double *xi, const double *y, const double *si, int64_t dims, double den,
                           int64_t bad) {
    double t = (xi[0] - y[0]) * si[0];
    double acc = t * t;
    for (int64_t k = 1; k < dims; k++) {
        t = (xi[k] - y[k]) * si[k];
        acc = acc + t * t;
    }
    return bad ? 0.0 : sqrt(acc / den);
}

/* SmallRun.assess: distances, risk-neutral election, risk attitudes and their estimates, u_nj. */
static void assess(Work *W, const double *x) {
    const int64_t n = W->n, dims = W->dims;
    const double *sal = W->sal;
    double *d = W->d, *u0 = W->u0, *c = W->c, *p = W->p, *q = W->q, *p0 = W->p0;
    double *risk = W->risk, *rp = W->rp, *unj = W->unj;
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < n; j++) {
            double acc = wdist(x + i * dims, x + j * dims, sal + i * dims, dims, W->den_col[i], W->bad[i]);
            d[i * n + j] = acc;
            u0[i * n + j] = 1.0 - acc;
        }
    }
    /* the risk-neutral election over every position: coalitions (voters k, options a, b), victory,
     * conditional PCE (row products in order) */
    coalitions(u0, n, n, n, W->cap, c);
    victory(c, n, p);
    for (int64_t a = 0; a < n; a++) q[a] = p[a * n];
    for (int64_t b = 1; b < n; b++) {
        for (int64_t a = 0; a < n; a++) q[a] = q[a] * p[a * n + b];
    }
    const double tot = np_sum(q, n);
    for (int64_t a = 0; a < n; a++) p0[a] = q[a] / tot;
    if (W->risk_range == RR_MID) {
        /* Python's max() and min() of the list */
        double pmax = p0[0], pmin = p0[0];
        for (int64_t a = 1; a < n; a++) {
            if (p0[a] > pmax) pmax = p0[a];
            if (p0[a] < pmin) pmin = p0[a];
        }
        const double spread = pmax - pmin;
        if (spread > 0) {
            const double ks = pmax + 2.0 * pmin, kd = 2.0 * spread;
            for (int64_t a = 0; a < n; a++) risk[a] = (p0[a] * 3.0 - ks) / kd;
        } else {
            for (int64_t a = 0; a < n; a++) risk[a] = 0.0;
        }
    } else {
        /* risk_attitudes: NumPy's max and min (NaN propagates) */
        double pmax = p0[0], pmin = p0[0];
        for (int64_t a = 1; a < n; a++) {
            if (pmax != pmax || p0[a] != p0[a]) {
                pmax = pmin = NAN;
                break;
            }
            if (p0[a] > pmax) pmax = p0[a];
            if (p0[a] < pmin) pmin = p0[a];
        }
        const double spread = pmax - pmin;
        const int ok = spread > 0;
        const double safe = ok ? spread : 1.0;
        for (int64_t a = 0; a < n; a++) {
            double r;
            if (W->risk_range == RR_MIN)
                r = (p0[a] - pmin) / safe;
            else
                r = ((2.0 * p0[a] - pmax) - pmin) / safe;
            risk[a] = ok ? r : 0.0;
        }
    }
    /* rp[h, i]: h's estimate of i's risk attitude */
    for (int64_t h = 0; h < n; h++) {
        for (int64_t i = 0; i < n; i++) {
            const double rh = risk[h], ri = risk[i];
            double r;
            switch (W->risk_adjust) {
            case RA_ONE_THIRD: r = (rh * 2.0 + ri) / 3.0; break;
            case RA_NONE: r = rh; break;
            case RA_HALF: r = (rh + ri) / 2.0; break;
            case RA_TWO_THIRDS: r = (rh + 2.0 * ri) / 3.0; break;
            default: r = ri; break;
            }
            rp[h * n + i] = r;
        }
    }
    /* u_nj at [n, i, j] = (1 - d_nj)(1 + d_nj r_in); U*[i, j] = u_nj[i, i, j]; u_ni[n, i] = u_nj[n, i, i] */
    for (int64_t m = 0; m < n; m++) {
        for (int64_t i = 0; i < n; i++) {
            const double r = rp[i * n + m];
            double *row = unj + (m * n + i) * n;
            for (int64_t j = 0; j < n; j++) row[j] = (d[m * n + j] * r + 1.0) * u0[m * n + j];
            W->uni[m * n + i] = row[i];
        }
    }
    for (int64_t i = 0; i < n; i++) memcpy(W->ustar + i * n, unj + (i * n + i) * n, (size_t)n * sizeof(double));
}

/* SmallRun.challenges: P_i(i > j) in pmat and G_i(i -> j) in gain (diagonal -inf).
 *
 * For each initiator i the targets j are the inner loop (contiguous in u_nj, independent sums), the
 * third parties m the outer one: every (i, j) sum still runs over m in order. */
static void challenges(Work *W) {
    const int64_t n = W->n;
    const double *unj = W->unj, *uni = W->uni, *w = W->w, *us = W->ustar;
    double *cp0 = W->cq, *cm0 = cp0 + n, *cp = cp0 + 2 * n, *cm = cp0 + 3 * n, *wrow = cp0 + 4 * n;
    for (int64_t i = 0; i < n; i++) {
        for (int64_t j = 0; j < n; j++) {
            /* the principals' votes: rows m = i and m = j of b_m = w_m (u_mi - u_mj) */
            const double bi = (uni[i * n + i] - unj[(i * n + i) * n + j]) * w[i];
            const double bj = (uni[j * n + i] - unj[(j * n + i) * n + j]) * w[j];
            const double bip = np_max(bi, 0.0), bjp = np_max(bj, 0.0);
            cp0[j] = cp[j] = (1e-10 + bip) + bjp;
            cm0[j] = cm[j] = (1e-10 + (bip - bi)) + (bjp - bj);
        }
        for (int64_t m = 0; m < n; m++) {
            const double u_ni = uni[m * n + i], wm = w[m];
            const double ni2 = u_ni + u_ni;
            const double a1 = ni2 + 1.0, a3 = ni2 + u_ni;
            const double *row = unj + (m * n + i) * n;
            /* a third party's weight, 0 where it is a principal (m = i or m = j) */
            const double wt = m == i ? 0.0 : wm;
            for (int64_t j = 0; j < n; j++) wrow[j] = wt;
            wrow[m] = 0.0;
            for (int64_t j = 0; j < n; j++) {
                const double u_nj = row[j];
                const double b = (u_ni - u_nj) * wm;
                const double bp = np_max(b, 0.0);
                const double bm = bp - b;
                const double num = bp + cp0[j];
                const double den = (bm + cm0[j]) + num;
                const double pi = num / den;
                const double pib = 1.0 - pi;
                const double nj2 = u_nj + u_nj;
                const double e_i = ((nj2 + u_nj) * pib) + (a1 * pi);
                const double e_j = ((nj2 + 1.0) * pib) + (a3 * pi);
                const double v = (e_i - e_j) * wrow[j];
                const double vp = np_max(v, 0.0);
                cp[j] = cp[j] + vp;
                cm[j] = cm[j] + (vp - v);
            }
        }
        for (int64_t j = 0; j < n; j++) {
            const double tot = cp[j] + cm[j];
            const double pp = cp[j] / tot, qq = cm[j] / tot;
            const double u = us[i * n + j];
            const double s = W->s_tot[j];
            double g = ((pp * 2.0) + ((qq * 2.0) * u)) * s;
            g = g + ((1.0 - s) * 2.0);
            g = g - (u + 1.0);
            W->pmat[i * n + j] = pp;
            W->gain[i * n + j] = (i == j) ? -INFINITY : g;
        }
    }
}

/* SmallRun.turn: new positions in new_x, targets (-1: none) in target. */
static void turn(Work *W, const double *x, double *new_x, int64_t *target) {
    const int64_t n = W->n, dims = W->dims;
    const double *sal = W->sal;
    challenges(W);
    int64_t n_slot = 0;
    for (int64_t i = 0; i < n; i++) {
        const int64_t b = np_argmax(W->gain + i * n, n);
        W->best[i] = b;
        if (W->gain[i * n + b] > 1e-5) {
            W->init[n_slot++] = i;
            target[i] = b;
        } else {
            target[i] = -1;
        }
    }
    if (n_slot == 0) {
        memcpy(new_x, x, (size_t)(n * dims) * sizeof(double));
        return;
    }
    const int64_t m = 1 + n_slot, m2 = 2 * n_slot;
    int64_t *pair = W->pair; /* the initiators, then their targets */
    for (int64_t s = 0; s < n_slot; s++) {
        pair[s] = W->init[s];
        pair[n_slot + s] = W->best[W->init[s]];
    }
    /* bargains: the offers (rounded to 4 decimals) at rows n.. of z: the initiators', then the targets' */
    double *z = W->z;
    memcpy(z, x, (size_t)(n * dims) * sizeof(double));
    double *zy = z + n * dims;
    for (int64_t s = 0; s < n_slot; s++) {
        const int64_t i = pair[s], r = pair[n_slot + s];
        double pi = W->pmat[i * n + r];
        double pj = 1.0 - pi;
        if (W->intervec == IV_S2P2) {
            pi = pi * pi;
            pj = pj * pj;
        }
        for (int64_t k = 0; k < dims; k++) {
            const double xi = x[i * dims + k], xj = x[r * dims + k];
            const double wi = W->sal2[i * dims + k] * pi, wj = W->sal2[r * dims + k] * pj;
            const double wie = wi + 1e-6, wje = wj + 1e-6;
            const double den = wie + wj;
            const double yi = ((wie * xi) + (wj * xj)) / den;
            const double yj = ((wje * xj) + (wi * xi)) / den;
            zy[s * dims + k] = floor(yi * 10000.0 + 0.5) / 10000.0;
            zy[(n_slot + s) * dims + k] = floor(yj * 10000.0 + 0.5) / 10000.0;
        }
    }
    /* utility to every actor i of every offer o, at [o, i] */
    double *um = W->um;
    for (int64_t o = 0; o < m2; o++) {
        for (int64_t i = 0; i < n; i++) {
            double dm = wdist(x + i * dims, zy + o * dims, sal + i * dims, dims, W->den_col[i], W->bad[i]);
            um[o * n + i] = (dm * W->risk[i] + 1.0) * (1.0 - dm);
        }
    }
    /* values[o, i]: the mean over actors a of the utility to i of a's position under option o */
    /* (sums over a in order; a is the outer loop, so the sums of one a are independent) */
    double *values = W->values;
    const double *us = W->ustar;
    double *usT = W->usT; /* U*[i, a] at [a, i] */
    for (int64_t i = 0; i < n; i++) {
        for (int64_t a = 0; a < n; a++) usT[a * n + i] = us[i * n + a];
    }
    const double nf = (double)n;
    /* a = 0: U*[i, 0], 0 for the option's moved positions, plus the moved positions' utilities */
    for (int64_t i = 0; i < n; i++) values[i] = usT[i];
    for (int64_t s = 0; s < n_slot; s++) {
        const int zero = pair[s] == 0 || pair[n_slot + s] == 0;
        double *vs = values + (1 + s) * n;
        const double *ui = um + s * n, *uj = um + (n_slot + s) * n;
        for (int64_t i = 0; i < n; i++) vs[i] = (zero ? 0.0 : usT[i]) + (ui[i] + uj[i]);
    }
    for (int64_t a = 1; a < n; a++) {
        const double *ua = usT + a * n;
        for (int64_t i = 0; i < n; i++) values[i] = values[i] + ua[i];
        for (int64_t s = 0; s < n_slot; s++) {
            double *vs = values + (1 + s) * n;
            if (a == pair[s] || a == pair[n_slot + s]) {
                for (int64_t i = 0; i < n; i++) vs[i] = vs[i] + 0.0;
            } else {
                for (int64_t i = 0; i < n; i++) vs[i] = vs[i] + ua[i];
            }
        }
    }
    for (int64_t o = 0; o < m * n; o++) values[o] = values[o] / nf;
    /* coalitions and victory probabilities among the options */
    double *cm = W->cm, *pv = W->pv, *valT = W->usT; /* values[o, v] at [v, o] (U*'s copy is done with) */
    for (int64_t o = 0; o < m; o++) {
        for (int64_t v = 0; v < n; v++) valT[v * m + o] = values[o * n + v];
    }
    coalitions(valT, m, m, n, W->cap, cm);
    victory(cm, m, pv);
    double *pvT = W->cm; /* pv[o, b] at [b, o] (the strengths are done with) */
    for (int64_t o = 0; o < m; o++) {
        for (int64_t b = 0; b < m; b++) pvT[b * m + o] = pv[o * m + b];
    }
    /* queues: zrow[i, o] the row of z holding i's position under option o, -1 outside i's queue */
    int64_t *zrow = W->zrow;
    for (int64_t i = 0; i < n; i++) {
        zrow[i * m] = i;
        for (int64_t o = 1; o < m; o++) zrow[i * m + o] = -1;
    }
    for (int64_t s = 0; s < n_slot; s++) {
        zrow[pair[s] * m + 1 + s] = n + s;
        zrow[pair[n_slot + s] * m + 1 + s] = n + n_slot + s;
    }
    int64_t q_max = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t len = 0;
        for (int64_t o = 0; o < m; o++) len += zrow[i * m + o] >= 0;
        if (len > q_max) q_max = len;
    }
    /* one conditional PCE per queue: q[i, o] = prod over b in order, the winner its argmax */
    double *qq = W->qq, *row = W->row;
    for (int64_t i = 0; i < n; i++) {
        /* the factors over b in order: pv[o, b] for b in i's queue (the status quo, b = 0, always is),
         * else 1 (o != b; a product by 1 is exact) and 0 (o = b) */
        for (int64_t o = 0; o < m; o++) qq[o] = pvT[o];
        for (int64_t b = 1; b < m; b++) {
            if (zrow[i * m + b] >= 0) {
                const double *pb = pvT + b * m;
                for (int64_t o = 0; o < m; o++) qq[o] = qq[o] * pb[o];
            } else {
                qq[b] = qq[b] * 0.0;
            }
        }
        int64_t len = 0;
        for (int64_t o = 0; o < m; o++) {
            if (zrow[i * m + o] >= 0) row[len++] = qq[o];
        }
        for (; len < q_max; len++) row[len] = 0.0;
        double tot = np_sum(row, q_max);
        tot = np_max(tot, 4.9406564584124654e-324);
        for (int64_t o = 0; o < m; o++) qq[o] = qq[o] / tot;
        const int64_t win = np_argmax(qq, m);
        int64_t zr = zrow[i * m + win];
        if (zr < 0) zr = 0; /* (take's mode="clip"; never reached: the status quo is in every queue) */
        memcpy(new_x + i * dims, z + zr * dims, (size_t)dims * sizeof(double));
    }
}

/* smp.state_probabilities for S states of one problem (prop votes, linear victory, conditional PCE):
 * per_actor, p_class (S, n) and class_of (S, n). scratch: 3 n^2 + n doubles, n int64. */
static void state_probabilities(int64_t S, int64_t n, int64_t dims, double tol, const double *xs,
                                const double *ustar, const double *cap, double *per_actor, double *p_class,
                                int64_t *class_of, double *scratch, int64_t *rep) {
    double *eqd = scratch, *c = scratch + n * n, *pv = scratch + 2 * n * n, *q = scratch + 3 * n * n;
    for (int64_t s = 0; s < S; s++) {
        const double *x = xs + s * n * dims, *us = ustar + s * n * n;
        /* eq[a, b]: plain Euclidean distance below tol (squares summed over dimensions in order) */
        for (int64_t a = 0; a < n; a++) {
            for (int64_t b = 0; b < n; b++) {
                double t = x[a * dims] - x[b * dims];
                double acc = t * t;
                for (int64_t k = 1; k < dims; k++) {
                    t = x[a * dims + k] - x[b * dims + k];
                    acc = acc + t * t;
                }
                eqd[a * n + b] = sqrt(acc) < tol ? 1.0 : 0.0;
            }
        }
        /* representatives: no earlier representative is equivalent (the fixed point, in actor order) */
        for (int64_t i = 0; i < n; i++) {
            int64_t r = 1;
            for (int64_t j = 0; j < i; j++) {
                if (eqd[j * n + i] != 0.0 && rep[j]) {
                    r = 0;
                    break;
                }
            }
            rep[i] = r;
        }
        /* coalitions over U* (voters k, options a, b) and victory probabilities */
        coalitions(us, n, n, n, cap, c);
        victory(c, n, pv);
        /* conditional PCE over the representatives (row products in order; a factor 1 is exact) */
        for (int64_t a = 0; a < n; a++) q[a] = rep[0] ? pv[a * n] : 1.0;
        for (int64_t b = 1; b < n; b++) {
            if (rep[b]) {
                for (int64_t a = 0; a < n; a++) q[a] = q[a] * pv[a * n + b];
            }
        }
        for (int64_t a = 0; a < n; a++) q[a] = rep[a] ? q[a] : 0.0;
        const double tot = np_max(np_sum(q, n), 4.9406564584124654e-324);
        double *pc = p_class + s * n;
        for (int64_t a = 0; a < n; a++) pc[a] = q[a] / tot;
        /* each actor's first and last equivalent representative (none: n and -1, which indexes n - 1) */
        for (int64_t i = 0; i < n; i++) {
            int64_t first = n, last = -1;
            for (int64_t j = 0; j < n; j++) {
                if (eqd[i * n + j] != 0.0 && rep[j]) {
                    if (first == n) first = j;
                    last = j;
                }
            }
            class_of[s * n + i] = first;
            per_actor[s * n + i] = pc[last >= 0 ? last : n - 1];
        }
    }
}

/* _run_single's loop: every state until the stop rule or max_steps, then the reported probabilities.
 *
 * iprm: n, dims, risk_range, risk_adjust, intervec, max_steps; dprm: stop_tol, position tolerance.
 * Inputs (C order): x0 (n, dims), sal, sal2 (n, dims), cap, den_col (den, 1 where bad), s_tot (n),
 * bad (n). Outputs, by state: hist (max_steps + 1, n, dims), ustar_h (max_steps + 1, n, n), risk_h
 * (max_steps + 1, n), targets (max_steps, n), ratios (max_steps); probs (2, max_steps + 1, n): the
 * per-actor and class probabilities, class_of (max_steps + 1, n); res[0] = rounds, res[1] = by_rule.
 * Returns 0, or -1 when memory runs out. */
RP_EXPORT int rp_smp_small_run(const int64_t *iprm, const double *dprm, const double *x0, const double *sal,
                               const double *sal2, const double *cap, const double *den_col,
                               const double *s_tot, const int64_t *bad, double *hist, double *ustar_h,
                               double *risk_h, int64_t *targets, double *ratios, double *probs,
                               int64_t *class_of, int64_t *res) {
    const int64_t n = iprm[0], dims = iprm[1], max_steps = iprm[5];
    const double stop_tol = dprm[0];
    Work W;
    W.n = n;
    W.dims = dims;
    W.risk_range = iprm[2];
    W.risk_adjust = iprm[3];
    W.intervec = iprm[4];
    W.sal = sal;
    W.sal2 = sal2;
    W.cap = cap;
    W.den_col = den_col;
    W.s_tot = s_tot;
    W.bad = bad;
    const int64_t nn = n * n, m1 = n + 1;
    /* the sizes taken below, in order */
    const size_t n_dbl = (size_t)(n + 9 * nn + n * nn + 3 * n + n + 3 * n * dims + 2 * nn + m1 * n + 2 * m1 * m1 +
                                  2 * m1 + 5 * n + m1 * n);
    double *buf = malloc(n_dbl * sizeof(double));
    int64_t *ibuf = malloc((size_t)(2 * n + n * m1 + 2 * n) * sizeof(int64_t));
    if (buf == NULL || ibuf == NULL) {
        free(buf);
        free(ibuf);
        return -1;
    }
    double *pb = buf;
#define TAKE(name, count) \
    do {                  \
        W.name = pb;      \
        pb += (count);    \
    } while (0)
    double *w = pb;
    pb += n;
    TAKE(d, nn);
    TAKE(u0, nn);
    TAKE(c, nn);
    TAKE(p, nn);
    TAKE(rp, nn);
    TAKE(ustar, nn);
    TAKE(uni, nn);
    TAKE(pmat, nn);
    TAKE(gain, nn);
    TAKE(unj, n * nn);
    TAKE(q, n);
    TAKE(p0, n);
    TAKE(risk, n);
    double *diff = pb;
    pb += n;
    TAKE(z, 3 * n * dims);
    TAKE(um, 2 * n * n);
    TAKE(values, m1 * n);
    TAKE(cm, m1 * m1);
    TAKE(pv, m1 * m1);
    TAKE(qq, m1);
    TAKE(row, m1);
    TAKE(cq, 5 * n);
    TAKE(usT, m1 * n);
#undef TAKE
    W.zy = W.z + n * dims;
    W.w = w;
    W.best = ibuf;
    W.init = ibuf + n;
    W.zrow = ibuf + 2 * n;
    W.pair = ibuf + 2 * n + n * m1;
    for (int64_t i = 0; i < n; i++) w[i] = cap[i] * s_tot[i];

    memcpy(hist, x0, (size_t)(n * dims) * sizeof(double));
    assess(&W, hist);
    memcpy(ustar_h, W.ustar, (size_t)nn * sizeof(double));
    memcpy(risk_h, W.risk, (size_t)n * sizeof(double));
    double base = 0.0;
    int64_t t = 0, by_rule = 0;
    for (t = 1; t <= max_steps; t++) {
        const double *cur = hist + (t - 1) * n * dims;
        double *new_x = hist + t * n * dims;
        turn(&W, cur, new_x, targets + (t - 1) * n);
        assess(&W, new_x);
        memcpy(ustar_h + t * nn, W.ustar, (size_t)nn * sizeof(double));
        memcpy(risk_h + t * n, W.risk, (size_t)n * sizeof(double));
        /* the step: sum over actors of the Euclidean move (NumPy's pairwise sums along rows) */
        for (int64_t i = 0; i < n; i++) {
            double *sq = W.zy; /* (scratch: dims may exceed n + 1; the offers are rewritten every turn) */
            for (int64_t k = 0; k < dims; k++) {
                const double dd = new_x[i * dims + k] - cur[i * dims + k];
                sq[k] = dd * dd;
            }
            diff[i] = sqrt(dims > 1 ? np_sum(sq, dims) : sq[0]);
        }
        const double step = np_sum(diff, n);
        if (t == 1) base = step + 1e-4;
        const double ratio = step / base;
        ratios[t - 1] = ratio;
        if (t >= 2 && ratio < stop_tol) {
            by_rule = 1;
            break;
        }
    }
    if (t > max_steps) t = max_steps;
    res[0] = t;
    res[1] = by_rule;
    /* (the scratch: the run's n x n buffers, d onwards, are free now) */
    state_probabilities(t + 1, n, dims, dprm[1], hist, ustar_h, cap, probs, probs + (t + 1) * n, class_of,
                        W.d, W.best);
    free(buf);
    free(ibuf);
    return 0;
}
