"""Encryption at rest for sensitive personal information (RA 10173).

Keys come from the environment: LEARNER_DATA_KEYS is a comma-separated list of Fernet keys, the first
used to encrypt, all of them tried to decrypt, so a key can be rotated in without downtime
(`manage.py rotate_learner_keys` then re-encrypts every value under the new first key).
Encrypted columns cannot be filtered on by value; search uses separate, non-sensitive fields.
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=8)
def _fernet_for(keys):
    if not keys:
        raise ImproperlyConfigured("LEARNER_DATA_KEYS must hold at least one Fernet key.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def fernet():
    """The MultiFernet for the configured keys (first key encrypts)."""
    return _fernet_for(tuple(settings.LEARNER_DATA_KEYS))


def encrypt_text(value):
    """Encrypt a string; None stays None."""
    if value is None:
        return None
    return PREFIX + fernet().encrypt(str(value).encode()).decode()


def decrypt_text(token):
    """Decrypt what encrypt_text made; raises InvalidToken when no configured key fits."""
    if token is None:
        return None
    if not token.startswith(PREFIX):
        raise InvalidToken("value is not an ALS MIS encrypted token")
    return fernet().decrypt(token[len(PREFIX) :].encode()).decode()


def rotate_token(token):
    """Re-encrypt a token under the current first key."""
    if token is None:
        return None
    return PREFIX + fernet().rotate(token[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python sees plaintext, the database only ciphertext."""

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else encrypt_text(value)

    def get_lookup(self, lookup_name):
        # Only null checks make sense on ciphertext; anything else would silently never match.
        if lookup_name != "isnull":
            raise TypeError(f"{self.name} is encrypted and cannot be filtered with __{lookup_name}")
        return super().get_lookup(lookup_name)


class EncryptedJSONField(models.TextField):
    """A JSON value stored encrypted as one token."""

    description = "Encrypted JSON"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return json.loads(decrypt_text(value))

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt_text(json.dumps(value, default=str, separators=(",", ":")))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), default=str)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise TypeError(f"{self.name} is encrypted and cannot be filtered with __{lookup_name}")
        return super().get_lookup(lookup_name)


def encrypted_fields():
    """Every (model, field) in the project that is stored encrypted."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField | EncryptedJSONField):
                yield model, field
