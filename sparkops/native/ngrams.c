/* How often each distinct n-gram of an integer sequence occurs, summarised as the repetition
 * filters need it (character n-grams over code points, word n-grams over word hashes).
 *
 * The numpy path (sparkops/text/ngrams.py) hashes every n-gram to 64 bits and sorts: a dozen
 * array operations per document, whose fixed cost dominates on documents of a few KB. Here one
 * pass counts the n-grams in an open-addressing table keyed by a rolling hash, and compares the
 * symbols themselves whenever two hashes agree: the counts are exact, as Data-Juicer's dict of
 * n-gram strings is, not merely exact up to a 64-bit collision.
 *
 * Memory: 16 bytes an n-gram plus 4 bytes a slot, at most twice as many slots as distinct
 * n-grams. Callers keep huge sequences on the numpy path, whose memory is 8 bytes an n-gram.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The distinct n-grams in order of first occurrence; the table holds an index into them. Two
 * arrays, not one table of entries: the table's random accesses then touch 4 bytes a slot (a
 * few KB document's table stays in the L1 cache, where a table of 16-byte slots spilled to
 * slower caches: docs/decisions/text-kernels.md), while the entries are written in order. */
typedef struct {
    uint64_t hash;
    uint32_t first; /* position of the n-gram's first occurrence */
    uint32_t count;
} entry_t;

#define BASE 0x100000001B3ULL /* odd: rolling multiplier */
#define MIX 0x9E3779B97F4A7C15ULL
#define EMPTY UINT32_MAX

/* a slot from the top bits of the mixed hash: they depend on every bit of the hash */
static inline uint64_t home(uint64_t hash, int shift) { return (hash * MIX) >> shift; }

static int cmp_desc(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a < b) - (a > b);
}

/* A table of ``cap`` empty slots, or NULL. */
static uint32_t *new_table(uint64_t cap) {
    uint32_t *table = malloc(cap * sizeof(uint32_t));
    if (table) memset(table, 0xFF, cap * sizeof(uint32_t));
    return table;
}

/* out: [0] n-grams (len - n + 1, or 0), [1] distinct n-grams, [2] distinct n-grams occurring more
 * than once, [3] occurrences of those, [4] occurrences of the int(sqrt(distinct)) most frequent of
 * them (at most [2] of them; the character repetition ratio's numerator). */
static int summarise(const entry_t *entries, int64_t m, uint64_t distinct, int64_t *out) {
    uint64_t repeated = 0, rep_sum = 0;
    for (uint64_t k = 0; k < distinct; k++)
        if (entries[k].count > 1) {
            repeated++;
            rep_sum += entries[k].count;
        }
    /* int(np.sqrt(distinct)): the square root of a double, correctly rounded, then truncated */
    uint64_t top = (uint64_t)sqrt((double)distinct);
    if (top > repeated) top = repeated;
    uint64_t top_sum = 0;
    if (top == repeated) {
        top_sum = rep_sum;
    } else if (top > 0) {
        uint32_t *counts = malloc(repeated * sizeof(uint32_t));
        if (!counts) return -1;
        uint64_t r = 0;
        for (uint64_t k = 0; k < distinct; k++)
            if (entries[k].count > 1) counts[r++] = entries[k].count;
        qsort(counts, repeated, sizeof(uint32_t), cmp_desc);
        for (uint64_t k = 0; k < top; k++) top_sum += counts[k];
        free(counts);
    }
    out[0] = m;
    out[1] = (int64_t)distinct;
    out[2] = (int64_t)repeated;
    out[3] = (int64_t)rep_sum;
    out[4] = (int64_t)top_sum;
    return 0;
}

