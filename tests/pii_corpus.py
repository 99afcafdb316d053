"""Deterministic inputs and cases for the Data-Juicer PII fixture (tests/fixtures/dj_pii_redaction.json.gz).

Standard library only: imported by ``tools/dj_parity/gen_pii_fixture.py`` in Data-Juicer's
venv and by ``tests/test_safety_pii_redaction.py`` in ours.

- ``sft_records()``: every k-th record of the SFT files under ``../shared/data/sft`` (messages,
  ShareGPT ``conversations``, alpaca, DPO, gsm8k), each also as one ``text`` (its strings joined)
  and, for ShareGPT, as role/content ``messages``;
- ``hard_records()``: hand-written agent records: every PII family Data-Juicer knows, tool
  calls, odd values, and adversarial strings at sizes Data-Juicer still finishes;
- ``VARIANTS``: parameter sets (``ERROR_VARIANTS``: ones Data-Juicer fails on, or accepts where
  sparkops refuses at bind); ``RUNS``: which variant runs over which record set;
- the parity corpus (``parity_corpus.documents()``) as ``{"text": ...}``, under ``CORPUS_VARIANTS``.
"""

from __future__ import annotations

import hashlib
import json

import parity_corpus

SFT = parity_corpus.SHARED_DATA / "sft"
# file -> (every k-th record, at most n): ~300 real records, small enough for the fixture
SFT_FILES = {
    "alpaca_en_demo.json": (11, 60), "alpaca_zh_demo.json": (11, 40), "kto_en_demo.json": (7, 40),
    "dpo_en_demo.json": (13, 25), "dpo_zh_500.jsonl": (19, 25), "sharegpt_zh_1k.jsonl": (17, 50),
    "v1_sft_demo.jsonl": (5, 40), "gsm8k_test.jsonl": (53, 20),
}
MAX_RECORD_CHARS = 6000  # longer records are skipped (fixture size)

PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nabc+/=\n-----END RSA PRIVATE KEY-----"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
OU = "ou_0123456789abcdef0123456789abcdef"
TEXTS = [
    "ls /home/alice/projects/x.py and /Users/bob/Desktop/a b.txt then (/tmp/x) [/etc/passwd] '/var/log/y'",
    "path=/opt/app/bin:/usr/bin, /Applications/Foo.app, /User/x, /homework/not, a/home/b, \"/home/q\"",
    "C:\\Users\\alice\\Documents\\a.docx and D:\\data\\ and \\\\server\\share\\dir\\f.txt, =\\\\nas\\x",
    "mail alice.smith+tag@example.co.uk, bob@gwm.cn, x@qq.com, Upper@EXAMPLE.COM, 中文名zhang@corp.cn",
    "bad emails: a@b, @example.com, a@b.c, a@b.com123, user@host.c1, user@-x.io, _x@y.io",
    "api_key=sk-abc123 password: hunter2 \"token\": \"abc.def\", Authorization: Bearer xyz, passwd='p w'",
    "secret = {\"a\": 1} license-key:AAAA-BBBB credential=c1, API-KEY : k, apikey=[REDACTED]",
    "session_id: 8f3a-12.x user-id=ou_1 request_id: 'r-9' TRACE_ID=t.1 sessionid=abc",
    "当前的channel: feishu, channel=dingtalk, channel: '飞书', 当前的 channel ：钉钉, channel: emailx",
    f"open_id {OU} and OU_0123456789ABCDEF0123456789ABCDEF, u_abcdefghij1234567, uid_short, ou_{'z' * 70}",
    "call 13812345678 or 138123456789 or 12812345678, +86 13812345678, +1-2025550123, +44.7911123456",
    "ID 11010519491231002X, 110105194912310021, 11010519491331002X, 911010519491231002X",
    f"key:\n{PEM}\nafter, and another -----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE----- done",
    f"Bearer {JWT} and eyJx.y and eyJa.b.c= and xeyJa.b.c",
    "see https://example.com/a?token=abc&x=1 and http://10.0.0.1:8080/p 'https://q.io/x' <http://z.cn/路>",
    "ip 192.168.1.1, 256.1.1.1, 1.2.3.4.5, 01.02.03.004, 10.0.0.256, 255.255.255.255, 1.1.1.1a",
    "v6 [2001:db8::1]:8080 and [::1] and [fe80::1%eth0] and [::]:99999 and 2001:db8::2 [1.2]",
    "mac 00:1A:2B:3C:4D:5E, 00-1a-2b-3c-4d-5e, 00:1A:2B:3C:4D:5E:6F, :00:11:22:33:44:55, 0011.2233.4455",
    "unicode: 路径 /home/用户/文档 邮箱 张三@例子.中国 电话 13912345678 ＠ full-width　/tmp/a\u3000b",
    "mixed: file /home/u/.ssh/id_rsa password=/home/u/pw user@example.com/path token=eyJa.eyJb.c",
    "",
    "nothing to redact here.",
]
ADVERSARIAL = [  # sizes Data-Juicer finishes in well under a second (its email/PEM/JWT regexes are quadratic)
    "a" * 5000, "a" * 5000 + " @", "a@" + "b" * 5000, "1" * 5000, "-----BEGIN " + "-" * 3000,
    "-----BEGIN X-----\n" * 300 + "-----END X-----", "eyJ-" * 2000, "/home" + "/" * 50000 + "!",
    " /home" * 5000, "C:\\" + "\\" * 30000, "password" + " " * 20000 + ":x", "[" + "a" * 30000,
    "a.b@" * 1000, "x" * 2000 + "@" + "y." * 2000, "-----END X-----" * 200 + "-----BEGIN " + "-" * 50,
]


