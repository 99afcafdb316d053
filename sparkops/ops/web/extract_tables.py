"""extract_tables_from_html_mapper: the tables of an HTML page, into the row's meta.

Data-Juicer 1.6.1 parses the text with BeautifulSoup's ``html.parser`` builder, finds every
``<table>`` (nested ones too, each on its own) and writes to ``meta[tables_field_name]``
(default ``html_tables``) either the tables' HTML (``retain_html_tags``) or, per table, its
rows (every ``<tr>`` below the table, the rows of nested tables included) as lists of the
text of the row's own ``<td>``/``<th>`` cells (``get_text(strip=True)``). Rows without cells
and tables without rows are left out; a page without tables gets ``[]``. The tree
BeautifulSoup builds (how it closes unclosed and misnested tags) decides everything, so the
kernel uses the same builder: beautifulsoup4 (pinned in the ``web`` extra) over Python's
``html.parser``.
"""

from __future__ import annotations

import warnings

from sparkops.core import Example, Op, Param, Stat, declare

# Data-Juicer's MetaKeys.html_tables
DEFAULT_KEY = "html_tables"


def extract_tables(html: str, retain_html_tags: bool = False, include_header: bool = True) -> list:
    """Data-Juicer's value: a list of tables' HTML (``retain_html_tags``) or a list of
    tables, each a list of rows, each a list of cell texts."""
    import bs4  # the web extra; imported where it runs

    with warnings.catch_warnings():
        # text that looks like a file name or URL only warns; Data-Juicer parses it anyway
        warnings.simplefilter("ignore", bs4.MarkupResemblesLocatorWarning)
        soup = bs4.BeautifulSoup(html, "html.parser")
    tables = soup.find_all("table")
    if retain_html_tags:
        return [str(table) for table in tables]
    out = []
    for table in tables:
        rows = []
        for tr in table.find_all("tr"):  # every row below the table, nested tables' too
            if not include_header and tr.find("th", recursive=False) is not None:
                continue  # a header row: one with a <th> of its own
            cells = [cell.get_text(strip=True) for cell in tr.find_all(["td", "th"], recursive=False)]
            if cells:
                rows.append(cells)
        if rows:
            out.append(rows)
    return out


def extract_tables_batch(texts, p) -> dict[str, list]:
    """The texts unchanged and, under the meta key, each text's tables."""
    keep_tags, header = p["retain_html_tags"], p["include_header"]
    return {"text": list(texts), p["tables_field_name"]: [extract_tables(t, keep_tags, header) for t in texts]}


def _writes(p) -> tuple[Stat, ...]:
    """The meta field it writes: its key and type follow the parameters."""
    if p["retain_html_tags"]:
        return (Stat(p["tables_field_name"], "array<string>", "Each table's HTML."),)
    return (Stat(p["tables_field_name"], "array<array<array<string>>>",
                 "Tables, each a list of rows, each a list of cell texts."),)


declare(Op(
    name="extract_tables_from_html_mapper", kind="mapper", family="web",
    doc="Extract the tables of an HTML page into the row's meta (`meta.html_tables`): per table its rows, "
        "each a list of cell texts, or the table's HTML with `retain_html_tags`. The text is unchanged.",
    params=(
        Param("tables_field_name", "str", DEFAULT_KEY, "Meta key the tables are written under."),
        Param("retain_html_tags", "bool", False, "Store each table's HTML (a list of strings) instead of its "
              "cell texts."),
        Param("include_header", "bool", True, "Keep rows that have a `<th>` cell of their own (ignored with "
              "`retain_html_tags`)."),
    ),
    apply=extract_tables_batch, writes=_writes, requires=("web",), sql_params=("include_header",),
    notes="Data-Juicer 1.6.1's exact tables (beautifulsoup4 4.15.0, `html.parser` of CPython 3.11; "
          "other Python versions parse some broken HTML differently). Quirks kept: a nested table is "
          "listed on its own *and* its rows are rows of every enclosing table too; a cell holding a "
          "nested table gets its whole text glued together (`strip=True` joins the stripped strings "
          "with nothing); a row with a `<th>` is a header row wherever it is, so "
          "`include_header: false` also drops body rows with a `<th>` cell (`<tr><th>r1</th><td>1</td>`); "
          "empty tables are "
          "omitted, so indices do not match the page's tables unless `retain_html_tags`; only cells "
          "that are the row's own children count (`<tr><div><td>` is missed); `html.parser` implies no "
          "end tag, so an unclosed `<td>` swallows the cells and rows after it (`<td>a<td>b` is one "
          "cell `ab` holding another). Data-Juicer "
          "skips a row whose meta already holds the key; sparkops recomputes it.",
    examples=(
        Example("extract_tables_from_html('<table><tr><th>k</th></tr><tr><td>a</td><td>b</td></tr></table>')",
                {"text": "<table><tr><th>k</th></tr><tr><td>a</td><td>b</td></tr></table>",
                 "html_tables": [[["k"], ["a", "b"]]]}, "the text is unchanged; the tables go to meta"),
        Example("extract_tables_from_html('<table><tr><th>k</th></tr><tr><td>a</td></tr></table>', false)"
                ".html_tables", [[["a"]]], "include_header false drops the header row"),
    ),
))
