#!/bin/sh
# Chromium from the Debian packages, for tests/test_analyzer.py's headless render of the
# analyzer's report (the test skips, saying why, where no chromium is found).
# Needs root (apt). Idempotent: does nothing when a chromium is already on PATH.
set -eu
for name in chromium chromium-browser google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
        echo "chromium: $(command -v "$name") already installed"
        exit 0
    fi
done
if [ "$(id -u)" -ne 0 ]; then
    echo "install_chromium.sh: needs root for apt-get (run: sudo $0)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "chromium: $(command -v chromium) installed ($(chromium --version 2>/dev/null || true))"
