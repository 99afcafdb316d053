"""Train sparkops' quality classifiers from the real text in ``../shared/data`` (offline).

Two kinds of model, both "curated text vs raw web text" (GPT-3's recipe for its classifier,
DCLM's for its fastText filter):

- ``sparkops/assets/quality_en.qc.json.gz``, ``quality_zh.qc.json.gz``: Data-Juicer's quality
  classifier (tokenizer -> HashingTF -> LogisticRegression) fitted with Spark ML
  (``sparkops.spark.quality``) and exported for ``quality_classifier_filter``;
- ``sparkops/assets/quality_fasttext_en.ftz``: a supervised fastText model (labels
  ``__label__hq`` / ``__label__lq``, DCLM's setup) for ``fasttext_quality_filter``, quantised.

The data recipe (``documents(lang)``, ``splits(lang)``), per language:

- **en positives**: English Wikipedia (``web/wiki_sample.txt``, 30 articles cut into passages of
  about ``PASSAGE`` characters at line ends) and human-edited instruction answers (the
  ``output`` of ``sft/alpaca_en_demo.json``, the ``chosen`` answers of ``sft/dpo_en_demo.json``);
- **en negatives**: raw web pages as a crawler sees them, cut into passages like the positives,
  i.e. every visible text of the page
  (resiliparse's ``extract_plain_text`` without main-content extraction: what a Common Crawl WET
  record holds: menus, cookie banners, link lists) of the English pages (fastText lid.176) of
  the two HTML extraction benchmarks (``html/aeb``, ``html/trafilatura``) and the Common Crawl
  WARC sample, plus the C4 sample (``web/c4_sample.jsonl``): C4 is filtered web text, which is
  what DCLM uses as negatives (RefinedWeb) so that the model learns more than "has boilerplate";
- **zh positives**: the ``gpt`` turns of ``sft/sharegpt_zh_1k.jsonl``, the ``output`` of
  ``sft/alpaca_zh_demo.json`` and the ``chosen`` answers of ``sft/dpo_zh_500.jsonl``;
- **zh negatives**: the raw page text (every visible text, as for en) of the Chinese pages
  (lid.176; two pages) of the two HTML benchmarks, cut into passages of about ``ZH_PAGE_PASSAGE``
  characters, and synthetic low-quality text made from the zh positives
  by seeded transformations (``synthetic_zh``): one per positive, its kind picked by a seeded hash
  of the text among ``ZH_SYNTHETIC``: characters shuffled within each line; "words" shuffled
  within each line (no Chinese segmenter here: a CJK run is cut into seeded random pieces of 1-3
  characters, other runs of non-space characters are one piece); mojibake (the UTF-8 bytes decoded
  as GBK, undecodable bytes replaced by U+FFFD, or as Latin-1); boilerplate (3-8 fragments of 2-10
  characters of the text, joined into menu-like lines by `` | ``, the block repeated to about the
  text's length). The novel ``web/zh_novel_sample.txt`` (under copyright) is not used by any model.

Texts shorter than ``MIN_CHARS`` are dropped. A document is held out when a seeded hash of its
text falls in the first ``HELD_OUT`` of [0, 1); a synthetic negative is held out with the positive
it was made from, so no held-out text leaks into training in transformed form
(``splits(lang)``); ``bench/quality_eval.py`` scores the held-out ones. There is
no Debian-documentation prose here: the benchmark corpus is not built on this machine.

    PYTHONPATH=. .venv/bin/python tools/train_quality.py [--only en|zh|fasttext] [--out-dir sparkops/assets]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data"))
SPLIT_SEED = 20261205
HELD_OUT = 0.2
PASSAGE = 1500
ZH_PAGE_PASSAGE = 300
ZH_SYNTHETIC = ("char_shuffle", "word_shuffle", "mojibake_gbk", "mojibake_latin1", "boilerplate")
MIN_CHARS = 100
# Spark ML LogisticRegression: Data-Juicer fits it with regParam 0, which on a few thousand
# separable documents drives the weights to infinity (every score 0 or 1, and the gpt3 keep
# method needs graded scores). An L2 penalty chosen on a validation fifth of the training rows
# (0.001 .. 0.1): see docs/quality.md.
LR_SETTINGS = {"en": dict(reg_param=0.1), "zh": dict(reg_param=0.01)}
NUM_FEATURES = 1 << 18
FASTTEXT = dict(lr=0.5, epoch=10, wordNgrams=2, dim=32, minCount=1, bucket=200_000, loss="softmax",
                thread=1, seed=SPLIT_SEED, verbose=0)
FASTTEXT_QUANTIZE = dict(cutoff=50_000, qnorm=True, retrain=False)
HQ, LQ = "__label__hq", "__label__lq"


def held_out(text: str) -> bool:
    digest = hashlib.blake2b(f"{SPLIT_SEED}\x00{text}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0 ** 64 < HELD_OUT


def passages(text: str, size: int = PASSAGE) -> list[str]:
    """``text`` cut at line ends into pieces of about ``size`` characters."""
    out, cur = [], []
    length = 0
    units = [u for line in text.splitlines() for u in _sentences(line, size)]
    for line in units:
        cur.append(line)
        length += len(line) + 1
        if length >= size:
            out.append("\n".join(cur).strip())
            cur, length = [], 0
    if cur:
        out.append("\n".join(cur).strip())
    return [p for p in out if p]


def _sentences(line: str, size: int) -> list[str]:
    """A line longer than ``size`` cut after sentence ends ('. '), so one-line articles split."""
    if len(line) <= size:
        return [line]
    out, start = [], 0
    while start < len(line):
        cut = line.find(". ", start + size)
        end = len(line) if cut < 0 else cut + 1
        out.append(line[start:end].strip())
        start = end
    return out


def _json_list(path: Path) -> list:
    return json.loads(path.read_text(encoding="utf-8"))


def _jsonl(path: Path) -> list:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _raw_pages() -> list[str]:
    """Every visible text of each page of the HTML benchmarks and the Common Crawl WARC sample."""
    from resiliparse.extract.html2text import extract_plain_text

    pages = []
    for folder in (DATA / "html" / "aeb" / "html", DATA / "html" / "trafilatura" / "pages"):
        for path in sorted(folder.glob("*.html.gz")):
            html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            pages.append(extract_plain_text(html, main_content=False))
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    with open(DATA / "warc" / "commoncrawl_sample.warc.gz", "rb") as stream:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response):
            body = record.reader.read()
            head, _, html = body.partition(b"\r\n\r\n")
            if b"text/html" in head.lower():
                pages.append(extract_plain_text(html.decode("utf-8", "replace"), main_content=False))
    return [p for p in pages if p and p.strip()]


def _language(texts: list[str]) -> list[str]:
    from sparkops.models.fasttext_lid import lid176

    labels, _ = lid176().predict([t.replace("\n", " ")[:3000] for t in texts], k=1)
    return [lab[0].removeprefix("__label__") if lab else "" for lab in labels]


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _rng(kind: str, text: str) -> random.Random:
    digest = hashlib.blake2b(f"{SPLIT_SEED}\x00{kind}\x00{text}".encode("utf-8", "surrogatepass"), digest_size=8)
    return random.Random(int.from_bytes(digest.digest(), "big"))


def _word_pieces(line: str, rng: random.Random) -> list[str]:
    """A line's "words": seeded random 1-3 character pieces of each CJK run; other non-space runs whole."""
    pieces = []
    for token in line.split():
        pos = 0
        for m in _CJK_RUN.finditer(token):
            if m.start() > pos:
                pieces.append(token[pos:m.start()])
            run, i = m.group(), 0
            while i < len(run):
                step = rng.randint(1, 3)
                pieces.append(run[i:i + step])
                i += step
            pos = m.end()
        if pos < len(token):
            pieces.append(token[pos:])
    return pieces


