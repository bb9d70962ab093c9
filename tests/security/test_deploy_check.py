"""`manage.py check --deploy` on production settings, with the README's production environment,
finds nothing to warn about."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def production_environment():
    """The environment README's "Running production-like" documents (S3 values are dummies)."""
    database = settings.DATABASES["default"]
    environment = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the test session's or the developer's own settings leaks in.
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_", "ALSMIS_", "AWS_"))
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "alsmis.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "LEARNER_DATA_KEYS": Fernet.generate_key().decode(),
            "DATABASE_URL": (
                f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "AWS_STORAGE_BUCKET_NAME": "alsmis",
            "AWS_S3_ENDPOINT_URL": "https://s3.internal.example",
            "AWS_ACCESS_KEY_ID": "dummy",
            "AWS_SECRET_ACCESS_KEY": "dummy",
            "ALLOWED_HOSTS": "als.deped-car.example",
            "CSRF_TRUSTED_ORIGINS": "https://als.deped-car.example",
            "EMAIL_HOST": "smtp.internal.example",
            "DEFAULT_FROM_EMAIL": "ALS MIS <als-mis@deped-car.example>",
        }
    )
    return environment


def run_manage(*args, environment):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_on_production_settings_is_clean():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", environment=production_environment()
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output, output
    assert "System check identified some issues" not in output, output
    assert "System check identified no issues" in output, output


def test_production_settings_are_https_only_by_default():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.ALSMIS_PUBLIC_URL, s.WAGTAILADMIN_BASE_URL, sep='|')"
    )
    result = run_manage("shell", "-c", code, environment=production_environment())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split("|") == [
        "True",
        "31536000",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "True",
        "True",
        "https://als.deped-car.example",
        "https://als.deped-car.example",
    ]
