"""token_num_filter: keep rows whose number of tokens is within [min_num, max_num].

Data-Juicer 1.6.1 counts ``len(tokenizer(text, add_special_tokens=False)["input_ids"])`` with a
Hugging Face tokenizer it downloads (default ``EleutherAI/pythia-6.9b-deduped``). sparkops
downloads nothing: the default tokenizer is the Llama-2 one (32,000 tokens) inside the
wordllama wheel, and ``hf_tokenizer`` may name a local ``tokenizer.json`` (or a folder holding
one) or a Hub model already in the local Hugging Face cache. The count is that of the
``tokenizers`` library, which is what Data-Juicer's fast tokenizers run.
"""

from __future__ import annotations

import os
from pathlib import Path

from sparkops.core import MAXSIZE, Example, Op, OpError, Param, Stat, declare
from sparkops.models.cache import models
from sparkops.models.embedding import PIECE_CHARS, pieces
from sparkops.ops.quality.common import FAMILY

WORDLLAMA = "wordllama"  # the Llama-2 tokenizer of wordllama's l2_supercat model
DJ_DEFAULT = "EleutherAI/pythia-6.9b-deduped"
TOKENIZER_FILE = "tokenizer.json"


def wordllama_tokenizer_file(where: str = "token_num_filter") -> Path:
    import importlib.util

    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.origin:
        raise OpError(f"{where}: the default tokenizer ships in the wordllama package, which is not "
                      "installed: pip install 'sparkops[embed]'")
    return Path(spec.origin).parent / "tokenizers" / "l2_supercat_tokenizer_config.json"


def _hub_cache() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "huggingface")
    return Path(home).expanduser() / "hub"


def _from_hub_cache(name: str) -> Path | None:
    """A Hub model's tokenizer.json already in the local cache (the revision ``main`` points
    to, else any snapshot), never a download."""
    root = _hub_cache() / ("models--" + name.replace("/", "--"))
    ref = root / "refs" / "main"
    snapshots = [root / "snapshots" / ref.read_text().strip()] if ref.is_file() else []
    snapshots += sorted((root / "snapshots").glob("*")) if (root / "snapshots").is_dir() else []
    return next((s / TOKENIZER_FILE for s in snapshots if (s / TOKENIZER_FILE).is_file()), None)


def tokenizer_file(name: str, where: str) -> str:
    """The tokenizer.json ``hf_tokenizer`` names, or OpError saying why there is none."""
    if name == WORDLLAMA:
        return os.fspath(wordllama_tokenizer_file(where))
    path = Path(name).expanduser()
    if path.is_dir() and (path / TOKENIZER_FILE).is_file():
        return os.fspath(path / TOKENIZER_FILE)
    if path.is_file():
        return os.fspath(path)
    cached = _from_hub_cache(name) if name.count("/") == 1 and not name.startswith((".", "/", "~")) else None
    if cached is not None:
        return os.fspath(cached)
    raise OpError(f"{where}: parameter 'hf_tokenizer' {name!r} is neither 'wordllama', a tokenizer.json file, a "
                  f"folder holding one, nor a Hub model in the local cache ({_hub_cache()}); sparkops does not "
                  f"download tokenizers")


def tokenizer(path: str):
    """The tokenizer of a tokenizer.json, once per Python worker."""
    def load():
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(path)
        # Data-Juicer's call neither pads nor truncates
        tok.no_padding()
        tok.no_truncation()
        return tok

    return models.get("tokenizer", path, load)



def _prepare(p, where):
    return dict(p, tokenizer_file=tokenizer_file(p["hf_tokenizer"], where))


def _compute(docs, p):
    return {"num_token": token_counts([d.text for d in docs], p["tokenizer_file"], p["hf_tokenizer"])}


def token_counts(texts: list[str], path: str, name: str) -> list[int]:
    """Tokens per text, without special tokens, of the tokenizer.json at ``path`` (``hf_tokenizer``
    ``name``); also alphanumeric_filter's count with ``tokenization``."""
    tok = tokenizer(path)
    counts = [0] * len(texts)
    live = [i for i, t in enumerate(texts) if t and len(t) <= PIECE_CHARS]
    # encode_batch_fast: the same ids without character offsets (less memory on long texts)
    encode = getattr(tok, "encode_batch_fast", tok.encode_batch)
    for i, enc in zip(live, encode([texts[i] for i in live], add_special_tokens=False)):
        counts[i] = len(enc.ids)
    for i, t in enumerate(texts):
        if t and len(t) > PIECE_CHARS:
            # in parts cut at spaces, one at a time: for a Llama-style tokenizer (the default) the
            # same tokens (sparkops.models.embedding.pieces); a 50 MB text whole took 3.6 GB
            parts = pieces(t) if name == WORDLLAMA else [t]
            counts[i] = sum(len(encode([part], add_special_tokens=False)[0].ids) for part in parts)
    return counts


declare(Op(
    name="token_num_filter", kind="filter", family=FAMILY,
    doc="Keep rows whose number of tokens (default tokenizer: Llama-2's, shipped in the wordllama package) is "
        "within [min_num, max_num].",
    params=(
        Param("hf_tokenizer", "str", WORDLLAMA, "The tokenizer: `wordllama` (Llama-2's 32,000-token tokenizer in "
              "the wordllama wheel), a tokenizer.json file or a folder holding one, or a Hugging Face Hub name "
              f"found in the local Hugging Face cache. Data-Juicer's default, `{DJ_DEFAULT}`, works only when "
              "cached."),
        Param("min_num", "int", 10, "Keep rows with at least this many tokens."),
        Param("max_num", "int", MAXSIZE, "Keep rows with at most this many tokens."),
    ),
    stats=(Stat("num_token", "long", "Tokens of the text without special tokens (no BOS/EOS)."),),
    compute=_compute, prepare=_prepare, range=("num_token", "min_num", "max_num"),
    sql_params=("hf_tokenizer",), requires=("embed",),
    models=("Llama-2's tokenizer (32,000 tokens), inside the wordllama 0.4.0.post1 wheel",),
    notes="Counts are Data-Juicer 1.6.1's for the same tokenizer (a fixture it made with its TokenNumFilter "
          "pointed at the same tokenizer.json through transformers 4.57.1, `tests/test_catalogue_text.py`): "
          "`len(input_ids)` without special tokens, no truncation (a text longer than the model's context "
          "counts all its tokens). The default differs from Data-Juicer's: its `EleutherAI/pythia-6.9b-deduped` "
          "(GPT-NeoX BPE, 50,254 tokens) is a download, so sparkops uses Llama-2's sentencepiece-style BPE "
          "from the wordllama wheel, so thresholds tuned on Data-Juicer's default counts need retuning. A "
          "Hub name is looked up only in the local Hugging Face cache; anything else is refused when bound. "
          "An empty text has 0 tokens.",
    examples=(
        Example("num_token('Hello world, how are you?')", 7),
        Example("num_token('')", 0),
    ),
))
