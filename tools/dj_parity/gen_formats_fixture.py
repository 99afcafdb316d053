"""Regenerate tests/fixtures/dj_formats.json.gz with Data-Juicer 1.6.1's own format converters.

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_formats_fixture.py

Data-Juicer's post-tuning dialog converters (``tools/fmt_conversion/post_tuning_dialog`` of the
py-data-juicer wheel) are scripts, each with a per-sample function; this calls those functions
with the arguments their ``main`` passes (``messages_to_dj``/``dj_to_messages`` are the ShareGPT
functions with role/content keys) on the records ``tests/formats_corpus.py`` selects, each call
on a fresh copy (``llama_factory_sharegpt_to_dj`` pops messages from its input). Kept per record
and conversion: a hash of the output (``formats_corpus.digest``) and, for conversations, the
list of roles Data-Juicer wrote; or the exception. The fixture holds no texts; the files are
pinned by their sha256.
"""

from __future__ import annotations

import copy
import gzip
import json
import sys
import types
from pathlib import Path

import data_juicer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import formats_corpus as corpus  # noqa: E402

OUT_FILE = ROOT / "tests" / "fixtures" / "dj_formats.json.gz"
TOOLS = Path(data_juicer.__file__).resolve().parent.parent / "tools" / "fmt_conversion" / "post_tuning_dialog"
sys.modules.setdefault("fire", types.ModuleType("fire"))  # the scripts' CLI only
for sub in ("source_format_to_data_juicer_format", "data_juicer_format_to_target_format"):
    sys.path.insert(0, str(TOOLS / sub))
import alpaca_to_dj as a2dj  # noqa: E402
import dj_to_alpaca as dj2a  # noqa: E402
import dj_to_llama_factory_sharegpt as dj2lf  # noqa: E402
import dj_to_ms_swift_sharegpt as dj2swift  # noqa: E402
import llama_factory_sharegpt_to_dj as lf2dj  # noqa: E402
import ms_swift_sharegpt_to_dj as swift2dj  # noqa: E402

READ = {
    "alpaca": a2dj.alpaca_to_dj,
    "sharegpt": lf2dj.llama_factory_sharegpt_to_dj,
    "messages": lambda s: lf2dj.llama_factory_sharegpt_to_dj(s, conversations_key="messages", from_key="role",
                                                            value_key="content"),
}
WRITE = {
    "alpaca": dj2a.dj_to_alpaca,
    "sharegpt": dj2lf.dj_to_llama_factory_sharegpt,
    "messages": lambda s: dj2lf.dj_to_llama_factory_sharegpt(s, conversations_key="messages", from_key="role",
                                                            value_key="content"),
    "sharegpt_swift": dj2swift.dj_to_ms_swift_sharegpt,
}
ROLES = {"sharegpt": ("conversations", "from"), "messages": ("messages", "role")}


def call(fn, sample):
    try:
        return fn(copy.deepcopy(sample)), None
    except Exception as e:  # noqa: BLE001 - recorded in the fixture
        return None, f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"


def entry(out, err, fmt=None) -> dict:
    if err:
        return {"error": err}
    e = {"digest": corpus.digest(out)}
    if fmt in ROLES:
        key, role = ROLES[fmt]
        e["roles"] = [m[role] for m in out[key]]
    return e


def main() -> None:
    files = {}
    for name, (_, dj_reader) in corpus.FILES.items():
        path = corpus.SFT / name
        records = corpus.load(path)
        picked = corpus.select(records)
        rows = []
        for i in picked:
            dj, err = call(READ[dj_reader], records[i])
            row = {"index": i, "to_dj": entry(dj, err)}
            # exports: only where the record is a plain conversation (DPO records carry their
            # chosen/rejected messages along as other fields, which Data-Juicer exports unchanged)
            if dj is not None and not name.startswith("dpo_"):
                for fmt, fn in WRITE.items():
                    out, err = call(fn, dj)
                    row[fmt] = entry(out, err, fmt)
                    if fmt == "sharegpt_swift" and out is not None:  # and back: ms-swift's reader
                        back, err = call(swift2dj.ms_swift_sharegpt_to_dj, out)
                        row["sharegpt_swift_to_dj"] = entry(back, err)
            rows.append(row)
        files[name] = {"sha256": corpus.file_sha256(path), "records": len(records), "rows": rows}
        print(f"{name}: {len(rows)} records", file=sys.stderr)
    doc = {"generator": "tools/dj_parity/gen_formats_fixture.py",
           "data_juicer": getattr(data_juicer, "__version__", "?"), "files": files}
    OUT_FILE.write_bytes(gzip.compress(json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=0).encode(), mtime=0))
    print(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size:,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
