"""Regenerate tests/fixtures/perplexity_kenlm.json.gz with the real kenlm module.

Run with a throwaway venv holding kenlm (a source build) and sentencepiece, never the project's:

    python3 -m venv /tmp/kenv && /tmp/kenv/bin/pip install kenlm sentencepiece
    SPARKOPS_SHARED_DATA=../shared/data PYTHONPATH=. /tmp/kenv/bin/python tools/gen_perplexity_fixture.py \
        [--data-juicer .peers/dj/lib/python3.11/site-packages]

For each shipped language model (``sparkops/assets/perplexity``; its ARPA file gunzipped for
kenlm) the fixture holds, computed by kenlm and sentencepiece only (no sparkops code scores):

- ``lines``: lines of space-joined sentencepiece pieces and odd lines (empty, unknown words,
  ``<s>`` / ``</s>`` / ``<unk>`` written in the text, non-ASCII whitespace) with
  ``kenlm.Model.score(line, bos, eos)`` for the four bos / eos combinations;
- ``docs``: raw texts with Data-Juicer 1.6.1's perplexity (its ``compute_stats_batched``
  steps: ``encode_as_pieces``, pieces joined by spaces, per ``splitlines()`` line kenlm's score
  and words + 1, ``round(10 ** (-logits / length), 1)``): a seeded sample of held-out passages
  (``tools/train_perplexity.passages``) and the same passages garbled (``garble``), several of
  them joined by line breaks, and edge cases.

With ``--data-juicer SITE_PACKAGES`` (the site-packages of the Data-Juicer 1.6.1 venv, added to
this interpreter's path after kenlm's venv) each doc is also run through Data-Juicer's own
``PerplexityFilter.compute_stats_batched``, offline, with our models under the names it loads
(``{lang}.sp.model``, ``{lang}.arpa.bin``: kenlm reads an ARPA file under any name), and the
generator stops unless it gives the same perplexity as the steps above.

The Chinese passages come from the SFT answers (the training recipe has no other Chinese
text; the novel ``web/zh_novel_sample.txt`` is never used). The models' sha256 are recorded so
a test can tell a stale fixture from a wrong scorer.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import socket
import sys
import tempfile
import types
from importlib.metadata import version
from pathlib import Path

import kenlm
import sentencepiece

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.train_perplexity import SPLIT_SEED, documents, garble, held_out, passages  # noqa: E402

MODELS = ROOT / "sparkops" / "assets" / "perplexity"
OUT = ROOT / "tests" / "fixtures" / "perplexity_kenlm.json.gz"
PER_LANG = 30          # clean passages per language (and as many garbled)
ODD_LINES = ["", "zzqxv qqqq", "<s> the </s>", "<unk> <unk>", "a\u3000b c\u00a0d", "  spaced   out  ",
             "\u2581the \u2581the \u2581the", "\u2581the\x00 \u2581city", "\u2581a \x00 \u2581b"]
ODD_DOCS = ["", " \n\t ", "!!! ???", "a\nb", "line one\r\n\r\nline three", "nel\u0085between", "x\u2028y",
            "12345 67890", "The \u3000 ideographic space", "混合 mixed 文本 text", "\x00\x01 controls"]


def dj_perplexity(text: str, sp, lm) -> float:
    """Data-Juicer 1.6.1's steps, written from its source as facts."""
    words = sp.encode_as_pieces(text)
    joined = " ".join(words)
    logits, length = 0, 0
    for line in joined.splitlines():
        logits += lm.score(line)
        length += len(line.split()) + 1
    ppl = (10.0 ** (-logits / length)) if length != 0 else 0.0
    return round(ppl, 1)


