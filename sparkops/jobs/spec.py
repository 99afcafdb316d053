"""Job specs: the YAML format of ARCHITECTURE.md, and plain Data-Juicer recipes.

Everything is validated here, before Spark starts: every error names the file, the stage,
the op and the key (``SpecError``). Paths inside a spec are resolved from the spec's folder.

A sparkops spec::

    name: web_refine
    input:  {format: jsonl, path: data/web/*.jsonl, text_key: text}
    output: {path: warehouse/web_refine}
    stages:
      - name: clean
        process: [fix_unicode_mapper:, whitespace_normalization_mapper:]
        expect: expectations/web_clean.json

SFT and preference data (``format: alpaca | sharegpt | sharegpt_swift | messages | preference |
kto | hh_rlhf``, a JSON array or JSONL) is read into Data-Juicer's dialog record
(``sparkops.formats``: ``system``, ``instruction``, ``query``, ``response``, ``history``, and
``rejected_response`` for pairs); the ops' text is ``response`` unless ``text_key`` names another
field. ``output: {path, export: out.jsonl, export_format: messages}`` also writes the last
stage's kept records as one file, converted to a trainer's format (``sparkops.formats.WRITERS``;
without ``export_format`` the records as they are).

A Data-Juicer recipe (top-level ``process``, ``dataset_path``, ``export_path``,
``text_keys``) becomes a one-stage job named after ``project_name``; executor keys (``np``,
``use_cache``, ...) are accepted and ignored with a notice. Its relative paths are read from
the working directory, as Data-Juicer does; a job spec's from the spec's folder.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sparkops import formats
from sparkops.core import BoundOp, OpError, bind, get_op
from sparkops.core.catalogue import missing_ops
from sparkops.core.declaration import check_sequence
from sparkops.core.extras import require
from sparkops.jobs import recipe_yaml

DIALOG_FORMATS = tuple(formats.READERS)  # SFT / preference files, read into Data-Juicer's dialog record
EXPORT_FORMATS = tuple(formats.WRITERS)
INPUT_FORMATS = ("jsonl", "json", "parquet", "delta", "text", "csv", "tsv", "warc", "wet", "html", *DIALOG_FORMATS)
STAGE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")

# Data-Juicer config keys that only steer its executor; a recipe may carry them
DJ_EXECUTOR_KEYS = {
    "np", "use_cache", "cache_compress", "open_tracer", "trace_num", "op_fusion", "fusion_strategy",
    "executor_type", "ray_address", "use_checkpoint", "temp_dir", "open_monitor", "work_dir",
    "ds_cache_dir", "hpo_config", "data_probe_algo", "data_probe_ratio", "suffixes", "turbo",
    "skip_op_error", "adaptive_batch_size", "keep_stats_in_res_ds", "keep_hashes_in_res_ds",
    "export_shard_size", "export_in_parallel", "event_logging", "auto", "auto_num", "percentiles",
    "export_original_dataset", "save_stats_in_one_file", "op_list_to_trace", "debug", "exporter_type",
    "image_key", "audio_key", "video_key", "image_special_token", "audio_special_token",
    "video_special_token", "eoc_special_token", "load_dataset_kwargs", "trace_keys", "op_list_to_mine",
    "executor", "partition_size", "mem_limit", "config",
}


class SpecError(ValueError):
    """A spec problem; the message names the file, stage, op and key it is about."""


@dataclass(frozen=True)
class InputSpec:
    format: str
    path: str  # absolute; may hold globs
    text_key: str = "text"


@dataclass(frozen=True)
class Stage:
    name: str
    process: tuple[dict, ...]  # normalised {op_name: {params}} entries, as written
    ops: tuple[BoundOp, ...] = field(compare=False, repr=False)
    expect: str | None = None  # absolute path of a GX suite JSON

    def fingerprint(self) -> str:
        payload = {"name": self.name, "process": list(self.process),
                   "expect": _file_digest(self.expect) if self.expect else None}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class JobSpec:
    name: str
    source: str  # the spec file
    input: InputSpec
    output_path: str
    stages: tuple[Stage, ...]
    export_path: str | None = None  # where the final JSONL/parquet goes (a recipe's export_path, output.export)
    export_format: str | None = None  # a trainer's format the export converts records to (sparkops.formats)
    notices: tuple[str, ...] = ()

    def stage_hashes(self) -> list[str]:
        """Per stage: a hash of the input and every stage up to and including it.

        A stage is reused only when it and everything before it are unchanged.
        """
        out, chain = [], hashlib.sha256(json.dumps(
            [self.input.format, self.input.path, self.input.text_key]).encode()).hexdigest()
        for stage in self.stages:
            chain = hashlib.sha256((chain + stage.fingerprint()).encode()).hexdigest()[:16]
            out.append(chain)
        return out


def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def load(path: str | Path) -> JobSpec:
    """Read and validate a spec or a Data-Juicer recipe."""
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise SpecError(f"{where}: no such file")
    try:
        raw = recipe_yaml.load(path.read_text(encoding="utf-8"))  # Data-Juicer's YAML rules: 2e5 is a number
    except yaml.YAMLError as err:
        raise SpecError(f"{where}: not valid YAML: {err}") from None
    except UnicodeDecodeError as err:
        raise SpecError(f"{where}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: the top level must be a mapping, got {type(raw).__name__}")
    base = path.resolve().parent
    if "stages" in raw:
        return _sparkops_spec(raw, where, base)
    if "process" in raw:
        return _dj_recipe(raw, where, base)
    raise SpecError(f"{where}: neither a sparkops spec (needs 'stages') nor a Data-Juicer recipe (needs 'process')")


def _resolve(base: Path, value: str) -> str:
    if "://" in value:  # a URI (s3a://, hdfs://): the cluster resolves it
        return value
    p = Path(value).expanduser()
    return os.path.normpath(p if p.is_absolute() else (base / p))


def _unknown_keys(mapping: dict, allowed: set[str], where: str) -> None:
    for key in mapping:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            did = f"; did you mean '{hint[0]}'?" if hint else ""
            raise SpecError(f"{where}: unknown key '{key}'{did} (allowed: {', '.join(sorted(allowed))})")


def _required_str(mapping: dict, key: str, where: str) -> str:
    value = mapping.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{where}: '{key}' is required and must be a non-empty string")
    return value


def _input(raw: Any, where: str, base: Path) -> InputSpec:
    where = f"{where}: input"
    if not isinstance(raw, dict):
        raise SpecError(f"{where}: must be a mapping with 'format' and 'path'")
    _unknown_keys(raw, {"format", "path", "text_key"}, where)
    fmt = _required_str(raw, "format", where)
    if fmt not in INPUT_FORMATS:
        raise SpecError(f"{where}: 'format' must be one of {', '.join(INPUT_FORMATS)}, got '{fmt}'")
    text_key = raw.get("text_key", formats.DEFAULT_TEXT_KEY if fmt in DIALOG_FORMATS else "text")
    if not isinstance(text_key, str) or not text_key:
        raise SpecError(f"{where}: 'text_key' must be a column name")
    return InputSpec(fmt, _resolve(base, _required_str(raw, "path", where)), text_key)


def _spec_paths(entry: Any, base: Path) -> Any:
    """``entry`` with its ops' relative file parameters (``Param.path``) resolved from ``base``."""
    if not isinstance(entry, dict) or len(entry) != 1:
        return entry
    (name, params), = entry.items()
    try:
        op = get_op(name)
    except OpError:
        return entry  # bind says what is wrong with it
    if not isinstance(params, dict):
        return entry
    paths = {p.name for p in op.params if p.path}
    fixed = dict(params)
    for key in paths & set(params):
        value = params[key]
        if isinstance(value, str) and value:
            fixed[key] = _resolve(base, value)
        elif isinstance(value, list):
            fixed[key] = [_resolve(base, v) if isinstance(v, str) and v else v for v in value]
    return {name: fixed}


