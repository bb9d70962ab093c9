"""`make serve`: the production settings on one machine, over plain HTTP, behind Varnish.

scripts/serve.py sets the environment (database, object store, keys, public address, the cache
to purge) and starts gunicorn, Varnish, a task worker and, when installed, SeaweedFS.
"""

from .production import *  # noqa: F401,F403
from .production import env_bool

ALSMIS_ENVIRONMENT = "serve"
# No TLS proxy in front of Varnish on this machine: plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No nginx either: Django serves /static/ (collected) and /media/ itself (alsmis/urls.py).
ALSMIS_SERVE_FILES = True
# The demo logins work without a second factor, as with `make run`.
ALSMIS_2FA_ENFORCED = env_bool("ALSMIS_2FA_ENFORCED", False)
