from django.core.management.base import BaseCommand, CommandError

from repository import fixity
from repository.tasks import verify_files_task


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every stored submission file (or those not checked for N days) "
        "and report missing and changed objects in the admin and by email to the system "
        "administrators. Queues a task; --now checks here and prints every problem. "
        "Schedule daily (e.g. with --older-than-days 7 to spread a large repository over a week)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            metavar="N",
            help="only files not checked in the last N days (default: every file)",
        )
        parser.add_argument("--now", action="store_true", help="check here instead of queueing")

    def handle(self, *args, **options):
        days = options["older_than_days"]
        if days is not None and days < 0:
            raise CommandError("--older-than-days must be 0 or more.")
        if not options["now"]:
            result = verify_files_task.enqueue(older_than_days=days)
            self.stdout.write(f"File fixity task queued ({result.id}).")
            return

        verbosity = options["verbosity"]

        def progress(check):
            if check.result != check.Result.OK:
                self.stdout.write(self.style.ERROR(fixity.describe(check)))
            elif verbosity >= 2:
                self.stdout.write(fixity.describe(check))

        report = fixity.verify_files(days, progress=progress)
        sent = fixity.email_report(report)
        self.stdout.write(report.summary())
        if sent:
            self.stdout.write(f"Problems mailed to the system administrators ({sent} message).")
