"""Production: PostgreSQL, S3-compatible object storage, SMTP, and a task worker beside the web nodes."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, env, env_bool, env_list, proxy_ssl_header

ALSMIS_ENVIRONMENT = "production"
DEBUG = False

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

LEARNER_DATA_KEYS = env_list("LEARNER_DATA_KEYS", "")
if not LEARNER_DATA_KEYS:
    raise ImproperlyConfigured("LEARNER_DATA_KEYS must be set in the environment for production.")

# Headers and deployment: HTTPS only, by default. The TLS-terminating proxy
# must set (and overwrite any client's) X-Forwarded-Proto; "none" trusts no header.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(
    env("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https")
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The public address defaults to the first trusted origin (or https://<first allowed host>).
if not env("ALSMIS_PUBLIC_URL") and not env("WAGTAILADMIN_BASE_URL"):
    _hosts = [host.lstrip(".") for host in ALLOWED_HOSTS if host != "*"]
    ALSMIS_PUBLIC_URL = (
        CSRF_TRUSTED_ORIGINS[0]
        if CSRF_TRUSTED_ORIGINS
        else f"https://{(_hosts or ['localhost'])[0]}"
    ).rstrip("/")
    WAGTAILADMIN_BASE_URL = ALSMIS_PUBLIC_URL
SILENCED_SYSTEM_CHECKS = [
    # X_FRAME_OPTIONS is SAMEORIGIN, not DENY: Wagtail's admin shows page previews in a
    # same-origin frame. Other sites still cannot frame any page (CSP frame-ancestors 'self').
    "security.W019",
]
if not env_bool("SECURE_HSTS_PRELOAD", False):
    # Asking browsers to preload HTTPS (SECURE_HSTS_PRELOAD) commits the whole registrable domain
    # and all its subdomains, which is the domain owner's decision, not this application's.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
