"""url_filter: datatrove 0.10.1's URLFilter (RefinedWeb's URL filtering) over a record's URL.

A URL is rejected by the first of these rules that fires, in datatrove's order and with its
reason strings:

1. ``domain``: its registered domain (tldextract: the domain under the public suffix, e.g.
   ``bbc.co.uk``) is block-listed;
2. ``subdomain``: its full host name (tldextract's ``fqdn``) is block-listed;
3. ``url``: the URL string, exactly as given, is block-listed;
4. ``hard_blacklisted``: one of its words is a banned word (words: the URL split on runs of
   characters other than ASCII letters and digits, *case kept*; banned words are lower-cased);
5. ``soft_blacklisted``: it has at least ``soft_word_threshold`` distinct soft-banned words;
6. ``blacklisted_subword``: a banned subword occurs in the URL reduced to its ASCII letters
   and digits, lower-cased.

The integrated lists (UT1's 4.6 million domains and 19.6 thousand URLs, datatrove's word
lists) are read once per Python worker from ``sparkops/assets/url_filter/`` (``make setup``);
the domains are held as their file's bytes with a sorted array of 64-bit hashes of its lines
(a fraction of what a Python set of millions of str objects costs each worker), every hash hit
confirmed by comparing the strings, so membership is exact. That hashed, sorted index is built
once per machine into the disk cache (``make setup`` does it) and memory-mapped by each worker
after, so a worker's first batch does not wait seconds for it.
"""

from __future__ import annotations

import os
import re
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparkops.core import Example, Op, OpError, Param, Sketch, Stat, declare
from sparkops.models import disk_cache
from sparkops.models.cache import models
from sparkops.text.hashing import span_hashes

FAMILY = "web"
URL_KEY = "url"  # the record field the op reads unless text_key says otherwise
TARBALL = "url_filterblacklistsv0_3_0.tar.gz"
WORD_FILES = {"banned_words": "banned_words.txt", "banned_subwords": "banned_subwords.txt",
              "soft_banned_words": "soft_banned_words.txt"}
NO_URL = "no_url"  # our reason for an empty URL (datatrove's `assert url` stops the whole pipeline)

_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what Python's text-mode open() reads as a line end


def normalize(text: str) -> str:
    """datatrove's normalisation of URLs and word-list entries: ASCII letters and digits only,
    lower-cased."""
    return _NON_ALNUM.sub("", text).lower()


def parse_entries(entries, normalize_words: bool) -> set[str]:
    """datatrove's ``parse_list``: entries starting with '#' are comments; the others are
    normalised (word lists) or stripped of surrounding white space (domains, URLs)."""
    return {normalize(x) if normalize_words else x.strip() for x in entries if not x.startswith("#")}


