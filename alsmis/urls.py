from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.images.views.serve import ServeView as ImageServeView

from accounts.views import LogoutView
from alsmis.health import healthz
from api.api import api
from cms.feeds import NewResourcesFeed
from cms.oai import oai_pmh
from cms.report_views import report_problem
from cms.views import file_preview, public_file, switch_language
from credentials import public_views as credentials_public
from credentials import verify_views as credentials_verify

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # logging out ends the session for GET too (accounts/views.py), so it
    # comes before Wagtail's own /admin/logout/.
    path("admin/logout/", LogoutView.as_view(), name="alsmis_logout"),
    path("admin/", include(wagtailadmin_urls)),
    path("api/v1/", api.urls),
    path("documents/", include(wagtaildocs_urls)),
    # The language switcher (cms/views.py: CSRF-exempt, so public pages can be cached whole).
    path("i18n/setlang/", switch_language, name="set_language"),
    path("sitemap.xml", sitemap, name="sitemap"),
    # Public site (cms): file downloads and previews of published resources, feed, OAI-PMH, images.
    path("resources/files/<uuid:file_uuid>/<str:name>", public_file, name="public_file"),
    path("resources/previews/<uuid:file_uuid>.png", file_preview, name="public_file_preview"),
    path("resources/feed/", NewResourcesFeed(), name="resources_feed"),
    path("oai/", oai_pmh, name="oai_pmh"),
    # Open Badges 3.0 (credentials/public_views.py): the issuer's did:web document, each award
    # as a signed credential and the revocation status list; one address each, no language.
    path(".well-known/did.json", credentials_public.did_document, name="credentials_did"),
    path(
        "verify/<str:code>/credential.json",
        credentials_public.award_credential,
        name="credentials_award_json",
    ),
    path(
        "credentials/status/<int:list_id>",
        credentials_public.status_list,
        name="credentials_status_list",
    ),
    re_path(
        r"^images/([^/]*)/(\d*)/([^/]*)/[^/]*$",
        ImageServeView.as_view(action="serve"),
        name="wagtailimages_serve",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif getattr(settings, "ALSMIS_SERVE_FILES", False):
    # `make serve` (alsmis.settings.serve): no nginx in front to serve the collected static
    # files and local media; production leaves this to nginx.
    from django.views.static import serve

    urlpatterns += [
        re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_ROOT}),
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

# Wagtail's page serving comes last: it matches every remaining path.
urlpatterns += i18n_patterns(
    # Public certificate checks (credentials/verify_views.py): /verify/ and /fil/verify/.
    path("verify/", credentials_verify.verify_form, name="verify_form"),
    path("verify/<str:code>/", credentials_verify.verify_award, name="verify_award"),
    # A reader's "Report a problem" form of a published item (cms/report_views.py, errata/).
    path("report-a-problem/<int:page_id>/", report_problem, name="report_problem"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
