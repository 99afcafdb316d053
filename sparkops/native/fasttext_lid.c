/* Bit-exact re-implementation of fastText's supervised predict(text, k=1,
 * threshold=0.0) for a quantized hierarchical-softmax model (lid.176.ftz),
 * as reached from Python via FastText.predict -> multilinePredict ->
 * FastText::predictLine -> Dictionary::getLine (istream version) ->
 * Model::predict -> QuantMatrix::averageRowsToVector ->
 * HierarchicalSoftmaxLoss::predict/dfs -> std::exp(score).
 * (fastText commit 1142dc4, which the fasttext-numpy2 0.10.4 wheel is built from.)
 *
 * Built by sparkops.native (gcc -O2 -ffp-contract=off -shared -fPIC ... -lm) on first use.
 * No -ffast-math / -march=native: every float op must round like the C++ .so
 * (which is plain SSE2, no FMA; checked with objdump).  tests/test_lid_kernel.py compares
 * it with fasttext's own predict.
 *
 * Input: one UTF-8 buffer holding all documents separated by '\n' (the Python
 * wrapper, sparkops.models.fasttext_lid, joins them).  Each document behaves exactly like fastText's
 * "text + '\n'" in its own stringstream.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DIM 16            /* this kernel is specialised for args.dim == 16, */
#define DSUB 2            /* dsub == 2 (so lastdsub == 2) */
#define NSUBQ (DIM / DSUB)

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* One row of the QuantMatrix: its 8 PQ codes and its (decoded) norm. */
typedef struct { uint8_t code[NSUBQ]; float norm; } prow_t;
typedef struct { int32_t key; prow_t row; } pslot_t;
typedef struct { uint32_t hash; int32_t wid; } wslot_t;   /* wid -1 = empty */

typedef struct {
    int32_t nwords, nlabels, minn, maxn;
    uint32_t bucket;
    /* words (dictionary entries 0..nwords-1), own open-addressing table */
    const char *wbuf; const int64_t *woff;
    wslot_t *wtab; uint32_t wmask;
    /* precomputed Dictionary::getSubwords(wid): rows [wid, ngram rows...],
     * stored as packed quantized rows so one word's rows are contiguous */
    prow_t *sub; int64_t *suboff;
    /* pruneidx_: ngram bucket -> packed row nwords + pruneidx_[bucket];
     * key and row share a 16-byte slot (one cache line access per hit) */
    pslot_t *ptab; uint32_t pmask; int64_t prune_size;
    uint64_t *pbits;      /* bitmap over buckets: is the bucket in pruneidx_?
                           * (2M bits = 256 KB, stays in L2; ~90% of n-gram
                           * lookups on real text are misses) */
    const uint8_t *codes; /* QuantMatrix codes_, NSUBQ bytes per row */
    const float *norms;   /* per row: npq_->get_centroids(0, norm_codes_[i])[0] */
    const float *cent;    /* pq_->centroids_, 256*DIM floats */
    const float *out;     /* dense output matrix, nlabels x DIM */
    /* Huffman tree (HierarchicalSoftmaxLoss::buildTree) */
    int32_t *left, *right;
    float log_thr;        /* std_log(threshold = 0.0f) */
    int32_t eos;          /* word id of "</s>" or -1 */
} lid_model;

/* Dictionary::hash: FNV-1a, but each byte is sign-extended (int8 -> uint32)
 * before the xor, so bytes >= 0x80 xor 0xFFFFFFxx.  Kept for compatibility
 * with released models. */
static inline uint32_t fnv_step(uint32_t h, unsigned char c) {
    return (h ^ (uint32_t)(int32_t)(int8_t)c) * 16777619u;
}
#define FNV_INIT 2166136261u

static inline uint32_t mix(uint32_t k) { return k * 2654435761u; }

/* Exact-match word lookup (same result as Dictionary::getId; the table itself
 * is ours: a power-of-two table with the FNV hash stored to skip memcmp). */
