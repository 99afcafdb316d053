#!/usr/bin/env bash
# llama.cpp's llama-server (parallel slots, continuous batching) for `sparkops llm serve --parallel N`
# and bench/llm_throughput.py, built from the llama.cpp sources vendored in the llama-cpp-python sdist
# whose version the `llm` extra pins (PyPI is reachable where GitHub may not be).
#
#     tools/build_llama_server.sh PYTHON DEST      # make llm-server: python3.11 .cache/llama-server
#
# Idempotent: a binary already built from the pinned version is kept. CPU only, the server target
# only, llama.cpp's libraries linked in (one file). GGML_NATIVE=OFF as for llama-cpp-python (AVX2/FMA,
# no -march=native: it runs on any x86-64-v3 machine); no curl or OpenSSL (models are local files)
# and no web UI (its assets would be downloaded).
set -euo pipefail
python=$1 dest=$2
command -v "$python" >/dev/null || { echo "error: $python not found (make llm-server PYTHON=/path/to/python3.11)" >&2; exit 1; }
version=$("$python" -c "import tomllib; extra = tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['llm']; print(next(r.split('==')[1] for r in extra if r.startswith('llama-cpp-python')))")
binary=$dest/bin/llama-server stamp=$dest/bin/llama-cpp-python-version
if [[ -x $binary && $(cat "$stamp" 2>/dev/null) == "$version" ]]; then
  echo "llama-server from llama-cpp-python $version: $binary"
  exit 0
fi
command -v cmake >/dev/null && command -v c++ >/dev/null \
  || { echo "error: building llama-server needs cmake and a C++ compiler (apt-get install cmake g++)" >&2; exit 1; }
work=$dest/build
rm -rf "$work" && mkdir -p "$work"
echo "building llama-server from llama-cpp-python $version's sdist (takes minutes; once)"
start=$SECONDS
"$python" -m pip download --quiet --no-binary :all: --no-deps "llama-cpp-python==$version" -d "$work"
tar xzf "$work/llama_cpp_python-$version.tar.gz" -C "$work"
cmake -S "$work/llama_cpp_python-$version/vendor/llama.cpp" -B "$work/out" -DCMAKE_BUILD_TYPE=Release \
  -DGGML_NATIVE=OFF -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON >"$work/cmake.log" 2>&1 \
  || { cat "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/out" --config Release --target llama-server -j "${LLAMA_SERVER_JOBS:-2}" >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; echo "error: the llama-server build failed (log: $work/build.log)" >&2; exit 1; }
install -D -m 755 "$work/out/bin/llama-server" "$binary"
echo "$version" >"$stamp"
rm -rf "$work"  # ~400 MB of sources and objects
echo "built $binary in $((SECONDS - start)) s"
