"""Main-text extraction from HTML pages: ``html_extract_mapper``.

Three methods, each a library used as its authors document it:

- ``trafilatura`` (default): trafilatura 2.3.1 with its own option names and defaults; the text
  is exactly what ``trafilatura.extract(html, **options)`` returns, and its metadata (title,
  date) come from the same pass (``bare_extraction`` with ``with_metadata``);
- ``resiliparse``: ``resiliparse.extract.html2text.extract_plain_text(main_content=True)``;
- ``readability_inscriptis``: readability-lxml's ``Document(html).summary()`` rendered to text by
  ``inscriptis.get_text``.

Every page runs under a time limit (``timeout`` seconds, ``sparkops.ops.web.deadline``) and
gets a status: ``ok``, ``empty`` (the method found no main text), ``timeout``, ``too_large``
(over ``max_html_size`` characters: rejected before any parsing), ``too_deep`` (resiliparse only:
elements nested over ``MAX_RESILIPARSE_DEPTH`` deep) or ``error:<exception type>``.

Why the size and depth checks: the time limit interrupts Python code, never one long C call.
The C calls here are an lxml parse (linear in size) and resiliparse's extraction, which is
linear in size but quadratic in nesting depth. Capping the size bounds the first, the depth
check bounds the second; everything else is Python and stops at the deadline. The runs behind
these limits: docs/decisions/extraction-bounds.md.

The libraries are imported on first use, so the catalogue loads without the ``web`` extra.
"""

from __future__ import annotations

import importlib
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator, Mapping

from sparkops.core import Example, Op, OpError, Param, Sketch, Stat, declare, positive
from sparkops.core.row import REJECT
from sparkops.ops.web.deadline import DeadlineExceeded, call_with_deadline

FAMILY = "web"
METHODS = ("trafilatura", "resiliparse", "readability_inscriptis")

OK, EMPTY, TIMEOUT, TOO_LARGE, TOO_DEEP = "ok", "empty", "timeout", "too_large", "too_deep"

# trafilatura's own MAX_FILE_SIZE (settings.cfg), which its downloader and command line apply
# but ``extract()`` on a str does not; here it counts characters
DEFAULT_MAX_HTML_SIZE = 20_000_000
# resiliparse's main-content pass is quadratic in nesting depth, so this bounds its one C call;
# real pages stay far below (libxml2, and so trafilatura, stops building the tree at 256)
MAX_RESILIPARSE_DEPTH = 2000
DEFAULT_TIMEOUT = 5.0

# the defaults of every option, under the names the libraries give them
DEFAULTS: dict[str, Any] = {
    "timeout": DEFAULT_TIMEOUT, "max_html_size": DEFAULT_MAX_HTML_SIZE,
    # trafilatura.extract's defaults
    "fast": False, "favor_precision": False, "favor_recall": False, "include_comments": True,
    "include_tables": True, "include_links": False, "include_formatting": False, "with_metadata": True,
    # extract_plain_text's defaults
    "preserve_formatting": True, "list_bullets": True, "alt_texts": True,
}


@dataclass(frozen=True)
class Extraction:
    """What one page gives: the main text (None when there is none), the page's title, its
    publication date (YYYY-MM-DD, trafilatura only), its declared language, and a status."""

    text: str | None
    title: str | None = None
    date: str | None = None
    language: str | None = None
    status: str = OK


# --------------------------------------------------------------------------- declared language

_HTML_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9-]*)?", re.I)
_META_LANG = re.compile(
    r"<meta\b[^>]*?http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*?content\s*=\s*[\"']?\s*([A-Za-z]{2,3})\b",
    re.I)
_HEAD_CHARS = 65536  # the <html> tag and the <head> metas come first; never scan a whole page


def declared_language(html: str) -> str | None:
    """The primary language subtag the page declares (``<html lang>``, else a
    ``content-language`` meta), lower-cased: ``en-US`` -> ``en``; None when it declares none.
    Declared, not detected: ``language_id_score_filter`` detects the language of the text."""
    head = html[:_HEAD_CHARS]
    match = _HTML_LANG.search(head) or _META_LANG.search(head)
    return match.group(1).lower() if match else None


