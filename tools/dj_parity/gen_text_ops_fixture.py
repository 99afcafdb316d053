"""Regenerate sparkops/core/dj_ops.json: Data-Juicer 1.6.1's own list of its operators and
their modality, as its op-search tool tags them (``data_juicer.tools.op_search.analyze_tag_from_cls``:
an op that reads ``self.text_key`` or whose name starts with ``text`` is ``text``; one that reads
two modalities is ``multimodal``).

    /work/main/.peers/dj/bin/python tools/dj_parity/gen_text_ops_fixture.py

sparkops refuses a recipe naming an op it lacks with what Data-Juicer has (sparkops.core.catalogue), and
tests/test_registry.py counts the text ops sparkops runs against it (README states the count).
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "sparkops" / "core" / "dj_ops.json"


def main() -> None:
    from data_juicer.ops import OPERATORS
    from data_juicer.tools.op_search import analyze_tag_from_cls

    ops = {}
    for name, cls in sorted(OPERATORS.modules.items()):
        tags = analyze_tag_from_cls(cls, name)
        modality = next((t for t in tags if t in ("text", "image", "audio", "video", "multimodal")), "none")
        ops[name] = modality
    OUT.write_text(json.dumps({"data_juicer": "1.6.1", "generator": "tools/dj_parity/gen_text_ops_fixture.py",
                               "modality": ops}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    counts = {}
    for m in ops.values():
        counts[m] = counts.get(m, 0) + 1
    print(f"wrote {OUT}: {counts}")


if __name__ == "__main__":
    main()
