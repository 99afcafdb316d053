"""remove_repeat_sentences_mapper computes every sentence's key in one string: the same answer
as keying each sentence on its own (as Data-Juicer does), on real text, on Greek final sigmas
next to the joins, and on strings built from the splitter's own characters."""

from __future__ import annotations

import json
import random

import pytest

from sparkops.core import bind
from sparkops.ops.cleaning.repeat_sentences import _NOT_KEPT_CHARS, _lines_of_sentences


def _one_by_one(text, lowercase, ignore_special, min_len=2):
    seen, new_lines = set(), []
    for sentences in _lines_of_sentences(text):
        kept = []
        for sentence in sentences:
            key = sentence.strip()
            key = key.lower() if lowercase else key
            key = _NOT_KEPT_CHARS.sub("", key) if ignore_special else key
            if len(key) < min_len or key not in seen:
                kept.append(sentence)
                seen.add(key)
        new_lines.append("".join(kept))
    return "\n".join(new_lines)


@pytest.mark.parametrize("lowercase", [False, True])
@pytest.mark.parametrize("ignore_special", [True, False])
@pytest.mark.parametrize("min_len", [2, 1, 0])
def test_keys_in_one_string_equal_keys_one_by_one(c4_path, lowercase, ignore_special, min_len):
    rnd = random.Random(20261206)
    # '\ue000' is the splitter's mark: texts holding it are cut line by line, the others at once
    alphabet = "ab AB.。!?！？’”…\n\t ΣΑσς'1\ue000"
    texts = [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")]
    texts += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 50))) for _ in range(20000)]
    texts += ["ΑΣ. ΑΣ. ας. Σα. σα.", "ΟΔΟΣ'. οδος'. ΟΔΟΣ' ΑΒ.", "x ΑΣ\nΒ. x ας\nβ."]
    op = bind({"remove_repeat_sentences_mapper": {"lowercase": lowercase, "ignore_special_character": ignore_special,
                                                  "min_repeat_sentence_length": min_len}})
    expected = [_one_by_one(t, lowercase, ignore_special, min_len) for t in texts]
    assert sum(e != t for e, t in zip(expected, texts)) > 200  # many lose a sentence
    assert op.apply(texts) == expected
