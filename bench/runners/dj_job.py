"""One Data-Juicer 1.6.1 run of a benchmark recipe (the 11 filters of bench/runners/recipe.py, or
jobs/web_refine_dj.yaml), with its real DefaultExecutor.

Run by bench/run.py with the Data-Juicer venv (never import this from sparkops):

    .peers/dj/bin/python bench/runners/dj_job.py --config CFG.yaml --result OUT.json --ds-cache DIR

What runs is what ``dj-process --config CFG.yaml`` runs with ``executor_type: default``:
``init_configs`` then ``DefaultExecutor(cfg).run()`` (load the JSONL into an HF dataset,
each Mapper = ``dataset.map(process, num_proc=np)``, each Filter =
``dataset.map(compute_stats, num_proc=np)`` then ``dataset.filter(process, num_proc=np)``,
then export the kept rows as JSONL). Only the import path differs, to keep Data-Juicer
from installing packages into its venv:

- ``data_juicer/core/__init__.py`` and ``core/executor/__init__.py`` import the Ray
  executors, whose ``@ray.remote`` makes Data-Juicer's LazyLoader ``uv pip install ray``.
  Both packages are replaced by bare namespace modules (same ``__path__``), so
  ``core.executor.default_executor`` and what it imports load normally, and Ray never does.
- ``LazyLoader._install_package`` raises (as a failed pip would), so nothing can be
  installed; every refusal is recorded in the result JSON (``refused_installs``).
- ``free_models()`` (end of every ``Filter.run``) calls ``torch.cuda.empty_cache()``,
  which would install torch: ``model_utils.torch`` is a stub whose ``empty_cache`` does
  nothing (what it does with torch installed on a machine without a GPU).
- Offline: HF offline env vars, ``lid.176.bin`` = sparkops's ``lid.176.ftz`` under a
  private ``DATA_JUICER_CACHE_HOME``, sockets and ``wget.download`` raise.

Multiprocessing uses ``fork`` (Data-Juicer's own first choice), so the workers inherit
all of the above.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import types
from pathlib import Path

T_START = time.time()
ROOT = Path(__file__).resolve().parents[2]
LID_MODEL = ROOT / "sparkops" / "assets" / "lid.176.ftz"
DJ_CACHE = ROOT / ".peers" / "dj_cache"
REFUSED: list[str] = []


def _no_network(*args, **kwargs):
    raise OSError("network access is disabled in bench/runners/dj_job.py")


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _local_only(connect):
    # multiprocess's Manager (used by HF datasets' num_proc map/filter) talks over AF_UNIX
    def guarded(self, *args, **kwargs):
        if self.family != socket.AF_UNIX:
            raise OSError("network access is disabled in bench/runners/dj_job.py")
        return connect(self, *args, **kwargs)

    return guarded


def setup_offline_env(ds_cache: Path) -> None:
    models = DJ_CACHE / "models"
    models.mkdir(parents=True, exist_ok=True)
    target = models / "lid.176.bin"
    if not target.is_file() or target.read_bytes() != LID_MODEL.read_bytes():
        shutil.copyfile(LID_MODEL, target)
    os.environ.update(
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        HF_DATASETS_CACHE=str(ds_cache),
        DATA_JUICER_CACHE_HOME=str(DJ_CACHE),
        DATA_JUICER_MODELS_CACHE=str(models),
        DATA_JUICER_ASSETS_CACHE=str(DJ_CACHE / "assets"),
        MP_START_METHOD="fork",
    )
    os.environ.pop("DATA_JUICER_EXTERNAL_MODELS_HOME", None)
    socket.socket.connect = _local_only(_connect)
    socket.socket.connect_ex = _local_only(_connect_ex)
    socket.create_connection = _no_network


def import_default_executor():
    import data_juicer
    from data_juicer.utils import lazy_loader

    def _refuse_install(cls, package_spec, pip_args=None):
        REFUSED.append(str(package_spec))
        raise subprocess.CalledProcessError(1, ["pip", "install", str(package_spec)],
                                            output="bench/runners/dj_job.py refuses to install packages")

    lazy_loader.LazyLoader._install_package = classmethod(_refuse_install)

    core_dir = Path(data_juicer.__file__).parent / "core"
    for name, path in (("data_juicer.core", core_dir), ("data_juicer.core.executor", core_dir / "executor")):
        if name not in sys.modules:
            mod = types.ModuleType(name)
            mod.__path__ = [str(path)]
            sys.modules[name] = mod
    sys.modules["data_juicer"].core = sys.modules["data_juicer.core"]
    sys.modules["data_juicer.core"].executor = sys.modules["data_juicer.core.executor"]

    from data_juicer.core.executor.base import ExecutorBase

    # default_executor.py does `from data_juicer.core.executor import ExecutorBase`
    sys.modules["data_juicer.core.executor"].ExecutorBase = ExecutorBase
    from data_juicer.core.executor.default_executor import DefaultExecutor
    from data_juicer.utils import model_utils

    model_utils.wget.download = _no_network
    # Filter.run() ends with free_models(), which calls torch.cuda.empty_cache()
    # unconditionally: on a venv without torch, LazyLoader would install torch (CUDA wheels,
    # GBs) at the end of the first op. On a CPU-only machine with torch installed that call
    # is a no-op; this stub is the same no-op without the install (and without torch's
    # ~1-2 s import, a small advantage to Data-Juicer).
    model_utils.torch = types.SimpleNamespace(cuda=types.SimpleNamespace(empty_cache=lambda: None))
    return data_juicer, DefaultExecutor


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--ds-cache", required=True, help="fresh HF datasets cache dir (deleted first)")
    args = ap.parse_args()

    ds_cache = Path(args.ds_cache)
    shutil.rmtree(ds_cache, ignore_errors=True)
    ds_cache.mkdir(parents=True)
    setup_offline_env(ds_cache)

    t0 = time.time()
    data_juicer, DefaultExecutor = import_default_executor()
    from data_juicer.config import init_configs

    cfg = init_configs(args=["--config", args.config])
    t_ready = time.time()
    executor = DefaultExecutor(cfg)
    executor.run()
    t_done = time.time()

    if any(m == "ray" or m.startswith("ray.") for m in sys.modules):
        raise RuntimeError("ray got imported")
    kept = 0
    with open(cfg.export_path, "rb") as f:
        for _ in f:
            kept += 1
    result = {
        "tool": "data_juicer",
        "data_juicer": data_juicer.__version__,
        "np": cfg.np,
        "import_config_s": t_ready - t0,
        "process_s": t_done - t_ready,  # executor init + load + every op of the recipe + export
        "kept": kept,
        "export_path": cfg.export_path,
        "torch_imported": "torch" in sys.modules,
        "refused_installs": REFUSED,
        "in_process_wall_s": time.time() - T_START,
    }
    Path(args.result).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
