"""Streaming, bounded readers for uploaded `.csv` and `.xlsx` files, and the file-type sniffing.

Nothing the client says about a file (name, content type, size) is trusted: the type is read from
the bytes (an `.xlsx` is a zip holding `xl/workbook.xml`; a `.csv` is UTF-8 text without NUL bytes)
and the size is measured.

Every read is bounded (`Limits`), because a few kilobytes of zip can describe gigabytes: a cell at
column ZZZZ, one 400 MB shared string, or 300 MB of rows. Cells beyond the form's width are never
placed in a row (the first non-empty one is reported as `Row.extra`); rows, shared strings, their
total size, a cell's length, the number of zip members and the unpacked size of each member read
(the declared size, and the bytes actually inflated, since a header can lie) all have limits, and
reading stops at the import's time limit. Whatever breaks a limit or is malformed raises
`UnreadableFile` with a message naming what is wrong and where, never quoting a cell.

The `.xlsx` worksheet streams out of the zip in steps of 64 KiB and is read by a fast path of
regular expressions (`_fast_batches`: one learnt pattern splits a whole step of rows at once),
with expat (`_expat_batches`, a callback per element) for any sheet holding XML the fast path
does not recognise; both give the same rows and the same errors
(tests/snapshots/test_xlsx_fast_path.py). Shared strings are read by expat. Measured in
docs/benchmarks.md against expat alone, openpyxl and python-calamine (bench/import_af3.py).
"""

import csv
import functools
import io
import pyexpat
import re
import time
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_C = f"{MAIN_NS} c"
_V = f"{MAIN_NS} v"
_T = f"{MAIN_NS} t"
_ROW = f"{MAIN_NS} row"
_SI = f"{MAIN_NS} si"
_RPH = f"{MAIN_NS} rPh"
_WORKBOOK_PR = f"{MAIN_NS} workbookPr"

# Excel's own limits: a cell holds at most 32,767 characters; a sheet has 16,384 columns and
# 1,048,576 rows. Anything beyond them was not written by a spreadsheet program.
MAX_CELL_CHARS = 32767
MAX_SHEET_COLUMNS = 16384
MAX_SHEET_ROW = 1048576
# A .csv row (one record, over however many lines its quoted fields span) may be at most this
# many characters: 28 full Excel cells fit; a row of a million commas does not.
MAX_CSV_ROW_CHARS = 1 << 20
# Days between the 1900 and the 1904 date systems of Excel (1904-01-01 is serial 1462 in 1900).
DATE1904_OFFSET = 1462
_CHECK_EVERY = 1024  # rows between two looks at the clock
_clock = time.monotonic


class UnreadableFile(ValueError):
    """The upload is not a spreadsheet this service reads; the message says why."""


# Messages raised from more than one place (translated where raised).
NOT_UTF8 = gettext_noop("The .csv file is not UTF-8 text; save it as CSV UTF-8.")
DAMAGED_WORKBOOK = gettext_noop("The file looks like a workbook but is damaged.")
CANNOT_OPEN = gettext_noop("The workbook is damaged (%(part)s cannot be opened).")


class Row(list):
    """A row's cells up to the form's width; `extra` is (column index, value) of the first
    non-empty cell beyond it, which the importer reports instead of the reader allocating it."""

    extra = None


