"""The .xlsx fast path (regular expressions) against expat: on every kind of workbook both give
the same rows (numbers, cells, the extra cell beyond the form) and the same error, and the fast
path is the one used for the workbooks spreadsheet programs write."""

import datetime
import io
import zipfile

import pytest
from django.test import override_settings
from openpyxl import Workbook

from snapshots import forms_spec, readers, samples

from . import test_hostile_files as hostile
from .test_readers import excel_like_af3

WIDTH = len(forms_spec.AF3)


def read(content, fast, width=WIDTH):
    """(rows as (number, cells, extra), the error message or None, the reader that read it)."""
    info = {}
    rows, error = [], None
    limits = readers.Limits.from_settings(width)
    try:
        for number, row in readers._xlsx_rows(io.BytesIO(content), limits, info, fast=fast):
            rows.append((number, list(row), getattr(row, "extra", None)))
    except readers.UnreadableFile as failure:
        error = str(failure)
    return rows, error, info.get("reader")


def same(content, reader="fast", width=WIDTH):
    """Assert both readers agree on `content` and that `reader` read it (unless None, for
    faults: the fast path names some itself, leaves others to expat); the result.

    Read twice: as uploads are, and in steps of 211 bytes with row patterns learnt from the
    first row on (so that small sheets also go through the patterns, and steps end anywhere)."""
    results = []
    for step, learn_from in ((readers._STEP, readers._LEARN_FROM), (211, 0)):
        saved = readers._STEP, readers._LEARN_FROM
        readers._STEP, readers._LEARN_FROM = step, learn_from
        try:
            fast_rows, fast_error, used = read(content, True, width)
            expat_rows, expat_error, _ = read(content, False, width)
        finally:
            readers._STEP, readers._LEARN_FROM = saved
        assert fast_error == expat_error
        assert fast_rows == expat_rows
        if reader is not None:
            assert used == reader
        results.append((fast_rows, fast_error))
    assert results[0] == results[1]
    return results[0]


def rows_of(count, seed=1):
    return samples.af3_rows(
        count,
        region="CAR",
        division="Benguet",
        district="La Trinidad",
        year=2026,
        clcs=[("Poblacion La Trinidad CLC", 3), ("Balili & Co. <CLC>", 2)],
        seed=seed,
    )


def raw_sheet(rows_xml, *, head="", declaration=True, shared=None, date1904=False):
    """A workbook around hand-written <sheetData> rows (a string)."""
    prologue = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' if declaration else ""
    sheet = (
        f'{prologue}<worksheet xmlns="{hostile.MAIN}" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        f"{head}<sheetData>{rows_xml}</sheetData></worksheet>"
    )
    strings = None
    if shared is not None:
        items = "".join(f"<si><t>{text}</t></si>" for text in shared)
        strings = [f'<sst xmlns="{hostile.MAIN}">{items}</sst>'.encode()]
    return hostile.workbook([sheet.encode()], shared_chunks=strings, date1904=date1904)


# ----------------------------------------------------------------------------- written by programs


@pytest.mark.parametrize("count", [0, 1, 57, 2500])
def test_openpyxl_inline_strings(count):
    rows, error = same(samples.to_xlsx("AF3", rows_of(count, seed=count)))
    assert error is None and len(rows) == count + 1
    if count:
        assert rows[1][1][5] == "Poblacion La Trinidad CLC"


@pytest.mark.parametrize("date1904", [False, True])
def test_excel_shared_strings_numbers_and_dates(date1904):
    content = samples.to_xlsx_shared_strings("AF3", rows_of(2500, seed=7), date1904=date1904)
    rows, error = same(content)
    assert error is None and len(rows) == 2501
    assert rows[2][1][6] == 100000000001 and isinstance(rows[2][1][12], int)


def test_openpyxl_workbook_with_title_rows_dates_and_numbers():
    rows, _error = same(excel_like_af3(rows_of(300)))
    assert rows[0] == (1, ["ALS Form 3 – Master List of Enrolled Learners"], None)


