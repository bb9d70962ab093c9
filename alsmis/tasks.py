"""Background tasks shared by the whole project."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject, body, recipients):
    """Send one plain-text email from the worker, so a slow mail server never slows a request."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return 0
    return send_mail(subject, body, None, recipients, fail_silently=False)


@task()
def recover_tasks_task():
    """Re-queue or fail the tasks a dead worker left running (alsmis/task_recovery.py); returns
    how many of each."""
    from .task_recovery import recover_stale_tasks

    outcome = recover_stale_tasks()
    return {"requeued": len(outcome["requeued"]), "failed": len(outcome["failed"])}


@task()
def publish_scheduled_task():
    """Wagtail's `publish_scheduled`: publish the page revisions whose go-live time has come and
    unpublish the pages whose expiry time has passed."""
    from django.core.management import call_command

    call_command("publish_scheduled")
