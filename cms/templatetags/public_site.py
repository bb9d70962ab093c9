"""Template tags of the public site: the header menu, the Resources facets and results."""

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext
from wagtail.models import Site

register = template.Library()


@dataclass(frozen=True)
class MenuSection:
    """A section of the site in the header menu."""

    title: str
    url: str
    # The section page's tree path: pages below it start with it (the menu's current item).
    path: str


@register.simple_tag(takes_context=True)
def site_sections(context):
    """The live sections of the current site shown in menus, for the header's navigation."""
    request = context.get("request")
    site = Site.find_for_request(request)
    if site is None:
        return []
    return [
        MenuSection(title=page.title, url=page.get_url(request), path=page.path)
        for page in site.root_page.get_children().live().in_menu()
    ]


@register.simple_tag(takes_context=True)
def resources_url(context):
    """The URL of the live Resources page, where a search box sends its words; "" if none."""
    from cms.models import ResourcesIndexPage

    page = ResourcesIndexPage.objects.live().public().first()
    return page.get_url(context.get("request")) if page else ""


@register.simple_tag
def facet_sections(facets):
    """The Resources facets: for each, its heading and the list of its values, each a link
    that adds (or removes) it with its count.

    Written here rather than as template loops, with the standard library's `html.escape`
    (what Django's `escape` does, without its lazy-string checks): a search page has about
    sixty links, and as template loops, then as `format_html`, they were a third of the page's
    rendering.
    """
    removes = f'<span class="visually-hidden">{escape(gettext("Remove filter:"))} </span>'
    sections = []
    for key, label, entries in facets:
        key = escape(key)
        links = "\n".join(
            f'<li><a href="{escape(entry["url"])}"'
            + (f' aria-current="true" class="selected">{removes}' if entry["selected"] else ">")
            + f'{escape(str(entry["label"]))} <span class="count">'
            f"({escape(str(entry['count_display']))})</span></a></li>"
            for entry in entries
        )
        sections.append(
            f'<section class="facet">\n<h3 id="facet-{key}">{escape(str(label))}</h3>\n'
            f'<ul aria-labelledby="facet-{key}">\n{links}\n</ul>\n</section>'
        )
    return mark_safe("\n".join(sections))  # every value above is escaped


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
