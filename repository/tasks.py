"""Background work for the repository: the scheduled file fixity check."""

from django_tasks import task

from . import fixity


@task()
def verify_files_task(older_than_days=None):
    """Check stored files against their recorded SHA-256 and mail the problems; returns a summary."""
    report = fixity.verify_files(older_than_days)
    fixity.email_report(report)
    return report.summary()
