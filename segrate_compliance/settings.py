"""Settings for Segrate Compliance, read from the environment (see .env.example).

One module for every environment: what differs comes from variables. With no configuration
the app runs in its embedded default (own PostgreSQL from a wheel, filesystem broker under
``DATA_DIR``, self-signed organisation certificate); ``DATABASE_URL`` and ``REDIS_URL`` switch
to real services.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from segrate_compliance.log import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Importing the settings has no side effect (no directory, no file, no server): every
# ``manage.py check``, pre-commit hook and Celery process imports them. What lives under
# DATA_DIR is created where it is first written (secret key, broker folders, PostgreSQL data).
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
# The embedded default: no DATABASE_URL, so the app runs its own PostgreSQL under DATA_DIR.
EMBEDDED = not env.str("DATABASE_URL", default="")


def _secret_key() -> str:
    """SECRET_KEY from the environment; on the embedded default (or in debug) one generated
    once and kept in DATA_DIR/secret_key (mode 0600), read or created when the key is first
    used, not at import. Never a key written in the code."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not (EMBEDDED or DEBUG):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set (see .env.example).")
    from segrate_compliance.secret_key import lazy_key

    return lazy_key(DATA_DIR)


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "axes",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "notifications",
    "reporting",
    "services",
    "archive",
    "budgets",
    "complaints",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id and user (segrate_compliance/log.py).
    "segrate_compliance.middleware.RequestContextMiddleware",
    # Before anything reads the body: an oversized request is refused unread.
    "segrate_compliance.middleware.RequestBodyLimitMiddleware",
    # What a request computes once (a user's object permissions): accounts/request_cache.py.
    "accounts.request_cache.RequestCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After SessionMiddleware: its response side runs first, before the session is saved.
    "accounts.middleware.SessionRenewalMiddleware",
    "accounts.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's, with the session's device kept until the device tables change (issue 8).
    "accounts.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Wraps what follows, so that the MFA redirects are not stored either.
    "segrate_compliance.middleware.NoStoreForSignedInMiddleware",
    # After OTPMiddleware (is_verified) and messages; sends MFA users to enrol or verify.
    "accounts.middleware.MFARequiredMiddleware",
    "accounts.middleware.AuditContextMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "segrate_compliance.urls"
WSGI_APPLICATION = "segrate_compliance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "segrate_compliance.context_processors.navigation",
            ],
        },
    }
]

# -- Database: PostgreSQL everywhere (no SQLite path), two roles ------------------------------
# DATABASE_URL is the application role (web, worker, beat): neither superuser nor owner of
# the tables. DATABASE_OWNER_URL is the owner, used only by migrate, flush, createcachetable
# and test database creation (segrate_compliance/database/roles.py). Give the owner's URL to
# the process that migrates, never to web, worker and beat.
if not EMBEDDED:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
    DATABASE_OWNER = (
        env.db_url("DATABASE_OWNER_URL") if env.str("DATABASE_OWNER_URL", default="") else None
    )
else:
    from segrate_compliance.embedded_db import EmbeddedPostgres

    # Only the URLs here: the project's backend (segrate_compliance/database/base.py) starts
    # or joins the private cluster when a connection is first opened; the last process using
    # it stops it on exit.
    _embedded = EmbeddedPostgres(DATA_DIR)
    DATABASES = {"default": environ.Env.db_url_config(_embedded.url())}
    DATABASES["default"]["EMBEDDED_DATA_DIR"] = str(DATA_DIR)
    DATABASE_OWNER = environ.Env.db_url_config(_embedded.owner_url())