def synthetic_kind(text: str) -> str:
    """The transformation ``synthetic_zh`` applies to ``text``."""
    return ZH_SYNTHETIC[_rng("kind", text).randrange(len(ZH_SYNTHETIC))]


def synthetic_zh(text: str) -> str:
    """A low-quality text made from ``text`` by the seeded transformation ``ZH_SYNTHETIC`` picks for it."""
    kind = synthetic_kind(text)
    rng = _rng(kind, text)
    if kind == "char_shuffle":
        lines = []
        for line in text.split("\n"):
            chars = list(line)
            rng.shuffle(chars)
            lines.append("".join(chars))
        return "\n".join(lines)
    if kind == "word_shuffle":
        lines = []
        for line in text.split("\n"):
            pieces = _word_pieces(line, rng)
            rng.shuffle(pieces)
            lines.append("".join(pieces))
        return "\n".join(lines)
    if kind == "mojibake_gbk":
        return text.encode("utf-8", "surrogatepass").decode("gbk", errors="replace")
    if kind == "mojibake_latin1":
        return text.encode("utf-8", "surrogatepass").decode("latin-1", errors="replace")
    # boilerplate: a few fragments of the text repeated as menu / footer lines
    flat = "".join(text.split())
    frags = []
    for _ in range(rng.randint(3, 8)):
        size = rng.randint(2, 10)
        start = rng.randrange(max(1, len(flat) - size + 1))
        frags.append(flat[start:start + size])
    block = [" | ".join(rng.sample(frags, rng.randint(1, len(frags)))) for _ in range(rng.randint(2, 5))]
    out, length = [], 0
    while length < max(len(text), MIN_CHARS):
        out.extend(block)
        length += sum(len(b) + 1 for b in block)
    return "\n".join(out)


