"""Resumable uploads through the API against SeaweedFS: start, sign, PUT parts, list, complete,
then the background check (size, sniffed type, SHA-256) attaches the file or refuses it."""

import pytest
import requests
from botocore.exceptions import ClientError

from repository.models import SubmissionFile
from uploads.models import DirectUpload

from .conftest import MB, pdf_bytes, put_parts, sha256

pytestmark = pytest.mark.django_db


def start(api, submission, data, **extra):
    body = {
        "submission": submission.pk,
        "name": "terraces-scan.pdf",
        "size": len(data),
        "type": "application/pdf",
        "role": "main",
    }
    body.update(extra)
    return api.post("/api/v1/uploads", body)


def send_all(api, upload, data):
    numbers = list(range(1, upload["part_count"] + 1))
    signed = api.post(f"/api/v1/uploads/{upload['id']}/parts", {"part_numbers": numbers})
    assert signed.status_code == 200, signed.content
    return put_parts(signed.json()["parts"], data, upload["part_size"])


def complete(api, upload, parts, capture):
    with capture(execute=True):
        return api.post(f"/api/v1/uploads/{upload['id']}/complete", {"parts": parts})


def object_exists(s3, key):
    client, bucket = s3
    try:
        client.head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return True


def test_a_large_file_goes_up_in_parts_and_joins_the_submission_with_its_sha256(
    teacher_api, draft, s3, run_tasks, django_capture_on_commit_callbacks
):
    data = pdf_bytes(11 * MB)
    started = start(teacher_api, draft, data, sha256=sha256(data))
    assert started.status_code == 201, started.content
    upload = started.json()
    assert upload["state"] == "uploading"
    assert (upload["part_size"], upload["part_count"]) == (5 * MB, 3)

    parts = send_all(teacher_api, upload, data)
    listed = teacher_api.get(f"/api/v1/uploads/{upload['id']}/parts").json()
    assert [(p["part_number"], p["size"]) for p in listed] == [(1, 5 * MB), (2, 5 * MB), (3, MB)]

    completed = complete(teacher_api, upload, parts, django_capture_on_commit_callbacks)
    assert completed.status_code == 202, completed.content
    assert completed.json()["state"] == "verifying"
    assert not draft.files.exists()  # nothing joins before the check

    run_tasks()
    answer = teacher_api.get(f"/api/v1/uploads/{upload['id']}").json()
    assert answer["state"] == "done", answer
    assert answer["file"]["sha256"] == sha256(data)
    record = SubmissionFile.objects.get(pk=answer["file"]["id"])
    assert (record.submission, record.role, record.is_current) == (draft, "main", True)
    assert (record.size, record.mime_type, record.original_name) == (
        len(data),
        "application/pdf",
        "terraces-scan.pdf",
    )
    client, bucket = s3
    stored = client.get_object(Bucket=bucket, Key=record.file.name)["Body"].read()
    assert sha256(stored) == sha256(data)
    # The ordinary download gives the same bytes.
    download = teacher_api.get(f"/api/v1/submissions/{draft.pk}/files/{record.pk}/download")
    assert sha256(b"".join(download.streaming_content)) == sha256(data)
    # The main file is now there: the completeness list no longer asks for it.
    detail = teacher_api.get(f"/api/v1/submissions/{draft.pk}").json()
    assert "main_file" not in {item["field"] for item in detail["missing"]}


def test_a_second_upload_of_the_main_file_becomes_version_two(
    teacher_api, draft, run_tasks, django_capture_on_commit_callbacks
):
    for expected_version in (1, 2):
        data = pdf_bytes(MB)
        upload = start(teacher_api, draft, data).json()
        parts = send_all(teacher_api, upload, data)
        complete(teacher_api, upload, parts, django_capture_on_commit_callbacks)
        run_tasks()
        answer = teacher_api.get(f"/api/v1/uploads/{upload['id']}").json()
        assert answer["file"]["version"] == expected_version
    assert list(draft.files.filter(role="main").values_list("version", "is_current")) == [
        (2, True),
        (1, False),
    ]


def test_a_wrong_sha256_is_refused_and_the_object_deleted(
    teacher_api, draft, s3, run_tasks, django_capture_on_commit_callbacks
):
    data = pdf_bytes(6 * MB)
    upload = start(teacher_api, draft, data, sha256="0" * 64).json()
    parts = send_all(teacher_api, upload, data)
    complete(teacher_api, upload, parts, django_capture_on_commit_callbacks)
    key = DirectUpload.objects.get(uuid=upload["id"]).key
    assert object_exists(s3, key)

    run_tasks()
    answer = teacher_api.get(f"/api/v1/uploads/{upload['id']}").json()
    assert answer["state"] == "failed"
    assert "SHA-256" in answer["message"] and sha256(data) in answer["message"]
    assert answer["file"] is None
    assert not object_exists(s3, key)
    assert not draft.files.exists()


