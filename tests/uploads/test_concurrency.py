"""Two completions of one upload at the same moment (a double click, a retry racing the first
answer): the parts are joined and the check queued once, the other is told the upload is done."""

import pytest
import requests
from django_tasks_db.models import DBTaskResult

from tests.concurrency import at_once
from uploads import s3, services
from uploads.models import DirectUpload

from .conftest import MB, pdf_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_completions_at_once_queue_one_check(draft, s3_storage, django_user_model):
    teacher = django_user_model.objects.get(username="teacher.benguet")
    data = pdf_bytes(6 * MB)
    upload = services.start_upload(
        teacher, draft, name="scan.pdf", size=len(data), mime_type="application/pdf", role="main"
    )
    parts = []
    for number, start in enumerate(range(0, len(data), 5 * MB), start=1):
        answer = requests.put(
            s3.sign_part(upload.key, upload.upload_id, number),
            data=data[start : start + 5 * MB],
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        parts.append((number, answer.headers["ETag"]))

    def complete(person, wait):
        mine = DirectUpload.objects.get(pk=upload.pk)  # as each request loads it
        wait()
        return services.complete_upload(mine, parts)

    results = list(at_once(complete, ["first", "second"]).values())

    done = [r for r in results if isinstance(r, DirectUpload)]
    refused = [r for r in results if isinstance(r, services.UploadStateError)]
    assert (len(done), len(refused)) == (1, 1), results
    assert DirectUpload.objects.get(pk=upload.pk).state == DirectUpload.State.VERIFYING
    queued = DBTaskResult.objects.filter(task_path__endswith="verify_upload_task")
    assert queued.count() == 1
