/* Shingle hashes and MinHash signatures of a batch of documents, for sparkops/text/shingles.py
 * and sparkops/ops/dedup/minhash.py.
 *
 * Both are those modules' numpy code done in one pass, with the same answers bit for bit
 * (tests/test_minhash_kernel.py compares them): numpy needs some twenty array operations per
 * batch, each a pass over every character or shingle with a temporary as large, and
 * np.minimum.at and the densification's fancy indexing cost more than the arithmetic
 * (measurements: docs/decisions/text-kernels.md).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* sparkops/text/hashing.py: the polynomial base and the mixers of a token's hash */
#define B 0x100000001B3ull
#define LEN_MIX 0x9E3779B97F4A7C15ull
#define FINAL_MIX 0xBF58476D1CE4E5B9ull
/* sparkops/text/shingles.py: the base that combines a window's token hashes */
#define COMBINE 0x100000001B3ull
/* sparkops/ops/dedup/minhash.py: the seed mixed into a shingle hash before it picks a bin */
#define SEED 0x2545F4914F6CDD1Dull

/* shingles.mix64: splitmix64's finaliser */
static inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* The windows of the document being cut: its tokens so far (n), the last w token hashes in a
 * ring, and the polynomial h of those w. Moving the window by a token is exact modulo 2**64:
 * h = (h - t_old * C**(w-1)) * C + t_new, where numpy recomputes each window from its w
 * tokens. While n < w, h is the polynomial of all n tokens: a short document's one shingle. */
typedef struct {
    int64_t w, n, at, count, cap, doc;
    uint64_t h, top; /* top = C**(w-1) */
    uint64_t *ring, *out_h;
    int64_t *out_doc;
} windows;

static inline void add_token(windows *s, uint64_t t)
{
    if (s->n < s->w) {
        s->h = s->h * COMBINE + t;
        s->ring[s->n] = t;
    } else {
        s->h = (s->h - s->ring[s->at] * s->top) * COMBINE + t;
        s->ring[s->at] = t;
        if (++s->at == s->w)
            s->at = 0;
    }
    if (++s->n >= s->w) {
        if (s->count < s->cap) { /* past the room: only counted, so the caller can retry */
            s->out_doc[s->count] = s->doc;
            s->out_h[s->count] = mix64(s->h ^ (uint64_t)s->w);
        }
        s->count++;
    }
}

#define POWERS 256   /* B**0 .. B**255: a character's weight in a token that short */
#define PENDING 1024 /* tokens cut before they go to the windows */

/* Tokens cut and not yet in the windows, as (h, length) before hashing.py's final mix; and
 * the powers of B. */
typedef struct {
    uint64_t pw[POWERS];
    uint64_t h[PENDING], len[PENDING];
} pending;

static void flush(windows *s, const pending *t, int64_t nt)
{
    for (int64_t i = 0; i < nt; i++) {
        uint64_t x = (t->h[i] ^ t->len[i] * LEN_MIX) * FINAL_MIX;
        add_token(s, x ^ (x >> 31));
    }
}

/* tokens_uN, lowered_uN: feed the tokens of p[0:n] to the windows: the runs of characters c
 * with !sep[c], lowered_uN lowering each character first, as lower[c] (both tables over every
 * code point: p holds a Python string's code points, which never exceed U+10FFFF). A token's
 * hash is hashing.span_hashes' of its (lowered) code points.
 *
 * Without a branch per character: where a token ends is as unpredictable as word lengths,
 * and a mispredicted branch per token cost as much as the work on its characters. So every
 * character stores the token so far in the next free slot, which only the end of a token
 * keeps, and a character's weight B**k comes from a table (no multiply chain) up to k = 255;
 * a token longer than that is finished by the multiply chain (NAME_long). */
