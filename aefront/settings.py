"""aefront settings. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from aefront.env import database_from_url, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 for local development only)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "taggit",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Before django_tasks_db: its `db_worker` command is aefront.jobs' own (outage-proof).
    "aefront.jobs",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "aefront",
    "aefront.api",
    "interviews",
    "coding",
    "coding.report",
    "aefront.demo",
]

MIDDLEWARE = [
    # Prometheus' request counts and timings (aefront/metrics.py): first and last.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Then: whichever layer below meets a database fault, the answer is a 503.
    "aefront.middleware.DatabaseFaultMiddleware",
    # Before anything reads the body: 413 from Content-Length alone.
    "aefront.request_limits.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages, JSON and exports compressed (static files come precompressed from
    # whitenoise above), at a fast level (aefront/compression.py). Django's gzip pads
    # with random bytes against BREACH, and the CSRF token is masked per response.
    "aefront.compression.FastGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "aefront.mfa.AdminMFAMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "aefront.session_timeout.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "aefront.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
    # The audit trail's actor and address: who made each change (django-auditlog).
    "aefront.audit.AuditActorMiddleware",
    "aefront.metrics.PrometheusAfterMiddleware",
]

# Several app servers (make prod-like, docs/deploy.md): a user's requests may land on any
# of them, so sessions live in the database (Django's default, stated here) and the cache
# is shared. CACHE=database keeps it in the table `createcachetable` makes (the API's rate
# limit then counts across servers); the default is each process's own memory.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "aefront_cache"}
        if os.environ.get("CACHE", "").strip().lower() == "database"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

ROOT_URLCONF = "aefront.urls"
WSGI_APPLICATION = "aefront.wsgi.application"

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
                "aefront.session_timeout.context",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections (seconds; 0 closes them after each request).
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        # PgBouncer refuses a connection's own settings: there, set it on the database.
        random_page_cost=""
        if env_bool("DB_BEHIND_PGBOUNCER", default=False)
        else os.environ.get("DB_RANDOM_PAGE_COST", "1.1"),
    )
}
# Behind PgBouncer in transaction pooling (docs/deploy.md): no server-side cursors, whose
# life spans transactions (QuerySet.iterator() uses them on PostgreSQL).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DB_BEHIND_PGBOUNCER", default=False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff need a verified TOTP device for Django admin (aefront/mfa.py).
AEFRONT_ADMIN_MFA = env_bool("MFA_REQUIRED_FOR_STAFF", default=True)
OTP_TOTP_ISSUER = "aefront"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "interviews:project_list"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: per username *and* address, so one locked account does not lock
# out colleagues behind the same NHS NAT.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Against one address trying many usernames: a higher bound per address and hour
# (aefront/login_throttle.py), counted from axes' log of every failure.
AXES_HANDLER = "aefront.login_throttle.LoginThrottleHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AEFRONT_LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", 50)
# The client address: X-Forwarded-For is believed only with TRUSTED_PROXY_COUNT set to
# the number of reverse proxies in front of the app (aefront/client_ip.py).
AEFRONT_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "aefront.client_ip.client_ip"

# Sessions end after IDLE_TIMEOUT seconds without activity and SESSION_MAX_AGE seconds
# after signing in (aefront/session_timeout.py); the cookie lives no longer than that.
AEFRONT_IDLE_TIMEOUT = env_int("IDLE_TIMEOUT", 30 * 60)
AEFRONT_SESSION_MAX_AGE = env_int("SESSION_MAX_AGE", 12 * 60 * 60)
SESSION_COOKIE_AGE = AEFRONT_SESSION_MAX_AGE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# JavaScript takes the CSRF token from the page's form, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
if SESSION_COOKIE_SECURE:
    # __Host- cookies are HTTPS-only, host-only and path=/: no subdomain can plant them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Served over HTTPS whenever cookies are secure: redirect plain HTTP and send HSTS.
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", default=SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Joining the browsers' HSTS preload list is the domain owner's decision, not the app's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", default=False) else None
)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# The public API (aefront/api/): personal access tokens or the session (which keeps CSRF),
# membership through interviews/access.py, JSON errors naming the field and the reason.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aefront.api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["aefront.api.permissions.ProjectMember"],
    "DEFAULT_THROTTLE_CLASSES": ["aefront.api.throttling.PerTokenThrottle"],
    "DEFAULT_PAGINATION_CLASS": "aefront.api.pagination.Pages",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aefront.api.exceptions.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # ?format= names an export format, not a renderer.
    "URL_FORMAT_OVERRIDE": None,
}
AEFRONT_GZIP_LEVEL = env_int("GZIP_LEVEL", 1)
# Requests per token (or per signed-in user) and minute, counted per server process.
AEFRONT_API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 1200)
SPECTACULAR_SETTINGS = {
    "TITLE": "aefront API",
    "DESCRIPTION": (
        "Projects, transcripts with their speaker turns, participants (pseudonyms only), "
        "the codebook, quotes and their themes, theme summaries, redaction terms and "
        "exports. Authenticate with `Authorization: Bearer <token>` (a personal access "
        "token from /api/tokens/) or the browser session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "interviews.models.Membership.Role",
        "ScopeEnum": "aefront.api.models.AccessToken.Scope",
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # STATIC_PRECOMPRESS=0: hashed names without whitenoise's .gz/.br copies, when nginx
        # serves /static/ and compresses it (make prod-like: collectstatic in seconds).
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_PRECOMPRESS", default=True)
            else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    },
}

# Uploads and recordings in an S3-compatible object store (django-storages) when
# AWS_STORAGE_BUCKET_NAME is set: AWS_S3_ENDPOINT_URL for a store other than Amazon's
# (moto's server in make prod-like), AWS_S3_REGION_NAME, and the credentials in boto3's
# own AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Objects stay private (no ACL, signed
# URLs) and are served through the app's permission checks. Unset: the file system.
if AWS_STORAGE_BUCKET_NAME := os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }

# Uploads. The reverse proxy should also cap bodies (client_max_body_size 21m).
AEFRONT_MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
AEFRONT_MAX_TEXT_CHARS = env_int("MAX_TEXT_CHARS", 5 * 1024 * 1024)
# A whole request carrying files: one file at the limit plus the form around it (the
# proxy's client_max_body_size 21m). Larger requests get 413 before they are read.
AEFRONT_MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", AEFRONT_MAX_UPLOAD_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Interview recordings (interviews/recordings.py): their own limit, checked while the
# upload arrives (the proxy's client_max_body_size must allow it on the recording URL).
AEFRONT_MAX_RECORDING_BYTES = env_int("MAX_RECORDING_BYTES", 2 * 1024**3)

# `manage.py backup` and `restore` without a folder use this one (aefront/backup.py).
AEFRONT_BACKUP_DIR = os.environ.get("BACKUP_DIR") or str(BASE_DIR / "backups")

# Background jobs (aefront/jobs): django-tasks with its database backend, so the queue
# lives in the same database (SQLite or PostgreSQL) and needs no other service. The worker
# is `manage.py db_worker` (make run starts one). A running job that has reported nothing
# for JOB_STALE_SECONDS is shown as interrupted, and can be retried.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# More job kinds from these modules, imported when the apps load (comma-separated; the
# worker-restart test registers a slow kind this way). Empty in production.
AEFRONT_EXTRA_JOB_KINDS = env_list("EXTRA_JOB_KINDS", [])
AEFRONT_JOB_STALE_SECONDS = env_int("JOB_STALE_SECONDS", 120)
# GET /metrics (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; unset: off.
AEFRONT_METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# /healthz says the queue is stalled when a job has been ready to run for longer.
AEFRONT_QUEUE_STALL_SECONDS = env_int("QUEUE_STALL_SECONDS", 300)

# Theme suggestions (coding/embeddings.py): "auto" uses the local sentence-embedding model
# when the [suggest] extra is installed and the lexical TF-IDF ranking otherwise; "model"
# or "lexical" forces one. EMBED_ON_SAVE says when a saved quote gets its vector: "off"
# (the default) leaves it to the first suggestion request that needs it and to
# `manage.py embed`, so that a web process loads the model (about 500 MiB) only when
# someone asks for suggestions; "thread" embeds after commit in a background thread of
# the web process; "now" in the request itself (the tests).
AEFRONT_SUGGEST_BACKEND = os.environ.get("SUGGEST_BACKEND", "auto").strip().lower() or "auto"
AEFRONT_EMBED_ON_SAVE = os.environ.get("EMBED_ON_SAVE", "off").strip().lower() or "off"
if AEFRONT_EMBED_ON_SAVE not in {"off", "thread", "now"}:
    raise ImproperlyConfigured("EMBED_ON_SAVE must be off, thread or now.")
AEFRONT_TORCH_THREADS = env_int("TORCH_THREADS", 1)
# How long a process trusts its cached codebook before asking whether codings changed.
AEFRONT_SUGGEST_REFRESH_SECONDS = env_int("SUGGEST_REFRESH_SECONDS", 2)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640
# The first handler skips any file past AEFRONT_MAX_UPLOAD_BYTES while it arrives.
FILE_UPLOAD_HANDLERS = [
    "interviews.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

TAGGIT_CASE_INSENSITIVE = True

# Live updates (coding/live.py): with REDIS_URL, the Channels layer of channels-redis and
# the replay log in Redis streams, shared by every app server; without it, the in-memory
# layer and an in-process log (one ASGI process serves everything: the embedded default).
AEFRONT_REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A page's stream waits in BZPOPMIN for 5 s at a time (channels-redis's
                # brpop_timeout); redis-py 8 reads with a 5 s socket timeout by default,
                # which a busy server reaches first: the stream then died with
                # "Timeout reading", and its user never left the others' pages.
                "hosts": [
                    {"address": AEFRONT_REDIS_URL, "max_connections": 256, "socket_timeout": 30}
                ],
                "capacity": 500,
            },
        }
        if AEFRONT_REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 500}}
    )
}
# Events kept per transcript for a page that reconnects; seconds between keep-alives.
AEFRONT_LIVE_LOG_LENGTH = env_int("LIVE_LOG_LENGTH", 1000)
AEFRONT_LIVE_KEEPALIVE_SECONDS = env_int("LIVE_KEEPALIVE_SECONDS", 25)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}


# --- the audit trail (django-auditlog) -----------------------------------------------------
# Changes as JSON {"field": [before, after]}; no correlation id taken from a client's header.
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_CID_HEADER = None
AUDITLOG_DISABLE_ON_RAW_SAVE = True
# How long a deleted quote or transcript can be restored from the bin (empty_bin purges after).
BIN_DAYS = env_int("BIN_DAYS", 30)
