"""Validate an uploaded AF1–AF5 file completely, then store all of it or nothing.

`validate_file` streams the rows once: every cell is cleaned by the form's `Column`s, every row is
checked (`forms_spec.check_row`), unit and year columns must match the snapshot's unit and period,
and an LRN may appear only once. Valid rows are kept as compact prepared tuples (the row as JSON
text plus the plain statistics keys); encryption happens only when the whole file is valid.
`save_rows` writes them in one transaction, with PostgreSQL's COPY when available.
"""

import datetime
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from guard.text import invalid_character_message, is_unsafe, replace_unsafe
from learners.crypto import PREFIX, fernet
from snapshots import forms_spec
from snapshots.forms_spec import CACHED_TYPES, CellError
from snapshots.readers import DATE1904_OFFSET, Limits, UnreadableFile, may_hold_nul, read_rows

from .models import SnapshotRow

HEADER_SEARCH_ROWS = 10
_MISSING = object()
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
ROW_FIELDS = [
    "snapshot_id",
    "row_number",
    "payload",
    "division_id",
    "district_id",
    "sex",
    "age_band",
    "program",
    "delivery_mode",
    "clc_type",
    "literacy_level",
    "pis_score",
    "flt_reading",
    "flt_numeracy",
    "flt_writing",
    "flt_listening",
    "flt_overall",
    "ae_level",
    "ae_taker",
    "ae_status",
]


class ImportFailed(RuntimeError):
    """An import broke for a reason other than the file's content (storage, database).

    Raised in place of the original error, whose message may quote a cell: this one names the
    job and the kind of error only, so the task's log line and stored result hold no learner data.
    """

    def __init__(self, job_id, kind, *, storage_outage=False):
        super().__init__(f"Snapshot import job {job_id} failed ({kind}).")
        # The file storage was down (guard.storage_errors): an upload answers 503, not 500.
        self.storage_outage = storage_outage


def max_reported_errors():
    return getattr(settings, "SNAPSHOT_MAX_REPORTED_ERRORS", 1000)


@dataclass
class RowError:
    """One problem: spreadsheet row, column header (and letter), the value found, the message."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self):
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class Validation:
    """The outcome of validating one file."""

    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    error_count: int = 0
    total: int = 0

    @property
    def ok(self):
        return self.error_count == 0

    def add(self, row, column, value, message):
        self.error_count += 1
        if len(self.errors) < max_reported_errors():
            # A NUL or lone surrogate could be neither stored nor shown: U+FFFD stands in.
            shown = "" if value is None else replace_unsafe(str(value))
            self.errors.append(RowError(row, column, shown[:200], message))


def _letter(index):
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _fold(text):
    return " ".join(str(text or "").lower().replace("sdo", " ").replace("division", " ").split())


class UnitMatcher:
    """Checks the Region / Division / District cells of a row against the snapshot's unit."""

    def __init__(self, division, district):
        self._district_cache = {}
        self.division = division
        self.district = district
        region = division.region
        self.region_names = {_fold(region.name), _fold(region.code)}
        self.division_names = {_fold(division.name), _fold(division.code), _fold(division.slug)}
        self.districts = {}
        for candidate in division.districts.all():
            self.districts[_fold(candidate.name)] = candidate
            self.districts[_fold(candidate.code)] = candidate

    @staticmethod
    def _known(value, names):
        if value is None or value in names:
            return True
        if _fold(value) in names:
            names.add(value)  # remember the spelling as typed; the next row is a set lookup
            return True
        return False

    def region_ok(self, value):
        return self._known(value, self.region_names)

    def division_ok(self, value):
        return self._known(value, self.division_names)

    def district_for(self, value):
        """The District a cell names, or None when it names none of this division's districts."""
        if value is None:
            return self.district
        if value in self._district_cache:
            return self._district_cache[value]
        found = self.districts.get(_fold(value))
        if found is not None and self.district is not None and found.pk != self.district.pk:
            found = None
        self._district_cache[value] = found
        return found


