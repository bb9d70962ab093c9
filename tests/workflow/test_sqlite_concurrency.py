"""Many people writing at once, through the real API, on PostgreSQL and on SQLite alike.

On SQLite (the `make run` default) these failed with "database is locked" 500s before WAL, the busy
timeout and IMMEDIATE transactions (alsmis.settings.base.sqlite_options): ten officers receiving one
submission, twenty uploads at once, a snapshot import while someone works. Each thread is its own
request with its own database connection, as under a threaded or multi-process server.
"""

import contextlib
import datetime
import threading

import pytest
from django.db import connection
from django.test import Client

from api.services import issue_token
from organisation.models import Division, Role
from organisation.services import assign_role
from repository.models import SubmissionFile
from snapshots import samples
from snapshots import services as snapshot_services
from snapshots.models import ImportJob, ReportingPeriod, Snapshot, SnapshotRow
from workflow.demo import pdf_upload
from workflow.models import Journey, ReceiptStamp, TransitionRecord

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def vocabularies(transactional_db):
    """Transactional tests start from a flushed database: put the seeded vocabularies back."""
    from repository.vocabularies import seed_vocabularies

    seed_vocabularies()


def bearer(user):
    plaintext, _token = issue_token(user)
    return {"Authorization": f"Bearer {plaintext}"}


def in_threads(work, arguments, timeout=120):
    """Run work(argument) in one thread each, released together; returns results or exceptions."""
    barrier = threading.Barrier(len(arguments))
    results = [None] * len(arguments)

    def run(index, argument):
        try:
            barrier.wait(timeout=30)
            results[index] = work(argument)
        except Exception as exc:  # noqa: BLE001 — a crash is a result the test asserts on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results


def period_2026():
    return ReportingPeriod.objects.create(
        code="2026",
        cycle=ReportingPeriod.Cycle.CALENDAR_YEAR,
        start_year=2026,
        deadline=datetime.date(2026, 12, 15),
    )


def la_trinidad_af3(count):
    """An AF3 file (.csv bytes) of `count` valid learners of Benguet's La Trinidad district."""
    rows = samples.af3_rows(
        count,
        region="CAR",
        division="Benguet",
        district="La Trinidad",
        year=2026,
        clcs=[("Poblacion La Trinidad CLC", 3), ("Balili CLC", 2)],
    )
    return samples.to_csv("AF3", rows)


def test_ten_records_officers_receive_at_once_one_wins(bring_to, django_user_model, user_named):
    submission = bring_to("submitted")
    officers = [user_named("records.benguet")]
    benguet = Division.objects.get(slug="benguet")
    for n in range(2, 11):
        officer = django_user_model.objects.create_user(f"records{n}.benguet")
        assign_role(officer, Role.RECORDS_SECTION, benguet)
        officers.append(officer)
    headers = [bearer(officer) for officer in officers]
    url = f"/api/v1/submissions/{submission.pk}/transitions/receive_at_division"

    responses = in_threads(
        lambda h: Client().post(url, {}, content_type="application/json", headers=h), headers
    )

    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert statuses == [200] + [409] * 9
    assert ReceiptStamp.objects.filter(submission_id=submission.pk).count() == 1
    assert TransitionRecord.objects.filter(name="receive_at_division").count() == 1
    assert Journey.objects.get(pk=submission.pk).state == "received_by_division"


def test_twenty_parallel_uploads_all_succeed(make_lr, user_named, s3_storage):
    teacher = user_named("teacher.benguet")
    submission = make_lr(files=False)
    headers = bearer(teacher)
    url = f"/api/v1/submissions/{submission.pk}/files"

    def upload(n):
        return Client().post(
            url,
            {"role": "supporting", "file": pdf_upload(f"Annex {n}", f"annex-{n}.pdf")},
            headers=headers,
        )

    responses = in_threads(upload, list(range(20)))

    assert [getattr(r, "status_code", repr(r)) for r in responses] == [201] * 20
    files = SubmissionFile.objects.filter(submission=submission, role="supporting")
    assert files.count() == 20
    assert sorted(files.values_list("original_name", flat=True)) == sorted(
        f"annex-{n}.pdf" for n in range(20)
    )
    for record in files:
        head = s3_storage["client"].head_object(Bucket=s3_storage["bucket"], Key=record.file.name)
        assert head["ContentLength"] == record.size


