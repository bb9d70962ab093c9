"""The Atom feed of newly published resources at /resources/feed/."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from cms.models import ResourcePage

FEED_SIZE = 50


class NewResourcesFeed(Feed):
    """The latest published learning resources, research and success stories (newest first)."""

    feed_type = Atom1Feed
    title = _("ALS MIS: new resources")
    subtitle = _("Quality-assured ALS learning resources, research and success stories.")
    link = "/resources/"

    def items(self):
        return ResourcePage.objects.live().public().order_by("-first_published_at")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

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