def file_lines(text: str) -> list[str]:
    """The lines of a text file as Python's text-mode iteration gives them, without their
    line ends (an empty line is an empty entry, as in datatrove)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the text ends with a line end: no line after it
    return lines


# --------------------------------------------------------------------------- exact string set


class StringSet:
    """An exact set of millions of strings: their UTF-8 bytes joined by '\\n' in one ``bytes``,
    and their 64-bit hashes (``sparkops.text.hashing``, over the bytes) sorted, with each one's
    offsets. A lookup is a binary search of the hash, then a comparison of the bytes for each
    entry of that hash."""

    def __init__(self, joined: bytes):
        points = np.frombuffer(joined, dtype=np.uint8)
        breaks = np.flatnonzero(points == 10)
        starts = np.concatenate(([0], breaks + 1))
        ends = np.concatenate((breaks, [len(points)]))
        if joined.endswith(b"\n") or not joined:  # no line after a final line end, none in no text
            starts, ends = starts[:-1], ends[:-1]
        hashes = span_hashes(points, starts, ends)
        order = np.argsort(hashes)
        self.hashes = hashes[order]
        offsets = np.uint32 if len(joined) < 2**32 else np.int64  # halves the offsets of UT1's list
        self.starts, self.ends = starts[order].astype(offsets), ends[order].astype(offsets)
        self.data = joined

    @classmethod
    def from_file(cls, raw: bytes) -> "StringSet":
        """The entries of a block-list file, parsed as datatrove parses them (UTF-8 lines,
        ``x.strip()``, '#' lines skipped). A file of plain ASCII lines without white space or
        comments (UT1's) is taken as it is, without a copy."""
        if raw.isascii() and re.search(rb"[\t\v\f\r\x1c-\x1f ]|(?:^|\n)#", raw) is None:
            return cls(raw)
        lines = file_lines(raw.decode("utf-8"))
        return cls("\n".join(x.strip() for x in lines if not x.startswith("#")).encode("utf-8", "surrogatepass"))

    _FILES = ("hashes.npy", "starts.npy", "ends.npy")

    def save(self, folder: Path) -> None:
        for name, array in zip(self._FILES, (self.hashes, self.starts, self.ends)):
            np.save(folder / name, array)
        (folder / "data.bin").write_bytes(self.data)

    @classmethod
    def open(cls, folder: Path) -> "StringSet":
        """A saved set, memory-mapped: nothing is read until a lookup touches it, and the
        pages are shared by every process of the machine that opens it."""
        import mmap

        found = cls.__new__(cls)
        found.hashes, found.starts, found.ends = (np.load(folder / name, mmap_mode="r") for name in cls._FILES)
        with open(folder / "data.bin", "rb") as f:
            found.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(f.fileno()).st_size else b""
        return found

    def __len__(self) -> int:
        return len(self.hashes)

    def contains(self, queries: list[str]) -> list[bool]:
        if not queries or not len(self.hashes):
            return [False] * len(queries)
        encoded = [q.encode("utf-8", "surrogatepass") for q in queries]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        ends = np.cumsum(lengths)
        wanted = span_hashes(np.frombuffer(b"".join(encoded), dtype=np.uint8), ends - lengths, ends)
        at = np.searchsorted(self.hashes, wanted)
        found = [False] * len(queries)
        top = len(self.hashes)
        for i in np.flatnonzero(self.hashes[np.minimum(at, top - 1)] == wanted).tolist():
            j = int(at[i])
            while j < top and self.hashes[j] == wanted[i]:  # duplicates and (rare) collisions
                if self.data[int(self.starts[j]):int(self.ends[j])] == encoded[i]:
                    found[i] = True
                    break
                j += 1
        return found


# --------------------------------------------------------------------------- the lists


@dataclass(frozen=True)
class IntegratedLists:
    domains: StringSet
    urls: frozenset
    banned_words: frozenset
    banned_subwords: frozenset
    soft_banned_words: frozenset


def load_integrated(folder: str) -> IntegratedLists:
    tarball = os.path.join(folder, TARBALL)
    with tarfile.open(tarball, "r:gz") as tar:
        urls = tar.extractfile("urls").read().decode("utf-8")
    domains = _domain_set(tarball)
    words = {}
    for key, name in WORD_FILES.items():
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            words[key] = frozenset(parse_entries(file_lines(handle.read()), normalize_words=True))
    return IntegratedLists(domains, frozenset(parse_entries(file_lines(urls), False)), **words)


def _domain_set(tarball: str) -> StringSet:
    """UT1's domains as a StringSet. Hashing and sorting 4.6 million lines takes a worker
    seconds, at every job: the sorted set is built once per machine into the disk cache
    (``sparkops.models.disk_cache``, keyed by the tarball's SHA-256) and memory-mapped after."""
    def read() -> StringSet:
        with tarfile.open(tarball, "r:gz") as tar:
            return StringSet.from_file(tar.extractfile("domains").read())

    built: list[StringSet] = []

    def build(folder: Path) -> None:
        built.append(read())
        built[0].save(folder)

    folder = disk_cache.entry("url_filter_domains", disk_cache.file_digest(tarball), build)
    if built:
        return built[0]  # this process built it: already in memory
    return StringSet.open(folder) if folder is not None else read()


def integrated_lists(folder: str | None = None) -> IntegratedLists:
    """The integrated lists of ``folder`` (default: ``sparkops.assets.url_filter_dir()``), loaded
    once per Python worker."""
    from sparkops.assets import url_filter_dir

    folder = os.fspath(folder or url_filter_dir())  # raises AssetMissing with how to get them
    return models.get("url_filter_lists", folder, lambda: load_integrated(folder))


def subword_pattern(words) -> re.Pattern | None:
    """One regex that finds whether any of ``words`` occurs in a string: the words as a trie
    (shared prefixes tested once). A word ending at a trie node makes the rest of that branch
    irrelevant to *whether* something matches, so it is cut there. Empty words never match
    (pyahocorasick, which datatrove uses, ignores them)."""
    trie: dict = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True
    if not trie:
        return None

    def emit(node) -> str:
        if "" in node:
            return ""
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return re.compile(emit(trie))


# --------------------------------------------------------------------------- the rules


class UrlRules:
    """datatrove's URLFilter with its lists resolved: the integrated ones (when used) joined
    with the ones given as parameters, as datatrove joins them."""

    def __init__(self, p: dict, lists: IntegratedLists | None):
        self.domains = lists.domains if lists else None
        self.extra_domains = p["_extra_domains"]
        self.urls = p["_extra_urls"] | lists.urls if lists else p["_extra_urls"]
        self.banned_words = p["_banned_words"] | (lists.banned_words if lists else frozenset())
        self.soft_banned_words = p["_soft_banned_words"] | (lists.soft_banned_words if lists else frozenset())
        subwords = p["_banned_subwords"] | (lists.banned_subwords if lists else frozenset())
        self.subwords = subword_pattern(subwords)
        self.threshold = p["soft_word_threshold"]

    def blocked_domains(self, names: list[str]) -> list[bool]:
        listed = self.domains.contains(names) if self.domains is not None else [False] * len(names)
        return [hit or name in self.extra_domains for hit, name in zip(listed, names)]

    def reasons(self, urls: list) -> tuple[list, list]:
        """(datatrove's reason or None, registered domain) per URL."""
        live = [i for i, u in enumerate(urls) if isinstance(u, str) and u]
        parts = [split_host(urls[i]) for i in live]
        registered = [r for r, _ in parts]
        domain_hit = self.blocked_domains(registered)
        host_hit = self.blocked_domains([f for _, f in parts])
        out, domains = [NO_URL] * len(urls), [None] * len(urls)
        for k, i in enumerate(live):
            domains[i] = registered[k] or None
            out[i] = "domain" if domain_hit[k] else "subdomain" if host_hit[k] else self.word_reason(urls[i])
        return out, domains

    def word_reason(self, url: str) -> str | None:
        if url in self.urls:
            return "url"
        words = set(_NON_ALNUM.split(url))
        if not self.banned_words.isdisjoint(words):
            return "hard_blacklisted"
        if len(self.soft_banned_words & words) >= self.threshold:
            return "soft_blacklisted"
        if self.subwords is not None and self.subwords.search(normalize(url)):
            return "blacklisted_subword"
        return None


def _extractor():
    # tldextract's bundled Public Suffix List snapshot, never the network nor a disk cache
    from tldextract import TLDExtract

    return models.get("tldextract", "snapshot", lambda: TLDExtract(suffix_list_urls=(), cache_dir=None))


def split_host(url: str) -> tuple[str, str]:
    """(registered domain, full host name) as datatrove reads them from tldextract; '' when the
    host has no public suffix (an IP address, ``localhost``, no host at all)."""
    info = _extractor()(url)
    return info.top_domain_under_public_suffix or "", info.fqdn


def registered_domain(url) -> str | None:
    """The URL's registered domain (``bbc.co.uk`` for ``https://news.bbc.co.uk/x``), host case
    kept; None when it has none (IP address, no public suffix, empty or non-string input)."""
    if not isinstance(url, str) or not url:
        return None
    return split_host(url)[0] or None


def _user_list(values, normalize_words: bool, name: str, where: str) -> frozenset:
    if not values:
        return frozenset()
    if any(v == "" for v in values):
        # datatrove's parse_list reads x[0] of every entry: an empty one raises IndexError
        raise OpError(f"{where}: parameter '{name}' has an empty entry")
    return frozenset(parse_entries(values, normalize_words))


_LIST_PARAMS = (("extra_domains", False), ("extra_urls", False), ("banned_words", True),
                ("banned_subwords", True), ("soft_banned_words", True))


def _prepare(p, where):
    out = dict(p)
    for name, normalize_words in _LIST_PARAMS:
        out[f"_{name}"] = _user_list(p[name], normalize_words, name, where)
    return out


def rules_for(p: dict) -> UrlRules:
    """The rules of one parameter set, built once per worker (the integrated lists are shared
    by every parameter set)."""
    key = (p["soft_word_threshold"], p["use_integrated_lists"],
           *(p[f"_{name}"] for name, _ in _LIST_PARAMS))
    lists = integrated_lists() if p["use_integrated_lists"] else None
    return models.get("url_filter_rules", key, lambda: UrlRules(p, lists))


def url_filter_reason(url, **params) -> str | None:
    """datatrove's reason for rejecting ``url`` (None: kept), with datatrove's parameters
    (defaults unless given); ``no_url`` for an empty or non-string URL."""
    from sparkops.core import get_op

    prepared = get_op("url_filter").bind(params).prepared
    return rules_for(prepared).reasons([url])[0][0]


def compute(docs, prepared):
    reasons, domains = rules_for(prepared).reasons([d.text for d in docs])
    return {"url_filter_reason": reasons, "url_domain": domains}


def _reason(stats, p):
    return stats["url_filter_reason"]


_LIST_DOC = " Entries starting with '#' are ignored, as in datatrove."

declare(Op(
    name="url_filter", kind="filter", family=FAMILY,
    doc="Drop documents whose URL is block-listed (UT1 domains and URLs) or holds banned words, "
        "as datatrove's URLFilter (RefinedWeb): reads the record's `url` field (set `text_key` to "
        "read another).",
    params=(
        Param("soft_word_threshold", "int", 2, "Drop URLs with at least this many distinct soft-banned "
              "words."),
        Param("extra_domains", "list[str]", None, "More block-listed domains / host names (matched "
              "exactly, case-sensitively, after stripping white space)." + _LIST_DOC, nullable=True),
        Param("extra_urls", "list[str]", None, "More block-listed URLs (the whole URL string, as the "
              "record holds it)." + _LIST_DOC, nullable=True),
        Param("banned_words", "list[str]", None, "More banned words (normalised to lower-case ASCII "
              "letters and digits)." + _LIST_DOC, nullable=True),
        Param("banned_subwords", "list[str]", None, "More banned subwords (normalised likewise, found "
              "anywhere in the normalised URL)." + _LIST_DOC, nullable=True),
        Param("soft_banned_words", "list[str]", None, "More soft-banned words (normalised likewise)."
              + _LIST_DOC, nullable=True),
        Param("use_integrated_lists", "bool", True, "Also use datatrove's lists (UT1 block lists, "
              "banned words, subwords, soft-banned words; `make setup` places them)."),
    ),
    stats=(
        Stat("url_filter_reason", "string", "The first rule the URL breaks (domain, subdomain, url, "
             "hard_blacklisted, soft_blacklisted, blacklisted_subword, no_url); null when kept."),
        Stat("url_domain", "string", "Its registered domain (tldextract), null when it has none."),
    ),
    compute=compute, prepare=_prepare, reason=_reason, sql_name="url_filter", text_key=URL_KEY,
    sql_params=("soft_word_threshold", "use_integrated_lists"),
    sql_fields=(("reason", "url_filter_reason"), ("domain", "url_domain")),
    requires=("web",),
    sketches=(
        Sketch("url_filter_reason", "string", ("soft_word_threshold", "use_integrated_lists"),
               lambda urls, p: rules_for(p).reasons(urls)[0],
               "datatrove's reason for rejecting the URL (domain, subdomain, url, hard_blacklisted, "
               "soft_blacklisted, blacklisted_subword, no_url); NULL when it is kept."),
        Sketch("registered_domain", "string", (), lambda urls, p: [registered_domain(u) for u in urls],
               "The URL's registered domain under the Public Suffix List (`bbc.co.uk` for "
               "`https://news.bbc.co.uk/x`); NULL for an IP address or a host without a public suffix."),
    ),
    models=("UT1 block lists and datatrove's URL word lists (from the datatrove 0.10.1 wheel)",
            "tldextract's bundled Public Suffix List snapshot"),
    notes="Rules, order and reasons are datatrove 0.10.1's (a fixture made by datatrove itself pins them: "
          "`tests/test_web_url_filter.py`). Its quirks, kept: the host's case is kept, so "
          "`WWW.BadSite.COM` escapes the (lower-case) domain list; UT1's URL list holds URLs without a "
          "scheme, so the `url` rule only fires on a record URL written without one; words are split "
          "case-sensitively against lower-case banned words, so `PORN` is no banned word (the subword "
          "rule, which lower-cases, may still catch it); a banned word that normalises to '' matches any "
          "URL starting or ending with a non-alphanumeric character. Differences: an empty or non-string "
          "URL is rejected as `no_url` (datatrove's `assert url` stops the pipeline); a null one as "
          "`null_text`; the Public Suffix List is tldextract 5.4.0's bundled snapshot (datatrove's "
          "`TLDExtract()` fetches the live list when it has network, else uses the same snapshot); a "
          "banned subword that normalises to '' never matches (datatrove's automaton ignores it too, "
          "and raises AttributeError when nothing else is in it). `url_filter(url).reason` "
          "in SQL; the Python functions `url_filter_reason(url, **params)` and `registered_domain(url)` "
          "are in `sparkops.ops.web.url_filter`.",
    examples=(
        Example("url_filter('https://www.0-1sex.com/index.html').reason", "domain",
                "0-1sex.com is on UT1's list"),
        Example("url_filter('https://news.bbc.co.uk/world').reason", None),
        Example("url_filter('https://news.bbc.co.uk/world').domain", "bbc.co.uk"),
        Example("url_filter('https://example.com/free-xxx-videos').reason", "hard_blacklisted"),
        Example("url_filter_reason('https://www.0-1sex.com/index.html')", "domain"),
        Example("url_filter_reason('https://news.bbc.co.uk/world')", None, "kept"),
        Example("registered_domain('https://forums.news.bbc.co.uk:8080/a?b')", "bbc.co.uk"),
        Example("registered_domain('http://192.168.0.1/')", None, "an IP address has no registered domain"),
    ),
))