def hard_records() -> list[tuple[str, dict]]:
    out = [(f"hard:text{i}", {"text": t}) for i, t in enumerate(TEXTS)]
    out += [(f"hard:adv{i}", {"text": t}) for i, t in enumerate(ADVERSARIAL)]
    out += [
        ("hard:qr", {"text": TEXTS[3], "query": TEXTS[0], "response": TEXTS[5]}),
        ("hard:qr_list", {"query": [TEXTS[3], TEXTS[5]], "response": [TEXTS[0], None]}),
        ("hard:qr_list3", {"query": [TEXTS[3], TEXTS[5], TEXTS[0]], "response": ("x@y.com",)}),
        ("hard:double", {"tags": ["password=abc", "/home/x", "token: eyJa.b.c"], "path": "password=x"}),
        ("hard:history", {"query": "q x@y.com", "dialog_history": [
            ["my mail is a@b.com", "ok /home/a"], ["1", "2", "password=drop"], ["only one"], "session_id: 9",
            [None, 5], {"path": "/home/d"}, [["password=n"], "x"]]}),
        ("hard:history_bad", {"dialog_history": "password=abc", "text": None}),
        ("hard:messages", {"messages": [
            {"role": "system", "content": "当前的channel: feishu, user_id: " + OU},
            {"role": "user", "content": "read /home/alice/secret.txt and mail bob@example.com"},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "read_file",
                                                              "arguments": "{\"path\": \"/home/alice/secret.txt\"}"}},
                {"id": "c2", "function": {"name": "send", "arguments": {
                    "to": "bob@example.com", "file_path": "/Users/alice/a.txt", "files": ["/tmp/x", 3],
                    "nested": {"path": "C:\\Users\\a", "body": "password=pw"}}}},
                {"id": "c3", "function": {}, "function_call": {"arguments": "api_key=k1"}},
                {"id": "c4", "arguments": "token=t1 /home/z", "function": None},
                {"id": "c5", "arguments": {"path": "/var/x", "list": ["13812345678"]}},
                "not a call", None]},
            {"role": "tool", "content": [{"type": "text", "text": "ip 10.1.2.3 mac 00:1A:2B:3C:4D:5E"},
                                         {"type": "text", "content": "x@y.com", "value": "a@b.com"},
                                         "password=inline", 42, None, ["/home/nested"]]},
            {"role": "assistant", "content": "", "tool_use": [
                {"name": "t", "arguments": "session_id=1"}, {"function": {"arguments": ["/home/l"]}}]},
            {"role": "user", "content": {"text": "a@b.com"}, "path": "/home/p"},
            "a string message", None, 7, ["x@y.com"]]}),
        ("hard:messages_empty", {"messages": [], "text": ""}),
        ("hard:messages_str", {"messages": "password=notalist /home/x", "text": 5}),
        ("hard:messages_dict", {"messages": {"content": "x@y.com", "path": "/home/q"}}),
        ("hard:messages_two", {"messages": [{"content": "a@b.com"}, {"content": "/home/x"}]}),
        ("hard:odd", {"text": "x", "n": 1, "f": 1.5, "b": True, "none": None, "file": "/home/f",
                      "file_paths": ["/home/a", "/home/b"], "arguments": 3, "meta": {"file": 7, "path": None},
                      "deep": {"a": [{"b": [{"path": "/home/deep", "text": "/home/no"}]}]}}),
        ("hard:unicode", {"text": "\u202e/home/x\u202c 😀 a@b.com \ud83d lone", "query": "\x00/tmp/nul"}),
        ("hard:deep", {"text": "/home/x", "nest": _nested(DEEP_OK)}),
    ]
    return out


