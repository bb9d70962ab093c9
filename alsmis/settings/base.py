"""Settings shared by every environment. Everything a deployment changes comes from the environment."""

import base64
import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from botocore.config import Config as BotoConfig
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    """Read a setting from the environment; empty strings count as unset."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Purges of the HTTP cache in front (cms/purge.py uses its backends). Before cms, whose
    # ready() disconnects its own page receivers (cms/apps.py); it has no templates.
    "wagtail.contrib.frontend_cache",
    # Project apps first so that their templates override Wagtail's where they mean to.
    "cms",
    "alsmis",
    "home",
    "organisation",
    "repository",
    "workflow",
    # Resumable uploads of submission files straight to object storage.
    "uploads",
    "learners",
    "snapshots",
    "stats",
    "credentials",
    "monitoring",
    # Readers' reports of problems on published items, and their corrections.
    "errata",
    "api",
    # Logins: sign-in lockout, second factor, shared login counters.
    "accounts",
    # Backup and restore of the database and the file storage (manage.py backup / restore).
    "backups",
    # django-ninja serves its API docs with local assets when it is an installed app.
    "ninja",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    # wagtail.users with the guarded user screens (organisation/users.py).
    "organisation.apps.UsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
    # Django's own widget templates for FORM_RENDERER below.
    "django.forms",
    # Logins: django-axes (lockout) and django-otp (TOTP, recovery codes).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # Headers: the HTTPS redirect and the security headers (CSP by path,
    # Permissions-Policy) come first, so that every early answer gets them too.
    "django.middleware.security.SecurityMiddleware",
    "guard.csp.PathPolicyCSPMiddleware",
    # Input: NUL bytes and lone surrogates anywhere in a request are a 400
    # naming the field (guard/middleware.py). Before everything that reads the request.
    "guard.middleware.RejectUnsafeInputMiddleware",
    # Cache-Control for the HTTP cache in front (cms/http_cache.py): public pages shareable for
    # anonymous visitors, private for sessions. Before sessions, locale and CSRF, so that it sees
    # the cookies and Vary they add.
    "cms.http_cache.CachePolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API's messages in the language its client asks for (Accept-Language).
    "api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Logins: request.user.is_verified() (django-otp).
    "accounts.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Logins: a signed-in user who owes a second factor reaches only the
    # two-factor pages; django-axes turns a locked-out sign-in into its answer (accounts/lockout.py).
    "accounts.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
    # Reliability (issue 12, faults): a file storage outage that a view did not answer itself
    # is a 503 with a message, never a 500 (guard/storage_errors.py).
    "guard.storage_errors.StorageUnavailableMiddleware",
]

# widgets render with the templates above, so that templates/wagtailadmin/widgets/
# can replace Wagtail's date pickers, whose inline <script> the admin's CSP refuses.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

ROOT_URLCONF = "alsmis.urls"
WSGI_APPLICATION = "alsmis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


def database(url, **options):
    """Django's settings of the database at `url` (dj_database_url's, and ours below)."""
    settings = dj_database_url.parse(url, **options)
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        settings.setdefault("OPTIONS", {}).update(sqlite_options())
    return settings


# Part P (issue 12): SQLite as a real single-machine default under concurrent writers.
def sqlite_options():
    """The OPTIONS that let several request threads, processes and the task worker share one
    SQLite file: readers never block the writer (WAL); a writer waits for the lock instead of
    failing at once with "database is locked" (timeout, seconds); every transaction takes the
    write lock when it begins (IMMEDIATE), so two transactions that read and then write cannot
    deadlock on upgrading their locks — SQLite would fail one of them at once, busy timeout or
    not. synchronous=NORMAL is durable in WAL mode except for the last commits on power loss."""
    return {
        "timeout": float(env("SQLITE_BUSY_TIMEOUT", "20")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL",
    }


# SQLite in the project folder is the embedded default so that a newcomer needs no server.
DATABASES = {
    "default": database(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fil", _("Filipino"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "Asia/Manila")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# Files: S3 (private objects, signed URLs) when a bucket is configured, local disk otherwise.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY")
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", "us-east-1")
AWS_QUERYSTRING_EXPIRE = int(env("AWS_QUERYSTRING_EXPIRE", "300"))


def s3_storage_options(bucket, endpoint_url=None, access_key=None, secret_key=None, region=None):
    """Options for django-storages' S3 backend: private objects, signed short-lived URLs."""
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url,
        "access_key": access_key,
        "secret_key": secret_key,
        "region_name": region or "us-east-1",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": AWS_QUERYSTRING_EXPIRE,
        "file_overwrite": False,
        # Fail fast so a dead object store shows up in /healthz instead of hanging a worker.
        # (client_config replaces django-storages' own signature/addressing options, so set them here.)
        "client_config": BotoConfig(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            connect_timeout=3,
            read_timeout=60,
            retries={"max_attempts": 2, "mode": "standard"},
        ),
    }