def max_upload_bytes():
    return getattr(settings, "SNAPSHOT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)


@dataclass
class Limits:
    """The bounds one read is held to; `from_settings` fills them from the SNAPSHOT_* settings."""

    max_columns: int = MAX_SHEET_COLUMNS
    max_rows: int = 200_000
    max_unpacked_bytes: int = 200 * 1024 * 1024
    max_members: int = 200
    max_shared_strings: int = 1_000_000
    max_shared_strings_bytes: int = 50 * 1024 * 1024
    deadline: float | None = None  # a _clock() (time.monotonic) value
    time_limit: int = 0

    @classmethod
    def from_settings(cls, max_columns=None, *, timed=False):
        get = lambda name, default: getattr(settings, name, default)  # noqa: E731
        time_limit = get("SNAPSHOT_IMPORT_TIME_LIMIT", 600) if timed else 0
        return cls(
            max_columns=max_columns or MAX_SHEET_COLUMNS,
            max_rows=get("SNAPSHOT_MAX_ROWS", 200_000),
            max_unpacked_bytes=get("SNAPSHOT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024),
            max_members=get("SNAPSHOT_MAX_ZIP_MEMBERS", 200),
            max_shared_strings=get("SNAPSHOT_MAX_SHARED_STRINGS", 1_000_000),
            max_shared_strings_bytes=get("SNAPSHOT_MAX_SHARED_STRINGS_BYTES", 50 * 1024 * 1024),
            deadline=_clock() + time_limit if time_limit else None,
            time_limit=time_limit,
        )

    def check_time(self):
        if self.deadline is not None and _clock() > self.deadline:
            raise UnreadableFile(
                _(
                    "Reading the file took longer than the limit of %(seconds)s seconds; "
                    "split it into smaller files."
                )
                % {"seconds": self.time_limit}
            )

    def too_many_rows(self):
        return UnreadableFile(
            _("The file has more than %(limit)s rows, the limit; split it by district.")
            % {"limit": f"{self.max_rows:,}"}
        )


def sniff(fileobj):
    """Return "xlsx" or "csv" from the file's bytes, or raise UnreadableFile. Leaves it at 0."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise UnreadableFile(_("The file is empty."))
    if size > max_upload_bytes():
        raise UnreadableFile(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes. Split it by district.")
            % {"size": f"{size:,}", "limit": f"{max_upload_bytes():,}"}
        )
    head = fileobj.read(65536)
    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with _open_archive(fileobj, Limits.from_settings()) as archive:
                if "xl/workbook.xml" not in archive.NameToInfo:
                    raise UnreadableFile(_("The file is a zip archive but not an Excel workbook."))
        finally:
            fileobj.seek(0)
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile(
            _("Old Excel 97-2003 (.xls) files are not read; save as .xlsx or .csv.")
        )
    if b"\x00" in head:
        raise UnreadableFile(_("The file is neither an .xlsx workbook nor a UTF-8 .csv text file."))
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the 64 KiB boundary; anything earlier is not UTF-8.
        if error.start < len(head) - 4:
            raise UnreadableFile(_(NOT_UTF8)) from None
    return "csv"


def precheck(fileobj, kind, limits=None):
    """The size of the text a read of this file parses (bytes), checking what can be checked
    without inflating anything: the number of zip members and each one's declared size.

    Raises UnreadableFile when the file breaks a limit; the declared sizes it adds up are then
    enforced while inflating (`_BoundedMember`), so they are an upper bound of the real work."""
    limits = limits or Limits.from_settings()
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if kind == "csv":
        return size
    try:
        with _open_archive(fileobj, limits) as archive:
            sheet, _date1904 = _first_sheet(archive, limits)
            total = 0
            for name in (sheet, "xl/sharedStrings.xml"):
                info = archive.NameToInfo.get(name)
                if info is not None:
                    _check_declared(info, limits)
                    total += info.file_size
            return total
    finally:
        fileobj.seek(0)


def estimate_rows(fileobj, kind):
    """A quick row count (header included) to decide between inline and background import."""
    fileobj.seek(0)
    try:
        if kind == "csv":
            count = 0
            while chunk := fileobj.read(1 << 20):
                count += chunk.count(b"\n")
            return count
        limits = Limits.from_settings()
        with _open_archive(fileobj, limits) as archive:
            name, _date1904 = _first_sheet(archive, limits)
            with _open_member(archive, name, limits) as sheet:
                head = sheet.read(4096).decode("utf-8", "replace")
            match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d{1,7})"', head)
            if match:
                return int(match.group(1))
            # No dimension element: roughly 60 bytes of XML per cell, 25 cells per row.
            return archive.getinfo(name).file_size // 1500
    finally:
        fileobj.seek(0)


def may_hold_nul(fileobj, kind):
    """Whether a `.csv` upload holds a NUL byte anywhere (one fast pass over the bytes).

    A NUL cannot be stored, so the importer then checks every cell; without one it need not.
    An `.xlsx` cannot hold NUL or lone surrogates at all: the XML parser refuses both, and a
    `.csv` cannot hold lone surrogates, which are not UTF-8."""
    if kind != "csv":
        return False
    fileobj.seek(0)
    try:
        while chunk := fileobj.read(1 << 20):
            if b"\x00" in chunk:
                return True
        return False
    finally:
        fileobj.seek(0)


def read_rows(fileobj, kind, limits=None, info=None):
    """Yield (spreadsheet row number, [cell values]) for every row of the first sheet.

    `limits` bounds the read (default: the settings, no time limit). `info`, a dict, receives
    "date1904": True for a workbook in Excel's 1904 date system (its date serials count from
    1904-01-01: add DATE1904_OFFSET for the usual 1900 system)."""
    limits = limits or Limits.from_settings()
    if kind == "csv":
        yield from _csv_rows(fileobj, limits)
    else:
        yield from _xlsx_rows(fileobj, limits, info if info is not None else {})


def _csv_rows(fileobj, limits):
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
    width = limits.max_columns
    max_rows = limits.max_rows
    consumed = 0  # characters of the record being read

    def lines():
        nonlocal consumed
        # readline with a limit: a line of 50 MB is never read whole into memory.
        while line := text.readline(MAX_CSV_ROW_CHARS + 1):
            consumed += len(line)
            if consumed > MAX_CSV_ROW_CHARS:
                raise UnreadableFile(
                    _("The .csv file is malformed: a row is longer than %(limit)s characters.")
                    % {"limit": f"{MAX_CSV_ROW_CHARS:,}"}
                )
            yield line

    try:
        for number, row in enumerate(csv.reader(lines()), start=1):
            consumed = 0
            if number > max_rows + HEADER_ALLOWANCE:
                raise limits.too_many_rows()
            if number % _CHECK_EVERY == 0:
                limits.check_time()
            if len(row) > width:
                row = _cut(row, width)
            yield number, row
    except UnicodeDecodeError:
        raise UnreadableFile(_(NOT_UTF8)) from None
    except csv.Error as error:
        raise UnreadableFile(
            _("The .csv file is malformed: %(error)s.") % {"error": error}
        ) from None
    finally:
        text.detach()


# Title rows above the header and blank rows may come on top of the learner rows.
HEADER_ALLOWANCE = 100


def _cut(row, width):
    cut = Row(row[:width])
    for index in range(width, len(row)):
        if row[index] not in (None, ""):
            cut.extra = (index, row[index])
            break
    return cut


def _open_archive(fileobj, limits):
    """A ZipFile, once the end record says it has no more members than allowed.

    zipfile reads the whole central directory into ZipInfo objects (~0.5 KB each) on opening, so
    a 50 MB upload listing a million members would take 500 MB: the count is read first."""
    try:
        fileobj.seek(0)
        end = zipfile._EndRecData(fileobj)
    except (OSError, ValueError, zipfile.BadZipFile):
        end = None
    if not end:
        raise UnreadableFile(_(DAMAGED_WORKBOOK))
    if end[zipfile._ECD_ENTRIES_TOTAL] > limits.max_members:
        raise UnreadableFile(
            _("The workbook has %(parts)s parts; the limit is %(limit)s.")
            % {"parts": f"{end[zipfile._ECD_ENTRIES_TOTAL]:,}", "limit": f"{limits.max_members:,}"}
        )
    try:
        fileobj.seek(0)
        return zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile(_(DAMAGED_WORKBOOK)) from None


def _check_declared(info, limits):
    if info.file_size > limits.max_unpacked_bytes:
        raise UnreadableFile(
            _("The workbook part %(part)s unpacks to %(size)s bytes; the limit is %(limit)s.")
            % {
                "part": info.filename,
                "size": f"{info.file_size:,}",
                "limit": f"{limits.max_unpacked_bytes:,}",
            }
        )
    if info.flag_bits & 0x1:
        raise UnreadableFile(_("The workbook is password-protected; save it without a password."))


class _BoundedMember:
    """A zip member's reader that counts the bytes it inflates and stops at the declared size
    (or the limit): a member whose header understates its size is refused, not trusted."""

    def __init__(self, archive, info, limits):
        self.name = info.filename
        self.limit = min(info.file_size, limits.max_unpacked_bytes)
        self.count = 0
        # Excel writes stored or deflated parts; any other method is refused before opening.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile(_(CANNOT_OPEN) % {"part": self.name})
        try:
            self.member = archive.open(info)
        except (RuntimeError, zipfile.BadZipFile, ValueError, OSError):
            raise UnreadableFile(_(CANNOT_OPEN) % {"part": self.name}) from None

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.limit + 1
        try:
            data = self.member.read(min(size, self.limit + 1 - self.count))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            raise UnreadableFile(
                _("The workbook is damaged (%(part)s is corrupt).") % {"part": self.name}
            ) from None
        self.count += len(data)
        if self.count > self.limit:
            raise UnreadableFile(
                _(
                    "The workbook part %(part)s unpacks to more than its declared %(limit)s "
                    "bytes; the file is damaged or hostile and is refused."
                )
                % {"part": self.name, "limit": f"{self.limit:,}"}
            )
        return data

    def close(self):
        self.member.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _open_member(archive, name, limits):
    info = archive.NameToInfo[name]
    _check_declared(info, limits)
    return _BoundedMember(archive, info, limits)


def _first_sheet(archive, limits):
    """(zip member of the workbook's first worksheet, whether it uses the 1904 date system),
    following workbook.xml and its rels."""
    first_rid = None
    date1904 = False

    def on_workbook(name, attrs):
        nonlocal first_rid, date1904
        if name == f"{MAIN_NS} sheet" and first_rid is None:
            first_rid = attrs.get(f"{REL_NS} id")
        elif name == _WORKBOOK_PR:
            date1904 = attrs.get("date1904", "").lower() in ("1", "true")

    names = archive.NameToInfo
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(_("The file is a zip archive but not an Excel workbook."))
    _parse_member(archive, "xl/workbook.xml", on_workbook, limits)
    targets = {}

    def on_rels(name, attrs):
        if name == f"{PKG_REL_NS} Relationship":
            targets[attrs.get("Id")] = attrs.get("Target", "")

    if "xl/_rels/workbook.xml.rels" in names:
        _parse_member(archive, "xl/_rels/workbook.xml.rels", on_rels, limits)
    target = targets.get(first_rid)
    if target:
        target = target.lstrip("/")
        name = target if target.startswith("xl/") else f"xl/{target}"
        if name in names:
            return name, date1904
    sheets = sorted(n for n in names if re.match(r"xl/worksheets/[^/]+\.xml$", n))
    if not sheets:
        raise UnreadableFile(_("The workbook has no worksheet."))
    return sheets[0], date1904


def _parse_member(archive, name, on_start, limits):
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = on_start
    with _open_member(archive, name, limits) as member:
        try:
            parser.ParseFile(member)
        except pyexpat.ExpatError as error:
            raise UnreadableFile(
                _("The workbook is damaged (%(part)s: %(error)s).") % {"part": name, "error": error}
            ) from None


def _shared_strings(archive, limits):
    if "xl/sharedStrings.xml" not in archive.NameToInfo:
        return []
    strings = []
    parts = None
    in_t = False
    phonetic = 0
    length = 0  # characters of the string being read
    total = 0  # characters of all strings so far
    max_count = limits.max_shared_strings
    max_total = limits.max_shared_strings_bytes

    def start(name, attrs):
        nonlocal parts, in_t, phonetic, length
        if name == _SI:
            parts = []
            length = 0
            if len(strings) >= max_count:
                raise UnreadableFile(
                    _("The workbook has more than %(limit)s shared strings, the limit.")
                    % {"limit": f"{max_count:,}"}
                )
        elif name == _T and parts is not None and not phonetic:
            in_t = True
        elif name == _RPH:
            phonetic += 1

    def end(name):
        nonlocal parts, in_t, phonetic
        if name == _SI:
            strings.append("".join(parts))
            parts = None
        elif name == _T:
            in_t = False
        elif name == _RPH:
            phonetic -= 1

    def chars(data):
        nonlocal length, total
        if in_t:
            # Counted piece by piece (expat hands text over in 8 KiB pieces), so a 400 MB
            # string is refused after its first 32 KiB, never joined.
            length += len(data)
            total += len(data)
            if length > MAX_CELL_CHARS:
                raise UnreadableFile(
                    _(
                        "The workbook's shared string %(number)s is longer than %(limit)s "
                        "characters, more than a cell can hold."
                    )
                    % {"number": f"{len(strings) + 1:,}", "limit": f"{MAX_CELL_CHARS:,}"}
                )
            if total > max_total:
                raise UnreadableFile(
                    _(
                        "The workbook's shared strings hold more than %(limit)s characters, the limit."
                    )
                    % {"limit": f"{max_total:,}"}
                )
            parts.append(data)

    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    with _open_member(archive, "xl/sharedStrings.xml", limits) as member:
        try:
            while chunk := member.read(1 << 18):
                parser.Parse(chunk, False)
                limits.check_time()
            parser.Parse(b"", True)
        except pyexpat.ExpatError as error:
            raise UnreadableFile(
                _("The workbook's shared strings are damaged (%(error)s).") % {"error": error}
            ) from None
    return strings


def _letter(index):
    letters = ""
    index += 1
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(ref):
    """0-based column of a cell reference's letters; -1 when it has none. At most 7 letters are
    read: anything past XFD (3 letters) is beyond every form anyway."""
    index = 0
    for char in ref[:7]:
        if "A" <= char <= "Z":
            index = index * 26 + (ord(char) - 64)
        else:
            break
    return index - 1


# ----------------------------------------------------------------------------- worksheet cells

# A cell's faults, raised alike by both readers of the worksheet: they say where, never what
# (the cell may hold learner data, which must not reach logs and reports).
CELL_NO_SHARED_STRING = gettext_noop(
    "The worksheet is damaged: the cell in column %(column)s of row %(row)s names no shared string."
)
CELL_UNKNOWN_SHARED_STRING = gettext_noop(
    "The worksheet is damaged: the cell in column %(column)s of row %(row)s names a shared "
    "string the workbook does not have."
)
CELL_UNREADABLE = gettext_noop(
    "The worksheet is damaged: the cell in column %(column)s of row %(row)s does not hold a "
    "readable value."
)
CELL_TOO_LONG = gettext_noop(
    "The worksheet is damaged: the cell in column %(column)s of row %(row)s holds more than "
    "%(limit)s characters."
)
ROW_BEYOND_SHEET = gettext_noop(
    "The worksheet is damaged: row %(row)s is beyond the last row a sheet can have."
)


class _BadCell(Exception):
    """A cell's value cannot be read; args[0] is one of the CELL_* messages."""


def _cell_fault(message, column, row_number):
    return UnreadableFile(
        _(message) % {"column": _letter(column), "row": row_number, "limit": f"{MAX_CELL_CHARS:,}"}
    )


def _row_beyond_sheet(row_number):
    return UnreadableFile(_(ROW_BEYOND_SHEET) % {"row": f"{row_number:,}"})


_BLANK = object()  # an empty number cell: nothing is placed


def _shared_value(text, strings):
    if not (text.isascii() and text.isdigit()):
        raise _BadCell(CELL_NO_SHARED_STRING)
    index = int(text)
    if index >= len(strings):
        raise _BadCell(CELL_UNKNOWN_SHARED_STRING)
    return strings[index]


def _number_value(text):
    """A number cell's value: an int when whole (below 1e15), else a float; _BLANK if empty."""
    if text == "":
        return _BLANK
    try:
        number = float(text)
    except ValueError:
        number = None
    # Text, NaN or infinity in a number cell was not written by a spreadsheet program.
    if number is None or number != number or abs(number) == float("inf"):
        raise _BadCell(CELL_UNREADABLE)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def _cell_value(cell_type, text, strings):
    """The value of a cell of type `cell_type` (its t attribute) holding `text` (its <v> or
    inline text): a shared string, text, "Yes"/"No" for a boolean, else a number."""
    if cell_type == "s":
        return _shared_value(text, strings)
    if cell_type in ("str", "inlineStr", "e", "d"):
        return text
    if cell_type == "b":
        return "Yes" if text == "1" else "No"
    return _number_value(text)


def _place(row, col, value):
    length = len(row)
    if length == col:
        row.append(value)
    elif length < col:
        row.extend([None] * (col - length))
        row.append(value)
    else:
        row[col] = value


def _xlsx_rows(fileobj, limits, info, fast=True):
    """The first worksheet's rows: by the fast path (`_fast_batches`), or by expat when the
    sheet holds anything the fast path does not recognise (or `fast` is false).

    The fast path gives up before handing on the rows of the step where it met the unknown;
    expat then reads the sheet from its start and skips the rows already given, which are the
    same rows (tests/snapshots/test_xlsx_fast_path.py compares the two on every kind of file)."""
    fileobj.seek(0)
    with _open_archive(fileobj, limits) as archive:
        sheet_name, info["date1904"] = _first_sheet(archive, limits)
        strings = _shared_strings(archive, limits)
        given = 0
        if fast:
            info["reader"] = "fast"
            try:
                for batch in _fast_batches(archive, sheet_name, strings, limits):
                    yield from batch
                    given += len(batch)
                return
            except _Unrecognised:
                pass
        info["reader"] = "expat"
        for batch in _expat_batches(archive, sheet_name, strings, limits):
            if given:
                skip = min(given, len(batch))
                given -= skip
                batch = batch[skip:]
            yield from batch


# Bytes of XML inflated per step, by both readers; each step's finished rows are handed on
# together, and a fault ends the step after handing on the rows finished before it.
_STEP = 1 << 16


def _expat_batches(archive, sheet_name, strings, limits):
    """Lists of (row number, cells) per step, parsed by expat: a callback per element and text
    piece, so any well-formed sheet is read, at about a tenth of the fast path's speed."""
    width = limits.max_columns
    max_rows = limits.max_rows + HEADER_ALLOWANCE
    ready = []
    columns = {}  # "AB" -> 27: cell references repeat on every row
    digits = "0123456789"
    # Parser state in closure variables: these handlers run for every cell of the sheet.
    row = None
    row_number = 0
    rows_read = 0
    cell_type = None
    col = 0
    next_col = 0
    buf = None  # the cell's text, from its first <v> or inline <t> on
    collecting = False  # inside that <v> or <t>: other text (spaces, phonetic runs) is not kept
    phonetic = 0
    length = 0

    def start(name, attrs):
        nonlocal row, row_number, rows_read, cell_type, col, next_col, buf, length
        nonlocal collecting, phonetic
        if name == _C:
            if row is None:
                raise UnreadableFile(_("The worksheet is damaged: a cell lies outside any row."))
            cell_type = attrs.get("t")
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(digits)
                index = columns.get(letters)
                if index is None:
                    index = _column_index(letters)
                    if index < 0:
                        raise UnreadableFile(
                            _(
                                "The worksheet is damaged: a cell of row %(row)s has no "
                                "readable reference."
                            )
                            % {"row": row_number}
                        )
                    if len(columns) < 1000:
                        columns[letters] = index
                col = index
            else:
                col = next_col
            next_col = col + 1
        elif name == _V or (name == _T and cell_type == "inlineStr" and not phonetic):
            collecting = True
            if buf is None:  # rich inline text has several <t> runs: one value
                buf = []
                length = 0
        elif name == _RPH:
            phonetic += 1
        elif name == _ROW:
            row = []
            next_col = 0
            rows_read += 1
            if rows_read > max_rows:
                raise limits.too_many_rows()
            number = attrs.get("r")
            if number and number.isascii() and number.isdigit() and len(number) <= 7:
                row_number = int(number)
            else:
                row_number += 1
            if row_number > MAX_SHEET_ROW:
                raise _row_beyond_sheet(row_number)

    def end(name):
        nonlocal buf, row, collecting, phonetic
        if name == _C:
            collecting = False
            if buf is None:
                return
            text = "".join(buf) if len(buf) != 1 else buf[0]
            buf = None
            if col >= width:
                # Beyond the form: never placed (a cell at ZZZZ would otherwise extend the row
                # to 475,254 cells); the first non-empty one is reported.
                if text and row.__class__ is list:
                    row = Row(row)
                    row.extra = (col, text)
                return
            try:
                value = _cell_value(cell_type, text, strings)
            except _BadCell as bad:
                raise _cell_fault(bad.args[0], col, row_number) from None
            if value is not _BLANK:
                _place(row, col, value)
        elif name in (_V, _T):
            collecting = False
        elif name == _RPH:
            phonetic -= 1
        elif name == _ROW:
            ready.append((row_number, row))
            row = None

    def chars(data):
        nonlocal length
        if collecting:
            length += len(data)
            if length > MAX_CELL_CHARS:
                raise _cell_fault(CELL_TOO_LONG, col, row_number)
            buf.append(data)

    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = chars
    fault = None
    with _open_member(archive, sheet_name, limits) as sheet:
        try:
            while chunk := sheet.read(_STEP):
                parser.Parse(chunk, False)
                limits.check_time()
                if ready:
                    yield ready
                    ready = []
            parser.Parse(b"", True)
        except pyexpat.ExpatError as error:
            fault = UnreadableFile(_("The worksheet is damaged (%(error)s).") % {"error": error})
        except UnreadableFile as error:
            fault = error
    if ready:
        yield ready  # the rows finished before the fault
    if fault is not None:
        raise fault


# ----------------------------------------------------------------------------- the fast path
#
# Spreadsheet programs write a worksheet's rows in a few fixed shapes (Excel: shared strings,
# numbers, styles, blank cells left out; openpyxl: inline strings). The fast path reads the rows
# with regular expressions instead of an expat callback per element and text piece. It learns
# from the rows read so far one pattern for a whole row (the <row> tag, then per column an
# optional cell in any of the forms the column's cell took) and splits a whole step of rows
# with it in one call, turning each column of values into cells at once. A step holding a row
# that does not fit is read row by row, and such a row cell by cell, which may teach the
# pattern a new form. The grammar is strict: attributes in Excel's order and quoting, no
# whitespace inside cells, no comments, CDATA or processing instructions among the rows, no
# namespace prefixes on cells, only XML's own entities. Anything else raises _Unrecognised and
# expat reads the sheet. What surrounds the rows (the sheet's prologue and epilogue, and the
# attributes of rows) is checked by expat itself (`_Probe`).

_MAX_PENDING = 4 << 20  # bytes of one unfinished row, or of the prologue, held at most
_MAX_FORMS = 8  # forms of a column's cell in the row pattern
_MAX_BUILDS = 64  # rows read cell by cell that may teach the pattern
# Sheets smaller than this are read cell by cell: compiling row patterns would cost more.
_LEARN_FROM = 1 << 19
_CACHE_LIMIT = 1 << 16  # number texts whose value is remembered

# Text as XML allows it in content (no markup, no control characters), and a formula (ignored).
_TEXT = r"[^<\x00-\x08\x0b-\x1f\ufffe\uffff]"
_FORMULA = r'<f(?: [a-zA-Z]{1,12}+="[^"<&\x00-\x1f]*+")*+(?:/>|>[^<&\x00-\x08\x0b-\x1f]*+</f>)'


def _cell_pattern(parts):
    """The grammar of one cell. With `parts`, also the row digits of its reference, its style
    attribute and its formula as groups (to learn the cell's form); without, only what reading
    needs."""
    group = "(" if parts else "(?:"
    return (
        rf'<c(?: r="([A-Z]{{1,7}}+){group}[0-9]{{1,7}}+)")?+{group} s="[0-9]{{1,9}}+")?+'
        r'(?: t="([a-zA-Z]{1,9}+)")?+(?: (?:cm|vm)="[0-9]{1,9}+")*+'
        r'(?: ph="(?:0|1|true|false)")?+ ?+'
        rf"(?:/>|>{group}{_FORMULA})?+"
        rf'(?:<v>({_TEXT}*+)</v>|<is><t(?: xml:space="preserve")?+>({_TEXT}*+)</t></is>)?+</c>)'
    )


_CELL = re.compile(_cell_pattern(False))  # groups: letters, type, <v> text, inline text
_CELL_PARTS = re.compile(_cell_pattern(True))  # + digits, style, formula
# A row's start tag; groups: its number (r), its other attributes.
_ROW_TAG = r'[ \t\n]*+<row(?: r="([0-9]{1,7}+)")?+((?: [^ \t\n"<>=/]++="[^"<>]*+")*+) ?+'
_ROW_OPEN = re.compile(_ROW_TAG + "(/?)>")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]{1,7}+)|#x([0-9a-fA-F]{1,6}+));|&")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}

