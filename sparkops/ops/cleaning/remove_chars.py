"""remove_specific_chars_mapper and replace_content_mapper: fixed characters out, regex
replacements in, as Data-Juicer 1.6.1 does them."""

from __future__ import annotations

import regex

from sparkops.core import Example, Op, OpError, Param, declare
from sparkops.ops.cleaning.common import FAMILY

DEFAULT_CHARS = "◆●■►▼▲▴∆▻▷❖♡□"  # Data-Juicer 1.6.1's default chars_to_remove


def _prepare_chars(p, where):
    chars = p["chars_to_remove"]
    # Data-Juicer puts every item, escaped, into one character class: a multi-character item
    # removes each of its characters, not the string
    removed = "".join(chars) if isinstance(chars, list) else (chars or "")
    return dict(p, table=str.maketrans("", "", removed) if removed else None)


def _remove_chars(texts, p):
    table = p["table"]
    return list(texts) if table is None else [t.translate(table) for t in texts]


declare(Op(
    name="remove_specific_chars_mapper", kind="mapper", family=FAMILY,
    doc="Remove the given characters (default: the bullets and shapes `◆●■►▼▲▴∆▻▷❖♡□`) wherever they are.",
    params=(
        Param("chars_to_remove", "str|list[str]", DEFAULT_CHARS, "Characters to remove: a string (each of its "
              "characters) or a list (each character of each item); empty or null removes nothing.",
              nullable=True),
    ),
    apply=_remove_chars, prepare=_prepare_chars,
    notes="Data-Juicer 1.6.1's rule (a fixture it made, `tests/test_catalogue_text.py`): every character of "
          "`chars_to_remove` goes into one character class, so a list item `'ab'` removes every `a` and every "
          "`b`, not the string `ab`. Matching is by exact code point (no case folding, no normalisation: a "
          "composed `é` is not removed by `e`). An empty string, empty list or null leaves texts unchanged.",
    examples=(
        Example("remove_specific_chars('■ item ◆ two ●')", " item  two "),
        Example("remove_specific_chars('a-b_c', '-_')", "abc"),
    ),
))


def _strip_raw_literal(pattern: str) -> str:
    # Data-Juicer accepts a Python raw-string literal in YAML: r'...' or r"..."
    if len(pattern) > 2 and pattern[:2] in ("r'", 'r"') and pattern[-1] == pattern[1]:
        return pattern[2:-1]
    return pattern


def _prepare_replace(p, where):
    pattern, repl = p["pattern"], p["repl"]
    if pattern is None:
        return dict(p, compiled=[])
    patterns = [pattern] if isinstance(pattern, str) else pattern
    compiled = []
    for i, pat in enumerate(patterns):
        try:
            compiled.append(regex.compile(_strip_raw_literal(pat), flags=regex.DOTALL))
        except regex.error as err:
            at = "" if isinstance(pattern, str) else f" item {i}"
            raise OpError(f"{where}: parameter 'pattern'{at} is not a valid regular expression: {err}") from None
    if isinstance(repl, list):
        # Data-Juicer pairs pattern i with repl[i] and raises ValueError on the first text when
        # repl runs out; here that is refused before any row runs
        if len(repl) < len(compiled):
            raise OpError(f"{where}: parameter 'repl' has {len(repl)} item(s) for {len(compiled)} pattern(s); "
                          "give one replacement per pattern, or one string for all")
        replacements = repl[:len(compiled)]
    else:
        replacements = [repl] * len(compiled)
    return dict(p, compiled=list(zip(compiled, replacements)))


def _replace(texts, p):
    pairs = p["compiled"]
    out = []
    for t in texts:
        for compiled, repl in pairs:
            t = compiled.sub(repl, t)
        out.append(t)
    return out


declare(Op(
    name="replace_content_mapper", kind="mapper", family=FAMILY,
    doc="Replace what each regular expression of `pattern` matches with its `repl`, in order.",
    params=(
        Param("pattern", "str|list[str]", None, "Regular expression(s) (regex module, DOTALL; `r'...'` literals "
              "accepted), applied in order; null leaves texts unchanged.", nullable=True),
        Param("repl", "str|list[str]", "", "Replacement (a template: `\\1`, `\\g<name>`), one for every "
              "pattern, or a list: one per pattern."),
    ),
    apply=_replace, prepare=_prepare_replace,
    notes="Data-Juicer 1.6.1's semantics (a fixture it made, `tests/test_catalogue_text.py`): patterns are "
          "compiled with the `regex` module and DOTALL and applied one after the other, each on the previous "
          "one's output; a list `repl` pairs item i with pattern i (extra items are ignored). Where "
          "Data-Juicer raises ValueError on the first text because `repl` has fewer items than there are "
          "patterns, the op is refused when bound. A replacement template that names a missing group fails "
          "on each row it would apply to (`error:replace_content_mapper: ...`), as Data-Juicer's batch does.",
    examples=(
        Example("replace_content('call 555-1234 now', '\\\\d{3}-\\\\d{4}', '<PHONE>')", "call <PHONE> now"),
        Example("replace_content('john@example', '(\\\\w+)@(\\\\w+)', '\\\\2 at \\\\1')", "example at john",
                "a replacement template"),
    ),
))