def test_a_file_that_is_not_what_its_name_says_is_refused_and_deleted(
    teacher_api, draft, s3, run_tasks, django_capture_on_commit_callbacks
):
    # Declared a PDF, really a Windows executable: the type comes from the stored bytes.
    data = b"MZ\x90\x00" + bytes(200_000)
    upload = start(teacher_api, draft, data).json()
    parts = send_all(teacher_api, upload, data)
    complete(teacher_api, upload, parts, django_capture_on_commit_callbacks)
    run_tasks()
    stored = DirectUpload.objects.get(uuid=upload["id"])
    assert stored.state == "failed"
    assert "This type of file is not accepted" in stored.message
    assert not object_exists(s3, stored.key)
    assert not draft.files.exists()


def test_an_office_file_is_sniffed_with_ranged_reads(
    teacher_api, draft, run_tasks, django_capture_on_commit_callbacks
):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/scan.bin", bytes(300_000))
    data = buffer.getvalue()
    upload = start(teacher_api, draft, data, name="module.docx", type="", role="supporting").json()
    parts = send_all(teacher_api, upload, data)
    complete(teacher_api, upload, parts, django_capture_on_commit_callbacks)
    run_tasks()
    answer = teacher_api.get(f"/api/v1/uploads/{upload['id']}").json()
    assert answer["state"] == "done", answer
    assert answer["file"]["mime_type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_a_size_other_than_declared_fails_at_completion(
    teacher_api, draft, s3, django_capture_on_commit_callbacks
):
    data = pdf_bytes(2 * MB)
    upload = start(teacher_api, draft, data + b"extra").json()  # declares 5 bytes more
    parts = send_all(teacher_api, upload, data)
    answer = complete(teacher_api, upload, parts, django_capture_on_commit_callbacks)
    assert answer.status_code == 202
    assert answer.json()["state"] == "failed"
    assert "declared" in answer.json()["message"]
    assert not object_exists(s3, DirectUpload.objects.get(uuid=upload["id"]).key)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"size": 201 * MB}, "larger than the limit of 200.0 MB"),
        ({"size": 0}, "The file is empty."),
        ({"name": "tool.exe", "type": "application/x-msdownload"}, "not accepted"),
        (
            {"role": "ip_declaration", "name": "declaration.docx", "type": ""},
            "must be a PDF or an image",
        ),
        ({"sha256": "abc"}, "64 hexadecimal digits"),
    ],
)
def test_a_declaration_the_ordinary_upload_would_refuse_is_a_400(
    teacher_api, draft, s3, extra, message
):
    response = start(teacher_api, draft, b"x" * 1000, **extra)
    assert response.status_code == 400, response.content
    assert message in str(response.json()["errors"])
    assert not DirectUpload.objects.filter(submission=draft).exists()
    client, bucket = s3
    uploads = client.list_multipart_uploads(
        Bucket=bucket, Prefix=f"submissions/{draft.uuid.hex}/"
    ).get("Uploads", [])
    assert uploads == []


def test_part_numbers_outside_the_file_are_refused(teacher_api, draft):
    upload = start(teacher_api, draft, pdf_bytes(6 * MB)).json()
    response = teacher_api.post(f"/api/v1/uploads/{upload['id']}/parts", {"part_numbers": [3]})
    assert response.status_code == 400
    assert "from 1 to 2" in str(response.json()["errors"])


def test_a_cancelled_upload_is_aborted_in_the_storage(teacher_api, draft, s3):
    data = pdf_bytes(6 * MB)
    upload = start(teacher_api, draft, data).json()
    signed = teacher_api.post(f"/api/v1/uploads/{upload['id']}/parts", {"part_numbers": [1]})
    put_parts(signed.json()["parts"], data, upload["part_size"])
    stored = DirectUpload.objects.get(uuid=upload["id"])
    client, bucket = s3
    assert client.list_parts(Bucket=bucket, Key=stored.key, UploadId=stored.upload_id)["Parts"]

    assert teacher_api.delete(f"/api/v1/uploads/{upload['id']}").status_code == 204
    with pytest.raises(ClientError):
        client.list_parts(Bucket=bucket, Key=stored.key, UploadId=stored.upload_id)
    assert teacher_api.get(f"/api/v1/uploads/{upload['id']}").json()["state"] == "aborted"
    again = teacher_api.post(f"/api/v1/uploads/{upload['id']}/parts", {"part_numbers": [2]})
    assert again.status_code == 409
    # A part PUT with a URL signed before the cancellation finds no upload any more.
    late = requests.put(signed.json()["parts"][0]["url"], data=b"late", timeout=10)
    assert late.status_code == 404