# How a learnt cell form's value is read, and its pattern (one group). Text longer than a cell
# may hold is left to the cell-by-cell reading, which refuses it naming the cell.
_TEXT_KIND, _SHARED_KIND, _NUMBER_KIND, _BOOL_KIND = range(4)
_NUMBER = r"-?+[0-9]{1,20}+(?:\.[0-9]{1,20}+)?+(?:[eE][-+]?+[0-9]{1,3}+)?+"
_STYLE = r'(?: s="[0-9]{1,9}+")?+'  # a cell's style does not change its value
_VALUE = {
    _TEXT_KIND: f"({_TEXT}{{0,{MAX_CELL_CHARS}}}+)",
    _SHARED_KIND: r"([0-9]{1,9}+)",
    _NUMBER_KIND: f"({_NUMBER})",
    _BOOL_KIND: "([01])",
}
_IS_NUMBER = re.compile(_NUMBER)
_BOOLEANS = {"0": "No", "1": "Yes", None: None}


class _Unrecognised(Exception):
    """The sheet holds XML the fast path does not read; expat reads it instead."""


def _entity(match):
    name, decimal, hexadecimal = match.groups()
    if name:
        return _NAMED[name]
    if decimal or hexadecimal:
        code = int(decimal) if decimal else int(hexadecimal, 16)
        # The characters XML allows; a reference to any other is a fault expat reports.
        if (
            code in (9, 10, 13)
            or 0x20 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF
        ):
            return chr(code)
    raise _Unrecognised("entity")


