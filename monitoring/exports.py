"""The monitoring report as files: CSV and .xlsx of the dashboard's tables, and a one-page A4 PDF
summary that a division attaches to its quarterly report.

The spreadsheets follow the statistics export (stats/views.py): the CSV has the tables one after
another, each under its title; the workbook has one sheet per table. Text cells that a spreadsheet
would read as a formula are prefixed with an apostrophe (office, reviewer and reason names are
typed by people).
"""

import csv
import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from guard.spreadsheets import neutralise
from workflow.models import MANILA

#: Rows of each table the one-page summary prints at most (the files have them all).
PDF_ROWS = 8


def _cells(row):
    return [neutralise(str(cell)) if cell is not None else "" for cell in row]


def as_csv(report):
    """Every table of the report as one CSV text: title, header, rows, a blank line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Monitoring of the submission flow"), report.period.label])
    writer.writerow([])
    for table in report.all_tables():
        writer.writerow([table.title])
        writer.writerow(_cells(table.columns))
        for row in table.rows:
            writer.writerow(_cells(row))
        writer.writerow([])
    return out.getvalue()


def as_xlsx(report):
    """Every table of the report as a workbook, one sheet per table (numbers stay numbers)."""
    workbook = Workbook(write_only=True)
    for table in report.all_tables():
        sheet = workbook.create_sheet(title=table.key[:31])
        sheet.append([table.title, report.period.label])
        sheet.append(_cells(table.columns))
        for row in table.rows:
            sheet.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf_table(table, width):
    rows = [list(map(str, table.columns))]
    rows += [["" if cell is None else str(cell) for cell in row] for row in table.rows[:PDF_ROWS]]
    if len(table.rows) > PDF_ROWS:
        more = _("… and %(count)s more rows in the spreadsheet export.") % {
            "count": len(table.rows) - PDF_ROWS
        }
        rows.append([more] + [""] * (len(table.columns) - 1))
    if len(rows) == 1:
        rows.append([_("None in this period.")] + [""] * (len(table.columns) - 1))
    first = width * 0.4 if len(table.columns) > 2 else width * 0.6
    others = [(width - first) / (len(table.columns) - 1)] * (len(table.columns) - 1)
    pdf_table = PdfTable(rows, colWidths=[first, *others], repeatRows=1)
    pdf_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
                ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 7),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return pdf_table


def as_pdf(report, office_label):
    """A one-page A4 summary of the report: its totals and the first rows of each table.

    Whatever the figures, it stays one page: the content is shrunk to fit the frame
    (KeepInFrame) and each table prints at most PDF_ROWS rows."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Monitoring of the submission flow"),
        author="ALS MIS",
    )
    styles = getSampleStyleSheet()
    heading, small = styles["Heading2"], styles["BodyText"]
    small.fontSize, small.leading = 8, 10
    printed = formats.date_format(timezone.localtime(timezone.now(), MANILA), "DATETIME_FORMAT")
    # A Paragraph's text is markup to reportlab: names typed by people are escaped first.
    story = [
        Paragraph(escape(_("Monitoring of the submission flow")), styles["Title"]),
        Paragraph(escape(f"{office_label} — {report.period.label}"), styles["Heading3"]),
        Paragraph(
            _(
                "Received %(received)s, endorsed %(endorsed)s, approved %(approved)s, "
                "published %(published)s, returned %(returned)s; overdue now: %(overdue)s."
            )
            % {**report.totals, "overdue": report.overdue_total},
            small,
        ),
        Paragraph(escape(_("Printed %(when)s from ALS MIS.") % {"when": printed}), small),
        Spacer(1, 3 * mm),
    ]
    for table in report.all_tables():
        story.append(Paragraph(escape(table.title), heading))
        story.append(_pdf_table(table, document.width))
        if table.note:
            story.append(Paragraph(escape(table.note), small))
    frame = KeepInFrame(document.width, document.height, story, mode="shrink")
    document.build([frame])
    return buffer.getvalue()