DATABASES["default"]["ENGINE"] = "segrate_compliance.database"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default="")
if not DATABASES["default"]["TEST"]["NAME"]:
    del DATABASES["default"]["TEST"]["NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- Accounts and authentication ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, with the permissions kept between requests until they change (issue 8).
    "accounts.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.validators.ItalianMinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors see nothing

# django-axes: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions end after inactivity (seconds), renewed at most once a minute by
# accounts.middleware.SessionRenewalMiddleware (not on every request: issue 8).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# -- MFA: second factor (django-otp, TOTP + recovery codes; see accounts/mfa.py) -------------
# Issue 6 §4: those who sign and approve, and who manage users, sign in with a second factor.
# Role values of accounts.roles.Role; a signed-in holder of one of them (or a superuser) is sent
# to enrolment or verification before any page. Users who enrolled on their own are asked too.
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES",
    default=["amministratore_unico", "direttore", "odv", "sindaco", "gestore_utenti"],
)
MFA_REQUIRED_FOR_SUPERUSERS = env.bool("MFA_REQUIRED_FOR_SUPERUSERS", default=True)
MFA_RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "Segrate Compliance"
# Exponential back-off after a wrong code (1, 2, 4, 8 … seconds), per device.
OTP_TOTP_THROTTLE_FACTOR = env.int("MFA_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
# No drift learning: a code one step ahead (accepted by the ±1 tolerance) must not move the
# window for good; phones keep network time.
OTP_TOTP_SYNC = False
# The admin never shows an existing device's secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# -- Security headers (production values come from the environment) ---------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a reverse proxy that sets X-Forwarded-Proto and X-Forwarded-For: HTTPS is read from
# the first, and the public complaint pages (complaints/public.py) take the client's address
# from the second. Never on a server reachable directly: both headers are then the client's.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# -- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("Inglese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

# -- Static files (served by whitenoise; no CDN) -----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="")
        or (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or env.bool("WHITENOISE_USE_FINDERS", default=False)
MEDIA_ROOT = DATA_DIR / "media"

# -- Document archive storage (archive/storage.py): write-once, content-addressed blobs ----------
# ARCHIVE_STORAGE=local (default): files under ARCHIVE_ROOT, created on the first write;
# ARCHIVE_STORAGE=s3: an S3-compatible bucket through django-storages. Empty credentials leave
# boto3 its own chain (environment, instance role).
ARCHIVE_STORAGE = env.str("ARCHIVE_STORAGE", default="") or "local"
ARCHIVE_ROOT = Path(env.str("ARCHIVE_ROOT", default="") or DATA_DIR / "archive").resolve()
if ARCHIVE_STORAGE == "local":
    STORAGES["archive"] = {
        "BACKEND": "archive.storage.WriteOnceFileSystemStorage",
        "OPTIONS": {"location": ARCHIVE_ROOT},
    }
elif ARCHIVE_STORAGE == "s3":
    if not env.str("ARCHIVE_S3_BUCKET", default=""):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("ARCHIVE_STORAGE=s3 needs ARCHIVE_S3_BUCKET (.env.example).")
    STORAGES["archive"] = {
        "BACKEND": "archive.storage.WriteOnceS3Storage",
        "OPTIONS": {
            "bucket_name": env.str("ARCHIVE_S3_BUCKET"),
            "endpoint_url": env.str("ARCHIVE_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("ARCHIVE_S3_REGION", default="") or None,
            "access_key": env.str("ARCHIVE_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("ARCHIVE_S3_SECRET_ACCESS_KEY", default="") or None,
        },
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"ARCHIVE_STORAGE must be local or s3, not {ARCHIVE_STORAGE!r}.")

# -- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="compliance@segrateservizi.it")

# -- Accounts: e-mailed links (issue 6, item 3: activation and password reset) ----------------
# Nobody sets another person's password: a new account is activated, a forgotten password
# reset, through a one-time link sent by e-mail. SITE_URL starts the links of e-mails sent
# outside a request (manage.py bootstrap_au, notices to confirmers).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
ACCOUNT_ACTIVATION_TIMEOUT = env.int("ACCOUNT_ACTIVATION_TIMEOUT", default=7 * 24 * 3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)
# -- end accounts block ------------------------------------------------------------------------

# -- Cache: Redis when configured, otherwise the database (shared by web, worker and beat) -----
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "segrate_cache",
        }
    )
}

# -- Celery ------------------------------------------------------------------------------------
# JSON only; task arguments are ids, never personal data (the broker keeps messages in clear).
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if REDIS_URL
    else {
        "data_folder_in": str(DATA_DIR / "broker" / "queue"),
        "data_folder_out": str(DATA_DIR / "broker" / "queue"),
        "control_folder": str(DATA_DIR / "broker" / "control"),
        "processed_folder": str(DATA_DIR / "broker" / "processed"),
        "store_processed": False,
    }
)
if not REDIS_URL:
    # kombu's filesystem transport needs its folders to exist beforehand: this subclass
    # creates them when a channel is first opened (publisher or worker), not at import.
    CELERY_BROKER_TRANSPORT = "segrate_compliance.broker:FilesystemTransport"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # worker and beat keep LOGGING's format


def _every(variable: str, default: int) -> int:
    """A beat interval in seconds from the environment (``.env.example`` lists them)."""
    seconds = env.int(variable, default=default)
    if seconds <= 0:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{variable} must be a positive number of seconds.")
    return seconds


