"""docs/adding-an-operator.md's worked example is real code: declared as the guide says, the
op binds, runs in the fused pass, and its example's value is what the kernel computes."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "adding-an-operator.md"


def test_the_guide_s_operator_declares_binds_and_runs():
    code = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)[0]
    check = textwrap.dedent("""
        from sparkops.core import all_ops, bind, get_op
        from sparkops.core.pipeline import Pipeline

        op = get_op("upper_case_filter")
        assert op in all_ops() and op.family == "quality"
        result = Pipeline([bind({"upper_case_filter": {"min_ratio": 0.4}})]).run(["ABc d", "abc", None])
        assert result.stats["upper_ratio"] == [0.5, 0.0, None], result.stats
        assert result.dropped_by == [None, "upper_case_filter", "null_text"], result.dropped_by
        example = op.examples[0]
        assert example.call == "upper_ratio('ABc d')" and example.result == upper_ratio("ABc d")
        print("ok")
    """)
    run = subprocess.run([sys.executable, "-c", code + check], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stdout + run.stderr
