"""Threatwatch settings: one file, every value from the environment.

Development defaults are safe and need nothing installed; production (DEBUG off)
refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    return int(env_str(name, str(default)))


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: a long random string, e.g. "
            "from python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must be set when DEBUG is off: the comma-separated host "
        "names the site answers to, e.g. ALLOWED_HOSTS=threatwatch.example.org."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "reversion",
    "django_filters",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "editorial",
    "incidents",
    "glossary",
    "overview",
    "demo",
    "api",
    "exchange",
    "contributions",
    "outbox",
    "subscriptions",
    "downloads",
    "bench",
    "csp",
    "axes",
    "security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "editorial.addresses.SiteAddressMiddleware",
    "csp.middleware.CSPMiddleware",
    "security.middleware.PermissionsPolicyMiddleware",
    "security.middleware.NulByteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Cached public pages are answered here, before sessions, auth and views.
    "editorial.caching.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "security.middleware.DatabaseOutageMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Page queries are short: parallel workers cost more to start than they
    # save, and on a few cores they take CPU from the other app workers.
    # DATABASE_PARALLEL_WORKERS > 0 turns PostgreSQL's parallel query back on.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={env_int('DATABASE_PARALLEL_WORKERS', 0)}"
    )
else:
    # The covering columns of some indexes (INCLUDE) are a PostgreSQL speed-up;
    # SQLite builds the same indexes without them, which is all the quick start
    # needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CACHE_URL: empty for local memory (per process), redis://host:6379/0 for Redis.
# The Redis backend treats an unreachable server as an empty cache (security/cache.py).
CACHE_URL = env_str("CACHE_URL")
if not CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "security.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "threatwatch"),
        }
    }
else:
    raise ImproperlyConfigured(
        "CACHE_URL must be empty (local memory) or a redis://, rediss:// or "
        "unix:// URL."
    )

# Anonymous public pages are cached under the tags of what they show
# (editorial/caching.py); a committed write moves only the tags it touched.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", default=True)
PAGE_CACHE_TTL = env_int("PAGE_CACHE_TTL", 24 * 60 * 60)
# Front-end caches (Varnish with xkey, deploy/varnish/) purged by tag after each
# write: comma-separated URLs, e.g. http://127.0.0.1:6081/. None by default.
FRONTEND_CACHE_URLS = env_list("FRONTEND_CACHE_URLS")
FRONTEND_CACHE_TIMEOUT = float(env_str("FRONTEND_CACHE_TIMEOUT", "2"))
# The response header carrying the tags to the shared cache, which strips it;
# sent only when a front-end cache is configured, unless set explicitly.
CACHE_TAGS_HEADER = env_str("CACHE_TAGS_HEADER", "xkey" if FRONTEND_CACHE_URLS else "")
# Cache-Control of public pages: browsers revalidate (max-age=0); a shared
# cache keeps them this long, purged by tag, and may serve them stale while it
# refetches or while the app is down.
SHARED_CACHE_MAX_AGE = env_int("SHARED_CACHE_MAX_AGE", 24 * 60 * 60)
SHARED_CACHE_STALE_WHILE_REVALIDATE = env_int("SHARED_CACHE_STALE_WHILE_REVALIDATE", 30)
SHARED_CACHE_STALE_IF_ERROR = env_int("SHARED_CACHE_STALE_IF_ERROR", 24 * 60 * 60)

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "en"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Mail: printed to the console in development; in production set
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the server below.
# Every mail goes through the outbox (outbox/services.py) and the worker.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Threatwatch <noreply@localhost>")

# Background work (mail, snapshots) runs in `manage.py db_worker`: django-tasks
# with its database backend, so a task is enqueued in the same transaction as the
# change that asks for it.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Download snapshots of the whole published data set (downloads/): where their
# files are written and how many weeks of them are kept.
SNAPSHOT_ROOT = Path(env_str("SNAPSHOT_ROOT", str(BASE_DIR / "media" / "snapshots")))
SNAPSHOTS_KEPT_WEEKS = int(env_str("SNAPSHOTS_KEPT_WEEKS", "12"))

# Production hardening; each switch can be set from the environment.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS")
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Content-Security-Policy (django-csp 4): no inline script or style anywhere,
# the admin included; JSON-LD data blocks are not script and need no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
if env_str("CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = env_str("CSP_REPORT_URI")
# Browser features the site never uses, switched off by Permissions-Policy.
PERMISSIONS_POLICY_DISABLED = [
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
    "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
    "payment", "picture-in-picture", "publickey-credentials-get", "usb",
    "screen-wake-lock", "xr-spatial-tracking",
]  # fmt: skip

# Repeated failed logins (django-axes): keyed by username and address together,
# so that a stranger cannot lock an editor out from elsewhere.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "security.login.client_ip"
AXES_LOCKOUT_CALLABLE = "security.login.lockout"

SITE_NAME = "Threatwatch"
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 180)

# Readers' submissions (contributions/): name and email are deleted this many
# days after a submission is closed (`manage.py purge_submissions`, daily cron).
SUBMISSION_RETENTION_DAYS = env_int("SUBMISSION_RETENTION_DAYS", 90)
# Per address, counted in the shared cache by django-ratelimit (not an installed
# app: its check refuses the quick start's per-process local-memory cache).
SUBMISSION_RATE = env_str("SUBMISSION_RATE", "5/h")
SUBMISSION_HINTS_RATE = env_str("SUBMISSION_HINTS_RATE", "120/m")
RATELIMIT_IP_META_KEY = "security.login.client_ip"
# With the cache down the forms stay open rather than refusing everyone.
RATELIMIT_FAIL_OPEN = True
# The public address for absolute links (citations, API urls, mail, exports).
# Required in production (`check --deploy`); empty in development, where links
# follow the address of the request (editorial/addresses.py).
SITE_URL = env_str("SITE_URL").rstrip("/")

# Readers' subscriptions (subscriptions/): a sending run waits this long after a
# published change, so that the changes of a busy hour reach a reader as one mail.
SUBSCRIPTION_BATCH_MINUTES = env_int("SUBSCRIPTION_BATCH_MINUTES", 15)
# Follow requests one address may make (django-ratelimit rate).
FOLLOW_RATE = env_str("FOLLOW_RATE", "10/h")

# The public JSON API (api/): read-only, anonymous, open to every origin.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Threatwatch API",
    "DESCRIPTION": "Published domains, threat patterns, incidents and glossary "
    "terms of the Threatwatch knowledge base, as JSON. Read-only and anonymous.",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.openapi.describe_errors",
    ],
}
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
