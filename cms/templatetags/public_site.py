"""Template tags of the public site: the header menu, the Resources facet links and results."""

from functools import lru_cache

from django import template
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
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
    """One search result's list item: its title linked, kind, origin, date and summary.

    Written here rather than as an included template, and kept once per process for the same
    fields in the same language (`item` is a frozen `cms.search.ResultRow`, so any change to
    what the entry shows is another entry): a results page has twenty, and rendering them
    through the template engine took a sixth of a new search's time.
    """
    return _rendered_entry(item, translation.get_language())


# As many as the rows the facet index remembers (cms.search.REMEMBERED_ROWS): about 1 kB each
# with the row it is keyed on, so at most about 20 MB.
@lru_cache(maxsize=20_000)
def _rendered_entry(item, language):
    dated = ""
    if item.date_published:
        dated = format_html(
            ' · <time datetime="{}">{}</time>', item.date_published.isoformat(), item.date_display
        )
    summary = ""
    if item.summary:
        # As the truncatewords filter does.
        summary = format_html("<p>{}</p>", Truncator(item.summary).words(40, truncate=" …"))
    return format_html(
        '<li class="result">\n<h3><a href="{}">{}</a></h3>\n'
        '<p class="meta"><span class="badge">{}</span> {}{}</p>\n{}</li>',
        item.url,
        item.title,
        item.kind_label,
        item.origin_name,
        dated,
        summary,
    )
