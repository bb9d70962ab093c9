"""The public page tree every installation needs: Home, with Resources and CLMD beneath it."""

from django.db import transaction
from wagtail.models import Page, Site

from cms.models import ClmdPage, ResourcesIndexPage
from home.models import HomePage

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


@transaction.atomic
def ensure_site_structure():
    """Create (once) the home page as the default site's root, and Resources and CLMD under it."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial migration leaves a plain "Welcome" page holding the slug "home".
        for welcome in root.get_children().filter(content_type__model="page", numchild=0):
            welcome.delete()
        home = root.add_child(
            instance=HomePage(title="ALS MIS", slug="home", intro=HOME_INTRO, seo_title="ALS MIS")
        )
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        site.hostname = site.hostname or "localhost"
        site.port = site.port or 80
        site.root_page = home
        site.site_name = "ALS MIS"
        site.save()
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
    return home
