"""File fixity: objects changed or deleted behind the application's back are reported."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from repository.fixity import digest_stored
from repository.models import FixityCheck
from workflow.demo import lr_data, pdf_upload
from workflow.services import create_submission, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_files(user_named):
    """Three stored file versions: one left alone, one to change, one to delete."""
    teacher = user_named("teacher.benguet")
    submission = create_submission(teacher, lr_data("Fixity"))
    kept = upload_file(teacher, submission, pdf_upload("Kept", "module.pdf"), "main")
    changed = upload_file(teacher, submission, pdf_upload("Changed", "ip.pdf"), "ip_declaration")
    deleted = upload_file(teacher, submission, pdf_upload("Deleted", "s.pdf"), "supporting")
    return kept, changed, deleted


@pytest.fixture
def tampered(three_files, s3_storage):
    """Overwrite one object and delete another directly in SeaweedFS, not through the app."""
    kept, changed, deleted = three_files
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    client.put_object(Bucket=bucket, Key=changed.file.name, Body=b"%PDF-1.4 not the same bytes")
    client.delete_object(Bucket=bucket, Key=deleted.file.name)
    return kept, changed, deleted


def verify(*args):
    out = StringIO()
    call_command("verify_files", "--now", "--verbosity", "2", *args, stdout=out)
    return out.getvalue()


def test_digest_streams_the_stored_object(three_files):
    kept = three_files[0]
    assert digest_stored(kept.file.name) == (kept.size, kept.sha256)


def test_changed_and_missing_objects_are_reported_in_the_command_output(tampered):
    kept, changed, deleted = tampered
    output = verify()

    assert f"CHANGED {changed.file.name}" in output
    assert f"MISSING {deleted.file.name}" in output
    assert f"OK {kept.file.name}" in output
    assert "3 file(s) checked: 1 ok, 1 changed, 1 missing, 0 unreadable." in output
    results = {c.submission_file_id: c.result for c in FixityCheck.objects.all()}
    assert results == {kept.pk: "ok", changed.pk: "changed", deleted.pk: "missing"}
    changed_check = FixityCheck.objects.get(submission_file=changed)
    assert changed_check.observed_size == len(b"%PDF-1.4 not the same bytes")
    assert changed_check.observed_sha256 != changed.sha256


def test_problems_are_mailed_to_the_system_administrators_only(tampered):
    kept, changed, deleted = tampered
    verify()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sysadmin.region@deped-car.example"]
    assert "2 problem(s)" in message.subject
    assert f"CHANGED {changed.file.name}" in message.body
    assert f"MISSING {deleted.file.name}" in message.body
    assert kept.file.name not in message.body


def test_no_email_when_every_file_is_intact(three_files):
    output = verify()
    assert "3 file(s) checked: 3 ok, 0 changed, 0 missing" in output
    assert mail.outbox == []
    assert set(FixityCheck.objects.values_list("result", flat=True)) == {"ok"}


def test_the_admin_report_lists_the_problems_for_system_administrators(
    tampered, client, user_named
):
    kept, changed, deleted = tampered
    verify()

    client.force_login(user_named("sysadmin.region"))
    response = client.get(reverse("repository_fixity"))
    assert response.status_code == 200
    page = response.content.decode()
    assert changed.file.name in page and deleted.file.name in page
    assert kept.file.name not in page  # intact files are counted, not listed
    assert "Changed" in page and "Missing" in page
    # Reachable from the Reports menu.
    assert reverse("repository_fixity") in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize(
    "username", ["epsa.benguet", "als.region", "lrqa.region", "records.region"]
)
def test_the_report_is_refused_to_everybody_else(three_files, client, user_named, username):
    verify()
    client.force_login(user_named(username))
    response = client.get(reverse("repository_fixity"))
    # Wagtail answers PermissionDenied with a redirect to the dashboard.
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("repository_fixity") not in home


def test_superuser_sees_the_report(three_files, client, user_named):
    client.force_login(user_named("admin"))
    response = client.get(reverse("repository_fixity"))
    assert response.status_code == 200
    assert "Never checked" in response.content.decode()


def test_older_than_days_selects_only_files_not_checked_recently(tampered):
    kept, changed, deleted = tampered
    verify()
    # The kept file was last checked ten days ago, the others an hour ago.
    FixityCheck.objects.filter(submission_file=kept).update(
        checked_at=timezone.now() - timedelta(days=10)
    )
    FixityCheck.objects.exclude(submission_file=kept).update(
        checked_at=timezone.now() - timedelta(hours=1)
    )

    output = verify("--older-than-days", "7")
    assert "1 file(s) checked: 1 ok" in output
    assert kept.file.name in output and changed.file.name not in output

    output = verify("--older-than-days", "0")
    assert "3 file(s) checked" in output


def test_the_command_queues_a_task_that_checks_and_mails(tampered, run_tasks):
    out = StringIO()
    call_command("verify_files", stdout=out)
    assert "File fixity task queued" in out.getvalue()
    assert not FixityCheck.objects.exists()

    run_tasks()
    assert FixityCheck.objects.filter(result="missing").count() == 1
    assert FixityCheck.objects.filter(result="changed").count() == 1
    assert len(mail.outbox) == 1


def test_a_missing_file_keeps_its_last_intact_time_and_passes_once_restored(
    three_files, s3_storage
):
    client, bucket = s3_storage["client"], s3_storage["bucket"]
    deleted = three_files[2]
    original = client.get_object(Bucket=bucket, Key=deleted.file.name)["Body"].read()
    verify()
    first_ok = FixityCheck.objects.get(submission_file=deleted).last_ok_at

    client.delete_object(Bucket=bucket, Key=deleted.file.name)
    verify()
    check = FixityCheck.objects.get(submission_file=deleted)
    assert check.result == "missing" and check.last_ok_at == first_ok

    client.put_object(Bucket=bucket, Key=deleted.file.name, Body=original)
    verify()
    check.refresh_from_db()
    assert check.result == "ok" and check.last_ok_at == check.checked_at > first_ok