def _unescape(text):
    if text.count("&") == text.count("&amp;"):
        return text.replace("&amp;", "&")
    return _ENTITY.sub(_entity, text)


class _Probe:
    """expat, fed the sheet's prologue up to <sheetData>, the attributes of each new kind of
    row, and the epilogue: what the fast path does not parse is checked as expat would."""

    def __init__(self):
        self.stack = []
        self.odd = False
        parser = self.parser = pyexpat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = lambda name, attrs: self.stack.append(name)
        parser.EndElementHandler = lambda name: self.stack.pop()
        parser.StartDoctypeDeclHandler = self._odd  # a DTD could define entities or defaults

        def declaration(version, encoding, standalone):
            if encoding and encoding.lower() != "utf-8":
                self.odd = True

        parser.XmlDeclHandler = declaration

    def _odd(self, *args):
        self.odd = True

    def feed(self, data, final=False):
        try:
            self.parser.Parse(data, final)
        except pyexpat.ExpatError:
            raise _Unrecognised("xml") from None
        if self.odd:
            raise _Unrecognised("prologue")


def _numbers(texts, cache):
    """The values of number cells' texts (None stays None): scores, years and dates repeat, so
    up to _CACHE_LIMIT of them are remembered."""
    if None not in texts and "".join(texts).isdigit() and max(map(len, texts)) <= 15:
        return list(map(int, texts))  # whole numbers (LRNs, date serials): what float gives
    out = list(map(cache.get, texts))
    if out.count(None) != texts.count(None):
        out = [cache[text] if text in cache else _remember(cache, text) for text in texts]
    return out