static inline int32_t word_find(const lid_model *m, const char *s, int64_t n, uint32_t h) {
    for (uint32_t i = mix(h) & m->wmask;; i = (i + 1) & m->wmask) {
        const wslot_t *e = &m->wtab[i];
        if (e->wid < 0) return -1;
        if (e->hash == h && m->woff[e->wid + 1] - m->woff[e->wid] == n &&
            memcmp(m->wbuf + m->woff[e->wid], s, n) == 0)
            return e->wid;
    }
}

/* Dictionary::pushHash: with a pruned dictionary, only buckets present in
 * pruneidx_ survive and map to row nwords + pruneidx_[id]; others are dropped.
 * (pruneidx_size_ == 0 drops everything; an unpruned model (< 0) is rejected
 * by the Python loader: a quantized model without pruning is not handled.) */
static inline const prow_t *prune_lookup(const lid_model *m, int32_t id) {
    if (m->prune_size == 0) return NULL;
    if (!((m->pbits[(uint32_t)id >> 6] >> (id & 63)) & 1)) return NULL;
    for (uint32_t i = mix((uint32_t)id) & m->pmask;; i = (i + 1) & m->pmask)
        if (m->ptab[i].key == id) return &m->ptab[i].row;
}

/* Dictionary::computeSubwords on w = "<" + tok + ">" (wl bytes): char n-grams
 * (UTF-8 aware: a char = lead byte + following 10xxxxxx bytes) of length
 * minn..maxn, in order of start position then length; 1-grams touching
 * BOW/EOW are skipped.  hash(ngram) % bucket is done in uint32 (hash is
 * uint32, bucket int32 -> converted to unsigned).  The FNV hash is extended
 * incrementally, which equals re-hashing each n-gram from scratch.
 * EMIT(row) for every row pushHash keeps.  (The bucket == 2000000 branch only
 * lets the compiler replace the division by a multiplication.) */
#define COMPUTE_SUBWORDS(m, w, wl, EMIT)                                        \
    do {                                                                        \
        for (int64_t i_ = 0; i_ < (wl); i_++) {                                 \
            if (((w)[i_] & 0xC0) == 0x80) continue;                             \
            uint32_t h_ = FNV_INIT;                                             \
            int64_t j_ = i_;                                                    \
            for (int n_ = 1; j_ < (wl) && n_ <= (m)->maxn; n_++) {              \
                h_ = fnv_step(h_, (w)[j_++]);                                   \
                while (j_ < (wl) && ((w)[j_] & 0xC0) == 0x80)                   \
                    h_ = fnv_step(h_, (w)[j_++]);                               \
                if (n_ >= (m)->minn && !(n_ == 1 && (i_ == 0 || j_ == (wl)))) { \
                    uint32_t b_ = (m)->bucket == 2000000u ? h_ % 2000000u : h_ % (m)->bucket; \
                    const prow_t *r_ = prune_lookup((m), (int32_t)b_);         \
                    if (r_) { EMIT(r_); }                                       \
                }                                                               \
            }                                                                   \
        }                                                                       \
    } while (0)

/* QuantMatrix::addRowToVector(x, i) -> ProductQuantizer::addcode(x, codes, i,
 * alpha = norm_i): x[m*dsub+n] += alpha * c[n], a float32 multiply (rounded)
 * then a float32 add.  mulps/addps round each lane exactly like the scalar
 * ops, and -ffp-contract=off forbids fusing them.  x is kept as 4 x 4 lanes. */