# --------------------------------------------------------------------------- the three methods


def _trafilatura_options(options: Mapping[str, Any]):
    """The two trafilatura Extractor objects of a set of options: one that extracts (with
    metadata when asked), one that renders the text exactly as ``extract()`` does (no header)."""
    from trafilatura.settings import Extractor

    common = dict(fast=options["fast"], precision=options["favor_precision"], recall=options["favor_recall"],
                  comments=options["include_comments"], tables=options["include_tables"],
                  links=options["include_links"], formatting=options["include_formatting"])
    return (Extractor(output_format="txt", with_metadata=options["with_metadata"], **common),
            Extractor(output_format="txt", with_metadata=False, **common))


def _by_trafilatura(html: str, options: Mapping[str, Any]) -> Extraction:
    from trafilatura import bare_extraction
    from trafilatura.core import determine_returnstring

    extracting, rendering = options.get("_trafilatura") or _trafilatura_options(options)
    document = bare_extraction(html, options=extracting)
    if document is None:
        return Extraction(None, status=EMPTY)
    # extract() renders the body (and the comments) as text, without a metadata header
    text = determine_returnstring(document, rendering)
    return Extraction(text, title=document.title, date=document.date, language=document.language)


def _too_deep(html: str) -> bool:
    """Whether elements nest over MAX_RESILIPARSE_DEPTH deep, by libxml2 (a linear parse; its
    huge_tree mode builds 2,048 levels, which is enough to tell)."""
    from lxml import etree

    parser = etree.HTMLParser(huge_tree=True, remove_comments=True)
    parser.feed(html)
    root = parser.close()
    # a child step per level, evaluated in C: any element at that depth?
    return root is not None and bool(root.xpath("boolean(" + "/*" * MAX_RESILIPARSE_DEPTH + ")"))


def _by_resiliparse(html: str, options: Mapping[str, Any]) -> Extraction:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    if _too_deep(html):
        return Extraction(None, status=TOO_DEEP)
    tree = HTMLTree.parse(html)
    text = extract_plain_text(tree, main_content=True, preserve_formatting=options["preserve_formatting"],
                              list_bullets=options["list_bullets"], alt_texts=options["alt_texts"],
                              links=options["include_links"], comments=options["include_comments"])
    return Extraction(text, title=tree.title or None)


def _by_readability_inscriptis(html: str, options: Mapping[str, Any]) -> Extraction:
    from inscriptis import get_text
    from readability import Document

    document = Document(html)
    # inscriptis indents and pads lines as a browser lays them out; the ends carry nothing
    text = get_text(document.summary()).strip()
    # short_title: the <title> without its " | Site name" part, as trafilatura's title is
    return Extraction(text, title=document.short_title() or None)


_METHODS = {"trafilatura": _by_trafilatura, "resiliparse": _by_resiliparse,
            "readability_inscriptis": _by_readability_inscriptis}
_MODULES = {"trafilatura": ("trafilatura", "trafilatura.core", "trafilatura.settings"),
            "resiliparse": ("lxml.etree", "resiliparse.extract.html2text", "resiliparse.parse.html"),
            "readability_inscriptis": ("readability", "inscriptis")}


@lru_cache(maxsize=None)
def _load(method: str, with_metadata: bool) -> None:
    """Import a method's libraries once per process, outside any page's time limit: importing
    trafilatura and htmldate takes about a second, and the first page must not pay it."""
    for module in _MODULES[method]:
        importlib.import_module(module)
    if method in ("trafilatura", "readability_inscriptis"):  # both parse with lxml.html
        from sparkops.ops.web import html_classes
        html_classes.install()
    if method == "trafilatura":
        # its XPath expressions evaluated in Python, the same elements at a third of the cost
        from sparkops.ops.web import trafilatura_xpath
        trafilatura_xpath.install()
        if with_metadata:
            _warm_dateparser()


def _warm_dateparser() -> None:
    """htmldate hands a date it cannot read to dateparser, whose first call compiles the
    patterns of its ~200 locales, seconds once per process (docs/decisions/extraction-bounds.md).
    A string no locale claims walks them all now, so no page's time limit pays for it."""
    try:
        from htmldate.extractors import get_external_parser
        get_external_parser().get_date_data("zzqx 2017")
    except Exception:  # another htmldate / dateparser: the first page then pays, nothing breaks
        pass


