"""Regenerate tests/fixtures/dj_augment.json.gz with Data-Juicer 1.6.1 itself.

    /work/main/.peers/dj/bin/pip install nlpaug==1.1.11 nlpcda==2.5.8   # once
    /work/main/.peers/dj/bin/python tools/dj_parity/gen_augment_fixture.py

Runs every case of ``tests/augment_corpus.CASES`` (``nlpaug_en_mapper`` over the English
documents, ``nlpcda_zh_mapper`` over the Chinese ones) by calling Data-Juicer's op classes
directly, one record per ``process_batched`` call (a batch of one), after seeding Python's and
NumPy's global generators with ``augment_corpus.row_seed(SEED, text)``: Data-Juicer does not
seed nlpaug, and nlpcda's constructors seed Python's generator once, so this is the only way to
get outputs that do not depend on the rows before. Kept per document: its output texts
(``augment_corpus.digest``: short ones verbatim, long ones as a sha256 prefix).

Also kept (``dj_batch_quirk``): what ``nlpcda_zh_mapper.process_batched`` does with a batch of
three records (Data-Juicer's default batch is 1,000): it augments only the first text. The
offline guards are those of ``gen_fixture.py``.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import augment_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_augment.json.gz"
GENERATOR = "tools/dj_parity/gen_augment_fixture.py"


def run_one(op, text: str) -> list[str]:
    import numpy as np

    seed = corpus.row_seed(corpus.SEED, text)
    random.seed(seed)
    np.random.seed(seed)
    out = op.process_batched({"text": [text], "id": [0]})
    assert out["id"] == [0] * len(out["text"]), out
    return list(out["text"])


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    data_juicer, operators = base.import_data_juicer()
    import importlib

    for name in ("nlpaug_en_mapper", "nlpcda_zh_mapper"):
        importlib.import_module(f"data_juicer.ops.mapper.{name}")
    docs = {"nlpaug_en_mapper": corpus.documents("en"), "nlpcda_zh_mapper": corpus.documents("zh")}
    base.log(f"data_juicer {data_juicer.__version__}, nlpaug {base.pkg_version('nlpaug')}, "
             f"nlpcda {base.pkg_version('nlpcda')}, numpy {base.pkg_version('numpy')}")

    cases_out = []
    for case in corpus.CASES:
        with contextlib.redirect_stdout(io.StringIO()):  # nlpcda prints as it loads
            op = operators.modules[case["op"]](**case["params"])
        if case["params"].get("spelling_error_word"):
            # nlpaug orders its spelling table's candidates by the string hash seed (list(set(...)));
            # sparkops sorts them (nlpaug_en.sort_spelling_table), so sort Data-Juicer's the same way
            for candidates in op.aug[0].model.dict.values():
                candidates.sort()
        rows = {}
        for doc_id, text in docs[case["op"]]:
            with contextlib.redirect_stdout(io.StringIO()):
                rows[doc_id] = corpus.digest(run_one(op, text))
        cases_out.append(dict(case, rows=rows))
        base.log(f"{case['id']:<28s} {sum(len(r) for r in rows.values()):4d} rows from {len(rows)} docs")

    with contextlib.redirect_stdout(io.StringIO()):
        op = operators.modules["nlpcda_zh_mapper"](replace_equivalent_num=True, aug_num=1)
        random.seed(corpus.SEED)
        texts = ["第1个", "第2个", "第3个"]
        try:
            quirk = {"input": texts, "output": op.process_batched({"text": texts})}
        except Exception as e:  # noqa: BLE001 - recorded
            quirk = {"input": texts, "error": f"{type(e).__name__}: {e}"}

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "versions": {p: base.pkg_version(p) for p in ("nlpaug", "nlpcda", "jieba", "numpy")},
        "seed": corpus.SEED,
        "docs": {lang: {i: base.sha256_text(t) for i, t in corpus.documents(lang)} for lang in ("en", "zh")},
        "cases": cases_out,
        "dj_batch_quirk": quirk,
    }
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    base.log(f"wrote {OUT_FILE} ({size} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
