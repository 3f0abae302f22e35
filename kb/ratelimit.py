"""Per-client limits on expensive requests, counted in the shared cache so that every server
process sees the same counts."""

import functools
import ipaddress
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse

RATE_LIMIT_MESSAGE = "Too many diagnoses from your address in a short time. Wait a minute and try again."


def client_address(request: HttpRequest) -> str:
    """The address the outermost of ``KB_TRUSTED_PROXIES`` proxies appended to X-Forwarded-For.

    Each proxy appends the address it saw, so with two proxies ``forged, client, proxy1`` names
    the client second from the right; whatever a client wrote itself stands further left.
    """
    trusted = settings.KB_TRUSTED_PROXIES
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if trusted > 0 and len(hops) >= trusted:
        return hops[-trusted]
    # Only requests built in-process (a login made by code) have no peer: they are local, and
    # the login lockout stores the answer in an address column that refuses anything else.
    return request.META.get("REMOTE_ADDR") or "127.0.0.1"


def login_client_address(request: HttpRequest) -> str | None:
    """The client's address for the login throttle (django-axes stores it in an address column),
    or None when the request carries no valid one, such as a forwarded hop that is no address."""
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


def over_limit(request: HttpRequest, scope: str, limit: int) -> bool:
    """Count this request; True once the client has made more than ``limit`` in the last window.

    The last window is estimated from this window's count and the previous one's, weighted by
    how much of it still falls in the last window, so a client cannot spend its limit at the
    end of one window and again at the start of the next.
    """
    window = settings.KB_RATE_WINDOW_SECONDS
    now = time.time()
    prefix = f"rate:{scope}:{client_address(request)}"
    key, previous_key = f"{prefix}:{int(now // window)}", f"{prefix}:{int(now // window) - 1}"
    count, previous_count = window_counts("shared", key, previous_key, timeout=window * 2)
    previous_share = 1 - (now % window) / window
    return count + int(previous_count * previous_share) > limit


def window_counts(alias: str, key: str, previous_key: str, timeout: int) -> tuple[int, int]:
    """This window's count with this request added, and the previous window's count, in the
    cache ``alias``."""
    cache = caches[alias]
    if isinstance(cache, RedisCache):
        return redis_window_counts(cache, redis_server(settings.CACHES[alias]["LOCATION"]), key, previous_key, timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # the first request of the window, or its count just expired
        count = 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)
    return count, cache.get(previous_key, 0)


@functools.cache
def redis_server(url: str) -> redis.Redis:
    """A pool of connections to the Redis server at ``url``, shared by this process's threads
    (redis-py opens new connections in a forked child)."""
    return redis.Redis.from_url(url)


def redis_window_counts(
    cache: RedisCache, server: redis.Redis, key: str, previous_key: str, timeout: int
) -> tuple[int, int]:
    """The same in one round trip to the cache's Redis ``server``, where Django's cache takes three
    (its incr asks whether the key exists first). Redis keeps the integers Django's cache stores as
    plain numbers, so Django's cache reads these counts as it reads its own."""
    key, previous_key = cache.make_and_validate_key(key), cache.make_and_validate_key(previous_key)
    pipeline = server.pipeline(transaction=False)
    pipeline.set(key, 0, ex=timeout, nx=True)  # the window's first request starts its count
    pipeline.incr(key)
    pipeline.get(previous_key)
    _, count, previous_count = pipeline.execute()
    return count, int(previous_count or 0)


def rate_limited(
    scope: str,
    refuse: Callable[[HttpRequest], HttpResponse],
    limit_setting: str = "KB_RATE_LIMIT",
    methods: tuple[str, ...] = ("POST",),
) -> Callable:
    """Answer with ``refuse(request)`` once a client has used up its ``methods`` requests in
    this window (the number in the setting ``limit_setting``)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            limit = getattr(settings, limit_setting)
            if request.method in methods and over_limit(request, scope, limit):
                return refuse(request)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
