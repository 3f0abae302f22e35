"""Removing secrets from a pasted log before anything else sees it."""

from collections.abc import Iterable, Iterator
from typing import AnyStr

import re2

from kb.diagnosis.reading import encode_utf8

REDACTED = "[redacted]"

# Each rule names the secret with a `secret` group; everything else in the rule is context
# that stays. Values never contain a newline, so redaction never changes the line count.
# A value that starts with `$`, `%` or `{` is a variable reference, not a secret.
_VALUE = r"""[^\s"'&;,<>\[\]$%{][^\s"'&;,<>]*"""
_RULES = (
    # user:password@ (or a token used as the user) in any URL; pip's own `****` mask is kept.
    r"""[a-zA-Z][\w+.-]*://(?P<secret>[^\s/@:'"]*:[^\s/@'"]+|[\w-]{20,})@""",
    r"(?P<secret>pypi-[A-Za-z0-9_-]{16,})",
    r"(?P<secret>gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})",
    r"(?P<secret>gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat)-[A-Za-z0-9_-]{16,})",
    r"(?P<secret>npm_[A-Za-z0-9]{30,})",
    r"\b(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})\b",
    r"""(?i:secret_?access_?key)["']?\s*[=:]\s*["']?(?P<secret>[A-Za-z0-9/+=]{20,})""",
    r"(?i:authorization)\s*[:=]\s*(?:(?i:basic|bearer|token|digest)\s+)?(?P<secret>" + _VALUE + ")",
    r"(?i:bearer)\s+(?P<secret>[A-Za-z0-9._~+/=-]{8,})",
    r"""(?i:--password|--passwd|--token|--api-key)(?:=|\s+)["']?(?P<secret>""" + _VALUE + ")",
    # `-p VALUE` is a password only next to a user name (`-u NAME`, `docker login`).
    r"""(?:\blogin\b|\s-u\s*\S+)[^\n]*?\s-p\s*["']?(?P<secret>[^\s"'-][^\s"']*)""",
    r"""(?i:[a-z0-9_]*(?:token|password|passwd|pwd|secret|api_?key))["']?\s*[=:]\s*["'](?P<secret>[^"'\s]+)["']""",
    r"(?i:[a-z0-9_]*(?:token|password|passwd|pwd|secret|api_?key))\s*=\s*(?P<secret>" + _VALUE + ")",
)


_SECRET_NAMES = tuple(f"secret{index}" for index in range(len(_RULES)))
# Every rule in one alternation, so that one pass finds them all.
SECRETS_PATTERN = "|".join(
    "(?:" + rule.replace("(?P<secret>", f"(?P<{name}>") + ")" for rule, name in zip(_RULES, _SECRET_NAMES, strict=True)
).encode()


def compile_bytes_regex(
    pattern: bytes, case_sensitive: bool = True, capture: bool = True, within_lines: bool = True
) -> "re2._Regexp":
    """An RE2 regex over log bytes; unless told otherwise, it never matches across a line end.

    It reads byte by byte (Latin-1), so text that is not valid UTF-8 can be matched too.
    """
    options = re2.Options()
    options.never_nl = within_lines
    options.log_errors = False
    options.encoding = re2.Options.Encoding.LATIN1
    options.case_sensitive = case_sensitive
    options.never_capture = not capture
    # Room for the DFA of thousands of alternatives; RE2 falls back to a slower (still
    # linear) engine if it needs more.
    options.max_mem = 256 << 20
    return re2.compile(pattern, options)


_SECRETS = compile_bytes_regex(SECRETS_PATTERN)
_SECRET_GROUPS = tuple(_SECRETS.groupindex[name.encode()] for name in _SECRET_NAMES)


def redact(log: AnyStr) -> tuple[AnyStr, int]:
    """Replace every secret with REDACTED; return the new log and how many were removed.

    >>> redact("pip install -i https://me:hunter2@pypi.example.org/simple x")
    ('pip install -i https://[redacted]@pypi.example.org/simple x', 1)
    """
    data = encode_utf8(log) if isinstance(log, str) else log
    spans = list(secret_spans(data))
    if not spans:
        return log, 0
    redacted = without_secrets(data, spans)
    return (redacted.decode("utf-8", "surrogatepass") if isinstance(log, str) else redacted), len(spans)


def secret_spans(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Where the secrets in data[start:end] are, in order; pip's own `****` masks are not secrets."""
    for match in _SECRETS.finditer(data, start, end):
        secret_start, secret_end = next(span for span in map(match.span, _SECRET_GROUPS) if span[0] >= 0)
        if not _is_masked(data[secret_start:secret_end]):
            yield secret_start, secret_end


def without_secrets(data: bytes, spans: Iterable[tuple[int, int]]) -> bytes:
    """`data` with REDACTED in place of each span (in order, not overlapping)."""
    pieces: list[bytes] = []
    copied_up_to = 0
    for start, end in spans:
        pieces += (data[copied_up_to:start], REDACTED.encode())
        copied_up_to = end
    pieces.append(data[copied_up_to:])
    return b"".join(pieces)


def _is_masked(secret: bytes) -> bool:
    # pip prints index URLs as https://user:****@host; that is not a secret any more.
    return secret.rpartition(b":")[2].strip(b"*") == b""
