-- Quality statistics of a table of documents with sparkops's SQL functions.
-- Run: .venv/bin/sparkops sql --view docs=data/c4_sample.jsonl "$(cat sql/quality_report.sql)"
-- Each filter's SQL function is its Data-Juicer statistic; extra arguments change the
-- statistic (n-gram length, language), never the threshold: thresholds are plain SQL.
SELECT
  lang_id(text).lang                                   AS lang,
  count(*)                                             AS docs,
  round(avg(alnum_ratio(text)), 3)                     AS avg_alnum_ratio,
  round(percentile(special_char_ratio(text), 0.9), 3)  AS p90_special_char_ratio,
  round(percentile(char_rep_ratio(text, 10), 0.9), 3)  AS p90_char_rep_ratio,
  sum(CASE WHEN alnum_ratio(text) >= 0.25
            AND special_char_ratio(text) <= 0.25
            AND word_rep_ratio(text, 10) <= 0.5
            AND flagged_words_ratio(text) <= 0.045 THEN 1 ELSE 0 END) AS would_keep
FROM docs
GROUP BY 1
ORDER BY docs DESC
