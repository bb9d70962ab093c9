"""A task worker killed in the middle of a task: the task is re-queued (or failed), never lost."""

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alsmis.task_recovery import recover_stale_tasks
from tests.slow_tasks import sleep_on_first_run
from tests.workers import run_worker_batch, worker_env


def wait_for_status(task_id, status, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if DBTaskResult.objects.get(id=task_id).status == status:
            return
        time.sleep(0.2)
    raise AssertionError(f"task never became {status}")


@pytest.mark.django_db(transaction=True)
def test_task_of_a_killed_worker_is_requeued_and_then_completes(tmp_path):
    marker = tmp_path / "started"
    result = sleep_on_first_run.enqueue(str(marker))
    env = worker_env()
    worker = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0.2",
            "--queue-name",
            "*",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_status(result.id, "RUNNING")
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists()
    finally:
        worker.send_signal(signal.SIGKILL)  # no chance to clean up: the row stays RUNNING
        worker.wait(timeout=30)
    assert DBTaskResult.objects.get(id=result.id).status == "RUNNING"

    # A task running for less than the timeout may belong to a live worker: left alone.
    call_command("recover_tasks")
    assert DBTaskResult.objects.get(id=result.id).status == "RUNNING"

    call_command("recover_tasks", older_than=0)
    assert DBTaskResult.objects.get(id=result.id).status == "READY"

    completed = run_worker_batch(env, "--queue-name", "*")
    assert completed.returncode == 0, completed.stderr
    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == "done"
    assert len(row.worker_ids) == 2


def running_row(task_path, attempts, started_minutes_ago):
    return DBTaskResult.objects.create(
        status="RUNNING",
        task_path=task_path,
        args_kwargs={"args": ["x"], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=[f"w{i}" for i in range(attempts)],
    )


@pytest.mark.django_db
def test_a_task_out_of_attempts_or_not_retryable_is_marked_failed_with_a_message(settings):
    settings.TASKS_RUNNING_TIMEOUT_SECONDS = 600
    settings.TASKS_MAX_ATTEMPTS = 3
    settings.TASKS_NOT_RETRIED = ["alsmis.tasks.send_email"]
    path = "tests.slow_tasks.sleep_on_first_run"
    retried = running_row(path, attempts=1, started_minutes_ago=20)
    exhausted = running_row(path, attempts=3, started_minutes_ago=20)
    not_retried = running_row("alsmis.tasks.send_email", attempts=1, started_minutes_ago=20)
    recent = running_row(path, attempts=1, started_minutes_ago=2)

    outcome = recover_stale_tasks()

    assert set(outcome["requeued"]) == {retried.id}
    assert set(outcome["failed"]) == {exhausted.id, not_retried.id}
    # Only these rows: tasks queued while the session's data was seeded are READY and untouched.
    mine = [retried.id, exhausted.id, not_retried.id, recent.id]
    statuses = dict(DBTaskResult.objects.filter(id__in=mine).values_list("id", "status"))
    assert statuses == {
        retried.id: "READY",
        exhausted.id: "FAILED",
        not_retried.id: "FAILED",
        recent.id: "RUNNING",
    }
    failed = DBTaskResult.objects.get(id=exhausted.id)
    assert "stopped without finishing" in failed.traceback
    assert failed.exception_class_path.endswith("WorkerDied")
    assert failed.finished_at is not None
