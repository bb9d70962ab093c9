"""Open Badges 3.0: the signing test vector, the issuer's keys, the credential, the DID document and
the revocation status list, checked by a verifier that shares no code with the signer."""

import base64
import copy
import gzip
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.management import call_command
from django.db import connection
from pyld import jsonld

from credentials import codes, keys, openbadges, proofs
from credentials.models import Award, AwardBatch, AwardState, IssuerKey

ROOT = Path(__file__).resolve().parents[2]
CONTEXTS = ROOT / "credentials" / "contexts"

# --- the 1EdTech test vector (../shared/ob3/README.md), copied here so the test stands alone ---

VECTOR_CREDENTIAL = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {
        "id": "https://example.edu/issuers/565049",
        "type": ["Profile"],
        "url": "https://www.imsglobal.org",
        "name": "Example Corp",
    },
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {
                "narrative": "Team members are nominated for this badge by their peers and "
                "recognized upon review by Example Corp management."
            },
            "description": "This badge recognizes the development of the capacity to "
            "collaborate within a group environment.",
            "name": "Teamwork",
        },
    },
}
VECTOR_KEY = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4"
VECTOR_PUBLIC = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
VECTOR_METHOD = f"https://example.edu/issuers/565049#{VECTOR_PUBLIC}"
VECTOR_CREATED = "2010-01-01T19:23:24Z"
VECTOR_PROOF_VALUE = (
    "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
)
VECTOR_DOCUMENT_SHA256 = "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
VECTOR_OPTIONS_SHA256 = "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"
# The expected canonical credential (document-canon.txt of the vector).
VECTOR_DOCUMENT_CANON = """\
<did:example:ebfeb1f712ebc6f1c276e12ec21> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject> .
<did:example:ebfeb1f712ebc6f1c276e12ec21> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement> <https://example.com/achievements/21st-century-skills/teamwork> .
<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential> .
<http://example.com/credentials/3527> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#VerifiableCredential> .
<http://example.com/credentials/3527> <https://schema.org/name> "Teamwork Badge" .
<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#credentialSubject> <did:example:ebfeb1f712ebc6f1c276e12ec21> .
<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#issuer> <https://example.edu/issuers/565049> .
<http://example.com/credentials/3527> <https://www.w3.org/2018/credentials#validFrom> "2010-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
<https://example.com/achievements/21st-century-skills/teamwork> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement> .
<https://example.com/achievements/21st-century-skills/teamwork> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria> _:c14n0 .
<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/description> "This badge recognizes the development of the capacity to collaborate within a group environment." .
<https://example.com/achievements/21st-century-skills/teamwork> <https://schema.org/name> "Teamwork" .
<https://example.edu/issuers/565049> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile> .
<https://example.edu/issuers/565049> <https://schema.org/name> "Example Corp" .
<https://example.edu/issuers/565049> <https://schema.org/url> "https://www.imsglobal.org"^^<https://www.w3.org/2001/XMLSchema#anyURI> .
_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative> "Team members are nominated for this badge by their peers and recognized upon review by Example Corp management." .
"""
VECTOR_PROOF_CANON = """\
_:c14n0 <http://purl.org/dc/terms/created> "2010-01-01T19:23:24Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#DataIntegrityProof> .
_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString> .
_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#assertionMethod> .
_:c14n0 <https://w3id.org/security#verificationMethod> <https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi> .
"""


def vector_key():
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(VECTOR_KEY))


