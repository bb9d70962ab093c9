"""Background tasks left RUNNING by a worker that died (killed, out of memory, machine lost).

django-tasks-db marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when the
worker finishes it; a worker killed in between leaves the row RUNNING for good, and nobody runs it
again. `recover_stale_tasks` finds RUNNING rows older than `TASKS_RUNNING_TIMEOUT_SECONDS` and puts
each back in the queue (READY) while it has had fewer than `TASKS_MAX_ATTEMPTS` attempts and is not
listed in `TASKS_NOT_RETRIED`; otherwise marks it FAILED with a message saying why. Run by
`manage.py recover_tasks` (at worker start and every few minutes, docs/operations.md).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

WORKER_DIED = "WorkerDied"


def recover_stale_tasks(older_than=None, *, now=None):
    """Re-queue or fail the tasks RUNNING since before `older_than` seconds; returns
    `{"requeued": [ids], "failed": [ids]}`."""
    from django_tasks_db.models import DBTaskResult

    if older_than is None:
        older_than = settings.TASKS_RUNNING_TIMEOUT_SECONDS
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=older_than)
    outcome = {"requeued": [], "failed": []}
    with transaction.atomic():
        # skip_locked: a worker finishing the task right now keeps its row.
        stale = (
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status="RUNNING", started_at__lte=cutoff)
            .order_by("started_at")
        )
        for row in stale:
            attempts = len(row.worker_ids or [])
            retry = (
                attempts < settings.TASKS_MAX_ATTEMPTS
                and row.task_path not in settings.TASKS_NOT_RETRIED
            )
            if retry:
                row.status = "READY"
                row.started_at = None
                row.save(update_fields=["status", "started_at"])
                outcome["requeued"].append(row.id)
            else:
                row.status = "FAILED"
                row.finished_at = now
                row.exception_class_path = f"{__name__}.{WORKER_DIED}"
                row.traceback = (
                    f"The worker running this task stopped without finishing it (still running "
                    f"after {older_than} s, {attempts} attempt(s)); it was not retried. Enqueue "
                    f"it again when the cause is fixed."
                )
                row.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                outcome["failed"].append(row.id)
            logger.warning(
                "task %s (%s) left running by a dead worker: %s",
                row.id,
                row.task_path,
                "re-queued" if retry else "marked failed",
            )
    return outcome