def _process(raw: Any, where: str, base: Path | None = None) -> tuple[tuple[dict, ...], tuple[BoundOp, ...]]:
    """The ops of a ``process`` list, bound; with ``base`` (a sparkops spec's folder) their relative
    file parameters are resolved from it (a Data-Juicer recipe's stay relative to the working
    directory, as Data-Juicer opens them)."""
    if not isinstance(raw, list) or not raw:
        raise SpecError(f"{where}: 'process' must be a non-empty list of ops (`- op_name: {{params}}`)")
    names = [e if isinstance(e, str) else next(iter(e)) for e in raw if isinstance(e, (str, dict)) and len(e) >= 1]
    lacking = missing_ops([n for n in names if isinstance(n, str)])
    if lacking:  # every op the recipe names that sparkops lacks, at once, before anything runs
        raise SpecError(f"{where}: {len(lacking)} operator(s) sparkops does not have:\n  " + "\n  ".join(lacking)
                        + "\n(`sparkops ops` lists the ones it has)")
    entries, ops = [], []
    for i, entry in enumerate(raw):
        at = f"{where}: process[{i}]"
        if isinstance(entry, dict) and len(entry) != 1:
            raise SpecError(f"{at}: one op per list item, got {', '.join(map(str, entry))}")
        if base is not None:
            entry = _spec_paths(entry, base)
        try:
            bound = bind(entry, where=where)
        except OpError as err:
            raise SpecError(str(err)) from None
        name = entry if isinstance(entry, str) else next(iter(entry))
        params = {} if isinstance(entry, str) else dict(next(iter(entry.values())) or {})
        entries.append({name: params})
        ops.append(bound)
    return tuple(entries), tuple(ops)


