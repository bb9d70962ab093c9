"""Background tasks of the public site."""

from django_tasks import task


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
