"""Parity with Data-Juicer 1.6.1: our kernels against values Data-Juicer itself computed.

The fixture (tests/fixtures/dj_parity.json.gz) was written by tools/dj_parity/gen_fixture.py
running py-data-juicer 1.6.1 over tests/parity_corpus.documents() (1,235 real documents from
../shared/data plus edge cases). Floats must agree within 1e-9, mapper output byte for byte,
language id label exactly and score within 1e-4. No JVM here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
from pathlib import Path

import pytest

from parity_corpus import pinned_documents
from sparkops.text.doc import Doc
from sparkops.core import get_op

FIXTURE = Path(__file__).parent / "fixtures" / "dj_parity.json.gz"
HTML_FIXTURE = Path(__file__).parent / "fixtures" / "dj_html.json.gz"
FIELD_FIXTURE = Path(__file__).parent / "fixtures" / "dj_field_filters.json.gz"


@pytest.fixture(scope="module")
def fixture():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))


@pytest.fixture(scope="module")
def corpus(fixture, shared_data):
    return pinned_documents(fixture)


def _cases():
    return json.loads(gzip.decompress(FIXTURE.read_bytes()))["cases"]


# per-row ops whose reference is not Data-Juicer: each is pinned by a fixture its own reference
# tool made (datatrove 0.10.1: tests/test_web_url_filter.py) or compared with that tool run
# standalone (trafilatura 2.3.1: tests/test_web_extract.py)
OTHER_REFERENCES = {"url_filter": "datatrove", "c4_badwords_filter": "datatrove", "c4_paragraph_filter": "datatrove",
                    "language_filter": "datatrove", "html_extract_mapper": "trafilatura",
                    # sparkops' own ops: no tool has them; measured instead (bench/pii_eval.py against
                    # presidio-analyzer, bench/toxicity_eval.py on held-out labelled comments)
                    "pii_redact_mapper": "presidio-analyzer (detection, measured)",
                    "toxicity_filter": "held-out labels (measured)",
                    # Data-Juicer's statistic on our own models: checked against kenlm and Data-Juicer's
                    # PerplexityFilter on them (tools/gen_perplexity_fixture.py, tests/test_perplexity.py)
                    "perplexity_filter": "kenlm + Data-Juicer on sparkops' models",
                    # Data-Juicer's quality classifier is a tool, not an op, and its models are out of
                    # reach: the kernel is compared with Spark ML itself (test_quality_classifier.py)
                    "quality_classifier_filter": "Spark ML (the fitted pipeline's probabilities)",
                    "fasttext_quality_filter": "datatrove"}


# per-row ops with a Data-Juicer fixture of their own (the generator names the file), checked by
# the test file named here
OWN_FIXTURES = {
    **dict.fromkeys(("remove_non_chinese_character_mapper", "remove_specific_chars_mapper", "replace_content_mapper",
                     "remove_long_words_mapper", "remove_words_with_incorrect_substrings_mapper",
                     "clean_copyright_mapper", "chinese_convert_mapper", "suffix_filter", "token_num_filter"),
                    "test_catalogue_text.py"),
    **dict.fromkeys(("remove_comments_mapper", "remove_header_mapper", "remove_bibliography_mapper",
                     "expand_macro_mapper", "latex_merge_tex_mapper"), "test_catalogue_latex.py"),
    "sentence_split_mapper": "test_catalogue_sentence_split.py",
    **dict.fromkeys(("general_field_filter", "python_lambda_mapper", "python_file_mapper",
                     "agent_dialog_normalize_mapper", "agent_tool_type_mapper", "tool_success_tagger_mapper",
                     "usage_counter_mapper", "agent_bad_case_signal_mapper"), "test_catalogue_agent.py"),
    "text_embd_similarity_filter": "test_embedding.py",
    **dict.fromkeys(("text_action_filter", "text_entity_dependency_filter"), "test_catalogue_spacy.py"),
    **dict.fromkeys(("llm_perplexity_filter", "instruction_following_difficulty_filter",
                     "in_context_influence_filter"), "test_catalogue_lm_scoring.py"),
}


def test_fixture_covers_every_declared_op(fixture):
    from sparkops.core import all_ops

    # the Gopher / C4 / FineWeb rule sets are datatrove's, checked by test_parity_datatrove.py
    per_row = {o.name for o in all_ops() if o.kind in ("filter", "mapper") and o.family != "rules"}
    # the HTML mappers (and remove_table_text) have their own Data-Juicer fixture, checked by
    # test_web_clean_html.py
    html = json.loads(gzip.decompress(HTML_FIXTURE.read_bytes()))["cases"]
    # so have the field filters, which read a record field, not the text (test_field_filters.py)
    fields = json.loads(gzip.decompress(FIELD_FIXTURE.read_bytes()))["cases"]
    # and pii_redaction_mapper, a record op (test_safety_pii_redaction.py)
    own = {c["op"] for c in html} | {c["op"] for c in fields} | {"pii_redaction_mapper"}
    # and the catalogue's ops, each with its own Data-Juicer fixture (tests/test_catalogue_*.py)
    assert all((Path(__file__).parent / test).is_file() for test in OWN_FIXTURES.values())
    own |= set(OWN_FIXTURES)
    assert {c["op"] for c in fixture["cases"]} == per_row - own - set(OTHER_REFERENCES)
    assert len(fixture["doc_ids"]) >= 1000
    assert fixture["data_juicer"] == "1.6.1"


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["id"])
def test_parity(case, corpus):
    ids = [d for d, _ in corpus]
    texts = [t for _, t in corpus]
    bound = get_op(case["op"]).bind(case["params"])
    mismatches = []
    if case["kind"] == "mapper":
        outputs = bound.apply(texts)
        for doc_id, out, want_sha, want_len in zip(ids, outputs, case["output_sha256"], case["output_len"]):
            if hashlib.sha256(out.encode("utf-8", "surrogatepass")).hexdigest() != want_sha:
                mismatches.append((doc_id, f"len {len(out)} vs Data-Juicer {want_len}"))
    else:
        got = bound.compute([Doc(t) for t in texts])
        for key, want_values in case["stats"].items():
            tol = 1e-4 if key == "lang_score" else 1e-9
            for doc_id, ours, theirs in zip(ids, got[key], want_values):
                if isinstance(theirs, str) or isinstance(ours, str):
                    same = ours == theirs
                else:
                    same = math.isclose(ours, theirs, rel_tol=0, abs_tol=tol)
                if not same:
                    mismatches.append((doc_id, f"{key}: ours {ours!r} vs Data-Juicer {theirs!r}"))
        keys = list(case["stats"])
        for i, (doc_id, want_keep) in enumerate(zip(ids, case["keep"])):
            keep = bound.keep({k: got[k][i] for k in keys})
            if keep != want_keep:
                mismatches.append((doc_id, f"keep: ours {keep} vs Data-Juicer {want_keep}"))
    assert not mismatches, f"{len(mismatches)} mismatches, first: {mismatches[:5]}"