def _clean(texts) -> list[str]:
    return list(dict.fromkeys(t for t in texts if isinstance(t, str) and len(t.strip()) >= MIN_CHARS))


def documents(lang: str) -> tuple[list[str], list[str]]:
    """(positives, negatives) of the recipe, in a fixed order, deduplicated (zh: without the
    synthetic negatives, which ``splits`` adds per split)."""
    pages = _raw_pages()
    page_lang = _language(pages)
    if lang == "en":
        pos = [p for line in (DATA / "web" / "wiki_sample.txt").read_text(encoding="utf-8").splitlines()
               for p in passages(line.replace("\\n", "\n"))]
        pos += [r["output"] for r in _json_list(DATA / "sft" / "alpaca_en_demo.json")]
        pos += [r["chosen"]["value"] if isinstance(r["chosen"], dict) else r["chosen"]
                for r in _json_list(DATA / "sft" / "dpo_en_demo.json")]
        # pages cut into passages like the Wikipedia positives, so length alone does not tell them
        # apart and short boilerplate (a menu, a footer) is among the negatives
        neg = [q for p, lg in zip(pages, page_lang) if lg == "en" for q in passages(p)]
        neg += [r["text"] for r in _jsonl(DATA / "web" / "c4_sample.jsonl")]
    elif lang == "zh":
        pos = [turn["value"] for r in _jsonl(DATA / "sft" / "sharegpt_zh_1k.jsonl")
               for turn in r["conversations"] if turn["from"] == "gpt"]
        pos += [r["output"] for r in _json_list(DATA / "sft" / "alpaca_zh_demo.json")]
        pos += [r["chosen"] for r in _jsonl(DATA / "sft" / "dpo_zh_500.jsonl")]
        # shorter passages than en: the answers they are set against are a few hundred characters
        neg = [q for p, lg in zip(pages, page_lang) if lg == "zh" for q in passages(p, ZH_PAGE_PASSAGE)]
    else:
        raise ValueError(f"no recipe for language {lang!r}")

    pos, neg = _clean(pos), _clean(neg)
    neg_set = set(neg)
    return [t for t in pos if t not in neg_set], neg


def split(texts: list[str]) -> tuple[list[str], list[str]]:
    """(train, held_out)."""
    train = [t for t in texts if not held_out(t)]
    return train, [t for t in texts if held_out(t)]


