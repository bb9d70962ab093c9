"""The public page types: the Resources index and the CLMD office page."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


class ResourcesIndexPage(Page):
    """Resources: everything the region has published (learning resources, research, stories)."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["home.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("resources index page")


class ClmdPage(Page):
    """The Curriculum and Learning Management Division's office page, owner of the ALS MIS."""

    intro = RichTextField(_("introduction"), blank=True)
    body = RichTextField(_("about the office"), blank=True)
    office_address = models.CharField(_("office address"), max_length=255, blank=True)
    office_email = models.EmailField(_("office email"), blank=True)
    office_phone = models.CharField(_("office phone"), max_length=60, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("office_address"), FieldPanel("office_email"), FieldPanel("office_phone")],
            heading=_("Contact"),
        ),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["home.HomePage"]
    max_count = 1

    class Meta:
        verbose_name = _("CLMD office page")
