"""The catalogue: every declared operator by name, looked up by recipes, SQL and docs.

Families (``sparkops.ops.<family>``) declare their operators when imported; the catalogue
imports them all on first use (``sparkops.ops.families``), so nothing here names a family.
"""

from __future__ import annotations

import difflib
import json
from functools import lru_cache
from pathlib import Path
import importlib
from typing import Any, Mapping

from sparkops.core.declaration import KINDS, BoundOp, Op, Sketch, Stat
from sparkops.core.errors import OpError
from sparkops.core.extras import EXTRAS

REGISTRY: dict[str, Op] = {}


def declare(op: Op) -> Op:
    if op.name in REGISTRY:
        raise AssertionError(f"operator {op.name} declared twice")
    if op.kind not in KINDS:
        raise AssertionError(f"{op.name}: unknown kind {op.kind}")
    if op.kind == "filter":
        assert op.compute and op.stats and (op.range or op.keep or op.reason), op.name
    elif op.kind == "mapper":
        assert op.apply, op.name
    elif op.kind == "generator":
        assert op.expand, op.name
    elif op.kind in ("deduplicator", "selector", "grouper", "aggregator"):
        assert op.frame, op.name
    assert (op.grouping in ("group", "ungroup")) == (op.kind == "grouper"), op.name
    unknown = set(op.requires) - set(EXTRAS)
    assert not unknown, f"{op.name}: unknown extra(s) {sorted(unknown)} (sparkops.core.extras.EXTRAS)"
    assert op.batch_size is None or op.batch_size > 0, op.name
    # records: fields are read and written by row ops; a read is one of its own str params
    assert not (op.reads or op.text_key) or op.kind in ("filter", "mapper"), op.name
    # a mapper writes meta fields; a generator writes record fields on each row it makes
    assert not op.writes or op.kind in ("mapper", "generator"), f"{op.name}: only mappers and generators write fields"
    # a generator's one rule: the reason of a row that gives no output row (default ``no_chunks``)
    assert not op.rejects or op.kind == "mapper" or (op.kind == "generator" and len(op.rejects) == 1), \
        f"{op.name}: only mappers reject with rules (a generator with one: its row without output)"
    own = {p.name: p for p in op.params}
    assert all(r in own and own[r].type == "str" for r in op.reads), f"{op.name}: reads {op.reads}"
    REGISTRY[op.name] = op
    return op


def get_op(name: str, where: str | None = None) -> Op:
    _load_catalogue()
    try:
        return REGISTRY[name]
    except KeyError:
        hint = difflib.get_close_matches(name, list(REGISTRY), n=3, cutoff=0.5)
        did = f"; did you mean {', '.join(repr(h) for h in hint)}?" if hint else ""
        prefix = f"{where}: " if where else ""
        raise OpError(f"{prefix}unknown operator '{name}'{did} (`sparkops ops` lists them)") from None


# Data-Juicer's own list of its operators with the modality its op-search tool gives each
# (tools/dj_parity/gen_text_ops_fixture.py); ops that read no text field but are not text ops
DJ_NOT_TEXT = frozenset({
    "download_file_mapper", "s3_download_file_mapper", "s3_upload_file_mapper",  # move files
    "imgdiff_difference_area_generator_mapper", "imgdiff_difference_caption_generator_mapper",  # images
    "detect_character_attributes_mapper", "detect_character_locations_mapper", "detect_main_character_mapper",
    "fused_sequential_batch_op", "general_fused_op",  # its executor's internals
})


# tagged multimodal for the image paths it writes, but it reads only LaTeX text
DJ_ALSO_TEXT = frozenset({"latex_figure_context_extractor_mapper"})


@lru_cache(maxsize=1)
def dj_text_ops() -> frozenset[str]:
    """Data-Juicer 1.6.1's text operators: tagged text, or untagged and not in DJ_NOT_TEXT, and
    DJ_ALSO_TEXT."""
    modality = json.loads((Path(__file__).with_name("dj_ops.json")).read_text(encoding="utf-8"))["modality"]
    return frozenset(n for n, m in modality.items()
                     if m == "text" or (m == "none" and n not in DJ_NOT_TEXT) or n in DJ_ALSO_TEXT)


def missing_ops(names: list[str]) -> list[str]:
    """One line per name sparkops has no operator for: whether Data-Juicer has it, and the closest
    operator sparkops has when one is close."""
    _load_catalogue()
    lines = []
    for name in dict.fromkeys(names):
        if name in REGISTRY:
            continue
        close = difflib.get_close_matches(name, list(REGISTRY), n=1, cutoff=0.75)
        what = ("a Data-Juicer 1.6.1 operator sparkops does not run" if name in dj_text_ops()
                else "not a Data-Juicer 1.6.1 text operator")
        lines.append(f"'{name}': {what}" + (f"; closest: '{close[0]}'" if close else ""))
    return lines


def all_ops() -> list[Op]:
    _load_catalogue()
    return sorted(REGISTRY.values(), key=lambda o: (o.kind, o.family, o.name))


def bind(spec: str | Mapping[str, Any], where: str | None = None) -> BoundOp:
    """Bind one op from Data-Juicer's recipe syntax: ``"name"`` or ``{"name": {params}}``."""
    if isinstance(spec, str):
        return get_op(spec, where).bind({}, where)
    if isinstance(spec, Mapping) and len(spec) == 1:
        (name, params), = spec.items()
        if params is not None and not isinstance(params, Mapping):
            prefix = f"{where}: " if where else ""
            raise OpError(f"{prefix}op '{name}': parameters must be a mapping, got {type(params).__name__}")
        return get_op(name, where).bind(params or {}, where)
    prefix = f"{where}: " if where else ""
    raise OpError(f"{prefix}an op entry must be 'op_name' or {{op_name: {{params}}}}, got {spec!r}")


def sql_functions() -> list[tuple[str, Op, Stat | Sketch | None]]:
    """Every SQL function name with the op and what it computes: a filter's stat, a
    deduplicator's sketch, or None (a mapper, a generator, or a filter's struct of stats)."""
    out = []
    for op in all_ops():
        # per-row helper functions of an op (a deduplicator's signatures, url_filter_reason)
        out.extend((sk.name, op, sk) for sk in op.sketches)
        if op.kind == "deduplicator":  # DataFrame-level; per-row SQL only for its sketches
            continue
        if op.kind in ("selector", "grouper", "aggregator"):
            continue  # whole-table algorithms: no per-row SQL function
        if op.kind in ("mapper", "generator"):
            out.append((op.sql_name or op.name.removesuffix("_mapper"), op, None))
        elif op.sql_name:
            out.append((op.sql_name, op, None))  # a struct of all its stats (lang_id)
        else:
            out.extend((s.key, op, s) for s in op.stats)
    return out


_loaded = False


def _load_catalogue() -> None:
    # importing the families runs their declare() calls; found by name, at run time, so the
    # catalogue never imports a family (families import the catalogue)
    global _loaded
    if not _loaded:
        importlib.import_module("sparkops.ops").families()
        _loaded = True
