"""Train sparkops' perplexity models (``sparkops/assets/perplexity/{lang}.sp.model`` and
``{lang}.arpa.gz``) from the real text in ``shared/data`` (``SPARKOPS_SHARED_DATA``).

Per language: a sentencepiece unigram model, then an interpolated modified Kneser-Ney n-gram
model over its pieces (``sparkops.models.kneser_ney``, lmplz's estimate; lmplz itself is not
used), pruned and written as a gzipped ARPA file that kenlm and ``sparkops.models.arpa`` both read.

Data (docs/perplexity.md): English = the 30 Wikipedia articles of ``web/wiki_sample.txt``, the
300 C4 documents of ``web/c4_sample.jsonl`` and the 999 answers of ``sft/alpaca_en_demo.json``;
Chinese = the answers of ``sft/alpaca_zh_demo.json``, the assistant turns of
``sft/sharegpt_zh_1k.jsonl`` and the chosen answers of ``sft/dpo_zh_500.jsonl``; never the novel
``web/zh_novel_sample.txt`` (copyrighted: no shipped model may derive from it). A document is
held out when a seeded hash of its text falls in the first ``HELD_OUT`` of [0, 1);
``bench/perplexity_eval.py`` evaluates on those only.

Reproducible: the data is read in a fixed order, sentencepiece trains single-threaded on the
whole input without sampling or shuffling, the n-gram model is deterministic and its ARPA file
sorted; gzip without a timestamp.

    PYTHONPATH=. .venv/bin/python tools/train_perplexity.py [--lang en zh] [--out sparkops/assets/perplexity]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from sparkops.models import kneser_ney

ROOT = Path(__file__).resolve().parent.parent
SPLIT_SEED = 20261205
HELD_OUT = 0.10
# CCNet's models, which Data-Juicer downloads, use 65,536-piece sentencepiece models (its Makefile's
# VOCAB_SIZE; spm_train's default unigram type) and 5-gram lmplz models trained on a million
# documents per language. With ~2 MB of text per language here, 8,000 unigram pieces and trigrams
# keep each piece and n-gram seen often enough to estimate. Pruning (min adjusted count per
# order): trigrams seen once are dropped for both; Chinese also drops bigrams seen once, which
# shrinks its ARPA file (3.6 -> 2.2 MB gzipped) at a held-out AUC cost of 0.0008 (docs/perplexity.md).
SETTINGS = {
    "en": dict(vocab_size=8000, character_coverage=1.0, order=3, min_counts=(1, 1, 2)),
    "zh": dict(vocab_size=8000, character_coverage=0.9995, order=3, min_counts=(1, 2, 2)),
}


def shared_data() -> Path:
    path = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        raise SystemExit(f"shared data not found at {path}: set SPARKOPS_SHARED_DATA")
    return path


def sourced_documents(lang: str, data: Path | None = None) -> list[tuple[str, str]]:
    """(source file, document) of the language, in a fixed order (see the module docstring)."""
    data = data or shared_data()
    docs: list[tuple[str, str]] = []

    def add(source: str, texts):
        docs.extend((source, t) for t in texts if t.strip())

    if lang == "en":
        add("web/wiki_sample.txt", (data / "web/wiki_sample.txt").read_text(encoding="utf-8").splitlines())
        with open(data / "web/c4_sample.jsonl", encoding="utf-8") as handle:
            add("web/c4_sample.jsonl", [json.loads(line)["text"] for line in handle if line.strip()])
        add("sft/alpaca_en_demo.json",
            [r["output"] for r in json.loads((data / "sft/alpaca_en_demo.json").read_text(encoding="utf-8"))])
    elif lang == "zh":
        add("sft/alpaca_zh_demo.json",
            [r["output"] for r in json.loads((data / "sft/alpaca_zh_demo.json").read_text(encoding="utf-8"))])
        with open(data / "sft/sharegpt_zh_1k.jsonl", encoding="utf-8") as handle:
            add("sft/sharegpt_zh_1k.jsonl", [t["value"] for line in handle
                                             for t in json.loads(line)["conversations"] if t["from"] == "gpt"])
        with open(data / "sft/dpo_zh_500.jsonl", encoding="utf-8") as handle:
            add("sft/dpo_zh_500.jsonl", [json.loads(line)["chosen"] for line in handle if line.strip()])
    else:
        raise SystemExit(f"no training data recipe for language {lang!r}")
    return docs


def documents(lang: str, data: Path | None = None) -> list[str]:
    return [text for _, text in sourced_documents(lang, data)]


def held_out(text: str) -> bool:
    digest = hashlib.blake2b(f"{SPLIT_SEED}\x00{text}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big") / 2.0 ** 64 < HELD_OUT


def split(docs: list[str]) -> tuple[list[str], list[str]]:
    train, test = [], []
    for doc in docs:
        (test if held_out(doc) else train).append(doc)
    return train, test


# held-out passages: windows of a held-out document's lines, at most a few per document so
# that no long article dominates; words for English, characters for Chinese (no spaces)
PASSAGE = {"en": (60, 20), "zh": (100, 30)}  # (window, shortest kept) in words / characters
PASSAGES_PER_DOC = 5


def passages(docs: list[str], lang: str) -> list[str]:
    """Evaluation passages cut from ``docs`` (held-out documents), in order."""
    window, shortest = PASSAGE[lang]
    out = []
    for doc in docs:
        mine = []
        for line in doc.splitlines():
            units = line.split() if lang == "en" else list(line.strip())
            for i in range(0, len(units), window):
                chunk = units[i:i + window]
                if len(chunk) >= shortest:
                    mine.append(" ".join(chunk) if lang == "en" else "".join(chunk))
        out += mine[:PASSAGES_PER_DOC]
    return out


def garble(text: str, lang: str) -> str:
    """The same words (English) or characters (Chinese) in a seeded random order."""
    units = text.split() if lang == "en" else list(text)
    seed = int.from_bytes(hashlib.blake2b(f"{SPLIT_SEED}\x01{text}".encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "big")
    random.Random(seed).shuffle(units)
    return " ".join(units) if lang == "en" else "".join(units)


def train_sentencepiece(lines: list[str], path: Path, vocab_size: int, character_coverage: float) -> Path:
    import sentencepiece as spm

    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        # the model records its trainer's input and prefix paths: relative ones keep its bytes
        # independent of the temporary directory's name
        os.chdir(tmp)
        try:
            Path("input.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
            spm.SentencePieceTrainer.train(
                input="input.txt", model_prefix="sp", model_type="unigram", vocab_size=vocab_size,
                character_coverage=character_coverage, num_threads=1, input_sentence_size=0,
                shuffle_input_sentence=False, max_sentence_length=1 << 20, minloglevel=2)
            model = Path("sp.model").read_bytes()
        finally:
            os.chdir(here)
    path.write_bytes(model)
    return path


def train(lang: str, out: Path, data: Path | None = None) -> dict:
    import sentencepiece as spm

    settings = SETTINGS[lang]
    train_docs, test_docs = split(documents(lang, data))
    # one training sentence per line of a document, as CCNet trains on paragraphs
    lines = [line.strip() for doc in train_docs for line in doc.splitlines() if line.strip()]
    out.mkdir(parents=True, exist_ok=True)
    sp_path = train_sentencepiece(lines, out / f"{lang}.sp.model", settings["vocab_size"], settings["character_coverage"])
    sp = spm.SentencePieceProcessor(model_file=str(sp_path))
    sentences = [piece_line.split() for piece_line in (" ".join(sp.encode_as_pieces(line)) for line in lines)]
    log_probs, backoffs, ds = kneser_ney.estimate(sentences, settings["order"], settings["min_counts"])
    text = io.StringIO()
    kneser_ney.write_arpa(log_probs, backoffs, text)
    arpa = out / f"{lang}.arpa.gz"
    arpa.write_bytes(gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    return {"lang": lang, "train_docs": len(train_docs), "held_out_docs": len(test_docs),
            "train_lines": len(lines), "train_pieces": sum(len(s) for s in sentences),
            "ngrams": [len(t) for t in log_probs], "discounts": [[round(d, 4) for d in x] for x in ds],
            "sp_model_bytes": sp_path.stat().st_size, "arpa_gz_bytes": arpa.stat().st_size,
            "sha256": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (sp_path, arpa)}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", nargs="+", default=sorted(SETTINGS), choices=sorted(SETTINGS))
    parser.add_argument("--out", type=Path, default=ROOT / "sparkops" / "assets" / "perplexity")
    args = parser.parse_args(argv)
    for lang in args.lang:
        print(json.dumps(train(lang, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
