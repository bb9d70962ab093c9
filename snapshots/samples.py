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
