"""Template tags of the public site: the header menu, the Resources facet links and results."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from wagtail.models import Site

from cms import routing

register = template.Library()


@register.simple_tag(takes_context=True)
def site_sections(context):
    """The live sections of the current site shown in menus, for the header's navigation."""
    request = context.get("request")
    return routing.menu_sections(request, Site.find_for_request(request))


@register.simple_tag
def facet_links(entries):
    """The list items of one facet's values: a link that adds (or removes) it, and its count.

    Written here rather than as a template loop: a search page has about sixty of them, and
    the loop took a third of the page's rendering.
    """
    removes = format_html('<span class="visually-hidden">{} </span>', gettext("Remove filter:"))
    selected = mark_safe(' aria-current="true" class="selected"')
    return format_html_join(
        "\n",
        '<li><a href="{}"{}>{}{} <span class="count">({})</span></a></li>',
        (
            (
                entry["url"],
                selected if entry["selected"] else "",
                removes if entry["selected"] else "",
                entry["label"],
                entry["count_display"],
            )
            for entry in entries
        ),
    )


@register.simple_tag
def result_entry(item):
    """One search result's list item (cms/includes/result_entry.html).

    Rendered once per process for the same fields in the same language: `item` is a frozen
    `cms.search.ResultRow`, so any change to what the entry shows is another entry.
    """
    return _rendered_entry(item, translation.get_language())


# Popular items appear in many searches; 4,096 entries are about 2 MB.
@lru_cache(maxsize=4096)
def _rendered_entry(item, language):
    return render_to_string("cms/includes/result_entry.html", {"item": item})