def splits(lang: str) -> tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]]:
    """((positive train, positive held out), (negative train, negative held out)) of the recipe.

    zh: each positive's synthetic negative joins the split of that positive; the sets are
    checked to be disjoint."""
    pos, neg = documents(lang)
    (pos_train, pos_held), (neg_train, neg_held) = split(pos), split(neg)
    if lang == "zh":
        taken = set(pos) | set(neg)

        def synth(sources):
            out = [t for t in _clean(synthetic_zh(s) for s in sources) if t not in taken]
            taken.update(out)
            return out

        neg_train, neg_held = neg_train + synth(pos_train), neg_held + synth(pos_held)
    train, held = set(pos_train) | set(neg_train), set(pos_held) | set(neg_held)
    if train & held or set(pos_train) & set(neg_train) or set(pos_held) & set(neg_held):
        raise SystemExit(f"{lang}: the training and held-out sets overlap")
    return (pos_train, pos_held), (neg_train, neg_held)


def train_classifier(lang: str, out: Path, spark=None) -> dict:
    from sparkops.spark.quality import KEEP_OF_LANG, TOKENIZER_OF_LANG, TrainSettings, export_model, fit, spark_scores
    from sparkops.spark.session import session

    spark = spark or session()
    (pos_train, pos_held), (neg_train, neg_held) = splits(lang)
    tokenizer = TOKENIZER_OF_LANG[lang]
    settings = TrainSettings(num_features=NUM_FEATURES, **LR_SETTINGS[lang])
    fitted = fit(spark, spark.createDataFrame([(t,) for t in pos_train], "text string"),
                 spark.createDataFrame([(t,) for t in neg_train], "text string"), tokenizer, settings)
    info = {"recipe": "tools/train_quality.py", "lang": lang, "split_seed": SPLIT_SEED, "held_out": HELD_OUT,
            "train": {"positive": len(pos_train), "negative": len(neg_train)},
            "held": {"positive": len(pos_held), "negative": len(neg_held)}, "settings": settings.__dict__}
    model = export_model(fitted, tokenizer, KEEP_OF_LANG[lang], info)
    check = pos_held[:25] + neg_held[:25]
    worst = max(abs(a - b) for a, b in zip(spark_scores(spark, fitted, check, tokenizer),
                                          [model.score(t) for t in check]))
    if worst > 1e-9:
        raise SystemExit(f"{lang}: the exported model differs from Spark's by {worst}")
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    return {**info, "nonzero_weights": len(model.weights), "bytes": out.stat().st_size, "max_diff_vs_spark": worst}


def fasttext_line(text: str) -> str:
    """A training line's text: what fasttext_quality_filter gives the model with its default
    ``newline_replacement`` (datatrove's: ``text.strip().replace("\\n", "")``), so training and
    scoring see the same input."""
    from sparkops.ops.quality.fasttext_quality import model_input

    return model_input(text, "")


def train_fasttext(out: Path) -> dict:
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None
    (pos_train, pos_held), (neg_train, neg_held) = splits("en")
    rows = [(HQ, t) for t in pos_train] + [(LQ, t) for t in neg_train]
    rows.sort(key=lambda r: hashlib.blake2b(r[1].encode("utf-8", "surrogatepass"), digest_size=8).digest())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.txt"
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            for label, text in rows:
                handle.write(f"{label} {fasttext_line(text)}\n")
        model = fasttext.train_supervised(input=str(path), **FASTTEXT)
        model.quantize(input=str(path), **FASTTEXT_QUANTIZE)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(out))
    return {"train": {"positive": len(pos_train), "negative": len(neg_train)},
            "held": {"positive": len(pos_held), "negative": len(neg_held)}, "bytes": out.stat().st_size,
            "settings": FASTTEXT, "quantize": FASTTEXT_QUANTIZE}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("en", "zh", "fasttext"), action="append")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "sparkops" / "assets")
    args = parser.parse_args(argv)
    todo = args.only or ["en", "zh", "fasttext"]
    for what in todo:
        if what == "fasttext":
            info = train_fasttext(args.out_dir / "quality_fasttext_en.ftz")
        else:
            info = train_classifier(what, args.out_dir / f"quality_{what}.qc.json.gz")
        print(what, json.dumps(info), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
