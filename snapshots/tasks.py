"""Background work for snapshots: large imports and deadline reminders."""

from django_tasks import task

from . import services


@task()
def import_snapshot_task(job_id):
    """Validate and store a large upload; the job page shows its progress meanwhile."""
    return services.run_import(job_id)


@task()
def send_snapshot_reminders_task():
    """E-mail divisions with forms missing after a period's deadline; returns how many were sent."""
    return services.send_reminders()


@task()
def fail_stale_imports_task():
    """Mark failed the imports whose worker died (no progress for SNAPSHOT_STALE_JOB_MINUTES) or
    that no worker took (queued for SNAPSHOT_QUEUED_JOB_MINUTES)."""
    return services.fail_stale_jobs()