def test_the_signer_reproduces_the_1edtech_test_vector():
    """The code that signs our credentials gives the vector's canonical forms, hashes and
    proofValue byte for byte."""
    document_canon = proofs.canonize(VECTOR_CREDENTIAL)
    assert document_canon == VECTOR_DOCUMENT_CANON
    assert hashlib.sha256(document_canon.encode()).hexdigest() == VECTOR_DOCUMENT_SHA256
    options = {
        "@context": VECTOR_CREDENTIAL["@context"],
        "type": "DataIntegrityProof",
        "created": VECTOR_CREATED,
        "verificationMethod": VECTOR_METHOD,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    options_canon = proofs.canonize(options)
    assert options_canon == VECTOR_PROOF_CANON
    assert hashlib.sha256(options_canon.encode()).hexdigest() == VECTOR_OPTIONS_SHA256

    assert proofs.public_key_multibase(vector_key().public_key()) == VECTOR_PUBLIC
    signed = proofs.sign(VECTOR_CREDENTIAL, vector_key(), VECTOR_METHOD, VECTOR_CREATED)
    assert signed["proof"] == {
        "type": "DataIntegrityProof",
        "created": VECTOR_CREATED,
        "verificationMethod": VECTOR_METHOD,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": VECTOR_PROOF_VALUE,
    }
    assert proofs.verify(signed, VECTOR_PUBLIC)
    assert "proof" not in VECTOR_CREDENTIAL  # the input is left as it was


def test_the_shipped_contexts_are_the_vectors():
    """The contexts the app ships are the ones the vector was made with (../shared/ob3)."""
    shared = ROOT.parent / "shared" / "ob3"
    if not shared.is_dir():
        pytest.skip("../shared/ob3 is not beside this checkout")
    assert (CONTEXTS / "credentials-v2.json").read_bytes() == (
        shared / "credentials-v2.json"
    ).read_bytes()
    assert (CONTEXTS / "ob-context-3.0.3.json").read_bytes() == (
        shared / "context-3.0.3.json"
    ).read_bytes()


def test_verify_says_no_to_a_changed_document_a_wrong_key_and_garbage():
    signed = proofs.sign(VECTOR_CREDENTIAL, vector_key(), VECTOR_METHOD, VECTOR_CREATED)
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    assert not proofs.verify(changed, VECTOR_PUBLIC)
    other = proofs.public_key_multibase(Ed25519PrivateKey.generate().public_key())
    assert not proofs.verify(signed, other)
    assert not proofs.verify({**signed, "proof": {**signed["proof"], "proofValue": "z0OIl"}}, other)
    assert not proofs.verify({**signed, "proof": "nonsense"}, VECTOR_PUBLIC)
    assert not proofs.verify(VECTOR_CREDENTIAL, VECTOR_PUBLIC)
    assert not proofs.verify(signed, "zNotAKey")


def test_signing_refuses_undefined_terms_and_other_contexts_without_the_network(monkeypatch):
    """A term no context defines would be dropped from what is signed; a context that is not
    shipped would need the network. Both are refused, and nothing is fetched."""

    def no_network(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr("socket.create_connection", no_network)
    with pytest.raises(proofs.ProofError, match="favouriteColour"):
        proofs.sign({**VECTOR_CREDENTIAL, "favouriteColour": "blue"}, vector_key(), "x", None)
    with pytest.raises(proofs.ProofError, match="example.org"):
        proofs.sign(
            {**VECTOR_CREDENTIAL, "@context": ["https://example.org/context.json"]},
            vector_key(),
            "x",
            None,
        )


# --- keys ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_first_key_is_made_on_first_use_and_stored_encrypted():
    assert not IssuerKey.objects.exists()
    key = keys.current_key()
    assert keys.current_key() == key
    assert IssuerKey.objects.count() == 1
    assert key.is_current and key.retired_at is None
    assert key.key_id == key.public_key_multibase and key.key_id.startswith("z6Mk")
    stored = IssuerKey.objects.get()
    private = keys.private_key(stored)
    assert proofs.public_key_multibase(private.public_key()) == key.public_key_multibase
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT private_key_encrypted FROM credentials_issuerkey WHERE id = %s", [key.pk]
        )
        (raw,) = cursor.fetchone()
    plain = base64.b64encode(private.private_bytes_raw()).decode()
    assert raw.startswith("fernet:")
    assert plain not in raw


@pytest.mark.django_db
def test_rotating_the_learners_data_keys_re_encrypts_the_signing_key(settings):
    key = keys.current_key()
    public = key.public_key_multibase
    old_data_key = settings.LEARNER_DATA_KEYS[0]
    new_data_key = Fernet.generate_key().decode()
    settings.LEARNER_DATA_KEYS = [new_data_key, old_data_key]
    out = io.StringIO()
    call_command("rotate_learner_keys", stdout=out)
    assert "credentials.IssuerKey.private_key_encrypted: 1 value(s) re-encrypted" in out.getvalue()
    settings.LEARNER_DATA_KEYS = [new_data_key]
    private = keys.private_key(IssuerKey.objects.get(pk=key.pk))
    assert proofs.public_key_multibase(private.public_key()) == public


@pytest.mark.django_db
def test_rotation_keeps_the_old_key_and_what_it_signed_still_verifies(award, client):
    old = keys.current_key()
    signed_before = openbadges.credential_for(award)
    out = io.StringIO()
    call_command("rotate_issuer_key", stdout=out)
    new = keys.current_key()
    assert new != old
    assert f"Retired: {old.key_id}" in out.getvalue()
    assert f"Current key: {new.key_id}" in out.getvalue()
    old.refresh_from_db()
    assert not old.is_current and old.retired_at is not None
    assert IssuerKey.objects.count() == 2

    did = client.get("/.well-known/did.json").json()
    listed = [method["publicKeyMultibase"] for method in did["verificationMethod"]]
    assert listed == [new.public_key_multibase, old.public_key_multibase]
    assert independent_verify(signed_before, did)
    signed_after = openbadges.credential_for(award)
    assert signed_after["proof"]["verificationMethod"].endswith("#" + new.key_id)
    assert independent_verify(signed_after, did)


# --- the credential --------------------------------------------------------------------------


@pytest.fixture
def issued_batch(user_named, benguet, achievement):
    batch = AwardBatch.objects.create(
        division=benguet,
        ceremony_date=date(2025, 12, 19),
        venue="La Trinidad Municipal Gym",
        signatories=[{"name": "Juana Santos", "position": "Schools Division Superintendent"}],
        state="issued",
        prepared_by=user_named("focal.benguet"),
    )
    batch.achievements.add(achievement)
    return batch


def make_award(batch, learner, achievement, code, index, **fields):
    return Award.objects.create(
        batch=batch,
        learner=learner,
        achievement=achievement,
        name_as_printed=fields.pop("name", f"{learner.first_name} {learner.last_name}"),
        evidence=fields.pop("evidence", "Rated 4, 3 and 3 on every element."),
        issued_on=date(2025, 12, 19),
        code=code,
        status_index=index,
        **fields,
    )


def fresh_codes(count):
    """Well-formed codes (with their check character), distinct."""
    found = set()
    while len(found) < count:
        found.add(codes.new_code())
    return sorted(found)


@pytest.fixture
def award(issued_batch, benguet_learners, achievement):
    return make_award(issued_batch, benguet_learners[0], achievement, codes.new_code(), 70_001)


@pytest.mark.django_db
def test_the_credential_is_an_open_badge_naming_the_learner_by_the_printed_name_only(
    award, benguet_learners
):
    award.valid_until = date(2027, 12, 19)
    award.save()
    credential = openbadges.credential_for(award)
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"http://testserver/verify/{award.code}/"
    assert credential["issuer"] == {
        "id": "did:web:testserver",
        "type": ["Profile"],
        "name": award.batch.division.region.name,
        "url": "http://testserver/",
    }
    assert credential["validFrom"] == "2025-12-19T00:00:00+08:00"
    assert credential["validUntil"] == "2027-12-19T23:59:59+08:00"
    assert credential["name"] == "Communication"
    subject = credential["credentialSubject"]
    assert "id" not in subject
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "Maria Bagtang"
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": "Maria Bagtang",
        }
    ]
    assert subject["achievement"] == {
        "id": "http://testserver/credentials/achievements/test-communication",
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": "Communication",
        "description": "Communicates clearly.",
        "criteria": {"narrative": "Rated 3 or more on every element by every rater."},
        "fieldOfStudy": "LS1 Communication Skills",
    }
    assert credential["evidence"] == [
        {"type": ["Evidence"], "narrative": "Rated 4, 3 and 3 on every element."}
    ]
    assert credential["credentialStatus"] == {
        "id": "http://testserver/credentials/status/1#70001",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "70001",
        "statusListCredential": "http://testserver/credentials/status/1",
    }
    assert credential["proof"]["verificationMethod"] == (
        f"did:web:testserver#{keys.current_key().key_id}"
    )
    # Nothing about the person but the printed name: no LRN (plain or hashed), no birthdate.
    learner = benguet_learners[0]
    text = json.dumps(credential)
    for secret in (
        learner.lrn,
        hashlib.sha256(learner.lrn.encode()).hexdigest(),
        "2004-05-01",
        "Benguet",
    ):
        assert secret not in text