def find_header(rows, form, result):
    """Consume rows up to and including the header row; report a precise error when absent."""
    expected = forms_spec.headers(form)
    wanted = [forms_spec.normalise_header(h) for h in expected]
    for number, row in rows:
        cells = [forms_spec.normalise_header(c) for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells and cells[0] == wanted[0]:
            if cells == wanted:
                extra = getattr(row, "extra", None)
                _report_extra(result, number, extra)
                return extra is None
            for index, want in enumerate(wanted):
                got = cells[index] if index < len(cells) else ""
                if got != want:
                    raw = row[index] if index < len(row) else ""
                    result.add(
                        number,
                        f"{_letter(index)} ({expected[index]})",
                        raw,
                        _('Expected the header "%(header)s" here; use the %(form)s template.')
                        % {"header": expected[index], "form": form},
                    )
            for index in range(len(wanted), len(cells)):
                result.add(number, _letter(index), row[index], _("Unexpected extra column."))
            _report_extra(result, number, getattr(row, "extra", None))
            return False
        if number >= HEADER_SEARCH_ROWS:
            break
    result.add(
        1,
        "",
        "",
        _(
            'No %(form)s header row found (the first column must be "%(header)s"); '
            "use the %(form)s template."
        )
        % {"form": form, "header": expected[0]},
    )
    return False


def validate_file(
    fileobj, kind, form, *, division, district, period, progress=None, today=None, timed=False
):
    """Validate every row of an uploaded file for `form` at the unit and period given.

    The file is read within `readers.Limits` (the SNAPSHOT_* settings), cells beyond the form's
    width are not even allocated, and with `timed` reading stops at SNAPSHOT_IMPORT_TIME_LIMIT:
    every broken bound or malformed part is one error naming it."""
    result = Validation()
    cols = forms_spec.columns(form)
    width = len(cols)
    keys = [c.key for c in cols]
    labels = [f"{_letter(i)} ({c.header})" for i, c in enumerate(cols)]
    by_key = {c.key: i for i, c in enumerate(cols)}
    # Each import gets fresh columns so their value caches never leak across files.
    cols = [forms_spec.Column(**{**c.__dict__, "_cache": {}}) for c in cols]
    cleaners = [c.clean for c in cols]
    caches = [c._cache for c in cols]
    indices = range(width)
    today = today or datetime.date.today()
    reference_date = period.reference_date
    years = period.years
    units = UnitMatcher(division, district)
    seen_lrns = {}
    has = set(keys)
    division_id = division.pk
    try:
        # Only a .csv with a NUL byte somewhere needs every cell checked (see may_hold_nul).
        check_cells = may_hold_nul(fileobj, kind)
        info = {}
        rows = read_rows(fileobj, kind, Limits.from_settings(width, timed=timed), info)
        if not find_header(rows, form, result):
            return result
        # A workbook in the 1904 date system counts its date serials from 1904-01-01.
        date_shift = [i for i, c in enumerate(cols) if c.kind == "date" and info.get("date1904")]
        for number, row in rows:
            extra = row.extra if row.__class__ is not list else None
            if extra is None and not any(cell not in (None, "") for cell in row):
                continue
            result.total += 1
            if progress and result.total % 5000 == 0:
                progress(result.total)
            values = {}
            row_len = len(row)
            if row_len < width:
                row = [*row, *([None] * (width - row_len))]
            ok = True
            if extra is not None:
                _report_extra(result, number, extra)
                ok = False
            for index in date_shift:
                raw = row[index]
                if type(raw) is int or type(raw) is float:
                    row[index] = raw + DATE1904_OFFSET
            if check_cells and any(is_unsafe(cell) for cell in row):
                row = _refuse_unsafe_cells(result, number, row, labels)
                ok = False
            for index, key, cache, clean, raw in zip(
                indices, keys, caches, cleaners, row, strict=True
            ):
                # Repeated cells (unit names, codes, scores, dates) come from the column's cache
                # without a call; everything else goes through Column.clean.
                value = cache.get(raw, _MISSING) if type(raw) in CACHED_TYPES else _MISSING
                if value is _MISSING:
                    try:
                        value = clean(raw)
                    except CellError as error:
                        value = None
                        result.add(number, labels[index], raw, str(error))
                        ok = False
                values[key] = value
            if row_len > width:
                for index in range(width, row_len):
                    if row[index] not in (None, ""):
                        result.add(
                            number, _letter(index), row[index], _("Unexpected extra column.")
                        )
                        ok = False
            row_district = district
            if "region" in has and not units.region_ok(values["region"]):
                ok = _unit_error(result, number, labels, by_key, values, "region", division.region)
            if "division" in has and not units.division_ok(values["division"]):
                ok = _unit_error(result, number, labels, by_key, values, "division", division)
            if "district" in has and values["district"] is not None:
                row_district = units.district_for(values["district"])
                if row_district is None:
                    if district is not None:
                        message = _("Not a district of this snapshot (%(district)s).") % {
                            "district": district.name
                        }
                    else:
                        message = _("Not a district of this snapshot (%(division)s division).") % {
                            "division": division.name
                        }
                    result.add(number, labels[by_key["district"]], values["district"], message)
                    ok = False
            year = values.get("calendar_year")
            if year is not None and year not in years:
                result.add(number, labels[by_key["calendar_year"]], year, _year_message(period))
                ok = False
            lrn = values.get("lrn")
            if lrn is not None:
                first = seen_lrns.get(lrn)
                if first is not None:
                    result.add(
                        number,
                        labels[by_key["lrn"]],
                        lrn,
                        _("Duplicate LRN: already on row %(row)s of this file.") % {"row": first},
                    )
                    ok = False
                else:
                    seen_lrns[lrn] = number
            for key, message in forms_spec.check_row(
                form, values, today=today, reference_date=reference_date
            ):
                result.add(number, labels[by_key[key]], values.get(key), message)
                ok = False
            if ok and result.error_count == 0:
                result.rows.append(
                    _prepare(number, values, keys, division_id, row_district, reference_date)
                )
            elif result.rows:
                # The file will be rejected; stop holding prepared rows.
                result.rows = []
    except UnreadableFile as error:
        # What stopped the read goes first, ahead of any (capped) row errors found before it.
        result.add(0, "", "", str(error))
        if result.errors[-1].message != str(error):
            result.errors[-1] = RowError(0, "", "", str(error))
        result.errors.insert(0, result.errors.pop())
    if result.total == 0 and result.ok:
        result.add(0, "", "", _("The file has a header row but no learner rows."))
    return result


def _report_extra(result, number, extra):
    """A non-empty cell beyond the form's last column, as the reader noted it (readers.Row)."""
    if extra is not None:
        result.add(number, _letter(extra[0]), extra[1], _("Unexpected extra column."))


def _refuse_unsafe_cells(result, number, row, labels):
    """Report each cell holding a NUL or lone surrogate; the row goes on with them replaced, so
    its other cells are still checked."""
    cleaned = list(row)
    for index, cell in enumerate(row):
        if is_unsafe(cell):
            label = labels[index] if index < len(labels) else _letter(index)
            result.add(number, label, cell, invalid_character_message())
            cleaned[index] = replace_unsafe(cell)
    return cleaned


def _year_message(period):
    """What a wrong "Calendar Year" cell is told: the one year, or either of the two years of a
    school year, the period names."""
    years = sorted(period.years)
    if len(years) == 1:
        return _("The calendar year must be %(year)s for %(period)s.") % {
            "year": years[0],
            "period": period,
        }
    return _("The calendar year must be %(first)s or %(second)s for %(period)s.") % {
        "first": years[0],
        "second": years[1],
        "period": period,
    }


def _unit_error(result, number, labels, by_key, values, key, unit):
    result.add(
        number,
        labels[by_key[key]],
        values[key],
        _("Must be %(unit)s for this snapshot.") % {"unit": unit.name},
    )
    return False


def _prepare(number, values, keys, division_id, district, reference_date):
    """(row number, JSON payload, plain statistics keys...) for one valid row."""
    payload = _encode([values[k] for k in keys])
    age = values.get("age")
    if age is None and values.get("birthdate"):
        age = forms_spec.age_on(values["birthdate"], reference_date)
    get = values.get
    return (
        number,
        payload,
        division_id,
        district.pk if district is not None else None,
        get("sex") or "",
        forms_spec.age_band(age),
        get("program") or "",
        get("delivery_mode") or "",
        get("clc_type"),
        forms_spec.literacy_level(values),
        get("pis_score"),
        get("flt_reading"),
        get("flt_numeracy"),
        get("flt_writing"),
        get("flt_listening"),
        get("flt_overall"),
        get("ae_level") or "",
        get("ae_taker"),
        forms_spec.ae_status(get("ae_result")),
    )


def _encrypted(payloads):
    """Encrypt a batch of JSON payloads with the current first key (what EncryptedJSONField stores)."""
    box = fernet()
    return [PREFIX + box.encrypt(p.encode()).decode() for p in payloads]


def save_rows(snapshot, prepared, *, batch_size=5000, progress=None):
    """Write prepared rows to `snapshot` (call inside a transaction); COPY on PostgreSQL."""
    written = 0
    for start in range(0, len(prepared), batch_size):
        batch = prepared[start : start + batch_size]
        if connection.vendor == "postgresql":
            _copy_batch(snapshot.pk, batch, _encrypted([row[1] for row in batch]))
        else:
            # SQLite (`make run`): one executemany of ready tokens, as COPY does above. Through
            # the ORM each row was a model, re-parsed JSON and a field-encrypted value: 27 s of
            # holding SQLite's single write lock for 30,000 rows, longer than other writers wait.
            _insert_batch(snapshot.pk, batch, _encrypted([row[1] for row in batch]))
        written += len(batch)
        if progress:
            progress(written)
    return written


def _insert_batch(snapshot_id, batch, tokens):
    table = SnapshotRow._meta.db_table
    columns = ", ".join(ROW_FIELDS)
    marks = ", ".join(["%s"] * len(ROW_FIELDS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [
                (snapshot_id, row[0], token, *row[2:])
                for row, token in zip(batch, tokens, strict=True)
            ],
        )


def _copy_batch(snapshot_id, batch, tokens):
    table = SnapshotRow._meta.db_table
    columns = ", ".join(ROW_FIELDS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row, token in zip(batch, tokens, strict=True):
            copy.write_row((snapshot_id, row[0], token, *row[2:]))


def error_rows_csv(errors):
    """The error report as CSV text (row, column, value, message)."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Message")])
    for error in errors:
        writer.writerow([error["row"], error["column"], error["value"], error["message"]])
    return out.getvalue()
