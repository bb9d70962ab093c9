"""The public page tree every installation needs: Home, with Resources and CLMD beneath it."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, GroupPagePermission, Locale, Page, Site

from cms.models import ClmdPage, DirectoryPage, IssuancesIndexPage, ResourcesIndexPage
from home.models import HomePage
from organisation.models import Role
from organisation.roles import group_for

HOME_INTRO = (
    "<p>The Alternative Learning System Management Information System of DepEd's Cordillera "
    "Administrative Region: quality-assured learning resources made by ALS teachers, research, "
    "learner success stories and learner statistics, in one place.</p>"
)
RESOURCES_INTRO = (
    "<p>Teacher-made learning resources, research and success stories that passed division and "
    "regional quality assurance. Everything here is free to read and download.</p>"
)
CLMD_INTRO = (
    "<p>The Curriculum and Learning Management Division (CLMD) of the Regional Office owns the "
    "ALS MIS. It quality-assures learning resources, consolidates the divisions' ALS data and "
    "publishes what the public may see.</p>"
)
ISSUANCES_INTRO = (
    "<p>DepEd orders and memoranda on the Alternative Learning System, and the blank ALS forms "
    "(AF1 to AF5 of DepEd Order 58, s. 2017) to download.</p>"
)
DIRECTORY_INTRO = (
    "<p>ALS personnel of the Regional Office and of each schools division. Only the details each "
    "person agreed to publish are shown.</p>"
)


@transaction.atomic
def ensure_site_structure():
    """Create (once) the home page as the default site's root, and Resources and CLMD under it.

    Every run also gives the default site the address in ALSMIS_PUBLIC_URL.
    """
    _ensure_root()
    home = HomePage.objects.first()
    created = home is None
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial migration leaves a plain "Welcome" page holding the slug "home".
        for welcome in root.get_children().filter(content_type__model="page", numchild=0):
            welcome.delete()
        home = root.add_child(
            instance=HomePage(title="ALS MIS", slug="home", intro=HOME_INTRO, seo_title="ALS MIS")
        )
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        _scheme, site.hostname, site.port = public_address()
        site.root_page = home
        site.site_name = "ALS MIS"
        site.save()
    moved = set_site_address()
    sections = [ResourcesIndexPage, ClmdPage, IssuancesIndexPage, DirectoryPage]
    created = created or not all(model.objects.exists() for model in sections)
    if not ResourcesIndexPage.objects.exists():
        home.add_child(
            instance=ResourcesIndexPage(
                title="Resources",
                slug="resources",
                intro=RESOURCES_INTRO,
                show_in_menus=True,
                search_description="Quality-assured ALS learning resources, research and success stories.",
            )
        )
    if not ClmdPage.objects.exists():
        home.add_child(
            instance=ClmdPage(
                title="CLMD",
                slug="clmd",
                intro=CLMD_INTRO,
                show_in_menus=True,
                office_address="DepEd Regional Office, Wangal, La Trinidad, Benguet",
                search_description="The Curriculum and Learning Management Division and ALS statistics.",
            )
        )
    if not IssuancesIndexPage.objects.exists():
        home.add_child(
            instance=IssuancesIndexPage(
                title="Issuances and Forms",
                slug="issuances",
                intro=ISSUANCES_INTRO,
                show_in_menus=True,
                search_description="ALS memoranda and orders, and the blank ALS forms (AF1 to AF5).",
            )
        )
    if not DirectoryPage.objects.exists():
        home.add_child(
            instance=DirectoryPage(
                title="ALS Directory",
                slug="directory",
                intro=DIRECTORY_INTRO,
                show_in_menus=True,
                search_description="Who to contact about ALS in each schools division.",
            )
        )
    grant_page_permissions(home)
    # Pages added here are live without a publish signal, and a new address changes every
    # page's canonical link: purge every cached page then (cms.purge).
    if created or moved:
        from cms.purge import site_changed

        site_changed()
    return home


def public_address():
    """(scheme, hostname, port) of `settings.ALSMIS_PUBLIC_URL`, the site's public address."""
    parts = urlsplit(settings.ALSMIS_PUBLIC_URL)
    scheme = parts.scheme or "https"
    return scheme, parts.hostname or "localhost", parts.port or (443 if scheme == "https" else 80)


def absolute_url(path):
    """`path` on the site's public address: the same link whatever host a request came in on.

    Used where a cached response (the HTTP cache in front) or a harvester needs a full URL, so
    that it never carries the host name or scheme of whichever request happened to render it.
    """
    return settings.ALSMIS_PUBLIC_URL.rstrip("/") + "/" + path.lstrip("/")


def set_site_address():
    """Give the default Wagtail site the host and port of ALSMIS_PUBLIC_URL (idempotent).

    Wagtail builds every page's full URL from them (canonical links, public_url, the sitemap);
    port 443 makes those URLs https, 80 http. Returns whether anything changed.
    """
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return False
    _scheme, hostname, port = public_address()
    if (site.hostname, site.port) == (hostname, port):
        return False
    site.hostname, site.port = hostname, port
    site.save(update_fields=["hostname", "port"])
    return True


# Regional ALS personnel edit and publish the public sections; the system administrator all pages.
PAGE_PERMISSIONS = {
    Role.REGIONAL_ALS: {
        IssuancesIndexPage: ["add", "change", "publish"],
        DirectoryPage: ["change", "publish"],
        ResourcesIndexPage: ["change", "publish"],
        ClmdPage: ["change", "publish"],
    },
    Role.SYSTEM_ADMINISTRATOR: {HomePage: ["add", "change", "publish", "lock", "unlock"]},
}


def grant_page_permissions(home):
    """Give the roles that edit the public site their Wagtail page permissions (idempotent)."""
    for role, grants in PAGE_PERMISSIONS.items():
        group = group_for(role)
        for page_type, actions in grants.items():
            page = home if page_type is HomePage else page_type.objects.first()
            if page is None:
                continue
            for action in actions:
                permission = Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=f"{action}_page"
                )
                GroupPagePermission.objects.get_or_create(
                    group=group, page=page, permission=permission
                )


def _ensure_root():
    """Recreate Wagtail's root page, root collection and default locale if a flush removed them.

    They come from Wagtail's data migrations, which a flush (e.g. after a live-server test) erases.
    """
    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    locale, _created = Locale.objects.get_or_create(language_code=language)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
