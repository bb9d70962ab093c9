"""What runs on a schedule: the one list `manage.py run_scheduler` enqueues from (alsmis/scheduler.py).

Each job is a django-tasks task (run by `manage.py db_worker`) with a crontab expression in
TIME_ZONE, and the management command that queues the same task by hand (most take `--now` to do
the work in the command instead). Deployments move a job with `SCHEDULER_CRON` (JSON,
`{"verify_files": "0 3 * * *"}`) and switch one off with `SCHEDULER_JOBS_OFF` (comma-separated
names), e.g. when cron already runs it.

Not listed: `backup DIR` (pg_dump and a copy of every object, to be copied off the machine: a
systemd timer, deploy/systemd/alsmis-backup.timer) and one-off commands after a deploy.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


def _verify_files_kwargs():
    # None checks every file each night; N spreads a large repository over N nights.
    return {"older_than_days": settings.VERIFY_FILES_OLDER_THAN_DAYS}


@dataclass(frozen=True)
class ScheduledJob:
    """One entry of the schedule."""

    name: str
    task: str  # dotted path of a django-tasks task
    cron: str  # minute hour day-of-month month day-of-week (by name: sun, mon-fri), TIME_ZONE
    command: str  # the manage.py command that queues the same task by hand
    description: str
    kwargs: Callable[[], dict] = dict  # the task's keyword arguments, read when it is enqueued

    def get_task(self):
        """The django-tasks Task object."""
        return import_string(self.task)


SCHEDULE = [
    ScheduledJob(
        name="recover_tasks",
        task="alsmis.tasks.recover_tasks_task",
        cron="*/5 * * * *",
        command="recover_tasks",
        description="Re-queue or fail the tasks a dead worker left running",
    ),
    ScheduledJob(
        name="fail_stale_imports",
        task="snapshots.tasks.fail_stale_imports_task",
        cron="*/5 * * * *",
        command="fail_stale_imports",
        description="Fail snapshot imports whose worker died or that no worker took",
    ),
    ScheduledJob(
        name="publish_scheduled",
        task="alsmis.tasks.publish_scheduled_task",
        cron="*/10 * * * *",
        command="publish_scheduled",
        description="Publish and unpublish pages whose go-live or expiry time has come (Wagtail)",
    ),
    ScheduledJob(
        name="verify_files",
        task="repository.tasks.verify_files_task",
        cron="30 1 * * *",
        command="verify_files",
        description="Check stored files against their SHA-256 and mail the problems",
        kwargs=_verify_files_kwargs,
    ),
    ScheduledJob(
        name="sweep_uploads",
        task="uploads.tasks.sweep_abandoned_uploads_task",
        cron="20 * * * *",
        command="sweep_uploads",
        description="Abort resumable uploads left unfinished past UPLOADS_ABANDON_AFTER_HOURS",
    ),
    ScheduledJob(
        name="escalate_learner_transfers",
        task="learners.tasks.escalate_learner_transfers_task",
        cron="15 6 * * *",
        command="escalate_learner_transfers",
        description="Hand unanswered learner transfer requests to regional ALS personnel",
    ),
    ScheduledJob(
        name="send_snapshot_reminders",
        task="snapshots.tasks.send_snapshot_reminders_task",
        cron="0 7 * * *",
        command="send_snapshot_reminders",
        description="Mail divisions with AF forms missing after a period's deadline",
    ),
]


def active_jobs():
    """The schedule with this deployment's SCHEDULER_CRON and SCHEDULER_JOBS_OFF applied."""
    names = {job.name for job in SCHEDULE}
    overrides = settings.SCHEDULER_CRON
    off = set(settings.SCHEDULER_JOBS_OFF)
    unknown = sorted((set(overrides) | off) - names)
    if unknown:
        raise ImproperlyConfigured(
            f"SCHEDULER_CRON / SCHEDULER_JOBS_OFF name unknown jobs: {', '.join(unknown)} "
            f"(the jobs are {', '.join(sorted(names))})."
        )
    jobs = [
        replace(job, cron=overrides.get(job.name, job.cron))
        for job in SCHEDULE
        if job.name not in off
    ]
    for job in jobs:
        check_cron(job)
    return jobs


def check_cron(job):
    """Refuse a crontab APScheduler 3 would read differently from cron: it numbers the days of
    the week from Monday (0 = Monday, cron's 0 = Sunday), so days are given by name."""
    fields = job.cron.split()
    if len(fields) != 5:
        raise ImproperlyConfigured(
            f"The schedule of {job.name} ({job.cron!r}) needs five fields: minute hour "
            "day-of-month month day-of-week."
        )
    if re.search(r"\d", fields[4]):
        raise ImproperlyConfigured(
            f"The schedule of {job.name} ({job.cron!r}) numbers the day of the week; name it "
            "instead (sun, mon-fri): numbers mean different days in cron and APScheduler."
        )
