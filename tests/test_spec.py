"""Job specs and Data-Juicer recipes: validated before Spark starts, errors name file/stage/op/key."""

from __future__ import annotations

import textwrap

import pytest

from sparkops.jobs.spec import SpecError, load


def write(tmp_path, text, name="job.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """
    name: t
    input: {format: jsonl, path: data/*.jsonl}
    output: {path: out}
    stages:
      - name: clean
        process:
          - fix_unicode_mapper:
          - clean_email_mapper: {repl: "<EMAIL>"}
      - name: quality
        process:
          - alphanumeric_filter: {min_ratio: 0.3}
          - text_length_filter
"""


def test_a_good_spec_loads_with_paths_resolved_from_its_folder(tmp_path):
    spec = load(write(tmp_path, GOOD))
    assert spec.name == "t" and [s.name for s in spec.stages] == ["clean", "quality"]
    assert spec.input.path == str(tmp_path / "data" / "*.jsonl") and spec.input.text_key == "text"
    assert spec.output_path == str(tmp_path / "out")
    assert spec.stages[0].process == ({"fix_unicode_mapper": {}}, {"clean_email_mapper": {"repl": "<EMAIL>"}})
    assert spec.stages[1].ops[0].params["min_ratio"] == 0.3


def test_an_ops_file_parameters_are_read_from_the_specs_folder(tmp_path, monkeypatch):
    """task_files and cache_path in a spec one folder down, loaded from elsewhere: the files are
    found relative to the spec (a Data-Juicer recipe keeps its own rule: the working directory)."""
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "test.jsonl").write_text('{"question": "what is two plus two"}\n', encoding="utf-8")
    (tmp_path / "abs.jsonl").write_text('{"question": "name the capital of france"}\n', encoding="utf-8")
    (tmp_path / "jobs").mkdir()
    spec_text = f"""
        name: t
        input: {{format: jsonl, path: ../data/x.jsonl}}
        output: {{path: ../out}}
        stages:
          - name: s
            process:
              - task_decontamination_mapper: {{task_files: [../bench/test.jsonl, {tmp_path / "abs.jsonl"}]}}
              - llm_quality_score_filter: {{cache_path: ../llm_cache}}
    """
    monkeypatch.chdir(tmp_path / "bench")
    spec = load(write(tmp_path / "jobs", spec_text))
    dc, llm = spec.stages[0].ops
    assert dc.params["task_files"] == [str(tmp_path / "bench" / "test.jsonl"), str(tmp_path / "abs.jsonl")]
    assert llm.params["cache_path"] == str(tmp_path / "llm_cache")
    recipe = write(tmp_path / "jobs", """
        dataset_path: ../data/x.jsonl
        export_path: ../out/x.jsonl
        process:
          - llm_quality_score_filter: {cache_path: cache}
    """, "recipe.yaml")
    assert load(recipe).stages[0].ops[0].params["cache_path"] == "cache"


def test_stage_hashes_chain_so_a_change_invalidates_later_stages(tmp_path):
    a = load(write(tmp_path, GOOD)).stage_hashes()
    b = load(write(tmp_path, GOOD.replace("min_ratio: 0.3", "min_ratio: 0.4"), "b.yaml")).stage_hashes()
    c = load(write(tmp_path, GOOD.replace('"<EMAIL>"', '"<MAIL>"'), "c.yaml")).stage_hashes()
    assert a[0] == b[0] and a[1] != b[1]  # quality changed: clean is reused
    assert a[0] != c[0] and a[1] != c[1]  # clean changed: both recompute


@pytest.mark.parametrize("change, message", [
    (("min_ratio: 0.3", "min_ratioo: 0.3"),
     r"job.yaml: stage 'quality': op 'alphanumeric_filter': unknown parameter 'min_ratioo'; did you mean 'min_ratio'"),
    (("text_length_filter", "text_lenght_filter"),
     r"job.yaml: stage 'quality': 1 operator\(s\) sparkops does not have:\n  'text_lenght_filter': not a "
     r"Data-Juicer 1.6.1 text operator; closest: 'text_length_filter'"),
    (("format: jsonl", "format: xml"), r"job.yaml: input: 'format' must be one of jsonl, json, parquet, delta, text, csv, tsv, warc, wet, html, alpaca, sharegpt, sharegpt_swift, messages, preference, kto, hh_rlhf, got 'xml'"),
    (("name: clean", "name: Clean Stage"), r"job.yaml: stage 'Clean Stage': a stage name may hold"),
    (("name: quality", "name: clean"), r"job.yaml: stage 'clean': stage name used twice"),
    (("output: {path: out}", "outptu: {path: out}"), r"job.yaml: unknown key 'outptu'; did you mean 'output'"),
    (("min_ratio: 0.3", "min_ratio: high"), r"op 'alphanumeric_filter': parameter 'min_ratio' must be float"),
    (("        process:\n          - alphanumeric", "        expect: nope.json\n        process:\n          - alphanumeric"),
     r"job.yaml: stage 'quality': expect: suite file .*nope.json not found"),
])
def test_errors_name_file_stage_op_and_key(tmp_path, change, message):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(SpecError, match=message):
        load(path)


def test_not_yaml_and_not_a_job(tmp_path):
    with pytest.raises(SpecError, match="not valid YAML"):
        load(write(tmp_path, "name: [unclosed"))
    with pytest.raises(SpecError, match="neither a sparkops spec"):
        load(write(tmp_path, "name: x"))
    with pytest.raises(SpecError, match="no such file"):
        load(tmp_path / "missing.yaml")


def test_a_data_juicer_recipe_is_a_one_stage_job(tmp_path):
    path = write(tmp_path, """
        project_name: dj-demo
        dataset_path: ./data/demo.jsonl
        export_path: ./outputs/demo/demo-processed.jsonl
        np: 4
        use_cache: false
        text_keys: 'text'
        process:
          - whitespace_normalization_mapper:
          - alphanumeric_filter:
              tokenization: false
              min_ratio: 0.25
    """)
    spec = load(path)
    assert spec.name == "dj-demo" and len(spec.stages) == 1 and spec.stages[0].name == "process"
    assert spec.input.format == "jsonl" and spec.export_path.endswith("outputs/demo/demo-processed.jsonl")
    assert any("np" in n and "use_cache" in n for n in spec.notices)


def test_recipe_paths_are_read_from_the_working_directory_as_data_juicer_does(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").write_text('{"text": "x"}\n')
    (tmp_path / "recipes").mkdir()
    recipe = write(tmp_path / "recipes", """
        dataset_path: data/a.jsonl
        export_path: outputs/a.jsonl
        process: [whitespace_normalization_mapper:]
    """)
    monkeypatch.chdir(tmp_path)
    spec = load(recipe)
    assert spec.input.path == str(tmp_path / "data" / "a.jsonl") and spec.notices == ()
    assert spec.export_path == str(tmp_path / "outputs" / "a.jsonl")
    # a dataset found only beside the recipe is read from there, and the user is told
    (tmp_path / "recipes" / "data").mkdir()
    (tmp_path / "data" / "a.jsonl").rename(tmp_path / "recipes" / "data" / "a.jsonl")
    spec = load(recipe)
    assert spec.input.path == str(tmp_path / "recipes" / "data" / "a.jsonl")
    assert any("relative to the recipe" in n for n in spec.notices)


def test_recipe_errors_still_name_the_op_and_key(tmp_path):
    path = write(tmp_path, """
        dataset_path: d.jsonl
        export_path: out.jsonl
        process:
          - alphanumeric_filter:
              min_ration: 0.25
    """)
    with pytest.raises(SpecError, match=r"stage 'process': op 'alphanumeric_filter': unknown parameter 'min_ration'"):
        load(path)


def test_record_parsing_reasons_without_spark():
    from sparkops.jobs.records import parse_json_line, parse_text_line

    assert parse_json_line(b"   ", "text") is None and parse_text_line(b"") is None  # blank: not a record
    assert parse_json_line(b'{"text": "caf\xe9"}', "text").reason == "invalid UTF-8: byte 0xe9 at offset 13"
    assert parse_text_line(b"\xff abc").reason == "invalid UTF-8: byte 0xff at offset 0"
    assert parse_json_line(b'{"body": "x"}', "body").text == "x"
    assert parse_json_line(b'{"text": 1.5}', "text").reason == "text is float, not a string"
    assert parse_text_line("un document".encode()).text == "un document"
