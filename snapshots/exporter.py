"""Snapshots back to `.xlsx` in the official layout, blank templates, and error reports.

Every text cell goes through `guard.spreadsheets.neutralise` and is written as a string cell, so
opening an export can never run anything.
"""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from guard.spreadsheets import neutralise

from . import forms_spec


def _header_row(sheet, header_texts):
    cells = []
    for text in header_texts:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _string_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_rows(sheet, form, rows):
    """Append the form's rows (lists of stored values in column order) in the official layout."""
    cols = forms_spec.columns(form)
    sheet.append(_header_row(sheet, [c.header for c in cols]))
    for values in rows:
        out = []
        for column, value in zip(cols, values, strict=False):
            shown = column.display(value)
            out.append(_string_cell(sheet, neutralise(shown)) if isinstance(shown, str) else shown)
        sheet.append(out)


def snapshot_workbook(snapshot, lrns=None):
    """The snapshot as xlsx bytes: one sheet in the official column order.

    When ``lrns`` is a list, every row's LRN (blank where the form or row has none) is appended
    to it while the rows are written, so the caller can log the access without decrypting twice.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=snapshot.form)
    keys = [column.key for column in forms_spec.columns(snapshot.form)]
    lrn_index = keys.index("lrn") if "lrn" in keys else None

    def rows():
        for row in snapshot.rows.order_by("row_number").iterator(chunk_size=2000):
            payload = row.payload
            if lrns is not None:
                lrn = (
                    payload[lrn_index] if lrn_index is not None and lrn_index < len(payload) else ""
                )
                lrns.append(lrn or "")
            yield payload

    write_rows(sheet, snapshot.form, rows())
    info = workbook.create_sheet(title="About")
    for label, value in (
        ("Form", forms_spec.TITLES[snapshot.form]),
        ("Unit", str(snapshot.unit)),
        ("Period", str(snapshot.period)),
        ("Version", snapshot.version),
        ("State", snapshot.get_state_display()),
        ("Rows", snapshot.row_count),
    ):
        info.append(
            [label, _string_cell(info, neutralise(value)) if isinstance(value, str) else value]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_workbook(form):
    """A blank template for `form`: the header row, and a sheet describing every column."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=form)
    sheet.append(_header_row(sheet, forms_spec.headers(form)))
    guide = workbook.create_sheet(title="Instructions")
    guide.append(_header_row(guide, ["Column", "Header", "Rules"]))
    for index, column in enumerate(forms_spec.columns(form)):
        guide.append([index + 1, column.header, column.describe()])
    guide.append([])
    guide.append(["", forms_spec.TITLES[form], "DepEd Order 58 s. 2017, Enclosure 2"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def error_report_workbook(errors):
    """The rejected file's problems (row, column, value, message) as xlsx bytes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Errors"))
    sheet.append(_header_row(sheet, [_("Row"), _("Column"), _("Value"), _("Message")]))
    for error in errors or []:
        sheet.append(
            [
                error["row"],
                _string_cell(sheet, neutralise(error["column"])),
                _string_cell(sheet, neutralise(error["value"])),
                _string_cell(sheet, neutralise(error["message"])),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
