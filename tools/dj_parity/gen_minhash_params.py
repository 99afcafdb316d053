"""Regenerate tests/fixtures/dj_minhash_params.json with Data-Juicer's own band/row choice.

    .peers/dj/bin/python tools/dj_parity/gen_minhash_params.py

``document_minhash_deduplicator`` picks (num_bands, num_rows_per_band) when they are not given
by minimising 0.5 * P(false positive) + 0.5 * P(false negative) (``optimal_param``). The
fixture records what Data-Juicer 1.6.1 returns for a grid of thresholds and permutation
counts; sparkops must choose the same pair.
"""

import json
import sys
from pathlib import Path

from data_juicer import __version__
from data_juicer.ops.deduplicator.document_minhash_deduplicator import optimal_param

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "dj_minhash_params.json"

cases = []
for num_perm in (32, 64, 128, 256):
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        b, r = optimal_param(threshold, num_perm)
        cases.append({"threshold": threshold, "num_permutations": num_perm, "num_bands": b, "num_rows_per_band": r})
OUT.write_text(json.dumps({"generator": "tools/dj_parity/gen_minhash_params.py", "data_juicer": __version__,
                           "cases": cases}, indent=1) + "\n")
print(f"wrote {OUT} ({len(cases)} cases)", file=sys.stderr)
