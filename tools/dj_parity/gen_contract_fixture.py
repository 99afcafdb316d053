"""Regenerate tests/fixtures/dj_contract.json.gz with Data-Juicer 1.6.1 itself.

Run with the throwaway Data-Juicer venv (see README.md next to this file):

    .peers/dj/bin/python tools/dj_parity/gen_contract_fixture.py

Every case of ``tests/contract_corpus.CASES`` runs as a one-recipe Data-Juicer job through
its own ``DefaultExecutor`` (what ``dj-process`` runs: ``init_configs``, load the JSONL with
the dataset builder/formatter, ``NestedDataset.process`` -> ``op.run`` for each op, then the
JSONL export), with ``np: 1`` and the case's extra recipe keys (``text_keys``...). Kept
per case:

- ``chunk``: the exported rows in order (all fields; ``text`` encoded as ``[start, end]``
  into the input record of the same ``id``, see ``contract_corpus.encode_chunk_rows``);
- ``selector``: the exported ``id`` list, in Data-Juicer's output order;
- ``random``: the number of exported rows (plus the ids, which are deterministic because
  ``random_sample`` shuffles with seed 42, but not part of the contract);
- ``grouper``: the exported rows verbatim (keys in Data-Juicer's order), plus the
  ``batch_meta_export_path`` file when the case writes one;
- ``filter`` / ``filter_edge``: the op's ``stats_export_path`` file (written by
  ``Filter.run`` for every row that reached the filter, before it drops any) reduced to
  ``id`` + stats, and the kept ids (the export, in order). The generator adds
  ``stats_export_path`` to filter params (not stored in the case), and replaces the
  placeholder ``"@BATCH_META@"`` by a scratch file path.

Arguments, if any, are case-id prefixes: only those cases run and the result goes to
``$DJ_CONTRACT_SCRATCH`` (default ``/tmp/dj_contract_partial.json.gz``), not the fixture.

A case whose run raises records ``error`` (exception type and message) instead. Errors
that Data-Juicer logs and swallows (``skip_op_error: true``, its default) are recorded in
``op_errors``. Offline setup and the Ray/torch/pip guards are those of ``bench/runners/dj_job.py``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT_FILE = ROOT / "tests" / "fixtures" / "dj_contract.json.gz"
GENERATOR = "tools/dj_parity/gen_contract_fixture.py"
FILTER_KINDS = ("filter", "filter_edge")


def _load(name: str, path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def log(msg: str) -> None:
    # Data-Juicer's setup_logger() redirects sys.stdout/sys.stderr into loguru: use the real one
    print(msg, file=sys.__stderr__, flush=True)


def _read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class Runner:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.n = 0
        self.dj_job = _load("dj_job", ROOT / "bench" / "runners" / "dj_job.py")
        self.dj_job.setup_offline_env(tmp / "hf_cache")
        self.data_juicer, self.DefaultExecutor = self.dj_job.import_default_executor()
        from data_juicer.config import init_configs

        self.init_configs = init_configs
        import datasets

        datasets.disable_progress_bars()
        self.datasets_version = datasets.__version__

    def run(self, case: dict, records: list[dict]) -> dict:
        import yaml
        from loguru import logger

        self.n += 1
        work = self.tmp / f"case{self.n:03d}"
        work.mkdir()
        data = work / "input.jsonl"
        from contract_corpus import write_jsonl

        write_jsonl(data, records)
        process = json.loads(json.dumps(case["process"]))
        stats_file = work / "stats.jsonl"
        meta_file = work / "batch_meta.jsonl"
        err_file = work / "op_errors.log"
        for entry in process:
            (op, params), = entry.items()
            for k, v in list(params.items()):
                if v == "@BATCH_META@":
                    params[k] = str(meta_file)
            if case["kind"] in FILTER_KINDS:
                params["stats_export_path"] = str(stats_file)
        recipe = {
            "project_name": "dj_contract",
            "dataset_path": str(data),
            "export_path": str(work / "out" / "processed.jsonl"),
            "np": 1,
            "open_monitor": False,
            "use_cache": False,
            "process": process,
        }
        recipe.update(case["cfg"])
        cfg_path = work / "recipe.yaml"
        cfg_path.write_text(yaml.safe_dump(recipe, sort_keys=False, allow_unicode=True), encoding="utf-8")
        os.chdir(work)
        op_errors: list[str] = []
        result: dict = {}
        try:
            cfg = self.init_configs(args=["--config", str(cfg_path)])
            executor = self.DefaultExecutor(cfg)
            # quiet Data-Juicer's console logging; keep the errors it swallows
            logger.remove()
            # (a file sink: Hugging Face's map may run the op in a forked worker process)
            sink = logger.add(str(err_file), level="ERROR", format="{message}\x1e", enqueue=False,
                              filter=lambda r: "An error occurred in" in r["message"])
            try:
                executor.run()
            finally:
                logger.remove(sink)
                if err_file.exists():
                    text = err_file.read_text(encoding="utf-8")
                    op_errors = [m.strip().split(" -- ")[0] for m in text.split("\x1e") if m.strip()]
            result["export"] = _read_jsonl(Path(cfg.export_path))
            if stats_file.exists():
                result["stats_export"] = _read_jsonl(stats_file)
            if meta_file.exists():
                result["batch_meta_file"] = meta_file.read_text(encoding="utf-8")
        except Exception as e:  # noqa: BLE001 - recorded in the fixture
            msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
            result = {"error": f"{type(e).__name__}: {msg}"}
            log("    " + traceback.format_exc().strip().splitlines()[-1][:300])
        finally:
            os.chdir(self.tmp)
        if self.dj_job.REFUSED:
            raise RuntimeError(f"Data-Juicer tried to install {self.dj_job.REFUSED}")
        if op_errors:
            result["op_errors"] = op_errors
        return result


def summarize(case: dict, records: list[dict], raw: dict) -> dict:
    import contract_corpus as cc

    out = {k: raw[k] for k in ("error", "op_errors") if k in raw}
    if "error" in raw:
        return out
    export = raw["export"]
    kind = case["kind"]
    if kind == "chunk":
        out["rows"] = cc.encode_chunk_rows(export, records)
        out["n_rows"] = len(export)
    elif kind == "selector":
        out["ids"] = [r["id"] for r in export]
    elif kind == "random":
        out["n_rows"] = len(export)
        out["ids"] = [r["id"] for r in export]
    elif kind == "grouper":
        out["rows"] = export
        if "batch_meta_file" in raw:
            out["batch_meta_file"] = raw["batch_meta_file"]
    elif kind in FILTER_KINDS:
        stats_rows = raw.get("stats_export", [])
        out["stats"] = {r["id"]: r.get("__dj__stats__") for r in stats_rows}
        out["stats_ids"] = [r["id"] for r in stats_rows]
        out["kept_ids"] = [r["id"] for r in export]
        if kind == "filter_edge":
            out["export"] = export
    return out


def main() -> int:
    t_start = time.perf_counter()
    sys.path.insert(0, str(ROOT / "tests"))
    import contract_corpus as cc

    only = set(sys.argv[1:])
    inputs = {name: cc.input_records(name) for name in cc.INPUT_SETS}
    with tempfile.TemporaryDirectory(prefix="dj_contract_") as tmp:
        runner = Runner(Path(tmp))
        data_juicer = runner.data_juicer
        cases_out = []
        for n, case in enumerate(cc.CASES, 1):
            if only and not any(case["id"].startswith(p) for p in only):
                continue
            t0 = time.perf_counter()
            records = inputs[case["input"]]
            raw = runner.run(case, records)
            res = summarize(case, records, raw)
            cases_out.append({**case, "result": res})
            brief = res.get("error") or (
                f"{res.get('n_rows', len(res.get('ids', res.get('kept_ids', res.get('rows', [])))))} rows")
            if "op_errors" in res:
                brief += f" ({len(res['op_errors'])} swallowed op errors)"
            log(f"[{n:3d}/{len(cc.CASES)}] {case['id']:<55s} {time.perf_counter() - t0:5.1f}s  {brief}")

    if any(m == "ray" or m.startswith("ray.") for m in sys.modules):
        raise RuntimeError("ray got imported")
    from importlib.metadata import version

    fixture = {
        "generator": GENERATOR,
        "data_juicer": data_juicer.__version__,
        "datasets": runner.datasets_version,
        "pyarrow": version("pyarrow"),
        "python": sys.version.split()[0],
        "np": 1,
        "inputs": {
            name: {
                "sha256": cc.sha256_records(recs),
                "n": len(recs),
                "ids": [r["id"] for r in recs] if isinstance(recs[0]["id"], str) else None,
                "records": recs if name in cc.STORED_INPUTS else None,
            }
            for name, recs in inputs.items()
        },
        "cases": cases_out,
    }
    payload = json.dumps(fixture, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload.encode("utf-8") + b"\n")
    if only:
        scratch = Path(os.environ.get("DJ_CONTRACT_SCRATCH", "/tmp/dj_contract_partial.json.gz"))
        scratch.write_bytes(buf.getvalue())
        log(f"partial run ({len(cases_out)} cases) written to {scratch}, fixture untouched")
        return 0
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_bytes(buf.getvalue())
    log(f"wrote {OUT_FILE.relative_to(ROOT)}: {len(cases_out)} cases, Data-Juicer {data_juicer.__version__} "
        f"({len(buf.getvalue()):,} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
