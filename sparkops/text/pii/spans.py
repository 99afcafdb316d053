"""The span record the detectors emit, and how overlapping candidates are resolved."""

from __future__ import annotations

import bisect
from typing import NamedTuple


class Span(NamedTuple):
    """One detected entity: ``text[start:end]`` (code-point offsets, end exclusive)."""

    type: str
    start: int
    end: int
    score: float


def resolve_overlaps(candidates: list[Span], order: dict[str, int]) -> list[Span]:
    """Keep a non-overlapping subset, sorted by (start, -end).

    Candidates are taken best first: higher score, then longer span, then earlier start, then
    the type's position in ``order`` (so identical spans of two types keep one, the earlier
    type). A candidate that overlaps kept spans is dropped, unless it covers every one of them
    entirely: then it replaces them, so a URL holding an IP address or an e-mail, or a PEM
    block holding a key-looking line, is redacted whole rather than in pieces.
    """
    ranked = sorted(candidates, key=lambda s: (-s.score, s.start - s.end, s.start, order[s.type]))
    starts: list[int] = []
    kept: list[Span] = []
    for c in ranked:
        # kept spans are disjoint, so their starts and ends are both sorted
        i = bisect.bisect_left(starts, c.start)
        if i > 0 and kept[i - 1].end > c.start:
            i -= 1
        j = i
        covers = True
        while j < len(kept) and kept[j].start < c.end:
            k = kept[j]
            # an identical range is already held by a better candidate
            if k.start < c.start or k.end > c.end or (k.start == c.start and k.end == c.end):
                covers = False
                break
            j += 1
        if not covers:
            continue
        del starts[i:j]
        del kept[i:j]
        starts.insert(i, c.start)
        kept.insert(i, c)
    return kept
