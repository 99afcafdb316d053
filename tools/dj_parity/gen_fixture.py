"""Regenerate tests/fixtures/dj_parity.json.gz with Data-Juicer itself.

Run from anywhere with the throwaway Data-Juicer venv (see README.md next to this file):

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_fixture.py

Every case of ``tests/parity_corpus.CASES`` is run over every document of
``tests/parity_corpus.documents()`` by calling the Data-Juicer operator classes directly
(no executor, no ``datasets`` map), one document per call so that an exception is pinned
to its document. The fixture holds hashes and numbers only, never texts.

Offline guarantees: HF offline env vars; a private DATA_JUICER_CACHE_HOME whose
``models/lid.176.bin`` is a copy of ``sparkops/assets/lid.176.ftz``; socket connections,
``wget.download`` and Data-Juicer's LazyLoader auto-``pip install`` all raise; and
``data_juicer.core`` (whose ``__init__`` imports the Ray executor, which makes LazyLoader
pip-install ``ray``) is replaced by a bare namespace so only ``data_juicer.core.data`` loads.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import importlib.util
import io
import json
import os
import shutil
import socket
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILE = ROOT / "tests" / "parity_corpus.py"
OUT_FILE = ROOT / "tests" / "fixtures" / "dj_parity.json.gz"
ASSETS = ROOT / "sparkops" / "assets"
LID_MODEL = ASSETS / "lid.176.ftz"
WORDLISTS = ASSETS / "wordlists"
DJ_CACHE = ROOT / ".peers" / "dj_cache"
GENERATOR = "tools/dj_parity/gen_fixture.py"

# parameters the generator adds to every op that takes them (not part of CASES params)
EXTRA_PARAMS = {
    "stopwords_filter": {"stopwords_dir": str(WORDLISTS)},
    "flagged_words_filter": {"flagged_words_dir": str(WORDLISTS)},
}


def log(msg: str) -> None:
    print(msg, flush=True)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256_text(text: str) -> str:
    # surrogatepass: never fails, identical to strict UTF-8 for every valid str
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


# ------------------------------------------------------------------ environment


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in gen_fixture.py")


def setup_offline_env() -> None:
    for path in (LID_MODEL, WORDLISTS / "stopwords.json", WORDLISTS / "flagged_words.json"):
        if not path.is_file():
            sys.exit(f"missing {path}; build it first (python -m sparkops.assets.fetch)")

    models = DJ_CACHE / "models"
    models.mkdir(parents=True, exist_ok=True)
    target = models / "lid.176.bin"  # the name DJ's prepare_fasttext_model() asks check_model() for
    if not target.is_file() or sha256_file(target) != sha256_file(LID_MODEL):
        shutil.copyfile(LID_MODEL, target)
        log(f"copied {LID_MODEL} -> {target}")

    os.environ.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        DATA_JUICER_CACHE_HOME=str(DJ_CACHE),
        DATA_JUICER_MODELS_CACHE=str(models),
        DATA_JUICER_ASSETS_CACHE=str(DJ_CACHE / "assets"),
    )
    # check_model() first looks for the bare name in the CWD and in this env var
    os.environ.pop("DATA_JUICER_EXTERNAL_MODELS_HOME", None)
    os.chdir(ROOT)
    if os.path.exists("lid.176.bin"):
        sys.exit(f"{ROOT / 'lid.176.bin'} would shadow the cached model; remove it")

    # no network from this process
    socket.socket.connect = _no_network
    socket.socket.connect_ex = _no_network
    socket.create_connection = _no_network


def import_data_juicer():
    import data_juicer

    # LazyLoader would `uv pip install` / `pip install` any missing module: refuse.
    from data_juicer.utils import lazy_loader

    def _refuse_install(cls, package_spec, pip_args=None):
        raise RuntimeError(f"gen_fixture.py refuses to install {package_spec!r}")

    lazy_loader.LazyLoader._install_package = classmethod(_refuse_install)

    # OP.__init__ does `from data_juicer.core.data import ...`; data_juicer/core/__init__.py
    # would import the Ray executor -> LazyLoader("ray") -> pip install ray. A bare package
    # object with the right __path__ lets the `core.data` subpackage import on its own.
    if "data_juicer.core" not in sys.modules:
        core = types.ModuleType("data_juicer.core")
        core.__path__ = [str(Path(data_juicer.__file__).parent / "core")]
        sys.modules["data_juicer.core"] = core

    from data_juicer.utils import model_utils

    model_utils.wget.download = _no_network

    from loguru import logger

    logger.remove()
    logger.add(sys.stderr, level="WARNING")

    from data_juicer.ops.base_op import OPERATORS

    return data_juicer, OPERATORS


def load_corpus():
    spec = importlib.util.spec_from_file_location("parity_corpus", CORPUS_FILE)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["parity_corpus"] = mod
    spec.loader.exec_module(mod)
    return mod


def pkg_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


# ------------------------------------------------------------------ running ops


def plain(value):
    """Python scalar for JSON; numpy scalars are converted exactly."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    import numpy as np

    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, float):  # float subclass (e.g. np.float64 handled above)
        return float(value)
    if isinstance(value, int):
        return int(value)
    raise TypeError(f"unexpected stat type {type(value)!r}: {value!r}")


