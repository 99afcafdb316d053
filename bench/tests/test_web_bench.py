"""The web scenario's pure parts, no Spark: the WARC corpus builder (records read back with
FastWARC: types, URLs, HTTP headers, payloads, digests, determinism, the block-listed share, the
slice), the readers of both tools' outputs, the same-answer comparison and the report section;
and datatrove's runner on a tiny corpus when ``.peers/datatrove`` exists (skipped otherwise)."""

from __future__ import annotations

import gzip
import html
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from bench.harness import results as results_file  # noqa: E402
from bench.harness import runs, summary  # noqa: E402
from bench.runners import dedup_peers  # noqa: E402
from bench.scenarios import web  # noqa: E402
from bench.scenarios import web_corpus as wc  # noqa: E402
from bench.tests.test_bench_harness import fake_run, scenario  # noqa: E402

PROSE = ("The quick brown fox jumps over the lazy dog while the farmer watches from the porch. "
         "It was a quiet evening and the birds had already gone back to their nests in the old oak tree. ")


def page(title: str, body: str, charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<!DOCTYPE html><html><head>{meta}<title>{title}</title></head><body><article>{body}</article></body></html>"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """Two fake doc packages (UTF-8, Latin-1 and charset-less pages, a PNG, a CSS, a file outside
    the HTML folder), a shared set with its URLs, and a block-list tarball."""
    tmp = tmp_path_factory.mktemp("site")
    a, b = tmp / "pkg-a" / "html", tmp / "pkg-b" / "doc"
    (a / "sub").mkdir(parents=True)
    b.mkdir(parents=True)
    files_a = []
    for i in range(30):
        f = a / ("sub" if i % 3 else "") / f"page {i}.html"
        f.write_text(page(f"A{i}", "<p>" + PROSE * 6 + f" Page number {i}.</p>"), encoding="utf-8")
        files_a.append(str(f))
    latin = a / "latin.htm"
    latin.write_bytes(page("Café", "<p>Un café très chaud, s'il vous plaît. " * 20 + "</p>", "iso-8859-1")
                      .encode("latin-1"))
    files_a.append(str(latin))
    png = a / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    css = a / "style.css"
    css.write_text("body { color: black; }\n")
    outside = tmp / "pkg-a" / "icon.gif"
    outside.write_bytes(b"GIF89a")
    files_a += [str(png), str(css), str(outside)]
    files_b = []
    # real English web text (the C4 sample), one paragraph per line, ASCII only: no charset is
    # announced in the page, the bytes say UTF-8
    c4 = [json.loads(line)["text"] for line in (ROOT / "data" / "c4_sample.jsonl").open(encoding="utf-8")]
    c4 = [t for t in c4 if t.isascii() and len(t.split()) > 200][:10]
    for i, text in enumerate(c4):
        f = b / f"n{i}.html"
        paras = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n") if line.strip())
        f.write_bytes(page(f"B{i}", paras, None).encode("ascii"))
        files_b.append(str(f))
    listing = {"pkg-a": sorted(files_a), "pkg-b": sorted(files_b), "pkg-missing": []}
    shared = tmp / "shared"
    (shared / "trafilatura" / "pages").mkdir(parents=True)
    (shared / "aeb" / "html").mkdir(parents=True)
    (shared / "trafilatura" / "pages" / "t1.html.gz").write_bytes(gzip.compress(page("T", PROSE * 5).encode()))
    (shared / "trafilatura" / "evaldata.json").write_text(json.dumps({"https://news.example.org/t1": {"file": "t1.html"}}))
    (shared / "aeb" / "html" / "k1.html.gz").write_bytes(gzip.compress(page("K", PROSE * 5).encode()))
    (shared / "aeb" / "ground-truth.json").write_text(json.dumps({"k1": {"url": "https://blog.example.com/k1?x=1",
                                                                        "articleBody": "..."}}))
    tar = tmp / "lists.tar.gz"
    domains = b"\n".join([b"badsite-one.com", b"1.2.3.4", b"bad-two.net", b"sub.bad-three.org", b"not a domain",
                          b"bad-four.info", b"bad-five.biz"]) + b"\n"
    with tarfile.open(tar, "w:gz") as t:
        info = tarfile.TarInfo("domains")
        info.size = len(domains)
        t.addfile(info, io.BytesIO(domains))
    sites = {"pkg-a": "https://a.example.org/docs/", "pkg-b": "https://b.example.net/", "pkg-missing": "https://x/"}
    return {"tmp": tmp, "sites": sites, "lister": lambda p: listing[p], "shared": shared, "tar": tar,
            "n_pages": 31 + 10 + 2}


def build(site, out: Path, limit=None, n_files=3) -> dict:
    return wc.build(out, site["shared"], site["tar"], limit=limit, n_files=n_files, sites=site["sites"],
                    lister=site["lister"])


def read_warc(folder: Path) -> list[dict]:
    from fastwarc.warc import ArchiveIterator

    out = []
    for f in sorted(folder.glob("*.warc.gz")):
        with open(f, "rb") as fh:  # block digests over the raw block: HTTP not parsed in this pass
            blocks = [rec.verify_block_digest() for rec in ArchiveIterator(fh, parse_http=False)]
        with open(f, "rb") as fh:
            for rec, block_ok in zip(ArchiveIterator(fh, parse_http=True), blocks, strict=True):
                kind = rec.headers["WARC-Type"]
                # verified before reading: without consume, FastWARC rewinds the stream afterwards
                payload_ok = rec.verify_payload_digest() if kind == "response" else None
                out.append({"file": f.name, "type": kind, "headers": dict(rec.headers.items()),
                            "http": dict(rec.http_headers.items()) if rec.http_headers else None,
                            "status": rec.http_headers.status_code if rec.http_headers else None,
                            "body": rec.reader.read(), "block_ok": block_ok, "payload_ok": payload_ok})
    return out


def test_sniff_charset_and_urls():
    assert wc.sniff_charset(b'<meta charset="ISO-8859-1"><p>caf\xe9</p>') == "iso-8859-1"
    assert wc.sniff_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\xc3\xa9') == "utf-8"
    # a label that does not decode the page, or an unknown one: the bytes decide
    assert wc.sniff_charset(b'<meta charset="utf-8"><p>caf\xe9</p>') is None
    assert wc.sniff_charset(b'<meta charset="klingon"><p>caf\xc3\xa9</p>') == "utf-8"
    assert wc.sniff_charset(b"") == "utf-8"
    assert wc.site_url("https://x.org/d/", "/r", "/r/a b/c%.html") == "https://x.org/d/a%20b/c%25.html"
    assert wc.blocked_url("https://docs.python.org/3.11/a.html?q=1#f", "bad.com") == "https://bad.com/3.11/a.html?q=1"
    assert wc.blocked_url("https://x.org", "bad.com") == "https://bad.com/"
    assert wc.record_id("response", "u") == wc.record_id("response", "u") != wc.record_id("request", "u")


def test_blocklist_domains_sample(site):
    got = wc.blocklist_domains(site["tar"], 3)
    assert len(got) == 3 and got == sorted(got) and got == wc.blocklist_domains(site["tar"], 3)
    assert "1.2.3.4" not in wc.blocklist_domains(site["tar"], 10)  # IP addresses and junk are skipped
    assert len(wc.blocklist_domains(site["tar"], 10)) == 5


def test_corpus_records(site, tmp_path):
    m = build(site, tmp_path / "w")
    recs = read_warc(tmp_path / "w")
    assert [f["name"] for f in m["files"]] == ["web-00000.warc.gz", "web-00001.warc.gz", "web-00002.warc.gz"]
    types = [r["type"] for r in recs]
    assert types.count("warcinfo") == 3 and m["records"] == len(recs)
    html = [r for r in recs if r["type"] == "response" and r["headers"]["WARC-Identified-Payload-Type"] == "text/html"]
    other = [r for r in recs if r["type"] == "response" and r not in html]
    assert len(html) == m["html_responses"] == site["n_pages"]
    assert types.count("request") == types.count("response") == m["requests"]
    assert m["absent_packages"] == ["pkg-missing"] and m["pages_by_source"]["pkg-a"] == 31
    assert m["pages_by_source"]["trafilatura-eval"] == 1 and m["pages_by_source"]["aeb"] == 1
    # every record's digests hold; each response follows its request, which names the same URL
    assert all(r["block_ok"] for r in recs) and all(r["payload_ok"] for r in recs if r["type"] == "response")
    for i, r in enumerate(recs):
        if r["type"] == "response":
            req = recs[i - 1]
            assert req["type"] == "request" and req["headers"]["WARC-Target-URI"] == r["headers"]["WARC-Target-URI"]
            assert r["headers"]["WARC-Concurrent-To"] == req["headers"]["WARC-Record-ID"]
            assert r["status"] == 200 and int(r["http"]["Content-Length"]) == len(r["body"])
    by_url = {r["headers"]["WARC-Target-URI"]: r for r in html}
    assert len(by_url) == len(html)  # one fetch per URL
    # the payload is the file's bytes, the charset the page's own
    lat = next(r for u, r in by_url.items() if u.endswith("/latin.htm"))
    assert lat["http"]["Content-Type"] == "text/html; charset=iso-8859-1" and "Café".encode("latin-1") in lat["body"]
    assert all(r["http"]["Content-Type"] == "text/html; charset=utf-8" for u, r in by_url.items() if "/n" in u
               and "b.example.net" in u)
    assert by_url["https://a.example.org/docs/sub/page%201.html"]["body"] == Path(
        site["tmp"] / "pkg-a" / "html" / "sub" / "page 1.html").read_bytes()
    assert "https://news.example.org/t1" in by_url and "https://blog.example.com/k1?x=1" in by_url
    # block-listed hosts: BLOCKED_SHARE of the pages, taken from the list, path kept
    blocked = [u for u in by_url if not u.startswith(("https://a.example.org/", "https://b.example.net/",
                                                      "https://news.", "https://blog."))]
    assert len(blocked) == m["blocklisted"] == round(wc.BLOCKED_SHARE * site["n_pages"]) == 2
    listed = set(wc.blocklist_domains(site["tar"], 10))
    assert all(u.split("/")[2] in listed for u in blocked)
    # assets: only those under the HTML folder (the GIF outside it has no URL), typed
    assert len(other) == m["other_responses"] == min(2, round(wc.ASSET_SHARE * site["n_pages"]))
    assert all(r["headers"]["WARC-Identified-Payload-Type"] in ("image/png", "text/css") for r in other)


def test_corpus_is_deterministic_and_sliced(site, tmp_path):
    m1, m2 = build(site, tmp_path / "a"), build(site, tmp_path / "b")
    for f in m1["files"]:
        assert (tmp_path / "a" / f["name"]).read_bytes() == (tmp_path / "b" / f["name"]).read_bytes()
    assert m1 == {**m2, "shared_html": m1["shared_html"]}
    assert wc.cached(tmp_path / "a", None, 3)["records"] == m1["records"]
    assert wc.cached(tmp_path / "a", 10, 3) is None and wc.cached(tmp_path / "a", None, 8) is None
    (tmp_path / "a" / "web-00001.warc.gz").write_bytes(b"cut")
    assert wc.cached(tmp_path / "a", None, 3) is None  # a damaged file: rebuilt
    s = build(site, tmp_path / "s", limit=10)
    assert s["html_responses"] == 10 and s["limit"] == 10
    full = [r["headers"]["WARC-Target-URI"] for r in read_warc(tmp_path / "b") if r["type"] == "response"]
    part = [r["headers"]["WARC-Target-URI"] for r in read_warc(tmp_path / "s") if r["type"] == "response"]
    # the slice is the same shuffle's first pages (block-listing is drawn per slice)
    assert len(part) <= len(full)


# --------------------------------------------------------------------------- outputs and comparison


def write_delta(table: Path, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    (table / "_delta_log").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), table / "part-0.parquet")
    (table / "_delta_log" / "00000000000000000000.json").write_text(
        json.dumps({"add": {"path": "part-0.parquet", "stats": json.dumps({"numRecords": len(rows)})}}) + "\n")


def test_readers(tmp_path):
    wh = tmp_path / "warehouse"
    write_delta(wh / web.STAGE, [{"url": "https://a/1", "text": "one"}, {"url": "https://a/2", "text": "two"}])
    write_delta(wh / f"{web.STAGE}_rejected", [
        {"url": None, "_record": json.dumps({"url": "https://a/3"}), "_dropped_by": "gopher_quality_filter:gopher_short_doc"},
        {"url": "https://a/4", "_record": None, "_dropped_by": "error:html_extract_mapper: boom"},
        {"url": None, "_record": "{not json", "_dropped_by": "url_filter"}])
    kept, rej = web.read_sparkops(wh)
    assert kept == {"https://a/1": "one", "https://a/2": "two"}
    assert {u: web.sp_label(d) for u, d in rej.items()} == {"https://a/3": "gopher_quality_filter",
                                                            "https://a/4": "error:html_extract_mapper"}
    dt = tmp_path / "dt"
    (dt / "data").mkdir(parents=True)
    (dt / "removed" / "url_filter").mkdir(parents=True)
    with gzip.open(dt / "data" / "00000.jsonl.gz", "wt") as f:
        f.write(json.dumps({"id": "<urn:x>", "text": "one", "metadata": {"url": "https://a/1"}}) + "\n")
    with gzip.open(dt / "removed" / "url_filter" / "00001.jsonl.gz", "wt") as f:
        f.write(json.dumps({"id": "<urn:y>", "text": "", "metadata": {"url": "https://bad/2",
                                                                     "filter_reason": "domain"}}) + "\n")
    kept, removed = web.read_datatrove(dt)
    assert kept == {"https://a/1": "one"} and removed == {"https://bad/2": {"op": "url_filter", "reason": "domain"}}


def compare_inputs():
    sp = {"u1": "same", "u2": "a b\nc", "u3": "sp text", "u4": "only sp", "u5": "only sp 2"}
    dt = {"u1": "same", "u2": "a  b c", "u3": "dt text", "u6": "only dt"}
    sp_rej = {"u6": "language_filter", "u7": "url_filter"}
    dt_rem = {"u4": {"op": "gopher_quality_filter", "reason": "gopher_short_doc"}, "u7": {"op": "url_filter",
                                                                                       "reason": "domain"}}
    return sp, dt, sp_rej, dt_rem


def test_compare_both_directions():
    c = web.compare(*compare_inputs())
    assert (c["both"], c["n_only_sparkops"], c["n_only_datatrove"]) == (3, 2, 1)
    assert c["agreement"] == pytest.approx(3 / 6)
    assert c["only_sparkops"] == {"gopher_quality_filter / gopher_short_doc": {"n": 1, "examples": ["u4"]},
                                  web.DT_NOT_KEPT: {"n": 1, "examples": ["u5"]}}
    assert c["only_datatrove"] == {"language_filter": {"n": 1, "examples": ["u6"]}}
    assert c["n_text_identical"] == 1 and c["n_text_differs"] == 2 and c["n_text_whitespace_only"] == 1
    assert c["text_identical_share"] == pytest.approx(1 / 3)
    assert c["text_differs_examples"][0]["id"] == "u2" and c["text_differs_examples"][0]["offset"] == 2
    assert c["sparkops_removed_by_op"] == {"language_filter": 1, "url_filter": 1}
    assert c["datatrove_removed_by_filter"] == {"gopher_quality_filter": 1, "url_filter": 1}
    lines = web.compare_lines(c)
    assert "agreement 50.00% of the 6 URLs either kept" in lines[0]
    assert "1 × `language_filter` (e.g. `u6`)" in lines[1]
    assert "1 × `gopher_quality_filter / gopher_short_doc`" in lines[2] and f"1 × `{web.DT_NOT_KEPT}`" in lines[2]
    assert "1 identical (33.33%), 2 differ (1 of them only in whitespace" in lines[3]
    same = web.compare({"u": "t"}, {"u": "t"})
    assert same["agreement"] == 1.0 and "identical URL sets" in web.compare_lines(same)[0]
    empty = web.compare({}, {})
    assert empty["agreement"] == 1.0 and empty["text_identical_share"] is None and len(web.compare_lines(empty)) == 1


def test_commands_and_spec(tmp_path):
    class A:
        master, np, spark_conf = "local[2]", 2, None

    cmd, env = web.command(web.SPARK_TOOL, tmp_path / "warc", tmp_path / "o", tmp_path / "r.json", A)
    assert cmd[1:3] == ["run", str(web.WORK / "out" / "sparkops_web_job.yaml")] and cmd[-1] == "--json"
    import yaml

    spec = yaml.safe_load(Path(cmd[2]).read_text())
    assert spec["input"] == {"format": "warc", "path": str(tmp_path / "warc")}
    assert spec["output"]["path"] == str(tmp_path / "o" / "warehouse")
    assert [next(iter(e)) for e in spec["stages"][0]["process"]] == web.SPARK_OPS
    assert spec["stages"][0]["name"] == web.STAGE
    cmd, env = web.command(web.PEER_TOOL, tmp_path / "warc", tmp_path / "o", tmp_path / "r.json", A)
    assert cmd[1].endswith("datatrove_web_job.py") and env["HF_HUB_OFFLINE"] == "1" and "PYTHONPATH" not in env


def test_web_report(tmp_path):
    dt_inner = lambda w: {"import_s": 1.0, "process_s": w - 2, "kept": 90,  # noqa: E731
                          "step_stats": [{"name": "READER", "time_s": 0.2, "documents": 500},
                                         {"name": "URL", "time_s": 3.0, "total": 500, "dropped": 20}]}
    sp_inner = lambda w: {"run_s": w - 15, "process_s": w - 15, "kept": 88,  # noqa: E731
                          "stages": [{"ops": [{"op": "url_filter", "rows_in": 500, "rows_out": 480, "dropped": 20,
                                               "errors": 0, "worker_s": 1.5}]}]}
    rows = []
    for rep, (a, b) in enumerate(((40.0, 60.0), (42.0, 58.0), (41.0, 65.0)), 1):
        rows.append(fake_run(web.SPARK_TOOL, rep, a, inner=sp_inner(a)))
        rows.append(fake_run(web.PEER_TOOL, rep, b, inner=dt_inner(b)))
    res = scenario("web", [web.SPARK_TOOL], {web.SPARK_TOOL: [1.0] * 3})
    res.update(runs=rows, all_runs=[runs.slim_run(r) for r in rows], summary=summary.summarize(rows),
               paired_ratios=summary.paired_ratios(rows, 3))
    manifest = {"version": 1, "seed": 1, "n_files": 8, "records": 1042, "html_responses": 500, "other_responses": 17,
                "requests": 517, "blocklisted": 20, "bytes": 3_586_155, "pages_by_source": {"a": 400, "b": 100},
                "charsets": {"utf-8": 499, "(none)": 1}, "limit": 500, "files": []}
    c = web.compare(*compare_inputs())
    res["verification"] = {"lines": web.compare_lines(c), "compare": c}
    res.update(corpus_manifest=manifest, corpus_mb=3.586, ratios=web.pair_ratios(res["summary"], web.SPARK_TOOL,
                                                                                 web.PEER_TOOL, "sparkops", "datatrove"),
               datatrove_steps=rows[-1]["inner"]["step_stats"], sparkops_ops=sp_inner(41.0)["stages"][0]["ops"],
               peer_versions={web.PEER_TOOL: {"python": "3.11.2", "datatrove": "0.10.1"}})
    assert res["summary"][web.SPARK_TOOL]["process_s"]["median"] == 26.0
    assert res["summary"][web.PEER_TOOL]["startup_s"]["median"] == 1.0
    js, md = tmp_path / "results.json", tmp_path / "RESULTS.md"
    results_file.save_results({"web": res}, js, md)
    text = md.read_text()
    assert f"## {web.SECTION_TITLES['web']}" in text
    assert "1,042 records (8 warcinfo, 517 requests, 500 HTML responses, 17 image / style-sheet responses)" in text
    assert "20 pages (4.0%) sit on a host taken from the UT1 block list" in text and "the first 500 pages" in text
    assert "sparkops vs datatrove (docs/s, whole process): **1.46x**" in text
    assert "| `url_filter` | 500 | 480 | 20 | 0 | 1.5 |" in text and "| URL | 3.0 | 500 |" in text
    assert "| `language_filter` | 1 | `language_filter` | 0 |" in text
    assert "- Same answer: 50.00% of the URLs" in text and "33.33% of the texts both kept are identical" in text
    assert json.loads(js.read_text())["scenarios"]["web"]["summary"][web.PEER_TOOL]["kept"] == [90]


# --------------------------------------------------------------------------- datatrove's runner


def test_datatrove_web_runner(site, tmp_path):
    """datatrove's FineWeb pipeline on the tiny corpus: it reads the HTML responses only, drops
    the block-listed hosts at its URL filter, and every page ends kept, removed by one filter, or
    dropped by Trafilatura; offline, with the local fastText model."""
    py = dedup_peers.python(web.PEER_VENV_TOOL)
    if not py.is_file():
        pytest.skip(f"{py} missing (created by bench/run.py)")
    probe = subprocess.run([str(py), "-c", "import " + ", ".join(web.PEER_IMPORTS)], capture_output=True)
    if probe.returncode:  # a datatrove venv made for another scenario (or a parity fixture)
        pytest.skip(f"{py} lacks the WARC/HTML extras: bench/run.py --scenarios web installs {' '.join(web.PEER_PIP)}")
    # the real UT1 list of datatrove's wheel, so that its URL filter knows the chosen hosts
    m = wc.build(tmp_path / "warc", site["shared"], web.blocklist_tar(), n_files=2, sites=site["sites"],
                 lister=site["lister"])

    class A:
        master, np, spark_conf = "local[2]", 2, None

    out = tmp_path / "dt"
    cmd, env = web.command(web.PEER_TOOL, tmp_path / "warc", out, tmp_path / "r.json", A)
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / "r.json").read_text())
    assert res["html_read"] == m["html_responses"]  # the images and style sheets are skipped by type
    kept, removed = web.read_datatrove(out)
    assert res["kept"] == len(kept) and sum(res["removed_by_filter"].values()) == len(removed)
    dropped_extract = res["extract_failed"]["dropped"] + res["extract_failed"]["timeout"]
    assert len(kept) + len(removed) + dropped_extract == m["html_responses"]
    blocked = {u for u, x in removed.items() if x["op"] == "url_filter"}
    assert len(blocked) == m["blocklisted"] and not any("example" in u for u in blocked)
    assert any(u.startswith("https://b.example.net/") for u in kept)  # real English prose survives
    assert not any("latin.htm" in u for u in kept)  # French: the language filter