def data_juicer_filter(site_packages: str, models: Path):
    """Data-Juicer 1.6.1's PerplexityFilter class, importable offline, reading ``models``."""
    sys.path.append(site_packages)
    os.environ.update(HF_HUB_OFFLINE="1", DATA_JUICER_CACHE_HOME=str(models.parent),
                      DATA_JUICER_MODELS_CACHE=str(models), DATA_JUICER_ASSETS_CACHE=str(models.parent / "assets"))
    os.environ.pop("DATA_JUICER_EXTERNAL_MODELS_HOME", None)

    def no_network(*args, **kwargs):
        raise OSError("network access is disabled in gen_perplexity_fixture.py")

    socket.socket.connect = socket.socket.connect_ex = socket.create_connection = no_network
    import data_juicer
    from data_juicer.utils import lazy_loader

    def refuse(cls, package_spec, pip_args=None):
        raise RuntimeError(f"refusing to install {package_spec!r}")

    lazy_loader.LazyLoader._install_package = classmethod(refuse)
    # data_juicer/core/__init__ imports the Ray executor (LazyLoader would install ray): a bare
    # package object lets data_juicer.core.data import alone (as tools/dj_parity/gen_fixture.py)
    core = types.ModuleType("data_juicer.core")
    core.__path__ = [str(Path(data_juicer.__file__).parent / "core")]
    sys.modules.setdefault("data_juicer.core", core)
    from loguru import logger

    logger.remove()
    from data_juicer.ops.filter.perplexity_filter import PerplexityFilter
    from data_juicer.utils.constant import Fields

    def run(lang: str, text: str) -> float:
        samples = {"text": [text], Fields.stats: [{}]}
        return PerplexityFilter(lang=lang).compute_stats_batched(samples)[Fields.stats][0]["perplexity"]

    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-juicer", metavar="SITE_PACKAGES",
                        help="also run Data-Juicer 1.6.1's own PerplexityFilter from this site-packages")
    args = parser.parse_args(argv)
    dj_models = Path(tempfile.mkdtemp(prefix="ppl-fixture-")) / "models"
    dj_models.mkdir()
    dj = data_juicer_filter(os.path.abspath(args.data_juicer), dj_models) if args.data_juicer else None
    out = {"kenlm": version("kenlm"), "sentencepiece": version("sentencepiece"),
           "split_seed": SPLIT_SEED, "languages": {}}
    for sp_path in sorted(MODELS.glob("*.sp.model")):
        lang = sp_path.name.split(".")[0]
        arpa_gz = MODELS / f"{lang}.arpa.gz"
        sp = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
        arpa = dj_models / f"{lang}.arpa.bin"  # an ARPA text file, under the name Data-Juicer loads
        arpa.write_bytes(gzip.decompress(arpa_gz.read_bytes()))
        (dj_models / f"{lang}.sp.model").write_bytes(sp_path.read_bytes())
        lm = kenlm.Model(str(arpa))
        pool = passages([t for t in documents(lang) if held_out(t)], lang)
        clean = random.Random(SPLIT_SEED).sample(pool, PER_LANG)
        docs = [("clean", t) for t in clean] + [("garbled", garble(t, lang)) for t in clean]
        docs += [("multi_line", "\n".join(clean[i:i + 3])) for i in range(0, 9, 3)]
        docs += [("odd", t) for t in ODD_DOCS]
        lines = [" ".join(sp.encode_as_pieces(t)) for t in clean[:10]] + ODD_LINES
        out["languages"][lang] = {
            "sha256": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (sp_path, arpa_gz)},
            "lines": [{"line": line, **{f"bos={b},eos={e}": lm.score(line, bos=b, eos=e)
                                        for b in (True, False) for e in (True, False)}} for line in lines],
            "docs": [{"kind": kind, "text": text, "perplexity": dj_perplexity(text, sp, lm)} for kind, text in docs],
        }
        if dj is not None:
            for doc in out["languages"][lang]["docs"]:
                got = dj(lang, doc["text"])
                if got != doc["perplexity"]:
                    raise SystemExit(f"Data-Juicer's op gives {got} for {doc['text'][:60]!r}, the steps "
                                     f"{doc['perplexity']}: fix dj_perplexity")
            out["checked_with_data_juicer_op"] = "PerplexityFilter of py-data-juicer 1.6.1"
    OUT.write_bytes(gzip.compress(json.dumps(out, ensure_ascii=False, indent=0).encode("utf-8"), mtime=0))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