#if defined(__SSE2__)
typedef struct { __m128 v[4]; } acc_t;
static inline void acc_zero(acc_t *a) { for (int q = 0; q < 4; q++) a->v[q] = _mm_setzero_ps(); }
static inline void acc_add(acc_t *a, const float *cent, const prow_t *r) {
    __m128 nv = _mm_set1_ps(r->norm);
    for (int q = 0; q < 4; q++) {
        /* subquantizers 2q and 2q+1: get_centroids(m, code) = cent + (m*256 + code)*2 */
        __m128 c = _mm_castpd_ps(_mm_load_sd((const double *)(cent + ((2 * q) * 256 + r->code[2 * q]) * DSUB)));
        c = _mm_loadh_pi(c, (const __m64 *)(cent + ((2 * q + 1) * 256 + r->code[2 * q + 1]) * DSUB));
        a->v[q] = _mm_add_ps(a->v[q], _mm_mul_ps(nv, c));
    }
}
static inline void acc_store(const acc_t *a, float *x) { for (int q = 0; q < 4; q++) _mm_storeu_ps(x + 4 * q, a->v[q]); }
#else
typedef struct { float v[DIM]; } acc_t;
static inline void acc_zero(acc_t *a) { for (int j = 0; j < DIM; j++) a->v[j] = 0.0f; }
static inline void acc_add(acc_t *a, const float *cent, const prow_t *r) {
    for (int m = 0; m < NSUBQ; m++) {
        const float *c = cent + (m * 256 + r->code[m]) * DSUB;
        for (int n = 0; n < DSUB; n++) a->v[m * DSUB + n] += r->norm * c[n];
    }
}
static inline void acc_store(const acc_t *a, float *x) { memcpy(x, a->v, sizeof a->v); }
#endif

void lid_free(lid_model *m) {
    if (!m) return;
    free(m->wtab); free(m->sub); free(m->suboff); free(m->ptab); free(m->pbits);
    free(m->left); free(m->right); free(m);
}

static uint32_t pow2_at_least(uint64_t n) { uint32_t s = 16; while (s < n) s <<= 1; return s; }

/* All arrays are borrowed (the Python side keeps them alive) except the
 * tables built here. */
