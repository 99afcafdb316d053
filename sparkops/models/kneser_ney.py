"""Interpolated modified Kneser-Ney n-gram estimation written as an ARPA back-off model.

What KenLM's ``lmplz`` estimates (Chen & Goodman 1998, "An Empirical Study of Smoothing
Techniques for Language Modeling", section 3; Heafield et al. 2013), in memory, for the small
corpora sparkops trains its perplexity models on:

- counts: the highest order uses raw counts; a lower order uses continuation counts (the number
  of distinct words seen before it), except n-grams starting with ``<s>``, which nothing can
  precede, keep their raw counts;
- three discounts per order from its counts-of-counts t1..t4: Y = t1 / (t1 + 2 t2),
  D1 = 1 - 2Y t2/t1, D2 = 2 - 3Y t3/t2, D3+ = 3 - 4Y t4/t3 (lmplz's fallback 0.5 / 1 / 1.5 where
  they are undefined or out of range);
- p(w | h) = (a(h w) - D(a)) / a(h .) + gamma(h) p(w | h[1:]), gamma(h) the discounted mass;
  unigrams interpolate with the uniform distribution over the vocabulary (``<unk>`` included,
  ``<s>`` excluded, which gets log10 p = -99 as in lmplz's output);
- pruning (``min_counts``): an n-gram of order >= 2 whose adjusted count is below its order's
  threshold is dropped and its whole mass goes to gamma(h), so every context still sums to 1;
  the prefix and suffix of every n-gram kept are kept (what a back-off scorer needs).

The ARPA file's back-off of a context is gamma(h), its probabilities the interpolated ones, so
a back-off scorer (kenlm, ``sparkops.models.arpa``) reproduces the interpolated model exactly.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable, TextIO

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
FALLBACK = (0.5, 1.0, 1.5)  # lmplz --discount_fallback's default
BOS_LOG_PROB = -99.0


def count(sentences: Iterable[list[str]], order: int) -> list[Counter]:
    """Raw counts of every n-gram, n = 1..order, of the sentences padded with <s> ... </s>."""
    raw = [Counter() for _ in range(order)]
    for words in sentences:
        padded = (BOS, *words, EOS)
        for i in range(len(padded)):
            for n in range(1, min(order, i + 1) + 1):
                raw[n - 1][padded[i - n + 1: i + 1]] += 1
    return raw


def adjust(raw: list[Counter]) -> list[Counter]:
    """Kneser-Ney's adjusted counts: continuation counts below the highest order."""
    order = len(raw)
    adjusted = [Counter() for _ in range(order)]
    adjusted[-1] = Counter(raw[-1])
    for n in range(order - 1, 0, -1):  # adjusted[n - 1] from the n+1-grams
        left = Counter(g[1:] for g in raw[n])
        table = adjusted[n - 1]
        for g, c in raw[n - 1].items():
            # every n-gram not starting with <s> has a word before it in its padded sentence
            table[g] = c if g[0] == BOS else left[g]
    return adjusted


def discounts(adjusted: Counter) -> tuple[float, float, float]:
    """(D1, D2, D3+) of one order from its counts-of-counts."""
    t = Counter(c for c in adjusted.values() if c <= 4)
    t1, t2, t3, t4 = (t.get(k, 0) for k in (1, 2, 3, 4))
    if not (t1 and t2 and t3 and t4):
        return FALLBACK
    y = t1 / (t1 + 2 * t2)
    d = (1 - 2 * y * t2 / t1, 2 - 3 * y * t3 / t2, 3 - 4 * y * t4 / t3)
    if not all(0 < dk < k for k, dk in zip((1, 2, 3), d)):
        return FALLBACK
    return d


def _kept(adjusted: list[Counter], min_counts: tuple[int, ...]) -> list[set]:
    order = len(adjusted)
    kept: list[set] = [set() for _ in range(order)]
    kept[0] = set(adjusted[0])
    for n in range(order, 1, -1):
        threshold = min_counts[n - 1] if n - 1 < len(min_counts) else min_counts[-1]
        chosen = {g for g, c in adjusted[n - 1].items() if c >= threshold}
        if n < order:
            for g in kept[n]:
                chosen.add(g[:-1])
                chosen.add(g[1:])
        kept[n - 1] = chosen
    return kept


def estimate(sentences: Iterable[list[str]], order: int = 3, min_counts: tuple[int, ...] = (1,)):
    """(log10 prob per order, log10 back-off per order, discounts): dicts keyed by n-gram tuples."""
    adjusted = adjust(count(sentences, order))
    kept = _kept(adjusted, min_counts)
    ds = [discounts(Counter({g: c for g, c in a.items() if g != (BOS,)})) for a in adjusted]
    probs: list[dict] = [dict() for _ in range(order)]
    gammas: list[dict] = [dict() for _ in range(order)]  # gammas[n-1][h]: weight of order n-1 under context h
    for n in range(1, order + 1):
        d1, d2, d3 = ds[n - 1]
        den: dict = defaultdict(float)
        mass: dict = defaultdict(float)
        for g, c in adjusted[n - 1].items():
            if n == 1 and g == (BOS,):
                continue
            h = g[:-1]
            den[h] += c
            if g in kept[n - 1]:
                mass[h] += d1 if c == 1 else d2 if c == 2 else d3
            else:
                mass[h] += c
        gamma = {h: mass[h] / den[h] for h in den}
        gammas[n - 1] = gamma
        table = probs[n - 1]
        if n == 1:
            vocab = [g for g in adjusted[0] if g != (BOS,)] + [(UNK,)]
            uniform = gamma[()] / len(vocab)
            for g in vocab:
                c = adjusted[0].get(g, 0)
                d = d1 if c == 1 else d2 if c == 2 else d3
                table[g] = (max(c - d, 0.0) / den[()] if c else 0.0) + uniform
            continue
        lower = probs[n - 2]
        for g in kept[n - 1]:
            c = adjusted[n - 1][g]
            d = d1 if c == 1 else d2 if c == 2 else d3
            table[g] = (c - d) / den[g[:-1]] + gamma[g[:-1]] * lower[g[1:]]
    log_probs = [{g: math.log10(p) for g, p in table.items()} for table in probs]
    log_probs[0][(BOS,)] = BOS_LOG_PROB
    backoffs: list[dict] = [dict() for _ in range(order)]
    for n in range(1, order):  # back-off of each kept n-gram that is a context of (n+1)-grams
        for h, gamma in gammas[n].items():
            if h in log_probs[n - 1] and gamma < 1.0:
                backoffs[n - 1][h] = math.log10(gamma)
    return log_probs, backoffs, ds


def _number(x: float) -> str:
    return format(x, ".6g")


def write_arpa(log_probs: list[dict], backoffs: list[dict], out: TextIO) -> None:
    """The model in ARPA text form; n-grams sorted, so equal models give equal bytes."""
    out.write("\n\\data\\\n")
    for n, table in enumerate(log_probs, 1):
        out.write(f"ngram {n}={len(table)}\n")
    for n, table in enumerate(log_probs, 1):
        out.write(f"\n\\{n}-grams:\n")
        back = backoffs[n - 1]
        for g in sorted(table):
            line = f"{_number(table[g])}\t{' '.join(g)}"
            if g in back:
                line += f"\t{_number(back[g])}"
            out.write(line + "\n")
    out.write("\n\\end\\\n")
