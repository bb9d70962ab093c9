"""The streaming readers on workbooks as spreadsheet programs write them."""

import datetime
import io
import zipfile

from openpyxl import Workbook

from snapshots import forms_spec, samples
from snapshots.models import ImportJob
from snapshots.readers import read_rows, sniff

from .conftest import start_upload


def excel_like_af3(rows):
    """A normal (shared strings) workbook: title rows above the header, real date and number
    cells, and blank cells left out of the XML."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "AF3"
    sheet.append(["ALS Form 3 – Master List of Enrolled Learners"])
    sheet.append([])
    sheet.append(forms_spec.headers("AF3"))
    for row in rows:
        out = []
        for index, value in enumerate(row):
            if index in (12, 14):
                value = datetime.datetime.fromisoformat(value)
            elif index in (3, 4, 6, 13) or (15 <= index <= 23 and value):
                value = int(value)
            out.append(value if value != "" else None)
        sheet.append(out)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_shared_strings_dates_numbers_and_title_rows(user_named, period, af3_rows):
    rows = af3_rows(6)
    content = excel_like_af3(rows)
    assert sniff(io.BytesIO(content)) == "xlsx"
    parsed = list(read_rows(io.BytesIO(content), "xlsx"))
    assert parsed[0] == (1, ["ALS Form 3 – Master List of Enrolled Learners"])
    assert parsed[1][0] == 3  # the empty row 2 has no cells at all
    job = start_upload(user_named("teacher.benguet"), period, content, name="af3.xlsx")
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    stored = {r.payload[6]: r.payload for r in job.snapshot.rows.all()}
    first = stored[rows[0][6]]
    assert first[12] == rows[0][12] and first[14] == rows[0][14]  # dates back as ISO text
    assert first[7] == rows[0][7]


def test_rich_inline_text_is_one_value():
    content = samples.to_xlsx("AF3", [["a", "b"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name.startswith("xl/worksheets/"):
                data = data.replace(
                    b"<is><t>a</t></is>", b"<is><r><t>Dela </t></r><r><t>Cruz</t></r></is>"
                )
            target.writestr(name, data)
    assert list(read_rows(io.BytesIO(out.getvalue()), "xlsx"))[1] == (2, ["Dela Cruz", "b"])


def test_csv_with_a_byte_order_mark():
    content = "\ufeff" + "Region,Division\nCAR,Benguet\n"
    rows = list(read_rows(io.BytesIO(content.encode()), "csv"))
    assert rows == [(1, ["Region", "Division"]), (2, ["CAR", "Benguet"])]