def test_an_import_completes_while_a_user_keeps_writing(bring_to, user_named):
    """The worker stores a few thousand AF3 rows while a records officer and a teacher keep
    returning and resubmitting a submission: every request succeeds, the import is whole."""
    submission = bring_to("submitted")
    teacher = user_named("teacher.benguet")
    records = bearer(user_named("records.benguet"))
    submitter = bearer(teacher)
    period = period_2026()
    district = teacher.role_assignments.get().district
    content = la_trinidad_af3(3000)
    imported = threading.Event()
    url = f"/api/v1/submissions/{submission.pk}/transitions/"

    def import_af3():
        from django.core.files.uploadedfile import SimpleUploadedFile

        try:
            return snapshot_services.start_import(
                teacher,
                form="AF3",
                period=period,
                division=district.division,
                district=district,
                upload=SimpleUploadedFile("af3.csv", content),
                inline=True,
            )
        finally:
            imported.set()

    def keep_writing():
        statuses = []
        client = Client()
        # At least a few rounds, and on until the import is over.
        while len(statuses) < 6 or not imported.is_set():
            for name, headers, payload in (
                ("return_incomplete", records, {"comment": "The IP declaration is unsigned."}),
                ("resubmit", submitter, {}),
            ):
                response = client.post(
                    url + name, payload, content_type="application/json", headers=headers
                )
                statuses.append(response.status_code)
            if len(statuses) > 400:
                break
        return statuses

    job, statuses = in_threads(lambda work: work(), [import_af3, keep_writing], timeout=300)

    assert not isinstance(job, Exception), job
    assert not isinstance(statuses, Exception), statuses
    assert set(statuses) == {200}, statuses
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == ImportJob.Status.SUCCEEDED, job.message
    assert SnapshotRow.objects.filter(snapshot=job.snapshot).count() == 3000
    rounds = len(statuses) // 2
    assert TransitionRecord.objects.filter(name="resubmit").count() == rounds
    assert Journey.objects.get(pk=submission.pk).state == "submitted"


def test_an_upload_does_not_depend_on_the_shared_protected_flag(make_lr, user_named, monkeypatch):
    """The cause of "Direct state modification is not allowed" in the upload path: django-fsm's
    refresh_from_db unprotects the state field on the field every thread shares, so another
    thread's refresh can protect it again mid-way. Pretend that just happened: the upload path
    must not rely on the flag at all."""
    from django_fsm import FSMModelMixin

    from workflow.services import upload_file

    teacher = user_named("teacher.benguet")
    submission = make_lr(files=False)
    submission.journey  # loaded, as the view has it  # noqa: B018
    monkeypatch.setattr(FSMModelMixin, "_get_protected_fsm_fields", lambda self: set())

    record = upload_file(teacher, submission, pdf_upload("Annex", "annex.pdf"), "supporting")

    assert record.pk and SubmissionFile.objects.filter(submission=submission).count() == 1


def test_two_first_imports_of_one_unit_at_once_both_succeed(demo, user_named, monkeypatch):
    """Two people import the first AF3 of one district at the same moment: both succeed, one
    after the other (the second replaces the draft's rows), and there is one snapshot."""
    # Hold each import just after it looked for the latest snapshot, until the other has looked
    # too (or 3 s passed): without a lock both see none and both create version 1.
    rendezvous = threading.Barrier(2)
    latest = snapshot_services._latest

    def latest_then_wait(*args, **kwargs):
        found = latest(*args, **kwargs)
        if kwargs.get("lock"):
            with contextlib.suppress(threading.BrokenBarrierError):
                rendezvous.wait(timeout=3)
        return found

    monkeypatch.setattr(snapshot_services, "_latest", latest_then_wait)
    teacher = user_named("teacher.benguet")
    period = period_2026()
    district = teacher.role_assignments.get().district
    content = la_trinidad_af3(40)

    def import_af3(_n):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return snapshot_services.start_import(
            teacher,
            form="AF3",
            period=period,
            division=district.division,
            district=district,
            upload=SimpleUploadedFile("af3.csv", content),
            inline=True,
        )

    results = in_threads(import_af3, [1, 2])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(ImportJob.objects.values_list("status", flat=True)) == ["succeeded"] * 2
    snapshot = Snapshot.objects.get()
    assert snapshot.version == 1
    assert SnapshotRow.objects.filter(snapshot=snapshot).count() == 40
