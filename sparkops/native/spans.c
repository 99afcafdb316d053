/* Word spans and span hashes of one document, for sparkops/text/charsets.py and hashing.py.
 *
 * Both functions are the numpy code of those modules done in one pass, with the same answers
 * bit for bit (tests/test_spans_kernel.py compares them): numpy needs a dozen array operations
 * and as many temporaries per document, which on a 3 KB document cost more than the work.
 * Each function exists once per width of the code-point array (uint8, uint16, uint32: see
 * sparkops.text.doc.code_points), so no array is widened first.
 */

#include <stdint.h>
#include <stddef.h>

/* sparkops/text/hashing.py: the polynomial base (odd), its inverse modulo 2**64, the mixers */
#define B 0x100000001B3ull
#define B_INV 0xCE965057AFF6957Bull
#define LEN_MIX 0x9E3779B97F4A7C15ull
#define FINAL_MIX 0xBF58476D1CE4E5B9ull

#define MAX_CODE_POINT 0x110000

/* span_hashes_uN: out[i] = hash of p[starts[i]:ends[i]], i < count; 0, or -1 (nothing
 * promised in out) when a span is not within 0 <= start <= end <= n: the caller then lets
 * the numpy code answer, which raises or does what numpy indexing does.
 *
 * The hash of p[s:e] is mix(H, e - s) with H = sum(p[s+k] * B**k) modulo 2**64 (uint64
 * arithmetic wraps exactly so). H is kept for a current span [s0, e0) with BL = B**(e0-s0),
 * and moved to the next span by appending characters at its end (H += c * BL) and dropping
 * them at its start (H = (H - c) * B_INV, exact because B * B_INV = 1 modulo 2**64), or
 * computed afresh when that is shorter. So shingles and n-gram windows (overlapping spans of
 * any width) cost a few operations per span, words one multiply-add per character, and any
 * order of spans is right (a span before the current one is computed afresh). No temporaries:
 * the numpy code's prefix sums need 24 bytes a character of a window. */
#define SPAN_HASHES(NAME, T)                                                                   \
    int NAME(const T *p, int64_t n, const int64_t *starts, const int64_t *ends, int64_t count, \
             uint64_t *out)                                                                   \
    {                                                                                          \
        int64_t s0 = 0, e0 = 0;                                                                \
        uint64_t h = 0, bl = 1;                                                                \
        for (int64_t i = 0; i < count; i++) {                                                  \
            int64_t s = starts[i], e = ends[i];                                                \
            if (s < 0 || s > e || e > n)                                                       \
                return -1;                                                                     \
            if (!(s >= s0 && e >= e0 && (e - e0) + (s - s0) < e - s)) {                        \
                s0 = e0 = s;                                                                   \
                h = 0;                                                                         \
                bl = 1;                                                                        \
            }                                                                                  \
            for (; e0 < e; e0++) {                                                             \
                h += (uint64_t)p[e0] * bl;                                                     \
                bl *= B;                                                                       \
            }                                                                                  \
            for (; s0 < s; s0++) {                                                             \
                h = (h - (uint64_t)p[s0]) * B_INV;                                             \
                bl *= B_INV;                                                                   \
            }                                                                                  \
            uint64_t x = h ^ (uint64_t)(e - s) * LEN_MIX;                                      \
            x *= FINAL_MIX;                                                                    \
            out[i] = x ^ (x >> 31);                                                            \
        }                                                                                      \
        return 0;                                                                              \
    }

SPAN_HASHES(span_hashes_u8, uint8_t)
SPAN_HASHES(span_hashes_u16, uint16_t)
SPAN_HASHES(span_hashes_u32, uint32_t)

/* refined_spans_uN: Data-Juicer's refined words of p[0:n] (sparkops.text.charsets): tokens
 * split on ' ', '\n' and '\t', special characters (special[c] != 0, a table of
 * MAX_CODE_POINT entries) stripped at both ends, empty ones dropped. So a word runs from the
 * first to the last non-special character of its token (the separators are special).
 * Writes the word starts and ends (at most n / 2 + 1 words: each takes a character and a
 * separator after it) and returns how many; with starts NULL only counts them, so a large
 * document's arrays can be allocated at their exact size. -1 for a code point beyond the
 * table (not from a Python str), where numpy's lookup raises. */
#define REFINED_SPANS(NAME, T, CHECK)                                                          \
    int64_t NAME(const T *p, int64_t n, const uint8_t *special, int64_t *starts,               \
                 int64_t *ends)                                                                \
    {                                                                                          \
        int64_t count = 0, first = -1, last = -1;                                              \
        for (int64_t i = 0; i < n; i++) {                                                      \
            uint32_t c = p[i];                                                                 \
            if (CHECK && c >= MAX_CODE_POINT)                                                  \
                return -1;                                                                     \
            if (!special[c]) {                                                                 \
                if (first < 0)                                                                 \
                    first = i;                                                                 \
                last = i;                                                                      \
            } else if ((c == ' ' || c == '\n' || c == '\t') && first >= 0) {                   \
                if (starts) {                                                                  \
                    starts[count] = first;                                                     \
                    ends[count] = last + 1;                                                    \
                }                                                                              \
                count++;                                                                       \
                first = -1;                                                                    \
            }                                                                                  \
        }                                                                                      \
        if (first >= 0) {                                                                      \
            if (starts) {                                                                      \
                starts[count] = first;                                                         \
                ends[count] = last + 1;                                                        \
            }                                                                                  \
            count++;                                                                           \
        }                                                                                      \
        return count;                                                                          \
    }

REFINED_SPANS(refined_spans_u8, uint8_t, 0)
REFINED_SPANS(refined_spans_u16, uint16_t, 0)
REFINED_SPANS(refined_spans_u32, uint32_t, 1)

/* table_count_uN: how many characters of p[0:n] the table marks (special[c] != 0 above: the
 * alphanumeric and special-character ratios), where numpy builds a boolean array of n first;
 * -1 for a code point beyond the table, where numpy's lookup raises. */
#define TABLE_COUNT(NAME, T, CHECK)                                                            \
    int64_t NAME(const T *p, int64_t n, const uint8_t *table)                                  \
    {                                                                                          \
        int64_t count = 0;                                                                     \
        for (int64_t i = 0; i < n; i++) {                                                      \
            uint32_t c = p[i];                                                                 \
            if (CHECK && c >= MAX_CODE_POINT)                                                  \
                return -1;                                                                     \
            count += table[c] != 0;                                                            \
        }                                                                                      \
        return count;                                                                          \
    }

TABLE_COUNT(table_count_u8, uint8_t, 0)
TABLE_COUNT(table_count_u16, uint16_t, 0)
TABLE_COUNT(table_count_u32, uint32_t, 1)

/* sorted_hits: how many of h[0:n] occur in listed[0:m], sorted ascending (a word list's hashes:
 * the stopwords and flagged-words ratios), by binary search, as numpy's searchsorted. */
int64_t sorted_hits(const uint64_t *listed, int64_t m, const uint64_t *h, int64_t n)
{
    int64_t hits = 0;
    if (m == 0)
        return 0;
    for (int64_t i = 0; i < n; i++) {
        uint64_t x = h[i];
        int64_t lo = 0, hi = m; /* the first index whose value is >= x */
        while (lo < hi) {
            int64_t mid = lo + (hi - lo) / 2;
            if (listed[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        hits += lo < m && listed[lo] == x;
    }
    return hits;
}
