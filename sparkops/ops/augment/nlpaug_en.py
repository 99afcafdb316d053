"""``nlpaug_en_mapper``: English text augmented by the nlpaug library (a generator).

Data-Juicer 1.6.1's op, one row at a time: each enabled augmenter (nlpaug 1.1.11 with its
default parameters) makes ``aug_num`` copies of the text (``sequential``: ``aug_num`` copies
from all of them chained in one ``nlpaug.flow.Sequential``); the output rows are the original
(``keep_original_sample``) then the copies, in the order of the flags below. Every augmenter
Data-Juicer offers works offline: the keyboard and OCR maps and the spelling-error dictionary
are files inside the nlpaug wheel (no WordNet, no model).
"""

from __future__ import annotations

import importlib
from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.models.cache import models
from sparkops.ops.augment.seeding import row_seed, seeded

FAMILY = "augment"

# (flag, nlpaug module, class, action) in the order Data-Juicer 1.6.1 builds its pipeline
AUGMENTERS = (
    ("delete_random_word", "word", "RandomWordAug", "delete"),
    ("swap_random_word", "word", "RandomWordAug", "swap"),
    ("spelling_error_word", "word", "SpellingAug", None),
    ("split_random_word", "word", "SplitAug", None),
    ("keyboard_error_char", "char", "KeyboardAug", None),
    ("ocr_error_char", "char", "OcrAug", None),
    ("delete_random_char", "char", "RandomCharAug", "delete"),
    ("swap_random_char", "char", "RandomCharAug", "swap"),
    ("insert_random_char", "char", "RandomCharAug", "insert"),
)
EXAMPLES_OF = {  # Data-Juicer's own examples of each flag, for the parameter docs
    "delete_random_word": "deleting random words: \"I love LLM\" -> \"I LLM\"",
    "swap_random_word": "swapping random contiguous words: \"I love LLM\" -> \"Love I LLM\"",
    "spelling_error_word": "simulated spelling errors (nlpaug's bundled dictionary): \"I love LLM\" -> "
                           "\"Ai love LLM\"",
    "split_random_word": "splitting random words with a space: \"I love LLM\" -> \"I love LL M\"",
    "keyboard_error_char": "simulated keyboard typos: \"I love LLM\" -> \"I ;ov4 LLM\"",
    "ocr_error_char": "simulated OCR errors: \"I love LLM\" -> \"I 10ve LLM\"",
    "delete_random_char": "deleting random characters: \"I love LLM\" -> \"I oe LLM\"",
    "swap_random_char": "swapping random contiguous characters: \"I love LLM\" -> \"I ovle LLM\"",
    "insert_random_char": "inserting random characters: \"I love LLM\" -> \"I ^lKove LLM\"",
}
PIP = "pip install 'nlpaug==1.1.11'"


def sort_spelling_table(aug) -> None:
    """Sort the candidate lists of nlpaug's spelling table in place. nlpaug builds them with
    ``list(set(...))``, so their order (and so which misspelling a seeded draw picks) follows the
    process's string hash seed; sorted, a seed gives the same copy in every process."""
    for candidates in aug.model.dict.values():
        candidates.sort()


def _build(flags: tuple[str, ...], sequential: bool):
    """The augmenters of these flags (one ``Sequential`` flow when sequential), once per worker."""
    import nlpaug.augmenter.char as nac
    import nlpaug.augmenter.word as naw
    import nlpaug.flow as naf

    modules = {"word": naw, "char": nac}
    augs = []
    for flag, module, cls, action in AUGMENTERS:
        if flag in flags:
            make = getattr(modules[module], cls)
            augs.append(make(action=action) if action else make())
            if cls == "SpellingAug":
                sort_spelling_table(augs[-1])
    return naf.Sequential(augs) if sequential else augs


def augment(text: str, augs, p: dict) -> list[str]:
    """One row's output texts: the original (if kept) then its augmented copies."""
    if not augs:
        return [text] if p["keep_original_sample"] else []
    with seeded(row_seed(p["seed"], text)):
        if p["sequential"]:
            made = augs.augment(text, n=p["aug_num"])
        else:
            made = []
            for aug in augs:
                made += aug.augment(text, n=p["aug_num"])
    if not isinstance(made, list):
        made = [made]
    return [text] + made if p["keep_original_sample"] else made


