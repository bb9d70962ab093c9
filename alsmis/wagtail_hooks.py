"""The staff pages as the system's own: nothing in the admin points to or loads from another site.

Wagtail's help menu links to its editor guide and release notes on wagtail.org; those entries are
dropped (the keyboard shortcuts stay). Avatars (WAGTAIL_GRAVATAR_PROVIDER_URL = None), the
release check and the "what's new" banner are off in the settings; the sign-in page, window
titles and logo carry WAGTAIL_SITE_NAME (templates/wagtailadmin/).
"""

from urllib.parse import urlsplit

from wagtail import hooks


def _leaves_the_site(item):
    url = getattr(item, "url", "") or ""
    return bool(urlsplit(url).netloc)


@hooks.register("construct_help_menu")
def keep_help_on_this_site(request, menu_items):
    """Drop the help menu's links to other sites (Wagtail's guide and release notes)."""
    menu_items[:] = [item for item in menu_items if not _leaves_the_site(item)]
