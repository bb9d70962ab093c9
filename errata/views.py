"""The reviewer's screens in the Wagtail admin: the reports of their region, and one report
with its triage (dismiss with a note, or send the item back for a correction)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from organisation.scope import scope_for
from workflow.exceptions import WorkflowError

from . import services
from .forms import TriageForm
from .models import Status


def may_use(user):
    """Whether the user is in any region's LR QA pool (or a superuser)."""
    scope = scope_for(user, [services.TRIAGE_ROLE])
    return scope.is_global or bool(scope.region_ids)


class ErrataAdminView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": None, "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not may_use(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReportListView(ErrataAdminView):
    """New reports first, then the rest of the region's, newest first."""

    template_name = "errata/admin/reports.html"
    page_title = gettext_lazy("Problems reported by readers")

    def get(self, request):
        reports = services.reports_visible_to(request.user)
        context = {
            "new_reports": list(reports.filter(status=Status.NEW).order_by("created_at")),
            "other_reports": list(reports.exclude(status=Status.NEW)[:200]),
        }
        return self.render_to_response(self.get_context_data(**context))


class ReportDetailView(ErrataAdminView):
    """One report: what the reader said, the page and file version, and the triage."""

    template_name = "errata/admin/report.html"
    page_title = gettext_lazy("Problem reported by a reader")

    def report(self, pk):
        # Outside the user's regions a report is a 404: its existence does not leak.
        return get_object_or_404(services.reports_visible_to(self.request.user), pk=pk)

    def render(self, report, form=None, status=200, error=""):
        open_correction = report.submission.corrections.filter(published_at__isnull=True).first()
        context = {
            "report": report,
            "form": form or TriageForm(),
            "may_triage": report.status == Status.NEW
            and services.may_triage(self.request.user, report.submission),
            "open_correction": open_correction,
            "error": error,
        }
        return self.render_to_response(self.get_context_data(**context), status=status)

    def get(self, request, pk):
        return self.render(self.report(pk))

    def post(self, request, pk):
        report = self.report(pk)
        form = TriageForm(request.POST)
        if not form.is_valid():
            return self.render(report, form, 400, _("Choose an action."))
        data = form.cleaned_data
        try:
            if data["action"] == "dismiss":
                services.dismiss(request.user, report, data["note"])
                messages.success(request, _("Report dismissed."))
            else:
                services.open_correction(
                    request.user, report, public_note=data["public_note"], message=data["note"]
                )
                messages.success(request, _("The item is sent back for a correction."))
        except services.TriageRefused as exc:
            return self.render(report, form, exc.status_code, exc.message)
        except WorkflowError as exc:
            return self.render(report, form, exc.status_code, exc.message)
        return redirect("errata:report", pk=report.pk)
