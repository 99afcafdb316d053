"""The registry: one declaration per op drives validation, SQL names and docs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sparkops.docs import SCHEMA_TARGET, generated
from sparkops.core import MAXSIZE, OpError, all_ops, bind, get_op, sql_functions


def test_catalogue_has_the_issue_ops_with_data_juicer_defaults():
    names = {o.name for o in all_ops()}
    assert {"text_length_filter", "words_num_filter", "alphanumeric_filter", "special_characters_filter",
            "character_repetition_filter", "word_repetition_filter", "average_line_length_filter",
            "maximum_line_length_filter", "stopwords_filter", "flagged_words_filter",
            "language_id_score_filter", "whitespace_normalization_mapper", "punctuation_normalization_mapper",
            "fix_unicode_mapper", "clean_email_mapper", "clean_links_mapper", "clean_ip_mapper",
            "remove_repeat_sentences_mapper"} <= names
    b = bind("alphanumeric_filter")
    assert (b.params["min_ratio"], b.params["max_ratio"]) == (0.25, MAXSIZE)
    b = bind("character_repetition_filter")
    assert (b.params["rep_len"], b.params["min_ratio"], b.params["max_ratio"]) == (10, 0.0, 0.5)
    assert bind("flagged_words_filter").params["max_ratio"] == 0.045
    assert bind("stopwords_filter").params["min_ratio"] == 0.3
    assert bind("language_id_score_filter").params["min_score"] == 0.8


def test_sql_names_are_the_binding_ones():
    names = {name for name, _, _ in sql_functions()}
    assert {"text_len", "num_words", "alnum_ratio", "special_char_ratio", "char_rep_ratio", "word_rep_ratio",
            "avg_line_length", "max_line_length", "stopwords_ratio", "flagged_words_ratio", "lang_id",
            "whitespace_normalization", "punctuation_normalization", "fix_unicode", "clean_email",
            "clean_links", "clean_ip", "remove_repeat_sentences",
            "minhash_signature", "minhash_bands", "simhash", "document_key", "line_keys", "url_key",
            "gopher_quality", "gopher_repetition", "c4_quality", "fineweb_quality", "text_chunk",
            "url_filter", "url_filter_reason", "registered_domain", "c4_badwords", "c4_paragraphs",
            "html_extract", "html_to_text", "clean_html", "extract_tables_from_html", "remove_table_text",
            "language_scores", "numeric_field_value", "field_value", "toxicity_score", "pii_redact",
            "pii_detect", "pii_redaction", "task_decontaminate", "perplexity", "quality_classifier",
            "quality_score", "fasttext_quality", "text_embd_similarity", "text_embedding",
            "general_field_filter_condition", "document_line_hashes", "python_lambda", "python_file",
            "agent_dialog_normalize", "tool_success_tagger", "agent_tool_type", "usage_counter", "agent_bad_case_signal",
            "remove_non_chinese_character", "remove_specific_chars", "replace_content", "remove_long_words",
            "remove_words_with_incorrect_substrings", "clean_copyright", "chinese_convert", "suffix",
            "num_token", "num_action", "num_dependency_edges",
            "remove_comments", "remove_header", "remove_bibliography", "expand_macro", "latex_merge_tex", "latex_figure_context",
            "sentence_split", "sentence_window_keys", "substring_window_keys", "alpha_token_ratio",
            "nlpaug_en", "nlpcda_zh",
            "ray_document_key", "minhash_shingle_count", "minhash_shingles", "minhash_tokens", "cpp_minhash_signature",
            "llm_perplexity", "llm_perplexity_reason", "ifd_score", "ifd_score_reason", "in_context_influence",
            "in_context_influence_reason"} == names
    assert get_op("character_repetition_filter").sql_args() == ("rep_len",)
    assert get_op("alphanumeric_filter").sql_args() == ("tokenization", "hf_tokenizer")  # never thresholds


def test_unknown_op_suggests_close_names():
    with pytest.raises(OpError, match=r"unknown operator 'alphanumerc_filter'; did you mean 'alphanumeric_filter'"):
        bind({"alphanumerc_filter": {}})


def test_unknown_parameter_names_op_and_key():
    with pytest.raises(OpError, match=r"op 'character_repetition_filter': unknown parameter 'rep_lenn'; "
                                      r"did you mean 'rep_len'"):
        bind({"character_repetition_filter": {"rep_lenn": 5}})


@pytest.mark.parametrize("entry, message", [
    ({"text_length_filter": {"min_len": "10"}}, r"'min_len' must be int, got str '10'"),
    ({"text_length_filter": {"min_len": True}}, r"'min_len' must be int, got bool True"),
    ({"alphanumeric_filter": {"min_ratio": [0.1]}}, r"'min_ratio' must be float, got list"),
    ({"character_repetition_filter": {"rep_len": 0}}, r"'rep_len' must be > 0"),
    ({"fix_unicode_mapper": {"normalization": "NFX"}}, r"'normalization' must be one of"),
    ({"clean_email_mapper": {"pattern": "(unclosed"}}, r"'pattern' is not a valid regular expression"),
    ({"stopwords_filter": {"lang": "xx"}}, r"'lang' is 'xx', which has no stopwords list; available: .*en"),
    ({"words_num_filter": {"lang": "xx", "tokenization": True}}, r"lang 'xx' has no sentencepiece model \(available: en"),
    ({"language_id_score_filter": {"lang": 5}}, r"'lang' must be str\|list\[str\]"),
    ({"text_length_filter": [1, 2]}, r"parameters must be a mapping"),
    ({"gopher_repetition_filter": {"top_n_grams": [[5, 0.1]]}}, r"'top_n_grams' has n = \[5\]: the statistics "
                                                                 r"exist for n in \[2, 3, 4\]"),
    ({"gopher_repetition_filter": {"dup_n_grams": [[5]]}}, r"'dup_n_grams' must be list\[\(int,float\)\]"),
    ({"gopher_quality_filter": {"language": "xx-nope"}}, r"'language' has no tokenizer: no spaCy tokenizer"),
    # spaCy's Vietnamese tokenizer needs pyvi, which no extra installs: say so rather than split
    ({"fineweb_quality_filter": {"language": "vi"}}, r"'language' has no tokenizer: .*pyvi"),
    ({"gopher_repetition_filter": {"language": "ja"}}, r"datatrove tokenizes Japanese with its own"),
    ({"fineweb_quality_filter": {"stop_chars": [".", ""]}}, r"'stop_chars' holds an empty string"),
])
def test_wrong_parameters_give_precise_errors(entry, message):
    with pytest.raises(OpError, match=message):
        bind(entry, where="spec.yaml: stage 'quality'")


def test_error_prefix_names_where():
    with pytest.raises(OpError, match=r"^jobs/x.yaml: stage 'clean': op 'text_length_filter': "):
        bind({"text_length_filter": {"min_len": "x"}}, where="jobs/x.yaml: stage 'clean'")


def test_recipe_syntax_bare_name_and_null_params():
    assert bind("clean_email_mapper").params == {"pattern": None, "repl": "", "text_key": None}
    assert bind({"clean_email_mapper": None}).params["repl"] == ""  # `- clean_email_mapper:` in YAML
    assert bind({"text_length_filter": {"min_len": 5.0}}).params["min_len"] == 5  # YAML 5.0 is an int


def test_generated_docs_are_current():
    for path, text in generated().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `make docs`"


def test_shipped_job_specs_match_the_published_schema():
    import json
    from pathlib import Path

    import jsonschema
    import yaml

    from sparkops.jobs.spec import load

    schema = json.loads(SCHEMA_TARGET.read_text())
    for spec in sorted((Path(__file__).parents[1] / "jobs").glob("*.yaml")):
        raw = yaml.safe_load(spec.read_text())
        if "process" in raw:  # a Data-Juicer recipe (its own format): our loader must accept it
            assert load(spec).stages[0].name == "process"
            continue
        jsonschema.validate(raw, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "input": {"format": "csv", "path": "a"}, "output": {"path": "o"},
                             "stages": [{"name": "s", "process": ["no_such_op"]}]}, schema)


def test_docs_check_command_fails_when_stale(tmp_path, monkeypatch):
    # the CLI form CI can call; run it against the real file (current -> exit 0)
    done = subprocess.run([sys.executable, "-m", "sparkops.docs", "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_session_conf_from_environment(monkeypatch):
    from sparkops.spark import session as s

    monkeypatch.setenv("SPARKOPS_CONF", "spark.sql.shuffle.partitions=64, spark.executor.memory=8g")
    assert s._env_conf() == {"spark.sql.shuffle.partitions": "64", "spark.executor.memory": "8g"}
    monkeypatch.setenv("SPARKOPS_CONF", "spark.sql.shuffle.partitions")
    with pytest.raises(ValueError, match="not key=value"):
        s._env_conf()
    monkeypatch.setenv("SPARKOPS_DELTA_PACKAGE", "io.delta:delta-spark_4.2_2.13:9.9.9")
    assert s.default_conf()["spark.jars.packages"] == "io.delta:delta-spark_4.2_2.13:9.9.9"


def test_readme_states_how_many_of_data_juicer_s_text_ops_sparkops_runs():
    import re
    from pathlib import Path

    from sparkops.core import all_ops
    from sparkops.core.catalogue import dj_text_ops

    ours = {o.name for o in all_ops()}
    dj = dj_text_ops()
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"sparkops runs (\d+) of Data-Juicer 1\.6\.1's (\d+) text operators", readme)
    assert stated and (int(stated[1]), int(stated[2])) == (len(ours & dj), len(dj))
    own = re.search(r"plus (\d+) of its own", readme)
    assert own and int(own[1]) == len(ours - dj)
    assert len(dj) >= 120 and "document_minhash_deduplicator" in dj and "image_blur_mapper" not in dj


def test_a_recipe_naming_ops_sparkops_lacks_is_refused_with_every_one_of_them(tmp_path):
    from sparkops.jobs.spec import SpecError, load

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text("dataset_path: in.jsonl\nexport_path: out.jsonl\nprocess:\n  - human_preference_annotation_mapper:\n"
                      "  - text_length_filtr:\n  - words_num_filter:\n  - my_own_mapper:\n", encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load(recipe)
    message = str(err.value)
    assert "3 operator(s) sparkops does not have" in message
    assert "'human_preference_annotation_mapper': a Data-Juicer 1.6.1 operator sparkops does not run" in message
    assert "'text_length_filtr': not a Data-Juicer 1.6.1 text operator; closest: 'text_length_filter'" in message
    assert "'my_own_mapper': not a Data-Juicer" in message and "words_num_filter" not in message
