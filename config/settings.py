"""
claimtrack settings: one module, configured from the environment.

Production defaults are safe: debug is off unless DJANGO_DEBUG says otherwise, and
with debug off a real DJANGO_SECRET_KEY is required. ``manage.py`` (the developer's
entry point) defaults DJANGO_DEBUG to on; gunicorn (``config.wsgi``) does not.
See ``.env.example`` for every variable.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false), not {value!r}"
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be an integer, not {value!r}"
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # manage.py turns debug on by itself only without a DATABASE_URL.
        why = (
            "DATABASE_URL is set, so debug is off unless DJANGO_DEBUG says so"
            if os.environ.get("DATABASE_URL", "").strip()
            else "DJANGO_DEBUG is off"
        )
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is required: {why}. Set DJANGO_SECRET_KEY (make "
            "one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or DJANGO_DEBUG=1 for local development only."
        )
    SECRET_KEY = "django-insecure-claimtrack-local-development-only"
# Old keys, still accepted for signatures (sessions, password reset links) while
# they expire: rotate by moving the old key here (docs/OPERATIONS.md).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "simple_history",
    "django_tasks_db",
    "sources",
    "claims",
    "public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # RateLimit / RateLimit-Policy headers from the API's throttles.
    "claims.api.throttling.RateLimitHeadersMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads a body: an oversized one is a 413, unread.
    "config.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A lost database connection in a view: 503 with Retry-After, not 500.
    "config.health.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
# The admin's sign-in serves the public pages that need one (watching): every
# account with a role signs in there (sources/review.py).
LOGIN_URL = "admin:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' own: DRF form templates without inline styles.
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: DATABASE_URL, or a SQLite file in the project folder (zero setup).
SQLITE_OPTIONS = {
    # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
    # timeout instead of failing with "database is locked" on upgrade.
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        # A persistent connection is checked before a request uses it, so that
        # one the server dropped (a restart, a failover) is replaced.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
        # Fail fast when the server does not answer (a ?connect_timeout= in
        # DATABASE_URL wins); the request then answers 503 (config/health.py).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }

# A PostgreSQL read replica for anonymous reads (claims/replica.py): the
# public pages and anonymous API reads go there, everything else to DATABASE_URL.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "").strip()
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    MIDDLEWARE.insert(1, "claims.replica.ReplicaReadsMiddleware")
DATABASE_ROUTERS = ["claims.replica.ReplicaRouter"]


AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# HTTPS. On by default in production; behind a TLS-terminating proxy set
# DJANGO_SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and container probes ask for /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (docs/SECURITY.md): every script, style, image and font
# from this site only (the API docs' Swagger UI is served from our static files),
# no plugins, no framing, forms post here only. A template may opt in to an
# inline block with {% csp_nonce_attr %}; the nonce is sent only when used.
# Inline style attributes: only the three that DRF's browsable API and
# simple-history's history list carry, by the hash of their exact text.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "style-src-attr": [
        CSP.UNSAFE_HASHES,
        "'sha256-OfgyIBrd+/vP79JdFMYP+re4T+fIenvkrHPD2HZ8/cs='",  # float: right; …
        "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",  # border-top: 0
    ],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Request bodies over this many bytes are refused with 413 before they are read
# (config/middleware.py). A source text is at most MAX_TEXT_CHARS (2,000,000)
# characters (sources/text.py); 16 MiB carries the longest one as JSON even with
# every character \u-escaped (6 bytes each).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("CLAIMTRACK_MAX_REQUEST_BYTES", 16 * 1024 * 1024)

# Failed log-ins (the admin's form) and failed API tokens, counted in the shared
# cache (claims/login_throttle.py): after this many failures for one username
# from one address (or ten times as many from one address, any username), or this
# many bad tokens from one address, the next attempt is refused with 429 until
# the window has passed since the last failure.
CLAIMTRACK_LOGIN_FAILURES = env_int("CLAIMTRACK_LOGIN_FAILURES", 5)
CLAIMTRACK_TOKEN_FAILURES = env_int("CLAIMTRACK_TOKEN_FAILURES", 20)
CLAIMTRACK_LOGIN_WINDOW_SECONDS = env_int("CLAIMTRACK_LOGIN_WINDOW_SECONDS", 15 * 60)
# How many proxies in front of the app append to X-Forwarded-For: the client's
# address is taken that many hops from the right. Unset, it is the connecting
# address (REMOTE_ADDR): a client-sent X-Forwarded-For is never trusted for the
# log-in counts.
CLAIMTRACK_TRUSTED_PROXIES = env_int("CLAIMTRACK_TRUSTED_PROXIES", 0)
# How long the tracker's counts by status are kept in the cache (public/queries.py):
# a new verdict shows in them within this many seconds.
CLAIMTRACK_TRACKER_COUNTS_SECONDS = env_int("CLAIMTRACK_TRACKER_COUNTS_SECONDS", 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
    # A line per request made is the fetch's detail, not news: its snapshot
    # records it.
    "loggers": {"httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}

# A cache shared by every worker (the throttle counts live here): Redis when
# CLAIMTRACK_CACHE_URL is set (compose runs one), otherwise a table in the
# database (zero setup; created after every `migrate` by claims/apps.py, and by the demo
# command and the container run).
CACHE_URL = os.environ.get("CLAIMTRACK_CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that stops answering costs a request a second or so
            # (the throttle then lets it through), never a hang.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CLAIMTRACK_CACHE_URL must be a redis:// URL.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "claimtrack_cache",
        }
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "claims.api.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["claims.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "claims.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "claims.api.renderers.FastJSONRenderer",
        "claims.api.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "claims.api.throttling.AnonymousThrottle",
        "claims.api.throttling.AuthenticatedThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("CLAIMTRACK_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("CLAIMTRACK_THROTTLE_USER", "1200/minute"),
    },
    # The request throttles find the client as the log-in throttle does: the
    # connecting address, or behind CLAIMTRACK_TRUSTED_PROXIES proxies the
    # address they appended to X-Forwarded-For (DRF trusts the whole header
    # when this is unset, letting a client pick its own throttle key).
    "NUM_PROXIES": CLAIMTRACK_TRUSTED_PROXIES,
    "NON_FIELD_ERRORS_KEY": "non_field_errors",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# One error shape (claims/api/errors.py); the service rules' codes kept.
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "claims.api.errors.ServiceExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "claims.api.errors.ErrorFormatter",
    "ERROR_SCHEMAS": {"400": "claims.api.schema.ErrorResponse"},
}

# API tokens: stored hashed (knox); a token lives this many days.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(days=env_int("CLAIMTRACK_TOKEN_TTL_DAYS", 90)),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "claimtrack API",
    "DESCRIPTION": (
        "Claims with their speakers, dates, statuses and the exact source words "
        "they rest on. See docs/API.md for the workflow."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "claims.api.schema.describe_every_field",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.models.choices.Status",
        "ReviewEnum": "sources.review.Review",
        "ClaimKindEnum": "claims.models.choices.ClaimKind",
        "SourceKindEnum": "sources.models.SourceKind",
        "SpeakerKindEnum": "claims.models.choices.SpeakerKind",
        "PrecisionEnum": "claims.models.choices.DatePrecision",
        "StanceEnum": "claims.models.choices.Stance",
        "SpanRoleEnum": "claims.models.choices.SpanRole",
        "AttributionEnum": "claims.models.choices.Attribution",
        "EventKindEnum": "claims.models.event.EventKind",
        "RelationKindEnum": "claims.models.relation.RelationKind",
        "RejectionReasonEnum": "claims.models.choices.RejectionReason",
        # drf-standardized-errors' error types, named as its docs advise.
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
}

# claimtrack
# The name ClaimReview exports give as the reviewing organization.
CLAIMTRACK_PUBLISHER_NAME = os.environ.get("CLAIMTRACK_PUBLISHER_NAME", "claimtrack")
# The username under which automatic changes (the deadline sweep) are recorded.
CLAIMTRACK_SYSTEM_USERNAME = "claimtrack-system"
# The username the claim extractor's proposals are recorded under.
CLAIMTRACK_EXTRACTOR_USERNAME = "claimtrack-extractor"
# The username ClaimReview imports are recorded under (import_claimreview
# without --as).
CLAIMTRACK_IMPORTER_USERNAME = "claimtrack-importer"
# The username that signs the curated seed reviews.
CLAIMTRACK_SEED_REVIEWER_USERNAME = "seed-reviewer"
# The username that proposes the curated seed claims (four eyes: not the reviewer).
CLAIMTRACK_SEED_CURATOR_USERNAME = "seed-curator"
# Four eyes: nobody accepts or rejects their own proposal (claim, span,
# evidence, revision link). Off only for a one-person desk.
CLAIMTRACK_FOUR_EYES = env_bool("CLAIMTRACK_FOUR_EYES", True)
# Limits that keep one request, one verdict and one claim page bounded.
CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE = env_int("CLAIMTRACK_MAX_EVIDENCE_PER_CHANGE", 50)
CLAIMTRACK_MAX_SPANS_PER_CLAIM = env_int("CLAIMTRACK_MAX_SPANS_PER_CLAIM", 200)
# The longest text the API proposes claims from inside a request (the rest:
# manage.py propose_claims), so a request stays under gunicorn's timeout.
CLAIMTRACK_MAX_PROPOSE_CHARS = env_int("CLAIMTRACK_MAX_PROPOSE_CHARS", 200_000)

# Sources from the web (docs/SOURCES.md): what a fetch may reach and how much it
# may take. Private, loopback and link-local addresses are refused unless
# allowed (tests, an intranet).
CLAIMTRACK_FETCH_ALLOW_PRIVATE = env_bool("CLAIMTRACK_FETCH_ALLOW_PRIVATE", False)
CLAIMTRACK_FETCH_MAX_BYTES = env_int("CLAIMTRACK_FETCH_MAX_BYTES", 10_000_000)
CLAIMTRACK_FETCH_MAX_REDIRECTS = env_int("CLAIMTRACK_FETCH_MAX_REDIRECTS", 10)
CLAIMTRACK_FETCH_TIMEOUT = float(env_int("CLAIMTRACK_FETCH_TIMEOUT", 20))
# Only these hosts, when set (comma-separated): an intranet's, or the tests'
# local server (pyproject.toml), so that nothing else is ever asked.
CLAIMTRACK_FETCH_ALLOWED_HOSTS = [
    host.strip().lower()
    for host in os.environ.get("CLAIMTRACK_FETCH_ALLOWED_HOSTS", "").split(",")
    if host.strip()
]
# Named in the User-Agent so that a site's operator can reach whoever runs it.
CLAIMTRACK_FETCH_CONTACT = os.environ.get("CLAIMTRACK_FETCH_CONTACT", "").strip()
# manage.py refetch without ids (the scheduler runs it): pages first fetched
# within this many days are fetched again, to catch silent edits.
CLAIMTRACK_REFETCH_DAYS = env_int("CLAIMTRACK_REFETCH_DAYS", 7)

# Background work (docs/SOURCES.md): fetching pages and proposing from long
# texts run as tasks (django.tasks). "database" queues them in the database for
# `manage.py db_worker` (compose's worker service); anything else runs each at
# once, in the request (the default: a newcomer's site and the tests need no
# worker).
CLAIMTRACK_TASKS = os.environ.get("CLAIMTRACK_TASKS", "immediate").strip()
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if CLAIMTRACK_TASKS == "database"
        else "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}
# A job that fails for a reason that may pass (a timeout, a refused
# connection) is tried again after 30 s, 2 min, 8 min (with jitter), then
# shown as failed. Run at once, it is tried once.
CLAIMTRACK_JOB_ATTEMPTS = env_int("CLAIMTRACK_JOB_ATTEMPTS", 4)


# Email (docs/NOTIFICATIONS.md): CLAIMTRACK_EMAIL_URL is smtp://user:password@
# host:port (add ?tls=1 for STARTTLS, or use smtps:// for TLS from the start),
# or console:// (printed to the log, not sent: the default with DJANGO_DEBUG;
# without it, the default is the SMTP server on localhost).
def email_mailer(url: str) -> dict:
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url or ("console://" if DEBUG else "smtp://localhost"))
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in ("smtp", "smtps"):
        raise ImproperlyConfigured(
            "CLAIMTRACK_EMAIL_URL must be smtp://, smtps:// or console://."
        )
    query = parse_qs(parts.query)
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if parts.scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps",
            "use_tls": query.get("tls", ["0"])[0] in ("1", "true"),
            "timeout": 10,
        },
    }


MAILERS = {"default": email_mailer(os.environ.get("CLAIMTRACK_EMAIL_URL", "").strip())}
DEFAULT_FROM_EMAIL = os.environ.get("CLAIMTRACK_EMAIL_FROM", "claimtrack@localhost")
# Where the site is, for the links in email (no request to build them from).
CLAIMTRACK_SITE_URL = os.environ.get(
    "CLAIMTRACK_SITE_URL", "http://localhost:8000"
).strip()
# The reviewers' daily digest goes out on the first scheduler pass at or after
# this hour (TIME_ZONE), once a day (docs/NOTIFICATIONS.md).
CLAIMTRACK_DIGEST_HOUR = env_int("CLAIMTRACK_DIGEST_HOUR", 7)

# Webhook deliveries (docs/NOTIFICATIONS.md): how long a receiver may take to
# answer, and how many endpoints one worker delivers to at once (each in order).
CLAIMTRACK_WEBHOOK_TIMEOUT = env_int("CLAIMTRACK_WEBHOOK_TIMEOUT", 10)
CLAIMTRACK_WEBHOOK_CONCURRENCY = env_int("CLAIMTRACK_WEBHOOK_CONCURRENCY", 8)