def test_openpyxl_types_formulas_and_booleans():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["text", 1, 2.5, True, False, datetime.date(2026, 1, 2), "=B1*2", None, "é & <"])
    sheet.append([None, None, "", -3, 1e-7, 12345678901234567, "x" * 500])
    sheet["C3"] = "after a blank row"
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows, _error = same(buffer.getvalue(), width=10)
    assert rows[0][1][3:5] == ["Yes", "No"] and rows[0][1][8] == "é & <"


# ----------------------------------------------------------------------------- hand-written XML

FAST_VARIANTS = {
    "no r on cells": '<row r="1"><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>',
    "no r on rows": "<row><c r='A1' t='s'><v>0</v></c></row>".replace("'", '"') * 2,
    "self-closing cells": '<row r="1"><c r="A1" s="2"/><c r="B1" t="inlineStr" /><c r="C1">'
    '<v>3</v></c><c r="D1" s="1"/></row>',
    "entities": '<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b &lt;c&gt; &#233; &#x1F600;'
    ' &quot;&apos;</t></is></c><c r="B1" t="str"><v>&amp;amp;</v></c></row>',
    "preserved spaces": '<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> a '
    "</t></is></c></row>",
    "booleans errors dates": '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c>'
    '<c r="C1" t="e"><v>#N/A</v></c><c r="D1" t="d"><v>2026-01-02T00:00:00</v></c></row>',
    "formulas": '<row r="1"><c r="A1"><f>SUM(B1:C1)</f><v>3</v></c><c r="B1" t="str">'
    '<f t="shared" ref="B1:B2" si="0"/><v>x</v></c><c r="C1"><f t="shared" si="0"/><v>1.5E-3</v>'
    "</c></row>",
    "empty rows": '<row r="1"/><row r="2" spans="1:3"></row><row r="4"><c r="A4"><v>1</v></c>'
    '</row><row r="5" ht="20" customHeight="1"/>',
    "pretty-printed rows": '\n  <row r="1">\n    <c r="A1"><v>1</v></c>\n    <c r="B1"><v>2</v>'
    '</c>\n  </row>\n  <row r="2"><c r="A2"><v>3</v></c></row>\n',
    "excel row attributes": '<row r="1" spans="1:2" s="3" customFormat="1" x14ac:dyDescent="0.25">'
    '<c r="A1" s="3" t="s"><v>0</v></c><c r="B1" s="4" t="s"><v>1</v></c></row>',
    "numbers": '<row r="1"><c r="A1"><v>-2</v></c><c r="B1" t="n"><v>3.0</v></c><c r="C1"><v>1E3'
    '</v></c><c r="D1"><v>0.1</v></c><c r="E1"><v>123456789012345678</v></c><c r="F1" t="x">'
    "<v>7</v></c></row>",
    "whole numbers": '<row r="1"><c r="A1"><v>007</v></c><c r="B1"><v>999999999999999</v></c>'
    '<c r="C1"><v>1000000000000000</v></c><c r="D1"><v>0</v></c></row>',
    "cells out of order and repeated": '<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c>'
    '<c r="A1"><v>9</v></c></row>',
    "cells beyond the form": '<row r="1"><c r="A1"><v>1</v></c><c r="AC1" t="inlineStr"><is><t>'
    'x</t></is></c><c r="ZZZZ1" t="inlineStr"><is><t>y</t></is></c></row>',
    "empty values": '<row r="1"><c r="A1" t="str"><v></v></c><c r="B1"><v></v></c><c r="C1" '
    't="inlineStr"><is><t></t></is></c></row>',
    "non-ASCII text": '<row r="1"><c r="A1" t="inlineStr"><is><t>Ñoño ü ✓ 𝄞</t></is></c></row>',
    "character reference to CR": '<row r="1"><c r="A1" t="str"><v>a&#13;b</v></c></row>',
    "long text": f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"y" * 32767}</t></is></c></row>',
}

