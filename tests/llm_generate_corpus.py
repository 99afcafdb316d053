"""Data-Juicer 1.6.1's QA synthesis ops on recorded / crafted model answers, and the ``rouge``
package's ROUGE-L on real texts: writes ``tests/fixtures/dj_generate_qa.json.gz``, by Data-Juicer
itself (its own classes and methods; the model replaced by a stub that records the messages it
gets and answers the case's answer)::

    make parity-fixture     # installs rouge==1.0.1 (Data-Juicer's `nlp` extra has it) into .peers/dj

The ops are built with ``object.__new__`` plus the attributes their methods read (their
``__init__`` would load a Hugging Face model); ``process_batched`` / ``process_single`` then run
as they are, with ``get_model`` returning the stub and, for the examples op, ``random.sample``
returning the case's seed samples. Recorded per case: the messages sent, the output rows (text
op) or the sample's query / response / history (examples op), and ``_max_rouge_l_score`` of
the parsed pairs. ROUGE-L: ``rouge.Rouge().get_scores(hyp, ref)[0]["rouge-l"]["f"]`` (as
Data-Juicer calls it) over pairs of real texts (``sft`` files: English, Chinese, Russian),
Data-Juicer's seed strings, and edge cases (empty, punctuation only, dots), or the exception.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "dj_generate_qa.json.gz"
SFT = Path(os.environ.get("SPARKOPS_SHARED_DATA", ROOT.parent / "shared" / "data")) / "sft"


def _cut(text: str, limit: int = 700) -> str:
    """At most ``limit`` characters, cut at a space where there is one (keeps the fixture small)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[:cut if cut > limit // 2 else limit]


def real_texts() -> dict:
    en = json.loads((SFT / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    zh = json.loads((SFT / "alpaca_zh_demo.json").read_text(encoding="utf-8"))
    with open(SFT / "sharegpt_zh_1k.jsonl", encoding="utf-8") as f:
        share = [json.loads(next(f)) for _ in range(6)]
    return {"en": en[:40:2], "zh": zh[:20:2], "share": share}


def seed_lines(texts: dict) -> list[str]:
    """A chatml seed file: real pairs (alpaca en / zh, multi-turn ShareGPT) and Data-Juicer's odd
    lines (a system turn, an assistant before any user, a line with no pair, an empty question)."""
    def line(messages):
        return json.dumps({"messages": messages}, ensure_ascii=False)

    def alpaca(r):
        q = r["instruction"] + ("\n" + r["input"] if r["input"] else "")
        return [{"role": "user", "content": _cut(q, 300)}, {"role": "assistant", "content": _cut(r["output"], 400)}]

    out = [line(alpaca(r)) for r in texts["en"][:6]] + [line(alpaca(r)) for r in texts["zh"][:4]]
    role = {"human": "user", "gpt": "assistant"}
    for conv in texts["share"][:3]:
        out.append(line([{"role": role[t["from"]], "content": _cut(t["value"], 300)} for t in conv["conversations"][:4]]))
    out += [line([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "2+2?"},
                  {"role": "assistant", "content": "4."}]),
            line([{"role": "assistant", "content": "Hello, how can I help?"}, {"role": "user", "content": "Hi."},
                  {"role": "assistant", "content": "Hi there."}]),
            line([{"role": "user", "content": "A question nobody answered."}]),
            line([{"role": "user", "content": ""}, {"role": "assistant", "content": "An answer to nothing."},
                  {"role": "user", "content": "Second question?"}, {"role": "assistant", "content": "Second answer."}])]
    return out


class StubModel:
    """A Hugging Face pipeline as Data-Juicer calls it: records the messages, answers ``answer``."""

    def __init__(self):
        self.answer, self.calls = "", []

    def __call__(self, messages, return_full_text=False, **sampling):
        self.calls.append(messages)
        return [{"generated_text": self.answer}]


TEXT_ANSWERS = [
    "{text}\nHuman: {q1}\nAssistant: {a1}\nHuman: {q2}\nAssistant: {a2}\n",
    "Human: {q1}\nAssistant: {a1}\n\nHuman: {q2}\nAssistant: {a2}\nHuman: {q1} again?\nAssistant: Yes,\nover two lines.",
    "I cannot write questions about this text.",
    "",
    "Human: a question with no answer",
    "Human: an empty answer follows\nAssistant:",
    "Human: What is Humanity?\nAssistant: Humanity is all of us.\nHuman: And?\nAssistant: That is all.",
    "Assistant: an answer first\nHuman: then a question",
    "Human：全角冒号不算\nAssistant：所以没有问答对",
    "Human: 蒙古国的首都是哪里？\r\nAssistant: 乌兰巴托。\r\nHuman: 冰岛呢？\r\nAssistant: 雷克雅未克。",
    "Q: custom one? A: custom answer one. Q: custom two? A: custom answer two.",
]


def text_cases(texts: dict) -> list[dict]:
    from data_juicer.ops.mapper import generate_qa_from_text_mapper as mod

    docs = [_cut(r["output"]) for r in texts["en"][:3]] + [_cut(r["output"]) for r in texts["zh"][:3]] + [""]
    stub = StubModel()
    mod.get_model = lambda *a, **k: (stub, None)
    cases = []
    for d, doc in enumerate(docs):
        for k, template in enumerate(TEXT_ANSWERS):
            if (d + k) % 2 and template != TEXT_ANSWERS[0]:
                continue  # every answer on half the documents is enough
            words = doc.split() or ["nothing"]
            answer = template.format(text=doc, q1=f"What does '{words[0]}' start?", a1=" ".join(words[:8]),
                                     q2="What else?", a2=" ".join(words[-5:]))
            for max_num, pattern in ((None, None), (1, None), (2, None), (None, r"Q:(.*?)A:(.*?)(?=Q:|$)")):
                op = object.__new__(mod.GenerateQAFromTextMapper)
                op.max_num, op.enable_vllm, op.model_key, op.sampling_params = max_num, False, "stub", {}
                op.output_pattern = pattern or r"Human:(.*?)Assistant:(.*?)(?=Human|$)"
                op.text_key, op.query_key, op.response_key = "text", "query", "response"
                op.use_cuda = lambda: False
                stub.answer, stub.calls = answer, []
                out = op.process_batched({"text": [doc], "id": [d]})
                rows = [{"query": q, "response": a, "id": i, "text": t}
                        for q, a, i, t in zip(out["query"], out["response"], out["id"], out["text"])]
                cases.append({"text": doc, "answer": answer, "max_num": max_num, "output_pattern": pattern,
                              "messages": stub.calls[0], "rows": rows})
    return cases


def _history(h) -> list:
    return [list(pair) for pair in (h.tolist() if hasattr(h, "tolist") else h)]


def examples_cases(lines: list[str]) -> dict:
    from data_juicer.ops.mapper import generate_qa_from_examples_mapper as mod

    folder = Path(tempfile.mkdtemp())
    seed_file = folder / "seeds.jsonl"
    seed_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stub = StubModel()
    mod.get_model = lambda *a, **k: (stub, None)
    chosen_now: list = []

    class Sampler:  # random.sample as process_single calls it: the case's seed samples
        @staticmethod
        def sample(population, k):
            return [population[i] for i in chosen_now]

    mod.random = Sampler

    def make(**over):
        cls = mod.GenerateQAFromExamplesMapper
        op = object.__new__(cls)
        op.seed_file, op.similarity_type, op.enable_vllm, op.model_key, op.sampling_params = \
            str(seed_file), "rouge_l", False, "stub", {}
        op.example_num = 3
        op.similarity_threshold = over.get("similarity_threshold", 0.7)
        op.system_prompt = over.get("system_prompt") or cls.DEFAULT_SYSTEM_PROMPT
        op.input_template = over.get("input_template") or cls.DEFAULT_INPUT_TEMPLATE
        op.example_template = over.get("example_template") or cls.DEFAULT_EXAMPLE_TEMPLATE
        op.qa_pair_template = over.get("qa_pair_template") or cls.DEFAULT_QA_PAIR_TEMPLATE
        op.output_pattern = over.get("output_pattern") or cls.DEFAULT_OUTPUT_PATTERN
        op.text_key, op.query_key, op.response_key, op.history_key = "text", "query", "response", "history"
        op.use_cuda = lambda: False
        op.seed_qa_samples = op._load_seed_qa_samples()
        return op

    base = make()
    samples = base.seed_qa_samples
    custom = {"system_prompt": "SYS", "input_template": "Examples:{}\nNow yours:", "example_template": "\n---\n{}",
              "qa_pair_template": "Q: {}\nA: {}\n", "output_pattern": r"Q:(.*?)A:(.*?)(?=Q:|$)"}

    def copy_of(i, template=mod.GenerateQAFromExamplesMapper.DEFAULT_QA_PAIR_TEMPLATE):
        return "".join(template.format(q, a) for q, a in samples[i] if q and a)

    def half_of(i):
        q, a = samples[i][-1]
        return f"【问题】\n{q}\n【回答】\n{a[:len(a) // 2]} and then something else entirely.\n"

    answers = [
        "【问题】\nWhat is the boiling point of water at sea level?\n【回答】\n100 degrees Celsius.",
        "好的。\n【问题】\n第一问？\n【回答】\n第一答。\n【问题】\nSecond question?\n【回答】\nSecond answer.\n"
        "【问题】\n第三问\n【回答】\n第三答",
        "I will not follow the format.",
        "",
        "【回答】an answer without a question",
        "【问题】\n【回答】\n",
    ]
    cases = []
    picks = [[0, 1, 2], [6, 7, 8], [10, 15, 12], [3, 9, 14], [13, 12, 4]]
    for n, chosen in enumerate(picks):
        case_answers = answers + [copy_of(chosen[0]), half_of(chosen[1])]
        for k, answer in enumerate(case_answers):
            for threshold in ((0.7, 0.3) if k >= len(answers) else (0.7,)):
                cases.append(_run_example(make(similarity_threshold=threshold), stub, chosen_now, chosen, answer,
                                          {"similarity_threshold": threshold}))
    custom_answer = "Q: A new question?\nA: A new answer.\nQ: Another?\nA: Yes."
    for answer in (custom_answer, copy_of(0, custom["qa_pair_template"]), "no format"):
        cases.append(_run_example(make(**custom), stub, chosen_now, [0, 5, 9], answer, custom))
    return {"seed_lines": lines, "samples": [[list(p) for p in s] for s in samples], "cases": cases}


def _run_example(op, stub, chosen_now, chosen, answer, params) -> dict:
    chosen_now[:] = chosen
    stub.answer, stub.calls = answer, []
    case = {"chosen": chosen, "answer": answer, "params": params}
    try:
        out = op.process_single({"text": ""})
        case.update(messages=stub.calls[0], query=out["query"], response=out["response"],
                    history=_history(out["history"]), raises=None)
    except Exception as err:  # e.g. TypeError on a seed pair without a question
        case.update(messages=stub.calls[0] if stub.calls else None, raises=type(err).__name__)
    pairs = op.parse_output(answer)
    case["similarity"] = None
    if pairs:
        try:
            case["similarity"] = op._max_rouge_l_score(pairs, [op.seed_qa_samples[i] for i in chosen])
        except Exception as err:
            case["similarity"] = type(err).__name__
    return case


def rouge_cases(texts: dict, samples: list) -> dict:
    import rouge

    from data_juicer.ops.mapper.generate_qa_from_examples_mapper import GenerateQAFromExamplesMapper

    to_str = object.__new__(GenerateQAFromExamplesMapper)._sample_to_str
    real = [_cut(r["output"], 500) for r in texts["en"]] + [_cut(r["output"], 300) for r in texts["zh"]]
    real += [_cut(t["value"], 300) for c in texts["share"][:3] for t in c["conversations"][:2]]
    real += [to_str(s) for s in samples if all(q is not None for q, _ in s)]
    edges = ["", ".", "...", " ", "\n", " . ", "。", "a.b", "a. .b", "!!!", "?", "Hello.", "hello world. hello",
             "the the the", "The cat sat. The cat sat.", "中文。中文", "x\n\ny", ". x", "x ."]
    texts_all = real + edges
    pairs = []
    n_real = len(real)
    for i in range(n_real):
        pairs.append((i, (i + 1) % n_real))
        pairs.append((i, i))
    for i in range(0, n_real, 3):  # a text against itself with every third word dropped
        words = texts_all[i].split(" ")
        texts_all.append(" ".join(w for k, w in enumerate(words) if k % 3 != 2))
        pairs.append((len(texts_all) - 1, i))
        pairs.append((i, len(texts_all) - 1))
    for e in range(n_real, n_real + len(edges)):
        for other in (0, n_real - 1, n_real, n_real + 11, e):
            pairs.append((e, other))
            pairs.append((other, e))
    r = rouge.Rouge()
    out = []
    for h, f in dict.fromkeys(pairs):
        try:
            out.append([h, f, r.get_scores(texts_all[h], texts_all[f])[0]["rouge-l"]["f"]])
        except Exception as err:
            out.append([h, f, type(err).__name__])
    return {"rouge_version": rouge.__version__ if hasattr(rouge, "__version__") else "1.0.1",
            "texts": texts_all, "pairs": out}


def main() -> int:
    import data_juicer
    from loguru import logger

    logger.remove()  # a warning per document without a pair

    texts = real_texts()
    lines = seed_lines(texts)
    examples = examples_cases(lines)
    out = {"data_juicer": data_juicer.__version__, "text": text_cases(texts), "examples": examples,
           "rouge": rouge_cases(texts, [[tuple(p) for p in s] for s in examples["samples"]])}
    data = json.dumps(out, ensure_ascii=False, indent=0, sort_keys=True).encode("utf-8")
    # a fixed mtime: the same cases give the same bytes
    with open(FIXTURE, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(data)
    print(f"wrote {FIXTURE}: {len(out['text'])} text cases, {len(examples['cases'])} example cases, "
          f"{len(out['rouge']['pairs'])} ROUGE-L pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
