"""The staff statistics dashboard in the Wagtail admin, scope-filtered, exportable as CSV/xlsx."""

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from openpyxl import Workbook
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from guard.spreadsheets import XLSX_CONTENT_TYPE, neutralise
from organisation.scope import scope_for
from snapshots.models import ReportingPeriod

from . import queries
from .charts import chart_for_table


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "stats/dashboard.html"
    page_title = _("ALS statistics")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_period(self):
        periods = list(queries.periods_with_data("AF3")) or list(ReportingPeriod.objects.all())
        wanted = self.request.GET.get("period")
        for period in periods:
            if str(period.pk) == wanted:
                return period, periods
        return (periods[-1] if periods else None), periods

    def get(self, request, *args, **kwargs):
        period, periods = self.get_period()
        scope = scope_for(request.user)
        data = queries.dashboard(period, scope) if period else {"tables": [], "flt_means": {}}
        export = request.GET.get("format")
        if export in ("csv", "xlsx") and period:
            return export_tables(data["tables"], period, export)
        context = self.get_context_data(
            period=period,
            periods=periods,
            tables=[(t, chart_for_table(t)) for t in data["tables"]],
            flt_means=data["flt_means"],
            scope_note=None if scope.is_global else _("Figures cover your own units only."),
        )
        return self.render_to_response(context)


def export_tables(tables, period, kind):
    """Every dashboard table, as one CSV (tables one after another) or one xlsx sheet each."""
    filename = f"als-statistics-{period.code}.{kind}"
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        for table in tables:
            writer.writerow([table.title])
            writer.writerow(
                [table.row_header, *table.columns, *(["Total"] if table.additive else [])]
            )
            for label, values, total in table.rows_with_totals():
                writer.writerow(
                    [neutralise(str(label)), *values, *([total] if table.additive else [])]
                )
            writer.writerow([])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook(write_only=True)
        for table in tables:
            sheet = workbook.create_sheet(title=table.key[:31])
            sheet.append([table.title])
            sheet.append([table.row_header, *table.columns, *(["Total"] if table.additive else [])])
            for label, values, total in table.rows_with_totals():
                sheet.append(
                    [neutralise(str(label)), *values, *([total] if table.additive else [])]
                )
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
