#!/usr/bin/env bash
# A clone of this repository alone, as a new user gets it: nothing beside it (no ../shared).
# There `make demo` must pass, and `make test` must pass with only the tests that need the
# real data of ../shared/data skipped, each with its reason (tools/check_skips.py).
#
#   tools/bare_clone_check.sh [REPORTS_DIR]
#
# Alone, it checks the skips itself: every one must be for want of the data. With REPORTS_DIR
# (.ci/run) it leaves there the junit report (bare.xml) and the node ids of the skipped tests
# (skipped.txt); the caller runs those with the data and then checks the skips against that run
# (a test skipped there too is skipped for another reason, e.g. a benchmark peer's venv).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
reports=${1:-}
work=$(mktemp -d /tmp/sparkops-bare.XXXXXX)
echo "bare clone: $src (HEAD $(git -C "$src" rev-parse --short HEAD)) -> $work/sparkops"
if ! git clone --quiet "$src" "$work/sparkops"; then
  # a checkout git cannot clone from (e.g. some shallow CI checkouts): the committed tree, as a new repository
  rm -rf "$work/sparkops" && mkdir -p "$work/sparkops"
  git -C "$src" archive HEAD | tar -x -C "$work/sparkops"
  git -C "$work/sparkops" init --quiet && git -C "$work/sparkops" add -A
  git -C "$work/sparkops" -c user.name=sparkops -c user.email=sparkops@localhost commit --quiet -m "HEAD of $src"
fi
cd "$work/sparkops"
if [[ -e ../shared ]]; then echo "error: $work/shared exists" >&2; exit 1; fi
unset SPARKOPS_REQUIRE_SHARED_DATA
export SPARKOPS_SHARED_DATA="$work/no-shared-data"   # make sure no other copy is found

make demo
SPARKOPS_SKIPPED_IDS="$work/skipped.txt" make test PYTEST_ARGS="--junitxml=$work/bare.xml"
if [[ -n "$reports" ]]; then
  cp "$work/bare.xml" "$work/skipped.txt" "$reports/"
else
  python3 tools/check_skips.py "$work/bare.xml"
fi
rm -rf "$work"
