from django.core.management.base import BaseCommand, CommandError

from uploads import services
from uploads.tasks import sweep_abandoned_uploads_task


class Command(BaseCommand):
    help = (
        "Abort resumable uploads left unfinished for longer than UPLOADS_ABANDON_AFTER_HOURS "
        "(or --older-than-hours): S3 drops their parts. Queues a task; --now does it here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=int, default=None, metavar="N")
        parser.add_argument("--now", action="store_true", help="sweep here instead of queueing")

    def handle(self, *args, **options):
        hours = options["older_than_hours"]
        if hours is not None and hours < 0:
            raise CommandError("--older-than-hours must be 0 or more.")
        if not options["now"]:
            result = sweep_abandoned_uploads_task.enqueue(older_than_hours=hours)
            self.stdout.write(f"Upload sweep queued ({result.id}).")
            return
        aborted = services.sweep_abandoned(hours)
        self.stdout.write(f"Aborted {aborted} unfinished upload(s).")
