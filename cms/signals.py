"""Signal receivers of the public site: publication on workflow transitions, search vectors,
OAI-PMH datestamps, and every purge of the HTTP cache in front (`cms.purge`)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_fsm.signals import post_transition
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms import purge
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


# Cache purges: every event that alters what visitors see calls `cms.purge`, which purges the HTTP
# cache in front once the change commits. Only the two commands that change pages without
# Wagtail's signals (`setup_site`, `update_search_documents`) call it themselves.
def _is_resource(page):
    from cms.models import ResourcePage

    return isinstance(page, ResourcePage)


def _purge_for_page(page):
    # An item shows only itself; any other page is a section, whose title and place are in
    # every page's menu and breadcrumb.
    if _is_resource(page):
        purge.item_changed(page)
    else:
        purge.site_changed()


# Every publish (publication's and an editor's in the admin, whose revision carries the vector of
# the text it was opened with) rewrites the page's search vector from its published fields.
page_published.connect(refresh_search_document, dispatch_uid="cms.search_document")


@receiver(page_published, dispatch_uid="cms.purge_on_publish")
def purge_on_publish(sender, instance, **kwargs):
    """Publishing a new revision (the workflow's publish, or an edit published in the admin)."""
    _purge_for_page(instance)


@receiver(page_unpublished, dispatch_uid="cms.purge_on_unpublish")
def purge_on_unpublish(sender, instance, **kwargs):
    """Withdrawal, unpublishing in the admin, or a scheduled expiry."""
    _purge_for_page(instance)


@receiver(post_page_move, dispatch_uid="cms.purge_on_move")
def purge_on_move(**kwargs):
    # Every URL below the moved page changed.
    purge.site_changed()


@receiver(post_save, sender=DirectoryEntry, dispatch_uid="cms.purge_on_directory_save")
@receiver(post_delete, sender=DirectoryEntry, dispatch_uid="cms.purge_on_directory_delete")
def purge_on_directory_change(**kwargs):
    purge.directory_changed()


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="cms.purge_on_restriction_save")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="cms.purge_on_restriction_del")
@receiver(post_save, sender=Site, dispatch_uid="cms.purge_on_site_save")
@receiver(post_delete, sender=Site, dispatch_uid="cms.purge_on_site_delete")
def purge_on_access_or_site_change(**kwargs):
    # A restriction hides pages (and their descendants) from anonymous visitors at once.
    purge.site_changed()


@receiver(post_delete, dispatch_uid="cms.purge_on_page_delete")
def purge_on_page_delete(sender, instance, **kwargs):
    from wagtail.models import Page

    # Sent once per table of the page's type; the base table's is enough.
    if sender is Page:
        purge.site_changed()


@receiver(post_transition, dispatch_uid="cms.purge_on_snapshot_review")
def purge_on_snapshot_review(sender, instance, name, source, target, **kwargs):
    """A snapshot accepted (its figures join the public statistics) or reopened.

    The snapshots app knows nothing of the public site: this listens to django-fsm's signal.
    """
    if sender._meta.label != "snapshots.Snapshot" or kwargs.get("exception") is not None:
        return
    from snapshots.models import State

    if name == "reopen" or State.ACCEPTED in (source, target):
        purge.statistics_changed()


@receiver(post_transition, dispatch_uid="cms.purge_on_credential_change")
def purge_on_credential_change(sender, instance, name, source, target, **kwargs):
    """A batch of awards issued, an award revoked or replaced by a re-issue.

    Issuing and revoking change the micro-credential counts on the CLMD page; revoking and
    replacing change what the award's verification page says. Like the snapshots, the
    credentials app knows nothing of the public site: this listens to django-fsm's signal.
    """
    if kwargs.get("exception") is not None:
        return
    label = sender._meta.label
    if label == "credentials.AwardBatch" and name == "issue":
        purge.statistics_changed()
    elif label == "credentials.Award" and name in ("revoke", "replace"):
        purge.award_changed(instance.code, counted=name == "revoke")


def _stamp_for_harvesters(sender, instance, **kwargs):
    """Record when a resource page was last published or withdrawn (the OAI-PMH datestamp)."""
    from django.utils import timezone

    from cms.models import ResourcePage

    if isinstance(instance, ResourcePage):
        ResourcePage.objects.filter(pk=instance.pk).update(oai_datestamp=timezone.now())


page_published.connect(_stamp_for_harvesters, dispatch_uid="cms.oai_stamp_publish")
page_unpublished.connect(_stamp_for_harvesters, dispatch_uid="cms.oai_stamp_unpublish")