def _remember(cache, text):
    value = _number_value(text)
    if len(cache) < _CACHE_LIMIT:
        cache[text] = value
    return value


class _RowPattern:
    """The learnt pattern of whole rows, compiled, and how its groups become cells."""

    def __init__(self, forms, strings, numbers):
        self.forms = forms  # column -> [(pattern, kind)], newest first
        slots = []  # (column, kind) of each value group
        parts = []
        for column in sorted(forms):
            alternatives = []
            for skeleton, kind in forms[column]:
                alternatives.append(skeleton)
                if kind is not None:
                    slots.append((column, kind))
            parts.append(f"(?:{'|'.join(alternatives)})?+")
        self.cells_pattern = cells = "".join(parts)
        # split() gives, per row: the text before it (none: rows follow each other), its
        # number, its other attributes, then the value groups.
        self.split = re.compile(f"{_ROW_TAG}(?:/>|>{cells}</row>)").split
        self.period = len(slots) + 3
        self.kinds = [kind for _column, kind in slots]
        sources = {}
        for index, (column, _kind) in enumerate(slots):
            sources.setdefault(column, []).append(index)
        self.sources = [sources.get(column, []) for column in range(max(forms) + 1)]
        # Every column a text cell, each of one form (openpyxl's inline strings): a row's
        # values are its groups as they are.
        self.identity = slots == [(column, _TEXT_KIND) for column in range(len(self.sources))]
        self.strings = strings
        self.number_cache = numbers

    @functools.cached_property
    def cells(self):
        """fullmatch of a row's cells (compiled when a row is read alone)."""
        return re.compile(self.cells_pattern).fullmatch

    def split_rows(self, parts, amp):
        """The cells of the rows in `parts` (what `split` gave), for an `identity` pattern."""
        period = self.period
        if amp:
            for index in range(3, period):
                if "&" in "".join(filter(None, parts[index::period])):
                    for at in range(index, len(parts), period):
                        value = parts[at]
                        if value and "&" in value:
                            parts[at] = _unescape(value)
        end = period - 3
        rows = [parts[at : at + end] for at in range(3, len(parts), period)]
        for row in rows:
            while row and row[-1] is None:  # as expat: a row ends at its last value
                row.pop()
        return rows

    def rows(self, groups, count, amp):
        """The cells of `count` rows from `groups` (per value group, its values in those rows,
        None where the row has no such cell); raises _BadCell at an unreadable value."""
        values = []
        for kind, column in zip(self.kinds, groups, strict=True):
            if kind == _TEXT_KIND:
                if amp and "&" in "".join(filter(None, column)):
                    column = [_unescape(v) if v and "&" in v else v for v in column]
            elif kind == _SHARED_KIND:
                strings = self.strings
                try:  # the pattern lets only digits through as a shared string's number
                    if None in column:
                        column = [strings[int(v)] if v else None for v in column]
                    else:
                        column = list(map(strings.__getitem__, map(int, column)))
                except IndexError:
                    raise _BadCell(CELL_UNKNOWN_SHARED_STRING) from None
            elif kind == _NUMBER_KIND:
                column = _numbers(column, self.number_cache)
            else:
                column = [_BOOLEANS[v] for v in column]
            values.append(column)
        empty = [None] * count
        columns = []
        for found in self.sources:
            # A column whose cell took several forms: the groups of forms present in these rows.
            present = [values[i] for i in found if values[i].count(None) != count]
            if not present:
                columns.append(empty)
                continue
            merged = present[0]
            for other in present[1:]:
                merged = [a if a is not None else b for a, b in zip(merged, other, strict=True)]
            columns.append(merged)
        rows = list(map(list, zip(*columns, strict=True)))
        for row in rows:
            while row and row[-1] is None:  # as expat: a row ends at its last value
                row.pop()
        return rows


