from django.core.management.base import BaseCommand

from snapshots import services
from snapshots.tasks import fail_stale_imports_task


class Command(BaseCommand):
    help = (
        "Mark failed every snapshot import still validating or saving without progress for "
        "SNAPSHOT_STALE_JOB_MINUTES (its worker died), or still queued after "
        "SNAPSHOT_QUEUED_JOB_MINUTES (no worker took it); they can then be run again. Queues a "
        "task; --now runs here. `run_scheduler` runs it every five minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run here instead of queueing")

    def handle(self, *args, **options):
        if options["now"]:
            count = services.fail_stale_jobs()
            self.stdout.write(f"{count} stalled import(s) marked failed.")
        else:
            result = fail_stale_imports_task.enqueue()
            self.stdout.write(f"Stale import check queued ({result.id}).")
