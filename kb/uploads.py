"""Request bodies are bounded before they are read, whatever their framing."""

from collections.abc import Callable, Iterable
from io import BytesIO

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class BoundedUploadHandler(FileUploadHandler):
    """Refuses a multipart body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` from its declared length,
    before a byte of it is read or written to disk (Django bounds only the non-file fields)."""

    def handle_raw_input(self, input_data, META, content_length: int, boundary, encoding=None) -> None:
        if content_length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise RequestDataTooBig("The request body is larger than the site accepts.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def read_chunked_bodies(application: WsgiApp) -> WsgiApp:
    """Django reads no body without a Content-Length, so a chunked upload (``curl -T -``)
    would look empty. Read at most one byte past the limit into memory and give the body its
    length; an over-limit body then meets Django's own size check and its 413."""

    def bounded(environ: dict, start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
            environ["wsgi.input"] = BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return application(environ, start_response)

    return bounded
