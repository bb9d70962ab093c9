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
def render_public_page(page_id):
    """Render one published item's page in every language into the page store."""
    from cms.models import ResourcePage
    from cms.prerender import render_item_pages

    return render_item_pages(ResourcePage.objects.filter(pk=page_id))


@task()
def render_public_pages():
    """Render every published item page that the page store lacks (after a site-wide change)."""
    from cms.models import ResourcePage
    from cms.prerender import render_item_pages

    return render_item_pages(ResourcePage.objects.all())
