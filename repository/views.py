"""The File fixity report in the admin: what the last checks found, for system administrators."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from organisation.models import Role
from organisation.scope import assignments_for

from .models import FixityCheck, SubmissionFile


def may_see_fixity(user):
    """Superusers and system administrators; nobody else sees where files are stored."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or bool(assignments_for(user, Role.SYSTEM_ADMINISTRATOR))


class FixityReportView(WagtailAdminTemplateMixin, TemplateView):
    """Counts by result, files never checked, and every file whose last check failed."""

    template_name = "repository/fixity_report.html"
    page_title = gettext_lazy("File fixity")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not may_see_fixity(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": None, "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        counts = dict(FixityCheck.objects.values_list("result").annotate(n=Count("pk")).order_by())
        span = FixityCheck.objects.aggregate(oldest=Min("checked_at"), newest=Max("checked_at"))
        results = [(label, counts.get(value, 0)) for value, label in FixityCheck.Result.choices]
        problems = (
            FixityCheck.objects.exclude(result=FixityCheck.Result.OK)
            .select_related("submission_file")
            .order_by("result", "submission_file_id")
        )
        return super().get_context_data(
            results=results,
            never_checked=SubmissionFile.objects.filter(fixity__isnull=True).count(),
            oldest=span["oldest"],
            newest=span["newest"],
            problems=problems,
            **kwargs,
        )
