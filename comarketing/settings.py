"""Settings for the co-marketing campaign tracker.

With no environment set, everything runs on one machine: SQLite in `var/` and
Celery's filesystem broker in `var/broker/`. `DATABASE_URL` and `REDIS_URL`
switch to PostgreSQL and Redis (production, CI).
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from comarketing.env import env_bool, env_int, env_list, env_networks, env_str, env_url
from utilities.paginator import PAGE_ROWS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("COMARKETING_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names when DEBUG is off, not *")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "comarketing.apps.ComarketingAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, which the admin's widget templates include
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "health_check",
    "csp",
    "simple_history",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "partners",
    "campaigns",
    "meetings",
    "comarketing.apps.ComarketingConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # which device, if any, verified this session's login
    "partners.middleware.TwoFactorGate",  # a login that owes its code (or its enrolment) reaches nothing else
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "partners.middleware.PersonTimezoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its answer
]

# --- Login protection (issue 9) -----------------------------------------------------------------
# Every login door (admin, /api/token/, /api-auth/login/) authenticates through django-axes first: after
# LOGIN_FAILURE_LIMIT failures for one username from one address, that pair is locked out for
# LOGIN_LOCKOUT_HOURS (the operator unlocks it earlier by deleting its access attempt in the admin).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A login's failures are forgiven once it is fully signed in (partners.two_factor), not at its password: wrong
# two-factor codes count towards the same lockout, and a right password must not wipe them.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "comarketing.lockout.lockout_response"
# Where a request comes from: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT names the proxies in front that append
# to X-Forwarded-For; then the address the last of them saw (the header's n-th value from the right). Any
# other value of the header is the client's own words and is ignored. DRF's throttles (NUM_PROXIES, below) and
# the lockout (through DRF's resolution) both follow this one setting.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT must be 0 or more, got {TRUSTED_PROXY_COUNT}")
AXES_CLIENT_IP_CALLABLE = "comarketing.lockout.client_address"
# Two-factor sign-in (django-otp): the name authenticator apps show beside the login.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Co-marketing tracker")
# API tokens expire and are stored hashed (django-rest-knox).
REST_KNOX = {"TOKEN_TTL": datetime.timedelta(hours=env_int("API_TOKEN_HOURS", 10)), "AUTO_REFRESH": False}

ROOT_URLCONF = "comarketing.urls"
WSGI_APPLICATION = "comarketing.wsgi.application"
ASGI_APPLICATION = "comarketing.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "comarketing" / "templates"],
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

FORM_RENDERER = "utilities.forms.FormRenderer"

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", ("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Measured with `manage.py bench` at 10,000 campaigns: JIT compilation added 0.5 s to the reporting-plan
        # check and 70 ms to the critical-flag source, whose queries run in 5-40 ms without it; no query gained.
        # The sweeps read their server-side cursors (QuerySet.iterator) to the end; planned for the first 10% of
        # rows (PostgreSQL's default), the health sweep at 100,000 campaigns took 344 s instead of 65-81 s.
        # A list page joins up to a dozen tables (its select_related and the scoping subquery); with the default
        # collapse limits (8) the planner kept the written join order and read every action item at 100,000
        # campaigns for a company seeing 100 of them (1.9 s; 14 ms with 12).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c jit=off -c cursor_tuple_fraction=1 -c join_collapse_limit=12 -c from_collapse_limit=12"
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "comarketing.sqlite3",
            # Web and worker write at once; without these SQLite answers "database is locked".
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Brand assets and results reports (campaigns.models.assets.PrivateStorage): on this machine's disk, or, with
# S3_BUCKET set, as private objects of an S3-compatible bucket (django-storages) that every machine shares. They
# are served only through the scoped download views, never by a bucket URL.
S3_BUCKET = env_str("S3_BUCKET")
if S3_BUCKET:
    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,  # empty: AWS itself
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,  # empty: the machine's own credentials (role)
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    PRIVATE_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security (check --deploy clean when DEBUG is off) -------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The health checks ask over plain HTTP from inside; everything else is sent to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^livez$"]
# X-Forwarded-Proto says "https" only when a proxy that sets it (and strips it from clients) is in front.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every page: scripts only from this site (the API docs come from drf-spectacular-sidecar, not a CDN). Inline
# styles stay allowed: the admin, Swagger UI and ReDoc set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- E-mail ---------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if not env_str("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = Path(env_str("EMAIL_FILE_PATH", str(VAR_DIR / "sent-mail")))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds one SMTP connection may wait for the server: a stalled server is a transient failure, retried, well
# before Celery's soft time limit ends the task.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# A 5xx about the server or our sender (greeting, MAIL FROM, login) pauses all e-mail this long, then one is tried.
EMAIL_PAUSE_SECONDS = env_int("EMAIL_PAUSE_SECONDS", 5 * 60)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Co-marketing tracker <noreply@localhost>")

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
        "login": env_str("API_THROTTLE_LOGIN", "10/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PERMISSION_CLASSES": ["utilities.api.CompanyModelPermissions"],
    # Request bodies are JSON; the views that take a file upload declare multipart instead. One body type per
    # operation is also what a client generated from the schema can call (openapi-python-client).
    "DEFAULT_PARSER_CLASSES": ["comarketing.api.parsers.BoundedJSONParser"],
    # orjson writes JSON several times faster than the standard library (measured with `manage.py bench`).
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "comarketing.api.pagination.Pagination",
    "PAGE_SIZE": PAGE_ROWS,
    "DEFAULT_FILTER_BACKENDS": [
        "partners.scoping.filters.ScopedFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "comarketing.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Co-marketing campaign tracker API",
    "DESCRIPTION": "Joint campaigns, RACI, kickoff, KPIs and meetings; every endpoint is scoped to your company.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served by this site from the drf-spectacular-sidecar package: the docs work offline and under the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "comarketing.api.schema.document_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "CampaignKindEnum": "campaigns.models.core.Campaign.Kind",
        "CampaignStatusEnum": "campaigns.models.core.Campaign.Status",
        "StakeholderRoleEnum": "campaigns.models.templates.ROLE_CHOICES",
        "DeliverableStatusEnum": "campaigns.models.core.Deliverable.Status",
        "DeliverableTypeEnum": "campaigns.models.core.Deliverable.Type",
        "ReportingFrequencyEnum": "campaigns.models.kpis.ReportingFrequency",
        "OutboxStatusEnum": "campaigns.models.outbox.OutboxRow.Status",
        "CurrencyEnum": "campaigns.models.budget.CURRENCY_CHOICES",
    },
}

# --- Bounded input (issue 9) ------------------------------------------------------
# Dates people plan with (a series' first and last meeting, a moved meeting) lie this far around today.
DATE_WINDOW_PAST_DAYS = env_int("DATE_WINDOW_PAST_DAYS", 2 * 365)
DATE_WINDOW_FUTURE_DAYS = env_int("DATE_WINDOW_FUTURE_DAYS", 5 * 365)
# The longest free text (goals, notes, agenda…) the API accepts; names and titles have their own lengths.
TEXT_MAX_LENGTH = env_int("TEXT_MAX_LENGTH", 20_000)
# How long a POST's Idempotency-Key (and an admin add form's one-time token) answers a retry with the first answer.
IDEMPOTENCY_WINDOW_HOURS = env_int("IDEMPOTENCY_WINDOW_HOURS", 24)

# --- Meetings -------------------------------------------------------------------
# How far ahead meetings of a series exist as rows (to log, move or cancel one, and to remind people).
MEETING_WINDOW_WEEKS = env_int("MEETING_WINDOW_WEEKS", 12)
# One materialization of one series computes at most this many occurrences, for at most this long; the
# hourly task carries on from there.
MEETING_MATERIALIZE_MAX_OCCURRENCES = env_int("MEETING_MATERIALIZE_MAX_OCCURRENCES", 1000)
MEETING_MATERIALIZE_MAX_SECONDS = env_int("MEETING_MATERIALIZE_MAX_SECONDS", 10)

# --- Cache ----------------------------------------------------------------------
# One cache for every process: the login and password-reset throttles count across all web workers (a count kept
# per process would multiply the allowance by their number), and a chart drawn once serves every machine. A
# separate Redis database from the broker's, so clearing the cache never drops queued tasks.
CACHE_URL = env_url("CACHE_URL", ("redis", "rediss"))
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
else:
    # One machine, no servers: web and worker processes share files in var/.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Celery ---------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", ("redis", "rediss"))
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "comarketing.broker:Transport"  # kombu's, with each message written whole first
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Appended to every queue name (comarketing/celery.py routes tasks by kind): separate test runs on one broker.
TASK_QUEUE_SUFFIX = env_str("TASK_QUEUE_SUFFIX", "")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Health flags and reminders (issue 5) ----------------------------------------
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")  # links in reminder e-mails
HEALTH_SWEEP_EVERY_SECONDS = env_int("HEALTH_SWEEP_EVERY_SECONDS", 15 * 60)
# Scheduled sweeps look only at campaigns changed or due since their last run; a full run (nightly, and
# `manage.py sweep --full`) looks at everything and heals what a change marker missed.
SWEEPS_INCREMENTAL = env_bool("SWEEPS_INCREMENTAL", True)
FULL_SWEEP_EVERY_SECONDS = env_int("FULL_SWEEP_EVERY_SECONDS", 24 * 60 * 60)
# A scheduled run with more campaigns changed or due than this runs in full instead (cheaper for that many).
SWEEP_FULL_RUN_ABOVE_CAMPAIGNS = env_int("SWEEP_FULL_RUN_ABOVE_CAMPAIGNS", 20_000)
# How late an event may commit after the moment it records (a full health sweep writes its flags' moment at its
# start and commits at its end): the webhook sweep reads events from its last run less this.
SWEEP_LATE_COMMIT_MARGIN_SECONDS = env_int("SWEEP_LATE_COMMIT_MARGIN_SECONDS", 15 * 60)
# An open flag's "last seen" is rewritten only once it is this much older than the sweep (not on every sweep).
FLAG_LAST_SEEN_PRECISION_SECONDS = env_int("FLAG_LAST_SEEN_PRECISION_SECONDS", 60 * 60)
REMINDER_SWEEP_EVERY_SECONDS = env_int("REMINDER_SWEEP_EVERY_SECONDS", 5 * 60)
REMINDER_DELIVERABLE_DUE_SOON_DAYS = env_int("REMINDER_DELIVERABLE_DUE_SOON_DAYS", 3)
# A due moment missed by at most this much (the sweep was down) is still sent; older ones are dropped.
REMINDER_LOOKBACK_DAYS = env_int("REMINDER_LOOKBACK_DAYS", 7)
# Transient failures (mail server down, timeouts, 4xx) are retried this long after the first one.
REMINDER_RETRY_WINDOW_SECONDS = env_int("REMINDER_RETRY_WINDOW_SECONDS", 24 * 3600)
# A safety stop beyond the window: a message that kills its worker again and again is given up.
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 1000)
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 30)
REMINDER_RETRY_MAX_SECONDS = env_int("REMINDER_RETRY_MAX_SECONDS", 15 * 60)
# A row left "sending" longer than this was claimed by a worker that died; it is claimed again.
REMINDER_SENDING_TIMEOUT_SECONDS = env_int("REMINDER_SENDING_TIMEOUT_SECONDS", 2 * CELERY_TASK_TIME_LIMIT)
# A pending row enqueued this long ago without being claimed lost its message (a broker restart): enqueue again.
REMINDER_REQUEUE_AFTER_SECONDS = env_int("REMINDER_REQUEUE_AFTER_SECONDS", 10 * 60)
if REMINDER_SENDING_TIMEOUT_SECONDS <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "REMINDER_SENDING_TIMEOUT_SECONDS must exceed CELERY_TASK_TIME_LIMIT, or a reminder still being sent "
        "could be claimed a second time"
    )

# --- Partner scorecards, kept worked out (issue 24) --------------------------------
# How often the refresh runs: stale scorecards (a campaign of both companies changed), new ones, and those
# older than SCORECARD_MAX_AGE_SECONDS (the 90-day window moves on; bulk updates send no signal).
SCORECARD_REFRESH_EVERY_SECONDS = env_int("SCORECARD_REFRESH_EVERY_SECONDS", 5 * 60)
SCORECARD_MAX_AGE_SECONDS = env_int("SCORECARD_MAX_AGE_SECONDS", 60 * 60)

# --- Outgoing webhooks (issue 13) ------------------------------------------------
WEBHOOK_SWEEP_EVERY_SECONDS = env_int("WEBHOOK_SWEEP_EVERY_SECONDS", 60)
# Events older than this when the sweep first sees them (the sweep was down) are not delivered.
WEBHOOK_LOOKBACK_HOURS = env_int("WEBHOOK_LOOKBACK_HOURS", 24)
# An address that failed this many times in a row (timeouts, 5xx) is left alone this long: its deliveries wait
# without a request, so one company's broken receiver does not hold the webhook workers.
WEBHOOK_PAUSE_AFTER_FAILURES = env_int("WEBHOOK_PAUSE_AFTER_FAILURES", 5)
WEBHOOK_PAUSE_SECONDS = env_int("WEBHOOK_PAUSE_SECONDS", 10 * 60)
# Plain http: for development only (a receiver on this machine).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)

# --- Single sign-on through each company's OpenID Connect provider (issue 26) -----
# Plain http issuers: for development only (a provider on this machine, also named in
# OUTBOUND_HTTP_ALLOWED_NETWORKS).
SSO_ALLOW_HTTP = env_bool("SSO_ALLOW_HTTP", DEBUG)

# --- Outbound HTTP: webhooks, Slack, "Send a test event" (issue 23) ---------------
# One request, from resolving the name to the last byte read, ends at this deadline (not per read).
OUTBOUND_HTTP_DEADLINE_SECONDS = env_int("OUTBOUND_HTTP_DEADLINE_SECONDS", 10)
# Only the status and a short excerpt of an answer matter: reading stops after this many bytes.
OUTBOUND_HTTP_MAX_ANSWER_BYTES = env_int("OUTBOUND_HTTP_MAX_ANSWER_BYTES", 64 * 1024)
# Networks reached although not public, e.g. 127.0.0.1/32 for a receiver on a developer's machine. Empty unless
# named one by one (never implied by DEBUG), so no production setting can open the private network by accident.
OUTBOUND_HTTP_ALLOWED_NETWORKS = env_networks("OUTBOUND_HTTP_ALLOWED_NETWORKS")
if OUTBOUND_HTTP_DEADLINE_SECONDS < 1 or OUTBOUND_HTTP_MAX_ANSWER_BYTES < 1:
    raise ImproperlyConfigured("OUTBOUND_HTTP_DEADLINE_SECONDS and OUTBOUND_HTTP_MAX_ANSWER_BYTES must be positive")

# --- Kickoff, sign-offs, KPIs and brand assets (issue 3) ------------------------
KICKOFF_INCOMPLETE_AFTER_DAYS = env_int("KICKOFF_INCOMPLETE_AFTER_DAYS", 7)
KPIS_AGREED_DAYS_BEFORE_LAUNCH = env_int("KPIS_AGREED_DAYS_BEFORE_LAUNCH", 14)
REPORTING_PLAN_DUE_DAYS_AFTER_KICKOFF = env_int("REPORTING_PLAN_DUE_DAYS_AFTER_KICKOFF", 7)
KPI_REPORT_GRACE_DAYS = env_int("KPI_REPORT_GRACE_DAYS", 2)
SIGNOFF_TURNAROUND_BUSINESS_DAYS = env_int("SIGNOFF_TURNAROUND_BUSINESS_DAYS", 2)
# A decision raised this many days ago and still pending is flagged, naming its decider (issue 12).
DECISION_PENDING_DAYS = env_int("DECISION_PENDING_DAYS", 7)
BRAND_ASSET_MAX_UPLOAD_MB = env_int("BRAND_ASSET_MAX_UPLOAD_MB", 20)
# Any upload's request body (the largest file a form takes, and a megabyte for the other fields) is refused from
# its declared size before it is read; JSON and form bodies stay within Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
UPLOAD_MAX_BYTES = (BRAND_ASSET_MAX_UPLOAD_MB + 1) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "utilities.uploads.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Authority and invitations (issue 8) ------------------------------------------------------------------
# A new company's contact sets a password through a signed link valid this long (Django's reset token).
PASSWORD_RESET_TIMEOUT = env_int("WELCOME_LINK_DAYS", 7) * 24 * 3600
# How long the one-click answer links of e-mails (Approve, Done, Accept…) work.
ANSWER_LINK_DAYS = env_int("ANSWER_LINK_DAYS", 14)
# An invitation nobody answered for this long is flagged on the host's campaign.
INVITATION_UNANSWERED_DAYS = env_int("INVITATION_UNANSWERED_DAYS", 7)
# Invitations a company sends in any 24 hours, and of them by e-mail (a company new to the tracker: a login made,
# an address written to); the operator is not limited. Over a limit: 429 with Retry-After, or a form error.
INVITATIONS_PER_COMPANY_PER_DAY = env_int("INVITATIONS_PER_COMPANY_PER_DAY", 20)
NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY = env_int("NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY", 5)
for _name in ("INVITATIONS_PER_COMPANY_PER_DAY", "NEW_COMPANY_INVITATIONS_PER_COMPANY_PER_DAY"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more, got {globals()[_name]}")
# A person e-mailed an invitation to a campaign is not e-mailed again for it within this many days (withdrawn and
# made again, the invitation shows in the tracker).
INVITATION_EMAIL_COOLDOWN_DAYS = env_int("INVITATION_EMAIL_COOLDOWN_DAYS", 7)
# "Forgot your password": at most this many reset e-mails an hour per address asked for, and as many requests an hour
# from one client address; over either, the page answers the same and sends nothing.
PASSWORD_RESETS_PER_HOUR = env_int("PASSWORD_RESETS_PER_HOUR", 5)
if PASSWORD_RESETS_PER_HOUR < 1:
    raise ImproperlyConfigured("PASSWORD_RESETS_PER_HOUR must be at least 1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The PDF renderer and its font subsetter narrate every report they draw (hundreds of lines per PDF at INFO):
    # only their warnings reach the console.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}
