"""The public "Report a problem" form of a published item (the errata app files the report).

No account: a honeypot field and the shared per-address rate limit (ERRATA_REPORT_RATE) keep
robots out without a CAPTCHA service. The form is never kept by a shared cache (`never_cache`,
and it is not in cms/http_cache.py's POLICIES; its CSRF cookie makes it private anyway), so
every report reaches the application and counts against the limit.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cms.models import ResourcePage
from errata import services as errata
from errata.forms import ReportForm
from errata.throttle import ReportThrottle

TEMPLATE = "cms/report_problem.html"


def _live_item(page_id):
    page = ResourcePage.objects.live().public().filter(pk=page_id).first()
    if page is None:
        raise Http404("No such item.")
    return page.specific


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report_problem(request, page_id):
    """GET: the form. POST: file the report (201 page), or say why not (400, 429)."""
    page = _live_item(page_id)
    files = list(page.public_files().select_related("submission_file"))
    offered = [(str(f.submission_file_id), f.name) for f in files]
    context = {"page": page, "item_url": page.get_url(request)}
    if request.method != "POST":
        main = next((f for f in files if f.role == "main"), None)
        initial = {"file": str(main.submission_file_id)} if main else {}
        context["form"] = ReportForm(files_offered=offered, initial=initial)
        return render(request, TEMPLATE, context)

    form = ReportForm(request.POST, files_offered=offered)
    context["form"] = form
    throttle = ReportThrottle()
    if not throttle.allow_request(request):
        context["error"] = _(
            "Too many reports were sent from your connection. Please try again later."
        )
        response = render(request, TEMPLATE, context, status=429)
        response["Retry-After"] = str(int(throttle.wait()))
        return response
    if form.is_robot():
        context["error"] = _(
            "The report was not sent: a field meant to stay empty was filled in. "
            "If you are a person, clear it and send again."
        )
        return render(request, TEMPLATE, context, status=400)
    if not form.is_valid():
        context["error"] = _("The report was not sent. Please correct the marked fields.")
        return render(request, TEMPLATE, context, status=400)
    data = form.cleaned_data
    chosen = next((f for f in files if str(f.submission_file_id) == data["file"]), None)
    errata.file_report(
        submission=page.submission,
        page_id=page.pk,
        page_url=page.full_url or page.get_url(request),
        page_title=page.title,
        submission_file=chosen.submission_file if chosen else None,
        category=data["category"],
        description=data["description"],
        email=data["email"],
    )
    context["sent"] = True
    context["form"] = None
    return render(request, TEMPLATE, context, status=201)
