"""The Atom feed of newly published resources at /resources/feed/.

Summaries are written by submitters, so they go out as `type="text"`: a feed reader shows them
as typed and never renders markup in them (Django's Atom feed sends descriptions as
`type="html"`, which a reader unescapes once and then renders).
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from cms.models import ResourcePage
from cms.site_setup import absolute_url

FEED_SIZE = 50


class PlainTextSummaryAtomFeed(Atom1Feed):
    """Atom 1.0 with each entry's summary as plain text instead of HTML."""

    def add_item_elements(self, handler, item):
        summary = item.get("description")
        super().add_item_elements(handler, {**item, "description": None})
        if summary:
            handler.addQuickElement("summary", summary, {"type": "text"})


class NewResourcesFeed(Feed):
    """The latest published learning resources, research and success stories (newest first)."""

    feed_type = PlainTextSummaryAtomFeed
    title = _("ALS MIS: new resources")
    subtitle = _("Quality-assured ALS learning resources, research and success stories.")

    # Absolute links on the site's public address, not the requesting host: the HTTP cache in
    # front serves one copy of the feed to every reader.
    def link(self):
        return absolute_url("/resources/")

    def feed_url(self):
        return absolute_url(reverse("resources_feed"))

    def items(self):
        return ResourcePage.objects.live().public().order_by("-first_published_at")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.full_url

    def item_guid(self, item):
        return item.full_url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.authors or item.origin_name

    def item_categories(self, item):
        return [item.kind_label]
