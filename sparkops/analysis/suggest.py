"""Threshold suggestions and the job spec that carries them.

Two methods, over a range filter's statistic (``Op.range``: stat, min param, max param):

- ``ksigma``: Data-Juicer's k-sigma tool (``tools/hpo/execute_hpo_3sigma.py``): a ``min``
  parameter becomes mean - k * std, a ``max`` parameter mean + k * std (std: the sample
  standard deviation of pandas' ``describe``); here clipped to the observed [min, max], as a
  bound outside the data cuts nothing.
- ``quantile``: a ``min`` parameter becomes the ``q`` quantile, a ``max`` parameter the
  ``1 - q`` quantile (exact percentiles of the stats table).

Like Data-Juicer's tool, only the parameters a spec gives are changed; a filter given without
either bound (and every filter of a plain-input analysis) gets both. A value is rounded to 4
significant digits away from the data (a min down, a max up; an integer parameter to the
integer that keeps the same rows of an integer statistic), and the keep rates are those of
the rounded value. Filters with ``reversed_range`` and rule sets are left as they are.

Pure Python: no pyspark.
"""

from __future__ import annotations

import json
import math
import re
import textwrap
from dataclasses import dataclass, field

import yaml

from sparkops.analysis.plan import Plan

METHODS = ("ksigma", "quantile")
NO_LIMIT = 9.2e18  # Data-Juicer's "no bound" default is sys.maxsize


@dataclass
class Threshold:
    param: str
    side: str  # "min" | "max"
    value: float | int
    configured: float | int | None
    basis: str  # how the value was found, e.g. "mean - 3 std = 0.12, clipped to the observed min"


@dataclass
class OpSuggestion:
    index: int  # in plan.ops
    op: str
    stage: str
    stat: str  # stats column
    thresholds: list[Threshold]
    # filled from the stats table: this op alone with the new values, and the rows the spec's
    # filters up to and including it keep (each with its new values where it has some)
    kept_alone: int | None = None
    kept_cumulative: int | None = None

    def params(self) -> dict:
        return {t.param: t.value for t in self.thresholds}


