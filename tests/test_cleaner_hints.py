"""The link and IP cleaners skip a text whose hint fails: that must never skip a text in which
Data-Juicer's pattern matches (the hint is a necessary condition), on real text and on strings
built from the characters the patterns turn on."""

from __future__ import annotations

import json
import random

import pytest
import regex

from sparkops.core import bind
from sparkops.ops.cleaning import regex_cleaners as rc

# the patterns' own characters; for links also letters whose case folds into a-z (Kelvin
# sign, long s), a combining mark (a word character to regex, not to re), white space
LINK_CHARS = "ahtpsw W:/.%-_09fF\u212a\u017f\u0301é\n()"
IP_CHARS = "01250125...:aF \n\u0660"  # U+0660: an Arabic-Indic digit, a \\d to regex
CASES = [("clean_links_mapper", rc.LINK_PATTERN, rc._may_hold_link, LINK_CHARS),
         ("clean_ip_mapper", rc.IP_PATTERN, rc._may_hold_ip, IP_CHARS),
         ("clean_ip_mapper", rc.IP_PATTERN, rc._may_hold_ip, "0aF:\u0660:")]  # IPv6


def _fuzz(chars, n=60_000, seed=20261205):
    rnd = random.Random(seed)
    return ["".join(rnd.choice(chars) for _ in range(rnd.randint(1, 40))) for _ in range(n)]


@pytest.mark.parametrize("name,pattern,hint,chars", CASES)
def test_hint_holds_wherever_the_pattern_matches(name, pattern, hint, chars, c4_path):
    compiled = regex.compile(pattern, flags=regex.DOTALL)
    c4 = [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")]
    texts = c4 + [line for doc in c4 for line in doc.split("\n")] + _fuzz(chars)
    matched = [t for t in texts if compiled.search(t)]
    assert len(matched) > 100  # the fuzz does reach the pattern
    assert [t for t in matched if not hint(t)] == []
    skipped = sum(not hint(t) for t in c4)
    assert skipped > len(c4) / 2  # and most real documents are skipped


@pytest.mark.parametrize("name,pattern,hint,chars", CASES)
def test_cleaners_equal_the_plain_pattern(name, pattern, hint, chars, c4_path):
    compiled = regex.compile(pattern, flags=regex.DOTALL)
    texts = [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")] + _fuzz(chars, 5000)
    op = bind({name: {"repl": "<X>"}})
    assert op.apply(texts) == [compiled.sub("<X>", t) for t in texts]


def test_a_pattern_of_the_users_own_gets_no_hint():
    op = bind({"clean_ip_mapper": {"pattern": r"\d+"}})
    assert op.apply(["no 7 dots here"]) == ["no  dots here"]


def test_version_numbers_and_times_skip_the_ip_pattern():
    assert not rc._may_hold_ip("version 1.2.3, at 10:30, std::vector<int>::iterator")
    assert rc._may_hold_ip("at 10.0.0.1") and rc._may_hold_ip("at fe80:0:0:0:202:b3ff:fe1e:8329")
