"""What the app writes to its logs passes through the diagnosis's secret removal."""

import logging

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


class RedactingAccessLogger(Logger):
    """gunicorn's logger, writing each request's path (the access log leaves out query strings)
    without a password pasted into it."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact(atoms["U"])[0]
        return atoms
