"""URL normalisation for URL-level dedup (pure; the Spark side is sparkops.spark.dedup.urls).

Two records are copies when their URLs normalise to the same string. With ``normalize``
(default): scheme and host lower-cased, a leading ``www.`` dropped, default ports (80 for
http, 443 for https) dropped, ``http`` and ``https`` treated alike, the fragment dropped,
tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``mc_eid``) dropped, the
other query parameters sorted, a trailing ``/`` of the path dropped, percent-escapes of
unreserved characters decoded. Without it the URL is only stripped of surrounding whitespace.
A missing, empty or unparsable URL is never a duplicate.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from sparkops.ops.dedup.reference import REFERENCE
from sparkops.ops.dedup.survivor import KEEP, ORDER_BY
from sparkops.core import Example, Op, Param, Sketch, declare

_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
_UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _decode_unreserved(part: str) -> str:
    if "%" not in part:
        return part
    out, i = [], 0
    while i < len(part):
        if part[i] == "%" and i + 3 <= len(part):
            ch = unquote(part[i:i + 3])
            if len(ch) == 1 and ch in _UNRESERVED:
                out.append(ch)
                i += 3
                continue
            out.append(part[i:i + 3].upper())
            i += 3
            continue
        out.append(part[i])
        i += 1
    return "".join(out)


def url_key(url: str | None, normalize: bool = True) -> str | None:
    if url is None or not isinstance(url, str):
        return None
    url = url.strip()
    if not url:
        return None
    if not normalize:
        return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        scheme = "http"
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if port and not (port in (80, 443) and scheme == "http"):
        host = f"{host}:{port}"
    path = _decode_unreserved(parts.path).rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith(_TRACKING))
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def url_keys(urls: list[str], p: dict) -> list[str | None]:
    """``url_key()``: each URL as the deduplicator compares it."""
    return [url_key(u, p["normalize"]) for u in urls]


declare(Op(
    name="url_deduplicator", kind="deduplicator", family="dedup",
    doc="sparkops (not in Data-Juicer): keep one record per URL, the first in input order; URLs are "
        "compared after normalisation (see notes). Records without a URL are kept.",
    params=(
        Param("url_key", "str", "url", "Field holding the URL (a column, or a field of the input record)."),
        Param("normalize", "bool", True, "Normalise URLs before comparing (otherwise: exact strings)."),
        KEEP, ORDER_BY,
        REFERENCE,
    ),
    frame="sparkops.spark.dedup.urls:deduplicate",
    sketches=(
        Sketch("url_key", "string", ("normalize",), url_keys,
               "The URL as the deduplicator compares it; NULL for an empty or unparsable URL (never a "
               "duplicate)."),
    ),
    examples=(
        Example("url_key('HTTPS://www.Example.com:443/a/?utm_source=x&b=2&a=1#top')", "http://example.com/a?a=1&b=2"),
        Example("url_key('http://example.com/%7Euser')", "http://example.com/~user"),
        Example("url_key(' HTTP://Example.com/A ', false)", "HTTP://Example.com/A"),
        Example("url_key('')", None),
    ),
    notes="Normalisation: scheme and host lower-cased, `www.` dropped, http = https, default ports, fragment "
          "and tracking parameters (`utm_*`, `fbclid`, `gclid`, `mc_cid`, `mc_eid`) dropped, query parameters "
          "sorted, trailing `/` dropped, escapes of unreserved characters decoded. With `reference`, the "
          "reference table needs the same URL column.",
))
