"""Wagtail hooks of the public site: unpublishing an item is the workflow's withdrawal, every
served page tells the HTTP cache policy (`cms.http_cache`) its type, and the submission page shows
what publishing would make public (the workflow may not import the public site, so it asks
through the `submission_publication_preview` hook).

An editor may unpublish a published resource page from the page editor, as Wagtail users
expect; the submission then goes to "withdrawn" with the editor as the actor, so the page, the
submission's journey and its history agree. Someone who may not withdraw the submission in the
workflow may not unpublish its page either.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from cms.http_cache import mark_page
from cms.models import ResourcePage

WITHDRAW = "withdraw"


def _items_leaving(request, page):
    """The live resource pages this unpublish takes off the site, with a published journey."""
    from workflow.models import State

    pages = ResourcePage.objects.live().filter(pk=page.pk)
    if request.POST.get("include_descendants"):
        pages = pages | ResourcePage.objects.live().descendant_of(page)
    published = State.PUBLISHED
    return [
        item
        for item in pages.select_related("submission__journey")
        if getattr(item.submission, "journey", None) and item.submission.journey.state == published
    ]


@hooks.register("before_unpublish_page")
def refuse_unpublish_without_withdraw_right(request, page):
    """Only someone who may withdraw every affected submission may unpublish its page."""
    from workflow.services import available_transitions

    items = _items_leaving(request, page)
    refused = [
        item
        for item in items
        if WITHDRAW not in available_transitions(request.user, item.submission)
    ]
    if refused:
        messages.error(
            request,
            _(
                "“%(title)s” can only be taken off the public site by someone who may withdraw "
                "its submission (regional ALS personnel)."
            )
            % {"title": refused[0].title},
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    request.alsmis_items_leaving = [item.pk for item in items]
    return None


@hooks.register("after_unpublish_page")
def withdraw_unpublished_items(request, page):
    """Record the withdrawal of each submission whose page was just unpublished."""
    from workflow.services import perform_transition

    for item in ResourcePage.objects.filter(
        pk__in=getattr(request, "alsmis_items_leaving", []), live=False
    ).select_related("submission"):
        perform_transition(
            request.user,
            item.submission,
            WITHDRAW,
            comment=_("Unpublished in the page editor."),
        )
    return None


class PublicationPreview(Component):
    """On the submission page, above the Publish button: the public page as publication would
    fill it, and which files become public and which stay private (`publication_preview`)."""

    template_name = "cms/publication_preview.html"

    def __init__(self, submission):
        self.submission = submission

    def get_context_data(self, parent_context=None):
        from cms.publication import publication_preview

        return {"preview": publication_preview(self.submission)}


@hooks.register("submission_publication_preview")
def preview_publication(submission):
    """The workflow's submission page asks the public site what publishing would show."""
    return PublicationPreview(submission)


@hooks.register("before_serve_page")
def mark_page_type_for_caches(page, request, serve_args, serve_kwargs):
    """Tell `cms.http_cache` which kind of page answers, for its `Cache-Control`."""
    mark_page(page, request)
