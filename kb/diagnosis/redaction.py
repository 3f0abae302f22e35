"""Removing secrets from a pasted log before anything else sees it."""

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


def _compile_rules() -> tuple[re2._Regexp, tuple[int, ...]]:
    names = tuple(f"secret{index}" for index in range(len(_RULES)))
    alternatives = (
        "(?:" + rule.replace("(?P<secret>", f"(?P<{name}>") + ")" for rule, name in zip(_RULES, names, strict=True)
    )
    options = re2.Options()
    options.never_nl = True
    options.log_errors = False
    # Byte by byte, so that a secret holding bytes that are not valid UTF-8 is still found.
    options.encoding = re2.Options.Encoding.LATIN1
    secrets = re2.compile("|".join(alternatives).encode(), options)
    return secrets, tuple(secrets.groupindex[name.encode()] for name in names)


_SECRETS, _SECRET_GROUPS = _compile_rules()


def redact(log: AnyStr) -> tuple[AnyStr, int]:
    """Replace every secret with REDACTED; return the new log and how many were removed.

    >>> redact("pip install -i https://me:hunter2@pypi.example.org/simple x")
    ('pip install -i https://[redacted]@pypi.example.org/simple x', 1)
    """
    if isinstance(log, str):
        data, removed = _redact_bytes(encode_utf8(log))
        return (data.decode("utf-8", "surrogatepass") if removed else log), removed
    return _redact_bytes(log)


def _redact_bytes(data: bytes) -> tuple[bytes, int]:
    pieces: list[bytes] = []
    copied_up_to = 0
    removed = 0
    for match in _SECRETS.finditer(data):
        start, end = _secret_span(match)
        if _is_masked(data[start:end]):
            continue
        pieces += (data[copied_up_to:start], REDACTED.encode())
        copied_up_to = end
        removed += 1
    if not removed:
        return data, 0
    pieces.append(data[copied_up_to:])
    return b"".join(pieces), removed


def _secret_span(match: "re2._Match") -> tuple[int, int]:
    for group in _SECRET_GROUPS:
        start, end = match.span(group)
        if start >= 0:
            return start, end
    raise AssertionError("every redaction rule has a secret group")


def _is_masked(secret: bytes) -> bool:
    # pip prints index URLs as https://user:****@host; that is not a secret any more.
    return secret.rpartition(b":")[2].strip(b"*") == b""