def build_op(operators, case):
    cls = operators.modules[case["op"]]
    module = cls.__module__
    params = dict(case["params"])
    params.update(EXTRA_PARAMS.get(case["op"], {}))
    return cls(**params), module


def run_filter(op, text, stat_keys):
    from data_juicer.utils.constant import Fields

    if op.is_batched_op():
        samples = {op.text_key: [text], Fields.stats: [{}]}
        samples = op.compute_stats_batched(samples)
        keep = list(op.process_batched(samples))
        stats = samples[Fields.stats][0]
        if len(keep) != 1:
            raise RuntimeError(f"process_batched returned {len(keep)} values for 1 sample")
        keep = keep[0]
    else:
        sample = op.compute_stats_single({op.text_key: text, Fields.stats: {}})
        stats = sample[Fields.stats]
        keep = op.process_single(sample)
    if set(stats) != set(stat_keys):
        raise AssertionError(f"stat keys {sorted(stats)} != declared {sorted(stat_keys)}")
    return {k: plain(stats[k]) for k in stat_keys}, plain(keep)


def run_mapper(op, text):
    if op.is_batched_op():
        out = op.process_batched({op.text_key: [text]})[op.text_key]
        if len(out) != 1:
            raise RuntimeError(f"process_batched returned {len(out)} texts for 1 sample")
        out = out[0]
    else:
        out = op.process_single({op.text_key: text})[op.text_key]
    if not isinstance(out, str):
        raise TypeError(f"mapper returned {type(out)!r}")
    return out


def run_case(operators, case, docs, errors):
    op, module = build_op(operators, case)
    entry = {"id": case["id"], "op": case["op"], "params": case["params"], "kind": case["kind"]}
    case_errors = {}
    if case["kind"] == "filter":
        stat_keys = case["stats"]
        stats = {k: [] for k in stat_keys}
        keep = []
        for doc_id, text in docs:
            try:
                values, kept = run_filter(op, text, stat_keys)
            except AssertionError:
                raise
            except Exception as e:  # noqa: BLE001 - recorded in the fixture
                case_errors[doc_id] = f"{type(e).__name__}: {e}"
                values, kept = {k: None for k in stat_keys}, None
            for k in stat_keys:
                stats[k].append(values[k])
            keep.append(kept)
        entry["stats"] = stats
        entry["keep"] = keep
    else:
        hashes, lengths = [], []
        for doc_id, text in docs:
            try:
                out = run_mapper(op, text)
                hashes.append(sha256_text(out))
                lengths.append(len(out))
            except Exception as e:  # noqa: BLE001 - recorded in the fixture
                case_errors[doc_id] = f"{type(e).__name__}: {e}"
                hashes.append(None)
                lengths.append(None)
        entry["output_sha256"] = hashes
        entry["output_len"] = lengths
    if case_errors:
        errors[case["id"]] = case_errors
    return entry, module, len(case_errors)


