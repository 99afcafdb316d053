"""Write tests/fixtures/datatrove_web.json.gz with datatrove 0.10.1 itself: its URLFilter,
C4BadWordsFilter and C4ParagraphFilter decisions.

    HF_HUB_OFFLINE=1 SPARKOPS_SHARED_DATA=/work/shared/data \\
        .peers/datatrove/bin/python tools/dt_parity/gen_web_fixture.py

- URLs: a test set built here (stored in the fixture, a few thousand short strings): samples
  of every list datatrove ships (UT1 domains and host names with www / subdomain / port / path /
  case / trailing-dot variants, UT1 URLs with and without a scheme, every banned word, banned
  subword and soft-banned word in a URL), the real URLs of ``$SPARKOPS_SHARED_DATA``'s HTML
  benchmarks (``html/aeb/ground-truth.json``, ``html/trafilatura/evaldata.json``; the C4
  samples carry no URL) and the ``WARC-Target-URI`` of its WARC files (``warc/``), and odd ones (no
  scheme, IP addresses, IDN / punycode, unicode, very long). Each ``URL_CASES`` parameter set
  is run by ``URLFilter(**params).filter(doc)``; recorded: datatrove's reason, or null when kept.
- Documents: every document of ``tests/parity_corpus.documents()`` (stored as hashes only)
  through ``C4ParagraphFilter`` and ``C4BadWordsFilter`` for several languages, and once with a
  per-document language in ``metadata['language']`` (``doc_language``).

Offline: tldextract is given its bundled Public Suffix List snapshot (datatrove's default
``TLDExtract()`` would try the network first and fall back to the same snapshot); the
LDNOOBW lists datatrove would download are placed in a temporary datatrove asset cache from
``sparkops/assets/ldnoobw`` after checking they are byte-identical to the commits datatrove
names (sha256 below); the UT1 lists are datatrove's own (its wheel).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from gen_fixture import ROOT, _load, sha256_text  # this folder's other generator: the corpus and its hashes

OUT_FILE = ROOT / "tests" / "fixtures" / "datatrove_web.json.gz"
LDNOOBW = ROOT / "sparkops" / "assets" / "ldnoobw"

# sha256 (first 16 hex digits) of each LDNOOBW file at the commit datatrove downloads it from
# (en: 25e679f, the others: 5faf2ba), taken from the LDNOOBW repository's history
LDNOOBW_SHA256 = {
    "ar": "23dbd9c55257bf2a", "cs": "90706df86709bade", "da": "ddb46ab67e955d1a", "de": "ebe44d7772897390",
    "en": "a506cbcf8a31935b", "eo": "0374d76be1dbc77c", "es": "073334261cc2e7c0", "fa": "85828629b90fd18a",
    "fi": "3e0b35b2533ba22f", "fil": "fb4b43691b1249fe", "fr": "79763a705e08256b",
    "fr-CA-u-sd-caqc": "4a0ef5d55921c91d", "hi": "83636e9b7a526045", "hu": "a6943a971496f16e",
    "it": "d413f41018d58aa7", "ja": "f83c4d0843ea6474", "kab": "df7be2ce4a0c80ee", "ko": "0dd4b74ffea6e3bb",
    "nl": "8298ba0cdc3ca9a1", "no": "e55b46bcec1ea288", "pl": "98cf824e36922556", "pt": "05ef524b0bb7f83f",
    "ru": "2598adabd2b76173", "sv": "77f3f99a89bd3b2b", "th": "835036d87a3a6773", "tlh": "3c19004e338c0d91",
    "tr": "6c7ae03baee0f3fd", "zh": "a1d9aa037c8b039e",
}

_EXTRAS = dict(
    extra_domains=["example.com", " Spaced.org ", "#comment.net", "UPPER.COM", "sub.example.net"],
    extra_urls=["https://example.org/blocked", "#https://example.org/commented"],
    banned_words=["Foo-Bar", "widget", "#skipped"],
    banned_subwords=["zzq", "Gadget Shop"],
    soft_banned_words=["alpha", "beta", "gamma"],
)
URL_CASES = [
    {},
    {"soft_word_threshold": 1},
    {"soft_word_threshold": 3},
    dict(_EXTRAS),
    dict(_EXTRAS, use_integrated_lists=False, soft_word_threshold=2),
    {"use_integrated_lists": False, "banned_words": ["--"]},  # normalises to '': datatrove's quirk
    {"use_integrated_lists": False, "soft_word_threshold": 0},
]

BADWORDS_LANGUAGES = ["en", "de", "fr", "es", "ru", "ar", "hi", "ko", "ja", "zh", "th"]
BADWORDS_CASES = [{"default_language": lang} for lang in BADWORDS_LANGUAGES] + [
    {"default_language": "en", "keep_fraction": 1.0, "seed": 7},
    {"default_language": "xx", "fail_on_missing_language": False},
]
# per-document languages (``doc_language``): a language by position, None for no metadata key
DOC_LANGUAGES = ["en", "de", None, "ja", "xx", "zh", "fr", "ru", "th", "es"]


def doc_language(i: int):
    return DOC_LANGUAGES[i % len(DOC_LANGUAGES)]


def spread(items: list, n: int) -> list:
    return [items[i * len(items) // n] for i in range(n)] if len(items) > n else list(items)


# --------------------------------------------------------------------------- the URL set


def list_urls(assets: Path) -> list[str]:
    with tarfile.open(assets / "url_filterblacklistsv0_3_0.tar.gz", "r:gz") as tar:
        domains = tar.extractfile("domains").read().decode().split("\n")
        listed_urls = tar.extractfile("urls").read().decode().split("\n")
    domains = [d for d in domains if d]
    out = []
    variants = ["http://{d}/", "https://www.{d}/index.html", "http://sub.{d}:8080/path?x=1", "HTTPS://{D}/",
                "{d}", "https://{d}.example.net/", "http://{d}./", "https://user@{d}/a/b", "//{d}/x",
                "http://Www.{d}/"]
    for i, d in enumerate(spread(domains, 300)):
        out += [v.format(d=d, D=d.upper()) for v in (variants[i % 10], variants[(i + 3) % 10],
                                                       variants[(i + 7) % 10])]
    hosts = [d for d in domains if d.count(".") >= 2]  # host names with a subdomain: the `subdomain` rule
    for d in spread(hosts, 200):
        out += [f"http://{d}/", f"https://www.{d}/page"]
    for u in spread([u for u in listed_urls if u], 120):
        out += [u, "http://" + u, "https://" + u.upper()]
    for name in ("banned_words.txt", "banned_subwords.txt", "soft_banned_words.txt"):
        words = [w.strip() for w in (assets / name).read_text().splitlines() if w.strip()]
        for i, w in enumerate(words):
            w = w.lstrip("#")
            out += [f"https://example.com/{w.replace(' ', '-')}-page", f"https://shop.example.com/x{w.upper()}y",
                    f"https://{w.replace(' ', '')}.example.org/"]
            if i % 3 == 0:  # two soft words at once
                out.append(f"http://news.example.com/{w}/{words[(i + 5) % len(words)]}")
    return out


def real_urls(shared: Path) -> list[str]:
    # the pages of the two extraction benchmarks (the C4 samples hold no URL)
    out = [r["url"] for _, r in sorted(json.loads((shared / "html" / "aeb" / "ground-truth.json").read_text()).items())]
    out += list(json.loads((shared / "html" / "trafilatura" / "evaldata.json").read_text()))
    for warc in sorted((shared / "warc").glob("*.warc*.gz")):
        data = bytearray()
        try:
            with gzip.open(warc) as handle:
                while chunk := handle.read(1 << 16):
                    data += chunk
        except (EOFError, OSError):  # a clipped WARC: keep what could be read
            pass
        for m in re.finditer(rb"WARC-Target-URI: ?<?([^\r\n>]*)>?\r?\n", bytes(data)):
            out.append(m.group(1).decode("utf-8", "replace"))
    return out


ODD_URLS = [
    "example.com", "www.example.com/path", "http://", "https://", "://example.com", "http:///path",
    "http://192.168.0.1/", "https://8.8.8.8/dns", "http://[2001:db8::1]:8080/", "http://localhost:8000/",
    "http://xn--bcher-kva.com/", "http://bücher.com/", "http://例え.テスト/", "https://пример.рф/путь",
    "http://xn--80ak6aa92e.com/", "mailto:someone@example.com", "ftp://files.example.co.uk/pub",
    "file:///etc/passwd", "javascript:alert(1)", "http://example.com:99999/", "http://a..b.com/",
    "http://.com/", "http://com/", "https://co.uk/", "https://blogspot.com/", "https://x.blogspot.com/",
    "https://github.io/", "https://foo.github.io/", "http://EXAMPLE.COM/", "http://example.com./",
    " http://example.com/ ", "http://example.com/\u0000x", "http://example.com/%70orn",
    "http://example.com/p%20o%20r%20n", "https://example.com/" + "a" * 5000,
    "https://" + "sub." * 300 + "example.com/", "https://example.com/?q=" + "x-" * 2000,
    "http://example.com/#porn", "http://example.com/porn?x", "http://example.com/PoRn",
    "http://example.com/p-o-r-n", "http://example.com/pörn", "http://user:pass@example.com/",
    "https://example.com/sexy", "https://example.com/sexy/babes", "https://example.com/sexy/sexy",
    "https://example.com/SEXY/BABES", "-", "#", "/", "//", "?", ".", "..", "a", "\u2028", "🙂.com",
    "http://🙂.example.com/", "http://example.com/foo-bar", "http://example.com/foo_bar",
    "http://example.com/FooBar", "http://example.com/widget", "http://example.com/buy-gadget-shop",
    "http://example.com/alpha/beta", "http://example.com/alpha/beta/gamma", "http://example.com/zzq",
    "https://example.org/blocked", "https://example.org/commented", "http://upper.com/", "http://UPPER.COM/",
    "http://spaced.org/", "http://Spaced.org/", "http://comment.net/", "http://sub.example.net/",
    "http://www.sub.example.net/", "http://example.net/", "https://www.example.com/", "http://example.com",
    "example.com/", "/path/only", "x", "http://x", "http://x/", "https://www.wikipedia.org/wiki/Main_Page",
]


def build_urls(assets: Path, shared: Path) -> list[str]:
    seen, out = set(), []
    for u in list_urls(assets) + real_urls(shared) + ODD_URLS:
        if u not in seen:
            seen.add(u)
            out.append(u)
    return out


# --------------------------------------------------------------------------- running datatrove


def verdict(flt, doc):
    try:
        got = flt.filter(doc)
    except Exception as err:  # recorded: the test checks what sparkops does instead
        return {"error": f"{type(err).__name__}: {err}"[:200]}
    return None if got is True else got[1]


def seed_badwords_cache() -> None:
    from datatrove.io import cached_assets_path
    from datatrove.pipeline.filters import c4_filters
    from fsspec.core import strip_protocol  # the helper datatrove names its cached files with

    folder = cached_assets_path(library_name="datatrove", namespace="filters", subfolder="c4_badwords")
    for lang in c4_filters._BADWORDS_LANGS:
        source = LDNOOBW / "c4" / "en.txt" if lang == "en" else LDNOOBW / f"{lang}.txt"
        data = source.read_bytes()
        if hashlib.sha256(data).hexdigest()[:16] != LDNOOBW_SHA256[lang]:
            raise SystemExit(f"{source} differs from the LDNOOBW file datatrove reads for {lang}")
        url = c4_filters._BADWORDS_URL + lang if lang != "en" else c4_filters._EN_BADWORDS_URL
        local = os.path.join(folder, strip_protocol(url).replace("/", "_"))
        Path(local).write_bytes(data)
        open(local + ".completed", "a").close()


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="dt-web-fixture-")
    os.environ["HF_HOME"] = tmp  # datatrove's asset cache: UT1 lists extracted, LDNOOBW lists placed
    try:
        return run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # 130 MB of extracted lists


def run() -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import datatrove
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4BadWordsFilter, C4ParagraphFilter, URLFilter
    from tldextract import TLDExtract

    t0 = time.time()
    shared = Path(os.environ.get("SPARKOPS_SHARED_DATA") or ROOT / ".." / "shared" / "data")
    assets = Path(datatrove.__file__).parent / "assets"
    urls = build_urls(assets, shared)
    url_cases = []
    for params in URL_CASES:
        flt = URLFilter(**params)
        flt.tldextractor = TLDExtract(suffix_list_urls=(), cache_dir=None)
        reasons = [verdict(flt, Document(text="", id=str(i), metadata={"url": u})) for i, u in enumerate(urls)]
        del flt  # its lists take ~1 GB
        url_cases.append({"params": params, "reasons": reasons})
        kept = sum(r is None for r in reasons)
        print(f"url {params}: kept {kept}/{len(urls)}", flush=True)

    seed_badwords_cache()
    docs = _load("parity_corpus").documents()
    paragraph = C4ParagraphFilter()
    paragraphs = [verdict(paragraph, Document(text=t, id=d)) for d, t in docs]
    badwords = []
    for params in BADWORDS_CASES:
        flt = C4BadWordsFilter(**params)
        reasons = [verdict(flt, Document(text=t, id=d)) for d, t in docs]
        badwords.append({"params": params, "reasons": reasons})
        print(f"badwords {params}: kept {sum(r is None for r in reasons)}/{len(docs)}", flush=True)
    per_doc = []
    for fail in (False, True):
        flt = C4BadWordsFilter(fail_on_missing_language=fail)
        reasons = []
        for i, (d, t) in enumerate(docs):
            lang = doc_language(i)
            reasons.append(verdict(flt, Document(text=t, id=d, metadata={} if lang is None else {"language": lang})))
        per_doc.append({"params": {"fail_on_missing_language": fail}, "reasons": reasons})

    fixture = {
        "datatrove": version("datatrove"), "tldextract": version("tldextract"),
        "generator": "tools/dt_parity/gen_web_fixture.py",
        "urls": urls, "url_cases": url_cases,
        "doc_ids": [d for d, _ in docs], "doc_sha256": [sha256_text(t) for _, t in docs],
        "c4_paragraph": paragraphs, "c4_badwords": badwords,
        "doc_languages": DOC_LANGUAGES, "c4_badwords_doc_language": per_doc,
    }
    OUT_FILE.write_bytes(gzip.compress(json.dumps(fixture, sort_keys=True).encode(), mtime=0))
    print(f"wrote {OUT_FILE} ({OUT_FILE.stat().st_size:,} bytes), {len(urls)} URLs, {len(docs)} documents, "
          f"in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
