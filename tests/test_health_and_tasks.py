"""/healthz reports each dependency; a task enqueued is run by the real db_worker."""

import pytest
from django.conf import settings
from django.test.utils import override_settings
from django_tasks_db.models import DBTaskResult

from alsmis.settings.base import s3_storage_options
from alsmis.tasks import send_email
from tests.workers import run_worker_batch, worker_env


@pytest.mark.django_db
def test_healthz_is_200_when_database_storage_and_queue_are_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "storage": "ok",
        "tasks": "ok",
    }


@pytest.mark.django_db
def test_healthz_is_503_when_storage_is_down(client):
    # An S3 endpoint where nothing listens: the storage check fails, the others still pass.
    dead = s3_storage_options("alsmis-test", "http://127.0.0.1:9", "k", "s")
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": dead},
        }
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"]["status"] == "error"
    assert checks["database"]["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_enqueued_task_is_run_by_the_db_worker():
    result = send_email.enqueue("Subject", "Body", ["epsa@example.org"])
    assert DBTaskResult.objects.get(id=result.id).status == "READY"

    # The real worker, in its own process, against the test database.
    env = worker_env()
    env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    completed = run_worker_batch(env)
    assert completed.returncode == 0, completed.stderr
    db_result = DBTaskResult.objects.get(id=result.id)
    assert db_result.status == "SUCCESSFUL"
    assert db_result.return_value == 1


@pytest.mark.django_db
def test_run_tasks_fixture_runs_queued_work_in_process(run_tasks, mailoutbox):
    result = send_email.enqueue("Reminder", "Your AF3 is due.", ["focal@example.org", ""])
    run_tasks()
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert [m.to for m in mailoutbox] == [["focal@example.org"]]
