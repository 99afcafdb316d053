"""The web scenario's corpus: a gzipped WARC file set of real HTML pages, built once and cached.

The pages are every ``.html`` / ``.htm`` file of the Debian documentation packages in ``SITES``
(their HTML as installed: Python, Linux, PostgreSQL, Django, Git, Qt, SQLite, Apache httpd,
LibreOffice help in five languages, the Debian handbook and manuals) plus the shared HTML test
pages (``/work/shared/data/html``: Trafilatura's evaluation pages and the article-extraction
benchmark's, both with their real URL). Each page becomes what a crawl stores:

- a ``request`` record (``GET`` with a crawler's headers) and a ``response`` record: an HTTP/1.1
  200 header block (``Content-Type: text/html`` with the page's charset where its ``<meta>`` or
  its bytes tell it) and the page's bytes, ``WARC-Identified-Payload-Type`` as Common Crawl sets
  it (datatrove's ``WarcReader`` keeps only ``text/html`` / ``application/xhtml+xml`` by it),
  ``WARC-Block-Digest`` / ``WARC-Payload-Digest`` (SHA-1, base32);
- the URL the page has on its project's web site (``https://docs.python.org/3.11/<path>``,
  ``https://www.postgresql.org/docs/15/<path>``, ...), or its real URL for the shared pages;
- about 4% of the pages get a host taken from the UT1 block list datatrove's ``URLFilter``
  reads (its ``domains`` file in datatrove's wheel), so that the URL filter has something to
  drop, as it has in a real crawl;
- about 3% extra responses are images and style sheets of the same packages (a crawl fetches
  those too; both tools skip them by their type).

Every file starts with a ``warcinfo`` record. Deterministic: sorted inputs, a seeded shuffle and
seeded choices, fixed dates (one second apart from ``DATE0``), record ids that are UUID5 of the
URL, gzip members without a timestamp. The records are written here (stdlib only: the format is a
header block and a payload per gzip member); the tests read them back with FastWARC, and datatrove
reads them with warcio.
"""

from __future__ import annotations

import base64
import codecs
import datetime as dt
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import tarfile
import uuid
from collections import Counter
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

VERSION = 1  # of the layout; a cached corpus of another version is rebuilt
SEED = 20261205
N_FILES = 8
BLOCKED_SHARE = 0.04
ASSET_SHARE = 0.03
DATE0 = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
MAX_ASSET_BYTES = 256 * 1024
USER_AGENT = "CCBot/2.0 (https://commoncrawl.org/faq/)"
NAMESPACE = uuid.UUID("6f1c7d5e-0b6a-4c1e-9a57-2c8f0e9d4b31")  # record ids: uuid5(NAMESPACE, kind + url)

# Debian package -> the URL its HTML folder has on the project's site (the folder is the common
# parent of the package's HTML files). Packages not installed are skipped and counted as absent.
SITES = {
    "python3.11-doc": "https://docs.python.org/3.11/",
    "linux-doc-6.1": "https://www.kernel.org/doc/html/v6.1/",
    "debian-handbook": "https://debian-handbook.info/browse/",
    "postgresql-doc-15": "https://www.postgresql.org/docs/15/",
    "python-django-doc": "https://docs.djangoproject.com/en/3.2/",
    "git-doc": "https://git-scm.com/docs/",
    "debian-reference-en": "https://www.debian.org/doc/manuals/debian-reference/",
    "debian-reference-de": "https://www.debian.org/doc/manuals/debian-reference/",
    "debian-reference-fr": "https://www.debian.org/doc/manuals/debian-reference/",
    "debian-reference-ja": "https://www.debian.org/doc/manuals/debian-reference/",
    "debian-reference-zh-cn": "https://www.debian.org/doc/manuals/debian-reference/",
    "developers-reference": "https://www.debian.org/doc/manuals/developers-reference/",
    "developers-reference-de": "https://www.debian.org/doc/manuals/developers-reference/de/",
    "developers-reference-fr": "https://www.debian.org/doc/manuals/developers-reference/fr/",
    "debian-policy": "https://www.debian.org/doc/debian-policy/",
    "maint-guide": "https://www.debian.org/doc/manuals/maint-guide/",
    "debian-faq": "https://www.debian.org/doc/manuals/debian-faq/",
    "libreoffice-help-en-us": "https://help.libreoffice.org/7.4/en-US/",
    "libreoffice-help-de": "https://help.libreoffice.org/7.4/de/",
    "libreoffice-help-fr": "https://help.libreoffice.org/7.4/fr/",
    "libreoffice-help-es": "https://help.libreoffice.org/7.4/es/",
    "libreoffice-help-it": "https://help.libreoffice.org/7.4/it/",
    "apache2-doc": "https://httpd.apache.org/docs/2.4/",
    "sqlite3-doc": "https://www.sqlite.org/",
    "qtbase5-doc-html": "https://doc.qt.io/qt-5/",
    "nodejs-doc": "https://nodejs.org/docs/v18.19.0/api/",
    "bash-doc": "https://www.gnu.org/software/bash/manual/",
    "gnu-standards": "https://www.gnu.org/prep/standards/",
}
HTML_EXT = (".html", ".htm")
ASSET_TYPES = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml", ".css": "text/css"}
SHARED_SOURCES = ("trafilatura-eval", "aeb")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$")


