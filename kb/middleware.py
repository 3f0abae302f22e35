"""Request guards and response headers that apply to every page."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

# The site uses no camera, microphone, location, payment or other powerful browser feature.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
)

# Scripts and styles come only from this site's files (no template has inline script or style),
# so should an entry's HTML ever carry a script past the sanitiser, the browser will not run it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

NUL_MESSAGE = "The address holds a NUL character; no page has one."


def refuse_nul_in_address(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """A NUL byte in the path or query is never a real address, and PostgreSQL refuses to
    compare text holding one: answer 400 before any view passes it to a query."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain")
        return get_response(request)

    return middleware


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """The Permissions-Policy and Content-Security-Policy headers, unless a view set its own."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return middleware
