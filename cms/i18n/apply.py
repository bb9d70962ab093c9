"""Fill locale/fil/LC_MESSAGES/django.po with the Filipino translations in cms/i18n/fil.py.

Run after `manage.py makemessages -l fil`, then `manage.py compilemessages -l fil`:
    python -m cms.i18n.apply
Only empty translations are filled; anything a translator already wrote is kept.
"""

import re
import sys
from pathlib import Path

from cms.i18n.fil import FILIPINO

PO = Path(__file__).resolve().parent.parent.parent / "locale" / "fil" / "LC_MESSAGES" / "django.po"


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(lines):
    """The text of a .po string (its quoted lines joined, C escapes resolved, Unicode kept)."""
    joined = "".join(re.findall(r'^"(.*)"$', "\n".join(lines), re.M))
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), joined)


def _quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _field(block, name):
    """The value lines of `name "..."` plus its continuation lines, and their span in `block`."""
    match = re.search(rf'^{re.escape(name)} ("(?:.*)"\n?(?:"(?:.*)"\n?)*)', block, re.M)
    if match is None:
        return None, None
    raw = match.group(1).rstrip("\n").split("\n")
    return raw, match.span(1)


HEADER_FIELDS = {
    "Language": "fil",
    "Plural-Forms": "nplurals=2; plural=(n > 1);",
    "Language-Team": "Filipino",
}


def _header(block):
    for name, value in HEADER_FIELDS.items():
        block = re.sub(rf'^"{name}: .*\\n"$', f'"{name}: {value}\\\\n"', block, flags=re.M)
    return block.replace("#, fuzzy\n", "")


def _set_msgstr(block, name, value):
    """Replace `name "..."` (with its continuation lines) by one line holding `value`."""
    pattern = rf'^{re.escape(name)} "(?:.*)"(?:\n"(?:.*)")*'
    return re.sub(pattern, lambda _m: f"{name} {_quote(value)}", block, count=1, flags=re.M)


def apply(path=PO):
    """Write every known translation into the .po (replacing fuzzy guesses); returns how many."""
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    filled = 0
    for index, block in enumerate(blocks):
        msgid_lines, _span = _field(block, "msgid")
        if msgid_lines is None:
            continue
        msgid = _unquote(msgid_lines)
        if msgid == "":
            blocks[index] = _header(block)
            continue
        if msgid not in FILIPINO:
            continue
        translation = FILIPINO[msgid]
        block = re.sub(r"^#, fuzzy\n", "", block, flags=re.M)
        block = re.sub(r"^(#,.*), fuzzy", r"\1", block, flags=re.M)
        block = re.sub(r"^#\| .*\n", "", block, flags=re.M)
        if "msgid_plural" in block:
            forms = translation if isinstance(translation, list) else [translation, translation]
            for number, form in enumerate(forms):
                block = _set_msgstr(block, f"msgstr[{number}]", form)
        else:
            block = _set_msgstr(block, "msgstr", translation)
        filled += 1
        blocks[index] = block
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return filled


if __name__ == "__main__":
    count = apply(Path(sys.argv[1]) if len(sys.argv) > 1 else PO)
    print(f"Filled {count} Filipino translations in {PO}")