@dataclass(frozen=True)
class Page:
    """One HTML page or asset to archive: where it comes from and the URL it gets."""
    source: str  # Debian package or shared set
    path: str  # file on disk (.gz: gzip-compressed page)
    url: str
    mime: str = "text/html"


# --------------------------------------------------------------------------- inputs


def package_files(pkg: str) -> list[str]:
    """The regular files a Debian package installed (`dpkg -L`), sorted; [] if not installed."""
    r = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True)
    if r.returncode != 0:
        return []
    return sorted(f for f in r.stdout.splitlines() if f.startswith("/") and os.path.isfile(f)
                  and not os.path.islink(f))


def site_url(base: str, root: str, path: str) -> str:
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    return base + quote(rel, safe="/-_.~")


def debian_pages(sites: dict[str, str] = SITES, lister=package_files) -> tuple[list[Page], list[Page], list[str]]:
    """(HTML pages, asset candidates, packages not installed). A file two packages list (a shared
    folder) is archived once, under the first package of ``sites``."""
    pages, assets, absent, seen = [], [], [], set()
    for pkg, base in sites.items():
        files = lister(pkg)
        html = [f for f in files if f.lower().endswith(HTML_EXT)]
        if not html:
            absent.append(pkg)
            continue
        root = os.path.commonpath([os.path.dirname(f) for f in html])
        for f in files:
            real = os.path.realpath(f)
            ext = os.path.splitext(f)[1].lower()
            if real in seen or not (f.lower().endswith(HTML_EXT) or ext in ASSET_TYPES):
                continue
            if not f.startswith(root + os.sep):
                continue  # an image outside the HTML folder has no URL on the site
            seen.add(real)
            if f.lower().endswith(HTML_EXT):
                pages.append(Page(pkg, f, site_url(base, root, f)))
            elif os.path.getsize(f) <= MAX_ASSET_BYTES:
                assets.append(Page(pkg, f, site_url(base, root, f), ASSET_TYPES[ext]))
    return pages, assets, absent


