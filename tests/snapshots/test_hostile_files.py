"""Hostile and malformed spreadsheets: each is refused with a clear message, never a 500, and
refusing it costs less than 100 MB of memory; a job whose worker died is failed and run again."""

import datetime
import io
import struct
import time
import tracemalloc
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from api.services import issue_token
from snapshots import forms_spec, readers, samples, services
from snapshots.models import ImportJob
from snapshots.readers import read_rows

from .conftest import start_upload, upload

MAX_PEAK = 100 * 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships">{pr}<sheets><sheet name="AF3" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = f'<worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def letter(index):
    return readers._letter(index)


def cell(ref, value):
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number, values, overrides=None, attrs=None):
    """One <row> of inline strings; `overrides` {column index: raw <c> XML} replaces cells."""
    overrides = overrides or {}
    cells = []
    for index, value in enumerate(values):
        ref = f"{letter(index)}{number}"
        if index in overrides:
            cells.append(overrides[index].format(ref=ref))
        elif value not in ("", None):
            cells.append(cell(ref, value))
    attrs = attrs or f'r="{number}"'
    return f"<row {attrs}>{''.join(cells)}</row>".encode()


def header_xml():
    return row_xml(1, forms_spec.headers("AF3"))


def workbook(sheet_chunks, *, shared_chunks=None, date1904=False):
    """An .xlsx built by hand; members given as iterables of byte chunks are streamed into the
    zip, so a member of hundreds of MB never sits in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        archive.writestr("xl/workbook.xml", WORKBOOK.format(pr=pr))
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        members = [("xl/worksheets/sheet1.xml", sheet_chunks)]
        if shared_chunks is not None:
            members.append(("xl/sharedStrings.xml", shared_chunks))
        for name, chunks in members:
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return out.getvalue()


def sheet(*rows):
    return [SHEET_HEAD, header_xml(), *rows, SHEET_TAIL]


def api_upload(client, user_named, content, name="hostile.xlsx"):
    raw, _token = issue_token(user_named("teacher.benguet"))
    return client.post(
        "/api/v1/snapshots",
        {"form": "AF3", "unit": "benguet/LTR", "period": "2026", "file": upload(name, content)},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def measured(call):
    """(result, peak bytes allocated by Python while `call` ran)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# ----------------------------------------------------------------------------- the files


def zzzz_columns(rows):
    """3 KB: every row holds one cell at column ZZZZ (475,254 cells wide if allocated)."""
    lines = [row_xml(n + 2, rows[n]) for n in range(3)]
    lines += [f'<row r="{n}">{cell(f"ZZZZ{n}", "x")}</row>'.encode() for n in range(5, 200)]
    return workbook(sheet(*lines))


