"""The issuer's Ed25519 signing keys (`IssuerKey`): made on first use, rotated on demand.

One key is current and signs; a rotation makes a new current key and retires the old one (its
`retired_at` set) without deleting it, so credentials it signed still verify against the DID
document, which lists every key. The private key is stored encrypted with the learners' data keys
(`learners.crypto`, an `EncryptedTextField`), so `rotate_learner_keys` re-encrypts it too.
"""

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.db import IntegrityError, transaction
from django.utils import timezone

from credentials.models import IssuerKey
from credentials.proofs import public_key_multibase


def _new_key():
    private = Ed25519PrivateKey.generate()
    multibase = public_key_multibase(private.public_key())
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return IssuerKey.objects.create(
        key_id=multibase,
        public_key_multibase=multibase,
        private_key_encrypted=base64.b64encode(raw).decode(),
        is_current=True,
    )


def current_key() -> IssuerKey:
    """The key that signs now, made on first use (two first uses at once agree on one)."""
    key = IssuerKey.objects.filter(is_current=True).first()
    if key is not None:
        return key
    try:
        # The partial unique constraint allows one current key: a concurrent first use loses
        # here and reads the winner's.
        with transaction.atomic():
            return _new_key()
    except IntegrityError:
        return IssuerKey.objects.get(is_current=True)


@transaction.atomic
def rotate() -> IssuerKey:
    """Retire the current key (kept, `retired_at` set) and make a new current one."""
    now = timezone.now()
    for old in IssuerKey.objects.select_for_update().filter(is_current=True):
        old.is_current = False
        old.retired_at = now
        old.save(update_fields=["is_current", "retired_at"])
    return _new_key()


def private_key(key: IssuerKey) -> Ed25519PrivateKey:
    """The decrypted signing key of `key`."""
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key_encrypted))


def all_keys():
    """Every key, current first, then the earlier ones newest first (the DID document's order)."""
    return IssuerKey.objects.order_by("-is_current", "-created_at", "-pk")
