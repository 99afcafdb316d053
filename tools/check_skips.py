"""Check a pytest junit report of a run without ../shared/data: every skip says why, and the
only tests skipped are those that need that data (or that a reference run skipped too).

    python3 tools/check_skips.py BARE.xml [--reference FULL.xml [--ran IDS]]

IDS: the node ids (one per line) the reference run was asked to run; each must be in its report.

Standard library only (it runs before or outside the project's venv). Exit 1 on a skip
for another reason, a failure, or a run that ran nothing.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET

DATA_REASON = "needs the real data of ../shared/data"


def outcomes(path: str) -> dict[str, tuple[str, str]]:
    """test id -> (outcome, message) for every test case of a junit report."""
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                # a wholly skipped module says "collection skipped" and gives its reason in the text
                outcome, message = tag, f"{node.get('message') or ''} {node.text or ''}"
                break
        out[test_id] = (outcome, message.strip())
    return out


def _junit_ids(node_id: str) -> tuple[str, str]:
    """A pytest node id as junit names it: (exact test id, prefix of the ids of a module's tests)."""
    path, *rest = node_id.split("::")
    module = path.removesuffix(".py").replace("/", ".")
    if not rest:  # a whole module
        return f"::{module}", f"{module}"
    return f"{'.'.join([module, *rest[:-1]])}::{rest[-1]}", ""


def _reported(node_id: str, report: dict) -> bool:
    exact, module = _junit_ids(node_id)
    if exact in report:
        return True
    return bool(module) and any(t.split("::")[0] == module or t.startswith(module + ".") for t in report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report")
    parser.add_argument("--reference", help="junit report of the same suite with the data present")
    parser.add_argument("--ran", help="node ids the reference run was given: every one must be in its report")
    args = parser.parse_args(argv)
    bare = outcomes(args.report)
    reference = outcomes(args.reference) if args.reference else {}
    counts: dict[str, int] = {}
    for outcome, _ in bare.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    problems = [f"{t}: {o}: {m[:200]}" for t, (o, m) in bare.items() if o in ("failure", "error")]
    data_skips, other_skips = [], []
    for test_id, (outcome, message) in sorted(bare.items()):
        if outcome != "skipped":
            continue
        if DATA_REASON in message:
            data_skips.append(test_id)
        elif reference.get(test_id, ("",))[0] == "skipped":
            other_skips.append(f"{test_id}: {message[:160]}")
        else:
            problems.append(f"{test_id}: skipped without needing ../shared/data: {message[:200] or '(no reason)'}")
    if args.ran:
        missing = [i for i in open(args.ran, encoding="utf-8").read().splitlines()
                   if i and not _reported(i, reference)]
        problems += [f"{i}: asked of the run with the data but not in its report" for i in missing]
    if not counts.get("passed"):
        problems.append("no test passed")
    print(f"bare clone: {counts.get('passed', 0)} passed, {len(data_skips)} skipped for want of ../shared/data, "
          f"{len(other_skips)} skipped as in the reference run")
    for line in other_skips:
        print(f"  skipped as in the reference run: {line}")
    if problems:
        print("bare clone problems:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
