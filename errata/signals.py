"""The corrected version of an item goes public with its correction note (on `publish`)."""

from django.dispatch import receiver
from django_fsm.signals import post_transition

from .services import correction_published


@receiver(post_transition, dispatch_uid="errata.correction_on_publish")
def correction_on_publish(sender, instance, name, source, target, **kwargs):
    """A Journey's `publish` closes the correction under way for its submission, if any.

    Runs inside the workflow's transaction, like the publication itself (cms.signals): if the
    publication is refused, the correction stays open."""
    if sender._meta.label != "workflow.Journey" or kwargs.get("exception") is not None:
        return
    if name == "publish":
        correction_published(instance.submission)
