"""The scheduler: enqueues each job of alsmis/schedule.py as a django-tasks task when it is due.

`manage.py run_scheduler` runs APScheduler's BlockingScheduler with one CronTrigger per job; the
task worker (`manage.py db_worker`) then runs the tasks. The scheduler only enqueues, so a slow
job never delays another and a job runs wherever the worker runs.

Exactly once per due time ("slot"), even with two schedulers running (two machines, or a second
one started by mistake): `enqueue_once` inserts a `ScheduledRun(job, slot)` row, unique on the
pair, and enqueues the task in the same transaction. The second scheduler's insert waits for the
first's commit and fails; it enqueues nothing. The slot is the job's latest cron time at or before
now, computed from the trigger, so two schedulers agree on it whenever each fires.

At start, each job's latest slot of the last day is enqueued if nobody enqueued it yet: a
scheduler that was down at 01:30 runs the nightly fixity check when it comes back, once.
"""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from .models import ScheduledRun
from .schedule import active_jobs

logger = logging.getLogger(__name__)

# A slot older than this is not run any more (the job waits for its next time).
CATCH_UP = timedelta(days=1)
# ScheduledRun rows are only needed while two schedulers could still fire the same slot.
KEEP_RUNS = timedelta(days=8)


def trigger_for(job):
    """The job's CronTrigger, in the site's time zone."""
    return CronTrigger.from_crontab(job.cron, timezone=ZoneInfo(settings.TIME_ZONE))


def latest_slot(trigger, now):
    """The trigger's latest fire time at or before `now` (None if there is none within a year).

    The window looked back doubles from one minute until it holds a fire time, so a five-minute
    job costs a few steps and a daily one a dozen."""
    window = timedelta(minutes=1)
    while window <= timedelta(days=366):
        slot = trigger.get_next_fire_time(None, now - window)
        if slot is not None and slot <= now:
            while True:
                following = trigger.get_next_fire_time(slot, slot)
                if following is None or following > now:
                    return slot
                slot = following
        window *= 2
    return None


def enqueue_once(job, slot):
    """Enqueue `job`'s task for `slot` unless some scheduler already did; returns the task result,
    or None when the slot was taken."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
        except IntegrityError:
            logger.info("scheduled job %s for %s: already enqueued", job.name, slot.isoformat())
            return None
        result = job.get_task().enqueue(**job.kwargs())
        run.task_result_id = str(result.id)
        run.save(update_fields=["task_result_id"])
    logger.info(
        "scheduled job %s for %s: enqueued as task %s", job.name, slot.isoformat(), result.id
    )
    return result


def fire(job, now=None):
    """Enqueue `job` for its latest due slot (at most CATCH_UP old), once; returns the task result
    or None. Called by the scheduler at each cron time, and for every job when it starts."""
    now = now or timezone.now()
    slot = latest_slot(trigger_for(job), now)
    if slot is None or now - slot > CATCH_UP:
        return None
    result = enqueue_once(job, slot)
    ScheduledRun.objects.filter(slot__lt=now - KEEP_RUNS).delete()
    return result


def _run(job):
    # The scheduler's thread keeps its database connection between runs: drop it when it has
    # expired or broke (database restarted), as Django does around each request.
    close_old_connections()
    try:
        fire(job)
    finally:
        close_old_connections()


def catch_up(jobs=None):
    """Enqueue each job's latest slot of the last day that nobody enqueued (at start)."""
    for job in jobs or active_jobs():
        _run(job)


def build_scheduler(scheduler_class=BlockingScheduler, jobs=None):
    """An APScheduler scheduler with one CronTrigger job per scheduled job (not started)."""
    scheduler = scheduler_class(
        timezone=ZoneInfo(settings.TIME_ZONE),
        # Enqueueing takes milliseconds: one thread, one database connection.
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(CATCH_UP.total_seconds()),
        },
    )
    for job in jobs or active_jobs():
        scheduler.add_job(_run, trigger=trigger_for(job), args=[job], id=job.name, name=job.name)
    return scheduler