DEEP_OK, DEEP_FAIL = 400, 3000  # nesting Data-Juicer's recursion (and JSON) handles; one it does not


def _nested(depth: int):
    value: object = ["/home/bottom"]
    for _ in range(depth):
        value = [value]
    return value


VARIANTS = {
    "default": {},
    "urls": {"mask_urls": True},
    "some_off": {"mask_paths": False, "mask_emails": False, "mask_ips": False, "mask_secrets": False},
    "all_off": {k: False for k in ("mask_paths", "mask_emails", "mask_secrets", "mask_ids", "mask_phones",
                                   "mask_id_cards", "mask_channel_ids", "mask_platform_open_ids", "mask_pem",
                                   "mask_jwt", "mask_ips", "mask_macs")},
    "custom": {"path_replacement": "<P>", "email_replacement": "<\\g<0>>", "secret_replacement": "***",
               "id_replacement": "=?", "phone_replacement": "", "ip_replacement": "IP\\n",
               "channel_id_replacement": "[C]", "jwt_replacement": "J", "pem_replacement": "[PEM \\\\ key]",
               "mac_replacement": "M", "url_replacement": "U", "id_card_replacement": "I", "mask_urls": True},
    "extra": {"extra_patterns": [["\\bAcme\\b", "[ORG]"], ["(\\d{4})-(\\d{4})", "\\2-\\1"], ["REDACTED", "R"]]},
    "text_only": {"redact_keys": ["text"]},
    "no_messages_key": {"messages_key": None},
    "other_keys": {"redact_keys": ["query", "messages", "dialog_history", "instruction", "output", "text",
                                   "text"], "messages_key": "conversations", "text_key": "instruction"},
}
# Data-Juicer errors pinned as deliberate differences
ERROR_VARIANTS = {
    "bad_regex": {"extra_patterns": [["(unclosed", "x"], ["ok", "OK"]]},
    "bad_template": {"path_replacement": "\\d"},
    "bad_group": {"email_replacement": "\\1"},
}


def sft_records() -> list[tuple[str, dict]]:
    out = []
    for name, (step, limit) in SFT_FILES.items():
        path = SFT / name
        if name.endswith(".jsonl"):
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        else:
            rows = json.loads(path.read_text(encoding="utf-8"))
        taken = 0
        for i in range(0, len(rows), step):
            rec = rows[i]
            if len(json.dumps(rec, ensure_ascii=False)) > MAX_RECORD_CHARS:
                continue
            out.append((f"sft:{name}:{i}", rec))
            texts = [s for s in _strings(rec)]
            out.append((f"sft:{name}:{i}:text", {"text": "\n".join(texts)}))
            if "conversations" in rec:
                out.append((f"sft:{name}:{i}:messages", {"messages": [
                    {"role": t.get("from"), "content": t.get("value")} for t in rec["conversations"]]}))
            taken += 1
            if taken >= limit:
                break
    return out


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


RUNS = (*((v, "hard") for v in (*VARIANTS, *ERROR_VARIANTS)),
        *((v, "sft") for v in ("default", "urls", "other_keys", "no_messages_key")))
CORPUS_VARIANTS = ("default", "urls")


def records() -> dict[str, dict]:
    """Every record by id: ``hard:*`` then ``sft:*``."""
    return dict(hard_records() + sft_records())


def sha16(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def record_digest(record) -> str:
    return sha16(json.dumps(record, sort_keys=True, ensure_ascii=True))


def text_value(text_out):
    """How the fixture stores a changed corpus text: verbatim when short, else [sha16, length]."""
    return text_out if len(text_out) <= 400 else [sha16(text_out), len(text_out)]
