"""manage.py run_scheduler: enqueue the scheduled jobs (alsmis/schedule.py) when they are due."""

import contextlib
import signal

from django.core.management.base import BaseCommand
from django.utils import timezone

from alsmis.schedule import active_jobs
from alsmis.scheduler import build_scheduler, catch_up, latest_slot, trigger_for


def _when(moment):
    return f"{moment:%Y-%m-%d %H:%M %Z}" if moment else "-"


class Command(BaseCommand):
    help = (
        "Run the scheduler: enqueue each job of alsmis/schedule.py as a task for the task worker "
        "(manage.py db_worker) at its cron time, once per time even with two schedulers. Runs "
        "until stopped (Ctrl-C, SIGTERM). --list prints the jobs and their next times."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="print the schedule and exit")

    def handle(self, *args, **options):
        jobs = active_jobs()
        if options["list"]:
            now = timezone.now()
            for job in jobs:
                trigger = trigger_for(job)
                upcoming = trigger.get_next_fire_time(None, now)
                self.stdout.write(
                    f"{job.name:<28} {job.cron:<14} next {_when(upcoming)}  "
                    f"last due {_when(latest_slot(trigger, now))}  {job.task}"
                )
            return
        scheduler = build_scheduler(jobs=jobs)
        # systemd stops services with SIGTERM: stop between runs instead of in the middle of one.
        signal.signal(signal.SIGTERM, lambda signum, frame: scheduler.shutdown(wait=False))
        self.stdout.write(f"Scheduler started: {len(jobs)} job(s); Ctrl-C stops it.")
        catch_up(jobs)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C under `make run`
            scheduler.start()
