"""manage.py recover_tasks: re-queue (or fail) background tasks a dead worker left RUNNING."""

from django.conf import settings
from django.core.management.base import BaseCommand

from alsmis.task_recovery import recover_stale_tasks


class Command(BaseCommand):
    help = (
        "Tasks RUNNING for longer than --older-than seconds (TASKS_RUNNING_TIMEOUT_SECONDS) were "
        "left by a worker that died: re-queue them (up to TASKS_MAX_ATTEMPTS attempts) or mark "
        "them failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Seconds a task must have been running (default: TASKS_RUNNING_TIMEOUT_SECONDS). "
            "Use 0 only when no worker is running.",
        )

    def handle(self, *args, older_than=None, **options):
        if older_than is None:
            older_than = settings.TASKS_RUNNING_TIMEOUT_SECONDS
        outcome = recover_stale_tasks(older_than)
        self.stdout.write(
            f"{len(outcome['requeued'])} task(s) re-queued, {len(outcome['failed'])} marked failed."
        )
