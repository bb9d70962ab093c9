"""Signal receivers of the public site: publication on workflow transitions, and cache purges."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_fsm.signals import post_transition
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.cache import purge_public_cache
from cms.models import DirectoryEntry


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


# Anything that changes what anonymous visitors see purges the page cache.
page_published.connect(purge_public_cache, dispatch_uid="cms.purge_on_publish")
page_unpublished.connect(purge_public_cache, dispatch_uid="cms.purge_on_unpublish")
post_page_move.connect(purge_public_cache, dispatch_uid="cms.purge_on_move")


@receiver(post_save, sender=DirectoryEntry, dispatch_uid="cms.purge_on_directory_save")
@receiver(post_delete, sender=DirectoryEntry, dispatch_uid="cms.purge_on_directory_delete")
def purge_on_directory_change(**kwargs):
    purge_public_cache()


@receiver(post_delete, dispatch_uid="cms.purge_on_page_delete")
def purge_on_page_delete(sender, **kwargs):
    from wagtail.models import Page

    if isinstance(sender, type) and issubclass(sender, Page):
        purge_public_cache()


def _stamp_for_harvesters(sender, instance, **kwargs):
    """Record when a resource page was last published or withdrawn (the OAI-PMH datestamp)."""
    from django.utils import timezone

    from cms.models import ResourcePage

    if isinstance(instance, ResourcePage):
        ResourcePage.objects.filter(pk=instance.pk).update(oai_datestamp=timezone.now())


page_published.connect(_stamp_for_harvesters, dispatch_uid="cms.oai_stamp_publish")
page_unpublished.connect(_stamp_for_harvesters, dispatch_uid="cms.oai_stamp_unpublish")
