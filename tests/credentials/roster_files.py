"""Awardees lists for the roster tests: the rows as lists, written as .csv or .xlsx bytes."""

import csv
import io

import openpyxl

HEADER = [
    "LRN",
    "Last Name",
    "First Name",
    "Middle Name",
    "Name Extension",
    "Sex",
    "Birthdate",
    "Narrative",
]


def to_csv(rows, header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def to_xlsx(rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def four_kinds(benguet_learners, survivor_alias):
    """A list with every kind: rows 2 and 8 matched (8 by a merged LRN), 3 differing, 4 new,
    5 new with a near duplicate, 6 and 7 refused (a bad LRN, the LRN of row 2 again)."""
    maria, pedro, _ana = benguet_learners
    return [
        [maria.lrn, "BAGTANG", "maria", "", "", "F", "2004-05-01", "Led the clean-up drive."],
        [pedro.lrn, "Dalisay", "Pedrito", "", "", "M", "2004-05-01", ""],
        ["136512259100", "Lumidao", "Grace", "Sapdoy", "", "F", "2003-02-03", "Tutored peers."],
        ["136512259101", "Bagtang", "Marya", "", "", "F", "2004-05-01", ""],
        ["12345", "Pacio", "Lito", "", "", "M", "2001-01-01", ""],
        [maria.lrn, "Bagtang", "Maria", "", "", "F", "2004-05-01", ""],
        [survivor_alias, "Tindaan", "Rosa", "", "", "F", "2002-07-07", ""],
    ]


def ready(benguet_learners, survivor_alias):
    """The four-kinds list without its refused rows (6 and 7)."""
    rows = four_kinds(benguet_learners, survivor_alias)
    return rows[:4] + rows[6:]
