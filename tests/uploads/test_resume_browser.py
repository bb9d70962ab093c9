"""A real upload in Chromium through the "Upload large files" page, against SeaweedFS: the
connection is cut after two parts, the page is reloaded, the same file is chosen again, and the
upload resumes from the stored parts (only the missing parts are sent) and ends with the file on
the submission with its SHA-256, which the page computed too and sent with the completion."""

import hashlib
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from repository.models import SubmissionFile
from tests.api.factories import LR_PAYLOAD
from tests.browser import sign_in
from uploads import s3
from uploads.models import DirectUpload
from workflow.services import create_submission

from .conftest import MB, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_until(page, condition, timeout=20):
    """Let the page run (its route handlers and events included) until `condition()` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(100)


def test_an_upload_cut_off_half_way_resumes_after_a_reload(
    browser_page, csp_violations, live_server, s3_storage, user_named, run_tasks, tmp_path
):
    # The bucket accepts the parts from this site's pages (bucket CORS), as in production.
    call_command("configure_storage_cors", "--origin", live_server.url)
    teacher = user_named("teacher.benguet")
    draft = create_submission(teacher, dict(LR_PAYLOAD, title="Terraces, scanned"))
    data = pdf_bytes(16 * MB)  # four parts of 5 MB (the last one 1 MB)
    path = tmp_path / "terraces-scan.pdf"
    path.write_bytes(data)

    page = browser_page
    store = s3_storage["endpoint"]
    sent = []  # the part PUTs let through to the store
    refused = []

    def cut_after_two_parts(route):
        if len(sent) >= 2:
            refused.append(route.request.url)
            route.abort("internetdisconnected")
            return
        sent.append(route.request.url)
        route.continue_()

    page.route(f"{store}/**", cut_after_two_parts)
    sign_in(page, "teacher.benguet")
    page.goto(f"/admin/uploads/{draft.pk}/")
    page.locator("[data-upload-dashboard] input[type=file]").first.set_input_files(path)
    page.get_by_role("button", name="Upload 1 file").click()
    wait_until(page, lambda: refused)
    # Two parts are in the store; the upload is open.
    upload = DirectUpload.objects.get(submission=draft)
    assert upload.state == "uploading"
    assert [p["PartNumber"] for p in s3.list_parts(upload.key, upload.upload_id)] == [1, 2]

    # The teacher reloads the page; the connection is back; they choose the same file again.
    page.reload()
    page.unroute(f"{store}/**")
    resumed = []
    page.on(
        "request",
        lambda request: (
            resumed.append(request.url)
            if request.url.startswith(store) and request.method == "PUT"
            else None
        ),
    )
    # Uppy keeps the upload's state (its S3 upload id and key), not the file's bytes.
    expect(page.get_by_text("Please re-select it and resume the upload")).to_be_visible()
    page.get_by_role("button", name="Re-select").click()
    page.locator("[data-upload-dashboard] input[type=file]").first.set_input_files(path)
    page.get_by_role("button", name="Upload 1 file").click()

    deadline = time.monotonic() + 60
    while True:
        upload.refresh_from_db()
        if upload.state in ("done", "failed") or time.monotonic() > deadline:
            break
        run_tasks()  # the task worker's check of the completed upload
        page.wait_for_timeout(300)
    assert upload.state == "done", upload.message
    # The page hashed the re-chosen file while its parts went up and sent the digest with the
    # completion: the server's check compared the stored object's SHA-256 with the browser's.
    assert upload.declared_sha256 == hashlib.sha256(data).hexdigest()
    # Only the two missing parts were sent after the reload, into the same upload.
    assert sorted(url.split("partNumber=")[1].split("&")[0] for url in resumed) == ["3", "4"]
    assert DirectUpload.objects.filter(submission=draft).count() == 1

    expected = hashlib.sha256(data).hexdigest()
    result = page.locator(f'[data-upload-key="{upload.key}"]')
    expect(result).to_contain_text("Added to the submission", timeout=15_000)
    expect(result.locator("[data-upload-sha256]")).to_have_text(expected)
    record = SubmissionFile.objects.get(submission=draft, role="main")
    assert (record.sha256, record.size, record.mime_type) == (
        expected,
        len(data),
        "application/pdf",
    )
    assert csp_violations == []
