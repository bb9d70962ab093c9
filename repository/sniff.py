"""What a file really is, decided from its bytes (never from its name or the client's type).

`sniff(head, fileobj, original_name)` returns a MIME type from the allow-list or None. `head` is the
first bytes of the file; `fileobj` is the whole file, seekable, used only for the zip-based office
formats (whose central directory sits at the end) and for the plain-text check, which reads in chunks.
"""

import codecs
import zipfile

import filetype

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
MP4 = "video/mp4"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
TEXT = "text/plain"
CSV = "text/csv"

ALLOWED_TYPES = {
    PDF: "PDF",
    JPEG: "JPEG image",
    PNG: "PNG image",
    WEBP: "WebP image",
    MP4: "MP4 video",
    DOCX: "Word document (DOCX)",
    XLSX: "Excel workbook (XLSX)",
    PPTX: "PowerPoint presentation (PPTX)",
    ODT: "OpenDocument text (ODT)",
    ODS: "OpenDocument spreadsheet (ODS)",
    ODP: "OpenDocument presentation (ODP)",
    TEXT: "plain text",
    CSV: "CSV",
}

# Suffixes used when the file is downloaded (the stored key has none).
EXTENSIONS = {
    PDF: "pdf",
    JPEG: "jpg",
    PNG: "png",
    WEBP: "webp",
    MP4: "mp4",
    DOCX: "docx",
    XLSX: "xlsx",
    PPTX: "pptx",
    ODT: "odt",
    ODS: "ods",
    ODP: "odp",
    TEXT: "txt",
    CSV: "csv",
}

HEAD_BYTES = 8192
_OOXML_MARKERS = [
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
]
_ODF_TYPES = {ODT, ODS, ODP}
# Text that a browser would treat as markup or script is not "plain text".
_MARKUP_PREFIXES = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<svg",
    b"<?xml",
    b"<iframe",
)


def sniff(head, fileobj, original_name=""):
    """The allow-listed MIME type of the file, or None when it is not one we accept."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(fileobj)
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in (JPEG, PNG, WEBP, MP4):
            return kind.mime
        return None
    if _is_plain_text(head, fileobj):
        # The name may only choose between two equally harmless text types.
        return CSV if original_name.lower().endswith(".csv") else TEXT
    return None


def _sniff_zip(fileobj):
    """Office Open XML and OpenDocument files are zip archives; look at their member names."""
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                for marker, mime in _OOXML_MARKERS:
                    if marker in names:
                        return mime
                return None
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    declared = member.read(100).decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        fileobj.seek(0)
    return None


def _is_plain_text(head, fileobj):
    """UTF-8 without NUL bytes or control characters, and not markup."""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP_PREFIXES):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    fileobj.seek(0)
    try:
        while chunk := fileobj.read(64 * 1024):
            if b"\x00" in chunk:
                return False
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text):
                return False
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        fileobj.seek(0)
    return True
