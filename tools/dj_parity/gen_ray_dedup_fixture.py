"""Regenerate tests/fixtures/dj_ray_dedup.json.gz with Data-Juicer 1.6.1's Ray deduplicators.

    nice /work/main/.peers/dj/bin/python tools/dj_parity/gen_ray_dedup_fixture.py   (~6 min on 2 busy cores)

Starts a local Ray (``ray.init(num_cpus=1)``: one CPU, so blocks are processed, and uids
handed out, in input order) and runs every case of ``tests/ray_dedup_corpus.CASES`` over
``ray_dedup_corpus.records()`` with Data-Juicer's own operator classes:

- ``ray_document_deduplicator``: ``compute_stats_single`` then ``process_single`` per record,
  in input order, against its Ray-actor hash set (``backend: ray_actor``, one actor);
- ``ray_bts_minhash_deduplicator`` (and ``_with_uid``): ``op.run`` on a Ray dataset of the
  records (one block per 100 records), its BTS union-find actors included;
- ``document_minhash_deduplicator`` (and ``_with_uid``), the non-Ray ops, on a Hugging Face
  dataset: ``compute_hash`` per record, then ``process``.

- ``ray_bts_minhash_cpp_deduplicator``: Data-Juicer's wheel ships its C++ (``minhash.cpp``,
  pybind11, OpenMP) and Cython (``tokenize.pyx``) parts as sources only, so they are built here
  from those very files into a temporary folder (g++, and ``pybind11``, ``cython``,
  ``bitarray`` in the Data-Juicer venv) and loaded under their package names in every Ray
  worker (``worker_process_setup_hook``); it needs 5 logical CPUs (it starts ``CPUs - 4``
  MinHash actors), one block keeps its uids in input order, and a module attribute it sets
  that Ray 2.60 no longer has (``actor_pool_map_operator``) is given a stand-in. Where the
  build fails the fixture says why and holds no cpp case.

Kept per case: the ids it removed. Also per record whether Data-Juicer's 5-word space
shingling gives it no shingle at all (the records Data-Juicer's MinHash ops lump into one
cluster), for the Python ops and for the C++ one. Sockets are left alone (Ray talks to itself
over them); nothing is downloaded.
"""

from __future__ import annotations

import gzip
import importlib
import json
import os
import shutil
import subprocess
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


def cpp_missing() -> str:
    """The run-time imports of ray_bts_minhash_cpp_deduplicator that fail as installed."""
    missing = []
    for name in ("data_juicer.ops.deduplicator.minhash", "data_juicer.ops.deduplicator.tokenize", "bitarray"):
        try:
            importlib.import_module(name)
        except ImportError as e:
            missing.append(f"{name}: {type(e).__name__}: {e}")
    return "; ".join(missing) or "none"


def build_cpp(dest: Path) -> str | None:
    """Build Data-Juicer's own minhash.cpp and tokenize.pyx into ``dest``; None, or why not."""
    import sysconfig

    import data_juicer.ops.deduplicator as pkg

    src = Path(pkg.__file__).parent
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    include = sysconfig.get_paths()["include"]
    try:
        import pybind11

        shutil.copy(src / "tokenize.pyx", dest / "tokenize.pyx")
        steps = [
            ["g++", "-O2", "-shared", "-fPIC", "-std=c++17", "-fopenmp", f"-I{include}",
             f"-I{pybind11.get_include()}", str(src / "minhash.cpp"), "-o", str(dest / f"minhash{suffix}")],
            [sys.executable, "-m", "cython", "-3", str(dest / "tokenize.pyx"), "-o", str(dest / "tokenize.c")],
            ["gcc", "-O2", "-shared", "-fPIC", f"-I{include}", str(dest / "tokenize.c"), "-o",
             str(dest / f"tokenize{suffix}")],
        ]
        for cmd in steps:
            subprocess.run(cmd, check=True, capture_output=True, text=True)
    except (ImportError, OSError, subprocess.CalledProcessError) as e:
        return f"{type(e).__name__}: {getattr(e, 'stderr', '') or e}"[:300]
    return None


def cpp_loader(folder: str):
    """A Ray worker set-up hook: the built extensions under Data-Juicer's module names."""
    def load():
        import glob
        import importlib.util

        importlib.import_module("data_juicer.ops.deduplicator")
        for name in ("minhash", "tokenize"):
            full = f"data_juicer.ops.deduplicator.{name}"
            if full not in sys.modules:
                spec = importlib.util.spec_from_file_location(full, glob.glob(f"{folder}/{name}.cpython-*")[0])
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                sys.modules[full] = module
    return load


def run_cpp(cls, params, recs, work: str):
    import types

    import ray
    import ray.data._internal.execution.operators as operators

    if not hasattr(operators, "actor_pool_map_operator"):  # Data-Juicer 1.6.1 tunes it; Ray 2.60 moved it
        operators.actor_pool_map_operator = types.SimpleNamespace()
    op = cls(union_find_parallel_num=1, work_dir=work, **params)
    rows = [{"id": r["id"], "text": r["text"]} for r in recs]
    kept = {r["id"] for r in op.run(ray.data.from_items(rows, override_num_blocks=1)).take_all()}
    return [r["id"] for r in recs if r["id"] not in kept]


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
        if name == "ray_bts_minhash_cpp_deduplicator":
            continue  # below, in a Ray of its own
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

    missing = cpp_missing()
    ext = tempfile.mkdtemp(prefix="dj_cpp_ext_")
    why = build_cpp(Path(ext))
    if why is None:
        cpp_status = f"built from Data-Juicer's sources (as installed its run-time imports fail: {missing})"
        ray.init(num_cpus=5, include_dashboard=False, log_to_driver=False, logging_level="ERROR",
                 runtime_env={"worker_process_setup_hook": cpp_loader(ext)})
        cpp_loader(ext)()
        for case_id, name, params in corpus.CASES:
            if name == "ray_bts_minhash_cpp_deduplicator":
                t = time.time()
                removed = run_cpp(OPERATORS.modules[name], params, recs, tempfile.mkdtemp(prefix="dj_cpp_work_"))
                cases.append({"id": case_id, "op": name, "params": params, "removed": removed})
                log(f"{case_id}: removed {len(removed)} of {len(recs)} in {time.time() - t:.1f}s")
        ray.shutdown()
    else:
        cpp_status = f"not run: its run-time imports fail ({missing}) and building it failed: {why}"

    no_shingles = [r["id"] for r in recs if len(split_on_whitespace(r["text"])) < 5]
    # the C++ op's shingles: range(tokens - window), so a text of exactly 5 tokens has none too
    no_shingles_cpp = [r["id"] for r in recs if len([w for w in r["text"].split(" ") if w]) <= 5]
    fixture = {
        "generator": GENERATOR, "data_juicer": data_juicer.__version__, "ray": ray.__version__,
        "engine": "local Ray, ray.init(num_cpus=1); union_find_parallel_num 1, dedup_set_num 1",
        "records_sha256": corpus.sha256_records(recs), "n_records": len(recs),
        "no_shingles": no_shingles, "no_shingles_cpp": no_shingles_cpp,
        "ray_bts_minhash_cpp_deduplicator": cpp_status,
        "cases": cases,
    }
    OUT_FILE.write_bytes(gzip.compress(json.dumps(fixture, indent=1, ensure_ascii=False).encode("utf-8"), mtime=0))
    log(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