def _cell_form(match):
    """(pattern, kind) of the cell `match` (of _CELL_PARTS) found: its text with the row
    digits, the style, the formula and the value made variable; None when the form is not
    learnt. Groups: 1 letters, 2 digits, 3 style, 4 type, 5 formula, 6 <v>, 7 inline text."""
    cell_type, value, inline = match.group(4), match.group(6), match.group(7)
    if match.group(1) is None:
        return None
    if value is not None:
        if cell_type == "s":
            kind = _SHARED_KIND if value.isascii() and value.isdigit() and len(value) < 10 else None
        elif cell_type in ("str", "inlineStr", "e", "d"):
            kind = _TEXT_KIND
        elif cell_type == "b":
            kind = _BOOL_KIND if value in ("0", "1") else None
        else:
            kind = _NUMBER_KIND if _IS_NUMBER.fullmatch(value) else None
        if kind is None:
            return None
        group = 6
    elif inline is not None:
        if cell_type != "inlineStr":
            return None
        kind, group = _TEXT_KIND, 7
    else:
        kind, group = None, None
    # (start, end, pattern) of each variable part, in order; the style may be there or not.
    after_reference = match.end(2) + 1
    holes = [(match.start(2), match.end(2), r"[0-9]{1,7}+")]
    if match.group(3) is None:
        holes.append((after_reference, after_reference, _STYLE))
    else:
        holes.append((match.start(3), match.end(3), _STYLE))
    for number, pattern in ((5, _FORMULA), (group, _VALUE.get(kind))):
        if number is not None and match.group(number) is not None:
            holes.append((match.start(number), match.end(number), pattern))
    text = match.string
    out = []
    at = match.start()
    for start, end, pattern in holes:
        out += [re.escape(text[at:start]), pattern]
        at = end
    out.append(re.escape(text[at : match.end()]))
    return "".join(out), kind


