"""The diagnosis engine: from a pasted pip log to ranked matches and facts.

Plain Python with no Django import and no I/O. The usual order of calls:

    text = read_log(body, limit_bytes)          # may raise LogRejected
    text, removed = redact(text)
    diagnosis = matcher.diagnose(text)          # matcher = Matcher(signatures, refines), built once
"""

from kb.diagnosis.matcher import Matcher, test_signature
from kb.diagnosis.reading import EmptyLog, LogRejected, LogTooLarge, NotText, read_log
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
    "read_log",
    "redact",
    "test_signature",
]