@contextmanager
def libraries_as_shipped() -> Iterator[None]:
    """trafilatura and lxml.html exactly as they ship, for the block: lxml's XPath expressions
    and lxml.html's Python class lookup (for comparisons with the libraries run standalone)."""
    from sparkops.ops.web import html_classes, trafilatura_xpath

    with trafilatura_xpath.original_xpaths(), html_classes.python_lookup():
        yield


# --------------------------------------------------------------------------- the kernel


def extract(html: str, method: str = "trafilatura", options: Mapping[str, Any] | None = None) -> Extraction:
    """The main text and metadata of one HTML page, under the ``timeout`` of ``options``.

    Never raises for a page: a page over ``max_html_size`` characters is ``too_large``, one
    that runs past the time limit is ``timeout``, an exception of the library is
    ``error:<type>``; none of them has text. Text that is only white space is ``empty``.
    """
    if method not in _METHODS:
        raise ValueError(f"unknown extraction method {method!r} (one of {', '.join(METHODS)})")
    opts = dict(DEFAULTS, **(options or {}))
    if not isinstance(html, str):
        return Extraction(None, status=f"error:{TypeError.__name__}")
    if len(html) > opts["max_html_size"]:
        return Extraction(None, status=TOO_LARGE)
    if not html or html.isspace():  # nothing to parse (readability raises on it)
        return Extraction(None, status=EMPTY)
    _load(method, bool(opts["with_metadata"]))
    run = _METHODS[method]
    try:
        found = call_with_deadline(lambda: run(html, opts), opts["timeout"])
    except DeadlineExceeded:
        return Extraction(None, status=TIMEOUT)
    except Exception as err:  # a library failing on one page fails that page only
        return Extraction(None, status=f"error:{type(err).__name__}")
    language = found.language or declared_language(html)
    if found.status != OK or not found.text or found.text.isspace():
        return Extraction(None, found.title, found.date, language, found.status if found.status != OK else EMPTY)
    return Extraction(found.text, found.title, found.date, language, OK)


META_KEYS = ("title", "date", "language", "extraction_status")


def extract_batch(texts: list[str], prepared: Mapping[str, Any]) -> dict[str, list]:
    """The mapper's output for a batch: ``text`` (the main text; the page as it was where there
    is none), the meta fields ``title``, ``date``, ``language``, ``extraction_status``, and per
    page without text the rule it is rejected by (its status: ``empty``, ``timeout``, ...)."""
    out: dict[str, list] = {"text": [], **{key: [] for key in META_KEYS}, REJECT: []}
    for html in texts:
        found = extract(html, prepared["method"], prepared)
        out["text"].append(found.text if found.text is not None else html)
        out["title"].append(found.title)
        out["date"].append(found.date)
        out["language"].append(found.language)
        out["extraction_status"].append(found.status)
        out[REJECT].append(None if found.status == OK else found.status)
    return out


def html_to_text(texts: list[str], prepared: Mapping[str, Any]) -> list[str | None]:
    """The SQL helper's values: the main text, None where there is none."""
    return [extract(t, prepared["method"], prepared).text for t in texts]


def _prepare(p: dict, where: str) -> dict:
    if p["favor_precision"] and p["favor_recall"]:
        raise OpError(f"{where}: favor_precision and favor_recall are mutually exclusive")
    prepared = dict(p)
    if p["method"] == "trafilatura":
        # built once per bind: trafilatura's Extractor reads its config file when constructed
        prepared["_trafilatura"] = _trafilatura_options(p)
    return prepared