class _FastSheet:
    """The fast path's state while reading one sheet; rows go to `batch`."""

    def __init__(self, strings, limits, learn=True):
        self.strings = strings
        self.limits = limits
        self.width = limits.max_columns
        self.max_rows = limits.max_rows + HEADER_ALLOWANCE
        self.columns = {_letter(i): i for i in range(min(self.width, 1000))}
        self.number_cache = {None: None}
        self.pattern = None
        self.forms = {}
        self.lessons = 0 if learn else _MAX_BUILDS
        self.whole_steps = True  # try the pattern on a whole step first
        self.probe = _Probe()
        self.known_attrs = set()
        self.row_number = 0
        self.rows_read = 0
        self.batch = []

    def read(self, text):
        """Read the rows in `text`, which ends with a </row>."""
        if self.pattern is None or not self.whole_steps or not self.read_step(text):
            self.read_one_by_one(text)

    def read_step(self, text):
        """Read all the rows in `text` with the pattern at once; False (nothing read) when one
        of them does not fit, or needs a check made row by row."""
        pattern = self.pattern
        parts = pattern.split(text)
        period = pattern.period
        if any(parts[::period]):
            self.whole_steps = False
            return False
        count = len(parts) // period
        numbers = parts[1::period]
        if None in numbers:
            last = self.row_number
            for index, number in enumerate(numbers):
                last = numbers[index] = int(number) if number else last + 1
        else:
            numbers = list(map(int, numbers))
        if self.rows_read + count > self.max_rows or max(numbers) > MAX_SHEET_ROW:
            return False
        self.check_attrs(set(parts[2::period]))
        if pattern.identity:
            rows = pattern.split_rows(parts, "&" in text)
        else:
            groups = [parts[index::period] for index in range(3, period)]
            try:
                rows = pattern.rows(groups, count, "&" in text)
            except _BadCell:
                return False
        self.rows_read += count
        self.row_number = numbers[-1]
        self.batch += zip(numbers, rows, strict=True)
        return True

    def check_attrs(self, attrs):
        """Have expat check each new set of row attributes (bound prefixes, no duplicates);
        a namespace declaration could change what the row's cells are."""
        new = attrs.difference(self.known_attrs)
        new.discard("")
        for found in new:
            if "xmlns" in found:
                raise _Unrecognised("namespace")
            self.probe.feed(f'<row r="1"{found}/>'.encode())
            if len(self.known_attrs) < 1000:
                self.known_attrs.add(found)

    def read_one_by_one(self, text):
        """Read the rows in `text` one at a time, as expat would (limits, numbers, faults)."""
        at = 0
        while at < len(text):
            match = _ROW_OPEN.match(text, at)
            if match is None:
                raise _Unrecognised("row")
            number, attrs, closed = match.groups()
            if attrs:
                self.check_attrs({attrs})
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise self.limits.too_many_rows()
            self.row_number = int(number) if number else self.row_number + 1
            if self.row_number > MAX_SHEET_ROW:
                raise _row_beyond_sheet(self.row_number)
            if closed:
                self.batch.append((self.row_number, []))
                at = match.end()
                continue
            end = text.find("</row>", match.end())
            self.batch.append((self.row_number, self.read_row(text[match.end() : end])))
            at = end + 6

    def read_row(self, body):
        """The cells of one row: by the pattern, else cell by cell (then learnt from)."""
        pattern = self.pattern
        if pattern is not None:
            match = pattern.cells(body)
            if match is not None:
                try:
                    return pattern.rows([[v] for v in match.groups()], 1, "&" in body)[0]
                except _BadCell:
                    pass  # read again cell by cell, which names the first faulty cell
        row = self.read_cells(body)
        if self.lessons < _MAX_BUILDS and body:
            self.lessons += 1
            self.learn(body, row)
        return row

    def read_cells(self, body):
        """The row read one cell at a time, as expat would."""
        if "<v" in body:  # openpyxl writes a formula's missing value as <v />
            body = body.replace("<v />", "<v></v>").replace("<v/>", "<v></v>")
        cells = _CELL.split(body)
        between = cells[::5]
        if any(between) and "".join(between).strip(" \t\n"):
            raise _Unrecognised("between cells")
        width, columns, row_number = self.width, self.columns, self.row_number
        row = []
        col = next_col = 0
        for letters, cell_type, text, inline in zip(
            cells[1::5], cells[2::5], cells[3::5], cells[4::5], strict=True
        ):
            if letters is None:
                col = next_col
            else:
                col = columns.get(letters, -1)
                if col < 0:
                    col = _column_index(letters)
                    if len(columns) < 1000:
                        columns[letters] = col
            next_col = col + 1
            if text is None:
                if inline is None:
                    continue
                if cell_type != "inlineStr":
                    raise _Unrecognised("inline text")
                text = inline
            if "&" in text:
                text = _unescape(text)
            if len(text) > MAX_CELL_CHARS:
                raise _cell_fault(CELL_TOO_LONG, col, row_number)
            if col >= width:
                if text and row.__class__ is list:
                    row = Row(row)
                    row.extra = (col, text)
                continue
            try:
                value = _cell_value(cell_type, text, self.strings)
            except _BadCell as bad:
                raise _cell_fault(bad.args[0], col, row_number) from None
            if value is not _BLANK:
                _place(row, col, value)
        return row

    def learn(self, body, row):
        """Adopt a pattern that also fits this row (read cell by cell as `row`), if there is
        one that reads it exactly so."""
        forms = {column: list(found) for column, found in self.forms.items()}
        at = 0
        last = -1
        changed = False
        for match in _CELL_PARTS.finditer(body):
            form = _cell_form(match) if match.start() == at else None
            if form is None:
                return
            at = match.end()
            column = _column_index(match.group(1))
            if column <= last or column >= self.width:
                return
            last = column
            found = forms.setdefault(column, [])
            if form not in found:
                if len(found) >= _MAX_FORMS:
                    return
                # Newest first: the header's forms are learnt before the data rows' forms.
                found.insert(0, form)
                changed = True
        if at != len(body) or not changed:
            return
        candidate = _RowPattern(forms, self.strings, self.number_cache)
        parts = candidate.split(f"<row>{body}</row>")
        period = candidate.period
        if len(parts) != period + 1 or any(parts[::period]):
            return
        try:
            groups = [[value] for value in parts[3:period]]
            if candidate.rows(groups, 1, "&" in body) != [row]:
                return
        except (_BadCell, _Unrecognised):
            return
        self.pattern, self.forms = candidate, forms
        self.whole_steps = True


