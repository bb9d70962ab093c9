"""Signal receivers of the public site: publication on workflow transitions, and cache purges."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_fsm.signals import post_transition
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.cache import purge_for_page_change, purge_public_cache, purge_whole_site
from cms.models import DirectoryEntry
from cms.search import refresh_search_document


@receiver(post_transition, dispatch_uid="cms.publish_on_transition")
def publish_on_transition(sender, instance, name, source, target, **kwargs):
    """Publish or withdraw the public page when a Journey takes `publish` or `withdraw`.

    Runs inside the workflow's transaction: raising here (e.g. PublicationRefused) rolls the
    transition back. The acting user comes from the transition call's `by=` keyword.
    """
    if sender._meta.label != "workflow.Journey" or kwargs.get("exception") is not None:
        return
    if name not in ("publish", "withdraw"):
        return
    from cms.publication import publish_submission, withdraw_submission

    user = (kwargs.get("method_kwargs") or {}).get("by")
    if name == "publish":
        publish_submission(instance.submission, user=user)
    else:
        withdraw_submission(instance.submission, user=user)


# Anything that changes what anonymous visitors see purges stored pages (cms.cache): listings
# on every change, item pages only when the site around them changes.
def _is_resource(page):
    from cms.models import ResourcePage

    return isinstance(page, ResourcePage)


def _purge_for_page(page):
    if _is_resource(page):
        purge_public_cache()
    else:
        purge_for_page_change()


# Every publish (publication's and an editor's in the admin, whose revision carries the vector of
# the text it was opened with) rewrites the page's search vector from its published fields.
page_published.connect(refresh_search_document, dispatch_uid="cms.search_document")


@receiver(page_published, dispatch_uid="cms.purge_on_publish")
def purge_on_publish(sender, instance, **kwargs):
    _purge_for_page(instance)
    if _is_resource(instance):
        from django.db import transaction

        from cms.cache import store_enabled
        from cms.tasks import render_public_page

        if store_enabled():
            # Render the new page ahead of its first visitor, once the publish has committed.
            transaction.on_commit(lambda: render_public_page.enqueue(instance.pk))


@receiver(page_unpublished, dispatch_uid="cms.purge_on_unpublish")
def purge_on_unpublish(sender, instance, **kwargs):
    _purge_for_page(instance)


@receiver(post_page_move, dispatch_uid="cms.purge_on_move")
def purge_on_move(**kwargs):
    # Every URL below the moved page changed.
    purge_whole_site()


@receiver(post_save, sender=DirectoryEntry, dispatch_uid="cms.purge_on_directory_save")
@receiver(post_delete, sender=DirectoryEntry, dispatch_uid="cms.purge_on_directory_delete")
def purge_on_directory_change(**kwargs):
    purge_public_cache()


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="cms.purge_on_restriction_save")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="cms.purge_on_restriction_del")
@receiver(post_save, sender=Site, dispatch_uid="cms.purge_on_site_save")
@receiver(post_delete, sender=Site, dispatch_uid="cms.purge_on_site_delete")
def purge_on_access_or_site_change(**kwargs):
    # A restriction hides pages (and their descendants) from anonymous visitors at once.
    purge_whole_site()


@receiver(post_delete, dispatch_uid="cms.purge_on_page_delete")
def purge_on_page_delete(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(sender, type) and issubclass(sender, Page):
        _purge_for_page(instance)


def _stamp_for_harvesters(sender, instance, **kwargs):
    """Record when a resource page was last published or withdrawn (the OAI-PMH datestamp)."""
    from django.utils import timezone

    from cms.models import ResourcePage

    if isinstance(instance, ResourcePage):
        ResourcePage.objects.filter(pk=instance.pk).update(oai_datestamp=timezone.now())


page_published.connect(_stamp_for_harvesters, dispatch_uid="cms.oai_stamp_publish")
page_unpublished.connect(_stamp_for_harvesters, dispatch_uid="cms.oai_stamp_unpublish")
