"""The "Upload large files" page and the endpoints its Uppy calls (Companion's S3 protocol)."""

import json
import re

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from uploads import s3
from uploads.models import DirectUpload

from .conftest import MB, pdf_bytes, sha256

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher_client(client, demo):
    assert client.login(username="teacher.benguet", password=settings.DEMO_PASSWORD)
    return client


def page_config(response):
    match = re.search(
        r'<script id="upload-config" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    return json.loads(match.group(1))


def create(client, endpoint, **meta):
    body = {
        "filename": "x-scan.pdf",
        "type": "application/pdf",
        "metadata": {"name": "scan.pdf", "type": "application/pdf", "size": 6 * MB, "role": "main"},
    }
    body["metadata"].update(meta)
    body["type"] = body["metadata"]["type"]
    return client.post(f"{endpoint}/s3/multipart", body, content_type="application/json")


def test_the_page_lets_the_browser_send_parts_to_the_object_store(
    teacher_client, draft, s3_storage
):
    response = teacher_client.get(reverse("uploads_page", args=[draft.pk]))
    assert response.status_code == 200
    # CSP: the parts go to the storage's origin (from the storage settings), and to no other.
    policy = response["Content-Security-Policy"]
    connect = next(d for d in policy.split(";") if d.strip().startswith("connect-src"))
    assert connect.split() == ["connect-src", "'self'", s3_storage["endpoint"]]
    config = page_config(response)
    assert config["partSize"] == 5 * MB and config["maxBytes"] == 200 * MB
    # The submission page links to it.
    detail = teacher_client.get(reverse("submissions:inspect", args=[draft.pk]))
    assert reverse("uploads_page", args=[draft.pk]) in detail.content.decode()


def test_the_endpoints_start_sign_list_and_cancel(teacher_client, draft):
    endpoint = page_config(teacher_client.get(reverse("uploads_page", args=[draft.pk])))["endpoint"]
    started = create(teacher_client, endpoint)
    assert started.status_code == 200, started.content
    key, upload_id = started.json()["key"], started.json()["uploadId"]
    assert key.startswith(f"submissions/{draft.uuid.hex}/")
    upload = DirectUpload.objects.get(key=key)
    assert (upload.declared_size, upload.role, upload.original_name) == (6 * MB, "main", "scan.pdf")

    signed = teacher_client.get(f"{endpoint}/s3/multipart/{upload_id}/2", {"key": key})
    assert signed.status_code == 200 and "partNumber=2" in signed.json()["url"]
    assert (
        teacher_client.get(f"{endpoint}/s3/multipart/{upload_id}/3", {"key": key}).status_code
        == 400
    )
    listed = teacher_client.get(f"{endpoint}/s3/multipart/{upload_id}", {"key": key})
    assert listed.json() == []
    cancelled = teacher_client.delete(f"{endpoint}/s3/multipart/{upload_id}?key={key}")
    assert cancelled.status_code == 200
    upload.refresh_from_db()
    assert upload.state == "aborted"


def test_a_refused_declaration_answers_with_its_message(teacher_client, draft):
    endpoint = page_config(teacher_client.get(reverse("uploads_page", args=[draft.pk])))["endpoint"]
    response = create(teacher_client, endpoint, size=300 * MB)
    assert response.status_code == 400
    assert response.json()["message"] == "The file is larger than the limit of 200.0 MB."
    response = create(teacher_client, endpoint, role="consent", name="consent.docx", type="")
    assert (
        response.status_code == 400
        and "written consent must be a PDF" in response.json()["message"]
    )
    assert not DirectUpload.objects.exists()


def test_numbers_that_are_not_whole_are_a_400(teacher_client, draft):
    endpoint = page_config(teacher_client.get(reverse("uploads_page", args=[draft.pk])))["endpoint"]
    # JSON's 1e400 reads as an infinite float; 2.5 and true are not counts either.
    for size in (float("inf"), 2.5, True):
        response = create(teacher_client, endpoint, size=size)
        assert response.status_code == 400, size
        assert response.json()["message"]
    assert not DirectUpload.objects.exists()


def test_a_nul_byte_or_a_body_that_is_not_json_is_a_400_and_starts_nothing(teacher_client, draft):
    endpoint = page_config(teacher_client.get(reverse("uploads_page", args=[draft.pk])))["endpoint"]
    assert create(teacher_client, endpoint, name="scan\x00.pdf").status_code == 400
    garbage = teacher_client.post(
        f"{endpoint}/s3/multipart", b"\xff\xfe{not json", content_type="application/json"
    )
    assert garbage.status_code == 400
    assert not DirectUpload.objects.exists()


def test_one_person_may_have_only_so_many_unfinished_uploads(teacher_client, draft, settings):
    settings.UPLOADS_MAX_OPEN_PER_USER = 2
    endpoint = page_config(teacher_client.get(reverse("uploads_page", args=[draft.pk])))["endpoint"]
    assert [create(teacher_client, endpoint).status_code for _ in range(2)] == [200, 200]
    refused = create(teacher_client, endpoint)
    assert refused.status_code == 400
    assert "2 unfinished uploads" in refused.json()["message"]
    assert DirectUpload.objects.count() == 2


def test_the_endpoint_needs_this_users_token_for_this_submission(client, teacher_client, draft):
    endpoint = page_config(teacher_client.get(reverse("uploads_page", args=[draft.pk])))["endpoint"]
    # Another submission's path with this token, a made-up token: refused before anything runs.
    other_submission = endpoint.replace(f"/uploads/{draft.pk}/", f"/uploads/{draft.pk + 1}/")
    assert create(teacher_client, other_submission).status_code == 403
    forged = endpoint.rsplit("/", 1)[0] + "/made-up-token"
    assert create(teacher_client, forged).status_code == 403
    # The same token in another user's session (a page of another site cannot know it anyway).
    client.logout()
    assert client.login(username="teacher.abra", password=settings.DEMO_PASSWORD)
    assert create(client, endpoint).status_code == 403
    # And in a new session of the same user: the token is tied to the session it was made for.
    client.logout()
    assert client.login(username="teacher.benguet", password=settings.DEMO_PASSWORD)
    assert create(client, endpoint).status_code == 403
    assert not DirectUpload.objects.exists()


def test_the_page_is_only_for_submissions_the_user_may_change(client, demo, draft, user_named):
    assert client.login(username="records.benguet", password=settings.DEMO_PASSWORD)
    assert client.get(reverse("uploads_page", args=[draft.pk])).status_code == 404


def test_the_page_completion_carries_the_browsers_sha256_and_a_wrong_one_is_refused(
    teacher_client, draft, s3_storage, run_tasks, django_capture_on_commit_callbacks
):
    config = page_config(teacher_client.get(reverse("uploads_page", args=[draft.pk])))
    endpoint = config["endpoint"]
    data = pdf_bytes(6 * MB)
    started = create(teacher_client, endpoint, size=len(data)).json()
    key, upload_id = started["key"], started["uploadId"]
    parts = []
    for number in (1, 2):
        url = teacher_client.get(f"{endpoint}/s3/multipart/{upload_id}/{number}", {"key": key})
        chunk = data[(number - 1) * 5 * MB : number * 5 * MB]
        answer = requests.put(url.json()["url"], data=chunk, timeout=30)
        parts.append({"PartNumber": number, "ETag": answer.headers["ETag"]})
    complete_url = f"{endpoint}/s3/multipart/{upload_id}/complete?key={key}"

    def complete(**body):
        with django_capture_on_commit_callbacks(execute=True):
            return teacher_client.post(
                complete_url, {"parts": parts, **body}, content_type="application/json"
            )

    # Without the page's digest, or with one that is not a SHA-256: refused, the upload open.
    missing = complete()
    assert missing.status_code == 400
    assert missing.json()["message"] == "The file's SHA-256 must be sent with the completion."
    malformed = complete(sha256="abc")
    assert malformed.status_code == 400 and "64 hexadecimal digits" in malformed.json()["message"]
    upload = DirectUpload.objects.get(key=key)
    assert (upload.state, upload.declared_sha256) == ("uploading", "")

    # The browser's digest is not the stored object's (the file changed while it went up).
    wrong = "0" * 64
    answer = complete(sha256=wrong)
    assert answer.status_code == 200 and answer.json()["state"] == "verifying"
    upload.refresh_from_db()
    assert upload.declared_sha256 == wrong
    assert s3.head(key) == len(data)
    run_tasks()
    upload.refresh_from_db()
    assert upload.state == "failed"
    assert s3.head(key) is None
    assert not draft.files.exists()
    status = teacher_client.get(config["status"], {"key": key}).json()
    assert status["state"] == "failed" and status["label"] == "Refused"
    assert sha256(data) in status["message"] and wrong in status["message"]