@dataclass
class Suggestions:
    method: str
    label: str  # "k-sigma (k = 3)", "quantile (q = 0.01)"
    ops: list[OpSuggestion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kept: int | None = None  # rows the whole suggested spec's filters keep
    rows: int = 0


def range_column(plan: Plan, index: int) -> str | None:
    """The stats column of the range statistic of ``plan.ops[index]`` (a range filter), or None."""
    op = plan.ops[index].bound.op
    if op.kind != "filter" or op.range is None:
        return None
    key = op.range[0]
    return next((c.name for c in plan.pipeline().columns if c.op_index == index and c.stat.key == key), None)


def suggest(plan: Plan, summary: dict[str, dict], method: str, k: float = 3.0, q: float = 0.01) -> Suggestions:
    label = f"k-sigma (k = {k:g})" if method == "ksigma" else f"quantile (q = {q:g})"
    out = Suggestions(method, label)
    lo_key, hi_key = f"p{round(q * 100):02d}", f"p{round((1 - q) * 100):02d}"
    for i, analysed in enumerate(plan.ops):
        bound = analysed.bound
        if bound.op.kind != "filter":
            continue
        column = range_column(plan, i)
        if column is None:
            continue  # rule sets, language id: their thresholds are not one statistic's range
        if bound.params.get("reversed_range"):
            out.notes.append(f"{bound.name}: reversed_range is set; no suggestion")
            continue
        d = summary.get(column)
        if not d or not d["count"]:
            out.notes.append(f"{bound.name}: {column} has no values; no suggestion")
            continue
        _, lo_param, hi_param = bound.op.range
        sides = [(p, s) for p, s in ((lo_param, "min"), (hi_param, "max")) if p]
        wanted = [(p, s) for p, s in sides if p in analysed.given] or sides
        thresholds = []
        for param, side in wanted:
            if method == "ksigma":
                if d["std"] is None:
                    continue
                raw = d["mean"] - k * d["std"] if side == "min" else d["mean"] + k * d["std"]
                clipped = max(raw, d["min"]) if side == "min" else min(raw, d["max"])
                sign = "-" if side == "min" else "+"
                basis = f"mean {sign} {k:g} std = {fmt(raw, 7)}"
                if clipped != raw:
                    basis += f", clipped to the observed {side} {fmt(clipped, 7)}"
            else:
                clipped = d[lo_key] if side == "min" else d[hi_key]
                basis = f"{lo_key if side == 'min' else hi_key} = {fmt(clipped, 7)}"
            value = round_away(clipped, side, bound.op.param(param).type)
            thresholds.append(Threshold(param, side, value, bound.params.get(param), basis))
        if thresholds:
            out.ops.append(OpSuggestion(i, bound.name, analysed.stage, column, thresholds))
    return out


def round_away(v: float, side: str, ptype: str) -> float | int:
    """``v`` rounded so the bound keeps at least the rows ``v`` keeps: a min down, a max up (4
    significant digits); an integer parameter to the next integer inwards (``>= 3.2`` keeps
    the integers ``>= 4``)."""
    if ptype == "int":
        return int(math.ceil(v)) if side == "min" else int(math.floor(v))
    if v == 0 or not math.isfinite(v):
        return float(v)
    scale = 10.0 ** (3 - math.floor(math.log10(abs(v))))
    r = (math.floor(v * scale) if side == "min" else math.ceil(v * scale)) / scale
    # the division may land a hair inside v; step out once more so no row at v is lost
    if (side == "min" and r > v) or (side == "max" and r < v):
        r = (math.floor(v * scale) - 1 if side == "min" else math.ceil(v * scale) + 1) / scale
    return r


def fmt(v, digits: int = 4) -> str:
    """A number for people: ``digits`` significant digits, integers whole, a bound at
    Data-Juicer's ``sys.maxsize`` default as "no limit"."""
    if v is None:
        return "-"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if abs(v) >= NO_LIMIT:
        return "no limit" if v > 0 else "-no limit"
    if isinstance(v, int) or (v.is_integer() and abs(v) < 1e15):
        return f"{int(v):,}"
    if not math.isfinite(v):
        return str(v)
    return f"{v:.{digits}g}"


def pct(n: int | None, total: int) -> str:
    if n is None or not total:
        return "-"
    share = 100.0 * n / total
    return f"{share:.1f}%" if 0.1 <= share < 99.95 or share in (0.0, 100.0) else f"{share:.3g}%"


# --------------------------------------------------------------------------- the spec

def yaml_value(v) -> str:
    """A YAML flow scalar / collection that PyYAML reads back as ``v`` (JSON would give
    ``1e-05``, which YAML 1.1 reads as a string)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        text = repr(v)
        if "e" in text or "E" in text:
            mantissa, exp = text.lower().split("e")
            if "." not in mantissa:
                mantissa += ".0"
            text = f"{mantissa}e{int(exp):+d}"
        return text
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(yaml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{yaml_key(key)}: {yaml_value(x)}" for key, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to YAML")


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def yaml_key(key) -> str:
    """A mapping key: bare when it is a plain identifier YAML reads as that string, else quoted."""
    key = str(key)
    return key if _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS else json.dumps(key, ensure_ascii=False)


def spec_yaml(plan: Plan, sug: Suggestions, output_path: str, header: list[str]) -> str:
    """The job spec: the analysed spec's stages with the suggested thresholds in place, each
    commented with its keep rates; for a plain input, one stage of the range filters with
    their suggested thresholds (rule sets and language id at their defaults would decide
    for the user: ``header`` says what each would keep). ``sparkops validate`` accepts it
    (the caller checks)."""
    by_place = {(plan.ops[s.index].stage, plan.ops[s.index].position): s for s in sug.ops}
    spec = plan.spec
    name = f"{spec.name if spec else 'analyze'}_suggested"
    lines = [f"# {part}" for h in header for part in textwrap.wrap(h, 100, break_on_hyphens=False) or [""]]
    expected = {"name": name, "description": f"thresholds suggested by sparkops analyze: {sug.label}"}
    lines += [f"name: {yaml_value(expected['name'])}", f"description: {yaml_value(expected['description'])}"]
    inp = {"format": plan.input.format, "path": plan.input.path, "text_key": plan.input.text_key}
    lines.append(f"input: {yaml_value(inp)}")
    output = {"path": output_path}
    if spec and spec.export_path:
        stem, dot, suffix = spec.export_path.rpartition(".")
        output["export"] = f"{stem}_suggested.{suffix}" if dot else spec.export_path + "_suggested"
        if spec.export_format:
            output["export_format"] = spec.export_format
    lines.append(f"output: {yaml_value(output)}")
    lines.append("stages:")
    if spec:
        stages = [(st.name, [(e, by_place.get((st.name, p))) for p, e in enumerate(st.process)], st.expect)
                  for st in spec.stages]
    else:  # a plain input: the range filters with their suggested thresholds
        stages = [("filter", [(plan.ops[s.index].entry, s) for s in sug.ops], None)]
    expected_stages = []
    for stage_name, process, expect in stages:
        lines.append(f"  - name: {yaml_value(stage_name)}")
        if expect:
            lines.append(f"    expect: {yaml_value(expect)}")
        lines.append("    process:")
        entries = []
        for entry, s in process:
            (op_name, params), = entry.items()
            params = dict(params or {})
            if s is None:
                lines.append(f"      - {yaml_key(op_name)}: {yaml_value(params)}")
                entries.append({op_name: params})
                continue
            lines.append(f"      - {yaml_key(op_name)}:   # {s.stat}: alone keeps {pct(s.kept_alone, sug.rows)}, "
                         f"with the filters up to here {pct(s.kept_cumulative, sug.rows)}")
            new = {**params, **s.params()}
            for key, value in new.items():
                t = next((t for t in s.thresholds if t.param == key), None)
                note = (f"   # was {fmt(t.configured, 7)}; {t.basis}" if t is not None else "")
                lines.append(f"          {yaml_key(key)}: {yaml_value(value)}{note}")
            entries.append({op_name: new})
        expected_stages.append({"name": stage_name, **({"expect": expect} if expect else {}), "process": entries})
    text = "\n".join(lines) + "\n"
    expected.update(input=inp, output=output, stages=expected_stages)
    got = yaml.safe_load(text)
    if got != expected:  # a value that YAML would read back differently
        raise AssertionError(f"suggested spec does not read back as written: {got} != {expected}")
    return text
