"""Uploads: sniffed types, allow-list, streaming size limit, SHA-256, non-guessable keys, versions."""

import hashlib
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from repository.services import UploadRejected, add_file, download_name
from workflow.demo import lr_data, sample_pdf
from workflow.services import create_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(user_named):
    teacher = user_named("teacher.benguet")
    return create_submission(teacher, lr_data("Uploads")), teacher


def bucket_keys(s3):
    listing = s3["client"].list_objects_v2(Bucket=s3["bucket"], Prefix="submissions/")
    return {item["Key"] for item in listing.get("Contents", [])}


def stored_bytes(s3, key):
    return s3["client"].get_object(Bucket=s3["bucket"], Key=key)["Body"].read()


def office_file(kind):
    buffer = io.BytesIO()
    members = {
        "docx": {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"},
        "xlsx": {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"},
        "pptx": {"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<p/>"},
        "odt": {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"},
        "ods": {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": ""},
        "zip": {"readme.txt": "just a zip"},
    }[kind]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def test_pdf_is_stored_on_s3_under_a_random_key_with_size_and_sha256(draft, s3_storage):
    submission, teacher = draft
    payload = sample_pdf("Fractions", pages=3)
    record = add_file(
        submission, SimpleUploadedFile("../../etc/My Module.pdf", payload), "main", teacher
    )
    assert record.mime_type == "application/pdf"
    assert record.size == len(payload)
    assert record.sha256 == hashlib.sha256(payload).hexdigest()
    assert record.original_name == "My Module.pdf"
    # The key is two random hex parts; nothing of the client's name is in it.
    assert re.fullmatch(r"submissions/[0-9a-f]{32}/[0-9a-f]{32}", record.file.name)
    assert record.file.name.split("/")[1] == submission.uuid.hex
    assert stored_bytes(s3_storage, record.file.name) == payload
    head = s3_storage["client"].head_object(Bucket=s3_storage["bucket"], Key=record.file.name)
    assert head["ContentType"] == "application/pdf"
    assert download_name(record) == "My Module.pdf"


@pytest.mark.parametrize(
    "name,payload,mime",
    [
        ("photo.jpg", image_bytes("JPEG"), "image/jpeg"),
        ("photo.png", image_bytes("PNG"), "image/png"),
        ("photo.webp", image_bytes("WEBP"), "image/webp"),
        (
            "a.docx",
            office_file("docx"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "a.xlsx",
            office_file("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "a.pptx",
            office_file("pptx"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("a.odt", office_file("odt"), "application/vnd.oasis.opendocument.text"),
        ("a.ods", office_file("ods"), "application/vnd.oasis.opendocument.spreadsheet"),
        ("notes.txt", "Mga tala — ALS\n".encode(), "text/plain"),
        ("scores.csv", b"lrn,score\n123456789012,40\n", "text/csv"),
        ("scores.pdf", b"lrn,score\n", "text/plain"),  # the content decides, not the name
    ],
)
def test_allowed_types_are_recognised_from_content(draft, name, payload, mime):
    submission, teacher = draft
    record = add_file(submission, SimpleUploadedFile(name, payload), "supporting", teacher)
    assert record.mime_type == mime


@pytest.mark.parametrize(
    "name,payload",
    [
        ("module.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),  # a Windows exe
        ("module.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("module.pdf", b"  <html><body>phish</body></html>"),
        ("image.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("archive.docx", office_file("zip")),  # a plain zip is not an office document
        ("broken.docx", b"PK\x03\x04garbage"),
        ("binary.txt", bytes(range(256))),
        ("legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    ],
)
def test_disguised_or_unlisted_types_are_refused_and_nothing_is_stored(
    draft, s3_storage, name, payload
):
    submission, teacher = draft
    before = bucket_keys(s3_storage)
    with pytest.raises(UploadRejected) as refused:
        add_file(submission, SimpleUploadedFile(name, payload), "main", teacher)
    assert "not accepted" in refused.value.message
    assert submission.files.count() == 0
    assert bucket_keys(s3_storage) == before


@override_settings(SUBMISSION_MAX_UPLOAD_BYTES=3 * 1024 * 1024)
def test_oversized_file_is_refused_while_streaming_without_storing(draft, s3_storage):
    submission, teacher = draft

    class Stream(io.RawIOBase):
        """An endless PDF-looking stream; counts how much was read from it."""

        def __init__(self):
            self.read_bytes = 0

        def readable(self):
            return True

        def seekable(self):
            return False

        def read(self, size=-1):
            size = 1024 * 1024 if size is None or size < 0 else size
            chunk = (b"%PDF-1.4\n" if self.read_bytes == 0 else b"") + b"0" * size
            chunk = chunk[:size]
            self.read_bytes += len(chunk)
            return chunk

    stream = Stream()
    stream.name = "huge.pdf"
    before = bucket_keys(s3_storage)
    with pytest.raises(UploadRejected) as refused:
        add_file(submission, stream, "main", teacher)
    assert "larger than the limit of 3.0 MB" in refused.value.message
    # Reading stopped just past the limit: the rest of the "file" was never pulled in.
    assert stream.read_bytes <= 3 * 1024 * 1024 + 1024 * 1024
    assert submission.files.count() == 0
    assert bucket_keys(s3_storage) == before


def test_empty_file_is_refused(draft):
    submission, teacher = draft
    with pytest.raises(UploadRejected, match="empty"):
        add_file(submission, SimpleUploadedFile("empty.pdf", b""), "main", teacher)


def test_reupload_adds_a_version_and_keeps_the_old_one(draft, s3_storage):
    submission, teacher = draft
    v1_bytes = sample_pdf("v1")  # Pillow stamps the time into a PDF: keep the exact bytes
    first = add_file(submission, SimpleUploadedFile("v1.pdf", v1_bytes), "main", teacher)
    second = add_file(submission, SimpleUploadedFile("v2.pdf", sample_pdf("v2")), "main", teacher)
    first.refresh_from_db()
    assert (first.version, first.is_current) == (1, False)
    assert (second.version, second.is_current) == (2, True)
    assert second.lineage == first.lineage
    assert stored_bytes(s3_storage, first.file.name) == v1_bytes  # old bytes kept

    # Supporting files are separate documents unless one replaces another.
    a = add_file(submission, SimpleUploadedFile("a.pdf", sample_pdf("a")), "supporting", teacher)
    b = add_file(submission, SimpleUploadedFile("b.pdf", sample_pdf("b")), "supporting", teacher)
    assert a.is_current and b.is_current and a.lineage != b.lineage
    a2 = add_file(
        submission,
        SimpleUploadedFile("a2.pdf", sample_pdf("a2")),
        "supporting",
        teacher,
        replaces=a,
    )
    a.refresh_from_db()
    assert (a2.version, a2.lineage, a.is_current) == (2, a.lineage, False)
    current = set(submission.current_files().values_list("original_name", flat=True))
    assert current == {"v2.pdf", "b.pdf", "a2.pdf"}


@override_settings(SUBMISSION_MAX_UPLOAD_BYTES=1024 * 1024)
def test_request_upload_handler_stops_an_oversized_upload_midstream(rf):
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    from repository.uploads import SubmissionSizeLimitHandler

    request = rf.post(
        "/upload", {"file": SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (3 * 1024 * 1024))}
    )
    handler = SubmissionSizeLimitHandler(request)
    request.upload_handlers = [handler, TemporaryFileUploadHandler(request)]
    assert "file" not in request.FILES
    assert handler.exceeded and request.upload_too_large
    assert handler.received <= 1024 * 1024 + 64 * 1024  # stopped within one chunk of the limit
