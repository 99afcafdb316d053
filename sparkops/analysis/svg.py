"""Inline SVG charts for the report: histograms, box plots, bars of categories, a correlation
heatmap. Plain strings, no library and nothing fetched: the report opens without network.
Every label is escaped; every bar and cell carries a ``<title>`` (the browser's tooltip).

Pure Python: no pyspark.
"""

from __future__ import annotations

from html import escape

from sparkops.analysis.suggest import fmt

BAR = "#3b6ea5"
OVERFLOW = "#c0793a"
MUTED = "#8a94a6"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'


def _scale(lo: float, hi: float, a: float, b: float):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def histogram(stat: str, h: dict, width: int = 540, height: int = 180) -> str:
    """Bars of ``h`` (``aggregate.histograms``): counts per bin, and one overflow bar for the
    rows above the last edge (the long tail past p99)."""
    counts, edges, overflow = h["counts"], h["edges"], h["overflow"]
    bars = counts + ([overflow] if overflow else [])
    left, right, top, bottom = 46, 10, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(bars) or 1
    slot = plot_w / len(bars)
    y = _scale(0, peak, top + plot_h, top)
    out = [f'<svg class="chart histogram" data-stat="{escape(stat)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="histogram of {escape(stat)}" {FONT}>']
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    for tick in (0, peak / 2, peak):
        ty = y(tick)
        out.append(f'<text x="{left - 4}" y="{ty + 4:.1f}" text-anchor="end" fill="#444">{escape(fmt(round(tick)))}</text>')
    for i, count in enumerate(bars):
        if i < len(counts):
            label = f"[{fmt(edges[i])}, {fmt(edges[i + 1])}{']' if i == len(counts) - 1 else ')'}: {count:,} rows"
            color, cls = BAR, "bar"
        else:
            label = f"> {fmt(h['overflow_from'])} (above p99): {count:,} rows"
            color, cls = OVERFLOW, "bar overflow"
        bar_h = max(0.0, y(0) - y(count))
        if count and bar_h < 1:
            bar_h = 1.0  # a non-empty bin stays visible
        x = left + i * slot
        out.append(f'<rect class="{cls}" x="{x + 0.5:.1f}" y="{top + plot_h - bar_h:.1f}" '
                   f'width="{max(slot - 1, 1):.1f}" height="{bar_h:.1f}" fill="{color}">'
                   f'<title>{escape(label)}</title></rect>')
    xs = [(0, edges[0], "start"), (len(counts) / 2, (edges[0] + edges[-1]) / 2, "middle"),
          (len(counts), edges[-1], "end" if not overflow else "middle")]
    for pos, value, anchor in xs:
        out.append(f'<text x="{left + pos * slot:.1f}" y="{top + plot_h + 14}" text-anchor="{anchor}" '
                   f'fill="#444">{escape(fmt(value))}</text>')
    if overflow:
        out.append(f'<text x="{left + (len(bars) - 0.5) * slot:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                   f'fill="{OVERFLOW}">&gt;p99</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle" fill="#666">'
               f'{escape(stat)} (rows per bin)</text>')
    out.append("</svg>")
    return "".join(out)


