"""The diagnosis engine: from a pasted pip log to ranked matches and facts.

Plain Python with no Django import and no I/O. The usual order of calls:

    data = read_log(body, limit_bytes)          # UTF-8 bytes; may raise LogRejected
    diagnosis = matcher.diagnose(data)          # matcher = Matcher(signatures, refines), built once
    shown = log_text(diagnosis.log)             # without secrets (diagnosis.redacted of them)

`redact` removes the same secrets from any other text, such as a note sent with a shared log.
"""

from kb.diagnosis.matcher import Matcher, test_signature
from kb.diagnosis.reading import EmptyLog, LogRejected, LogTooLarge, NotText, log_text, read_log
from kb.diagnosis.redaction import REDACTED, redact
from kb.diagnosis.results import Diagnosis, Match
from kb.diagnosis.signatures import InvalidPattern, Signature

__all__ = [
    "REDACTED",
    "Diagnosis",
    "EmptyLog",
    "InvalidPattern",
    "LogRejected",
    "LogTooLarge",
    "Match",
    "Matcher",
    "NotText",
    "Signature",
    "log_text",
    "read_log",
    "redact",
    "test_signature",
]
