"""Every scenario's tools in one place: which tools a scenario has, the pairs compared within a
repetition, and each tool's command line and environment."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bench.harness.common import DJ_PY, RUNNERS, SPARK_PY, WORDLISTS, WORK, spark_env
from bench.harness.runs import DJ_TOOLS
from bench.runners import dedup_peers, recipe
from bench.scenarios import dedup as dedup_scenario
from bench.scenarios import dedup_levels as levels_scenario
from bench.scenarios import job as job_scenario
from bench.scenarios import recipes as recipe_scenario
from bench.scenarios import rulesets as rulesets_scenario
from bench.scenarios import scale as scale_scenario
from bench.scenarios import web as web_scenario
from bench.scenarios.filters import TOOLS

SCENARIOS = {"filters": list(TOOLS), "job": list(job_scenario.TOOLS), "dedup": list(dedup_scenario.TOOLS),
             **recipe_scenario.SCENARIOS, **rulesets_scenario.SCENARIOS, **web_scenario.SCENARIOS,
             scale_scenario.NAME: list(scale_scenario.TOOLS), **levels_scenario.SCENARIOS}
ALL_TOOLS = {**TOOLS, **job_scenario.TOOLS, **dedup_scenario.TOOLS, **recipe_scenario.TOOLS,
             **rulesets_scenario.TOOLS, **web_scenario.TOOLS, **levels_scenario.TOOLS}

PAIRS = (("fused", "dj"), ("fused", "sql"), ("job", "dj_job"), ("minhash", "dj_minhash"),
         ("minhash_verified", "dj_minhash"), ("minhash_verified_t06", "dj_minhash"),
         *(("minhash", peer) for peer in dedup_peers.PEERS))

PAIRS += recipe_scenario.PAIRS + rulesets_scenario.PAIRS + web_scenario.PAIRS + levels_scenario.PAIRS


def dj_config(tool: str, args, corpus: Path, out_dir: Path) -> Path:
    """Data-Juicer's config file: the 11-filter recipe (`dj`), jobs/web_refine_dj.yaml
    (`dj_job`) or its MinHash deduplicator alone (`dj_minhash`)."""
    if tool in recipe_scenario.DJ_TOOLS:
        return recipe_scenario.write_recipe(tool, corpus, out_dir, args.np, WORDLISTS, WORK / "out")
    if tool == "dj_job":
        return job_scenario.write_dj_config(corpus, out_dir / "kept.jsonl", args.np, WORDLISTS,
                                            WORK / "out" / "dj_job_recipe.yaml")
    if tool == "dj_minhash":
        return dedup_scenario.write_dj_config(corpus, out_dir / "kept.jsonl", args.np,
                                              WORK / "out" / "dj_minhash_recipe.yaml")
    cfg = {
        "project_name": "sparkops-bench",
        "dataset_path": str(corpus),
        "export_path": str(out_dir / "kept.jsonl"),
        "np": args.np,
        "text_keys": "text",
        "executor_type": "default",
        "process": recipe.dj_process(str(WORDLISTS)),
    }
    cfg_path = WORK / "out" / "dj_recipe.yaml"
    cfg_path.write_text(json.dumps(cfg, indent=2))  # JSON is YAML
    return cfg_path


def tool_command(tool: str, args, corpus: Path, out_dir: Path, result_path: Path) -> tuple[list[str], dict]:
    """The command line and environment of one timed run."""
    if tool in DJ_TOOLS:
        cmd = [str(DJ_PY), str(RUNNERS / "dj_job.py"), "--config", str(dj_config(tool, args, corpus, out_dir)),
               "--result", str(result_path), "--ds-cache", str(WORK / "dj_ds_cache")]
        return cmd, {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "DATA_JUICER"))}
    if tool in recipe_scenario.CLI_TOOLS:  # the recipe as `sparkops run` runs it, env as for `job`
        spec = recipe_scenario.write_recipe(tool, corpus, out_dir, args.np, WORDLISTS, WORK / "out")
        env = {**spark_env(args.spark_conf), "GX_ANALYTICS_ENABLED": "false"}
        return recipe_scenario.cli_command(spec, args.master), env
    if tool == "job":
        spec = job_scenario.write_job_spec(corpus, out_dir / "warehouse", WORK / "out" / "job_web_refine.yaml")
        # GX_ANALYTICS_ENABLED=false as the Makefile exports it: no GX telemetry during a timed run
        env = {**spark_env(args.spark_conf), "GX_ANALYTICS_ENABLED": "false"}
        return job_scenario.job_command(spec, args.master), env
    if tool in levels_scenario.TOOLS:
        return levels_scenario.command(tool, corpus, out_dir, result_path, args)
    if tool in web_scenario.TOOLS:  # `corpus` is the scenario's WARC folder
        return web_scenario.command(tool, corpus, out_dir, result_path, args)
    if tool in rulesets_scenario.TOOLS:
        cmd = rulesets_scenario.command(tool, SPARK_PY, corpus, out_dir, result_path, args.master, args.np)
        return cmd, (spark_env(args.spark_conf) if tool == rulesets_scenario.SPARK_TOOL else dedup_peers.offline_env())
    if tool in dedup_peers.PEERS:
        return dedup_peers.command(tool, corpus, out_dir, result_path, args.np)
    if tool in dedup_scenario.SPARK_TOOLS:
        return dedup_scenario.spark_command(tool, SPARK_PY, corpus, out_dir, result_path, args.master), \
            spark_env(args.spark_conf)
    cmd = [str(SPARK_PY), str(RUNNERS / "spark_job.py"), "--mode", tool, "--corpus", str(corpus),
           "--out", str(out_dir / "data"), "--result", str(result_path), "--master", args.master,
           "--sink", args.sink]
    return cmd, spark_env(args.spark_conf)
