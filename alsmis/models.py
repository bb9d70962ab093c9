"""Project-wide records: which scheduled job was enqueued for which time (alsmis/scheduler.py)."""

from django.db import models


class ScheduledRun(models.Model):
    """One scheduled job enqueued for one of its times ("slot").

    The unique (job, slot) pair is the lock: two schedulers that fire the same job for the same
    time both try to insert it, one wins and enqueues the task in the same transaction, the other
    gets an IntegrityError and enqueues nothing.
    """

    job = models.CharField(max_length=100)
    slot = models.DateTimeField(help_text="The time the job was due (its cron time).")
    # The django-tasks result id (django_tasks_db's DBTaskResult) of the enqueued task.
    task_result_id = models.CharField(max_length=64, blank=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_job_and_slot")
        ]
        indexes = [models.Index(fields=["slot"])]

    def __str__(self):
        return f"{self.job} at {self.slot:%Y-%m-%d %H:%M}"
