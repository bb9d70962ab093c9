"""`make run`: SQLite and local files unless the environment says otherwise."""

from .base import *  # noqa: F401,F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
ALSMIS_ENVIRONMENT = "dev"
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# the demo logins printed by `make run` work without a second factor here.
ALSMIS_2FA_ENFORCED = env_bool("ALSMIS_2FA_ENFORCED", False)
