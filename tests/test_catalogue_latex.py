"""LaTeX cleaners (remove_comments/header/bibliography, expand_macro) against Data-Juicer 1.6.1.

``tests/fixtures/dj_latex.json.gz`` holds what Data-Juicer's own ops output for every document of
``latex_corpus.documents()`` (real LaTeX sources, LaTeX edge cases, the parity corpus) under each
of ``latex_corpus.CASES`` (``tools/dj_parity/gen_latex_fixture.py``). Ours must be identical.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

import latex_corpus as corpus
from sparkops.core import OpError, bind
from sparkops.core.pipeline import Pipeline

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_latex.json.gz"


@pytest.fixture(scope="module")
def dj():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def docs(dj, shared_data):
    docs = corpus.documents()
    assert [d for d, _ in docs] == dj["doc_ids"]
    shas = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest() for _, t in docs]
    assert shas == dj["doc_sha256"], "the corpus changed: regenerate the fixture"
    return docs


def _digest(text, out, short):
    if out == text:
        return None
    if len(out) <= short:
        return out
    return [hashlib.sha256(out.encode("utf-8", "surrogatepass")).hexdigest()[:16], len(out)]


@pytest.mark.parametrize("case", corpus.CASES, ids=lambda c: c["id"])
def test_same_output_as_data_juicer(case, dj, docs):
    want = next(c for c in dj["cases"] if c["id"] == case["id"])
    assert want["errors"] == {}
    texts = [t for _, t in docs]
    got = Pipeline([bind({case["op"]: case["params"]})]).run(texts).texts
    diffs = [doc_id for (doc_id, text), out, ref in zip(docs, got, want["outputs"])
             if _digest(text, out, 300) != ref]
    assert diffs == []
    # the fixture exercises the op: real LaTeX is changed
    changed = {doc_id for (doc_id, _), ref in zip(docs, want["outputs"]) if ref is not None}
    assert any(d.startswith("latex2e:") for d in changed)


def test_real_documents_lose_what_they_should(docs):
    """A real guide: comments go, and the text is cut at the first heading, which is the one in a
    preamble macro's body (Data-Juicer's rule: run on a document, not only its body); the macro
    without arguments is expanded, its definition included."""
    text = dict(docs)["latex2e:cfgguide"]
    p = Pipeline([bind(op) for op in ("remove_comments_mapper", "remove_header_mapper",
                                      "remove_bibliography_mapper", "expand_macro_mapper")])
    out = p.run([text]).texts[0]
    assert 0 < len(out) < len(text)
    assert not any(line.startswith("%") for line in out.splitlines())
    assert out.startswith("\\subsection{\\sffamily{#1}}}\n\\newcommand{ini\\TeX}{ini\\TeX}\n")
    assert "\\iniTeX" not in out and "\\begin{document}" in out


@pytest.mark.parametrize("spec, message", [
    ({"remove_comments_mapper": {"doc_type": "md"}}, "only 'tex' is supported"),
    ({"remove_comments_mapper": {"doc_type": []}}, "only 'tex' is supported"),
    ({"remove_header_mapper": {"drop_no_head": "yes"}}, "must be bool"),
    ({"expand_macro_mapper": {"macros": {}}}, "macros"),
])
def test_wrong_parameters_are_refused(spec, message):
    with pytest.raises(OpError, match=message):
        bind(spec)


def test_doc_type_list_of_tex_is_accepted():
    assert bind({"remove_comments_mapper": {"doc_type": ["tex"]}}).params["doc_type"] == ["tex"]


def test_spark_pass_on_real_latex(spark, docs):
    import sparkops

    real = [(i, t) for i, t in docs if i.startswith(("latex2e:", "arxiv_latex_cleaner:"))]
    df = spark.createDataFrame(real, "id string, text string")
    recipe = ["remove_comments_mapper", "remove_header_mapper", "remove_bibliography_mapper",
              "expand_macro_mapper"]
    rows = {r.id: r.text for r in sparkops.apply(df, recipe).collect()}
    expected = Pipeline([bind(op) for op in recipe]).run([t for _, t in real]).texts
    assert rows == {i: e for (i, _), e in zip(real, expected)}


# ---------------------------------------------------------------- latex_merge_tex_mapper

MERGE_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_latex_merge.json.gz"


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    import latex_archives

    dj = json.loads(gzip.decompress(MERGE_FIXTURE.read_bytes()))
    paths = latex_archives.build(tmp_path_factory.mktemp("latex_archives"))
    shas = {n: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
            for n, p in paths.items()}
    assert shas == dj["archive_sha256"], "the archives changed: regenerate the fixture"
    return dj, paths


def test_merge_tex_same_output_as_data_juicer(archives):
    import latex_archives

    dj, paths = archives
    names = list(paths)
    for case in latex_archives.CASES:
        want = next(c for c in dj["cases"] if c["id"] == case["id"])["outputs"]
        bound = bind({"latex_merge_tex_mapper": case["params"]})
        out = Pipeline([bound]).run([""] * len(names), {"compressed_file": [str(paths[n]) for n in names]}).texts
        got = {n: (o if len(o) <= 200 else [hashlib.sha256(o.encode()).hexdigest()[:16], len(o)])
               for n, o in zip(names, out)}
        assert got == want, case["id"]
    # the fixture exercises the limits: they change what is merged
    default = next(c for c in dj["cases"] if c["id"] == "default")["outputs"]
    small = next(c for c in dj["cases"] if c["id"] == "max_total_size")["outputs"]
    assert default["sizes.zip"] != small["sizes.zip"] and default["project.zip"] != ""


def test_merge_tex_without_a_path_rejects_the_row(archives):
    _, paths = archives
    paths_field = [None, 3, str(paths["project.zip"])]
    res = Pipeline([bind("latex_merge_tex_mapper")]).run(["x", "y", "z"], {"compressed_file": paths_field})
    assert res.keep == [False, False, True]
    assert res.dropped_by[:2] == ["latex_merge_tex_mapper:no_archive_path"] * 2


def test_merge_tex_refuses_negative_limits():
    with pytest.raises(OpError, match="must be >= 0"):
        bind({"latex_merge_tex_mapper": {"max_file_size": -1}})


# ---------------------------------------------------------------- figures (kernel of latex_figure_context_extractor_mapper)

FIGURES_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "dj_latex_figures.json.gz"


def test_figure_rows_same_as_data_juicer():
    from sparkops.text.latex_figures import DEFAULT_CITATION_COMMANDS, figure_rows

    dj = json.loads(gzip.decompress(FIGURES_FIXTURE.read_bytes()))
    docs = corpus.figure_documents()
    assert [d for d, _ in docs] == dj["doc_ids"]
    assert [hashlib.sha256(t.encode()).hexdigest() for _, t in docs] == dj["doc_sha256"]
    for case in corpus.FIGURE_PARAMS:
        want = next(c for c in dj["cases"] if c["id"] == case["id"])["outputs"]
        p = case["params"]
        for doc_id, text in docs:
            rows = figure_rows(text, p.get("citation_commands", DEFAULT_CITATION_COMMANDS),
                               p.get("paragraph_separator", "\n\n"))
            for row in rows:
                row["citing_paragraphs"] = [
                    c if len(c) <= 200 else [hashlib.sha256(c.encode()).hexdigest()[:16], len(c)]
                    for c in row["citing_paragraphs"]]
            assert rows == want[doc_id], (case["id"], doc_id)
    # real figures are found, with their citing paragraphs
    real = [r for d, rows in next(c for c in dj["cases"] if c["id"] == "default")["outputs"].items()
            if d.startswith("latex2e:") for r in rows]
    assert len(real) >= 2 and all(r["citing_paragraphs"] for r in real)


# ---------------------------------------------------------------- latex_figure_context_extractor_mapper (generator)

def _short(paragraphs):
    return [c if len(c) <= 200 else [hashlib.sha256(c.encode()).hexdigest()[:16], len(c)] for c in paragraphs]


@pytest.mark.parametrize("case", corpus.FIGURE_PARAMS, ids=lambda c: c["id"])
def test_figure_context_rows_same_as_data_juicer(spark, case):
    """The op through a Spark stage: one row per figure, in order, the text unchanged and the other
    fields repeated; a paper without figures rejected, not lost."""
    from sparkops.core.row import DROPPED_BY, KEEP, ORDER
    from sparkops.spark.fusion import stage_pass

    dj = json.loads(gzip.decompress(FIGURES_FIXTURE.read_bytes()))
    want = next(c for c in dj["cases"] if c["id"] == case["id"])["outputs"]
    docs = corpus.figure_documents()
    df = spark.createDataFrame(docs, "id string, text string")
    out = stage_pass(df, [{"latex_figure_context_extractor_mapper": case["params"]}]).collect()
    kept = sorted((r for r in out if r[KEEP]), key=lambda r: (r.id, list(r[ORDER])))
    got = {}
    source = dict(docs)
    for r in kept:
        assert r.text == source[r.id]
        got.setdefault(r.id, []).append({"images": list(r.images), "caption": r.caption, "label": r.label,
                                         "citing_paragraphs": _short(r.citing_paragraphs),
                                         "parent_caption": r.parent_caption, "parent_label": r.parent_label})
    assert got == {d: rows for d, rows in want.items() if rows}
    rejected = {r.id: r[DROPPED_BY] for r in out if not r[KEEP]}
    assert rejected == {d: "latex_figure_context_extractor_mapper:no_figures" for d, rows in want.items() if not rows}
    assert rejected and len(got) >= 5


def test_figure_context_in_a_job_record_and_renamed_keys(spark):
    """With a job's ``_record``, the fields go into the record (keys renamed by parameters), an input
    field of the same name replaced; other fields repeated."""
    from sparkops.core.row import KEEP, ORDER, RECORD
    from sparkops.spark.fusion import stage_pass

    text = dict(corpus.figure_documents())
    paper = next(t for d, t in text.items() if d.startswith("latex2e:") and "\\includegraphics" in t)
    record = json.dumps({"text": paper, "id": 7, "caption": "old", "meta": {"a": 1}})
    df = spark.createDataFrame([(paper, record, [0])], f"text string, {RECORD} string, {ORDER} array<bigint>")
    params = {"caption_key": "cap", "image_key": "imgs"}
    out = [r for r in stage_pass(df, [{"latex_figure_context_extractor_mapper": params}], order_cols=[ORDER])
           .collect() if r[KEEP]]
    expected = bind({"latex_figure_context_extractor_mapper": params}).expand([paper])[0]
    assert len(out) == len(expected) >= 1
    for r, e in zip(sorted(out, key=lambda r: list(r[ORDER])), expected):
        rec = json.loads(r[RECORD])
        assert rec["cap"] == e["cap"] and rec["imgs"] == e["imgs"] and rec["caption"] == "old"
        assert rec["citing_paragraphs"] == e["citing_paragraphs"] and rec["id"] == 7 and rec["meta"] == {"a": 1}
        assert r.text == paper


def test_figure_context_refuses_clashing_keys():
    with pytest.raises(OpError, match="must differ"):
        bind({"latex_figure_context_extractor_mapper": {"caption_key": "label"}})
    with pytest.raises(OpError, match="must not be empty"):
        bind({"latex_figure_context_extractor_mapper": {"paragraph_separator": ""}})
