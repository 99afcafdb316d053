"""The dedup_levels and scale scenarios: datatrove's sentence dedup runner against our kernel on real
text, and the two report sections from recorded runs (no Spark)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.runners import dedup_peers  # noqa: E402
from bench.scenarios import dedup_levels, scale  # noqa: E402

BOILERPLATE = ("We use cookies to improve your experience on our site. By continuing to browse, you agree to our use "
               "of cookies. You can change your cookie settings at any time. Read our privacy policy to learn more.")


@pytest.fixture(scope="module")
def c4_boilerplate(tmp_path_factory, c4_path) -> Path:
    """60 real web documents; from the 21st on, every third one carries a pasted cookie notice, and
    every fifth one a copy of the 2nd document's opening sentences."""
    texts = [json.loads(line)["text"] for line in c4_path.open(encoding="utf-8")][:60]
    opening = " ".join(texts[1].split(". ")[:4])
    for i in range(20, 60):
        if i % 3 == 0:
            texts[i] = f"{texts[i]}\n\n{BOILERPLATE}"
        if i % 5 == 0:
            texts[i] = f"{opening}\n{texts[i]}"
    path = tmp_path_factory.mktemp("levels") / "corpus.jsonl"
    path.write_text("".join(json.dumps({"text": t, "id": f"c4:{i}"}, ensure_ascii=False) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    return path


def test_datatrove_sentence_runner_in_one_task_gives_our_kernel_s_texts(c4_boilerplate, tmp_path):
    """bench/runners/datatrove_sentence_job.py in the datatrove venv, one task: every kept document
    and its text equal what sparkops' sentence dedup kernel makes of the corpus in order."""
    from sparkops.core import bind
    from sparkops.ops.dedup.sentences import dedup_document, windows

    py = dedup_peers.python(dedup_levels.PEER_VENV_TOOL)
    if not py.is_file():
        pytest.skip(f"{py} missing (created by bench/run.py for the dedup, rulesets or dedup_levels scenario)")
    out = tmp_path / "dt"
    cmd = [str(py), str(ROOT / "bench" / "runners" / "datatrove_sentence_job.py"), "--corpus", str(c4_boilerplate),
           "--out", str(out / "data"), "--work", str(out / "work"), "--result", str(tmp_path / "r.json"),
           "--tasks", "1", "--workers", "1"]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600, env=dedup_peers.offline_env())
    assert r.returncode == 0, r.stderr[-3000:]
    theirs = dedup_levels._texts(sorted((out / "data").glob("part-*.jsonl")))
    assert json.loads((tmp_path / "r.json").read_text())["kept"] == len(theirs)

    p = bind({"sentence_deduplicator": {}}).prepared
    docs = [json.loads(line) for line in c4_boilerplate.read_text(encoding="utf-8").splitlines()]
    seen, ours = set(), {}
    for d in docs:
        dup = []
        for i, key in zip(*windows(d["text"], p)):
            if key in seen:
                dup.append(i)
            seen.add(key)
        new, rule, _ = dedup_document(d["text"], dup, p) if dup else (d["text"], None, [])
        if rule is None:
            ours[d["id"]] = new
    assert sum(ours[i] != d["text"] for d in docs if (i := d["id"]) in ours) >= 10  # the pasted text was cut
    assert not any(BOILERPLATE in t for i, t in ours.items() if int(i.split(":")[1]) > 21)
    assert ours == theirs


def _run(tool, factor, wall, process, kept, jvm_gib, **extra):
    return {"tool": tool, "factor": factor, "docs": 1000 * factor, "kept": kept, "wall_s": wall,
            "cpu_s": 1.5 * wall, "docs_per_s": 1000 * factor / wall, "peak_rss_bytes": (jvm_gib + 0.5) * 2**30,
            "peak_rss_by_role": {"JVM": jvm_gib * 2**30}, "inner": {"process_s": process}, **extra}


def test_scale_section_says_how_time_and_memory_grow():
    runs = [_run("fused", 1, 20.0, 12.0, 400, 0.5), _run("fused", 10, 130.0, 120.0, 4000, 0.6),
            _run("minhash", 1, 20.0, 13.0, 900, 0.9), _run("minhash", 10, 260.0, 250.0, 1500, 2.3),
            _run("minhash", 10, 250.0, 240.0, 1500, 1.4, spark_conf=scale.SMALL_HEAP)]
    res = {"runs": runs, "all_runs": runs, "tools": ["fused", "minhash"]}
    lines = scale.interpret(res)
    assert "0.65 of linear" in lines[0] and "Time grows linearly" in lines[0]
    assert "1.30 of linear" in lines[1] and "faster than linearly" in lines[1]  # 260 / (10 x 20)
    assert "250.0 s against 260.0 s" in lines[2] and "the same kept count" in lines[2]
    table = "\n".join(scale.table(res))
    assert "| minhash (1 GiB heap) | 10x | 10,000 | 1,500 |" in table
    assert table.count("| fused |") == 2


def test_levels_interpretation_reports_removed_characters_and_the_one_task_comparison():
    summary = {t: {"reps": 1, "wall_s": {"median": w}, "docs_per_s": {"median": 1000 / w}}
               for t, w in (("level_exact", 10.0), ("level_sentence", 40.0), (dedup_levels.PEER_TOOL, 80.0))}
    res = {"summary": summary, "chars_in": 10_000,
           "removed": {"level_exact": {"chars_removed": 500, "docs_removed": 3},
                       "level_sentence": {"chars_removed": 1200, "docs_removed": 4},
                       dedup_levels.PEER_TOOL: {"chars_removed": 1250, "docs_removed": 5}},
           "ratios": dedup_levels.ratios(summary),
           "same_answer": {"sparkops_vs_datatrove_1task": {"kept_both": 96, "kept_one_only": 0, "texts_differ": 0},
                           "datatrove_2tasks_vs_1task": {"kept_both": 95, "kept_one_only": 1, "texts_differ": 2}}}
    text = "\n".join(dedup_levels.interpret(res))
    assert "`document_deduplicator`: 500 characters (5.0%) and 3 documents removed in 10.0 s." in text
    assert "1,200 against 1,250 characters" in text and "2.00x" in text
    assert "0 documents kept by one only and 0 kept texts that differ (of 96)" in text
    assert "depends on how its input is split" in text
