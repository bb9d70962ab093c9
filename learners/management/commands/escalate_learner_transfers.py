"""Hand unanswered learner transfer requests to the region. Schedule daily (cron, systemd timer)."""

from django.core.management.base import BaseCommand

from learners.tasks import escalate_learner_transfers_task
from learners.transfers import answer_days, escalate_overdue


class Command(BaseCommand):
    help = (
        "Escalate to regional ALS personnel every learner transfer request that the learner's "
        "division left unanswered for LEARNER_TRANSFER_ANSWER_DAYS days. Run daily. Queues a task; "
        "--now escalates here instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="escalate here instead of queueing")

    def handle(self, *args, **options):
        if options["now"]:
            count = escalate_overdue()
            self.stdout.write(
                f"{count} transfer request(s) unanswered after {answer_days()} days escalated."
            )
        else:
            result = escalate_learner_transfers_task.enqueue()
            self.stdout.write(f"Escalation task queued ({result.id}).")