def huge_shared_string(size=400 * 1024 * 1024):
    """About 0.4 MB of zip holding one shared string of `size` characters."""
    chunk = b"a" * (1 << 20)
    parts = [f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()]
    parts += [chunk] * (size // len(chunk))
    parts.append(b"</t></si></sst>")
    return workbook(sheet(b'<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), shared_chunks=parts)


def rows_bomb(size=300 * 1024 * 1024):
    """Under a megabyte of zip unpacking to `size` bytes of rows."""
    one = b'<row><c t="inlineStr"><is><t>CAR</t></is></c></row>'
    chunk = one * ((1 << 20) // len(one))
    return workbook([SHEET_HEAD, header_xml(), *[chunk] * (size // len(chunk)), SHEET_TAIL])


# ----------------------------------------------------------------------------- hostile files


@pytest.mark.django_db
def test_a_cell_at_column_zzzz_is_an_extra_column_error_without_allocating_it(
    client, user_named, period, af3_rows
):
    content = zzzz_columns(af3_rows(3))
    assert len(content) < 8000
    response, peak = measured(lambda: api_upload(client, user_named, content))
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0] == {
        "row": 5,
        "column": "ZZZZ",
        "value": "x",
        "message": "Unexpected extra column.",
    }
    assert peak < MAX_PEAK


@pytest.mark.django_db
def test_a_400_mb_shared_string_is_refused_before_inflating(client, user_named, period):
    content = huge_shared_string()
    assert len(content) < 1024 * 1024
    response, peak = measured(lambda: api_upload(client, user_named, content))
    assert response.status_code == 422, response.content
    message = response.json()["errors"][0]["message"]
    assert "xl/sharedStrings.xml unpacks to 419,430," in message and "the limit is" in message
    assert peak < MAX_PEAK


def test_a_long_shared_string_under_the_member_limit_is_refused_while_reading():
    content = huge_shared_string(8 * 1024 * 1024)
    rows, peak = measured(
        lambda: pytest.raises(readers.UnreadableFile, list, read_rows(io.BytesIO(content), "xlsx"))
    )
    assert "shared string 1 is longer than 32,767 characters" in str(rows.value)
    assert peak < 10 * 1024 * 1024


def test_shared_strings_count_and_total_size_are_bounded():
    strings = [f'<sst xmlns="{MAIN}">'.encode()]
    strings += [f"<si><t>{n:08d}{'b' * 200}</t></si>".encode() for n in range(2000)]
    strings.append(b"</sst>")
    content = workbook(sheet(), shared_chunks=strings)
    with (
        override_settings(SNAPSHOT_MAX_SHARED_STRINGS=1000),
        pytest.raises(readers.UnreadableFile, match="more than 1,000 shared strings"),
    ):
        list(read_rows(io.BytesIO(content), "xlsx"))
    with (
        override_settings(SNAPSHOT_MAX_SHARED_STRINGS_BYTES=100_000),
        pytest.raises(readers.UnreadableFile, match="more than 100,000 characters"),
    ):
        list(read_rows(io.BytesIO(content), "xlsx"))


@pytest.mark.django_db
def test_a_300_mb_rows_bomb_is_refused_in_the_web_worker_at_once(client, user_named, period):
    content = rows_bomb()
    assert len(content) < 1024 * 1024
    started = time.monotonic()
    response, peak = measured(lambda: api_upload(client, user_named, content))
    assert response.status_code == 422, response.content
    body = response.json()
    assert "xl/worksheets/sheet1.xml unpacks to 31" in body["errors"][0]["message"]
    assert body["status"] == "failed"
    assert time.monotonic() - started < 30
    assert peak < MAX_PEAK


@pytest.mark.django_db
@override_settings(SNAPSHOT_MAX_UNPACKED_BYTES=400 * 1024 * 1024, SNAPSHOT_MAX_ROWS=5000)
def test_rows_beyond_the_row_limit_are_refused_while_reading(user_named, period, run_tasks):
    content = rows_bomb(40 * 1024 * 1024)
    division, district = services.resolve_unit("benguet/LTR")
    (job, peak) = measured(
        lambda: services.start_import(
            user_named("teacher.benguet"),
            form="AF3",
            period=period,
            division=division,
            district=district,
            upload=upload("bomb.xlsx", content),
            inline=True,
        )
    )
    assert job.status == ImportJob.Status.FAILED
    # The file-level error comes first, ahead of the (capped) row errors.
    assert "more than 5,000 rows, the limit" in job.errors[0]["message"]
    assert peak < MAX_PEAK


def test_a_member_whose_header_understates_its_size_is_refused():
    content = bytearray(workbook(sheet(*[row_xml(n, ["CAR"] * 20) for n in range(2, 400)])))
    # Make both headers of the sheet claim 1,000 bytes unpacked.
    name = b"xl/worksheets/sheet1.xml"
    central = content.rindex(b"PK\x01\x02", 0, content.rindex(name))
    struct.pack_into("<I", content, central + 24, 1000)
    local = content.rindex(b"PK\x03\x04", 0, content.index(name))
    struct.pack_into("<I", content, local + 22, 1000)
    with pytest.raises(readers.UnreadableFile, match="damaged|declared"):
        list(read_rows(io.BytesIO(bytes(content)), "xlsx"))


def test_too_many_zip_members_are_refused_before_reading_the_directory():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK.format(pr=""))
        for n in range(300):
            archive.writestr(f"xl/media/{n}.bin", b"")
    with pytest.raises(readers.UnreadableFile, match="301 parts; the limit is 200"):
        readers.sniff(io.BytesIO(out.getvalue()))


def test_csv_rows_are_bounded_in_width_length_and_count():
    header = ",".join(forms_spec.headers("AF3"))
    wide = f"{header}\n" + "CAR" + "," * 500_000 + "x\n"
    limits = readers.Limits.from_settings(28)
    rows = list(read_rows(io.BytesIO(wide.encode()), "csv", limits))
    assert len(rows[1][1]) == 28 and rows[1][1].extra == (500_000, "x")
    long_line = f"{header}\n" + "," * (2 << 20) + "\n"
    with pytest.raises(readers.UnreadableFile, match="a row is longer than 1,048,576"):
        list(read_rows(io.BytesIO(long_line.encode()), "csv", limits))
    with override_settings(SNAPSHOT_MAX_ROWS=50):
        many = f"{header}\n" + "CAR\n" * 1000
        with pytest.raises(readers.UnreadableFile, match="more than 50 rows"):
            list(read_rows(io.BytesIO(many.encode()), "csv"))


# ----------------------------------------------------------------------------- malformed cells

BAD_CELLS = {
    # name: (column, raw cell XML, expected status, expected message part)
    "empty v": (6, '<c r="{ref}"><v></v></c>', 422, "is required"),
    "untyped text v": (3, '<c r="{ref}"><v>twenty</v></c>', 422, "does not hold a readable"),
    "shared index out of range": (7, '<c r="{ref}" t="s"><v>99</v></c>', 422, "does not have"),
    "shared index not a number": (7, '<c r="{ref}" t="s"><v>x1</v></c>', 422, "no shared string"),
    "huge column reference": (
        7,
        '<c r="ZZZZZZZZZZZZZZZZZZZZZZZZ3" t="inlineStr"><is><t>q</t></is></c>',
        422,
        "Unexpected extra column",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(BAD_CELLS))
def test_malformed_cells_are_clear_errors(client, user_named, period, af3_rows, kind):
    column, raw, status, message = BAD_CELLS[kind]
    rows = af3_rows(3)
    content = workbook(
        sheet(row_xml(2, rows[0]), row_xml(3, rows[1], {column: raw}), row_xml(4, rows[2]))
    )
    response, peak = measured(lambda: api_upload(client, user_named, content))
    assert response.status_code == status, response.content
    assert any(message.lower() in e["message"].lower() for e in response.json()["errors"]), (
        response.json()["errors"]
    )
    assert peak < MAX_PEAK


@pytest.mark.django_db
def test_a_row_numbered_x_is_read_as_the_next_row(client, user_named, period, af3_rows):
    rows = af3_rows(3)
    content = workbook(
        sheet(row_xml(2, rows[0]), row_xml(3, rows[1], attrs='r="x"'), row_xml(4, rows[2]))
    )
    response = api_upload(client, user_named, content)
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_a_1904_dated_workbook_gives_the_right_dates(client, user_named, period, af3_rows):
    rows = af3_rows(2)
    epoch = datetime.date(1904, 1, 1)
    serial = lambda iso: (datetime.date.fromisoformat(iso) - epoch).days  # noqa: E731
    lines = []
    for number, values in enumerate(rows, start=2):
        dates = {i: f'<c r="{{ref}}"><v>{serial(values[i])}</v></c>' for i in (12, 14)}
        lines.append(row_xml(number, values, dates))
    response = api_upload(client, user_named, workbook(sheet(*lines), date1904=True))
    assert response.status_code == 201, response.content
    stored = ImportJob.objects.get(pk=response.json()["id"]).snapshot.rows.order_by("row_number")
    assert [(r.payload[12], r.payload[14]) for r in stored] == [(v[12], v[14]) for v in rows]


# ----------------------------------------------------------------------------- big files, time


@pytest.mark.django_db
@override_settings(SNAPSHOT_SYNC_MAX_BYTES=2000)
def test_a_file_over_the_inline_byte_limit_is_parsed_by_the_task_worker(
    client, user_named, period, af3_rows, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_upload(client, user_named, samples.to_csv("AF3", af3_rows(20)), "f.csv")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    run_tasks()
    assert ImportJob.objects.get(pk=response.json()["id"]).status == ImportJob.Status.SUCCEEDED


@pytest.mark.django_db
@override_settings(SNAPSHOT_IMPORT_TIME_LIMIT=1)
def test_reading_stops_at_the_time_limit(user_named, period, af3_rows, monkeypatch):
    clock = iter(range(0, 10**6, 100))
    monkeypatch.setattr(readers, "_clock", lambda: next(clock))
    job = start_upload(
        user_named("teacher.benguet"), period, samples.to_xlsx("AF3", af3_rows(5)), name="f.xlsx"
    )
    assert job.status == ImportJob.Status.FAILED
    assert "took longer than the limit of 1 seconds" in job.errors[0]["message"]


# ----------------------------------------------------------------------------- dead workers


def _queued_job(user_named, period, af3_rows):
    division, district = services.resolve_unit("benguet/LTR")
    with override_settings(SNAPSHOT_SYNC_MAX_ROWS=1):
        job = services.start_import(
            user_named("teacher.benguet"),
            form="AF3",
            period=period,
            division=division,
            district=district,
            upload=upload("f.csv", samples.to_csv("AF3", af3_rows(5))),
        )
    assert job.status == ImportJob.Status.QUEUED
    return job


def _worker_died(job, minutes_ago):
    # What a killed worker leaves behind: "validating", and no progress since.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.VALIDATING,
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


@pytest.mark.django_db
def test_a_job_whose_worker_died_fails_and_runs_again_through_the_api(
    client, user_named, period, af3_rows, run_tasks, django_capture_on_commit_callbacks
):
    job = _queued_job(user_named, period, af3_rows)
    _worker_died(job, minutes_ago=2)
    raw, _token = issue_token(user_named("teacher.benguet"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(f"/api/v1/snapshots/jobs/{job.pk}", **auth).json()["status"] == "validating"
    _worker_died(job, minutes_ago=6)
    body = client.get(f"/api/v1/snapshots/jobs/{job.pk}", **auth).json()
    assert body["status"] == "failed"
    assert body["message"] == services.STOPPED_MESSAGE
    other, _token = issue_token(user_named("teacher.abra"))
    response = client.post(
        f"/api/v1/snapshots/jobs/{job.pk}/run-again", HTTP_AUTHORIZATION=f"Bearer {other}"
    )
    assert response.status_code in (403, 404)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/snapshots/jobs/{job.pk}/run-again", **auth)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    run_tasks()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.snapshot.row_count == 5
    assert not job.file  # deleted once the job finished
    response = client.post(f"/api/v1/snapshots/jobs/{job.pk}/run-again", **auth)
    assert response.status_code == 409


@pytest.mark.django_db
def test_a_rejected_file_cannot_be_run_again(client, user_named, period, af3_rows):
    rows = af3_rows(3)
    rows[1][6] = "ABC"
    response = api_upload(client, user_named, samples.to_csv("AF3", rows), "f.csv")
    assert response.status_code == 422
    raw, _token = issue_token(user_named("teacher.benguet"))
    response = client.post(
        f"/api/v1/snapshots/jobs/{response.json()['id']}/run-again",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 409
    assert "upload the file again" in response.json()["detail"]


@pytest.mark.django_db
def test_the_admin_shows_a_stopped_job_and_runs_it_again(
    client, user_named, period, af3_rows, run_tasks, django_capture_on_commit_callbacks
):
    job = _queued_job(user_named, period, af3_rows)
    _worker_died(job, minutes_ago=10)
    client.force_login(user_named("teacher.benguet"))
    page = client.get(f"/admin/snapshots/jobs/{job.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert services.STOPPED_MESSAGE in text and "Run again" in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/snapshots/jobs/{job.pk}/")
    assert response.status_code == 302
    run_tasks()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert "Run again" not in client.get(f"/admin/snapshots/jobs/{job.pk}/").content.decode()


def _waited(job, minutes):
    # A queued job whose task no worker took (worker down, task row lost) for `minutes`.
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )


@pytest.mark.django_db
def test_a_queued_job_no_worker_took_fails_after_the_limit_and_runs_again(
    client, user_named, period, af3_rows, run_tasks, django_capture_on_commit_callbacks, settings
):
    settings.SNAPSHOT_QUEUED_JOB_MINUTES = 30
    # Its task was never enqueued (the on-commit callback did not run): as if the row was lost.
    job = _queued_job(user_named, period, af3_rows)
    raw, _token = issue_token(user_named("teacher.benguet"))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    _waited(job, minutes=29)
    assert client.get(f"/api/v1/snapshots/jobs/{job.pk}", **auth).json()["status"] == "queued"

    _waited(job, minutes=31)
    body = client.get(f"/api/v1/snapshots/jobs/{job.pk}", **auth).json()
    assert body["status"] == "failed"
    assert body["message"].startswith(
        "The import waited more than 30 minutes for the task worker and never started"
    )
    job.refresh_from_db()
    assert job.can_run_again and job.finished_at is not None
    # A task of the swept job that a worker takes late leaves it alone.
    assert services.run_import(job.pk) == ImportJob.Status.FAILED
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not job.snapshot_id

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/snapshots/jobs/{job.pk}/run-again", **auth)
    assert response.status_code == 202 and response.json()["status"] == "queued"
    # Queued again just now: the sweep leaves it waiting for the worker.
    assert services.fail_stale_jobs() == 0
    run_tasks()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.snapshot.row_count == 5


@pytest.mark.django_db
def test_the_sweep_command_fails_queued_jobs_no_worker_took(user_named, period, af3_rows):
    forgotten = _queued_job(user_named, period, af3_rows)
    _waited(forgotten, minutes=45)
    waiting = _queued_job(user_named, period, af3_rows)
    out = io.StringIO()
    call_command("fail_stale_imports", "--now", stdout=out)
    assert "1 stalled import(s) marked failed." in out.getvalue()
    forgotten.refresh_from_db()
    waiting.refresh_from_db()
    assert forgotten.status == ImportJob.Status.FAILED and forgotten.can_run_again
    assert "never started" in forgotten.message
    assert waiting.status == ImportJob.Status.QUEUED


@pytest.mark.django_db
def test_the_sweep_command_fails_stalled_jobs_only(user_named, period, af3_rows):
    stalled = _queued_job(user_named, period, af3_rows)
    _worker_died(stalled, minutes_ago=30)
    waiting = _queued_job(user_named, period, af3_rows)
    out = io.StringIO()
    call_command("fail_stale_imports", "--now", stdout=out)
    assert "1 stalled import(s) marked failed." in out.getvalue()
    stalled.refresh_from_db()
    waiting.refresh_from_db()
    assert stalled.status == ImportJob.Status.FAILED and stalled.can_run_again
    assert waiting.status == ImportJob.Status.QUEUED
