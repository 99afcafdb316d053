"""ROUGE-L F as the ``rouge`` package (PyPI ``rouge`` 1.0.1, ``Rouge().get_scores(hyp, ref)[0]
["rouge-l"]["f"]``) computes it: Data-Juicer's ``generate_qa_from_examples_mapper`` keeps a
generated sample only while its score against the seed examples stays under a threshold, so the
score must be that package's, quirks included (checked against the package itself:
``tests/fixtures/rouge_l.json.gz``).

What the package does (facts, not its code):

- a text is cut into "sentences" at every ``.``; empty pieces are dropped *before* each piece's
  whitespace runs are collapsed to single spaces (so a piece of blanks becomes the sentence ``""``);
- words are a sentence split at ``" "`` (the sentence ``""`` is the one word ``""``);
- summary-level ROUGE-L with ``exclusive=True``: for every reference sentence and every
  hypothesis sentence one longest common subsequence of words is reconstructed (from the end,
  moving up only where the row above is strictly longer), and the *distinct words* of all of
  them form one set; its size over the distinct words of the reference (recall) and of the
  hypothesis (precision) gives ``F = 2PR / (P + R + 1e-8)``;
- a text with no sentence (``""``, ``"..."``) raises ``ValueError`` (its ROUGE-1 comes first:
  "Hypothesis is empty." / "Reference is empty.").

The package reconstructs the subsequence recursively, so it raises ``RecursionError`` on a
sentence pair longer than about a thousand words; this one does not.
"""

from __future__ import annotations


def sentences(text: str) -> list[str]:
    """The package's sentences of ``text``."""
    return [" ".join(piece.split()) for piece in text.split(".") if len(piece) > 0]


def _lcs_words(ref: list[str], hyp: list[str]) -> set[str]:
    """The distinct words of the package's longest common subsequence of ``ref`` and ``hyp``."""
    n, m = len(ref), len(hyp)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        row, above, word = table[i], table[i - 1], ref[i - 1]
        for j in range(1, m + 1):
            row[j] = above[j - 1] + 1 if word == hyp[j - 1] else max(above[j], row[j - 1])
    out, i, j = set(), n, m
    while i > 0 and j > 0:  # the package's walk back, its tie-break included
        if ref[i - 1] == hyp[j - 1]:
            out.add(ref[i - 1])
            i, j = i - 1, j - 1
        elif table[i - 1][j] > table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return out


def rouge_l_f(hypothesis: str, reference: str) -> float:
    """The package's ROUGE-L F of ``hypothesis`` against ``reference``; ValueError where it raises."""
    hyp, ref = sentences(hypothesis), sentences(reference)
    if not hyp:
        raise ValueError("Hypothesis is empty.")
    if not ref:
        raise ValueError("Reference is empty.")
    hyp_words = [s.split(" ") for s in hyp]
    ref_words = [s.split(" ") for s in ref]
    m = len({w for ws in ref_words for w in ws})
    n = len({w for ws in hyp_words for w in ws})
    union: set[str] = set()
    for r in ref_words:
        for h in hyp_words:
            union |= _lcs_words(r, h)
    llcs = len(union)
    r_lcs, p_lcs = llcs / m, llcs / n
    return 2.0 * ((p_lcs * r_lcs) / (p_lcs + r_lcs + 1e-8))
