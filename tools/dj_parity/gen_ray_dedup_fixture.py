"""Regenerate tests/fixtures/dj_ray_dedup.json.gz with Data-Juicer 1.6.1's Ray deduplicators.

    nice /work/main/.peers/dj/bin/python tools/dj_parity/gen_ray_dedup_fixture.py   (~3 min)

Starts a local Ray (``ray.init(num_cpus=1)``: one CPU, so blocks are processed, and uids
handed out, in input order) and runs every case of ``tests/ray_dedup_corpus.CASES`` over
``ray_dedup_corpus.records()`` with Data-Juicer's own operator classes:

- ``ray_document_deduplicator``: ``compute_stats_single`` then ``process_single`` per record,
  in input order, against its Ray-actor hash set (``backend: ray_actor``, one actor);
- ``ray_bts_minhash_deduplicator`` (and ``_with_uid``): ``op.run`` on a Ray dataset of the
  records (one block per 100 records), its BTS union-find actors included;
- ``document_minhash_deduplicator`` (and ``_with_uid``), the non-Ray ops, on a Hugging Face
  dataset: ``compute_hash`` per record, then ``process``.

Kept per case: the ids it removed. Also per record whether Data-Juicer's 5-word space
shingling gives it no shingle at all (the records Data-Juicer's MinHash ops lump into one
cluster). ``ray_bts_minhash_cpp_deduplicator`` is not run: the fixture says why (its C++ and
Cython extensions are shipped as sources, not built). Sockets are left alone (Ray talks to
itself over them); nothing is downloaded.
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import ray_dedup_corpus as corpus  # noqa: E402

OUT_FILE = ROOT / "tests" / "fixtures" / "dj_ray_dedup.json.gz"
GENERATOR = "tools/dj_parity/gen_ray_dedup_fixture.py"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cpp_status() -> str:
    """Why ray_bts_minhash_cpp_deduplicator cannot run here: the modules it imports at run time."""
    missing = []
    for name in ("data_juicer.ops.deduplicator.minhash", "data_juicer.ops.deduplicator.tokenize", "bitarray"):
        try:
            importlib.import_module(name)
        except ImportError as e:
            missing.append(f"{name}: {type(e).__name__}: {e}")
    return "; ".join(missing) or "importable"


def run_exact(op, recs):
    from data_juicer.utils.constant import Fields

    removed = []
    for rec in recs:
        sample = dict(rec)
        sample[Fields.stats] = {}
        sample = op.compute_stats_single(sample)
        if not op.process_single(sample):
            removed.append(rec["id"])
    return removed


def run_ray_minhash(op, recs, with_uid: bool):
    import ray

    rows = [{"id": r["id"], "text": r["text"], **({corpus.UID: r[corpus.UID]} if with_uid else {})} for r in recs]
    ds = ray.data.from_items(rows, override_num_blocks=max(1, len(rows) // 100))
    kept = {r["id"] for r in op.run(ds).take_all()}
    return [r["id"] for r in recs if r["id"] not in kept]


def run_local_minhash(op, recs, with_uid: bool):
    from datasets import Dataset

    rows = [{"id": r["id"], "text": r["text"], **({corpus.UID: r[corpus.UID]} if with_uid else {})} for r in recs]
    ds = Dataset.from_list(rows).map(op.compute_hash)
    out, _ = op.process(ds)
    kept = set(out["id"])
    return [r["id"] for r in recs if r["id"] not in kept]


def main() -> None:
    os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    import data_juicer
    from data_juicer.utils import lazy_loader

    def _refuse_install(cls, package_spec, pip_args=None):
        raise RuntimeError(f"{GENERATOR} refuses to install {package_spec!r}")

    lazy_loader.LazyLoader._install_package = classmethod(_refuse_install)
    import ray
    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    from data_juicer.ops.base_op import OPERATORS
    import data_juicer.ops.deduplicator  # noqa: F401  (registers the ops)
    from data_juicer.ops.deduplicator.document_minhash_deduplicator import split_on_whitespace

    recs = corpus.records()
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    work = tempfile.mkdtemp(prefix="dj_ray_dedup_")
    cases = []
    for case_id, name, params in corpus.CASES:
        t = time.time()
        cls = OPERATORS.modules[name]
        if name == "ray_document_deduplicator":
            removed = run_exact(cls(dedup_set_num=1, **params), recs)
        elif name.startswith("ray_bts"):
            op = cls(union_find_parallel_num=1, work_dir=work, **params)
            removed = run_ray_minhash(op, recs, name.endswith("_with_uid"))
        else:
            removed = run_local_minhash(cls(**params), recs, name.endswith("_with_uid"))
        cases.append({"id": case_id, "op": name, "params": params, "removed": removed})
        log(f"{case_id}: removed {len(removed)} of {len(recs)} in {time.time() - t:.1f}s")
    ray.shutdown()

    no_shingles = [r["id"] for r in recs if len(split_on_whitespace(r["text"])) < 5]
    fixture = {
        "generator": GENERATOR, "data_juicer": data_juicer.__version__, "ray": ray.__version__,
        "engine": "local Ray, ray.init(num_cpus=1); union_find_parallel_num 1, dedup_set_num 1",
        "records_sha256": corpus.sha256_records(recs), "n_records": len(recs),
        "no_shingles": no_shingles,
        "ray_bts_minhash_cpp_deduplicator": "not run: its run-time imports fail in Data-Juicer 1.6.1's wheel "
                                            "(minhash.cpp and tokenize.pyx ship as sources, unbuilt): "
                                            + cpp_status(),
        "cases": cases,
    }
    OUT_FILE.write_bytes(gzip.compress(json.dumps(fixture, indent=1, ensure_ascii=False).encode("utf-8"), mtime=0))
    log(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