def _fast_batches(archive, sheet_name, strings, limits):
    """Lists of (row number, cells) per step, as `_expat_batches` gives them, read with
    regular expressions; raises _Unrecognised, before handing on the step's rows, at anything
    outside the grammar."""
    size = archive.NameToInfo[sheet_name].file_size
    sheet_reader = _FastSheet(strings, limits, learn=size >= _LEARN_FROM)
    probe = sheet_reader.probe
    steps = 0
    with _open_member(archive, sheet_name, limits) as sheet:
        pending = b""
        in_rows = ended = False
        fault = None
        while chunk := sheet.read(_STEP):
            if ended:
                probe.feed(chunk)
                limits.check_time()
                continue
            data = pending + chunk if pending else chunk
            pending = b""
            steps += 1
            if steps % 16 == 0:
                sheet_reader.whole_steps = True  # try again now and then
            try:
                if not in_rows:
                    at = data.find(b"<sheetData>")
                    if at < 0:
                        if len(data) > _MAX_PENDING:
                            raise _Unrecognised("no rows")
                        pending = data
                        limits.check_time()
                        continue
                    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
                        raise _Unrecognised("UTF-16")
                    at += len(b"<sheetData>")
                    probe.feed(data[:at])
                    if probe.stack != [f"{MAIN_NS} worksheet", f"{MAIN_NS} sheetData"]:
                        raise _Unrecognised("sheetData")
                    data = data[at:]
                    in_rows = True
                end = data.rfind(b"</row>") + 6
                if end >= 6:
                    try:
                        text = data[:end].decode()
                    except UnicodeDecodeError:
                        raise _Unrecognised("UTF-8") from None
                    if "]]>" in text:  # not allowed in XML text
                        raise _Unrecognised("]]>")
                    sheet_reader.read(text)
                    data = data[end:]
                pending, ended = _after_rows(data, sheet_reader, probe)
                if len(pending) > _MAX_PENDING:
                    raise _Unrecognised("long row")
                limits.check_time()
            except UnreadableFile as error:
                fault = error
                break
            if sheet_reader.batch:
                yield sheet_reader.batch
                sheet_reader.batch = []
        if fault is None and not ended:
            raise _Unrecognised("unfinished sheet")
    if fault is None:
        probe.feed(b"", True)
    if sheet_reader.batch:
        yield sheet_reader.batch  # the rows finished before the fault
    if fault is not None:
        raise fault


def _after_rows(data, sheet_reader, probe):
    """Read what follows the last finished row in `data`: empty rows (<row .../>), then the end
    of sheetData (fed to the probe), or the start of a row not finished yet.
    Returns (bytes to keep for the next step, whether sheetData ended)."""
    while True:
        rest = data.lstrip(b" \t\n")
        if rest.startswith(b"<row"):
            close = rest.find(b">")
            if close < 0 or rest[close - 1] != ord("/"):
                return rest, False  # a row that ends in a later step
            try:
                sheet_reader.read_one_by_one(rest[: close + 1].decode())
            except UnicodeDecodeError:
                raise _Unrecognised("UTF-8") from None
            data = rest[close + 1 :]
        elif rest.startswith(b"</sheetData>"):
            probe.feed(rest)
            return b"", True
        elif b"<row".startswith(rest[:4]) or b"</sheetData>".startswith(rest):
            return rest, False  # cut by the step
        else:
            raise _Unrecognised("between rows")