#define TOKENS(NAME, T, LOWER)                                                                 \
    static int64_t NAME##_long(const T *p, int64_t n, int64_t i, const uint32_t *lower,        \
                               const uint8_t *sep, uint64_t *h, uint64_t *len)                 \
    {                                                                                          \
        uint64_t bl = 1;                                                                       \
        for (int64_t k = 0; k < POWERS; k++)                                                   \
            bl *= B;                                                                           \
        for (; i < n; i++) {                                                                   \
            uint32_t c = p[i];                                                                 \
            c = LOWER ? lower[c] : c;                                                          \
            if (sep[c])                                                                        \
                break;                                                                         \
            *h += (uint64_t)c * bl;                                                            \
            bl *= B;                                                                           \
            ++*len;                                                                            \
        }                                                                                      \
        return i;                                                                              \
    }                                                                                          \
                                                                                               \
    static void NAME(const T *p, int64_t n, const uint32_t *lower, const uint8_t *sep,         \
                     pending *t, windows *s)                                                   \
    {                                                                                          \
        uint64_t h = 0, len = 0;                                                               \
        int64_t nt = 0;                                                                        \
        for (int64_t i = 0; i < n; i++) {                                                      \
            uint32_t c = p[i];                                                                 \
            c = LOWER ? lower[c] : c;                                                          \
            uint64_t in = !sep[c];                                                             \
            t->h[nt] = h;                                                                      \
            t->len[nt] = len;                                                                  \
            nt += (len != 0) & !in; /* a token ended before this separator: keep it */         \
            uint64_t keep = -in;                                                               \
            h = (h + c * t->pw[len]) & keep;                                                   \
            len = (len + 1) & keep;                                                            \
            if ((len == POWERS) | (nt == PENDING)) {                                           \
                if (len == POWERS) { /* to the separator (or the end) after the token */       \
                    i = NAME##_long(p, n, i + 1, lower, sep, &h, &len);                        \
                    t->h[nt] = h;                                                              \
                    t->len[nt++] = len;                                                        \
                    h = len = 0;                                                               \
                }                                                                              \
                if (nt == PENDING) {                                                           \
                    flush(s, t, nt);                                                           \
                    nt = 0;                                                                    \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        if (len) {                                                                             \
            t->h[nt] = h;                                                                      \
            t->len[nt++] = len;                                                                \
        }                                                                                      \
        flush(s, t, nt);                                                                       \
    }

TOKENS(tokens_u8, uint8_t, 0)
TOKENS(tokens_u16, uint16_t, 0)
TOKENS(tokens_u32, uint32_t, 0)
TOKENS(lowered_u8, uint8_t, 1)
TOKENS(lowered_u16, uint16_t, 1)
TOKENS(lowered_u32, uint32_t, 1)

/* batch_shingles: shingles.batch_shingle_hashes for "space" and "punctuation". Document d is
 * width[d] (1, 2 or 4) bytes a character, length[d] characters from element start[d] of p8,
 * p16 or p32. lower: NULL, or the lower-casing of every code point; sep: the separators, a
 * table over every code point. Writes (document, hash) pairs in numpy's order: every full
 * window in document order, then one shingle of all tokens per document with fewer than w
 * (but some) tokens, in document order (gathered in short_doc and short_h, n_docs entries
 * each, meanwhile). ring: room for min(w, most tokens of a document) hashes. Returns how many
 * pairs there are, also when more than cap (then not all were written: the caller retries
 * with room for all); -1 for a width other than 1, 2, 4; -2 without memory. */
int64_t batch_shingles(const uint8_t *p8, const uint16_t *p16, const uint32_t *p32,
                       const int8_t *width, const int64_t *start, const int64_t *length,
                       int64_t n_docs, const uint32_t *lower, const uint8_t *sep, int64_t w,
                       uint64_t *ring, int64_t *short_doc, uint64_t *short_h, int64_t *out_doc,
                       uint64_t *out_h, int64_t cap)
{
    windows s = {.w = w, .cap = cap, .ring = ring, .out_doc = out_doc, .out_h = out_h, .top = 1};
    int64_t shorts = 0;
    pending *t = malloc(sizeof *t);
    if (!t)
        return -2;
    t->pw[0] = 1;
    for (int k = 1; k < POWERS; k++)
        t->pw[k] = t->pw[k - 1] * B;
    for (int64_t j = 1; j < w; j++)
        s.top *= COMBINE;
    for (int64_t d = 0; d < n_docs; d++) {
        s.doc = d;
        s.n = s.at = 0;
        s.h = 0;
        switch (width[d]) {
        case 1:
            (lower ? lowered_u8 : tokens_u8)(p8 + start[d], length[d], lower, sep, t, &s);
            break;
        case 2:
            (lower ? lowered_u16 : tokens_u16)(p16 + start[d], length[d], lower, sep, t, &s);
            break;
        case 4:
            (lower ? lowered_u32 : tokens_u32)(p32 + start[d], length[d], lower, sep, t, &s);
            break;
        default:
            free(t);
            return -1;
        }
        if (s.n > 0 && s.n < w) {
            short_doc[shorts] = d;
            short_h[shorts++] = mix64(s.h ^ (uint64_t)s.n);
        }
    }
    free(t);
    if (s.count + shorts <= cap) {
        memcpy(out_doc + s.count, short_doc, shorts * sizeof *short_doc);
        memcpy(out_h + s.count, short_h, shorts * sizeof *short_h);
    }
    return s.count + shorts;
}

/* Optimal densification of a document with m filled bins (f[i]: bin i is filled; bins[0:m]
 * lists them): an empty bin i copies the first filled bin in its probe order probe[i]. */

/* By ranks: rank[j * k + i] is the position of bin j in bin i's order, so the smallest rank r
 * over the filled bins names the bin to copy, probe[i][r]. m x k look-ups, by rows, in
 * vectors of 16 bytes (GCC's and clang's vector extension: no instruction-set flag needed).
 * Ranks of 2 bytes are compared as int16 (they are below k <= 32768). */
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef int16_t i16x8 __attribute__((vector_size(16)));

#define DENSIFY_BY_RANKS(NAME, R, V)                                                           \
    static void NAME(uint32_t *row, const uint8_t *f, const int32_t *bins, int64_t m,          \
                     int64_t k, const int32_t *probe, const R *rank, R *best)                  \
    {                                                                                          \
        const int64_t lanes = sizeof(V) / sizeof(R);                                           \
        memcpy(best, rank + bins[0] * k, k * sizeof *best);                                    \
        for (int64_t a = 1; a < m; a++) {                                                      \
            const R *r = rank + bins[a] * k;                                                   \
            int64_t i = 0;                                                                     \
            for (; i + lanes <= k; i += lanes) {                                               \
                V x, y;                                                                        \
                memcpy(&x, r + i, sizeof x);                                                   \
                memcpy(&y, best + i, sizeof y);                                                \
                y ^= (x ^ y) & (V)(x < y);                                                     \
                memcpy(best + i, &y, sizeof y);                                                \
            }                                                                                  \
            for (; i < k; i++)                                                                 \
                best[i] = r[i] < best[i] ? r[i] : best[i];                                     \
        }                                                                                      \
        for (int64_t i = 0; i < k; i++) { /* a filled bin reads a filled bin, keeps its own */ \
            uint32_t copy = row[probe[i * k + best[i]]];                                       \
            row[i] = f[i] ? row[i] : copy;                                                     \
        }                                                                                      \
    }

DENSIFY_BY_RANKS(densify_by_ranks_u8, uint8_t, u8x16)
DENSIFY_BY_RANKS(densify_by_ranks_i16, int16_t, i16x8)

/* By probing: about k / m steps per empty bin, so cheaper than ranks once m is not small;
 * four steps a branch, since most bins end in their first four. */
static void densify_by_probing(uint32_t *row, const uint8_t *f, int64_t k, const int32_t *probe,
                               int32_t *empty)
{
    int64_t e = 0;
    for (int64_t i = 0; i < k; i++) {
        empty[e] = (int32_t)i;
        e += !f[i];
    }
    for (int64_t a = 0; a < e; a++) {
        int64_t i = empty[a], t = 0;
        const int32_t *order = probe + i * k;
        for (; t + 4 <= k; t += 4) {
            int32_t j0 = order[t], j1 = order[t + 1], j2 = order[t + 2], j3 = order[t + 3];
            if (f[j0] | f[j1] | f[j2] | f[j3])
                break;
        }
        while (!f[order[t]]) /* ends: the order is a permutation and a bin is filled */
            t++;
        row[i] = row[order[t]];
    }
}

/* signatures: minhash.signatures (with its _densify) of n shingle hashes of documents doc[],
 * into sig (n_docs x k) and has (n_docs). probe: k x k, each row a permutation of 0..k-1;
 * rank: its inverses transposed, rank_bytes (1, or 2 with k <= 32768) a value. Documents with
 * at most sparse_max filled bins are densified by ranks, the others by probing: the same
 * values. Rows of documents without shingles are 0, as numpy's empty marker 2**32 cast to
 * uint32. Returns 0; -1 for a document index outside 0..n_docs-1 (numpy raises); -2 without
 * memory. */
int signatures(const int64_t *doc, const uint64_t *shingles, int64_t n, int64_t n_docs,
               int64_t k, const int32_t *probe, const void *rank, int rank_bytes,
               int64_t sparse_max, uint32_t *sig, uint8_t *has)
{
    uint8_t *filled = calloc((size_t)(n_docs * k) + 1, 1);
    int64_t *count = calloc((size_t)n_docs + 1, sizeof *count);
    int32_t *bins = malloc((size_t)k * (sizeof *bins + rank_bytes)); /* and the best ranks */
    int rc = 0;
    if (!filled || !count || !bins) {
        rc = -2;
        goto done;
    }
    memset(sig, 0xFF, (size_t)(n_docs * k) * sizeof *sig);
    for (int64_t i = 0; i < n; i++) {
        int64_t d = doc[i];
        if (d < 0 || d >= n_docs) {
            rc = -1;
            goto done;
        }
        uint64_t x = mix64(shingles[i] ^ SEED);
        int64_t at = d * k + (int64_t)(((x >> 32) * (uint64_t)k) >> 32);
        uint32_t v = (uint32_t)x;
        count[d] += !filled[at];
        filled[at] = 1;
        sig[at] = v < sig[at] ? v : sig[at];
    }
    for (int64_t d = 0; d < n_docs; d++) {
        uint32_t *row = sig + d * k;
        const uint8_t *f = filled + d * k;
        int64_t m = count[d];
        has[d] = m > 0;
        if (m == 0) {
            memset(row, 0, (size_t)k * sizeof *row);
        } else if (m == k) {
            continue;
        } else if (m > sparse_max) {
            densify_by_probing(row, f, k, probe, bins);
        } else {
            int64_t a = 0;
            for (int64_t i = 0; i < k; i++) {
                bins[a] = (int32_t)i;
                a += f[i];
            }
            if (rank_bytes == 1)
                densify_by_ranks_u8(row, f, bins, m, k, probe, rank, (uint8_t *)(bins + k));
            else
                densify_by_ranks_i16(row, f, bins, m, k, probe, rank, (int16_t *)(bins + k));
        }
    }
done:
    free(filled);
    free(count);
    free(bins);
    return rc;
}