def _beat_entry(task: str, seconds: int) -> dict:
    # A run that waited longer than its period is dropped rather than piling up: Celery's
    # "expires"; django-celery-beat's database scheduler stores it as "expire_seconds".
    return {
        "task": task,
        "schedule": float(seconds),
        "options": {"expires": seconds, "expire_seconds": seconds},
    }


# Beat's schedule (paperless-ngx style): each interval from the environment, with a default.
# django-celery-beat copies it into the database, where the admin shows it.
CELERY_HEARTBEAT_SECONDS = _every("CELERY_HEARTBEAT_SECONDS", 60)
CELERY_BEAT_SCHEDULE = {
    "health-heartbeat": _beat_entry("segrate_compliance.tasks.heartbeat", CELERY_HEARTBEAT_SECONDS),
    "services-sync-assignment-permissions": _beat_entry(
        "services.tasks.sync_assignment_permissions",
        _every("BEAT_SYNC_ASSIGNMENT_PERMISSIONS_SECONDS", 3600),
    ),
    "accounts-sync-role-memberships": _beat_entry(
        "accounts.tasks.sync_role_memberships",
        _every("BEAT_SYNC_ROLE_MEMBERSHIPS_SECONDS", 3600),
    ),
    # Prot. 10 §6: issued statements not archived yet (a broker outage at issue, a failed
    # run) are caught up once a day, at night; idempotent (archive/intake.py). Dropped if
    # it waited more than a day.
    "archive-statements-catch-up": {
        "task": "archive.tasks.statements_archive",
        "schedule": crontab(
            hour=env.int("BEAT_ARCHIVE_STATEMENTS_HOUR", default=2),
            minute=env.int("BEAT_ARCHIVE_STATEMENTS_MINUTE", default=30),
        ),
        "options": {"expires": 86400, "expire_seconds": 86400},
    },
    # Prot. 10 §6, access on request: every night, record the grants that expired and tell
    # their requesters (visibility never waits for it). A day's run may wait up to a day.
    "archive-expire-access-grants": {
        "task": "archive.tasks.expire_access_grants",
        "schedule": crontab(minute=10, hour=0),
        "options": {"expires": 86400, "expire_seconds": 86400},
    },
    # Prot. 10 §6: every stored file re-hashed weekly, Sunday 03:00 Europe/Rome (CELERY_TIMEZONE);
    # a run not started within a day is dropped (the next week's runs anyway).
    "archive-integrity-check": {
        "task": "archive.tasks.integrity_check",
        "schedule": crontab(minute="0", hour="3", day_of_week="sun"),
        "options": {"expires": 86400, "expire_seconds": 86400},
    },
    # Prot. 10 §6: every morning, the documents past retention for the Direttore to propose.
    # A run still waiting after six hours is dropped (the next day's one counts again).
    "archive-disposal-sweep": {
        "task": "archive.tasks.disposal_sweep",
        "schedule": crontab(hour=env.int("BEAT_ARCHIVE_DISPOSAL_SWEEP_HOUR", default=5), minute=30),
        "options": {"expires": 6 * 3600, "expire_seconds": 6 * 3600},
    },
    # Issue 10: every morning, the assignee and the Direttore are e-mailed about complaints
    # that became overdue (once per complaint and due date). Dropped after six hours.
    "complaints-notify-overdue": {
        "task": "complaints.tasks.notify_overdue",
        "schedule": crontab(hour=env.int("BEAT_COMPLAINTS_OVERDUE_HOUR", default=7), minute=15),
        "options": {"expires": 6 * 3600, "expire_seconds": 6 * 3600},
    },
}

# -- Audit (django-pghistory) ------------------------------------------------------------------
PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_ADMIN_MODEL = "pghistory.Events"
# Test runs that flush tables (live-server browser tests) need TRUNCATE on audit tables; the
# owner's connections get the switch (segrate_compliance/database/roles.py), the application
# role has no TRUNCATE privilege at all. Production never sets this (see accounts/audit.py).
AUDIT_ALLOW_TRUNCATE = env.bool("AUDIT_ALLOW_TRUNCATE", default=False)
if AUDIT_ALLOW_TRUNCATE and DATABASE_OWNER is None:  # one role: the switch goes on it
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c segrate.allow_truncate=on"