lid_model *lid_new(int32_t nwords, const char *wbuf, const int64_t *woff,
                   int32_t nlabels, const int64_t *label_counts,
                   int64_t prune_size, const int32_t *prune_keys, const int32_t *prune_vals,
                   int32_t dim, const uint8_t *codes, const float *norms,
                   const float *centroids, const float *output,
                   int32_t minn, int32_t maxn, int32_t bucket) {
    if (dim != DIM) return NULL;
    lid_model *m = calloc(1, sizeof *m);
    m->nwords = nwords; m->nlabels = nlabels; m->minn = minn; m->maxn = maxn;
    m->bucket = (uint32_t)bucket; m->wbuf = wbuf; m->woff = woff;
    m->codes = codes; m->norms = norms; m->cent = centroids;
    m->out = output; m->prune_size = prune_size;

    uint32_t ws = pow2_at_least((uint64_t)nwords * 2);
    m->wmask = ws - 1; m->wtab = malloc(ws * sizeof(wslot_t));
    for (uint32_t i = 0; i < ws; i++) m->wtab[i].wid = -1;
    for (int32_t w = 0; w < nwords; w++) {
        uint32_t h = FNV_INIT;
        for (int64_t k = woff[w]; k < woff[w + 1]; k++) h = fnv_step(h, (unsigned char)wbuf[k]);
        uint32_t i = mix(h) & m->wmask;
        while (m->wtab[i].wid >= 0) i = (i + 1) & m->wmask;
        m->wtab[i].hash = h; m->wtab[i].wid = w;
    }

    uint32_t ps = pow2_at_least((uint64_t)(prune_size > 0 ? prune_size : 1) * 3 / 2);
    m->pmask = ps - 1;
    m->ptab = malloc(ps * sizeof(pslot_t));
    for (uint32_t i = 0; i < ps; i++) m->ptab[i].key = -1;
    m->pbits = calloc(((uint64_t)bucket + 63) / 64, sizeof(uint64_t));
    for (int64_t p = 0; p < prune_size; p++) {
        int32_t k = prune_keys[p], row = nwords + prune_vals[p];
        uint32_t i = mix((uint32_t)k) & m->pmask;
        while (m->ptab[i].key >= 0) i = (i + 1) & m->pmask;
        m->ptab[i].key = k;
        memcpy(m->ptab[i].row.code, codes + (int64_t)row * NSUBQ, NSUBQ);
        m->ptab[i].row.norm = norms[row];
        m->pbits[(uint32_t)k >> 6] |= 1ull << (k & 63);
    }

    /* Dictionary::initNgrams: subwords(i) = [i] + computeSubwords("<w>"),
     * except EOS "</s>" which gets only [i]. */
    int64_t cap = 1024, len = 0;
    m->sub = malloc(cap * sizeof(prow_t));
    m->suboff = malloc((nwords + 1) * sizeof(int64_t));
#define PUSH_SUB(r) do { if (len == cap) { cap *= 2; m->sub = realloc(m->sub, cap * sizeof(prow_t)); } m->sub[len++] = *(r); } while (0)
    for (int32_t w = 0; w < nwords; w++) {
        m->suboff[w] = len;
        prow_t self;  /* the word's own row (index w) comes first */
        memcpy(self.code, codes + (int64_t)w * NSUBQ, NSUBQ); self.norm = norms[w];
        PUSH_SUB(&self);
        const char *s = wbuf + woff[w]; int64_t n = woff[w + 1] - woff[w];
        if (!(n == 4 && memcmp(s, "</s>", 4) == 0)) {
            unsigned char *wb = malloc(n + 2);
            wb[0] = '<'; memcpy(wb + 1, s, n); wb[n + 1] = '>';
            COMPUTE_SUBWORDS(m, wb, n + 2, PUSH_SUB);
            free(wb);
        }
    }
    m->suboff[nwords] = len;

    /* HierarchicalSoftmaxLoss::buildTree (Huffman over label counts, which
     * the dictionary keeps sorted by decreasing count). */
    int32_t osz = nlabels, nn = 2 * osz - 1;
    int64_t *cnt = malloc(nn * sizeof(int64_t));
    m->left = malloc(nn * sizeof(int32_t)); m->right = malloc(nn * sizeof(int32_t));
    for (int32_t i = 0; i < nn; i++) { cnt[i] = (int64_t)1e15; m->left[i] = m->right[i] = -1; }
    for (int32_t i = 0; i < osz; i++) cnt[i] = label_counts[i];
    int32_t leaf = osz - 1, node = osz;
    for (int32_t i = osz; i < nn; i++) {
        int32_t mini[2];
        for (int j = 0; j < 2; j++)
            mini[j] = (leaf >= 0 && cnt[leaf] < cnt[node]) ? leaf-- : node++;
        m->left[i] = mini[0]; m->right[i] = mini[1];
        cnt[i] = cnt[mini[0]] + cnt[mini[1]];
    }
    free(cnt);
    /* std_log(real x) { return std::log(x + 1e-5); }: x float, sum in double,
     * double log, result rounded to float. threshold = 0.0f. */
    m->log_thr = (float)log((double)0.0f + 1e-5);
    {
        uint32_t h = FNV_INIT;
        for (int k = 0; k < 4; k++) h = fnv_step(h, (unsigned char)"</s>"[k]);
        m->eos = word_find(m, "</s>", 4, h);
    }
    return m;
}

static inline float std_log(float x) { return (float)log((double)x + 1e-5); }

/* HierarchicalSoftmaxLoss::dfs specialised to k == 1.  The heap of size 1 is
 * (have, best_score, best_node).  comparePairs is "a.first > b.first", so the
 * heap front is the minimum; a new leaf is only rejected if strictly smaller,
 * and on a tie push_heap+pop_heap evicts the OLD element: later leaves win. */
typedef struct { int have; float score; int32_t node; } best_t;

static void dfs(const lid_model *m, int32_t node, float score, const float *hidden, best_t *b) {
    if (score < m->log_thr) return;
    if (b->have && score < b->score) return;
    if (m->left[node] == -1 && m->right[node] == -1) {
        b->have = 1; b->score = score; b->node = node;
        return;
    }
    /* DenseMatrix::dotRow: float accumulator, sequential j, no FMA. */
    const float *w = m->out + (int64_t)(node - m->nlabels) * DIM;
    float d = 0.0f;
    for (int j = 0; j < DIM; j++) d += w[j] * hidden[j];
    /* f = 1. / (1 + std::exp(-f)): std::exp(float) is expf, "1 + float" is a
     * float add, "1. / float" a double division, stored back to float. */
    float f = (float)(1.0 / (double)(1.0f + expf(-d)));
    /* std_log(1.0 - f): the subtraction is in double, then narrowed to float
     * by the real parameter; score + float is a float add. */
    dfs(m, m->left[node], score + std_log((float)(1.0 - (double)f)), hidden, b);
    dfs(m, m->right[node], score + std_log(f), hidden, b);
}