/* One counting function per symbol width, so that the compiler sees fixed-size loads. */
#define DEFINE_STATS(NAME, T)                                                                        \
    static int NAME##_same(const T *s, int64_t a, int64_t b, int n) {                                \
        for (int k = 0; k < n; k++)                                                                  \
            if (s[a + k] != s[b + k]) return 0;                                                      \
        return 1;                                                                                    \
    }                                                                                                \
    static int NAME(const T *s, int64_t len, int n, int64_t *out) {                                  \
        int64_t m = len - n + 1;                                                                     \
        /* room for every n-gram being distinct, up to 4 MB of table; beyond, it grows */            \
        uint64_t cap = 64, distinct = 0;                                                             \
        int shift = 64 - 6;                                                                          \
        while (cap < 2 * (uint64_t)m && cap < (1u << 20)) {                                          \
            cap *= 2;                                                                                \
            shift--;                                                                                 \
        }                                                                                            \
        uint64_t mask = cap - 1;                                                                     \
        uint32_t *table = new_table(cap);                                                            \
        entry_t *entries = malloc((uint64_t)m * sizeof(entry_t));                                    \
        if (!table || !entries) {                                                                    \
            free(table);                                                                             \
            free(entries);                                                                           \
            return -1;                                                                               \
        }                                                                                            \
        uint64_t top_power = 1, h = 0; /* BASE**(n-1): takes out the symbol leaving the window */    \
        for (int k = 0; k < n; k++) {                                                                \
            h = h * BASE + s[k];                                                                     \
            if (k) top_power *= BASE;                                                                \
        }                                                                                            \
        for (int64_t i = 0;; i++) {                                                                  \
            uint64_t j = home(h, shift);                                                             \
            for (;;) {                                                                               \
                uint32_t e = table[j];                                                               \
                if (e == EMPTY) {                                                                    \
                    table[j] = (uint32_t)distinct;                                                   \
                    entries[distinct].hash = h;                                                      \
                    entries[distinct].first = (uint32_t)i;                                           \
                    entries[distinct].count = 1;                                                     \
                    distinct++;                                                                      \
                    break;                                                                           \
                }                                                                                    \
                if (entries[e].hash == h && NAME##_same(s, entries[e].first, i, n)) {                \
                    entries[e].count++;                                                              \
                    break;                                                                           \
                }                                                                                    \
                j = (j + 1) & mask;                                                                  \
            }                                                                                        \
            if (distinct * 2 > cap) { /* load at most one half: short probe runs */                  \
                free(table);                                                                         \
                cap *= 2;                                                                            \
                mask = cap - 1;                                                                      \
                shift--;                                                                             \
                table = new_table(cap);                                                              \
                if (!table) {                                                                        \
                    free(entries);                                                                   \
                    return -1;                                                                       \
                }                                                                                    \
                for (uint64_t k = 0; k < distinct; k++) {                                            \
                    uint64_t slot = home(entries[k].hash, shift);                                    \
                    while (table[slot] != EMPTY) slot = (slot + 1) & mask;                           \
                    table[slot] = (uint32_t)k;                                                       \
                }                                                                                    \
            }                                                                                        \
            if (i + 1 >= m) break;                                                                   \
            h = (h - s[i] * top_power) * BASE + s[i + n];                                            \
        }                                                                                            \
        free(table);                                                                                 \
        int done = summarise(entries, m, distinct, out);                                             \
        free(entries);                                                                               \
        return done;                                                                                 \
    }

DEFINE_STATS(stats_u8, uint8_t)
DEFINE_STATS(stats_u16, uint16_t)
DEFINE_STATS(stats_u32, uint32_t)
DEFINE_STATS(stats_u64, uint64_t)

/* The n-gram statistics of ``len`` symbols of ``width`` bytes (1, 2, 4 or 8) into ``out`` (see
 * summarise). Returns 0, or -1 when memory runs out, ``n`` is not positive, the width is not one
 * of those or the sequence is longer than 2**32 - 2 (callers then take the numpy path). */
int ngram_stats(const void *seq, int width, int64_t len, int n, int64_t *out) {
    memset(out, 0, 5 * sizeof(int64_t));
    if (n <= 0 || len > 0xFFFFFFFELL) return -1;
    if (len - n + 1 <= 0) return 0;
    switch (width) {
    case 1: return stats_u8(seq, len, n, out);
    case 2: return stats_u16(seq, len, n, out);
    case 4: return stats_u32(seq, len, n, out);
    case 8: return stats_u64(seq, len, n, out);
    default: return -1;
    }
}