# -- Reporting (PDF, PAdES) --------------------------------------------------------------------
REPORTING_ORGANISATION_NAME = env.str(
    "REPORTING_ORGANISATION_NAME", default="Segrate Servizi S.r.l."
)
REPORTING_SIGNING_PKCS12 = env.str("REPORTING_SIGNING_PKCS12", default="")
REPORTING_SIGNING_PKCS12_PASSWORD = env.str("REPORTING_SIGNING_PKCS12_PASSWORD", default="")

# -- Demo --------------------------------------------------------------------------------------
# Demo data (users with a known password) only on the embedded default, or where asked for
# explicitly (the test suite): never into a configured production database.
DEMO_DATA = env.bool("DEMO_DATA", default=EMBEDDED)
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Segrate-demo-2026")

# One format (time, level, logger, request id, user) for Django, gunicorn and Celery.
LOGGING = logging_config(env.str("LOG_LEVEL", default="INFO"))
# The request id of a request comes from X-Request-ID only behind a proxy that sets it (and
# strips the client's own); otherwise it is generated.
REQUEST_ID_FROM_HEADER = env.bool("REQUEST_ID_FROM_HEADER", default=False)

# Demo data seeders, in dependency order (later apps append theirs).
DEMO_SEEDERS = [
    "accounts.demo.seed",
    "services.demo.seed",
    "archive.demo.seed",
    "budgets.demo.seed",
    "complaints.demo.seed",
]

# Budget vs actuals: a month whose actual cost differs from the budget by more than this
# fraction is flagged.
BUDGET_VARIANCE_THRESHOLD = env.float("BUDGET_VARIANCE_THRESHOLD", default=0.10)

# Issue 6 (bad input): more hours than this on one delivery record (one contract, qualification
# and month) are refused outright: about 60 full-time people, far beyond any team of the company.
DELIVERY_MAX_MONTHLY_HOURS = env.int("DELIVERY_MAX_MONTHLY_HOURS", default=10_000)

# Issue 9 (archive uploads): the largest file the archive accepts, in bytes (25 MiB). The web
# server in front must accept requests at least this large (plus the form's other fields).
ARCHIVE_MAX_UPLOAD_BYTES = env.int("ARCHIVE_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
# Any request's body: the largest upload plus room for the rest of the form (and a few files
# where a form takes several); beyond it the request is refused unread (413).
REQUEST_BODY_MAX_BYTES = env.int(
    "REQUEST_BODY_MAX_BYTES", default=ARCHIVE_MAX_UPLOAD_BYTES * 2 + 1024 * 1024
)
# Text extraction for the search (worker): the most bytes of decompressed PDF drawing
# operators read (a larger PDF is kept, findable by its metadata only), and the task's time
# limit in seconds (soft: the version ends "no text"; hard, 30 s later: the child is killed).
ARCHIVE_EXTRACTION_MAX_BYTES = env.int("ARCHIVE_EXTRACTION_MAX_BYTES", default=16 * 1024 * 1024)
ARCHIVE_EXTRACTION_TIME_LIMIT = env.int("ARCHIVE_EXTRACTION_TIME_LIMIT", default=120)

# Issue 10 (public complaint intake, complaints/public.py): per client address, the complaints
# the public form registers per hour and the form's submissions (valid or not) per hour; the
# status lookups per window; the attachments of one complaint and the size of each.
PUBLIC_COMPLAINT_SUBMISSIONS_PER_HOUR = env.int("PUBLIC_COMPLAINT_SUBMISSIONS_PER_HOUR", default=5)
PUBLIC_COMPLAINT_ATTEMPTS_PER_HOUR = env.int("PUBLIC_COMPLAINT_ATTEMPTS_PER_HOUR", default=30)
PUBLIC_COMPLAINT_STATUS_LOOKUPS = env.int("PUBLIC_COMPLAINT_STATUS_LOOKUPS", default=20)
PUBLIC_COMPLAINT_STATUS_WINDOW_SECONDS = env.int(
    "PUBLIC_COMPLAINT_STATUS_WINDOW_SECONDS", default=600
)
PUBLIC_COMPLAINT_MAX_ATTACHMENTS = env.int("PUBLIC_COMPLAINT_MAX_ATTACHMENTS", default=3)
PUBLIC_COMPLAINT_MAX_ATTACHMENT_BYTES = env.int(
    "PUBLIC_COMPLAINT_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024
)
# The key of the receipt codes' HMAC (only the HMAC is stored). Empty: derived from SECRET_KEY,
# so rotating SECRET_KEY would make every code given so far unusable; production sets its own.
COMPLAINT_RECEIPT_KEY = env.str("COMPLAINT_RECEIPT_KEY", default="")
