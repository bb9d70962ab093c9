from django.core.management.base import BaseCommand

from snapshots import services
from snapshots.tasks import send_snapshot_reminders_task


class Command(BaseCommand):
    help = (
        "E-mail the focal person and EPSA of every division with forms missing after a reporting "
        "period's deadline (at most once a day). Queues a task; --now sends at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="send here instead of queueing")

    def handle(self, *args, **options):
        if options["now"]:
            sent = services.send_reminders()
            self.stdout.write(f"{sent} reminder(s) sent.")
        else:
            result = send_snapshot_reminders_task.enqueue()
            self.stdout.write(f"Reminder task queued ({result.id}).")
