-- Near-duplicate documents in plain SQL with SimHash (sparkops's simhash function), over a
-- view `docs` with a unique `id` and a `text`.
-- Run: .venv/bin/sparkops sql --view docs=data/c4_sample.jsonl "$(cat sql/near_dedup_simhash.sql)"
--
-- Fingerprints within 4 bits of each other are duplicates (document_simhash_deduplicator's
-- default). Cut the 64 bits into 6 blocks: two fingerprints within 4 bits agree on at least 2
-- whole blocks, so joining on every pair of blocks (15 keys) finds every such pair.
WITH fp AS (
  SELECT id, simhash(text) AS h FROM docs WHERE simhash(text) IS NOT NULL
),
block AS (  -- block i holds bits [11*i, 11*i + 11) (the last one 9 bits)
  SELECT id, h, i, shiftrightunsigned(h, 11 * i) & 2047 AS bits
  FROM fp LATERAL VIEW explode(sequence(0, 5)) e AS i
),
keyed AS (  -- one key per pair of blocks (i < j)
  SELECT x.id, x.h, x.i * 6 + y.i AS choice, x.bits * 2048 + y.bits AS key
  FROM block x JOIN block y ON x.id = y.id AND x.i < y.i
),
candidate AS (
  SELECT DISTINCT x.id AS a, y.id AS b, bit_count(x.h ^ y.h) AS distance
  FROM keyed x JOIN keyed y ON x.choice = y.choice AND x.key = y.key AND x.id < y.id
)
SELECT b AS duplicate_id, min(a) AS first_similar_id, min(distance) AS hamming_distance
FROM candidate
WHERE distance <= 4
GROUP BY b
ORDER BY b
