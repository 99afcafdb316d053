"""Regenerate tests/fixtures/dj_tokenization.json.gz with Data-Juicer 1.6.1 itself.

    /work/main/.peers/dj/bin/pip install sentencepiece==0.2.3        # once: DJ's base install lacks it
    /work/main/.peers/dj/bin/pip install --target .peers/dj_transformers --no-deps transformers==4.57.1
    DJ_TRANSFORMERS=.peers/dj_transformers /work/main/.peers/dj/bin/python tools/dj_parity/gen_tokenization_fixture.py

Data-Juicer's ops with ``tokenization: true`` (``tests/tokenization_corpus.CASES``) over
``tokenization_corpus.documents(lang)``, called directly, one document per batch, as
``Filter.run`` calls them (``compute_stats_batched`` then ``process_batched``; mappers
``process_batched``). Their sentencepiece model is sparkops' own: Data-Juicer's model loader
(``check_model``) looks for ``{lang}.sp.model`` in the working directory, then in
``$DATA_JUICER_EXTERNAL_MODELS_HOME``, before its download, and this script points that variable
at ``sparkops/assets/perplexity/``. ``alphanumeric_filter`` with tokenization asks for the
Hugging Face tokenizer of ``EleutherAI/pythia-6.9b-deduped`` (a download): the op is given the
tokenizer sparkops uses by default instead (wordllama's Llama-2 ``tokenizer.json``, loaded by
Data-Juicer's own ``prepare_huggingface_model`` from a local folder, as
``gen_catalogue_tokens_fixture.py`` does); that case needs ``DJ_TRANSFORMERS`` (skipped without).
Kept per document: the statistic and keep flag (filters), the output (mappers,
``tokenization_corpus.digest``). The offline guards are those of ``gen_fixture.py``.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import sys
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import tokenization_corpus as corpus  # noqa: E402
from gen_catalogue_tokens_fixture import _wordllama_tokenizer  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_tokenization.json.gz"
GENERATOR = "tools/dj_parity/gen_tokenization_fixture.py"
STAT = {"words_num_filter": "num_words", "word_repetition_filter": "word_rep_ratio",
        "flagged_words_filter": "flagged_words_ratio", "stopwords_filter": "stopwords_ratio",
        "alphanumeric_filter": "alpha_token_ratio"}


def run_filter(op, text: str, key: str):
    from data_juicer.utils.constant import Fields

    samples = {op.text_key: [text], Fields.stats: [{}]}
    if hasattr(op, "compute_stats_batched") and op.is_batched_op():
        samples = op.compute_stats_batched(samples)
        keep = list(op.process_batched(samples))[0]
        stats = samples[Fields.stats][0]
    else:  # stopwords_filter is a single-sample op
        sample = {op.text_key: text, Fields.stats: {}}
        sample = op.compute_stats_single(sample)
        keep, stats = op.process_single(sample), sample[Fields.stats]
    return stats[key], bool(keep)


def run_mapper(op, text: str) -> str:
    return op.process_batched({op.text_key: [text]})[op.text_key][0]


def _hf_tokenizer_folder() -> Path | None:
    extra = os.environ.get("DJ_TRANSFORMERS")
    if not extra:
        return None
    sys.path.append(os.path.abspath(extra))
    # transformers 4.57.1 checks its dependency pins at import (see gen_catalogue_tokens_fixture.py)
    sys.modules["transformers.dependency_versions_check"] = types.ModuleType("transformers.dependency_versions_check")
    folder = base.DJ_CACHE / "tokenizers" / "wordllama_l2_supercat"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_wordllama_tokenizer(), folder / "tokenizer.json")
    (folder / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "PreTrainedTokenizerFast"}))
    return folder


def main() -> int:
    t_start = time.perf_counter()
    hf_folder = _hf_tokenizer_folder()
    base.setup_offline_env()
    # Data-Juicer's check_model(): '{lang}.sp.model' in the CWD, then here, before any download
    for lang in ("en", "zh"):
        if Path(f"{lang}.sp.model").exists():
            sys.exit(f"{base.ROOT / (lang + '.sp.model')} would shadow sparkops' model; remove it")
    os.environ["DATA_JUICER_EXTERNAL_MODELS_HOME"] = str(corpus.SP_MODELS)
    data_juicer, operators = base.import_data_juicer()
    import importlib

    from data_juicer.utils import model_utils

    cases = list(corpus.CASES)
    if hf_folder is not None:
        cases.append(("alphanumeric/en", "alphanumeric_filter", {"tokenization": True, "min_ratio": 1.5}))
    for _, name, _ in cases:
        kind = "mapper" if name.endswith("_mapper") else "filter"
        importlib.import_module(f"data_juicer.ops.{kind}.{name}")
    docs = {lang: corpus.documents(lang) for lang in ("en", "zh")}
    base.log(f"data_juicer {data_juicer.__version__}, sentencepiece {base.pkg_version('sentencepiece')}; "
             f"{len(docs['en'])} en, {len(docs['zh'])} zh documents")

    out = []
    for case_id, name, params in cases:
        params = dict(params)
        if name in base.EXTRA_PARAMS:
            params.update(base.EXTRA_PARAMS[name])
        op = operators.modules[name](**params)
        if name == "alphanumeric_filter":
            op.model_key = model_utils.prepare_model("huggingface", pretrained_model_name_or_path=str(hf_folder),
                                                     return_model=False)
        else:  # the loader found sparkops' model, not a download
            assert Path(model_utils.check_model(f"{params['lang']}.sp.model")).parent == corpus.SP_MODELS
        rows = {}
        for doc_id, text in docs[corpus.lang_of(case_id)]:
            if name.endswith("_mapper"):
                rows[doc_id] = corpus.digest(run_mapper(op, text))
            else:
                stat, keep = run_filter(op, text, STAT[name])
                rows[doc_id] = [stat, keep]
        out.append({"id": case_id, "op": name, "params": dict(case_params(params)), "rows": rows})
        kept = sum(1 for r in rows.values() if isinstance(r, list) and r[1])
        base.log(f"{case_id:<30s} {len(rows)} docs" + ("" if name.endswith("_mapper") else f", kept {kept}"))

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "sentencepiece": base.pkg_version("sentencepiece"),
        "sp_models": {lang: base.sha256_file(corpus.SP_MODELS / f"{lang}.sp.model") for lang in ("en", "zh")},
        "docs": {lang: corpus.sha256_docs(d) for lang, d in docs.items()},
        "cases": out,
    }
    if hf_folder is not None:
        fixture["hf_tokenizer_sha256"] = base.sha256_file(hf_folder / "tokenizer.json")
    data = json.dumps(fixture, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    blob = gzip.compress(data.encode("ascii") + b"\n", compresslevel=9, mtime=0)
    OUT_FILE.write_bytes(blob)
    base.log(f"wrote {OUT_FILE.relative_to(base.ROOT)} ({len(blob):,} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


def case_params(params: dict) -> dict:
    """The params without the word-list folders the generator adds (machine paths)."""
    return {k: v for k, v in params.items() if not k.endswith("_dir")}


if __name__ == "__main__":
    sys.exit(main())
