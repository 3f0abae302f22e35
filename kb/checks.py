"""System checks for settings that are easy to get wrong in production."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list:
    shared = settings.CACHES.get("shared", {})
    if "locmem" in shared.get("BACKEND", ""):
        return [
            Warning(
                "The 'shared' cache is per process, so rate limits and matcher rebuilds are not shared.",
                hint="Use the database or Redis cache backend for CACHES['shared'].",
                id="kb.W001",
            )
        ]
    return []


@register()
def check_log_limit(app_configs, **kwargs) -> list:
    if settings.KB_MAX_LOG_BYTES <= 0:
        return [Error("KB_MAX_LOG_BYTES must be a positive number of bytes.", id="kb.E001")]
    return []
