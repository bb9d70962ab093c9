"""Public file downloads and previews of published resources.

A file is served only while it is a current file of a live, publicly viewable resource page;
anything else (a draft, a withdrawn item, an older version, a guessed UUID) is a 404.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django.views.i18n import set_language

from cms.models import PublicFile, ResourcePage
from guard.storage_errors import storage_guard
from repository.previews import render_pdf_page

PREVIEW_WIDTH = 640


def _servable(file_uuid):
    """The PublicFile with this UUID if the public may have it now, else Http404."""
    public_file = (
        PublicFile.objects.select_related("submission_file")
        .filter(uuid=file_uuid, is_current=True)
        .first()
    )
    if public_file is None:
        raise Http404("No such file.")
    if not ResourcePage.objects.live().public().filter(pk=public_file.page_id).exists():
        raise Http404("No such file.")
    return public_file


@require_safe
def public_file(request, file_uuid, name):
    """Stream a public file from storage with its sniffed type, and count the download."""
    public_file = _servable(file_uuid)
    if name != public_file.name:
        return redirect(public_file.get_absolute_url(), permanent=True)
    with storage_guard("public download"):
        handle = public_file.submission_file.file.open("rb")
    # Counted once the file could be opened: a failed download is not a download.
    if request.method == "GET":
        PublicFile.objects.filter(pk=public_file.pk).update(download_count=F("download_count") + 1)
    response = FileResponse(
        handle,
        content_type=public_file.mime_type,
        as_attachment=True,
        filename=public_file.name,
    )
    response["Content-Length"] = str(public_file.size)
    response["X-Content-Type-Options"] = "nosniff"
    # Never let a proxy keep a copy: a withdrawn file must stop being served at once.
    response["Cache-Control"] = "no-cache"
    return response


def render_pdf_preview(fileobj, width=PREVIEW_WIDTH):
    """PNG bytes of the first page of a PDF, `width` pixels wide (repository.previews, which
    the staff's submission page draws its pages with too)."""
    return render_pdf_page(fileobj, 1, width, optimize=True)


@require_safe
def file_preview(request, file_uuid):
    """The first page of a public PDF as a PNG, rendered once and then kept in storage."""
    public_file = _servable(file_uuid)
    if not public_file.is_pdf:
        raise Http404("No preview for this file.")
    if not public_file.preview:
        with storage_guard("preview"):
            handle = public_file.submission_file.file.open("rb")
        with handle:
            try:
                png = render_pdf_preview(handle)
            except Exception as error:  # a damaged PDF has no preview, but must not be a 500
                raise Http404("This PDF cannot be previewed.") from error
        with storage_guard("preview"):
            public_file.preview.save(f"{public_file.uuid.hex}.png", ContentFile(png), save=False)
        PublicFile.objects.filter(pk=public_file.pk).update(preview=public_file.preview.name)
        return HttpResponse(png, content_type="image/png")
    with storage_guard("preview"):
        handle = public_file.preview.open("rb")
    return FileResponse(handle, content_type="image/png")


@csrf_exempt
def switch_language(request):
    """Django's set_language, with the language prefix taken off `next` first.

    Unprefixed URLs are English here (prefix_default_language=False), so Django alone would
    read "/fil/resources/" as an English page called "fil/resources" and keep the prefix when
    switching back. Exempt from CSRF so public pages carry no per-visitor token and can be cached
    whole; the worst a forged request can do is change the visitor's interface language.
    """
    source = request.POST if request.method == "POST" else request.GET
    next_url = source.get("next")
    if next_url:
        for code, _name in settings.LANGUAGES:
            prefix = f"/{code}/"
            if next_url.startswith(prefix):
                next_url = "/" + next_url[len(prefix) :]
                break
        mutable = source.copy()
        mutable["next"] = next_url
        if request.method == "POST":
            request.POST = mutable
        else:
            request.GET = mutable
    return set_language(request)
