"""Per-client limits on expensive requests, counted in the shared cache so that every server
process sees the same counts."""

import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

RATE_LIMIT_MESSAGE = "Too many diagnoses from your address in a short time. Wait a minute and try again."


def client_address(request: HttpRequest) -> str:
    if settings.KB_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def over_limit(request: HttpRequest, scope: str, limit_setting: str = "KB_RATE_LIMIT") -> bool:
    window = settings.KB_RATE_WINDOW_SECONDS
    key = f"rate:{scope}:{client_address(request)}:{int(time.time() // window)}"
    cache = caches["shared"]
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window * 2)
        count = 1
    return count > getattr(settings, limit_setting)


def rate_limited(
    scope: str, refuse: Callable[[HttpRequest], HttpResponse], limit_setting: str = "KB_RATE_LIMIT"
) -> Callable:
    """Answer with ``refuse(request)`` once a client has used up its requests in this window;
    ``limit_setting`` names the setting with the number of requests allowed."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST" and over_limit(request, scope, limit_setting):
                return refuse(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