def _sparkops_spec(raw: dict, where: str, base: Path) -> JobSpec:
    _unknown_keys(raw, {"name", "input", "output", "stages", "description"}, where)
    name = _required_str(raw, "name", where)
    inp = _input(raw.get("input"), where, base)
    output = raw.get("output")
    if not isinstance(output, dict):
        raise SpecError(f"{where}: output: must be a mapping with 'path'")
    _unknown_keys(output, {"path", "export", "export_format"}, f"{where}: output")
    out_path = _resolve(base, _required_str(output, "path", f"{where}: output"))
    export, export_format = _export(output, f"{where}: output", base)
    stages_raw = raw.get("stages")
    if not isinstance(stages_raw, list) or not stages_raw:
        raise SpecError(f"{where}: 'stages' must be a non-empty list")
    stages, seen = [], set()
    for i, st in enumerate(stages_raw):
        at = f"{where}: stages[{i}]"
        if not isinstance(st, dict):
            raise SpecError(f"{at}: must be a mapping with 'name' and 'process'")
        sname = _required_str(st, "name", at)
        at = f"{where}: stage '{sname}'"
        _unknown_keys(st, {"name", "process", "expect", "description"}, at)
        if not set(sname) <= STAGE_NAME_CHARS or sname.startswith("_"):
            raise SpecError(f"{at}: a stage name may hold a-z, 0-9, '_' and '-' and not start with '_' "
                            "(it names a table folder)")
        if sname in seen:
            raise SpecError(f"{at}: stage name used twice")
        seen.add(sname)
        entries, ops = _process(st.get("process"), at, base)
        expect = st.get("expect")
        if expect is not None:
            if not isinstance(expect, str):
                raise SpecError(f"{at}: 'expect' must be the path of a Great Expectations suite (JSON)")
            expect = _resolve(base, expect)
            if not Path(expect).is_file():
                raise SpecError(f"{at}: expect: suite file {expect} not found")
            try:
                require(("gate",), f"{at}: expect (a Great Expectations gate)")
            except OpError as err:
                raise SpecError(str(err)) from None
        stages.append(Stage(sname, entries, ops, expect))
    _check_kinds(stages, where)
    return JobSpec(name, where, inp, out_path, tuple(stages), export_path=export, export_format=export_format)


