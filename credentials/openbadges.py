"""Awards as Open Badges 3.0 credentials, the issuer's DID document and the revocation list.

- `credential_for(award)`: the award as a signed `OpenBadgeCredential` (W3C Verifiable
  Credentials Data Model 2.0 with the Open Badges 3.0.3 context), issued by the site's `did:web`
  and signed by its current key (`credentials.proofs`, eddsa-rdfc-2022).
- `did_document()`: `/.well-known/did.json`, every issuer key (current and retired) as a
  `Multikey` verification method authorised for assertions.
- `status_list_credential()`: the signed `BitstringStatusListCredential` whose bit at an award's
  `status_index` is set when that award is revoked (a replaced award is not revoked).

Addresses come from `settings.ALSMIS_PUBLIC_URL` (the site's public address, never the request's
Host header), so the DID, the verification URLs and the document at `/.well-known/did.json` agree.
The site must be served at the root of that host: a did:web with a path would be resolved at
`<path>/did.json` instead.
"""

import base64
import gzip
from datetime import UTC, datetime, time
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings

from credentials import keys, proofs
from credentials.certificates import verification_url
from credentials.codes import STATUS_LIST_LENGTH
from credentials.models import Award, AwardState

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
# The one status list this site publishes (revocation); its URL is stable, its content follows
# the database on every request.
STATUS_LIST_ID = 1
STATUS_PURPOSE = "revocation"


def base_url():
    """The site's public address, without a trailing slash."""
    return settings.ALSMIS_PUBLIC_URL.rstrip("/")


def issuer_did():
    """The issuer's `did:web`, from the host (and port) of ALSMIS_PUBLIC_URL."""
    parts = urlsplit(settings.ALSMIS_PUBLIC_URL)
    host = parts.hostname or "localhost"
    if parts.port:
        # did:web percent-encodes the port's colon.
        host = f"{host}%3A{parts.port}"
    return f"did:web:{quote(host, safe='%')}"


def verification_method(key):
    """The DID URL of `key`: `did:web:<host>#<multibase public key>`."""
    return f"{issuer_did()}#{key.key_id}"


def status_list_url():
    """The stable address of the revocation status list credential."""
    return f"{base_url()}/credentials/status/{STATUS_LIST_ID}"


def achievement_url(achievement):
    """The identifier of an achievement (a URL of this site)."""
    return f"{base_url()}/credentials/achievements/{achievement.slug}"


def _local_datetime(day, at=time.min):
    """An XML Schema dateTime for `day` at `at` in the site's time zone (Asia/Manila)."""
    return (
        datetime.combine(day, at, tzinfo=ZoneInfo(settings.TIME_ZONE))
        .replace(microsecond=0)
        .isoformat()
    )


def _now():
    return datetime.now(UTC).replace(microsecond=0)


def _sign(document):
    key = keys.current_key()
    return proofs.sign(document, keys.private_key(key), verification_method(key), _now())


def unsigned_credential(award):
    """The `OpenBadgeCredential` of `award` before signing (see the module)."""
    achievement = award.achievement
    region = award.batch.division.region
    url = verification_url(award.code)
    credential = {
        "@context": [proofs.CREDENTIALS_V2, proofs.OPEN_BADGES_V3],
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_did(),
            "type": ["Profile"],
            "name": region.name,
            "url": base_url() + "/",
        },
        "validFrom": _local_datetime(award.issued_on),
        "awardedDate": _local_datetime(award.issued_on),
        "name": achievement.name,
        # The learner is named as printed on the certificate and nothing else: no id, no LRN
        # (hashed or not), nothing that could be matched against another record.
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": award.name_as_printed,
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": award.name_as_printed,
                }
            ],
            "achievement": {
                "id": achievement_url(achievement),
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": achievement.name,
                "description": achievement.description,
                "criteria": {"narrative": achievement.criteria_narrative},
                "fieldOfStudy": achievement.learning_strand,
            },
        },
        "evidence": [{"type": ["Evidence"], "narrative": award.evidence}],
        "credentialStatus": {
            "id": f"{status_list_url()}#{award.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": STATUS_PURPOSE,
            "statusListIndex": str(award.status_index),
            "statusListCredential": status_list_url(),
        },
    }
    if award.valid_until:
        credential["validUntil"] = _local_datetime(award.valid_until, time(23, 59, 59))
    return credential


def credential_for(award):
    """`award` as an `OpenBadgeCredential` signed now by the issuer's current key."""
    return _sign(unsigned_credential(award))


def did_document():
    """The issuer's DID document: every key, current first, as Multikey assertion methods."""
    did = issuer_did()
    methods = [
        {
            "id": verification_method(key),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys.all_keys()
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def revoked_indexes():
    """The status-list indexes of the revoked awards."""
    return Award.objects.filter(state=AwardState.REVOKED).values_list("status_index", flat=True)


def encode_bitstring(indexes, length=STATUS_LIST_LENGTH):
    """The Bitstring Status List `encodedList` with the bits at `indexes` set: the GZIP of the
    bitstring (index 0 is the first byte's most significant bit), base64url without padding,
    multibase prefix 'u'."""
    bits = bytearray(length // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list gives the same bytes.
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_bitstring(encoded):
    """The set indexes of an `encodedList` (the inverse of `encode_bitstring`)."""
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    return [
        byte_index * 8 + bit
        for byte_index, byte in enumerate(bits)
        if byte
        for bit in range(8)
        if byte & (0x80 >> bit)
    ]


def status_list_credential():
    """The signed revocation `BitstringStatusListCredential`, as the database says now."""
    url = status_list_url()
    return _sign(
        {
            "@context": [proofs.CREDENTIALS_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did(),
            "validFrom": _now().isoformat().replace("+00:00", "Z"),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": STATUS_PURPOSE,
                "encodedList": encode_bitstring(revoked_indexes()),
            },
        }
    )
