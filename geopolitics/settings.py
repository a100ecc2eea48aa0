"""Settings for the geopolitics claims platform.

One module, driven by environment variables (every one is listed in README.md). Values that are
malformed, or missing where production needs them, raise ImproperlyConfigured at start-up rather
than falling back to something insecure.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but a recognised spelling is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole-number variable no smaller than `minimum`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

# A development key is only acceptable while DEBUG is on; production must bring its own.
_DEV_SECRET_KEY = "django-insecure-local-development-only"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development)."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host(s) when DEBUG is off.")
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must list the site's host names when DEBUG is off, not '*'."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
_insecure_origins = [o for o in CSRF_TRUSTED_ORIGINS if not o.startswith("https://")]
if not DEBUG and _insecure_origins:
    raise ImproperlyConfigured(
        "CSRF_TRUSTED_ORIGINS must be https:// origins when DEBUG is off; "
        f"got {_insecure_origins[0]!r}."
    )
# Behind a reverse proxy every request comes from the proxy's address: NUM_PROXIES says how many
# proxies append to X-Forwarded-For, so that rate limits see the client's own address.
NUM_PROXIES = env_int("NUM_PROXIES", 0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "claims.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside every middleware that reads or changes the body; anonymous answers only (BREACH).
    "claims.middleware.PublicGZipMiddleware",
    "claims.middleware.RefuseNulMiddleware",
    "claims.middleware.RefuseLongAddressMiddleware",
    "claims.middleware.DatabaseUnavailableMiddleware",
    "claims.middleware.SummariesAfterWritesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "geopolitics.urls"
WSGI_APPLICATION = "geopolitics.wsgi.application"
ASGI_APPLICATION = "geopolitics.asgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite file by default; DATABASE_URL (postgres://…) switches to PostgreSQL. On PostgreSQL either
# persistent connections with health checks (default) or psycopg's connection pool (DB_POOL=1);
# Django refuses to combine the two, so the pool turns persistent connections off.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while a write is in progress; IMMEDIATE takes the write lock
    # when a transaction begins, so that one never fails half-way upgrading from read to write.
    # SQLite has one writer at a time: the others wait for the lock (the busy timeout, in
    # seconds) instead of failing at once; it stays below gunicorn's 30 s request timeout.
    # Django's backend, with write transactions queued in turn (claims.backends.sqlite3):
    # SQLite's own waiting lets some writers starve while others pass.
    _db["ENGINE"] = "claims.backends.sqlite3"
    _db.setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        }
    )
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must fail a request within seconds (503), not hang it.
    _db.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5, minimum=1)
    # PostgreSQL compiles a query to machine code once its estimated cost passes a threshold.
    # On a large corpus many short, LIMITed queries pass it and spend tens of milliseconds
    # compiling what runs in one; requests here are short, so compilation is off (DB_JIT=1 on).
    # Search finds spelling variants ("Nakhichevan", "Nakhchivan") by pg_trgm's strict word
    # similarity at the threshold of claims.wording.FUZZY_THRESHOLD; the operator reads it here.
    _pg_options = ["-c pg_trgm.strict_word_similarity_threshold=0.35"]
    if not env_bool("DB_JIT", False):
        _pg_options.append("-c jit=off")
    _db["OPTIONS"]["options"] = " ".join(_pg_options)
if _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", False):
    _db["CONN_MAX_AGE"] = 0
    # With the pool, health checks make it test a connection before handing it out, so that
    # connections broken by a database restart are replaced instead of failing a request.
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 2, minimum=1),
        "max_size": env_int("DB_POOL_MAX_SIZE", 10, minimum=1),
        "timeout": env_int("DB_POOL_TIMEOUT", 10, minimum=1),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
# API throttles and login limits count in the cache. With several server processes they must
# share one: REDIS_URL (redis://host:6379/0) does that; without it each process counts alone
# (fine for development; `check --deploy` warns about it in production).
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}"
        )
    # Redis answers on a local network in a millisecond: one that takes longer than
    # REDIS_TIMEOUT_MS is treated as down, and the site carries on with a per-process cache
    # (claims.cache), leaving Redis alone for REDIS_RETRY_SECONDS before trying it again.
    _redis_timeout = env_int("REDIS_TIMEOUT_MS", 250, minimum=10) / 1000
    CACHES = {
        "default": {
            "BACKEND": "claims.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "claims",
            "OPTIONS": {
                "socket_connect_timeout": _redis_timeout,
                "socket_timeout": _redis_timeout,
                "retry_after": env_int("REDIS_RETRY_SECONDS", 5, minimum=1),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Public pages and anonymous API reads are cached under a version every edit changes
# (claims.pagecache); this is how long an entry may live at most. 0 turns that cache off.
PUBLIC_PAGE_CACHE_SECONDS = env_int("PUBLIC_PAGE_CACHE_SECONDS", 600, minimum=0)
# While reviewers publish in quick succession, a cached answer is rebuilt at most once in this
# many seconds, so a publication shows at most that late; withdrawals and edits show at once.
PUBLIC_PAGE_SETTLE_SECONDS = env_int("PUBLIC_PAGE_SETTLE_SECONDS", 5, minimum=0)

# --- Authentication -------------------------------------------------------------------------
# Failed logins are counted per username and client address (admin login) and per address
# (API tokens); past the limit, attempts are refused for the rest of the window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 15 * 60, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names in production; plain files while developing so that `runserver`
    # works without collectstatic.
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload flag only allows submitting the domain to browsers' HSTS preload list (a separate,
# deliberate step); with includeSubDomains and a year's max-age it is the safe production value.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if not SECURE_HSTS_PRELOAD:
    # Turning preload off is a decision, not an oversight: don't warn about it.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every page is served with a Content-Security-Policy: only the site's own files, no inline
# script unless it carries the request's nonce, no framing, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- E-mail ---------------------------------------------------------------------------------
# Server errors are mailed to ADMINS. Development prints mail on the console; production sends
# it over SMTP and refuses to start without a server and a sender address.
ADMINS = [("Administrator", address) for address in env_list("ADMINS", [])]
if DEBUG:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
    )
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    for _name in ("EMAIL_HOST", "DEFAULT_FROM_EMAIL"):
        if not os.environ.get(_name, "").strip():
            raise ImproperlyConfigured(
                f"{_name} must be set when DEBUG is off: the site mails error reports and "
                "needs an SMTP server (EMAIL_HOST) and a sender address (DEFAULT_FROM_EMAIL)."
            )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on; pick one.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "claims@localhost")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Django REST framework ------------------------------------------------------------------
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200, minimum=1)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "claims.api.authentication.RateLimitedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["claims.api.permissions.ReadPublishedWriteWithModelPerms"],
    # Writes are JSON: one body format to validate (and to document), anything else is 415.
    "DEFAULT_PARSER_CLASSES": ["claims.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "claims.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "claims.api.pagination.PageNumberPagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "claims.api.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "claims.api.throttling.AddressRateThrottle",
        "claims.api.throttling.SignedInRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "600/minute"),
    },
    "EXCEPTION_HANDLER": "claims.api.errors.exception_handler",
    # DRF reads None as "trust the whole X-Forwarded-For"; the throttles use
    # claims.ratelimit.client_address anyway, this keeps DRF's own view of it the same.
    "NUM_PROXIES": NUM_PROXIES,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Longer addresses are answered 414 (JSON under /api/). gunicorn's own limit on the request
# line (limit_request_line = 8190 bytes, gunicorn.conf.py) stays above this one.
MAX_URL_LENGTH = env_int("MAX_URL_LENGTH", 4096, minimum=256)
# Large request bodies are refused before they are parsed (413 from the API, 400 elsewhere).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024, minimum=1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "Geopolitics claims API",
    "DESCRIPTION": (
        "The annotated corpus: sources, the claims they make (as exact spans of their text), the "
        "propositions those claims take stances on, and comparisons between sources. Anonymous "
        "clients read published material; writes need a token and the editor permissions."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StanceLabelEnum": "claims.models.StanceLabel",
        "PositionLabelEnum": "claims.positions.POSITION_LABELS",
    },
}

# --- Logging --------------------------------------------------------------------------------
# Errors are logged, and mailed to ADMINS (when DEBUG is off) from a background thread: at most
# ERROR_MAIL_LIMIT mails per ERROR_MAIL_WINDOW seconds per process, the rest dropped and counted
# (claims.errormail); ERROR_MAIL_LIMIT=0 logs only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "claims.errormail.QueuedAdminEmailHandler",
            "limit": env_int("ERROR_MAIL_LIMIT", 10),
            "window": env_int("ERROR_MAIL_WINDOW", 600, minimum=1),
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's default handlers for "django" (its console handler only prints
        # with DEBUG on, which the root's handler already does; its mail handler is blocking).
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Operations: log level and format, request ids, health probes ----------------------------
# LOG_LEVEL as an operator types it (warning, Warning, WARNING); anything else stops start-up
# with a message naming the variable instead of a traceback from the logging module.
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
if LOG_LEVEL not in _LOG_LEVELS:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)} (any case); "
        f"got {os.environ['LOG_LEVEL']!r}"
    )
LOGGING["root"]["level"] = LOG_LEVEL
# One JSON object per line (for a log collector) with LOG_FORMAT=json, the default in production;
# every record carries the id of the request it was written for (X-Request-ID).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json; got {LOG_FORMAT!r}")
LOGGING["formatters"]["json"] = {"()": "claims.logs.JSONFormatter"}
LOGGING.setdefault("filters", {})["request_id"] = {"()": "claims.logs.RequestIdFilter"}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
if LOG_FORMAT == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"
# /healthz and /readyz are answered before host checks, HTTPS redirects, sessions and logging
# (claims.health.ProbeMiddleware): load balancers probe by address, over plain HTTP, often.
MIDDLEWARE.insert(0, "claims.health.ProbeMiddleware")
MIDDLEWARE.insert(1, "claims.logs.RequestIdMiddleware")
# Each check of /readyz gives up after this many seconds, so that the probe answers in time.
READYZ_TIMEOUT = env_int("READYZ_TIMEOUT", 2, minimum=1)

# --- Read replicas --------------------------------------------------------------------------
# DATABASE_REPLICA_URLS: zero or more PostgreSQL replicas of DATABASE_URL, comma-separated.
# Anonymous reads (public pages, API GETs without a token) go to a healthy replica; writes,
# signed-in users and clients that wrote in the last DATABASE_REPLICA_STICKY_SECONDS use the
# primary (claims.routing). A replica more than DATABASE_REPLICA_MAX_LAG seconds behind, or
# unreachable, is left out until a later check (every DATABASE_REPLICA_CHECK_SECONDS) finds
# it healthy again.
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", [])
DATABASE_REPLICA_STICKY_SECONDS = env_int("DATABASE_REPLICA_STICKY_SECONDS", 15, minimum=0)
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 10, minimum=0)
DATABASE_REPLICA_CHECK_SECONDS = env_int("DATABASE_REPLICA_CHECK_SECONDS", 5, minimum=1)
if DATABASE_REPLICA_URLS and _db["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS needs DATABASE_URL to name a PostgreSQL primary."
    )
for _index, _url in enumerate(DATABASE_REPLICA_URLS):
    if not _url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS must list postgres:// URLs; item {_index + 1} is {_url!r}"
        )
    _replica = dj_database_url.parse(
        _url, conn_max_age=_db["CONN_MAX_AGE"], conn_health_checks=True
    )
    # Same options as the primary (timeouts, JIT, pool), but a replica that does not answer is
    # skipped quickly: the primary can serve the read instead.
    _replica["OPTIONS"] = {**_db.get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    _replica["OPTIONS"]["connect_timeout"] = env_int(
        "DATABASE_REPLICA_CONNECT_TIMEOUT", 2, minimum=1
    )
    # Tests read the primary's test database through the replica (it is replicated there).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index + 1}"] = _replica
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["claims.routing.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "claims.routing.ReplicaRoutingMiddleware",
    )

# --- Background jobs ------------------------------------------------------------------------
# Exports and rebuilds run on an RQ worker (`manage.py run_worker`) fed through Redis:
# JOBS_REDIS_URL, by default REDIS_URL. Without either, jobs run in the process that starts them
# (fine for development; `check --deploy` warns about it). Results are written under
# MEDIA_ROOT/exports/ through Django's storage API.
JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL", "").strip() or REDIS_URL
JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "claims-jobs").strip() or "claims-jobs"
# A running job whose worker has not reported for this long is taken to be dead and re-queued.
JOBS_STALE_SECONDS = env_int("JOBS_STALE_SECONDS", 120, minimum=10)
# The queue's own limit on one run: far above any export, it only catches a run that hangs.
JOBS_TIMEOUT = env_int("JOBS_TIMEOUT", 6 * 3600, minimum=60)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "JobKindEnum": "claims.models.JobKind",
        "JobStatusEnum": "claims.models.JobStatus",
        # The sources' status keeps the name it had before jobs had a status too.
        "StatusEnum": "claims.models.sources.SourceStatus",
    }
)
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = "media/"
