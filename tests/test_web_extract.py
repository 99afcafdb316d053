"""html_extract_mapper's kernel (sparkops.ops.web.extract) and its time bound
(sparkops.ops.web.deadline), on real pages of the two HTML benchmarks in ../shared/data/html.
Pure Python: no Spark."""

from __future__ import annotations

import gzip
import json
import signal
import threading
import time

import pytest

pytest.importorskip("trafilatura")
pytest.importorskip("resiliparse")

from sparkops.core import OpError, get_op  # noqa: E402
from sparkops.ops.web.deadline import DeadlineExceeded, call_with_deadline  # noqa: E402
from sparkops.core.row import REJECT  # noqa: E402
from sparkops.ops.web.extract import (  # noqa: E402
    MAX_RESILIPARSE_DEPTH, METHODS, Extraction, declared_language, extract, extract_batch, html_to_text,
)

# pages of trafilatura's benchmark on which every method keeps all `with` snippets and no `without`
TRAF_PAGES = ("en.wikipedia.org.tsne.html", "creativecommons.org.html", "jan-grosser.de.xum1541.html")
# AEB pages: (id, boilerplate on the page that is not in the article)
AEB_PAGES = (("042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856", "Subscribe"),
             ("06e5123e4ef7cfb4533250dc45d1e03d0838fc66223f45c583c4d12f48b4da85", "Newsletter"),
             ("098bb3e96c0acdf36efdcde45fb9cca3f8c82c7cb2071b76097a1b96155f1eb2", "Subscribe"))


def _read(path) -> str:
    from trafilatura.utils import decode_file
    return decode_file(gzip.decompress(path.read_bytes()))


@pytest.fixture(scope="module")
def traf_pages(shared_data):
    evaldata = json.loads((shared_data / "html" / "trafilatura" / "evaldata.json").read_text(encoding="utf-8"))
    by_file = {item["file"]: item for item in evaldata.values()}
    return {name: dict(by_file[name], html=_read(shared_data / "html" / "trafilatura" / "pages" / f"{name}.gz"))
            for name in TRAF_PAGES}


