"""The e-mail, link and IP cleaners search only the runs of non-space characters that hold a
match of their hint: that must never miss a match of Data-Juicer's pattern (the hint is a
necessary condition, and no match holds white space), on real text and on strings built from the
characters the patterns turn on. The punctuation and white-space normalizers' shortcuts give
what str.translate with Data-Juicer's tables gives."""

from __future__ import annotations

import json
import random
import re

import pytest
import regex

from sparkops.core import bind
from sparkops.ops.cleaning import regex_cleaners as rc

# the patterns' own characters; for links also letters whose case folds into a-z (Kelvin
# sign, long s), a combining mark (a word character to regex, not to re), white space
LINK_CHARS = "ahtpsw W:/.%-_09fF\u212a\u017f\u0301é\n()"
IP_CHARS = "01250125...:aF \n\u0660"  # U+0660: an Arabic-Indic digit, a \\d to regex
# both sides of the '@', a capital in the domain (not matched), white space of both modules
EMAIL_CHARS = "aZ09.-+_@@..com \n\t\u3000\x1c"
CASES = [("clean_email_mapper", rc.EMAIL_PATTERN, rc._EMAIL_HINT, EMAIL_CHARS),
         ("clean_links_mapper", rc.LINK_PATTERN, rc._LINK_HINT, LINK_CHARS),
         ("clean_ip_mapper", rc.IP_PATTERN, rc._IP_HINT, IP_CHARS),
         ("clean_ip_mapper", rc.IP_PATTERN, rc._IP_HINT, "0aF:\u0660:")]  # IPv6


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
    space = regex.compile(r"\s")
    for text in matched:  # each match lies in a run of non-space characters where a hint match starts
        starts = rc.hint_positions(text, hint)
        for m in compiled.finditer(text):
            assert not space.search(m.group())
            before = [s.end() for s in space.finditer(text, 0, m.start())]
            after = space.search(text, m.end())
            run = (before[-1] if before else 0, after.start() if after else len(text))
            assert any(run[0] <= at < run[1] for at in starts), (text, m.group())
    skipped = sum(not rc.hint_positions(t, hint) for t in c4)
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
    assert not rc.hint_positions("version 1.2.3, at 10:30, std::vector<int>::iterator", rc._IP_HINT)
    assert rc.hint_positions("at 10.0.0.1", rc._IP_HINT) == [5]
    assert rc.hint_positions("at fe80:0:0:0:202:b3ff:fe1e:8329", rc._IP_HINT) == [7]


def test_the_hints_white_space_is_the_patterns():
    """A run ends at white space as ``regex`` sees it; a hint (an ``re`` pattern) never matches
    such a character, so a hint match never crosses a run's end."""
    spaces = regex.compile(r"\s")
    for c in map(chr, range(0x110000)):  # the hints' characters: \S, \w and literals
        if spaces.match(c):
            assert not re.search(r"\S|\w", c) and c not in "@:/.%wW", repr(c)
    # runs end at tabs, newlines, ideographic spaces; a match just after one is still found
    text = "a@b.com\tc@d.org\u3000 see http://x.io/a\nwww.y.org 10.0.0.1,10.0.0.2"
    for name, pattern in (("clean_email_mapper", rc.EMAIL_PATTERN), ("clean_links_mapper", rc.LINK_PATTERN),
                          ("clean_ip_mapper", rc.IP_PATTERN)):
        compiled = regex.compile(pattern, flags=regex.DOTALL)
        assert bind({name: {"repl": "_"}}).apply([text]) == [compiled.sub("_", text)] != [text]


@pytest.mark.parametrize("name,table", [
    ("punctuation_normalization_mapper", "sparkops.ops.cleaning.punctuation:_PUNCTUATION"),
    ("whitespace_normalization_mapper", "sparkops.ops.cleaning.whitespace:VARIOUS_WHITESPACES"),
])
def test_normalizers_equal_translate_with_the_table(name, table, c4_path, shared_data):
    import importlib

    module, _, attr = table.partition(":")
    value = getattr(importlib.import_module(module), attr)
    mapping = value if isinstance(value, dict) else str.maketrans({c: " " for c in value})
    strip = name.startswith("whitespace")
    keys = "".join(chr(k) for k in mapping)
    web = shared_data / "web"
    texts = ([json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")]
             + (web / "zh_novel_sample.txt").read_text(encoding="utf-8").split("\n\n")
             + _fuzz(keys + "ab \n\t,.é中", 5000))
    expected = [(t.strip() if strip else t).translate(mapping) for t in texts]
    assert sum(e != t for e, t in zip(expected, texts)) > 100
    assert bind(name).apply(texts) == expected