def test_the_sweep_aborts_uploads_left_unfinished(teacher_api, draft, s3, monkeypatch):
    import datetime

    from django.utils import timezone

    from uploads import services

    client, bucket = s3
    old = DirectUpload.objects.get(uuid=start(teacher_api, draft, pdf_bytes(MB)).json()["id"])
    fresh = DirectUpload.objects.get(uuid=start(teacher_api, draft, pdf_bytes(MB)).json()["id"])
    DirectUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    # A multipart upload S3 holds with no row (its row went with a deleted submission).
    orphan_key = f"submissions/{draft.uuid.hex}/orphan"
    orphan = client.create_multipart_upload(Bucket=bucket, Key=orphan_key)["UploadId"]

    def alive(key, upload_id):
        try:
            client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
        except ClientError:
            return False
        return True

    services.sweep_abandoned()  # UPLOADS_ABANDON_AFTER_HOURS = 24
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == ("aborted", "uploading")
    assert "Abandoned" in old.message
    assert not alive(old.key, old.upload_id)
    assert alive(fresh.key, fresh.upload_id) and alive(orphan_key, orphan)

    # A day later the S3 listing's own dates find the rest, the orphan included.
    later = timezone.now() + datetime.timedelta(hours=25)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    services.sweep_abandoned()
    assert not alive(fresh.key, fresh.upload_id) and not alive(orphan_key, orphan)


def test_the_sweep_is_on_the_schedule_and_has_its_command(teacher_api, draft):
    from django.core.management import call_command

    from alsmis.schedule import SCHEDULE

    job = next(job for job in SCHEDULE if job.name == "sweep_uploads")
    assert job.task == "uploads.tasks.sweep_abandoned_uploads_task"
    upload = DirectUpload.objects.get(uuid=start(teacher_api, draft, pdf_bytes(MB)).json()["id"])
    call_command("sweep_uploads", "--now", "--older-than-hours", "0")
    upload.refresh_from_db()
    assert upload.state == "aborted"


def test_only_the_submitter_of_an_editable_submission_may_upload(
    api_as, teacher_api, draft, user_named
):
    data = pdf_bytes(MB)
    # Another division's teacher cannot see the draft; nor can the division's records section.
    for username in ("teacher.abra", "records.benguet", "lrqa.benguet"):
        assert start(api_as(username), draft, data).status_code == 404, username
    # Someone else's upload is not found either.
    upload = start(teacher_api, draft, data).json()
    other = api_as("teacher.abra")
    assert other.get(f"/api/v1/uploads/{upload['id']}").status_code == 404
    assert other.delete(f"/api/v1/uploads/{upload['id']}").status_code == 404
    # Once submitted, the submission takes no more files until it is returned.
    from tests.api.factories import pdf_upload
    from workflow.services import perform_transition, upload_file

    teacher = user_named("teacher.benguet")
    upload_file(teacher, draft, pdf_upload(), "main")
    upload_file(teacher, draft, pdf_upload("ip.pdf"), "ip_declaration")
    perform_transition(teacher, draft, "submit")
    refused = start(api_as("teacher.benguet"), draft, data)
    assert refused.status_code == 409, refused.content
    completing = api_as("teacher.benguet").post(
        f"/api/v1/uploads/{upload['id']}/complete", {"parts": [{"part_number": 1, "etag": "x"}]}
    )
    assert completing.status_code == 409


def test_a_submission_submitted_during_the_check_does_not_take_the_file(
    teacher_api, draft, s3, user_named, run_tasks, django_capture_on_commit_callbacks
):
    from tests.api.factories import pdf_upload
    from workflow.services import perform_transition, upload_file

    data = pdf_bytes(MB)
    upload = start(teacher_api, draft, data, role="supporting").json()
    parts = send_all(teacher_api, upload, data)
    complete(teacher_api, upload, parts, django_capture_on_commit_callbacks)
    teacher = user_named("teacher.benguet")
    upload_file(teacher, draft, pdf_upload(), "main")
    upload_file(teacher, draft, pdf_upload("ip.pdf"), "ip_declaration")
    perform_transition(teacher, draft, "submit")
    run_tasks()
    stored = DirectUpload.objects.get(uuid=upload["id"])
    assert stored.state == "failed" and "no longer be changed" in stored.message
    assert not object_exists(s3, stored.key)
    assert not draft.files.filter(role="supporting").exists()