@pytest.fixture(scope="module")
def aeb_pages(shared_data):
    truth = json.loads((shared_data / "html" / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    return {key: dict(truth[key], html=_read(shared_data / "html" / "aeb" / "html" / f"{key}.html.gz"),
                      boilerplate=boilerplate) for key, boilerplate in AEB_PAGES}


@pytest.fixture(scope="module")
def big_page(aeb_pages) -> str:
    """A real article followed by about 5 MB of real paragraphs (trafilatura needs seconds on it)."""
    page = aeb_pages[AEB_PAGES[0][0]]
    paragraphs = "".join(f"<p>{line}</p>\n" for line in page["articleBody"].split("\n") if line.strip())
    html = page["html"]
    cut = html.rfind("</body>")
    return html[:cut] + paragraphs * (5_000_000 // len(paragraphs)) + html[cut:]


def nested_bomb(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "x" + "</div>" * depth + "</body></html>"


# --------------------------------------------------------------------------- each method on real pages


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", TRAF_PAGES)
def test_method_keeps_main_text_and_drops_boilerplate_trafilatura_set(traf_pages, method, name):
    page = traf_pages[name]
    found = extract(page["html"], method)
    assert found.status == "ok"
    for snippet in page["with"]:
        assert snippet in found.text
    for snippet in page["without"]:
        assert snippet not in found.text


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("key", [k for k, _ in AEB_PAGES])
def test_method_keeps_main_text_and_drops_boilerplate_aeb(aeb_pages, method, key):
    page = aeb_pages[key]
    found = extract(page["html"], method)
    assert found.status == "ok"
    first_sentence = page["articleBody"].split("\n")[0][:60]
    assert first_sentence in found.text
    assert page["boilerplate"] in page["html"] and page["boilerplate"] not in found.text


def test_title_date_language_of_a_real_page(traf_pages):
    page = traf_pages["jan-grosser.de.xum1541.html"]  # the benchmark's annotations give title and date
    found = extract(page["html"])
    assert (found.title, found.date) == (page["title"], page["date"]) == (
        "XUM1541: Dateien zwischen Linux und C64 austauschen", "2016-01-31")
    assert found.language == "de"  # <html lang="de-DE">
    # the other methods: the <title> (resiliparse), readability's short title; no date
    assert extract(page["html"], "resiliparse").title.startswith("XUM1541: Dateien zwischen Linux und C64")
    assert extract(page["html"], "readability_inscriptis").date is None


def test_declared_language():
    assert declared_language('<!doctype html><html class="x" lang="en-US"><head>') == "en"
    assert declared_language("<html><head><meta http-equiv='Content-Language' content='fr'>") == "fr"
    assert declared_language("<html><body>no declaration</body></html>") is None


@pytest.mark.parametrize("name", TRAF_PAGES)
def test_default_is_trafilatura_extract_standalone(traf_pages, aeb_pages, name):
    import trafilatura

    from sparkops.ops.web.extract import libraries_as_shipped

    def standalone(html, **options):  # trafilatura as it ships: lxml's XPath and class lookup
        with libraries_as_shipped():
            return trafilatura.extract(html, **options)

    for html in (traf_pages[name]["html"], aeb_pages[AEB_PAGES[TRAF_PAGES.index(name)][0]]["html"]):
        assert extract(html).text == standalone(html)
    # and with an option passed under trafilatura's name
    html = traf_pages[name]["html"]
    assert extract(html, options={"favor_recall": True, "include_comments": False}).text == \
        standalone(html, favor_recall=True, include_comments=False)


# --------------------------------------------------------------------------- the mapper


def test_mapper_output_and_meta_dict(traf_pages):
    bound = get_op("html_extract_mapper").bind({})
    html = traf_pages["creativecommons.org.html"]["html"]
    texts = [html, "", "<html><body><script>var x = 1;</script><img src='a.png'></body></html>"]
    out = extract_batch(texts, bound.prepared)
    assert set(out) == {"text", "title", "date", "language", "extraction_status", REJECT}
    assert out["extraction_status"] == ["ok", "empty", "empty"]
    assert out[REJECT] == [None, "empty", "empty"]  # a page without main text is rejected by its status
    assert out["text"][1:] == texts[1:]  # and keeps its page (it lands in the rejected table)
    assert (out["title"][0], out["date"][0], out["language"][0]) == ("What we do - Creative Commons", "2016-05-22", "en")
    assert bound.apply(texts) == out


def test_declared_examples_hold():
    bound = get_op("html_extract_mapper").bind({})
    html = ("<html><body><nav><a href=\"/\">Home</a></nav><article><p>" + "Main text. " * 30
            + "</p></article><footer>Copyright</footer></body></html>")
    assert bound.apply([html])["text"] == [("Main text. " * 30).strip()]
    resiliparse = get_op("html_extract_mapper").bind({"method": "resiliparse"})
    assert html_to_text(["<html><body><script>var x = 1;</script></body></html>"], resiliparse.prepared) == [None]


def test_rejected_pages_say_why_in_a_pass():
    from sparkops.core.pipeline import Pipeline

    pipe = Pipeline([get_op("html_extract_mapper").bind({"max_html_size": 1000})])
    page = "<html><body><article><p>" + "Main text. " * 30 + "</p></article></body></html>"
    result = pipe.run([page, "<html><body></body></html>", page + " " * 1000])
    assert result.dropped_by == [None, "html_extract_mapper:empty", "html_extract_mapper:too_large"]
    assert result.meta["extraction_status"] == ["ok", "empty", "too_large"]
    assert result.texts[0] == ("Main text. " * 30).strip()


def test_parameters_are_checked():
    op = get_op("html_extract_mapper")
    with pytest.raises(OpError, match="method"):
        op.bind({"method": "boilerpipe"})
    with pytest.raises(OpError, match="timeout"):
        op.bind({"timeout": 0})
    with pytest.raises(OpError, match="mutually exclusive"):
        op.bind({"favor_precision": True, "favor_recall": True})
    with pytest.raises(ValueError, match="unknown extraction method"):
        extract("<html></html>", "goose")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("method", METHODS)
def test_bad_input_gives_a_status_never_an_exception(method):
    assert extract("", method) == Extraction(None, status="empty")
    assert extract(" \n\t", method).status == "empty"
    assert extract(b"<html></html>", method).status == "error:TypeError"  # the core passes str only
    garbage = bytes(range(256)).decode("latin-1") * 200  # binary bytes decoded as text
    found = extract(garbage, method)
    assert found.status in ("ok", "empty") and (found.text is None or isinstance(found.text, str))
    plain = "Just a line of plain text, no markup at all, long enough to be a paragraph. " * 5
    found = extract(plain, method)
    assert found.status in ("ok", "empty")
    assert found.text is None or "plain text" in found.text


@pytest.mark.parametrize("method", METHODS)
def test_page_over_the_size_cap_is_rejected_unparsed(method):
    page = "<html><body>" + "<p>" + "word " * 10_000_000 + "</p></body></html>"  # 50 MB
    start = time.perf_counter()
    assert extract(page, method) == Extraction(None, status="too_large")
    assert time.perf_counter() - start < 0.5  # len() only: no parse
    assert extract("<html><body><p>" + "word " * 30 + "</p></body></html>", method,
                   {"max_html_size": 100}).status == "too_large"


@pytest.mark.parametrize("method", METHODS)
def test_nested_tag_bomb_is_bounded(method):
    start = time.perf_counter()
    found = extract(nested_bomb(100_000), method, {"timeout": 2.0})
    # lxml (trafilatura, readability) stops building the tree at 256 levels; resiliparse, whose
    # main-content pass is quadratic in depth (this page: ten minutes in one C call), is refused
    assert found.status == ("too_deep" if method == "resiliparse" else "empty")
    assert time.perf_counter() - start < 2.0


def test_resiliparse_takes_pages_nested_below_the_depth_limit():
    found = extract(nested_bomb(MAX_RESILIPARSE_DEPTH - 10), "resiliparse")
    assert (found.status, found.text) == ("ok", "x")
    assert extract(nested_bomb(MAX_RESILIPARSE_DEPTH + 10), "resiliparse").status == "too_deep"


# --------------------------------------------------------------------------- the time bound


@pytest.mark.parametrize("method", ["trafilatura", "readability_inscriptis"])
def test_timeout_on_a_real_slow_page(big_page, method):
    start = time.perf_counter()
    found = extract(big_page, method, {"timeout": 0.05})
    elapsed = time.perf_counter() - start
    assert found == Extraction(None, status="timeout")
    # 0.05 s plus the one uninterruptible lxml parse of 5 MB (about 20 ms), with room for a busy machine
    assert elapsed < 1.0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_timeout_off_the_main_thread(big_page):
    """A worker thread cannot take SIGALRM: the watchdog injects the deadline instead."""
    result = {}

    def run():
        start = time.perf_counter()
        result["found"] = extract(big_page, "trafilatura", {"timeout": 0.05})
        result["elapsed"] = time.perf_counter() - start

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    assert result["found"].status == "timeout" and result["elapsed"] < 1.0


def _spin():
    while True:
        pass


def test_deadline_interrupts_python_and_leaves_nothing_armed():
    for runner in (lambda f: f(), lambda f: _in_thread(f)):
        start = time.perf_counter()
        with pytest.raises(DeadlineExceeded):
            runner(lambda: call_with_deadline(_spin, 0.05))
        assert time.perf_counter() - start < 1.0
    # a call that returns in time returns its value, and no late exception surfaces afterwards
    assert call_with_deadline(lambda: 42, 0.01) == 42
    assert _in_thread(lambda: call_with_deadline(lambda: 42, 0.01)) == 42
    time.sleep(0.05)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_deadline_is_not_swallowed_by_except_exception():
    def stubborn():
        while True:
            try:
                while True:
                    pass
            except Exception:  # what library code does: it must not catch the deadline
                continue

    with pytest.raises(DeadlineExceeded):
        call_with_deadline(stubborn, 0.05)


def test_a_foreign_alarm_is_left_alone():
    """Someone else's ITIMER_REAL is running: the deadline uses the watchdog and keeps it."""
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(DeadlineExceeded):
            call_with_deadline(_spin, 0.05)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0  # still armed, not cancelled by ours
        assert not fired
        time.sleep(0.6)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _in_thread(fn):
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as err:  # carried back to the caller's thread
            box["error"] = err

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    if "error" in box:
        raise box["error"]
    return box["value"]


def test_first_page_of_a_process_does_not_pay_one_time_set_up(shared_data):
    """dateparser compiles its ~200 locales on first use (4 s on this Spanish page, cold): the
    kernel does that before the clock starts, so a fresh process extracts it within 1.5 s."""
    import subprocess
    import sys

    page = shared_data / "html" / "trafilatura" / "pages" / "everardoherrera.com-momento.html.gz"
    code = ("import gzip, sys; from trafilatura.utils import decode_file; "
            "from sparkops.ops.web.extract import extract; "
            f"found = extract(decode_file(gzip.open({str(page)!r}).read()), options={{'timeout': 1.5}}); "
            "print(found.status, found.date)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["ok", "2017-01-01"], out.stderr[-2000:]