declare(Op(
    name="html_extract_mapper", kind="mapper", family=FAMILY,
    doc="Replace an HTML page by its main text (no navigation, ads, footers), extracted by trafilatura "
        "(default), resiliparse or readability + inscriptis, under a per-page time limit.",
    params=(
        Param("method", "str", "trafilatura", "Extractor: trafilatura (its `extract`), resiliparse "
              "(`extract_plain_text(main_content=True)`) or readability_inscriptis (readability-lxml's summary "
              "rendered by inscriptis).", choices=METHODS),
        Param("timeout", "float", DEFAULT_TIMEOUT, "Seconds one page may take; a page that takes longer gets "
              "no text (status `timeout`).", check=positive),
        Param("max_html_size", "int", DEFAULT_MAX_HTML_SIZE, "Pages over this many characters get no text "
              "(status `too_large`) and are never parsed; trafilatura's own MAX_FILE_SIZE.", check=positive),
        Param("fast", "bool", False, "trafilatura: skip its fallback extractors (readability, jusText)."),
        Param("favor_precision", "bool", False, "trafilatura: prefer less text but less boilerplate."),
        Param("favor_recall", "bool", False, "trafilatura: prefer more text when unsure."),
        Param("include_comments", "bool", True, "Keep the page's comment section (trafilatura; resiliparse "
              "`comments`)."),
        Param("include_tables", "bool", True, "trafilatura: keep the text of <table> elements."),
        Param("include_links", "bool", False, "Keep link targets (trafilatura; resiliparse `links`)."),
        Param("include_formatting", "bool", False, "trafilatura: keep bold/italic/headings as markdown."),
        Param("with_metadata", "bool", True, "trafilatura: also extract the title and date (htmldate)."),
        Param("preserve_formatting", "bool", True, "resiliparse: keep line breaks between blocks."),
        Param("list_bullets", "bool", True, "resiliparse: bullets before list items."),
        Param("alt_texts", "bool", True, "resiliparse: keep images' alt texts."),
    ),
    apply=extract_batch, prepare=_prepare, requires=("web",),
    writes=(Stat("title", "string", "The page's title (trafilatura's metadata, resiliparse's <title>, "
                 "readability's short title)."),
            Stat("date", "string", "Publication date, YYYY-MM-DD (trafilatura with with_metadata; null otherwise)."),
            Stat("language", "string", "The language the page declares (<html lang>), primary subtag."),
            Stat("extraction_status", "string", "ok, empty, timeout, too_large, too_deep or error:<type>.")),
    rejects=(EMPTY, TIMEOUT, TOO_LARGE, "too_deep", "error:<type>"),
    sketches=(Sketch("html_to_text", "string", ("method", "timeout"), html_to_text,
                     "The page's main text (the op's default method, trafilatura); NULL when nothing is "
                     "extracted."),),
    sql_params=("method", "timeout"),
    examples=(
        Example("html_to_text('<html><body><nav><a href=\"/\">Home</a></nav><article><p>' || repeat('Main text. ', 30) "
                "|| '</p></article><footer>Copyright</footer></body></html>') = trim(repeat('Main text. ', 30))", True,
                "navigation and footer are dropped"),
        Example("html_to_text('<html><body><script>var x = 1;</script></body></html>', 'resiliparse')", None,
                "no text on the page: NULL (a job rejects the row: html_extract_mapper:empty)"),
        Example("html_extract('<html lang=\"de-AT\"><head><title>Hallo</title></head><body><article><p>' || "
                "repeat('Ein Satz. ', 30) || '</p></article></body></html>')",
                {"title": "Hallo", "language": "de", "extraction_status": "ok"}),
    ),
    notes="A page without main text is rejected with its status as the rule, as datatrove's extractors drop "
          "it: `html_extract_mapper:empty` (nothing extracted, or only white space), `:timeout` (it ran past "
          "`timeout` seconds), `:too_large` (over `max_html_size` characters: never parsed), `:too_deep` "
          "(resiliparse only: nested over 2000 tags, where its main-content pass is quadratic and cannot be "
          "interrupted), `:error:<type>` (the library raised). Kept pages get the main text and "
          "`meta.title`, `meta.date`, `meta.language`, `meta.extraction_status`. The time limit is a one-shot "
          "SIGALRM in the Python worker's main thread (a watchdog thread elsewhere); a long C call is bounded "
          "by the size cap and the depth guard instead. "
          "Not exposed: trafilatura's `deduplicate` (its cache lives in each Python worker, so what it "
          "removes would depend on how pages were partitioned) and `target_language` (use "
          "language_id_score_filter). Input is text: decode WARC bytes first (the WARC reader does).",
))
