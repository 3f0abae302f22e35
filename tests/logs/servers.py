"""Local HTTP servers that behave, or misbehave, the way pip's network errors need."""

from __future__ import annotations

import base64
import functools
import shutil
import socket
import ssl
import subprocess
import threading
import xmlrpc.client
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOST = "127.0.0.1"
STALL_SECONDS = 60
# What PyPI answers an XML-RPC `search` with since it turned search off (Warehouse's text).
PYPI_SEARCH_REFUSAL = xmlrpc.client.Fault(
    -32500,
    "RuntimeError: PyPI no longer supports 'pip search' (or XML-RPC search). Please use https://pypi.org/search "
    "(via a browser) instead. See https://warehouse.pypa.io/api-reference/xml-rpc.html#deprecated-methods "
    "for more information.",
)


class QuietFileHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class LongCachedFileHandler(QuietFileHandler):
    """Serves files with the caching header of PyPI's file host, so pip's HTTP cache keeps them."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=365000000, immutable, public")
        super().end_headers()


class PasswordProtectedHandler(QuietFileHandler):
    """Serves files only to requests that send the index's user and password (HTTP basic auth)."""

    def __init__(self, *args: object, credentials: str, **kwargs: object):
        self.expected_authorization = "Basic " + base64.b64encode(credentials.encode()).decode()
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.headers.get("Authorization") == self.expected_authorization:
            super().do_GET()
            return
        body = b"401 Unauthorized\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="index"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FaultyHandler(QuietFileHandler):
    """Misbehaves on every GET the way its fault says: an HTTP status ("404"), "close" (hang
    up without answering), "json" (answer a JSON document, as an API would, not an index page),
    "short" (send half the file, then hang up), "stall" (send half the file, then nothing) or
    "chunked-cut" (send the file as one chunk of a chunked body, and hang up half-way through it)."""

    def __init__(self, *args: object, fault: str, **kwargs: object):
        self.fault = fault
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.fault.isdigit():
            self._send_status(int(self.fault))
        elif self.fault == "close":
            self.close_connection = True
        elif self.fault == "json":
            self._send(200, "application/json", b'{"detail": "Not a simple index: use /simple/"}\n')
        elif self.fault == "resumable" and self.headers.get("Range"):
            self._send_range_of(Path(self.translate_path(self.path)), self.headers["Range"])
        elif self.fault == "chunked-cut":
            self._send_one_chunk_cut_short(Path(self.translate_path(self.path)))
        else:
            self._send_half_of(Path(self.translate_path(self.path)))

    def _send_status(self, status: int) -> None:
        self._send(status, "text/plain", f"{status} {self.responses[status][0]}\n".encode())

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_range_of(self, path: Path, requested: str) -> None:
        content = path.read_bytes()
        start = int(requested.removeprefix("bytes=").partition("-")[0])
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{len(content) - 1}/{len(content)}")
        self.send_header("Content-Length", str(len(content) - start))
        self.end_headers()
        self.wfile.write(content[start:])

    def _send_one_chunk_cut_short(self, path: Path) -> None:
        content = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"%x\r\n%s" % (len(content), content[: len(content) // 2]))
        self.wfile.flush()
        self.close_connection = True

    def _send_half_of(self, path: Path) -> None:
        content = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content[: len(content) // 2])
        self.wfile.flush()
        if self.fault == "stall":
            threading.Event().wait(STALL_SECONDS)
        self.close_connection = True


class RetiredSearchHandler(QuietFileHandler):
    """Answers every XML-RPC call (a POST) as PyPI answers `pip search`: HTTP 200 holding a fault."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = xmlrpc.client.dumps(PYPI_SEARCH_REFUSAL, methodresponse=True).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server:
    def __init__(
        self,
        directory: Path,
        fault: str | None = None,
        tls: ssl.SSLContext | None = None,
        cached: bool = False,
        credentials: str | None = None,
        retired_search: bool = False,
    ):
        handler = functools.partial(FaultyHandler, fault=fault) if fault else QuietFileHandler
        if cached:
            handler = LongCachedFileHandler
        if credentials:
            handler = functools.partial(PasswordProtectedHandler, credentials=credentials)
        if retired_search:
            handler = RetiredSearchHandler
        self.httpd = ThreadingHTTPServer((HOST, 0), functools.partial(handler, directory=str(directory)))
        self.httpd.daemon_threads = True
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentServer:
    """Accepts TCP connections in the kernel's backlog and never answers: a read timeout."""

    def __init__(self) -> None:
        self.socket = socket.create_server((HOST, 0), backlog=16)

    @property
    def port(self) -> int:
        return self.socket.getsockname()[1]

    def close(self) -> None:
        self.socket.close()


def unused_ports(count: int) -> list[int]:
    """Ports nothing listens on (refused connections, a dead proxy)."""
    probes = [socket.create_server((HOST, 0)) for _ in range(count)]
    ports = [probe.getsockname()[1] for probe in probes]
    for probe in probes:
        probe.close()
    return ports


def self_signed_context(directory: Path) -> ssl.SSLContext:
    if not shutil.which("openssl"):
        raise SystemExit("the openssl command is needed to make a self-signed certificate")
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            f"subjectAltName=DNS:localhost,IP:{HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