def write_ascii_fixture(obj, path: Path) -> int:
    """``obj`` as ASCII JSON, gzipped reproducibly (no name, mtime 0), at ``path``; its size. ASCII:
    texts may hold lone surrogates (adversarial cases), which UTF-8 refuses."""
    data = json.dumps(obj, sort_keys=True, ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    blob = gzip.compress(data.encode("ascii") + b"\n", compresslevel=9, mtime=0)
    path.write_bytes(blob)
    return len(blob)


def write_fixture(obj) -> int:
    data = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data.encode("utf-8"))
        gz.write(b"\n")
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT_FILE.with_suffix(".tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, OUT_FILE)
    return len(buf.getvalue())


def main() -> int:
    t_start = time.perf_counter()
    setup_offline_env()
    corpus = load_corpus()
    t0 = time.perf_counter()
    docs = corpus.documents()
    log(f"corpus: {len(docs)} documents, {sum(len(t) for _, t in docs):,} chars "
        f"({time.perf_counter() - t0:.1f}s)")

    t0 = time.perf_counter()
    data_juicer, operators = import_data_juicer()
    modules = {}
    for case in corpus.CASES:
        if case["op"] not in operators.modules:
            pkg = "filter" if case["kind"] == "filter" else "mapper"
            importlib.import_module(f"data_juicer.ops.{pkg}.{case['op']}")
    log(f"data_juicer {data_juicer.__version__} imported ({time.perf_counter() - t0:.1f}s)")
    if any(name == "ray" or name.startswith("ray.") for name in sys.modules):
        raise RuntimeError("ray got imported")

    errors: dict[str, dict[str, str]] = {}
    cases_out = []
    for n, case in enumerate(corpus.CASES, 1):
        t0 = time.perf_counter()
        entry, module, n_err = run_case(operators, case, docs, errors)
        modules[case["op"]] = module
        cases_out.append(entry)
        extra = ""
        if case["kind"] == "filter":
            extra = f"kept {sum(1 for k in entry['keep'] if k)}/{len(docs)}"
        else:
            changed = sum(1 for (_, t), h in zip(docs, entry["output_sha256"]) if h != sha256_text(t))
            extra = f"changed {changed}/{len(docs)}"
        err = f", {n_err} ERRORS" if n_err else ""
        log(f"[{n:2d}/{len(corpus.CASES)}] {case['id']:<95s} {time.perf_counter() - t0:7.2f}s  {extra}{err}")

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "ftfy": pkg_version("ftfy"),
        "emoji": pkg_version("emoji"),
        "regex": pkg_version("regex"),
        "fasttext_predict": pkg_version("fasttext-predict"),
        "python": sys.version.split()[0],
        "assets": {
            "lid.176.ftz": sha256_file(LID_MODEL),
            "wordlists/stopwords.json": sha256_file(WORDLISTS / "stopwords.json"),
            "wordlists/flagged_words.json": sha256_file(WORDLISTS / "flagged_words.json"),
        },
        "ops": dict(sorted(modules.items())),
        "doc_ids": [d for d, _ in docs],
        "doc_sha256": [sha256_text(t) for _, t in docs],
        "cases": cases_out,
        "errors": errors,
    }
    size = write_fixture(fixture)
    total_err = sum(len(v) for v in errors.values())
    log(f"wrote {OUT_FILE.relative_to(ROOT)} ({size:,} bytes, {len(docs)} docs x {len(cases_out)} cases, "
        f"{total_err} errors) in {time.perf_counter() - t_start:.1f}s")
    for cid, errs in errors.items():
        for doc_id, msg in errs.items():
            log(f"  error {cid} {doc_id}: {msg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
