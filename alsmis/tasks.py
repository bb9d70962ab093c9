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