static int is_space(unsigned char c) {
    /* Dictionary::readWord separators */
    return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

/* Per-call cache of out-of-vocabulary tokens -> the packed rows their
 * n-grams produced.  Real text repeats OOV tokens a lot (~80% of OOV
 * occurrences in the bench corpus), and replaying the identical row sequence
 * performs the identical float ops, so results are unchanged.  Entry layout in
 * the arena: int32 token length, int32 row count, token bytes padded to 4,
 * then the prow_t rows.  When full it is simply cleared. */
#ifndef OOV_SLOTS
#define OOV_SLOTS (1u << 16)           /* 512 KB of slots (tuned: bigger is slower) */
#endif
#ifndef OOV_ARENA
#define OOV_ARENA (4u << 20)           /* 4 MB of entries */
#endif
#define OOV_MAXTOK 256                 /* longer tokens are not cached */
typedef struct { uint32_t hash, off; } oslot_t;   /* off = arena offset + 1; 0 = empty */
typedef struct { oslot_t *slot; unsigned char *arena; uint32_t used, n; } oov_cache;

static const unsigned char *oov_get(const oov_cache *c, const char *tok, int64_t tl, uint32_t h) {
    for (uint32_t i = mix(h ^ 0x9e3779b9u) & (OOV_SLOTS - 1);; i = (i + 1) & (OOV_SLOTS - 1)) {
        if (!c->slot[i].off) return NULL;
        if (c->slot[i].hash == h) {
            const unsigned char *e = c->arena + c->slot[i].off - 1;
            int32_t l; memcpy(&l, e, 4);
            if (l == tl && memcmp(e + 8, tok, tl) == 0) return e;
        }
    }
}

/* Predict ndocs documents from buf[0..len), separated by '\n'.  Writes the
 * label index (into the dictionary's label list) and the probability
 * expf(score) as float32 (predictLine: std::exp(p.first), p.first float).
 * label -1 / prob NAN where fastText returns an empty prediction (empty input
 * rows, or every leaf pruned by score < std_log(0)); with this model EOS is
 * in the vocabulary so the input is never empty.  Returns the number of
 * documents processed, or -1 on allocation failure. */
int64_t lid_predict(const lid_model *m, const char *buf, int64_t len, int64_t ndocs,
                    int32_t *labels, float *probs) {
    const unsigned char *s = (const unsigned char *)buf;
    int64_t p = 0, doc = 0;
    static const char LBL[] = "__label__";
    const int64_t lbl_len = 9;
    /* scratch for "<" + token + ">" (BOW/EOW added as in addSubwords) */
    unsigned char *wb = malloc(len + 3);
    oov_cache oc = {calloc(OOV_SLOTS, sizeof(oslot_t)), malloc(OOV_ARENA), 0, 0};
    if (!wb || !oc.slot || !oc.arena) { free(wb); free(oc.slot); free(oc.arena); return -1; }
    while (doc < ndocs) {
        acc_t acc;
        acc_zero(&acc);                                  /* x.zero() */
        uint64_t nrows = 0;
#define ACC(r) do { acc_add(&acc, m->cent, (r)); nrows++; } while (0)
        int stopped = 0;          /* a literal "</s>" token ends the line */
        for (;;) {
            /* Dictionary::readWord: skip separators; '\n' (end of this doc) with an
             * empty word yields EOS. */
            while (p < len && s[p] != '\n' && is_space(s[p])) p++;
            if (p >= len || s[p] == '\n') break;
            int64_t b0 = p;
            uint32_t h = FNV_INIT;
            while (p < len && !is_space(s[p])) { h = fnv_step(h, s[p]); p++; }
            int64_t tl = p - b0;
            const char *tok = buf + b0;
            int32_t wid = word_find(m, tok, tl, h);
            if (wid >= 0) {
                for (int64_t k = m->suboff[wid]; k < m->suboff[wid + 1]; k++) ACC(&m->sub[k]);
            } else if (!(tl >= lbl_len && memcmp(tok, LBL, lbl_len) == 0) &&
                       !(tl == 4 && memcmp(tok, "</s>", 4) == 0)) {
                /* OOV word (getType: not starting with "__label__"; addSubwords
                 * skips an OOV EOS).  Labels, in the dictionary or not, contribute
                 * nothing to the input (getLine only records them as labels). */
                const unsigned char *e = tl <= OOV_MAXTOK ? oov_get(&oc, tok, tl, h) : NULL;
                if (e) {                          /* replay cached rows */
                    int32_t nr; memcpy(&nr, e + 4, 4);
                    const prow_t *r = (const prow_t *)(e + 8 + ((tl + 3) & ~3));
                    for (int32_t k = 0; k < nr; k++) ACC(&r[k]);
                } else {
                    wb[0] = '<'; memcpy(wb + 1, tok, tl); wb[tl + 1] = '>';
                    uint32_t need = 8 + ((tl + 3) & ~3) + (uint32_t)(m->maxn * (tl + 2)) * sizeof(prow_t);
                    if (tl <= OOV_MAXTOK) {
                        if (oc.used + need > OOV_ARENA || oc.n >= OOV_SLOTS / 2) {
                            memset(oc.slot, 0, OOV_SLOTS * sizeof(oslot_t));   /* full: clear */
                            oc.used = oc.n = 0;
                        }
                        unsigned char *ne = oc.arena + oc.used;
                        prow_t *out = (prow_t *)(ne + 8 + ((tl + 3) & ~3));
                        int32_t nr = 0;
#define ACC_REC(r) do { ACC(r); out[nr++] = *(r); } while (0)
                        COMPUTE_SUBWORDS(m, wb, tl + 2, ACC_REC);
                        int32_t l32 = (int32_t)tl;
                        memcpy(ne, &l32, 4); memcpy(ne + 4, &nr, 4); memcpy(ne + 8, tok, tl);
                        uint32_t i = mix(h ^ 0x9e3779b9u) & (OOV_SLOTS - 1);
                        while (oc.slot[i].off) i = (i + 1) & (OOV_SLOTS - 1);
                        oc.slot[i].hash = h; oc.slot[i].off = oc.used + 1;
                        oc.used += 8 + ((tl + 3) & ~3) + nr * sizeof(prow_t);
                        oc.n++;
                    } else {
                        COMPUTE_SUBWORDS(m, wb, tl + 2, ACC);
                    }
                }
            }
            if (tl == 4 && memcmp(tok, "</s>", 4) == 0) { stopped = 1; break; }
        }
        if (!stopped) {
            /* the trailing '\n' -> EOS token.  In vocab: its subwords are [id];
             * out of vocab, addSubwords adds nothing for EOS. */
            if (m->eos >= 0)
                for (int64_t k = m->suboff[m->eos]; k < m->suboff[m->eos + 1]; k++) ACC(&m->sub[k]);
        }
        /* skip the rest of this document (only non-empty after a "</s>" stop) */
        while (p < len && s[p] != '\n') p++;
        p++;  /* past the '\n' separator (or past the end) */

        best_t b = {0, 0.0f, -1};
        if (nrows > 0) {   /* FastText::predict returns nothing for empty input */
            /* averageRowsToVector: x.mul(1.0 / rows.size()); the double quotient
             * is narrowed to float (Vector::mul(real)), then a float multiply. */
            float x[DIM];
            acc_store(&acc, x);
            /* real(rows.size()) is a float first: past 2^24 rows (a 50 MB text) it rounds */
            float a = (float)(1.0 / (double)(float)nrows);
            for (int j = 0; j < DIM; j++) x[j] *= a;
            dfs(m, 2 * m->nlabels - 2, 0.0f, x, &b);
        }
        if (b.have) { labels[doc] = b.node; probs[doc] = expf(b.score); }
        else { labels[doc] = -1; probs[doc] = NAN; }
        doc++;
    }
    free(wb); free(oc.slot); free(oc.arena);
    return doc;
}
