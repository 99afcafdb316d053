#!/usr/bin/env bash
# A clone of this repository alone, as a new user gets it: nothing beside it (no ../shared).
# There `make demo` must pass, and `make test` must pass with only the tests that need the
# real data of ../shared/data skipped, each with its reason (tools/check_skips.py).
#
#   tools/bare_clone_check.sh [REFERENCE_JUNIT_XML]
#
# REFERENCE_JUNIT_XML: the junit report of a run of the same suite with the data present
# (.ci/run passes its own); a test skipped there too is skipped for another reason (e.g. a
# benchmark peer's venv) and is not counted against the clone.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
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
# the tests that ask the real local model need nothing from ../shared and have just run in the
# full suite (.ci/run): deselected here, they would double the CI's slowest minutes
make test PYTEST_ARGS="-m 'not real_llm' --junitxml=$work/bare.xml"
python3 tools/check_skips.py "$work/bare.xml" ${1:+--reference "$1"}
rm -rf "$work"