def expand(texts: list[str], p: dict) -> list[list[str]]:
    augs = models.get("nlpaug", (p["flags"], p["sequential"]), lambda: _build(p["flags"], p["sequential"])) \
        if p["flags"] else []
    return [augment(t, augs, p) for t in texts]


def _prepare(p: dict, where: str) -> dict:
    flags = tuple(flag for flag, *_ in AUGMENTERS if p[flag])
    if flags:
        try:
            importlib.import_module("nlpaug.augmenter.word")  # fails here, at bind time, not on an executor
        except ImportError as err:
            raise OpError(f"{where}: needs the nlpaug library ({err}); install it with {PIP} "
                          "(sparkops' `augment` extra)") from None
    return dict(p, flags=flags)


def _positive(v):
    return None if v >= 1 else "must be >= 1"


declare(Op(
    name="nlpaug_en_mapper", kind="generator", family=FAMILY,
    doc="Augment English text with nlpaug: each input row gives the original (keep_original_sample) then "
        "aug_num augmented copies per enabled method (or aug_num copies from all of them in sequence), one "
        "row each. Seeded per row: the same text and seed give the same copies on any partition.",
    params=(
        Param("sequential", "bool", False, "Chain all enabled methods into one augmentation (aug_num copies "
              "in all) instead of aug_num copies per method."),
        Param("aug_num", "int", 1, "Augmented copies per method (or in all when sequential).", check=_positive),
        Param("keep_original_sample", "bool", True, "Keep the original text as the first output row."),
        *(Param(flag, "bool", False, f"Enable {EXAMPLES_OF[flag]}.") for flag, *_ in AUGMENTERS),
        Param("seed", "int", 0, "sparkops, not Data-Juicer: each row seeds Python's and NumPy's global "
              "generators with sha256(seed, text) before nlpaug runs (Data-Juicer does not seed them)."),
    ),
    expand=expand, prepare=_prepare, rejects=("no_augmented_text",),
    sql_name="nlpaug_en",
    sql_params=("delete_random_word", "swap_random_word", "spelling_error_word", "split_random_word",
                "keyboard_error_char", "ocr_error_char", "delete_random_char", "swap_random_char",
                "insert_random_char", "aug_num", "sequential", "keep_original_sample", "seed"),
    models=("nlpaug 1.1.11's keyboard (en), OCR and spelling-error (spelling_en.txt) tables, inside its wheel",),
    requires=("augment",),
    examples=(
        Example("nlpaug_en('I love LLM')", ["I love LLM"], "no method enabled: the original only"),
        Example("cardinality(nlpaug_en('I love large language models', true, true))", 3,
                "the original, one copy without a word and one with two words swapped"),
        Example("nlpaug_en('', false, false, false, false, false, false, true)", [""],
                "nlpaug makes nothing from an empty text: the original only"),
    ),
    notes="Output rows: the original first (when kept), then the copies grouped by method in the order of "
          "the flags; the input row's other fields are repeated on each. nlpaug may make fewer than aug_num "
          "copies (it drops duplicates after 3 retries and returns nothing for an empty text); an empty "
          "text gives just the original. A row that gives no text at all (keep_original_sample false and "
          "nothing made, or no method enabled) is rejected with `nlpaug_en_mapper:no_augmented_text`; in "
          "Data-Juicer it disappears. Reproducibility: Data-Juicer never seeds nlpaug, whose draws come from "
          "Python's `random` and NumPy's global generator, so its output changes from run to run; sparkops "
          "seeds both per row from sha256(`seed`, text) (and restores them), so a row's copies depend only "
          "on its text, the parameters and `seed`, never on partitioning or row order (identical texts get "
          "identical copies). The parity fixture checks it: Data-Juicer's op, with the globals seeded the "
          "same way right before a one-row batch, gives the same rows.",
))
