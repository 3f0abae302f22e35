"""What the app writes to its logs passes through the diagnosis's secret removal."""

import logging
import re

from gunicorn.glogging import Logger

from kb.diagnosis import redact


class RedactSecrets(logging.Filter):
    """Django logs every 404 with its address ("Not Found: /..."), and an address pasted whole
    may hold a password: the record is written with the password removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message, removed = redact(record.getMessage())
        if removed:
            record.msg, record.args = message, ()
        return True


class WithoutQueryStrings(logging.Filter):
    """The development server logs each request line (`GET /search/?q=... HTTP/1.1`), and a
    search's query may hold a pasted line: the line is written without its query string, as
    gunicorn's access log is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (_QUERY_STRING.sub("", record.args[0], count=1), *record.args[1:])
        return True


# From the `?` to the protocol at the end of the request line (to its end if it has none).
_QUERY_STRING = re.compile(r"\?.*?(?=\sHTTP/\S*$|$)")


class RedactingAccessLogger(Logger):
    """gunicorn's logger, writing each request's path (the access log leaves out query strings)
    without a password pasted into it."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact(atoms["U"])[0]
        return atoms
