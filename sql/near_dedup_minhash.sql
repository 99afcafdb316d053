-- Near-duplicate documents in plain SQL with MinHash LSH (sparkops's minhash_bands and
-- minhash_signature functions), over a view `docs` with a unique `id` and a `text`.
-- Run: .venv/bin/sparkops sql --view docs=data/c4_sample.jsonl "$(cat sql/near_dedup_minhash.sql)"
--
-- Two documents are candidates when one of their LSH band keys is equal (the same band
-- layout document_minhash_deduplicator uses for jaccard_threshold 0.7); the signatures then
-- estimate each candidate pair's Jaccard similarity. Every document that has an earlier
-- (smaller id) candidate at or above 0.7 is a duplicate; the first of each group survives.
-- This is one hop, not connected components: a chain a~b~c where a and c are not similar
-- keeps c. The document_minhash_deduplicator job step clusters transitively.
WITH sketch AS (
  SELECT id, minhash_bands(text, 0.7) AS bands, minhash_signature(text) AS sig
  FROM docs
),
bucket AS (  -- one row per (document, band); documents without tokens have no bands
  SELECT id, pos, key FROM sketch LATERAL VIEW posexplode(bands) b AS pos, key
),
candidate AS (  -- pairs sharing a band key: earlier document a, later document b
  SELECT DISTINCT x.id AS a, y.id AS b
  FROM bucket x JOIN bucket y ON x.pos = y.pos AND x.key = y.key AND x.id < y.id
),
scored AS (
  SELECT c.a, c.b,
         aggregate(zip_with(sa.sig, sb.sig, (p, q) -> IF(p = q, 1, 0)), 0, (acc, v) -> acc + v)
           / size(sa.sig) AS jaccard_estimate
  FROM candidate c JOIN sketch sa ON sa.id = c.a JOIN sketch sb ON sb.id = c.b
)
SELECT b AS duplicate_id, min(a) AS first_similar_id, round(max(jaccard_estimate), 3) AS jaccard_estimate
FROM scored
WHERE jaccard_estimate >= 0.7
GROUP BY b
ORDER BY b
