"""What the analyzer computes, decided before Spark starts: the per-row ops of one pass that
computes every statistic without dropping a row, the token counts that show whether a
near-dedup's shingle window fits the data, and a note for every op it leaves out.

From a job spec or Data-Juicer recipe: its filters and mappers, every stage in order, as one
pass (mappers run, so each filter sees the text the job would give it; Data-Juicer's analyzer
skips mappers, so on a spec that rewrites text its numbers describe the raw input instead).
From a plain input file: every filter of the catalogue that computes a statistic of the text
with rules alone (word lists and spaCy's blank tokenizers count as rules), plus language id,
whose fastText model ships with the package and which the per-language breakdown needs.

Pure Python: no pyspark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sparkops.core import BoundOp, OpError, all_ops, bind
from sparkops.core.declaration import ROW_KINDS
from sparkops.core.extras import install_hint, missing
from sparkops.core.pipeline import Pipeline
from sparkops.jobs.spec import InputSpec, JobSpec

# the `models` of a rule filter: resources, not trained models (word lists, tokenizer rules) and
# the language-id model the per-language breakdown needs
_RULE_RESOURCES = ("word list", "tokenizer rules", "lid.176")
# statistics that name a row's language, in order of preference
LANGUAGE_STATS = ("lang", "language")
# a deduplicator whose shingles are windows of tokens
_WINDOW_PARAMS = ("tokenization", "window_size")


@dataclass(frozen=True)
class TokenProbe:
    """Tokens per document as a near-dedup op cuts them (its tokenization, lower-casing and
    ignore pattern), analysed as the statistic ``column`` against its ``window_size``."""

    op: str
    stage: str
    column: str
    tokenization: str
    window_size: int
    lowercase: bool
    ignore_pattern: str | None


@dataclass(frozen=True)
class AnalysedOp:
    """A filter or mapper of the pass: its recipe entry, the stage it came from, and the
    parameters the spec gave explicitly (the ones a threshold suggestion replaces)."""

    entry: dict
    bound: BoundOp
    stage: str
    given: frozenset[str]
    position: int  # in its stage's process list


@dataclass
class Plan:
    source: str  # the spec or input path the user named
    input: InputSpec
    ops: list[AnalysedOp]
    probes: list[TokenProbe] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # ops left out, and why
    spec: JobSpec | None = None

    @property
    def entries(self) -> list[dict]:
        return [a.entry for a in self.ops]

    def pipeline(self) -> Pipeline:
        """The pass's layout (its stats columns, each with the op that computes it)."""
        return Pipeline([a.bound for a in self.ops], short_circuit=False)

    def stat_owner(self) -> dict[str, AnalysedOp]:
        """stats column -> the op that computes it."""
        return {c.name: self.ops[c.op_index] for c in self.pipeline().columns}

    def language_stat(self) -> str | None:
        names = [c.name for c in self.pipeline().columns]
        return next((s for s in LANGUAGE_STATS if s in names), None)


def is_llm_op(bound: BoundOp) -> bool:
    """An op that calls an LLM endpoint (or would load a hub model): never run by the analyzer."""
    names = {p.name for p in bound.op.params}
    return bound.op.family == "llm" or bool(names & {"api_endpoint", "api_model", "api_or_hf_model", "hf_model"})


def from_spec(spec: JobSpec) -> Plan:
    plan = Plan(spec.source, spec.input, [], spec=spec)
    for stage in spec.stages:
        for position, (entry, bound) in enumerate(zip(stage.process, stage.ops)):
            name = bound.name
            where = f"stage '{stage.name}': {name}"
            given = frozenset(next(iter(entry.values())) or {})
            if is_llm_op(bound):
                plan.notes.append(f"{where}: skipped, an LLM op (the analyzer never calls an endpoint)")
            elif bound.op.kind in ROW_KINDS:
                plan.ops.append(AnalysedOp(dict(entry), bound, stage.name, given, position))
            elif bound.op.kind == "deduplicator" and all(p in bound.params for p in _WINDOW_PARAMS):
                plan.probes.append(_probe(bound, stage.name, len(plan.probes)))
            elif bound.op.kind == "deduplicator":
                plan.notes.append(f"{where}: a deduplicator without a statistic to analyse (it compares rows)")
            else:
                plan.notes.append(f"{where}: skipped, a {bound.op.kind} (it changes which rows there are); "
                                  "the statistics of the ops after it are over the input rows")
    _dedupe_probe_columns(plan)
    return plan


def from_input(source: str, input_spec: InputSpec) -> Plan:
    """Every rule statistic of the catalogue (see the module docstring) over a plain input."""
    plan = Plan(source, input_spec, [])
    chosen: list[tuple[int, BoundOp]] = []
    for op in all_ops():
        if op.kind != "filter" or op.family in ("llm", "fields") or op.text_key:
            continue  # LLM ops; filters of other record fields (url_filter, specified_field_filter)
        if op.name == "language_filter":
            continue  # the same fastText prediction as language_id_score_filter
        models = [m for m in op.models if not any(r in m for r in _RULE_RESOURCES)]
        if models:
            plan.notes.append(f"{op.name}: not computed, it needs a model ({'; '.join(models)}); "
                              "name it in a spec to analyse it")
            continue
        gone = missing(op.requires)
        if gone:
            plan.notes.append(f"{op.name}: not computed, it needs {', '.join(m for _, m in gone)}: "
                              f"{install_hint([e for e, _ in gone])}")
            continue
        try:
            bound = bind({op.name: {}})
        except OpError as err:  # a default that cannot work here (a missing word list)
            plan.notes.append(f"{op.name}: not computed: {err}")
            continue
        # language id first: later ops of the pass may read its `lang` statistic
        chosen.append((0 if op.name == "language_id_score_filter" else 1, bound))
    for position, (_, bound) in enumerate(sorted(chosen, key=lambda c: c[0])):
        plan.ops.append(AnalysedOp({bound.name: {}}, bound, "filter", frozenset(), position))
    return plan


def _probe(bound: BoundOp, stage: str, n: int) -> TokenProbe:
    p = bound.params
    column = f"{bound.name.removesuffix('_deduplicator')}_tokens"
    return TokenProbe(bound.name, stage, column, p["tokenization"], int(p["window_size"]),
                      bool(p.get("lowercase", True)), p.get("ignore_pattern"))


def _dedupe_probe_columns(plan: Plan) -> None:
    """Probe columns unique among themselves and the pass's statistics (a second one: ``_2``)."""
    taken = {c.name for c in plan.pipeline().columns}
    fixed = []
    for probe in plan.probes:
        name, k = probe.column, 1
        while name in taken:
            k += 1
            name = f"{probe.column}_{k}"
        taken.add(name)
        fixed.append(TokenProbe(probe.op, probe.stage, name, probe.tokenization, probe.window_size,
                                probe.lowercase, probe.ignore_pattern))
    plan.probes = fixed


def safe_name(text: str) -> str:
    """A job / stage name made of the characters a spec allows."""
    return re.sub(r"[^a-z0-9_-]+", "_", text.lower()).strip("_-") or "analyze"