@pytest.mark.django_db
def test_the_did_follows_the_public_address_with_its_port(settings, award):
    settings.ALSMIS_PUBLIC_URL = "https://als.example.org:8443/"
    credential = openbadges.credential_for(award)
    assert credential["issuer"]["id"] == "did:web:als.example.org%3A8443"
    assert credential["id"] == f"https://als.example.org:8443/verify/{award.code}/"
    assert openbadges.did_document()["id"] == "did:web:als.example.org%3A8443"


# --- the public views and an independent verifier -------------------------------------------


def _base58_decode(text):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    number = 0
    for char in text:
        number = number * 58 + alphabet.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _load_shipped_context(url, options=None):
    files = {
        "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.json",
    }
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads((CONTEXTS / files[url]).read_text()),
    }


def _canonical_sha256(document):
    nquads = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": _load_shipped_context,
        },
    )
    return hashlib.sha256(nquads.encode()).digest()


def independent_verify(credential, did_document):
    """eddsa-rdfc-2022 verification from the credential and the DID document alone: pyld,
    cryptography and the JSON, none of the application's signing code."""
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    method_id = proof["verificationMethod"]
    issuer = credential["issuer"]
    issuer = issuer["id"] if isinstance(issuer, dict) else issuer
    if method_id.split("#")[0] != issuer or did_document["id"] != issuer:
        return False
    if method_id not in did_document["assertionMethod"]:
        return False
    (method,) = [m for m in did_document["verificationMethod"] if m["id"] == method_id]
    raw = _base58_decode(method["publicKeyMultibase"][1:])
    assert raw[:2] == b"\xed\x01"
    public_key = Ed25519PublicKey.from_public_bytes(raw[2:])
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    options["@context"] = credential["@context"]
    unsecured = {key: value for key, value in credential.items() if key != "proof"}
    try:
        public_key.verify(
            _base58_decode(proof["proofValue"][1:]),
            _canonical_sha256(options) + _canonical_sha256(unsecured),
        )
    except InvalidSignature:
        return False
    return True


