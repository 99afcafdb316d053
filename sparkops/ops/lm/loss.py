"""Data-Juicer 1.6.1's ``LLMPerplexityFilter._loss`` over our causal LM (facts, not its code).

For messages ``m`` (a previous example's messages first, when given):

- the text is the contents joined by single spaces, stripped; the response is the last
  content, stripped; both are tokenized with truncation from the left to ``max_length``;
- ``response_len = len(tokens(response)) - (1 if the tokenizer has a BOS token else 0)``: it
  subtracts the BOS whether or not the tokenizer prepends one (SmolLM2 defines one and does not
  prepend it, so the response's first token is not counted);
- ``labels[:-response_len] = -100`` with Python's slice rule: ``response_len`` 0 masks nothing
  (an empty response scores the whole text), a negative one masks that many tokens from the start,
  one at least the text's length masks nothing;
- the loss is Hugging Face's causal-LM loss: the mean over the labelled positions ``i >= 1`` of
  ``-log p(token_i | tokens before i)`` (position 0 is never predicted). No labelled position:
  torch's mean over nothing, NaN; here None with a reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Loss:
    value: float | None  # None where Data-Juicer's is NaN or it cannot run (no token)
    tokens: int          # tokens of the (truncated) text
    scored: int          # positions the mean is over
    reason: str | None   # why the value is not the full text's (truncated) or is missing


# A text far longer than the window is tokenized from its tail only: left truncation keeps the
# last tokens, and a BPE tokenizer's pieces never span its pre-tokenizer's boundaries, so past
# the first few pieces of a tail cut after a line break its tokens are the whole text's (a margin
# of MARGIN pieces is dropped). Tokenized whole, a huge text costs time and memory in proportion
# to its length for a window of a few thousand tokens.
TAIL_CHARS_PER_TOKEN = 64
MARGIN = 64


def encode(lm, text: str, max_length: int) -> tuple[list[int], int | None]:
    """Token ids as a Hugging Face tokenizer gives them with ``truncation_side="left"``
    (a prepended BOS stays first), and the untruncated count (None: a long text, tokenized from
    its tail, has more than ``max_length`` tokens)."""
    head = [lm.bos_id] if lm.add_bos else []
    tail_chars = TAIL_CHARS_PER_TOKEN * (max_length + MARGIN)
    if len(text) > 2 * tail_chars:
        cut = len(text) - tail_chars
        line = text.find("\n", cut, cut + tail_chars // 2)
        ids = lm.tokenize(text[line + 1 if line >= 0 else cut:])
        ids = ids[len(head):] if head and ids[:1] == head else ids
        if len(ids) >= max_length + MARGIN:
            return head + ids[len(ids) - (max_length - len(head)):], None
    ids = lm.tokenize(text)
    total = len(ids)
    if total > max_length:
        keep = 1 if lm.add_bos and ids and ids[0] == lm.bos_id else 0
        ids = ids[:keep] + ids[total - (max_length - keep):]
    return ids, total


def labelled_from(n: int, response_len: int) -> int:
    """The first labelled position: ``labels[0, :-response_len] = -100`` masks a prefix of
    ``len(range(n)[:-response_len])`` positions (Python's slice rule), and position 0 is never a
    target (the labels are shifted)."""
    return max(len(range(n)[:-response_len]), 1)


def dj_loss(lm, contents: list[str], max_length: int) -> Loss:
    full = " ".join(contents).strip()
    response = contents[-1].strip()
    ids, total = encode(lm, full, max_length)
    response_ids, response_total = encode(lm, response, max_length)
    response_len = len(response_ids) - int(lm.bos_id is not None)
    n = len(ids)
    truncated = None
    def over(count):  # None: more than max_length, counted only from the text's tail
        return count is None or count > max_length

    if over(total) or over(response_total):
        count = f"{total} tokens" if total is not None else f"a {len(full)}-character text (tokenized from its end)"
        truncated = (f"truncated: {count} > max_length {max_length}, scored the last {n}" if over(total) else
                     f"truncated: the response's {response_total} tokens > max_length {max_length}")
    if n == 0:
        return Loss(None, 0, 0, "empty: no token to score")
    start = labelled_from(n, response_len)
    if start >= n:
        why = ("no_tokens: one token, nothing is predicted" if n == 1 else
               f"no_tokens: the response mask leaves no position of {n} tokens to score")
        return Loss(None, n, 0, why)
    lp = lm.logprobs(ids, start)
    return Loss(-math.fsum(lp) / len(lp), n, len(lp), truncated)