if AWS_STORAGE_BUCKET_NAME:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_storage_options(
            AWS_STORAGE_BUCKET_NAME,
            AWS_S3_ENDPOINT_URL,
            AWS_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY,
            AWS_S3_REGION_NAME,
        ),
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}

STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads stream to a temporary file past 2.5 MB, so a 200 MB upload never sits in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
FILE_UPLOAD_PERMISSIONS = 0o640

# Background work runs on django-tasks' database backend and its `db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Reliability (issue 12, faults): tasks a dead worker left RUNNING (alsmis/task_recovery.py,
# `manage.py recover_tasks`). Longer than any task may legitimately run; tasks whose second run
# would do harm are listed in TASKS_NOT_RETRIED (dotted paths) and are marked failed instead.
TASKS_RUNNING_TIMEOUT_SECONDS = int(env("TASKS_RUNNING_TIMEOUT_SECONDS", "1800"))
TASKS_MAX_ATTEMPTS = int(env("TASKS_MAX_ATTEMPTS", "3"))
TASKS_NOT_RETRIED = env_list("TASKS_NOT_RETRIED", "")

# The scheduler (`manage.py run_scheduler`, alsmis/schedule.py): a job's crontab moved
# (JSON: {"verify_files": "0 3 * * *"}), jobs switched off (comma-separated names), and how
# far the nightly fixity check reaches (unset: every file each night; N: files not checked
# in the last N days, spreading a large repository over N nights).
SCHEDULER_CRON = json.loads(env("SCHEDULER_CRON", "{}"))
SCHEDULER_JOBS_OFF = env_list("SCHEDULER_JOBS_OFF", "")
VERIFY_FILES_OLDER_THAN_DAYS = (
    int(env("VERIFY_FILES_OLDER_THAN_DAYS")) if env("VERIFY_FILES_OLDER_THAN_DAYS") else None
)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "alsmis",
    }
}
if env("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL"),
    }

# Logins. Counters that every web process must share (the token endpoint's
# rate limit): the database (table created by accounts' migrations), or Redis when REDIS_URL is
# set. The "default" cache above stays as it is.
ALSMIS_SHARED_CACHE_TABLE = "alsmis_shared_cache"
CACHES["shared"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": ALSMIS_SHARED_CACHE_TABLE,
}
if env("REDIS_URL"):
    CACHES["shared"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL"),
        "KEY_PREFIX": "alsmis-shared",
    }
# How many reverse proxies in front of Django append to X-Forwarded-For. 0: the client is
# REMOTE_ADDR and the header is ignored; 1: its right-most entry; N: the N-th from the right.
# accounts.client.client_address is the one reader (throttle, lockout, anything else).
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
# Sign-in lockout (django-axes): this many failures (password or second factor) for one account,
# or from one client address, lock it for LOGIN_COOLOFF_MINUTES, on the admin and the API.
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_COOLOFF_MINUTES = int(env("LOGIN_COOLOFF_MINUTES", "30"))
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused before any password is checked.
    "accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
# Either counts: one account from anywhere, or one address across accounts.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "accounts.client.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# Failures while locked out do not push the end of the lockout further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Not reset on success: with address lockout, one good sign-in would wipe every failure from
# that address, including guesses at other accounts.
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
# Usernames and addresses stay out of axes' log lines (its own table keeps them for the unlock screen).
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.LoginForm"
# Second factor (django-otp): required of superusers, system administrators and learner-data
# roles when enforced (accounts/policy.py); others may turn it on. Off in alsmis.settings.dev.
ALSMIS_2FA_ENFORCED = env_bool("ALSMIS_2FA_ENFORCED", True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "ALS MIS")

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ALS MIS <als-mis@deped-car.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "wagtailadmin_login"

# Public site (cms): the HTTP cache in front of gunicorn (Varnish, deploy/varnish/default.vcl).
# Comma-separated base URLs of the caches to purge (`http://127.0.0.1:6081`), one per cache node;
# unset, nothing is purged (no cache in front: `make run`, most tests). cms/purge.py.
ALSMIS_FRONTEND_CACHE_URLS = env_list("ALSMIS_FRONTEND_CACHE_URL", "")
WAGTAILFRONTENDCACHE = {
    f"varnish{number}": {"BACKEND": "cms.purge.VarnishBackend", "LOCATION": url}
    for number, url in enumerate(ALSMIS_FRONTEND_CACHE_URLS)
}
# OAI-PMH (/oai/): records per list response, the identifier namespace, the contact address.
ALSMIS_OAI_PAGE_SIZE = int(env("ALSMIS_OAI_PAGE_SIZE", "100"))
ALSMIS_OAI_REPOSITORY_IDENTIFIER = env("ALSMIS_OAI_REPOSITORY_IDENTIFIER", "alsmis.deped-car")
ALSMIS_OAI_ADMIN_EMAIL = env("ALSMIS_OAI_ADMIN_EMAIL", "als-mis@deped-car.example")

