"""Quality filters with Data-Juicer 1.6.1's exact statistic definitions, one file per filter
(``common``: what they share; ``sparkops.text.ngrams``: the repetition filters' n-gram counts).

Each statistic is a function of one ``Doc``; each filter's file declares which statistic it
computes under Data-Juicer's stat key and which parameters bound it. Where Data-Juicer's
definition has a quirk we keep it (our users compare numbers with theirs):

- ``special_char_ratio`` counts digits and whitespace as special characters;
- ``avg_line_length`` is ``len(text) / len(text.splitlines())``: the newlines count;
- ``num_words`` splits on ' ', '\\n', '\\t' only and strips special characters from both
  ends of each word, dropping words that become empty ("--" is not a word, "3" is not either);
- ``char_rep_ratio`` sums the frequencies of the ``int(sqrt(#distinct n-grams))`` most
  frequent repeated character n-grams and divides by the number of n-grams;
- ``word_rep_ratio`` is the share of word n-grams (lower-cased, refined words) whose n-gram
  occurs more than once.

Empty text gives 0 for every statistic (Data-Juicer's convention); see ``docs/OPERATORS.md``.

Model-based quality: ``quality_classifier`` (Data-Juicer's quality-classifier tool; its model file
and Spark-ML-exact scoring kernel in ``classifier_model``) and ``fasttext_quality`` (datatrove's
FastTextClassifierFilter); docs/quality.md.
"""
