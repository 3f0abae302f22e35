"""Settings, read from the environment. Defaults let a fresh clone run locally."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///name.sqlite3 is relative to the project, sqlite:////abs/path.sqlite3 absolute.
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / parts.path[1:]}
    if parts.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parts.path.lstrip("/"),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(f"DATABASE_URL must start with sqlite:// or postgres://, not {parts.scheme!r}")


def proxy_ssl_header(header: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` becomes Django's ``("HTTP_X_FORWARDED_PROTO", "https")``."""
    if not header:
        return None
    return ("HTTP_" + header.upper().replace("-", "_"), "https")


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = get_random_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "kb",
    "kb.staff",
]

MIDDLEWARE = [
    "kb.middleware.refuse_nul_in_address",
    "django.middleware.security.SecurityMiddleware",
    "kb.middleware.security_headers",
    # Compresses HTML and JSON (whitenoise serves static files precompressed). BREACH needs a
    # secret in a compressed body next to text an attacker controls: Django masks the CSRF
    # token afresh in every response, and GZipMiddleware pads each body with random bytes
    # (Django 4.2+), so compressing pages that carry CSRF tokens stays safe.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kb.urls"
WSGI_APPLICATION = "kb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def shared_cache(redis_url: str, table: str, max_entries: int) -> dict:
    """Redis when there is one, else a table in the database every process already shares."""
    if redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url, "KEY_PREFIX": table}
    return {
        "BACKEND": "kb.counting_cache.CountingDatabaseCache",
        "LOCATION": table,
        "OPTIONS": {"MAX_ENTRIES": max_entries},
    }


# "default" is per process (rendered HTML, keyed by content version). "shared" is seen by every
# process (rate-limit counts); "signals" too, and holds only the signature version that tells
# each process to rebuild its matcher, so culling the many counts can never drop it.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
    "shared": shared_cache(REDIS_URL, "kb_shared_cache", max_entries=100_000),
    "signals": shared_cache(REDIS_URL, "kb_signal_cache", max_entries=100),
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:dashboard"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Password guessing: after KB_LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one
# client, that account or client is refused (before any password is hashed) until the failures
# stop for KB_LOGIN_LOCKOUT_MINUTES. Failures are counted in the database, so every process sees them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("KB_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KB_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "kb.ratelimit.login_client_address"
AXES_LOCKOUT_TEMPLATE = "staff/locked_out.html"
AXES_VERBOSE = False

# Production hardening; all of it is on whenever DEBUG is off.
# Trust a proxy's word that the request came over https only when told which header it sets
# (and so overwrites): a client could send it too.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("KB_PROXY_SSL_HEADER", ""))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Longest time an editor's Markdown may take to render (on save and preview) before it is refused.
KB_MARKDOWN_RENDER_SECONDS = env_int("KB_MARKDOWN_RENDER_SECONDS", 3)

# A one-person team may publish its own revisions; the audit trail says so each time.
KB_ALLOW_SELF_PUBLISH = env_bool("KB_ALLOW_SELF_PUBLISH", False)

# The diagnosis: the largest log accepted, and how many diagnoses one client may ask for.
KB_MAX_LOG_BYTES = env_int("KB_MAX_LOG_BYTES", 5 * 1024 * 1024)
# A log of at least this size is diagnosed in a process of its own, beside the server's threads.
KB_OWN_PROCESS_LOG_BYTES = env_int("KB_OWN_PROCESS_LOG_BYTES", 1024 * 1024)
# Such logs one server process holds at once (diagnosed or waiting for a free core); past them
# the next is refused for a while (503). Two of gunicorn_conf.py's 8 threads are left for pages.
KB_LARGE_LOGS_HELD = env_int("KB_LARGE_LOGS_HELD", 6)
# A diagnosed log up to this size comes back in the form for editing, and its lines without a
# match come folded on the page; a larger one is not repeated.
KB_ECHO_LOG_BYTES = env_int("KB_ECHO_LOG_BYTES", 64 * 1024)
KB_RATE_LIMIT = env_int("KB_RATE_LIMIT", 30)
KB_RATE_WINDOW_SECONDS = env_int("KB_RATE_WINDOW_SECONDS", 60)
# Shared logs: how many one client may share per rate window, the largest, and how many may wait.
KB_SHARE_RATE_LIMIT = env_int("KB_SHARE_RATE_LIMIT", 5)
KB_SHARED_LOG_MAX_BYTES = env_int("KB_SHARED_LOG_MAX_BYTES", 512 * 1024)
KB_SHARED_LOG_QUEUE_LIMIT = env_int("KB_SHARED_LOG_QUEUE_LIMIT", 500)
# Searches (and the 404 page's suggestions) per client per window.
KB_SEARCH_RATE_LIMIT = env_int("KB_SEARCH_RATE_LIMIT", 120)
# A diagnosis shared by link is kept this many days; "Was this helpful?" answers per client and window.
KB_SHARED_DIAGNOSIS_DAYS = env_int("KB_SHARED_DIAGNOSIS_DAYS", 30)
KB_FEEDBACK_RATE_LIMIT = env_int("KB_FEEDBACK_RATE_LIMIT", 10)
# How long another server process may serve an entry page from memory after it changed.
KB_PAGE_CACHE_SECONDS = env_int("KB_PAGE_CACHE_SECONDS", 10)
# How many reverse proxies of yours stand in front of the app, each appending the address it
# saw to X-Forwarded-For: clients are counted by the address the outermost one appended.
KB_TRUSTED_PROXIES = env_int("KB_TRUSTED_PROXIES", 0)
# How long a browser or CDN may keep a reader's entry page before revalidating it (ETag, 304).
KB_PAGE_MAX_AGE = env_int("KB_PAGE_MAX_AGE", 60)
# Where the CLI's diagnoses say the entries live.
KB_SITE_URL = os.environ.get("KB_SITE_URL", "http://127.0.0.1:8000")
# Logs of pip runs that succeeded: a changed signature that fires on one is a regression.
KB_CLEAN_LOGS_DIR = Path(os.environ.get("KB_CLEAN_LOGS_DIR", BASE_DIR / "tests" / "logs" / "success"))
DATA_UPLOAD_MAX_MEMORY_SIZE = KB_MAX_LOG_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Uploads are refused by their declared size before they are read, and kept in memory.
FILE_UPLOAD_HANDLERS = ["kb.uploads.BoundedUploadHandler", "django.core.files.uploadhandler.MemoryFileUploadHandler"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_secrets": {"()": "kb.log_filters.RedactSecrets"},
        "without_query_strings": {"()": "kb.log_filters.WithoutQueryStrings"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Django's own handlers (its debug console, admin mail and development server's request
    # lines) would write records unfiltered: its records reach the root's handler alone.
    "loggers": {
        "django": {"handlers": []},
        "django.server": {"filters": ["without_query_strings"], "propagate": True},
    },
}