WAGTAIL_SITE_NAME = "ALS MIS"
# the site's public address (scheme, host, port). The Wagtail Site
# (setup_site), canonical links, public_url, the feed, OAI-PMH and the sitemap use it whatever
# host a request came in on; notification links too unless WAGTAILADMIN_BASE_URL says otherwise.
ALSMIS_PUBLIC_URL = env(
    "ALSMIS_PUBLIC_URL", env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
).rstrip("/")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", ALSMIS_PUBLIC_URL)
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "odt", "ods", "csv", "txt", "zip"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_PASSWORD_RESET_ENABLED = True

# Sensitive personal information is encrypted at rest (learners/crypto.py). Comma-separated Fernet
# keys, the first encrypts; development derives one from SECRET_KEY, production must set them.
LEARNER_DATA_KEYS = env_list("LEARNER_DATA_KEYS", "")
if not LEARNER_DATA_KEYS:
    LEARNER_DATA_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(f"alsmis-learner:{SECRET_KEY}".encode()).digest()
        ).decode()
    ]

# REST API (/api/v1/): bearer tokens live this many hours; token requests per client address.
API_TOKEN_TTL_HOURS = int(env("API_TOKEN_TTL_HOURS", "720"))
API_LOGIN_RATE = env("API_LOGIN_RATE", "30/m")
# Public certificate look-ups (/verify/<code>/) per client address, shared by every worker.
CREDENTIALS_VERIFY_RATE = env("CREDENTIALS_VERIFY_RATE", "60/m")
# Readers' problem reports (errata/) sent per client address, shared by every worker.
ERRATA_REPORT_RATE = env("ERRATA_REPORT_RATE", "5/h")
# Submission files: stream through Django (default) or redirect to a signed S3 URL of this lifetime.
SUBMISSION_DOWNLOADS_VIA_SIGNED_URL = env_bool("SUBMISSION_DOWNLOADS_VIA_SIGNED_URL", False)
SUBMISSION_DOWNLOAD_URL_SECONDS = int(env("SUBMISSION_DOWNLOAD_URL_SECONDS", "60"))