EXPAT_VARIANTS = {
    "rich text runs": '<row r="1"><c r="A1" t="inlineStr"><is><r><rPr><b/></rPr><t>Dela </t></r>'
    "<r><t>Cruz</t></r></is></c></row>",
    "phonetic runs": '<row r="1"><c r="A1" t="inlineStr"><is><t>漢字</t><rPh sb="0" eb="2"><t>かん'
    "じ</t></rPh></is></c></row>",
    "namespace prefix": '<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    ' r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>',
    "CDATA": '<row r="1"><c r="A1" t="str"><v><![CDATA[a<b]]></v></c></row>',
    "comment": '<row r="1"><!-- a note --><c r="A1"><v>1</v></c></row>',
    "processing instruction": '<row r="1"><c r="A1"><v>1</v></c><?app x?></row>',
    "single quotes": "<row r='1'><c r='A1'><v>1</v></c></row>",
    "spaces in tags": '<row r="1" ><c r = "A1" ><v >1</v ></c ></row >',
    "attributes in another order": '<row r="1"><c t="s" r="A1"><v>0</v></c></row>',
    "whitespace inside a cell": '<row r="1"><c r="A1">\n<v>1</v>\n</c></row>',
    "carriage return": '<row r="1"><c r="A1" t="str"><v>a\r\nb</v></c></row>',
    "row number not first": '<row spans="1:1" r="7"><c r="A7"><v>1</v></c></row>',
    "row numbered x": '<row r="x"><c r="A1"><v>1</v></c></row><row r="2"></row>',
    "lower-case reference": '<row r="1"><c r="a1"><v>1</v></c></row>',
    "default namespace changed": '<row r="1" xmlns="urn:other"><c r="A1"><v>1</v></c></row>',
    "v and inline text in a non-inline cell": '<row r="1"><c r="A1" t="s"><is><t>q</t></is></c>'
    "</row>",
}

ERROR_VARIANTS = {
    "undefined entity": '<row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row>',
    "bare ampersand": '<row r="1"><c r="A1" t="str"><v>a & b</v></c></row>',
    "reference to NUL": '<row r="1"><c r="A1" t="str"><v>&#0;</v></c></row>',
    "control character": '<row r="1"><c r="A1" t="str"><v>a\x01b</v></c></row>',
    "]]> in text": '<row r="1"><c r="A1" t="str"><v>a]]>b</v></c></row>',
    "unclosed cell": '<row r="1"><c r="A1"><v>1</v></row>',
    "cell outside a row": '<c r="A1"><v>1</v></c>',
    "text too long": f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"y" * 32768}</t></is></c></row>',
    "escaped text too long": f'<row r="1"><c r="B1" t="str"><v>{"&amp;" * 32768}</v></c></row>',
    "shared string out of range": '<row r="1"><c r="A1" t="s"><v>5</v></c></row>',
    "shared string not a number": '<row r="1"><c r="A1" t="s"><v>1.0</v></c></row>',
    "non-ASCII digits": '<row r="١"><c r="A1" t="s"><v>٣</v></c></row>',
    "number that is text": '<row r="1"><c r="A1"><v>nan</v></c></row>',
    "infinite number": '<row r="1"><c r="A1"><v>1e400</v></c></row>',
    "row beyond the sheet": '<row r="1048577"><c r="A1"><v>1</v></c></row>',
    "duplicate attribute": '<row r="1" ht="1" ht="2"><c r="A1"><v>1</v></c></row>',
}


@pytest.mark.parametrize("name", sorted(FAST_VARIANTS))
def test_variants_the_fast_path_reads(name):
    rows, error = same(raw_sheet(FAST_VARIANTS[name] * 4, shared=["a", "b"]))
    assert error is None and rows


@pytest.mark.parametrize("name", sorted(EXPAT_VARIANTS))
def test_variants_left_to_expat(name):
    same(raw_sheet(EXPAT_VARIANTS[name], shared=["a", "b"]), reader="expat")


@pytest.mark.parametrize("name", sorted(ERROR_VARIANTS))
def test_faults_give_the_same_error(name):
    _rows, error = same(raw_sheet(ERROR_VARIANTS[name], shared=["a"]), reader=None)
    assert error


