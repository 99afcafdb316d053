"""The operator contract's core: row contract, rule reasons, extras, model cache, batch sizes,
resource profiles (no Spark session needed, except where a subprocess runs the CLI)."""

from __future__ import annotations

import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from sparkops.core import Op, Stat, bind, get_op
from sparkops.core.declaration import BoundOp
from sparkops.core.extras import EXTRAS
from sparkops.core.pipeline import Pipeline
from sparkops.core.row import dropping_op, lookup, problem, rejected_by
from sparkops.models.cache import ModelCache

ROOT = Path(__file__).resolve().parents[1]


def test_dropped_by_names_the_rule_of_a_rule_set(c4_path):
    short = "Too short to be a document."
    text = c4_path.read_text(encoding="utf-8").splitlines()[0]
    result = Pipeline([bind("gopher_quality_filter"), bind("text_length_filter")]).run([short, text[:20], None])
    assert result.dropped_by[0] == "gopher_quality_filter:gopher_short_doc"
    assert result.keep == [False, False, False] and result.dropped_by[2] == "null_text"
    # a plain filter still names itself
    plain = Pipeline([bind({"text_length_filter": {"min_len": 100}})]).run(["x" * 10])
    assert plain.dropped_by == ["text_length_filter"]


def test_dropping_op_reads_every_kind_of_reason():
    assert dropping_op(rejected_by("gopher_quality_filter", "gopher_short_doc")) == "gopher_quality_filter"
    assert dropping_op("text_length_filter") == "text_length_filter"
    assert dropping_op(problem("error", "fix_unicode_mapper", "ValueError: bad\nsecond line")) == "fix_unicode_mapper"
    assert problem("error", "op", "ValueError: bad\nsecond line") == "error:op: ValueError: bad"
    assert dropping_op(problem("missing_field", "words_num_filter", "output")) == "words_num_filter"
    assert dropping_op(None) is None and dropping_op("null_text") is None


def test_record_field_lookup_is_data_juicer_s():
    record = {"meta": {"lang": "en", "n": 0}, "meta.lang": "flat", "text": None}
    assert lookup(record, "meta.lang") == "flat"  # a key with a dot wins over the nested path
    assert lookup({"meta": {"lang": "en"}}, "meta.lang") == "en"
    assert lookup(record, "meta.n") == 0 and lookup(record, "text") is None
    assert lookup(record, "meta.missing", "absent") == "absent"
    with pytest.raises(KeyError):
        lookup({"meta": "not a mapping"}, "meta.lang")
    with pytest.raises(ValueError, match="dotted path"):
        lookup(record, "meta..lang")


def test_model_cache_loads_once_per_key_across_threads():
    cache, calls = ModelCache(), []
    gate = threading.Event()

    def load():
        calls.append(1)
        gate.wait(1)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("kind", ("a", 1), load))) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(g) for g in got}) == 1
    other = cache.get("kind", ("a", 2), object)  # other parameters: another model
    assert other is not got[0] and set(cache.loaded()) == {("kind", ("a", 1)), ("kind", ("a", 2))}
    cache.evict("kind", ("a", 1))
    assert cache.get("kind", ("a", 1), object) is not got[0]


def test_a_failed_load_is_not_cached():
    cache = ModelCache()
    with pytest.raises(OSError):
        cache.get("kind", "k", lambda: (_ for _ in ()).throw(OSError("disk")))
    assert cache.get("kind", "k", lambda: "ok") == "ok"


def test_language_id_runs_on_the_model_cache():
    from sparkops.models.cache import models
    from sparkops.models.fasttext_lid import lid176_top1

    result = Pipeline([bind({"language_id_score_filter": {"lang": "en"}})]).run(["This is an English sentence."])
    assert result.keep == [True]
    # the op's model (the C kernel, or fastText without a compiler) is loaded once, whatever
    # other fastText models (quality, toxicity) earlier tests loaded
    lid_keys = [key for kind, key in models.loaded() if kind == "fasttext-top1" and "lid.176" in str(key)]
    assert len(lid_keys) == 1 and lid176_top1() is lid176_top1()


