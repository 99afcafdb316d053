"""Regenerate tests/fixtures/dj_latex_merge.json.gz with Data-Juicer 1.6.1 itself.

    .peers/dj/bin/python tools/dj_parity/gen_latex_merge_fixture.py

Writes the archives of ``tests/latex_archives.py`` into a temporary folder and runs
``latex_merge_tex_mapper`` (``process_single``, as Data-Juicer's Mapper does per sample) under each
of ``latex_archives.CASES`` on a record ``{"text": "", "compressed_file": <path>}`` per archive.
Kept per archive: the merged text when at most 200 characters, else ``[sha256[:16], length]``,
or the exception. The archives' sha256 pin them.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_fixture as base  # noqa: E402  (offline set-up shared with the main DJ fixture)

sys.path.insert(0, str(base.ROOT / "tests"))
import latex_archives as corpus  # noqa: E402

OUT_FILE = base.ROOT / "tests" / "fixtures" / "dj_latex_merge.json.gz"
GENERATOR = "tools/dj_parity/gen_latex_merge_fixture.py"


def digest(out: str):
    if len(out) <= 200:
        return out
    return [hashlib.sha256(out.encode("utf-8", "surrogatepass")).hexdigest()[:16], len(out)]


def main() -> int:
    t_start = time.perf_counter()
    base.setup_offline_env()
    data_juicer, operators = base.import_data_juicer()
    import importlib

    importlib.import_module("data_juicer.ops.mapper.latex_merge_tex_mapper")
    with tempfile.TemporaryDirectory(prefix="dj_latex_archives_") as tmp:
        paths = corpus.build(Path(tmp))
        shas = {n: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for n, p in paths.items()}
        cases_out = []
        for case in corpus.CASES:
            op = operators.modules["latex_merge_tex_mapper"](**case["params"])
            outputs = {}
            for name, path in paths.items():
                try:
                    outputs[name] = digest(op.process_single({"text": "", "compressed_file": str(path)})["text"])
                except Exception as e:  # noqa: BLE001 - recorded in the fixture
                    outputs[name] = {"error": f"{type(e).__name__}: {str(e)[:200]}"}
            cases_out.append(dict(case, outputs=outputs))
            base.log(f"{case['id']:<16s} " + ", ".join(f"{n}:{o[1] if isinstance(o, list) else len(o)}"
                                                    for n, o in outputs.items() if not isinstance(o, dict)))
    fixture = {"generator": GENERATOR, "data_juicer": data_juicer.__version__, "archive_sha256": shas,
               "cases": cases_out}
    size = base.write_ascii_fixture(fixture, OUT_FILE)
    base.log(f"wrote {OUT_FILE} ({size} bytes) in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