def test_values_read_as_expat_reads_them():
    rows, _error = same(raw_sheet(FAST_VARIANTS["entities"]))
    assert rows[0][1] == ["a & b <c> é 😀 \"'", "&amp;"]
    rows, _error = same(raw_sheet(FAST_VARIANTS["self-closing cells"]))
    assert rows[0][1] == [None, None, 3]
    rows, _error = same(raw_sheet(FAST_VARIANTS["cells beyond the form"]))
    assert rows[0][2] == (28, "x")
    rows, _error = same(raw_sheet(FAST_VARIANTS["whole numbers"] * 3))
    assert rows[0][1] == [7, 999999999999999, 1e15, 0] and isinstance(rows[0][1][2], float)
    rows, _error = same(raw_sheet(EXPAT_VARIANTS["phonetic runs"]), reader="expat")
    assert rows[0][1] == ["漢字"]  # the reading aid is not part of the value


def test_prologues_left_to_expat():
    sheet = (
        '<!DOCTYPE worksheet [<!ENTITY e "x">]>'
        f'<worksheet xmlns="{hostile.MAIN}"><sheetData><row r="1"><c r="A1" t="str"><v>&e;</v>'
        "</c></row></sheetData></worksheet>"
    )
    rows, _error = same(hostile.workbook([sheet.encode()]), reader="expat")
    assert rows == [(1, ["x"], None)]
    latin1 = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        f'<worksheet xmlns="{hostile.MAIN}"><sheetData><row r="1"><c r="A1" t="str"><v>\xe9</v>'
        "</c></row></sheetData></worksheet>"
    )
    rows, _error = same(hostile.workbook([latin1.encode("latin-1")]), reader="expat")
    assert rows == [(1, ["é"], None)]
    strict = hostile.workbook(
        [
            b'<worksheet xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"><sheetData>'
            b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
        ]
    )
    same(strict, reader="expat")


def test_an_unknown_construct_late_in_the_sheet_hands_over_to_expat():
    # Many steps read by the fast path, then a comment: expat reads the sheet again and the
    # rows already given are not given twice.
    good = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{"v" * 200}{n}</t></is></c>'
        f'<c r="B{n}"><v>{n}</v></c></row>'
        for n in range(1, 4001)
    )
    rows, error = same(raw_sheet(good + '<row r="4001"><!-- x --></row>'), reader="expat")
    assert error is None and len(rows) == 4001 and rows[-1] == (4001, [], None)


def test_a_fault_late_in_the_sheet_after_many_steps():
    good = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{"w" * 300}</t></is></c></row>'
        for n in range(1, 3001)
    )
    bad = '<row r="3001"><c r="A3001"><v>x</v></c></row>'
    rows, error = same(raw_sheet(good + bad + good.replace('r="', 'r="9')), reader=None)
    assert "column A of row 3001 does not hold a readable value" in error
    assert rows[-1][0] == 3000  # the rows before the fault are handed on, then the error


def test_zip_level_faults_are_the_same():
    content = bytearray(
        hostile.workbook(hostile.sheet(*[hostile.row_xml(n, ["CAR"] * 20) for n in range(2, 400)]))
    )
    name = b"xl/worksheets/sheet1.xml"
    central = content.rindex(b"PK\x01\x02", 0, content.rindex(name))
    local = content.rindex(b"PK\x03\x04", 0, content.index(name))
    for offset in (central + 24, local + 22):
        content[offset : offset + 4] = (1000).to_bytes(4, "little")
    _rows, error = same(bytes(content), reader=None)
    assert "declared" in error or "corrupt" in error


# ----------------------------------------------------------------------------- hostile files


def test_hostile_files_give_the_same_result():
    rows = rows_of(3)
    _rows, error = same(hostile.zzzz_columns(rows))
    assert error is None
    _rows, error = same(hostile.huge_shared_string(1024 * 1024), reader=None)
    assert "longer than 32,767" in error
    with override_settings(SNAPSHOT_MAX_ROWS=3000):
        _rows, error = same(hostile.rows_bomb(4 * 1024 * 1024), reader="fast")
    assert "more than 3,000 rows" in error
    for label, (column, raw, _status, _message) in hostile.BAD_CELLS.items():
        content = hostile.workbook(
            hostile.sheet(hostile.row_xml(2, rows[0]), hostile.row_xml(3, rows[1], {column: raw}))
        )
        _rows, error = same(content, reader=None)
        assert error or label in ("empty v", "huge column reference"), label
    same(hostile.workbook(hostile.sheet(hostile.row_xml(2, rows[0], attrs='r="x"'))), reader=None)
    same(hostile.workbook(hostile.sheet(hostile.row_xml(2, rows[0])), date1904=True))


