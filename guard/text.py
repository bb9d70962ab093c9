"""What text the project can store: no NUL bytes (PostgreSQL `text` refuses U+0000) and no lone
surrogates (U+D800–U+DFFF cannot be encoded as UTF-8). Used by the request guard and by the
spreadsheet importer."""

import re

#: One character that PostgreSQL text cannot store or UTF-8 cannot encode.
UNSAFE = re.compile("[\x00\ud800-\udfff]")


def is_unsafe(text):
    """Whether `text` (a str; anything else is not) holds a NUL byte or a lone surrogate."""
    return isinstance(text, str) and UNSAFE.search(text) is not None


def replace_unsafe(text, replacement="\ufffd"):
    """`text` with each unsafe character replaced, fit to store or show."""
    return UNSAFE.sub(replacement, text)


def invalid_character_message():
    """The message for a field holding such a character (translated)."""
    from django.utils.translation import gettext

    return gettext("Contains a NUL byte or an invalid character.")
