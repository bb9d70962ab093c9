"""Normalised, non-sensitive name keys used to find a learner despite spelling differences.

``fold_name("de la Cruz")``, ``fold_name("Dela Cruz")`` and ``fold_name("DelaCruz")`` are all
"delacruz": lower case, accents removed (Ñ → n), spaces and punctuation dropped. ``phonetic`` maps
letters that Filipino spellings use interchangeably (c/k/q, ph/f, v/b, z/s, j/h, y/i) to one form
and drops later vowels, so "Rodriguez" and "Rodrigues" share a key.
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


def damerau_levenshtein(a, b, limit=None):
    """Edit distance counting an adjacent transposition as one edit (optimal string alignment).

    With ``limit`` the computation stops early and returns ``limit + 1`` once the distance exceeds it.
    """
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2 = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if limit is not None and min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
