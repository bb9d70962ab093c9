"""Data Integrity proofs for verifiable credentials: `DataIntegrityProof` with the cryptosuite
`eddsa-rdfc-2022` (W3C Data Integrity EdDSA Cryptosuites v1.0), as Open Badges 3.0 requires.

Signing, in the cryptosuite's words: canonicalise the credential without its proof and the proof
options (the proof without `proofValue`, under the credential's `@context`) with RDF Dataset
Canonicalization (RDFC-1.0, the algorithm pyld calls URDNA2015), hash each with SHA-256, and sign
the proof options' hash followed by the credential's hash with Ed25519. `proofValue` is the
signature in multibase base58btc (`z...`).

The JSON-LD contexts are the copies shipped in `credentials/contexts/`: the document loader serves
those and nothing else, so neither signing nor verifying ever reaches the network, and a document
naming any other context is refused. A term no context defines would be silently dropped by
JSON-LD expansion (and so left unsigned): it is refused too, like jsonld.js's "safe mode".
"""

import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld.jsonld import JsonLdError, JsonLdProcessor

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT_FILES = {
    CREDENTIALS_V2: "credentials-v2.json",
    OPEN_BADGES_V3: "ob-context-3.0.3.json",
}
CONTEXT_DIR = Path(__file__).resolve().parent / "contexts"

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
# The multicodec prefix of an Ed25519 public key (0xed, varint-encoded) in a Multikey.
ED25519_PUB_PREFIX = b"\xed\x01"


class ProofError(ValueError):
    """A document that cannot be signed as given (unknown context, undefined term, ...)."""


# --- multibase base58btc -------------------------------------------------------------------


def base58_encode(data: bytes) -> str:
    """Bitcoin base58 of `data` (leading zero bytes become '1's)."""
    return base58.b58encode(data).decode("ascii")


def base58_decode(text: str) -> bytes:
    """The bytes of a base58 string; ValueError on a character outside the alphabet."""
    return base58.b58decode(text)


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey form of an Ed25519 public key: 'z' + base58btc(0xed01 + 32 bytes), z6Mk..."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58_encode(ED25519_PUB_PREFIX + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a Multikey string; ValueError when it is not one."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    raw = base58_decode(value[1:])
    if len(raw) != 34 or not raw.startswith(ED25519_PUB_PREFIX):
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


# --- canonicalisation ----------------------------------------------------------------------


@cache
def _context(url):
    return json.loads((CONTEXT_DIR / CONTEXT_FILES[url]).read_text())


def document_loader(url, options=None):
    """pyld's document loader: the shipped contexts only; anything else is an error."""
    if url not in CONTEXT_FILES:
        raise ProofError(f"The context {url} is not one of those shipped with the application.")
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": _context(url),
        "contentType": "application/ld+json",
    }


def _refuse_dropped(term):
    raise ProofError(f"The term {term!r} is not defined by the document's contexts.")


def canonize(document: dict) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document."""
    try:
        return JsonLdProcessor(on_property_dropped=_refuse_dropped).normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader,
            },
        )
    except JsonLdError as error:
        # pyld wraps what the handler raised; say the first cause in plain words.
        cause = error
        while cause is not None and not isinstance(cause, ProofError):
            cause = cause.__cause__
        raise (cause or ProofError(str(error))) from error


def _hash_data(unsecured: dict, proof_options: dict) -> bytes:
    options = {"@context": unsecured["@context"], **proof_options}
    return (
        hashlib.sha256(canonize(options).encode()).digest()
        + hashlib.sha256(canonize(unsecured).encode()).digest()
    )


def _timestamp(created) -> str:
    if isinstance(created, str):
        return created
    return created.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- sign and verify -----------------------------------------------------------------------


def sign(
    document: dict,
    key: Ed25519PrivateKey,
    verification_method: str,
    created=None,
    proof_purpose="assertionMethod",
) -> dict:
    """A copy of `document` with a `DataIntegrityProof` (eddsa-rdfc-2022) made with `key`.

    `created` is a datetime (UTC is written) or an XML Schema dateTime string; now if omitted.
    Raises ProofError for a document that names an unshipped context or an undefined term.
    """
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    proof = {
        "type": PROOF_TYPE,
        "created": _timestamp(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    signature = key.sign(_hash_data(unsecured, proof))
    return {**unsecured, "proof": {**proof, "proofValue": "z" + base58_encode(signature)}}


def verify(document: dict, public_key_multibase: str) -> bool:
    """Whether `document` carries an eddsa-rdfc-2022 proof that `public_key_multibase` made
    over exactly this content. Anything malformed is simply False."""
    try:
        proof = document["proof"]
        if (
            not isinstance(proof, dict)
            or proof.get("type") != PROOF_TYPE
            or proof.get("cryptosuite") != CRYPTOSUITE
        ):
            return False
        proof_value = proof["proofValue"]
        if not isinstance(proof_value, str) or not proof_value.startswith("z"):
            return False
        signature = base58_decode(proof_value[1:])
        options = {name: value for name, value in proof.items() if name != "proofValue"}
        unsecured = {name: value for name, value in document.items() if name != "proof"}
        public_key = public_key_from_multibase(public_key_multibase)
        public_key.verify(signature, _hash_data(unsecured, options))
    except (InvalidSignature, ProofError, KeyError, TypeError, ValueError, JsonLdError):
        return False
    return True
