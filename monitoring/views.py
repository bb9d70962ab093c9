"""The monitoring and evaluation dashboard in the Wagtail admin, with its exports.

GET parameters: `quarter=YYYY-Qn` or `start`/`end` (YYYY-MM-DD) for the period (the current
quarter by default), `division=<slug>` to narrow a regional view to one division, and
`format=csv|xlsx|pdf` for a file instead of the page.
"""

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from guard.spreadsheets import XLSX_CONTENT_TYPE
from stats.charts import bar_chart

from . import exports
from .access import monitoring_scope
from .figures import EVENTS, build_report
from .periods import BadPeriod, period_from, recent_quarters

FORMATS = {"csv", "xlsx", "pdf"}


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "monitoring/dashboard.html"
    page_title = gettext_lazy("Monitoring and evaluation")
    header_icon = "time"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        scope = monitoring_scope(request.user)
        if scope.is_empty:
            # A 403 on the page (Wagtail would turn PermissionDenied into a redirect home).
            refused = _(
                "Monitoring is for regional ALS personnel, the system administrator, EPSAs and "
                "division ALS focal persons."
            )
            return self.render_to_response(self.get_context_data(refused=refused), status=403)
        try:
            period = period_from(request.GET)
        except BadPeriod as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
        export = request.GET.get("format", "")
        if export and export not in FORMATS:
            return HttpResponseBadRequest(
                _("Unknown format: choose csv, xlsx or pdf."),
                content_type="text/plain; charset=utf-8",
            )
        divisions = list(scope.divisions().order_by("name"))
        division = _chosen_division(request.GET.get("division", ""), divisions)
        report = build_report(scope, period, division=division)
        office = _office_label(scope, division, divisions)
        if export:
            return _file(report, export, office, division)
        context = self.get_context_data(
            period=period,
            quarters=recent_quarters(),
            divisions=divisions if len(divisions) > 1 else [],
            division=division,
            office=office,
            report=report,
            tables=report.tables,
            charts=_charts(report),
            # Reports from readers (errata) are added here by other apps through
            # figures.SECTIONS_HOOK; this app does not know them.
            reader_reports=report.reader_reports,
            query=_query(period, division),
        )
        return self.render_to_response(context)


def _chosen_division(slug, divisions):
    """The division asked for, if the user may monitor it; another division is not found (404)."""
    if not slug:
        return None
    for division in divisions:
        if division.slug == slug:
            return division
    raise Http404(_("No such division in your scope."))


def _office_label(scope, division, divisions):
    if division is not None:
        return _("%(division)s Schools Division Office") % {"division": division.name}
    if not scope.is_global and not scope.region_ids and len(divisions) == 1:
        return _("%(division)s Schools Division Office") % {"division": divisions[0].name}
    regions = ", ".join(str(region.name) for region in scope.regions())
    return _("%(region)s Regional Office") % {"region": regions}


def _query(period, division):
    query = period.query()
    return f"{query}&division={division.slug}" if division is not None else query


def _charts(report):
    """Server-rendered charts (stats.charts) of the main figures."""
    flow = report.tables["flow"]
    received, returned = str(EVENTS[0][1]), str(EVENTS[-1][1])
    rate = report.tables["on_time"]
    reasons = report.tables["reasons_by_division"]
    return {
        "received": bar_chart(
            _("Received, by office"),
            [(row[0], value) for row, value in zip(flow.rows, flow.column(received), strict=True)],
            unit=_("submissions"),
        ),
        "returned": bar_chart(
            _("Returned, by office"),
            [(row[0], value) for row, value in zip(flow.rows, flow.column(returned), strict=True)],
            unit=_("submissions"),
        ),
        "on_time": bar_chart(
            _("On-time rate (%), by office and step"),
            [(f"{row[0]} — {row[1]}", row[4]) for row in rate.rows],
            unit="%",
        ),
        "reasons": bar_chart(
            _("Return reasons, most frequent first"),
            [(row[0], row[-1]) for row in reasons.rows[:10]],
            unit=_("returns"),
        ),
    }


def _file(report, kind, office, division):
    name = f"als-mis-monitoring-{division.slug + '-' if division else ''}{report.period.slug}"
    if kind == "csv":
        response = HttpResponse(exports.as_csv(report), content_type="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = HttpResponse(exports.as_xlsx(report), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(exports.as_pdf(report, office), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
