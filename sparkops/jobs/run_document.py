"""The machine-readable result of ``sparkops run SPEC --json``: one JSON document.

Pure Python (no pyspark): built from the ``RunResult`` the runner returns (or leaves on the
exception that stopped it) and what the CLI knows (the spec, the error). Keys:

- ``status`` (``ok`` / ``failed``), ``error`` (null, or ``{kind, message}``: ``kind`` is
  ``gate_failed``, ``spec``, ``input``, ``op``, ``usage`` or ``internal``);
- ``job``, ``spec`` (as given), ``run_id``, ``output``, ``started`` / ``finished`` (ISO 8601),
  ``seconds`` (the run, from reading the input to the last commit or export);
- ``input`` (``format``, ``path``, ``read``: false when the first stages were reused, and then
  the counts are those of the run that committed them, or when reading failed), ``input_rows``
  and ``quarantine`` (``rows``, ``path``): null when the input could not be read; ``skipped``:
  input records not read by design, per kind (WARC requests, metadata, non-HTML responses);
- ``stages``: per stage ``name``, ``status`` (``ran``, ``reused``, ``gate_failed``), ``rows_in``,
  ``rows_out``, ``rejected``, ``seconds`` and ``phases`` (``ops``, ``gate``, ``commits``),
  ``table`` and ``rejected_table`` (``path``, Delta ``version``; null when not committed),
  ``gate`` (null without a suite, else ``suite``, ``result``, ``report``), ``held`` (a failed
  gate: where the rows wait), ``committed_by`` (a reused stage: the run id of its commit), and
  ``ops``: per op ``name``, ``rows_in``, ``rows_out``, ``dropped`` (all rows it removed),
  ``errors`` (those of them removed with ``error:<op>:``) and ``worker_seconds`` (its kernel's
  time in Spark's Python workers, summed over tasks; see ``runner._op_seconds``);
- ``export``: the Data-Juicer export file, if the spec has one.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sparkops.jobs.runner import RunResult, StageResult


def _when(epoch: float | None) -> str | None:
    return dt.datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="milliseconds") if epoch else None


def _s(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def _stage(st: StageResult, output: str) -> dict:
    gate = None
    if st.suite:
        report = st.report
        if st.status == "reused" and st.committed_by:  # the report of the run that committed it
            earlier = Path(output) / "_reports" / st.committed_by / st.name / "report.md"
            report = str(earlier) if earlier.is_file() else None
        gate = {"suite": st.suite, "result": "passed" if st.status == "reused" else st.gate, "report": report}
    out = {
        "name": st.name,
        "status": st.status,
        "rows_in": st.rows_in,
        "rows_out": st.rows_out,
        "rejected": st.rejected,
        "seconds": _s(st.seconds),
        "phases": {k: _s(v) for k, v in st.phases.items()} or None,
        "table": {"path": st.table or str(Path(output) / st.name), "version": st.table_version},
        "rejected_table": {"path": st.rejected_table or str(Path(output) / f"{st.name}_rejected"),
                           "version": st.rejected_version},
        "gate": gate,
        "ops": [{"name": op, "rows_in": rows_in, "rows_out": rows_out, "dropped": rows_in - rows_out,
                 "errors": st.op_errors[i] if i < len(st.op_errors) else None,
                 "worker_seconds": _s(st.op_seconds[i]) if i < len(st.op_seconds) else None}
                for i, (op, rows_in, rows_out) in enumerate(st.per_op)],
    }
    if st.held:
        out["held"] = st.held
    if st.committed_by:
        out["committed_by"] = st.committed_by
    return out


def document(spec_path: str, spec=None, result: RunResult | None = None, error: tuple[str, str] | None = None,
             started: float | None = None, finished: float | None = None) -> dict:
    """The run document. ``spec``: the loaded ``JobSpec`` (None when it did not load);
    ``error``: ``(kind, message)``; ``started``/``finished``: the CLI's own clock, used when
    there is no result (the run never started)."""
    r = result
    output = r.output if r else (spec.output_path if spec else None)
    # counted by this run, or by the run that committed the reused first stage; not when reading failed
    counted = r is not None and (r.input_read or (r.stages and r.stages[0].status == "reused"))
    return {
        "status": "failed" if error else "ok",
        "error": {"kind": error[0], "message": error[1]} if error else None,
        "job": spec.name if spec else None,
        "spec": spec_path,
        "run_id": r.run_id if r else None,
        "output": output,
        "started": _when(r.started if r else started),
        "finished": _when(r.finished if r and r.finished else finished),
        "seconds": _s(r.seconds if r else (finished - started if started and finished else None)),
        "input": {"format": spec.input.format, "path": spec.input.path,
                  "read": r.input_read if r else False} if spec else None,
        "input_rows": r.input_rows if counted else None,
        "quarantine": {"rows": r.quarantined, "path": str(Path(output) / "_quarantine")} if counted else None,
        "skipped": dict(r.skipped) if counted else None,
        "stages": [_stage(st, output) for st in r.stages] if r else [],
        "export": r.export if r else None,
    }