def _export(output: dict, where: str, base: Path) -> tuple[str | None, str | None]:
    """(export file, export format) of a spec's output."""
    fmt = output.get("export_format")
    if "export" not in output:
        if fmt is not None:
            raise SpecError(f"{where}: 'export_format' needs 'export' (the file to write)")
        return None, None
    path = _resolve(base, _required_str(output, "export", where))
    if not path.endswith((".jsonl", ".json", ".parquet")):
        raise SpecError(f"{where}: export must end in .jsonl, .json or .parquet, got {output['export']}")
    if fmt is not None and fmt not in EXPORT_FORMATS:
        raise SpecError(f"{where}: 'export_format' must be one of {', '.join(EXPORT_FORMATS)}, got '{fmt}'")
    return path, fmt


def _check_kinds(stages: list[Stage], where: str) -> None:
    """Each op gets rows of the shape its kind works on, across stages (a grouper's grouped rows
    reach only selectors, aggregators and groupers until naive_reverse_grouper)."""
    grouped: bool | None = False  # a job's input rows are records, never grouped
    for stage in stages:
        try:
            grouped = check_sequence(stage.ops, grouped)
        except OpError as err:
            raise SpecError(f"{where}: stage '{stage.name}': {err}") from None


def _dj_recipe(raw: dict, where: str, base: Path) -> JobSpec:
    known = {"project_name", "dataset_path", "export_path", "text_keys", "process", "dataset"}
    notices, ignored = [], sorted(k for k in raw if k in DJ_EXECUTOR_KEYS)
    if ignored:
        notices.append(f"{where}: Data-Juicer executor settings ignored (Spark decides parallelism): "
                       f"{', '.join(ignored)}")
    _unknown_keys({k: v for k, v in raw.items() if k not in DJ_EXECUTOR_KEYS}, known, where)
    dataset = _required_str(raw, "dataset_path", where)
    export = _required_str(raw, "export_path", where)
    text_keys = raw.get("text_keys", "text")
    if isinstance(text_keys, list):
        if len(text_keys) != 1:
            raise SpecError(f"{where}: text_keys: sparkops processes one text column per job, got {text_keys}")
        text_keys = text_keys[0]
    if not isinstance(text_keys, str):
        raise SpecError(f"{where}: text_keys must be a column name")
    # Data-Juicer opens relative paths from the working directory (its recipes say
    # `./demos/data/...` and are run from the repo root), so recipes run unchanged that way.
    # A dataset found only next to the recipe is taken from there, with a notice.
    cwd = Path.cwd()
    dataset_abs = _resolve(cwd, dataset)
    if "://" not in dataset and not Path(dataset_abs).exists() and Path(_resolve(base, dataset)).exists():
        dataset_abs = _resolve(base, dataset)
        notices.append(f"{where}: dataset_path {dataset} is not under the working directory {cwd}; "
                       f"using {dataset_abs} (relative to the recipe)")
    fmt = _format_from_path(dataset_abs, where)
    entries, ops = _process(raw["process"], f"{where}: stage 'process'")
    export_abs = _resolve(cwd, export)
    if not export_abs.endswith((".jsonl", ".json", ".parquet")):
        raise SpecError(f"{where}: export_path must end in .jsonl, .json or .parquet, got {export}")
    name = str(raw.get("project_name") or Path(where).stem)
    out_path = str(Path(export_abs).parent / f"{Path(export_abs).stem}_tables")
    stages = [Stage("process", entries, ops, None)]
    _check_kinds(stages, where)
    return JobSpec(name, where, InputSpec(fmt, dataset_abs, text_keys), out_path,
                   tuple(stages), export_path=export_abs, notices=tuple(notices))


def _format_from_path(path: str, where: str) -> str:
    p = path.lower()
    for suffix, fmt in ((".jsonl.gz", "jsonl"), (".jsonl", "jsonl"), (".json.gz", "json"), (".json", "json"),
                        (".parquet", "parquet"), (".txt", "text"), (".txt.gz", "text"), (".csv", "csv"),
                        (".tsv", "tsv"), (".wet.gz", "wet"), (".warc.gz", "warc"), (".warc", "warc")):
        if p.endswith(suffix):
            return fmt
    if (Path(path) / "_delta_log").is_dir():
        return "delta"
    raise SpecError(f"{where}: dataset_path: cannot tell the format of {path} (.jsonl, .json, .parquet, .txt, "
                    "or a Delta table folder)")
