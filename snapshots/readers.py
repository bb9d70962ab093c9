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

The `.xlsx` reader parses the worksheet XML with expat as it streams out of the zip. openpyxl's
read-only mode was measured at about 3,000 rows/s for AF3 on the project's machine against about
18,000 rows/s here. python-calamine was compared too (see bench/import_af3.py --readers).
"""

import csv
import io
import pyexpat
import re
import time
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings

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
                f"Reading the file took longer than the limit of {self.time_limit} seconds; "
                "split it into smaller files."
            )

    def too_many_rows(self):
        return UnreadableFile(
            f"The file has more than {self.max_rows:,} rows, the limit; split it by district."
        )


def sniff(fileobj):
    """Return "xlsx" or "csv" from the file's bytes, or raise UnreadableFile. Leaves it at 0."""
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise UnreadableFile("The file is empty.")
    if size > max_upload_bytes():
        raise UnreadableFile(
            f"The file is {size:,} bytes; the limit is {max_upload_bytes():,} bytes. "
            "Split it by district."
        )
    head = fileobj.read(65536)
    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        try:
            with _open_archive(fileobj, Limits.from_settings()) as archive:
                if "xl/workbook.xml" not in archive.NameToInfo:
                    raise UnreadableFile("The file is a zip archive but not an Excel workbook.")
        finally:
            fileobj.seek(0)
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("Old Excel 97-2003 (.xls) files are not read; save as .xlsx or .csv.")
    if b"\x00" in head:
        raise UnreadableFile("The file is neither an .xlsx workbook nor a UTF-8 .csv text file.")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the 64 KiB boundary; anything earlier is not UTF-8.
        if error.start < len(head) - 4:
            raise UnreadableFile("The .csv file is not UTF-8 text; save it as CSV UTF-8.") from None
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
                    f"The .csv file is malformed: a row is longer than {MAX_CSV_ROW_CHARS:,} "
                    "characters."
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
        raise UnreadableFile("The .csv file is not UTF-8 text; save it as CSV UTF-8.") from None
    except csv.Error as error:
        raise UnreadableFile(f"The .csv file is malformed: {error}.") from None
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
        raise UnreadableFile("The file looks like a workbook but is damaged.")
    if end[zipfile._ECD_ENTRIES_TOTAL] > limits.max_members:
        raise UnreadableFile(
            f"The workbook has {end[zipfile._ECD_ENTRIES_TOTAL]:,} parts; "
            f"the limit is {limits.max_members:,}."
        )
    try:
        fileobj.seek(0)
        return zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile("The file looks like a workbook but is damaged.") from None


def _check_declared(info, limits):
    if info.file_size > limits.max_unpacked_bytes:
        raise UnreadableFile(
            f"The workbook part {info.filename} unpacks to {info.file_size:,} bytes; "
            f"the limit is {limits.max_unpacked_bytes:,}."
        )
    if info.flag_bits & 0x1:
        raise UnreadableFile("The workbook is password-protected; save it without a password.")