def test_the_time_limit_stops_both_readers_at_the_same_step(monkeypatch):
    content = samples.to_xlsx("AF3", rows_of(2000))
    for fast in (True, False):
        clock = iter(range(0, 10**6))
        monkeypatch.setattr(readers, "_clock", lambda clock=clock: next(clock) / 2)
        with override_settings(SNAPSHOT_IMPORT_TIME_LIMIT=2):
            limits = readers.Limits.from_settings(WIDTH, timed=True)
            given = []
            with pytest.raises(readers.UnreadableFile, match="longer than the limit of 2"):
                for item in readers._xlsx_rows(io.BytesIO(content), limits, {}, fast=fast):
                    given.append(item)
        assert given, fast


def test_the_1904_date_system_is_reported_by_both_readers():
    content = samples.to_xlsx_shared_strings("AF3", rows_of(3), date1904=True)
    for fast in (True, False):
        info = {}
        list(
            readers._xlsx_rows(io.BytesIO(content), readers.Limits.from_settings(WIDTH), info, fast)
        )
        assert info["date1904"] is True


def test_a_sheet_without_rows_and_an_empty_sheet():
    same(raw_sheet(""))
    same(
        hostile.workbook([f'<worksheet xmlns="{hostile.MAIN}"><sheetData/></worksheet>'.encode()]),
        reader="expat",
    )
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/workbook.xml", hostile.WORKBOOK.format(pr=""))
        archive.writestr("xl/_rels/workbook.xml.rels", hostile.RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{hostile.MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>',
        )
    _rows, error = same(stored.getvalue(), reader=None)
    assert "damaged" in error


def test_a_row_too_long_to_hold_is_left_to_expat(monkeypatch):
    # The fast path holds at most _MAX_PENDING bytes of an unfinished row (4 MiB; 64 KiB here).
    monkeypatch.setattr(readers, "_MAX_PENDING", 64 * 1024)
    cell = b'<c t="inlineStr"><is><t>CAR</t></is></c>'
    content = hostile.workbook(
        [hostile.SHEET_HEAD, b'<row r="1">', cell * 10000, b"</row>", hostile.SHEET_TAIL]
    )
    (rows, error, used), peak = hostile.measured(lambda: read(content, True))
    assert used == "expat" and error is None
    assert rows == [(1, ["CAR"] * WIDTH, (WIDTH, "CAR"))]
    assert peak < 5 * 1024 * 1024


# ----------------------------------------------------------------------------- validation


@pytest.mark.django_db
def test_excel_numbers_and_blank_cells_validate_like_csv_text(period, af3_rows):
    """An .xlsx gives numbers and None where a .csv gives text and "": each column remembers
    their cleaned values too, and a blank required cell is still an error on every row."""
    from snapshots import importer, services

    rows = af3_rows(40)
    for row in rows[::10]:
        row[7] = ""  # Last Name, required
    division, district = services.resolve_unit("benguet/LTR")
    results = {}
    for kind, content in (
        ("csv", samples.to_csv("AF3", rows)),
        ("xlsx", samples.to_xlsx_shared_strings("AF3", rows)),
        ("xlsx-1904", samples.to_xlsx_shared_strings("AF3", rows, date1904=True)),
    ):
        result = importer.validate_file(
            io.BytesIO(content),
            kind[:4],
            "AF3",
            division=division,
            district=district,
            period=period,
        )
        results[kind] = [(e.row, e.column, e.message) for e in result.errors]
    assert len(results["csv"]) == 4 and all("required" in e[2] for e in results["csv"])
    assert results["xlsx"] == results["csv"] == results["xlsx-1904"]