def test_declared_batch_size_slices_kernel_calls():
    seen = []

    def compute(docs, p):
        seen.append(len(docs))
        return {"n": [len(d.text) for d in docs]}

    op = Op(name="sized_filter", kind="filter", family="test", doc="", stats=(Stat("n", "long", ""),),
            compute=compute, range=("n", None, None), batch_size=3)
    bound = BoundOp(op, {"min_closed_interval": True, "max_closed_interval": True, "reversed_range": False}, {})
    result = Pipeline([bound]).run(["a", "bb", "ccc", "dddd", "e", "ff", "g"])
    assert seen == [3, 3, 1] and result.stats["n"] == [1, 2, 3, 4, 1, 2, 1]


def test_reversed_range_keeps_a_value_on_a_bound_as_data_juicer():
    """Data-Juicer flips both interval flags before negating: [0.5, 0.9] reversed keeps 0.5 and
    0.9 (and what lies outside), drops what lies strictly inside."""
    bound = bind({"alphanumeric_filter": {"min_ratio": 0.5, "max_ratio": 0.9, "reversed_range": True}})
    assert [bound.keep({"alnum_ratio": v}) for v in (0.4, 0.5, 0.7, 0.9, 0.95)] == [True, True, False, True, True]
    bound = bind({"alphanumeric_filter": {"min_ratio": 0.5, "max_ratio": 0.9, "reversed_range": True,
                                          "min_closed_interval": False}})
    assert [bound.keep({"alnum_ratio": v}) for v in (0.5, 0.9)] == [False, True]


def test_resource_profile_only_off_a_local_master():
    from types import SimpleNamespace

    from sparkops.spark.fusion import resource_profile

    gpu_op = Op(name="gpu_mapper", kind="mapper", family="test", doc="", apply=lambda t, p: t,
                resources=(("gpu", 1.0), ("cpus", 2.0)))
    ops = [BoundOp(gpu_op, {}, {}), bind("clean_email_mapper")]
    cluster = SimpleNamespace(sparkContext=SimpleNamespace(master="spark://127.0.0.1:7077"))
    profile = resource_profile(cluster, ops)
    assert profile.taskResources["gpu"].amount == 1.0 and profile.taskResources["cpus"].amount == 2
    local = SimpleNamespace(sparkContext=SimpleNamespace(master="local[2]"))
    assert resource_profile(local, ops) is None and resource_profile(cluster, ops[1:]) is None


def test_extras_match_pyproject_and_every_op_declares_known_ones():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(EXTRAS) <= set(extras)
    assert extras["all"] == [f"sparkops[{','.join(EXTRAS)}]"]
    from sparkops.core import all_ops

    assert get_op("language_id_score_filter").requires == ("lang",)
    assert get_op("gopher_quality_filter").requires == ("rules",)
    assert all(set(op.requires) <= set(EXTRAS) for op in all_ops())


def test_validate_refuses_an_op_whose_extra_is_missing_with_the_pip_command(tmp_path):
    """fastText hidden from the interpreter (as if `pip install sparkops` without [lang]):
    the main job's spec is refused before Spark starts, naming the op and the pip command;
    a spec without that op still validates."""
    hide = "import sys; sys.modules['fasttext'] = None; from sparkops.cli import main; sys.exit(main(sys.argv[1:]))"
    run = subprocess.run([sys.executable, "-c", hide, "validate", str(ROOT / "jobs" / "web_refine.yaml")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "op 'language_id_score_filter' needs fasttext (extra 'lang')" in run.stderr
    assert "pip install 'sparkops[lang]'" in run.stderr
    hide_gx = hide.replace("'fasttext'", "'great_expectations'")
    run = subprocess.run([sys.executable, "-c", hide_gx, "validate", str(ROOT / "jobs" / "web_refine.yaml")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "pip install 'sparkops[gate]'" in run.stderr, run.stderr
    core_only = tmp_path / "core.yaml"
    core_only.write_text(f"name: core\ninput: {{format: jsonl, path: {ROOT / 'data' / 'c4_sample.jsonl'}}}\n"
                         "output: {path: out}\nstages:\n  - name: clean\n"
                         "    process: [clean_email_mapper:, {text_length_filter: {min_len: 10}}]\n")
    ok = subprocess.run([sys.executable, "-c", hide, "validate", str(core_only)],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "valid: job 'core'" in ok.stdout, ok.stdout + ok.stderr
