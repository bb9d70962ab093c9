"""Uploading AF files: all-or-nothing validation, versions, review by role and scope."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings

from snapshots import samples, services
from snapshots.models import ImportJob, Snapshot, SnapshotRow, State

from .conftest import import_af3, start_upload, upload


def test_af3_with_errors_is_rejected_with_a_precise_report_and_nothing_stored(
    user_named, period, af3_rows
):
    rows = af3_rows(6)
    rows[1][6] = "12345"  # LRN too short (spreadsheet row 3)
    rows[2][23] = "99"  # overall score out of range and not the sum (row 4)
    rows[3][6] = rows[0][6]  # duplicate LRN of row 2 (row 5)
    rows[4][11] = "Unknown"  # sex (row 6)
    job = import_af3(user_named("teacher.benguet"), period, rows)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert Snapshot.objects.count() == 0 and SnapshotRow.objects.count() == 0
    found = {(e["row"], e["column"], e["value"], e["message"]) for e in job.errors}
    assert (
        3,
        "G (Learner Reference Number (LRN))",
        "12345",
        "An LRN is exactly 12 digits.",
    ) in found
    assert (4, "X (Overall Score)", "99", "Must be from 1 to 79.") in found
    assert (
        5,
        "G (Learner Reference Number (LRN))",
        rows[0][6],
        "Duplicate LRN: already on row 2 of this file.",
    ) in found
    assert any(e[0] == 6 and e[1] == "L (Sex)" and e[2] == "Unknown" for e in found)
    assert job.error_count == len(job.errors) == 4


def test_corrected_file_goes_through_district_division_and_region(user_named, period, af3_rows):
    teacher = user_named("teacher.benguet")
    job = import_af3(teacher, period, af3_rows(12))
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    district_snapshot = job.snapshot
    assert district_snapshot.row_count == 12 and district_snapshot.state == State.DRAFT
    services.transition(district_snapshot, "submit", teacher)
    with pytest.raises(PermissionDenied):
        services.transition(district_snapshot, "accept", teacher)
    services.transition(district_snapshot, "accept", user_named("epsa.benguet"))

    division = district_snapshot.division
    epsa = user_named("epsa.benguet")
    consolidated = services.consolidate(epsa, division, "AF3", period)
    assert consolidated.level == "division" and consolidated.row_count == 12
    assert list(consolidated.consolidated_from.all()) == [district_snapshot]
    original = {r.payload[6] for r in district_snapshot.rows.all()}
    assert {r.payload[6] for r in consolidated.rows.all()} == original
    services.transition(consolidated, "submit", epsa)
    for outsider in ("lrqa.region", "epsa.abra", "focal.benguet"):
        with pytest.raises(PermissionDenied):
            services.transition(consolidated, "accept", user_named(outsider))
    services.transition(consolidated, "accept", user_named("als.region"), "Complete.")
    consolidated.refresh_from_db()
    assert (
        consolidated.state == State.ACCEPTED and consolidated.reviewed_by.username == "als.region"
    )


def test_return_needs_comments_and_a_returned_snapshot_takes_a_corrected_file(
    user_named, period, af3_rows
):
    epsa = user_named("epsa.benguet")
    job = import_af3(epsa, period, af3_rows(5), unit="benguet")
    snapshot = job.snapshot
    services.transition(snapshot, "submit", epsa)
    reviewer = user_named("als.region")
    with pytest.raises(services.SnapshotError, match="Say what needs correcting"):
        services.transition(snapshot, "return", reviewer, "")
    services.transition(snapshot, "return", reviewer, "Row 3 has the wrong CLC.")
    snapshot.refresh_from_db()
    assert (
        snapshot.state == State.RETURNED and snapshot.review_comments == "Row 3 has the wrong CLC."
    )
    again = import_af3(epsa, period, af3_rows(7, seed=2), unit="benguet")
    assert again.snapshot_id == snapshot.pk
    snapshot.refresh_from_db()
    assert snapshot.state == State.DRAFT and snapshot.row_count == 7 and snapshot.rows.count() == 7


def test_accepted_snapshot_is_locked_and_a_correction_is_a_new_version(
    user_named, period, af3_rows
):
    epsa = user_named("epsa.benguet")
    first = import_af3(epsa, period, af3_rows(5), unit="benguet").snapshot
    services.transition(first, "submit", epsa)
    with pytest.raises(services.SnapshotError, match="under review"):
        import_af3(epsa, period, af3_rows(5), unit="benguet")
    services.transition(first, "accept", user_named("als.region"))
    second = import_af3(epsa, period, af3_rows(8, seed=3), unit="benguet").snapshot
    assert second.pk != first.pk and second.version == 2 and second.supersedes_id == first.pk
    first.refresh_from_db()
    assert first.state == State.ACCEPTED and first.rows.count() == 5
    assert services.available_actions(epsa, first) == []
    with pytest.raises(services.SnapshotError, match="superseded"):
        services.transition(first, "return", user_named("als.region"), "late change")


def test_upload_outside_scope_is_refused(user_named, period, af3_rows):
    with pytest.raises(PermissionDenied):
        import_af3(user_named("teacher.abra"), period, af3_rows(3))
    with pytest.raises(PermissionDenied):
        import_af3(user_named("teacher.benguet"), period, af3_rows(3), unit="benguet")
    assert ImportJob.objects.count() == 0


def test_rows_must_belong_to_the_snapshot_unit_and_period(user_named, period, af3_rows):
    rows = af3_rows(3)
    rows[0][1] = "Abra"
    rows[1][2] = "Itogon"  # a Benguet district, but not this snapshot's
    rows[2][3] = "2025"
    job = import_af3(user_named("teacher.benguet"), period, rows)
    messages = [e["message"] for e in job.errors]
    assert messages == [
        "Must be Benguet for this snapshot.",
        "Not a district of this snapshot (La Trinidad).",
        "The calendar year must be 2026 for CY 2026.",
    ]


def test_xlsx_upload_is_read_by_content_not_name(user_named, period, af3_rows):
    job = import_af3(user_named("teacher.benguet"), period, af3_rows(4), kind="xlsx", name="x.csv")
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.file_kind == "xlsx" and job.snapshot.row_count == 4


def test_header_mismatch_is_reported(user_named, period, af3_rows):
    content = samples.to_csv("AF3", af3_rows(2)).replace(b"Type of CLC", b"CLC Type", 1)
    job = start_upload(user_named("teacher.benguet"), period, content, name="a.csv")
    assert job.errors[0]["column"] == "E (Type of CLC)"
    assert "Expected the header" in job.errors[0]["message"]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "97-2003"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "neither"),
    ],
)
def test_unreadable_files_are_refused_before_anything_is_stored(
    user_named, period, content, message
):
    division, district = services.resolve_unit("benguet/LTR")
    with pytest.raises(services.SnapshotError, match=message):
        services.start_import(
            user_named("teacher.benguet"),
            form="AF3",
            period=period,
            division=division,
            district=district,
            upload=upload("af3.xlsx", content),
        )
    assert ImportJob.objects.count() == 0


def test_a_zip_that_is_not_a_workbook_and_the_size_limit(user_named, period, af3_rows):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    division, district = services.resolve_unit("benguet/LTR")
    kwargs = dict(form="AF3", period=period, division=division, district=district)
    with pytest.raises(services.SnapshotError, match="not an Excel workbook"):
        services.start_import(
            user_named("teacher.benguet"), upload=upload("a.xlsx", buffer.getvalue()), **kwargs
        )
    with (
        override_settings(SNAPSHOT_MAX_UPLOAD_BYTES=100),
        pytest.raises(services.SnapshotError, match="the limit is 100 bytes"),
    ):
        services.start_import(
            user_named("teacher.benguet"),
            upload=upload("a.csv", samples.to_csv("AF3", af3_rows(2))),
            **kwargs,
        )


def test_row_payload_is_encrypted_at_rest(user_named, period, af3_rows):
    rows = af3_rows(3)
    job = import_af3(user_named("teacher.benguet"), period, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT payload FROM snapshots_snapshotrow WHERE snapshot_id = %s", [job.snapshot_id]
        )
        raw = [r[0] for r in cursor.fetchall()]
    assert len(raw) == 3
    for token, row in zip(raw, rows, strict=False):
        assert token.startswith("fernet:")
        assert row[6] not in token and row[7] not in token and row[12] not in token
    stored = {r.payload[6]: r for r in job.snapshot.rows.all()}
    assert set(stored) == {r[6] for r in rows}
    sample = stored[rows[0][6]]
    assert sample.payload[7] == rows[0][7] and sample.sex in ("M", "F") and sample.clc_type == 3


@override_settings(SNAPSHOT_SYNC_MAX_ROWS=5)
def test_large_file_runs_in_the_background_with_progress(
    user_named, period, af3_rows, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_af3(user_named("teacher.benguet"), period, af3_rows(40))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and job.total == 40 and job.snapshot is None
    run_tasks()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.processed == job.total == 40 and job.percent == 100
    assert job.snapshot.rows.count() == 40


def test_consolidation_refuses_an_lrn_found_in_two_districts(user_named, period, af3_rows):
    epsa = user_named("epsa.benguet")
    first = import_af3(epsa, period, af3_rows(3)).snapshot
    other_rows = af3_rows(3, district="Itogon", seed=5, lrn_start=100000000002)
    second = import_af3(epsa, period, other_rows, unit="benguet/ITG").snapshot
    for snapshot in (first, second):
        services.transition(snapshot, "submit", epsa)
    with pytest.raises(services.SnapshotError) as error:
        services.consolidate(epsa, first.division, "AF3", period)
    message = str(error.value)
    assert "Itogon row 2 and La Trinidad row 4" in message
    assert "100000000002" not in message
    assert not Snapshot.objects.filter(level="division").exists()


def test_an_unexpected_failure_marks_the_job_failed_and_stores_nothing(
    user_named, period, af3_rows, monkeypatch
):
    from snapshots import importer

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(importer, "save_rows", broken)
    # Raised in place of the OSError, whose message could quote a cell (no learner data in logs).
    with pytest.raises(importer.ImportFailed, match=r"\(builtins\.OSError\)"):
        import_af3(user_named("teacher.benguet"), period, af3_rows(3))
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "unexpectedly" in job.message
    assert Snapshot.objects.count() == 0 and SnapshotRow.objects.count() == 0
    assert job.can_run_again  # the upload is kept until the job has finished


def test_the_upload_is_deleted_from_storage_once_read(user_named, period, af3_rows, s3_storage):
    def keys():
        listed = s3_storage["client"].list_objects_v2(
            Bucket=s3_storage["bucket"], Prefix="snapshot-imports/"
        )
        return {item["Key"] for item in listed.get("Contents", [])}

    # Uploads of jobs that failed unexpectedly in other tests are kept for "Run again".
    before = keys()
    job = import_af3(user_named("teacher.benguet"), period, af3_rows(3))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and not job.file
    assert keys() == before


def test_the_database_allows_one_division_snapshot_per_version(period, demo):
    """Division snapshots have no district; the unique version holds on SQLite too."""
    from django.db import IntegrityError, transaction

    from organisation.models import Division

    division = Division.objects.get(slug="benguet")
    fields = {
        "form": "AF3",
        "period": period,
        "level": "division",
        "region": division.region,
        "division": division,
        "district": None,
        "version": 1,
    }
    Snapshot.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(**fields)
    district = division.districts.first()
    Snapshot.objects.create(**{**fields, "level": "district", "district": district})
