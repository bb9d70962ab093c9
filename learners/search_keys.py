"""Normalised, non-sensitive name keys used to find a learner despite spelling differences.

``fold_name("de la Cruz")``, ``fold_name("Dela Cruz")`` and ``fold_name("DelaCruz")`` are all
"delacruz": lower case, accents removed (Ñ → n), spaces and punctuation dropped. ``phonetic`` maps
letters that Filipino spellings use interchangeably (c/k/q, ph/f, v/b, z/s, j/h, y/i) to one form
and drops later vowels, so "Rodriguez" and "Rodrigues" share a key. Edit distances between keys
come from rapidfuzz (learners.services).
"""

import re
import unicodedata


def fold_name(text):
    """Lower-case letters only, accents stripped: the key that makes spacing and case irrelevant."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z]", "", text.lower())


_PHONETIC_RULES = [
    ("ph", "f"),
    ("qu", "k"),
    ("ck", "k"),
    ("c", "k"),
    ("q", "k"),
    ("x", "ks"),
    ("v", "b"),
    ("z", "s"),
    ("j", "h"),
    ("y", "i"),
    ("ll", "l"),
    ("gu", "g"),
]


def phonetic(text):
    """A coarse sound-alike key for a (folded or raw) name."""
    key = fold_name(text)
    if not key:
        return ""
    for old, new in _PHONETIC_RULES:
        key = key.replace(old, new)
    head, tail = key[0], re.sub(r"[aeiouh]", "", key[1:])
    key = head + tail
    return re.sub(r"(.)\1+", r"\1", key)
