import hashlib
import os

import pytest
import requests

from tests.api.conftest import ApiClient, api_as  # noqa: F401 (fixture)
from tests.api.factories import LR_PAYLOAD

MB = 1024 * 1024


def pdf_bytes(size):
    """`size` bytes that sniff as a PDF (a real header, then noise)."""
    head = b"%PDF-1.4\n% resumable upload test\n"
    return head + os.urandom(size - len(head))


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def put_parts(signed, data, part_size):
    """PUT each signed part's bytes straight to the object store; [(number, ETag)]."""
    sent = []
    for part in signed:
        number = part["part_number"]
        chunk = data[(number - 1) * part_size : number * part_size]
        answer = requests.put(part["url"], data=chunk, timeout=30)
        assert answer.status_code == 200, answer.text
        sent.append({"part_number": number, "etag": answer.headers["ETag"]})
    return sent


@pytest.fixture
def teacher_api(api_as):  # noqa: F811
    return api_as("teacher.benguet")


@pytest.fixture
def draft(teacher_api):
    """A new draft learning resource of teacher.benguet, made through the API."""
    from repository.models import Submission

    response = teacher_api.post("/api/v1/submissions", dict(LR_PAYLOAD, title="Rice terraces"))
    assert response.status_code == 201, response.content
    return Submission.objects.get(pk=response.json()["id"])


@pytest.fixture
def s3(s3_storage):
    return s3_storage["client"], s3_storage["bucket"]