# Submissions (repository, workflow): upload limit in bytes; days a submission may wait per state
# before it is flagged overdue (JSON, merged over workflow/services.py defaults); LRMDS rating
# thresholds per factor (JSON, merged over workflow/review.py defaults).
SUBMISSION_MAX_UPLOAD_BYTES = int(env("SUBMISSION_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
# Resumable uploads straight to object storage (uploads/): the size of each part the browser
# sends (small parts lose little on a weak connection; S3's minimum is 5 MB), how long a presigned
# part URL lasts, after how many hours an unfinished upload is aborted (the `sweep_uploads`
# job), and the origins whose pages may send parts to the bucket (bucket CORS, set by
# `manage.py configure_storage_cors`; empty: the origin of ALSMIS_PUBLIC_URL).
UPLOADS_PART_SIZE = int(env("UPLOADS_PART_SIZE", str(5 * 1024 * 1024)))
UPLOADS_URL_EXPIRE_SECONDS = int(env("UPLOADS_URL_EXPIRE_SECONDS", "3600"))
UPLOADS_ABANDON_AFTER_HOURS = int(env("UPLOADS_ABANDON_AFTER_HOURS", "24"))
# Unfinished uploads one person may have open at once: parts sit in the bucket until the
# completion or the sweep, so this bounds what one account can park there.
UPLOADS_MAX_OPEN_PER_USER = int(env("UPLOADS_MAX_OPEN_PER_USER", "10"))
UPLOADS_CORS_ORIGINS = env_list("UPLOADS_CORS_ORIGINS", "")
WORKFLOW_OVERDUE_DAYS = json.loads(env("WORKFLOW_OVERDUE_DAYS", "{}"))
LRMDS_THRESHOLDS = json.loads(env("LRMDS_THRESHOLDS", "{}"))

# AF1–AF5 snapshots (snapshots app): upload limit in bytes; files with more rows than this import
# in the background with progress; how many row errors a rejected file's report keeps. Public
# statistics hide every count under STATS_SUPPRESSION_THRESHOLD (and its complements).
SNAPSHOT_MAX_UPLOAD_BYTES = int(env("SNAPSHOT_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
SNAPSHOT_SYNC_MAX_ROWS = int(env("SNAPSHOT_SYNC_MAX_ROWS", "2000"))
SNAPSHOT_MAX_REPORTED_ERRORS = int(env("SNAPSHOT_MAX_REPORTED_ERRORS", "1000"))
STATS_SUPPRESSION_THRESHOLD = int(env("STATS_SUPPRESSION_THRESHOLD", "5"))
# Keep uploaded AF files after import (they hold personal data in the clear; default: delete).
SNAPSHOT_KEEP_UPLOADS = env_bool("SNAPSHOT_KEEP_UPLOADS", False)
# Issue 12, part Q (hostile spreadsheets): bounds on every uploaded AF file, the web worker's
# inline import limit in bytes (larger files go to the task worker), the import's time limit, and
# minutes without progress after which a running import is marked failed (it can be run again).
SNAPSHOT_MAX_ROWS = int(env("SNAPSHOT_MAX_ROWS", "200000"))
SNAPSHOT_MAX_UNPACKED_BYTES = int(env("SNAPSHOT_MAX_UNPACKED_BYTES", str(200 * 1024 * 1024)))
SNAPSHOT_MAX_ZIP_MEMBERS = int(env("SNAPSHOT_MAX_ZIP_MEMBERS", "200"))
SNAPSHOT_MAX_SHARED_STRINGS = int(env("SNAPSHOT_MAX_SHARED_STRINGS", "1000000"))
SNAPSHOT_MAX_SHARED_STRINGS_BYTES = int(
    env("SNAPSHOT_MAX_SHARED_STRINGS_BYTES", str(50 * 1024 * 1024))
)
SNAPSHOT_SYNC_MAX_BYTES = int(env("SNAPSHOT_SYNC_MAX_BYTES", str(4 * 1024 * 1024)))
SNAPSHOT_IMPORT_TIME_LIMIT = int(env("SNAPSHOT_IMPORT_TIME_LIMIT", "600"))
SNAPSHOT_STALE_JOB_MINUTES = int(env("SNAPSHOT_STALE_JOB_MINUTES", "5"))
# Minutes a queued import may wait for the task worker before it is marked failed (no worker took
# its task: the worker is down or the task row was lost); it can then be run again.
SNAPSHOT_QUEUED_JOB_MINUTES = int(env("SNAPSHOT_QUEUED_JOB_MINUTES", "30"))

# Learner transfers: days the learner's current division has to answer a
# transfer request before escalate_learner_transfers hands it to regional ALS personnel.
LEARNER_TRANSFER_ANSWER_DAYS = int(env("LEARNER_TRANSFER_ANSWER_DAYS", "10"))

# Headers and deployment. The production defaults are in production.py.


def proxy_ssl_header(value):
    """`SECURE_PROXY_SSL_HEADER` from "HEADER,value" (e.g. `HTTP_X_FORWARDED_PROTO,https`).

    "none" (or unset) trusts no header: only a direct TLS connection counts as HTTPS.
    """
    if not value or value.strip().lower() in {"none", "off", "false", "0"}:
        return None
    header, _comma, secure_value = value.partition(",")
    return (header.strip().upper(), secure_value.strip() or "https")


SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env("SECURE_PROXY_SSL_HEADER"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# A load balancer probes /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Wagtail's admin previews pages in a same-origin frame; CSP frame-ancestors says the same.
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Wagtail's admin takes the CSRF token from the page (wagtailConfig), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# Staff avatars would come from gravatar.com: an outside origin, and staff e-mail hashes sent to it.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does any staff page link to wagtail.org (alsmis/wagtail_hooks.py drops the help menu's).
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# Content-Security-Policy (django-csp, guard/csp.py). Public pages: nothing inline, nothing from
# another origin. The admin (ALSMIS_ADMIN_CSP_PREFIXES) also allows style attributes, which
# Wagtail's admin writes, and images from the object store (added by guard/csp.py).
_STRICT_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _STRICT_CSP}
ALSMIS_ADMIN_CSP_PREFIXES = ["/admin/"]
ALSMIS_ADMIN_CSP_DIRECTIVES = {
    **_STRICT_CSP,
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "media-src": ["'self'", "blob:"],
    # Wagtail's admin previews pages of this site in a frame.
    "frame-src": ["'self'"],
}
# Permissions-Policy: the browser features no page of this site uses, denied to every origin.
ALSMIS_PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Demo data; seed_demo refuses to run under production settings.
DEMO_PASSWORD = env("DEMO_PASSWORD", "alsmis-demo")
ALSMIS_ENVIRONMENT = "base"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        # alsmis.scheduler logs each enqueued job; APScheduler's own "Running job" lines repeat it.
        "apscheduler": {"level": "WARNING"},
    },
}
