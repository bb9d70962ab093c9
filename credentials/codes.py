"""Verification codes printed on certificates, and the random indexes of the revocation list.

A code is 13 random characters and one check character from a 30-character alphabet: Crockford's
base32 without 0 and 1 (and, as in Crockford's, without I, L, O and U), so nothing on paper can be
read two ways. 13 characters of 30 carry 63.8 bits from `secrets`, enough that guessing a valid
code is hopeless even at the rate limit. The check character makes the weighted sum of all 14
values (weights 1 to 14) a multiple of 31, a prime larger than the alphabet: a single wrong
character changes the sum by weight x difference, and a swap of two neighbours by (difference of
weights) x (difference of values), neither of which 31 divides, so every such typo is caught (and
every swap of two characters anywhere, the weights being distinct). Residue 30 has no character,
so payloads that would need it are drawn again (costing 0.05 bits).

Codes are stored without separators, upper case; `display` groups them for print
(`XXXX-XXXX-XXXX-XX`) and `normalise` undoes what people do when typing them back.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RADIX = len(ALPHABET)  # 30
MODULUS = 31  # a prime above RADIX
PAYLOAD_LENGTH = 13
CODE_LENGTH = PAYLOAD_LENGTH + 1
GROUP = 4
ENTROPY_BITS = 63.8  # PAYLOAD_LENGTH * log2(RADIX), for the docs and the test

# The Bitstring Status List holds at least this many entries (the minimum the W3C
# specification asks for, so a list does not reveal how few credentials it covers).
STATUS_LIST_LENGTH = 131_072

_VALUES = {character: value for value, character in enumerate(ALPHABET)}
# What typing back from paper adds: spaces, dashes of any kind, dots, underscores.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._]+")


def check_character(payload):
    """The check character of `payload` (13 alphabet characters), or None when the sum needs
    the one residue without a character (`new_code` then draws another payload)."""
    total = sum(weight * _VALUES[character] for weight, character in enumerate(payload, 1))
    # Solve total + CODE_LENGTH * check = 0 (mod MODULUS) for check.
    check = (-total * pow(CODE_LENGTH, -1, MODULUS)) % MODULUS
    return ALPHABET[check] if check < RADIX else None


def new_code():
    """A fresh random code (stored form: 14 characters, no separators)."""
    while True:
        payload = "".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH))
        check = check_character(payload)
        if check is not None:
            return payload + check


def normalise(typed):
    """The stored form of a code as someone typed it: upper case, without spaces or dashes.

    The result may still be malformed; ask `is_well_formed`."""
    return _SEPARATORS.sub("", str(typed or "")).upper()


def is_well_formed(code):
    """Whether `code` (stored form) has the right length, alphabet and check character."""
    if len(code) != CODE_LENGTH or any(character not in _VALUES for character in code):
        return False
    return sum(weight * _VALUES[c] for weight, c in enumerate(code, 1)) % MODULUS == 0


def display(code):
    """The code grouped for print and reading aloud: `XXXX-XXXX-XXXX-XX`."""
    code = normalise(code)
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def new_status_index():
    """A random index into the revocation status list (the caller retries on a collision)."""
    return secrets.randbelow(STATUS_LIST_LENGTH)