def boxes(stat: str, rows: list[tuple[str, dict]], width: int = 540) -> str:
    """Horizontal box plots on one scale, one per (label, summary): whiskers p01 to p99, box
    p25 to p75, the median as a line, the mean as a dot, min and max as ticks."""
    rows = [(label, d) for label, d in rows if d and d.get("count")]
    if not rows:
        return ""
    row_h, left, right, top = 26, 90, 14, 6
    height = top + row_h * len(rows) + 22
    lo = min(d["min"] for _, d in rows)
    hi = max(d["max"] for _, d in rows)
    x = _scale(lo, hi, left, width - right)
    out = [f'<svg class="chart box" data-stat="{escape(stat)}" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="box plot of {escape(stat)}" {FONT}>']
    for r, (label, d) in enumerate(rows):
        cy = top + r * row_h + row_h / 2
        tip = (f"{label}: min {fmt(d['min'])}, p01 {fmt(d['p01'])}, p25 {fmt(d['p25'])}, median {fmt(d['p50'])}, "
               f"p75 {fmt(d['p75'])}, p99 {fmt(d['p99'])}, max {fmt(d['max'])}, mean {fmt(d['mean'])} "
               f"({d['count']:,} rows)")
        out.append(f'<g class="boxrow"><title>{escape(tip)}</title>')
        out.append(f'<text x="{left - 6}" y="{cy + 4:.1f}" text-anchor="end" fill="#333">{escape(str(label)[:14])}</text>')
        out.append(f'<line x1="{x(d["p01"]):.1f}" y1="{cy:.1f}" x2="{x(d["p99"]):.1f}" y2="{cy:.1f}" stroke="#555"/>')
        for edge in ("min", "max"):
            out.append(f'<line x1="{x(d[edge]):.1f}" y1="{cy - 4:.1f}" x2="{x(d[edge]):.1f}" y2="{cy + 4:.1f}" '
                       f'stroke="{MUTED}"/>')
        box_w = max(x(d["p75"]) - x(d["p25"]), 1.0)
        out.append(f'<rect class="iqr" x="{x(d["p25"]):.1f}" y="{cy - 8:.1f}" width="{box_w:.1f}" height="16" '
                   f'fill="#cfe0f3" stroke="{BAR}"/>')
        out.append(f'<line x1="{x(d["p50"]):.1f}" y1="{cy - 8:.1f}" x2="{x(d["p50"]):.1f}" y2="{cy + 8:.1f}" '
                   f'stroke="#123" stroke-width="2"/>')
        out.append(f'<circle cx="{x(d["mean"]):.1f}" cy="{cy:.1f}" r="2.5" fill="{OVERFLOW}"/></g>')
    base = top + row_h * len(rows) + 14
    for value, anchor in ((lo, "start"), ((lo + hi) / 2, "middle"), (hi, "end")):
        out.append(f'<text x="{x(value):.1f}" y="{base}" text-anchor="{anchor}" fill="#444">{escape(fmt(value))}</text>')
    out.append("</svg>")
    return "".join(out)


def category_bars(stat: str, top: list, total: int, width: int = 540) -> str:
    """Horizontal bars of a string statistic's most frequent values."""
    if not top:
        return ""
    row_h, left, right = 18, 120, 60
    height = row_h * len(top) + 8
    peak = max(c for _, c in top) or 1
    out = [f'<svg class="chart categories" data-stat="{escape(stat)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="values of {escape(stat)}" {FONT}>']
    for r, (value, count) in enumerate(top):
        y = 4 + r * row_h
        w = max((width - left - right) * count / peak, 1.0)
        label = escape(str(value)[:18])
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" fill="#333">{label}</text>')
        out.append(f'<rect class="bar" x="{left}" y="{y + 2}" width="{w:.1f}" height="{row_h - 4}" fill="{BAR}">'
                   f'<title>{escape(str(value))}: {count:,} rows</title></rect>')
        share = f"{100 * count / total:.1f}%" if total else ""
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + 12}" fill="#444">{count:,} {share}</text>')
    out.append("</svg>")
    return "".join(out)


def _corr_color(v: float | None) -> str:
    if v is None:
        return "#eeeeee"
    v = max(-1.0, min(1.0, v))
    # white at 0, red towards +1, blue towards -1
    if v >= 0:
        return f"rgb(255,{round(255 - 175 * v)},{round(255 - 185 * v)})"
    return f"rgb({round(255 + 185 * v)},{round(255 + 120 * v)},255)"


def heatmap(names: list[str], matrix: list[list[float | None]], cell: int = 0) -> str:
    """The correlation matrix as coloured cells (values written in when they fit)."""
    n = len(names)
    if n == 0:
        return ""
    cell = cell or max(14, min(34, 760 // n))
    label_w = 7 * max(len(s) for s in names) + 10
    size = label_w + n * cell + 10
    out = [f'<svg class="chart heatmap" viewBox="0 0 {size} {size}" width="{size}" height="{size}" role="img" '
           f'aria-label="correlation matrix" {FONT}>']
    for i, name in enumerate(names):
        cy = label_w + i * cell + cell / 2
        out.append(f'<text x="{label_w - 4}" y="{cy + 4:.1f}" text-anchor="end" fill="#333">{escape(name)}</text>')
        out.append(f'<text transform="translate({label_w + i * cell + cell / 2 + 4:.1f},{label_w - 4}) rotate(-90)" '
                   f'fill="#333">{escape(name)}</text>')
    for i in range(n):
        for j in range(n):
            v = matrix[i][j]
            x, y = label_w + j * cell, label_w + i * cell
            tip = f"{names[i]} ~ {names[j]}: " + ("undefined" if v is None else f"{v:.3f}")
            out.append(f'<rect class="cell" x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                       f'fill="{_corr_color(v)}"><title>{escape(tip)}</title></rect>')
            if v is not None and cell >= 26:
                out.append(f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" '
                           f'font-size="9" fill="#222">{v:.2f}</text>')
    out.append("</svg>")
    return "".join(out)
