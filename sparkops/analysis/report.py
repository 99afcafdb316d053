"""``report.html``: one self-contained page (inline CSS, inline SVG, a few lines of inline
JavaScript for the statistic filter box; nothing fetched) with the diagnoses, the summary
table, the threshold suggestions, per statistic a histogram, box plots (per language too)
and example texts at chosen quantiles, the string statistics' values and the correlation
matrix. Every text from the data is escaped.

Pure Python: no pyspark.
"""

from __future__ import annotations

import json
from html import escape

from sparkops.analysis import svg
from sparkops.analysis.aggregate import QUANTILE_KEYS
from sparkops.analysis.suggest import fmt, pct

MAX_LANGUAGE_BOXES = 8

_CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header, main { max-width: 1360px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid #d8dce3; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 14px 0 2px; }
.stat h3 { margin-top: 0; }
.meta { color: #555; margin: 2px 0; }
table { border-collapse: collapse; background: #fff; font-size: 12px; }
th, td { padding: 3px 6px; border-bottom: 1px solid #e6e8ec; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.left, th.left { text-align: left; }
thead th { position: sticky; top: 0; background: #eef1f5; }
.scroll { overflow-x: auto; max-width: 100%; }
.diag { list-style: none; padding: 0; margin: 0; }
.diag li { padding: 6px 10px; margin: 4px 0; border-left: 4px solid; background: #fff; }
.diag .error { border-color: #c62828; } .diag .warning { border-color: #e0a000; } .diag .info { border-color: #5b7fb0; }
.level { font-weight: 600; text-transform: uppercase; font-size: 11px; margin-right: 6px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(570px, 1fr)); gap: 14px; }
.stat { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 12px; }
.stat .doc { color: #555; font-size: 12.5px; margin: 0 0 6px; }
.stat .nums { color: #333; font-size: 12px; margin: 4px 0; }
details summary { cursor: pointer; color: #2a5592; margin: 4px 0; }
pre.text { white-space: pre-wrap; word-break: break-word; max-height: 9.5em; overflow: auto; margin: 2px 0 6px;
           background: #f7f8fa; border: 1px solid #e3e6ea; padding: 4px 6px; font-size: 12px; }
.example-head { font-size: 12px; color: #444; }
input#filter { font-size: 14px; padding: 4px 8px; width: 280px; margin: 6px 0 12px; }
.note { color: #555; font-size: 12.5px; }
code { background: #eef1f5; padding: 0 3px; border-radius: 3px; }
"""

# the only script: a filter box over the statistic cards, and two attributes on <body> that a
# headless browser test reads (data-ready after it ran, data-errors for any script error)
_JS = """
window.addEventListener('error', function (e) {
  var b = document.body; b.dataset.errors = (b.dataset.errors || '') + (e.message || 'error') + '; ';
});
document.addEventListener('DOMContentLoaded', function () {
  var box = document.getElementById('filter');
  var cards = Array.prototype.slice.call(document.querySelectorAll('section.stat'));
  if (box) {
    box.addEventListener('input', function () {
      var q = box.value.toLowerCase();
      cards.forEach(function (c) { c.style.display = c.dataset.stat.toLowerCase().indexOf(q) >= 0 ? '' : 'none'; });
    });
  }
  document.body.dataset.charts = String(document.querySelectorAll('svg.chart').length);
  document.body.dataset.ready = '1';
});
"""


def render(summary: dict, charts: dict) -> str:
    """The page for ``summary`` (``summary.json``'s content) and ``charts`` (histograms,
    correlations, examples)."""
    rows = summary["rows"]
    title = f"sparkops analyze: {summary['source']}"
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>{escape(title)}</title><style>{_CSS}</style><script>{_JS}</script></head><body>"]
    parts.append(_header(summary))
    parts.append("<main>")
    parts.append(_diagnoses(summary["diagnoses"]))
    parts.append(_summary_table(summary))
    parts.append(_suggestions(summary, rows))
    parts.append(_stat_cards(summary, charts))
    parts.append(_categorical(summary, rows))
    parts.append(_correlations(charts))
    parts.append(_languages(summary))
    parts.append(_notes(summary))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _header(s: dict) -> str:
    inp = s["input"]
    sampled = f", a seeded sample of {s['rows']:,} of {s['records']:,} records" if s["sampled"] else ""
    unreadable = f"; {s['unreadable']:,} unreadable records left out" if s["unreadable"] else ""
    return (f"<header><h1>Data analysis: {escape(s['source'])}</h1>"
            f"<p class=\"meta\">Input: {escape(inp['format'])} <code>{escape(inp['path'])}</code> "
            f"(text field <code>{escape(inp['text_key'])}</code>): {s['rows']:,} rows analysed{sampled}{unreadable}.</p>"
            f"<p class=\"meta\">{len(s['stats'])} numeric and {len(s['categorical'])} string statistics of "
            f"{len(s['ops'])} ops; percentiles: {escape(s['percentiles'])}. Generated {escape(s['generated'])}.</p>"
            f"</header>")


def _diagnoses(diags: list[dict]) -> str:
    if not diags:
        return "<h2>Diagnosis</h2><p class=\"note\">No setting looks unworkable on this data.</p>"
    items = "".join(f"<li class=\"{escape(d['level'])}\"><span class=\"level\">{escape(d['level'])}</span>"
                    f"<b>{escape(d['subject'])}</b>: {escape(d['message'])}</li>" for d in diags)
    return f"<h2>Diagnosis</h2><ul class=\"diag\" id=\"diagnoses\">{items}</ul>"


def _summary_table(s: dict) -> str:
    head = "".join(f"<th>{k}</th>" for k in ("count", "mean", "std", "min", *QUANTILE_KEYS, "max"))
    body = []
    for name, d in s["stats"].items():
        cells = "".join(f"<td>{escape(fmt(d.get(k)))}</td>"
                        for k in ("count", "mean", "std", "min", *QUANTILE_KEYS, "max"))
        body.append(f"<tr><td><a href=\"#stat-{escape(name)}\">{escape(name)}</a></td>"
                    f"<td class=\"left\">{escape(s['owners'].get(name, ''))}</td>{cells}</tr>")
    return (f"<h2>Summary</h2><div class=\"scroll\"><table id=\"summary\"><thead><tr><th>statistic</th>"
            f"<th class=\"left\">op</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _suggestions(s: dict, rows: int) -> str:
    out = ["<h2>Suggested thresholds</h2>"]
    kept = s.get("keep", {}).get("configured_all")
    if kept is not None:
        which = "as configured" if s["spec"] else "with their default parameters"
        out.append(f"<p class=\"note\">The filters {which} keep {pct(kept, rows)} of rows ({kept:,} of {rows:,}).</p>")
    for method, sug in s["suggestions"].items():
        out.append(f"<h3>{escape(sug['label'])}: <code>{escape(sug['file'] or '')}</code></h3>")
        if sug["kept"] is not None:
            out.append(f"<p class=\"note\">All filters with these thresholds keep {pct(sug['kept'], rows)} "
                       f"({sug['kept']:,} of {rows:,} rows).</p>")
        body = []
        for op in sug["ops"]:
            for t in op["thresholds"]:
                body.append(f"<tr><td>{escape(op['op'])}</td><td class=\"left\">{escape(op['stat'])}</td>"
                            f"<td class=\"left\">{escape(t['param'])}</td><td>{escape(fmt(t['configured'], 7))}</td>"
                            f"<td><b>{escape(fmt(t['value'], 7))}</b></td><td class=\"left\">{escape(t['basis'])}</td>"
                            f"<td>{pct(op['kept_alone'], rows)}</td><td>{pct(op['kept_cumulative'], rows)}</td></tr>")
        if body:
            out.append("<div class=\"scroll\"><table class=\"suggestions\"><thead><tr><th>op</th>"
                       "<th class=\"left\">statistic</th><th class=\"left\">parameter</th><th>configured</th>"
                       "<th>suggested</th><th class=\"left\">from</th><th>op alone keeps</th>"
                       "<th>filters up to here keep</th></tr></thead><tbody>" + "".join(body) + "</tbody></table></div>")
        for note in sug["notes"]:
            out.append(f"<p class=\"note\">{escape(note)}</p>")
    return "".join(out)


def _stat_cards(s: dict, charts: dict) -> str:
    out = ["<h2>Statistics</h2><input id=\"filter\" type=\"search\" placeholder=\"filter statistics by name\">",
           "<div class=\"grid\">"]
    langs = (s.get("per_language") or {}).get("languages", {})
    for name, d in s["stats"].items():
        out.append(f"<section class=\"stat\" id=\"stat-{escape(name)}\" data-stat=\"{escape(name)}\">")
        out.append(f"<h3>{escape(name)}</h3><p class=\"doc\">{escape(s['docs'].get(name, ''))} "
                   f"<i>({escape(s['owners'].get(name, ''))})</i></p>")
        if not d["count"]:
            out.append("<p class=\"note\">No row has a value.</p></section>")
            continue
        h = charts["histograms"].get(name)
        if h:
            out.append(svg.histogram(name, h))
        box_rows = [("all", d)] + [(lang, info["stats"].get(name)) for lang, info in
                                   list(langs.items())[:MAX_LANGUAGE_BOXES]]
        out.append(svg.boxes(name, box_rows))
        out.append(f"<p class=\"nums\">{d['count']:,} rows; mean {escape(fmt(d['mean']))}, std "
                   f"{escape(fmt(d['std']))}; p05 {escape(fmt(d['p05']))}, median {escape(fmt(d['p50']))}, "
                   f"p95 {escape(fmt(d['p95']))}</p>")
        ex = charts["examples"].get(name, [])
        if ex:
            items = "".join(
                f"<div class=\"example\"><div class=\"example-head\"><b>{escape(e['level'])}</b> "
                f"(≈ {escape(fmt(e['target']))}): value {escape(fmt(e['value']))}, "
                f"{escape(_where(e))}</div><pre class=\"text\">{escape(e['text'] or '')}</pre></div>" for e in ex)
            out.append(f"<details><summary>example texts at min, p01, p25, median, p75, p99, max</summary>"
                       f"{items}</details>")
        out.append("</section>")
    out.append("</div>")
    return "".join(out)


def _where(e: dict) -> str:
    src = (e.get("source") or "").rsplit("/", 1)[-1]
    return f"{src}:{e['line']}" if e.get("line") is not None else src


def _categorical(s: dict, rows: int) -> str:
    if not s["categorical"]:
        return ""
    out = ["<h2>String statistics</h2><div class=\"grid\">"]
    for name, c in s["categorical"].items():
        out.append(f"<section class=\"stat categorical\" id=\"stat-{escape(name)}\" data-stat=\"{escape(name)}\">"
                   f"<h3>{escape(name)}</h3><p class=\"doc\">{escape(s['docs'].get(name, ''))} "
                   f"<i>({escape(s['owners'].get(name, ''))})</i></p>"
                   f"<p class=\"nums\">{c['count']:,} rows, {c['distinct']:,} distinct values"
                   f"{', ' + format(c['nulls'], ',') + ' without a value' if c['nulls'] else ''}</p>")
        out.append(svg.category_bars(name, [tuple(v) for v in c["top"]], rows))
        out.append("</section>")
    out.append("</div>")
    return "".join(out)


def _correlations(charts: dict) -> str:
    names, matrix = charts["correlations"]
    if len(names) < 2:
        return ("<h2>Correlations</h2><p class=\"note\">Fewer than two statistics vary on this data: "
                "no correlation to show.</p>")
    return ("<h2>Correlations</h2><p class=\"note\">Pearson correlation of every pair of numeric statistics "
            "that vary (rows where both have a value); red positive, blue negative. Hover a cell for its value."
            f"</p><div class=\"scroll\" id=\"correlations\">{svg.heatmap(names, matrix)}</div>")


def _languages(s: dict) -> str:
    per = s.get("per_language")
    if not per or not per.get("languages"):
        return ""
    langs = per["languages"]
    head = "".join(f"<th>{escape(str(lang))}<br><span class=\"note\">{info['rows']:,} rows</span></th>"
                   for lang, info in langs.items())
    body = []
    for name in s["stats"]:
        cells = "".join(f"<td>{escape(fmt((info['stats'].get(name) or {}).get('p50')))}</td>"
                        for info in langs.values())
        body.append(f"<tr><td>{escape(name)}</td>{cells}</tr>")
    others = per.get("other_rows", 0)
    more = f" ({others:,} rows in other languages are not broken out)" if others else ""
    return (f"<h2>By language (<code>{escape(per['stat'])}</code>)</h2><p class=\"note\">Median of each "
            f"statistic per language; box plots above show the {min(len(langs), MAX_LANGUAGE_BOXES)} most "
            f"frequent languages{escape(more)}. Full numbers: <code>summary.json</code>.</p>"
            f"<div class=\"scroll\"><table id=\"languages\"><thead><tr><th>statistic</th>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _notes(s: dict) -> str:
    notes = s.get("notes", [])
    ops = "".join(f"<li><code>{escape(json.dumps(o, ensure_ascii=False))}</code></li>" for o in s["ops"])
    extra = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (f"<h2>What was computed</h2><p class=\"note\">Ops of the pass (in order; filters compute their "
            f"statistics on every row and drop none):</p><ul>{ops}</ul>"
            + (f"<p class=\"note\">Left out:</p><ul>{extra}</ul>" if extra else ""))
