"""Deterministic, valid, made-up AF3/AF4/AF5 rows for demo data, tests and the benchmark.

The names are invented from short syllable lists and the LRNs from a counter; nothing here is a
real person.
"""

import csv
import datetime
import io
import random

from . import forms_spec

SYLLABLES = ["ba", "ka", "li", "ma", "no", "pa", "ri", "sa", "to", "wa", "yo", "gu"]
PROGRAM_LABELS = {"BLP": "BLP", "AE_ELEM": "A&E Elementary", "AE_JHS": "A&E Secondary"}
MODES = ["Face to Face", "Independent Learning", "RBI", "CBI"]


def _name(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def af3_rows(count, *, region, division, district, year, clcs, seed=1, lrn_start=100000000000):
    """`count` valid AF3 rows (lists of cell texts in the official column order).

    `clcs` is a list of (name, type) pairs; rows are spread over them.
    """
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        age = rng.randint(13, 45)
        born = datetime.date(year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
        program = rng.choice(["BLP", "AE_ELEM", "AE_JHS"])
        scores = [""] * 9
        if rng.random() < 0.8:
            parts = [rng.randint(1, 24), rng.randint(1, 24), rng.randint(1, 8), rng.randint(1, 12)]
            literacy = rng.randint(1, 99)
            slot = 0 if literacy <= 30 else 1 if literacy <= 74 else 2
            level = ["", "", ""]
            level[slot] = str(literacy)
            scores = [str(rng.randint(1, 11)), *level, *map(str, parts), str(sum(parts))]
        clc_name, clc_type = clcs[index % len(clcs)]
        rows.append(
            [
                region,
                division,
                district,
                str(year),
                str(clc_type),
                clc_name,
                str(lrn_start + index),
                _name(rng, 3),
                _name(rng, 2),
                _name(rng, 2),
                "",
                rng.choice(["Male", "Female"]),
                born.isoformat(),
                str(forms_spec.age_on(born.isoformat(), datetime.date(year, 12, 31))),
                datetime.date(year, rng.randint(1, 9), rng.randint(1, 28)).isoformat(),
                *scores,
                PROGRAM_LABELS[program],
                rng.choice(MODES),
                rng.choice(["Yes", "No"]),
                "",
            ]
        )
    return rows


def to_csv(form, rows):
    """Rows as CSV bytes with the form's header row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(forms_spec.headers(form))
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(form, rows):
    """Rows as xlsx bytes with the form's header row (written with openpyxl, as Excel would)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(form)
    sheet.append(forms_spec.headers(form))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'


def to_xlsx_shared_strings(form, rows, *, date1904=False):
    """Rows as xlsx bytes the way Excel writes them: text as shared strings, numbers, years and
    LRNs as numbers, dates as date serials (from 1904-01-01 with `date1904`) in a date style,
    blank cells left out, and Excel's row attributes (spans, x14ac:dyDescent)."""
    import zipfile
    from xml.sax.saxutils import escape

    columns = forms_spec.columns(form)
    epoch = datetime.date(1904, 1, 1) if date1904 else datetime.date(1899, 12, 30)
    strings, index = [], {}

    def shared(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    def letter(number):
        letters = ""
        number += 1
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(65 + rest) + letters
        return letters

    width = len(columns)
    out = [
        f'{_DECLARATION}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'mc:Ignorable="x14ac" '
        'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
        f'<dimension ref="A1:{letter(width - 1)}{len(rows) + 1}"/><sheetViews><sheetView '
        'tabSelected="1" workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15" '
        'x14ac:dyDescent="0.25"/><sheetData>'
    ]
    for number, values in enumerate([forms_spec.headers(form), *rows], start=1):
        out.append(f'<row r="{number}" spans="1:{width}" x14ac:dyDescent="0.25">')
        for column, (value, spec) in enumerate(zip(values, columns, strict=False)):
            ref = f"{letter(column)}{number}"
            if value in ("", None):
                continue
            if number > 1 and spec.kind == "date":
                days = (datetime.date.fromisoformat(value) - epoch).days
                out.append(f'<c r="{ref}" s="1"><v>{days}</v></c>')
            elif number > 1 and spec.kind in ("int", "decimal", "year", "lrn"):
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="s"><v>{shared(str(value))}</v></c>')
        out.append("</row>")
    out.append(
        '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        'header="0.3" footer="0.3"/></worksheet>'
    )
    sst = [
        f'{_DECLARATION}<sst xmlns="{_MAIN_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
    ]
    sst += [f"<si><t>{escape(text)}</t></si>" for text in strings]
    sst.append("</sst>")
    pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    parts = {
        "[Content_Types].xml": (
            f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.'
            'openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override '
            'PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{_DECLARATION}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">{pr}<sheets>'
            f'<sheet name="{form}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_DECLARATION}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": "".join(out),
        "xl/sharedStrings.xml": "".join(sst),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()
