"""Files saved through Django's storage land in the S3 bucket, privately, behind signed URLs."""

import hashlib
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_file_saved_through_storage_lands_in_bucket_byte_identical(s3_storage):
    payload = os.urandom(300_000) + "Ñ ALS — learning resource".encode()
    name = default_storage.save("tests/roundtrip.bin", ContentFile(payload))

    stored = s3_storage["client"].get_object(Bucket=s3_storage["bucket"], Key=name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(payload).hexdigest()
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == payload


def test_storage_url_is_signed_and_object_is_not_public(s3_storage):
    name = default_storage.save("tests/private.txt", ContentFile(b"private bytes"))
    url = default_storage.url(name)

    query = parse_qs(urlparse(url).query)
    assert "X-Amz-Signature" in query and "X-Amz-Expires" in query
    assert requests.get(url, timeout=10).content == b"private bytes"

    unsigned = url.split("?", 1)[0]
    assert requests.get(unsigned, timeout=10).status_code == 403


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "alsmis.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_refuse_to_start_without_learner_data_keys():
    env = {k: v for k, v in os.environ.items() if k != "LEARNER_DATA_KEYS"}
    env.update(DJANGO_SETTINGS_MODULE="alsmis.settings.production", SECRET_KEY="x" * 50)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LEARNER_DATA_KEYS must be set" in result.stderr


def test_s3_settings_from_environment_select_the_s3_backend():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="alsmis.settings.production",
        SECRET_KEY="x" * 50,
        LEARNER_DATA_KEYS="a2V5LWZvci10aGUtcHJvZHVjdGlvbi1zZXR0aW5ncy10ZXN0eHg=",
        AWS_STORAGE_BUCKET_NAME="alsmis-prod",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:1",
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "o = s.STORAGES['default']; print(o['BACKEND'], o['OPTIONS']['default_acl'], "
        "o['OPTIONS']['querystring_auth'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "private", "True"]
