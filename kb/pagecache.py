"""A short-lived, per-process cache of whole public pages for anonymous readers.

Readers land on entry pages from search engines; serving them without a database query is
what lets an entry page answer nearly as fast as a bare view. A change made in this process
drops every cached page at once (the generation below); other processes serve a page at most
``KB_PAGE_CACHE_SECONDS`` old before they look at the database again.
"""

from collections.abc import Callable
from functools import wraps
from itertools import count

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

_generations = count()
_generation = next(_generations)


def content_changed() -> None:
    global _generation
    _generation = next(_generations)


def generation() -> int:
    """A number that changes whenever this process changes the content."""
    return _generation


def is_anonymous_reader(request: HttpRequest) -> bool:
    """No session cookie: the page cannot depend on who is asking."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def cached_for_readers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_anonymous_reader(request) or settings.KB_PAGE_CACHE_SECONDS <= 0:
            return view(request, *args, **kwargs)
        # The path alone: the page never depends on the query string, and keying on it would let
        # ?utm_source=1, 2, 3... fill the cache with copies of one page.
        key = f"page:{_generation}:{request.path}"
        cached = cache.get(key)
        if cached is not None:
            body, last_modified = cached
            return HttpResponse(body, headers={"Last-Modified": last_modified} if last_modified else None)
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            kept = (response.content, response.headers.get("Last-Modified"))
            cache.set(key, kept, timeout=settings.KB_PAGE_CACHE_SECONDS)
        return response

    return wrapper


def reader_cache_headers(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Lets browsers and a CDN keep a reader's page for ``KB_PAGE_MAX_AGE`` seconds, then
    revalidate it (ETag, Last-Modified); a signed-in editor's page is never shared."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if is_anonymous_reader(request) and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.KB_PAGE_MAX_AGE)
        else:
            patch_cache_control(response, private=True, no_cache=True)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