def shared_pages(shared_html: Path) -> list[Page]:
    """The shared HTML test pages with the URL their data file gives them."""
    out = []
    tra = shared_html / "trafilatura"
    if (tra / "evaldata.json").is_file():
        for url, meta in sorted(json.loads((tra / "evaldata.json").read_text(encoding="utf-8")).items()):
            f = tra / "pages" / f"{meta['file']}.gz"
            if f.is_file():
                out.append(Page("trafilatura-eval", str(f), url))
    aeb = shared_html / "aeb"
    if (aeb / "ground-truth.json").is_file():
        for key, meta in sorted(json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8")).items()):
            f = aeb / "html" / f"{key}.html.gz"
            if f.is_file() and meta.get("url"):
                out.append(Page("aeb", str(f), meta["url"]))
    return out


def read_body(page: Page) -> bytes:
    data = Path(page.path).read_bytes()
    return gzip.decompress(data) if page.path.endswith(".gz") else data


def blocklist_domains(tar_path: Path, n: int, seed: int = SEED) -> list[str]:
    """n domains of the UT1 list datatrove's URLFilter blocks (its tarball's ``domains`` file),
    a seeded reservoir sample of the plain host names (no IP addresses)."""
    rng = random.Random(seed)
    out: list[str] = []
    k = 0
    with tarfile.open(tar_path, "r:gz") as tar:
        member = next(m for m in tar.getmembers() if m.name.rstrip("/").split("/")[-1] == "domains")
        for raw in tar.extractfile(member):
            d = raw.strip().decode("ascii", "replace").lower()
            if not _DOMAIN.match(d):
                continue
            k += 1
            if len(out) < n:
                out.append(d)
            else:
                j = rng.randrange(k)
                if j < n:
                    out[j] = d
    return sorted(out)


def blocked_url(url: str, domain: str) -> str:
    """The page's URL on a blocked host: same path and query."""
    p = urlsplit(url)
    return f"https://{domain}{p.path or '/'}" + (f"?{p.query}" if p.query else "")


# --------------------------------------------------------------------------- records


def sniff_charset(body: bytes) -> str | None:
    """The page's charset as a server would announce it: its ``<meta>`` charset when that codec
    decodes the page, else utf-8 when the bytes are UTF-8, else None (no charset parameter)."""
    m = _META_CHARSET.search(body[:4096])
    if m:
        name = m.group(1).decode("ascii").lower()
        try:
            codecs.lookup(name)
            body.decode(name)
            return name
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return None


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def record_id(kind: str, url: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(NAMESPACE, kind + ' ' + url)}>"


def warc_date(i: int) -> str:
    return (DATE0 + dt.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_request(url: str) -> bytes:
    p = urlsplit(url)
    target = (p.path or "/") + (f"?{p.query}" if p.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {p.netloc}", f"User-Agent: {USER_AGENT}",
             "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
             "Accept-Language: en-US,en;q=0.5", "Accept-Encoding: br,gzip", "Connection: Keep-Alive"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def http_response(body: bytes, mime: str, charset: str | None, i: int) -> bytes:
    when = format_datetime(DATE0 + dt.timedelta(seconds=i), usegmt=True)
    ctype = mime + (f"; charset={charset}" if charset else "")
    lines = ["HTTP/1.1 200 OK", f"Date: {when}", "Server: Apache", f"Content-Type: {ctype}",
             f"Content-Length: {len(body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def warc_record(headers: list[tuple[str, str]], block: bytes) -> bytes:
    """One WARC/1.0 record: its header lines, Content-Length, the block, two CRLFs."""
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + f"Content-Length: {len(block)}\r\n\r\n"
    return head.encode("utf-8") + block + b"\r\n\r\n"


def warcinfo(filename: str, i: int) -> bytes:
    info = (f"software: sparkops bench/scenarios/web_corpus.py (layout {VERSION})\r\n"
            "format: WARC File Format 1.0\r\nconformsTo: https://iipc.github.io/warc-specifications/\r\n"
            "description: real HTML of Debian documentation packages and shared test pages\r\n").encode("utf-8")
    return warc_record([("WARC-Type", "warcinfo"), ("WARC-Date", warc_date(i)), ("WARC-Filename", filename),
                        ("WARC-Record-ID", record_id("warcinfo", filename)),
                        ("Content-Type", "application/warc-fields"), ("WARC-Block-Digest", sha1_b32(info))], info)


def exchange(url: str, body: bytes, mime: str, charset: str | None, i: int, info_id: str) -> tuple[bytes, bytes]:
    """The request and response records of one fetch."""
    req_id, resp_id = record_id("request", url), record_id("response", url)
    req = http_request(url)
    resp = http_response(body, mime, charset, i)
    date = warc_date(i)
    request = warc_record([("WARC-Type", "request"), ("WARC-Date", date), ("WARC-Record-ID", req_id),
                           ("Content-Type", "application/http; msgtype=request"), ("WARC-Warcinfo-ID", info_id),
                           ("WARC-Target-URI", url), ("WARC-Block-Digest", sha1_b32(req))], req)
    response = warc_record([("WARC-Type", "response"), ("WARC-Date", date), ("WARC-Record-ID", resp_id),
                            ("Content-Type", "application/http; msgtype=response"), ("WARC-Warcinfo-ID", info_id),
                            ("WARC-Concurrent-To", req_id), ("WARC-Target-URI", url),
                            ("WARC-Payload-Digest", sha1_b32(body)), ("WARC-Block-Digest", sha1_b32(resp)),
                            ("WARC-Identified-Payload-Type", mime)], resp)
    return request, response


def gz(record: bytes) -> bytes:
    """One gzip member per record, as crawlers write them (seekable), with no timestamp."""
    return gzip.compress(record, compresslevel=6, mtime=0)


# --------------------------------------------------------------------------- the file set


def plan(pages: list[Page], assets: list[Page], domains_for, limit: int | None = None,
         seed: int = SEED) -> tuple[list[Page], set[str]]:
    """The archive's items in order, and the URLs put on blocked hosts. Pages and a seeded sample
    of assets (ASSET_SHARE of the pages) shuffled together; ``limit``: stop after that many HTML
    pages. ``domains_for(n)`` returns n block-listed domains; BLOCKED_SHARE of the pages (a seeded
    choice) move to one of them."""
    rng = random.Random(seed)
    pages = sorted(pages, key=lambda p: (p.source, p.path))
    assets = sorted(assets, key=lambda p: (p.source, p.path))
    n_assets = min(len(assets), round(ASSET_SHARE * len(pages)))
    items = pages + rng.sample(assets, n_assets)
    rng.shuffle(items)
    # a URL archived twice (two packages' pages at one site path) keeps only its first fetch
    seen: set[str] = set()
    items = [it for it in items if not (it.url in seen or seen.add(it.url))]
    if limit is not None:
        cut, n = len(items), 0
        for k, it in enumerate(items):
            n += it.mime == "text/html"
            if n == limit:
                cut = k + 1
                break
        items = items[:cut]
    html = [k for k, it in enumerate(items) if it.mime == "text/html"]
    chosen = sorted(rng.sample(html, round(BLOCKED_SHARE * len(html)))) if html else []
    domains = domains_for(len(chosen)) if chosen else []
    blocked = set()
    for k, d in zip(chosen, domains):
        url = blocked_url(items[k].url, d)
        items[k] = Page(items[k].source, items[k].path, url, items[k].mime)
        blocked.add(url)
    return items, blocked


def write_files(items: list[Page], blocked: set[str], out_dir: Path, n_files: int = N_FILES) -> dict:
    """The items as n_files contiguous pieces ``web-0000N.warc.gz``; returns the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.warc.gz"):
        old.unlink()
    per = -(-len(items) // n_files) if items else 0
    files, by_source, charsets, types = [], Counter(), Counter(), Counter()
    clock = 0
    for n in range(n_files):
        chunk = items[n * per:(n + 1) * per]
        name = f"web-{n:05d}.warc.gz"
        recs = Counter()
        tmp = out_dir / (name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(gz(warcinfo(name, clock)))
            recs["warcinfo"] += 1
            info_id = record_id("warcinfo", name)
            for it in chunk:
                clock += 1
                body = read_body(it)
                charset = sniff_charset(body) if it.mime in ("text/html", "text/css") else None
                req, resp = exchange(it.url, body, it.mime, charset, clock, info_id)
                fh.write(gz(req))
                fh.write(gz(resp))
                recs["request"] += 1
                recs["response"] += 1
                recs["html_response" if it.mime == "text/html" else "other_response"] += 1
                if it.mime == "text/html":
                    by_source[it.source] += 1
                    charsets[charset or "(none)"] += 1
                types[it.mime] += 1
        os.replace(tmp, out_dir / name)
        files.append({"name": name, "bytes": (out_dir / name).stat().st_size, **recs})
    return {
        "version": VERSION, "seed": SEED, "n_files": n_files, "files": files,
        "records": sum(f.get("warcinfo", 0) + f.get("request", 0) + f.get("response", 0) for f in files),
        "html_responses": sum(f.get("html_response", 0) for f in files),
        "other_responses": sum(f.get("other_response", 0) for f in files),
        "requests": sum(f.get("request", 0) for f in files),
        "blocklisted": len(blocked),
        "bytes": sum(f["bytes"] for f in files),
        "pages_by_source": dict(sorted(by_source.items())),
        "charsets": dict(charsets.most_common()),
        "response_types": dict(types.most_common()),
    }


def build(out_dir: Path, shared_html: Path, blocklist_tar: Path, limit: int | None = None,
          n_files: int = N_FILES, sites: dict[str, str] = SITES, lister=package_files) -> dict:
    pages, assets, absent = debian_pages(sites, lister)
    pages += shared_pages(shared_html)
    items, blocked = plan(pages, assets, lambda n: blocklist_domains(blocklist_tar, n), limit)
    manifest = write_files(items, blocked, out_dir, n_files)
    manifest.update(limit=limit, absent_packages=absent, shared_html=str(shared_html))
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def cached(out_dir: Path, limit: int | None, n_files: int = N_FILES) -> dict | None:
    """The manifest of a corpus already built with these settings and all its files, else None."""
    mf = out_dir / "manifest.json"
    if not mf.is_file():
        return None
    m = json.loads(mf.read_text())
    ok = (m.get("version") == VERSION and m.get("limit") == limit and m.get("n_files") == n_files
          and all((out_dir / f["name"]).is_file() and (out_dir / f["name"]).stat().st_size == f["bytes"]
                  for f in m["files"]))
    return m if ok else None