def test_the_independent_verifier_accepts_the_test_vector():
    proof = {
        "type": "DataIntegrityProof",
        "created": VECTOR_CREATED,
        "verificationMethod": VECTOR_METHOD,
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": VECTOR_PROOF_VALUE,
    }
    signed = {**VECTOR_CREDENTIAL, "proof": proof}
    did = {
        "id": "https://example.edu/issuers/565049",
        "verificationMethod": [{"id": VECTOR_METHOD, "publicKeyMultibase": VECTOR_PUBLIC}],
        "assertionMethod": [VECTOR_METHOD],
    }
    assert independent_verify(signed, did)


@pytest.mark.django_db
def test_a_credential_verifies_from_its_json_and_the_did_document_alone(client, award):
    award.name_as_printed = "María Niño Bagtang"
    award.save(update_fields=["name_as_printed"])
    response = client.get(f"/verify/{award.code}/credential.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    did_response = client.get("/.well-known/did.json")
    assert did_response.status_code == 200
    assert did_response["Content-Type"].startswith("application/did+json")
    did = json.loads(did_response.content)
    assert did["id"] == "did:web:testserver"

    assert independent_verify(json.loads(body), did)
    # One changed byte anywhere in the signed content, or in the signature, fails.
    assert json.loads(body)["credentialSubject"]["name"] == "María Niño Bagtang"
    changed_name = body.replace("Niño", "Nino")
    assert changed_name != body
    assert not independent_verify(json.loads(changed_name), did)
    changed_date = body.replace("2025-12-19T00:00:00", "2025-12-18T00:00:00")
    assert not independent_verify(json.loads(changed_date), did)
    credential = json.loads(body)
    value = credential["proof"]["proofValue"]
    credential["proof"]["proofValue"] = value[:-1] + ("2" if value[-1] != "2" else "3")
    assert not independent_verify(credential, did)


@pytest.mark.django_db
def test_wrong_codes_get_one_404(client, award):
    answers = [
        client.get(f"/verify/{code}/credential.json")
        for code in (codes.new_code(), "nonsense", award.code.lower())
    ]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert len({answer.content for answer in answers}) == 1
    assert answers[0].json() == {"detail": "No certificate has this code."}


def decoded_list(status_credential):
    encoded = status_credential["credentialSubject"]["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    assert len(bits) * 8 >= 131_072
    return {i for i in range(len(bits) * 8) if bits[i // 8] & (0x80 >> (i % 8))}


@pytest.mark.django_db
def test_the_status_list_shows_each_revocation_at_once_and_nothing_else(
    client, issued_batch, benguet_learners, achievement
):
    from credentials.services import reissue_award, revoke_award

    first, second, third = (
        make_award(issued_batch, learner, achievement, code, index)
        for learner, code, index in zip(
            benguet_learners, fresh_codes(3), (5, 70_001, 131_071), strict=True
        )
    )
    response = client.get("/credentials/status/1")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    status = response.json()
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status["id"] == "http://testserver/credentials/status/1"
    assert status["credentialSubject"]["statusPurpose"] == "revocation"
    assert decoded_list(status) == set()

    revoke_award(None, second, "Issued by mistake.")
    status = client.get("/credentials/status/1").json()
    assert decoded_list(status) == {70_001}
    did = client.get("/.well-known/did.json").json()
    assert independent_verify(status, did)

    # A replaced award is not revoked; its replacement is valid.
    new = reissue_award(None, third, name_as_printed="Ana B. Cosalan")
    revoke_award(None, first, "Duplicate.")
    status = client.get("/credentials/status/1").json()
    assert decoded_list(status) == {5, 70_001}
    assert new.status_index not in decoded_list(status)
    assert client.get("/credentials/status/2").status_code == 404


def test_the_bitstring_round_trips_at_the_edges():
    indexes = [0, 7, 8, 131_071]
    encoded = openbadges.encode_bitstring(indexes)
    assert openbadges.decode_bitstring(encoded) == indexes
    assert decoded_list({"credentialSubject": {"encodedList": encoded}}) == set(indexes)
    assert openbadges.encode_bitstring([]) == openbadges.encode_bitstring([])  # stable bytes


@pytest.mark.django_db
def test_the_public_documents_need_no_login_and_are_never_cached(client, award, user_named):
    for url in (
        "/.well-known/did.json",
        f"/verify/{award.code}/credential.json",
        "/credentials/status/1",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url
        assert response["Access-Control-Allow-Origin"] == "*"
    did = client.get("/.well-known/did.json").json()
    assert did["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    (method,) = did["verificationMethod"]
    assert method["type"] == "Multikey" and method["controller"] == "did:web:testserver"
    assert did["assertionMethod"] == [method["id"]]
    assert award.state == AwardState.VALID


def test_varnish_keeps_none_of_them_so_a_revocation_shows_at_once(
    cached_site, issued_batch, benguet_learners, achievement
):
    """Through the real HTTP cache (deploy/varnish/default.vcl): every answer goes to the
    application, so the status list shows a revocation on the very next request."""
    from credentials.services import revoke_award

    award = make_award(issued_batch, benguet_learners[0], achievement, codes.new_code(), 4242)
    paths = ["/.well-known/did.json", f"/verify/{award.code}/credential.json"]
    paths.append("/credentials/status/1")
    for path in paths:
        answers = [cached_site.get(path) for _ in range(2)]
        assert [answer.status for answer in answers] == [200, 200], path
        assert [answer.cache for answer in answers] == ["pass", "pass"], path
    assert decoded_list(json.loads(cached_site.get(paths[-1]).body)) == set()
    revoke_award(None, award, "Issued by mistake.")
    assert decoded_list(json.loads(cached_site.get(paths[-1]).body)) == {4242}


@pytest.mark.django_db
def test_the_credential_json_shares_the_verification_rate_limit(client, award, settings):
    settings.CREDENTIALS_VERIFY_RATE = "2/m"
    assert client.get(f"/verify/{award.code}/").status_code == 200
    assert client.get(f"/verify/{award.code}/credential.json").status_code == 200
    refused = client.get(f"/verify/{award.code}/credential.json")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json() == {
        "detail": "Too many look-ups from this address; try again in a minute."
    }
    # The other documents name no code and are not counted.
    assert client.get("/credentials/status/1").status_code == 200


@pytest.mark.django_db
def test_the_documents_only_answer_get_and_head(client, award):
    assert client.post("/credentials/status/1").status_code == 405
    assert client.head("/.well-known/did.json").status_code == 200
