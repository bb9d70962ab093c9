"""Settings shared by every environment. Everything a deployment changes comes from the environment."""

import base64
import hashlib
import json
import os
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
    # Project apps first so that their templates override Wagtail's where they mean to.
    "cms",
    "home",
    "organisation",
    "repository",
    "workflow",
    "learners",
    "snapshots",
    "stats",
    "api",
    # django-ninja serves its API docs with local assets when it is an installed app.
    "ninja",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
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
]

MIDDLEWARE = [
    # Stored whole pages for anonymous visitors (cms/cache.py). First, so that a stored page is
    # answered without running the rest of the stack; it replays the headers that stack added.
    "cms.cache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

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
    if settings["ENGINE"] == "django.db.backends.postgresql":
        # Django turns psycopg's prepared statements off (None). Its own cursors bind
        # parameters on the client and never prepare anyway; the public site's hot statements
        # (cms.db.run_prepared) bind on the server and ask to be prepared, which needs a
        # threshold.
        settings.setdefault("OPTIONS", {})["prepare_threshold"] = 5
    return settings


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

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "ALS MIS <als-mis@deped-car.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGIN_URL = "wagtailadmin_login"

# Public site (cms): anonymous page cache lifetime in seconds (0 = off) and paths never cached.
ALSMIS_PAGE_CACHE_SECONDS = int(env("ALSMIS_PAGE_CACHE_SECONDS", "300"))
# Ties stored pages to the code that rendered them; by default a hash of the sources (cms.cache).
ALSMIS_RELEASE = env("ALSMIS_RELEASE", "")
ALSMIS_PAGE_CACHE_EXCLUDE = ("/admin/", "/api/", "/documents/", "/i18n/", "/healthz", "/images/")
# Stored pages each web process also keeps in memory (PostgreSQL only; 0 = none), served without
# a query while no purge has been announced, and for at most this many seconds each.
ALSMIS_PAGE_CACHE_LOCAL_ENTRIES = int(env("ALSMIS_PAGE_CACHE_LOCAL_ENTRIES", "2000"))
ALSMIS_PAGE_CACHE_LOCAL_SECONDS = int(env("ALSMIS_PAGE_CACHE_LOCAL_SECONDS", "30"))
# OAI-PMH (/oai/): records per list response, the identifier namespace, the contact address.
ALSMIS_OAI_PAGE_SIZE = int(env("ALSMIS_OAI_PAGE_SIZE", "100"))
ALSMIS_OAI_REPOSITORY_IDENTIFIER = env("ALSMIS_OAI_REPOSITORY_IDENTIFIER", "alsmis.deped-car")
ALSMIS_OAI_ADMIN_EMAIL = env("ALSMIS_OAI_ADMIN_EMAIL", "als-mis@deped-car.example")

WAGTAIL_SITE_NAME = "ALS MIS"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
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
# Submission files: stream through Django (default) or redirect to a signed S3 URL of this lifetime.
SUBMISSION_DOWNLOADS_VIA_SIGNED_URL = env_bool("SUBMISSION_DOWNLOADS_VIA_SIGNED_URL", False)
SUBMISSION_DOWNLOAD_URL_SECONDS = int(env("SUBMISSION_DOWNLOAD_URL_SECONDS", "60"))

# Submissions (repository, workflow): upload limit in bytes; days a submission may wait per state
# before it is flagged overdue (JSON, merged over workflow/services.py defaults); LRMDS rating
# thresholds per factor (JSON, merged over workflow/review.py defaults).
SUBMISSION_MAX_UPLOAD_BYTES = int(env("SUBMISSION_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))
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
    },
}