class _BoundedMember:
    """A zip member's reader that counts the bytes it inflates and stops at the declared size
    (or the limit): a member whose header understates its size is refused, not trusted."""

    def __init__(self, archive, info, limits):
        self.name = info.filename
        self.limit = min(info.file_size, limits.max_unpacked_bytes)
        self.count = 0
        # Excel writes stored or deflated parts; any other method is refused before opening.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile(f"The workbook is damaged ({self.name} cannot be opened).")
        try:
            self.member = archive.open(info)
        except (RuntimeError, zipfile.BadZipFile, ValueError, OSError):
            raise UnreadableFile(
                f"The workbook is damaged ({self.name} cannot be opened)."
            ) from None

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.limit + 1
        try:
            data = self.member.read(min(size, self.limit + 1 - self.count))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            raise UnreadableFile(f"The workbook is damaged ({self.name} is corrupt).") from None
        self.count += len(data)
        if self.count > self.limit:
            raise UnreadableFile(
                f"The workbook part {self.name} unpacks to more than its declared "
                f"{self.limit:,} bytes; the file is damaged or hostile and is refused."
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
        raise UnreadableFile("The file is a zip archive but not an Excel workbook.")
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
        raise UnreadableFile("The workbook has no worksheet.")
    return sheets[0], date1904


def _parse_member(archive, name, on_start, limits):
    parser = pyexpat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = on_start
    with _open_member(archive, name, limits) as member:
        try:
            parser.ParseFile(member)
        except pyexpat.ExpatError as error:
            raise UnreadableFile(f"The workbook is damaged ({name}: {error}).") from None


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
                    f"The workbook has more than {max_count:,} shared strings, the limit."
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
                    f"The workbook's shared string {len(strings) + 1:,} is longer than "
                    f"{MAX_CELL_CHARS:,} characters, more than a cell can hold."
                )
            if total > max_total:
                raise UnreadableFile(
                    f"The workbook's shared strings hold more than {max_total:,} characters, "
                    "the limit."
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
            raise UnreadableFile(f"The workbook's shared strings are damaged ({error}).") from None
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


def _xlsx_rows(fileobj, limits, info):
    fileobj.seek(0)
    archive = _open_archive(fileobj, limits)
    with archive:
        sheet_name, info["date1904"] = _first_sheet(archive, limits)
        strings = _shared_strings(archive, limits)
        string_count = len(strings)
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
        buf = None
        length = 0

        def damaged(what):
            # Python's own message would quote the cell (learner data) into logs and reports:
            # say where, never what.
            return UnreadableFile(
                f"The worksheet is damaged: the cell in column {_letter(col)} of row "
                f"{row_number} {what}."
            )

        def start(name, attrs):
            nonlocal row, row_number, rows_read, cell_type, col, next_col, buf, length
            if name == _C:
                if row is None:
                    raise UnreadableFile("The worksheet is damaged: a cell lies outside any row.")
                cell_type = attrs.get("t")
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip(digits)
                    index = columns.get(letters)
                    if index is None:
                        index = _column_index(letters)
                        if index < 0:
                            raise UnreadableFile(
                                f"The worksheet is damaged: a cell of row {row_number} has "
                                "no readable reference."
                            )
                        if len(columns) < 1000:
                            columns[letters] = index
                    col = index
                else:
                    col = next_col
                next_col = col + 1
            elif name == _V or (name == _T and cell_type == "inlineStr"):
                if buf is None:  # rich inline text has several <t> runs: one value
                    buf = []
                    length = 0
            elif name == _ROW:
                row = []
                next_col = 0
                rows_read += 1
                if rows_read > max_rows:
                    raise limits.too_many_rows()
                number = attrs.get("r")
                if number and number.isdigit() and len(number) <= 7:
                    row_number = int(number)
                else:
                    row_number += 1
                if row_number > MAX_SHEET_ROW:
                    raise UnreadableFile(
                        f"The worksheet is damaged: row {row_number:,} is beyond the last row "
                        "a sheet can have."
                    )

        def end(name):
            nonlocal buf, row
            if name == _C and buf is not None:
                text = "".join(buf) if len(buf) != 1 else buf[0]
                buf = None
                if col >= width:
                    # Beyond the form: never placed (a cell at ZZZZ would otherwise extend
                    # the row to 475,254 cells); the first non-empty one is reported.
                    if text and row.__class__ is list:
                        row = Row(row)
                        row.extra = (col, text)
                    return
                if cell_type == "s":
                    if not text.isdigit():
                        raise damaged("names no shared string")
                    index = int(text)
                    if index >= string_count:
                        raise damaged("names a shared string the workbook does not have")
                    value = strings[index]
                elif cell_type in ("str", "inlineStr", "e", "d"):
                    value = text
                elif cell_type == "b":
                    value = "Yes" if text == "1" else "No"
                elif text == "":
                    return  # an empty <v/>: a blank cell
                else:
                    # A number cell (untyped or t="n") holding text, NaN or infinity was not
                    # written by a spreadsheet program: refused, naming the cell only.
                    try:
                        number = float(text)
                    except ValueError:
                        number = None
                    if number is None or number != number or abs(number) == float("inf"):
                        raise damaged("does not hold a readable value")
                    value = int(number) if number.is_integer() and abs(number) < 1e15 else number
                length_now = len(row)
                if length_now == col:
                    row.append(value)
                elif length_now < col:
                    row.extend([None] * (col - length_now))
                    row.append(value)
                else:
                    row[col] = value
            elif name == _ROW:
                ready.append((row_number, row))
                row = None

        def chars(data):
            nonlocal length
            if buf is not None:
                length += len(data)
                if length > MAX_CELL_CHARS:
                    raise damaged(f"holds more than {MAX_CELL_CHARS:,} characters")
                buf.append(data)

        parser = pyexpat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.CharacterDataHandler = chars
        with _open_member(archive, sheet_name, limits) as sheet:
            try:
                while chunk := sheet.read(1 << 18):
                    parser.Parse(chunk, False)
                    limits.check_time()
                    if ready:
                        yield from ready
                        ready.clear()
                parser.Parse(b"", True)
            except pyexpat.ExpatError as error:
                raise UnreadableFile(f"The worksheet is damaged ({error}).") from None
            yield from ready
