"""Staff views in the Wagtail admin: list, upload, import progress, review, export, deadlines."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from guard.spreadsheets import XLSX_CONTENT_TYPE
from guard.storage_errors import StorageUnavailable
from learners.models import LearnerAccessLog
from organisation.models import Division, Role
from organisation.scope import scope_for

from . import exporter, forms_spec, services
from .forms import ActionForm, ConsolidateForm, PeriodChoiceForm, UploadForm
from .models import Form, Level, RegistryFinding, ReportingPeriod, State


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("snapshots:index"), "label": _("Snapshots")},
            {"url": "", "label": self.get_page_title()},
        ]


class SnapshotIndexView(AdminPage):
    template_name = "snapshots/index.html"
    page_title = _("ALS form snapshots")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("Snapshots")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = services.visible_snapshots(self.request.user)
        form = self.request.GET.get("form")
        state = self.request.GET.get("state")
        period = self.request.GET.get("period")
        if form in Form.values:
            queryset = queryset.filter(form=form)
        if state in State.values:
            queryset = queryset.filter(state=state)
        if period and period.isdigit():
            queryset = queryset.filter(period_id=int(period))
        context.update(
            snapshots=queryset[:300],
            forms=Form.choices,
            states=State.choices,
            periods=ReportingPeriod.objects.all(),
            selected={"form": form, "state": state, "period": period},
            jobs=services.visible_jobs(self.request.user)[:10],
            template_forms=list(forms_spec.FORMS),
        )
        return context


class SnapshotDetailView(AdminPage):
    template_name = "snapshots/detail.html"

    def get_snapshot(self):
        queryset = services.visible_snapshots(self.request.user)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_page_title(self):
        return str(self.snapshot)

    def dispatch(self, request, *args, **kwargs):
        self.snapshot = self.get_snapshot()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshot = self.snapshot
        user = self.request.user
        may_export = services.may_export(user, snapshot)
        preview = None
        if may_export and snapshot.row_count:
            preview = services.preview(
                snapshot, user, self.request.GET.get("page"), LearnerAccessLog.Channel.ADMIN
            )
        context.update(
            snapshot=snapshot,
            summary=services.summary_tables(snapshot),
            registry=services.registry_summary(snapshot),
            error_count=services.import_errors(snapshot),
            preview=preview,
            review_route=review_route(snapshot.level, snapshot.division, str(snapshot.unit)),
            own_submission=services.is_own_submission(user, snapshot),
            actions=services.available_actions(self.request.user, snapshot),
            versions=services.visible_snapshots(self.request.user)
            .filter(
                form=snapshot.form,
                period=snapshot.period,
                division=snapshot.division,
                district=snapshot.district,
            )
            .order_by("-version"),
            sources=snapshot.consolidated_from.select_related("district"),
            superseded=services.is_superseded(snapshot),
            action_form=ActionForm(),
            may_export=may_export,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ActionForm(request.POST)
        if form.is_valid():
            try:
                # The saved snapshot, not refresh_from_db(): django-fsm's refresh of a protected
                # state flips a flag every thread shares (see workflow.services._reload_journey).
                self.snapshot = services.transition(
                    self.snapshot,
                    form.cleaned_data["action"],
                    request.user,
                    form.cleaned_data["comments"],
                )
            except (services.SnapshotError, PermissionDenied) as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("%(snapshot)s is now %(state)s.")
                    % {
                        "snapshot": self.snapshot,
                        "state": self.snapshot.get_state_display().lower(),
                    },
                )
        return redirect("snapshots:detail", pk=self.snapshot.pk)


class RegistryReportView(SnapshotDetailView):
    """The registry check's findings, paged: a 404 outside the viewer's snapshots, a 403 for
    those who see the snapshot but not its learner rows."""

    template_name = "snapshots/registry.html"
    http_method_names = ["get", "head", "options"]

    def get_page_title(self):
        return _("Registry check of %(snapshot)s") % {"snapshot": self.snapshot}

    def get_breadcrumbs_items(self):
        items = super().get_breadcrumbs_items()
        detail = {
            "url": reverse("snapshots:detail", args=[self.snapshot.pk]),
            "label": str(self.snapshot),
        }
        return [*items[:-1], detail, items[-1]]

    def get(self, request, *args, **kwargs):
        if not services.may_export(request.user, self.snapshot):
            # A 403 on the page (Wagtail would turn PermissionDenied into a redirect home).
            context = AdminPage.get_context_data(self, snapshot=self.snapshot)
            context["refused"] = _("Seeing learner-level rows needs a learner-data role.")
            return self.render_to_response(context, status=403)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = AdminPage.get_context_data(self, **kwargs)
        report = services.registry_report(
            self.snapshot,
            self.request.user,
            self.request.GET.get("page"),
            self.request.GET.get("kind", ""),
            LearnerAccessLog.Channel.ADMIN,
        )
        context.update(
            snapshot=self.snapshot,
            registry=services.registry_summary(self.snapshot),
            report=report,
            kinds=RegistryFinding.Kind.choices,
        )
        return context


class SnapshotExportView(View):
    def get(self, request, pk):
        snapshot = get_object_or_404(services.visible_snapshots(request.user), pk=pk)
        if not services.may_export(request.user, snapshot):
            raise PermissionDenied
        content = services.export_workbook(snapshot, request.user, LearnerAccessLog.Channel.ADMIN)
        unit = snapshot.district.code if snapshot.district else snapshot.division.slug
        return xlsx_response(
            content, f"{snapshot.form}-{unit}-{snapshot.period.code}-v{snapshot.version}.xlsx"
        )


class TemplateDownloadView(View):
    def get(self, request, form):
        if form not in forms_spec.FORMS:
            raise Http404
        return xlsx_response(exporter.template_workbook(form), f"{form}-template.xlsx")


def person(user):
    """How a colleague is named on a page: their full name, else their username."""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class ReviewRoute:
    """Who reviews the uploads for some units: "Districts of Benguet: the division's EPSA or ALS
    focal person (names)"."""

    units: str
    roles: str
    people: list


def review_route(level, division, units):
    roles, users = services.reviewers(level, division)
    return ReviewRoute(
        units=units,
        roles=_(" or ").join(str(Role(role).label) for role in roles),
        people=[person(user) for user in users],
    )


def review_routes(user):
    """Who will review an upload, for each kind of unit this user may upload for (the review
    rule of services.reviewers, so the upload form says what will happen)."""
    division_scope = scope_for(user, services.UPLOAD_ROLES[Level.DIVISION])
    district_scope = scope_for(user, services.UPLOAD_ROLES[Level.DISTRICT])
    routes = []
    for division in Division.objects.select_related("region").order_by("name"):
        if division_scope.covers_division(division):
            units = _("%(division)s (division)") % {"division": division.name}
            routes.append(review_route(Level.DIVISION, division, units))
        if any(district_scope.covers_district(d) for d in division.districts.all()):
            units = _("Districts of %(division)s") % {"division": division.name}
            routes.append(review_route(Level.DISTRICT, division, units))
    return routes


class UploadView(AdminPage):
    template_name = "snapshots/upload.html"
    page_title = _("Upload a snapshot")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A task's link ("AF1 of Benguet is missing") names the form, period and unit; nothing
        # else is chosen for the user.
        initial = {
            key: self.request.GET[key]
            for key in ("form", "period", "unit")
            if self.request.GET.get(key)
        }
        context.setdefault("form", UploadForm(user=self.request.user, initial=initial))
        context["template_forms"] = list(forms_spec.FORMS)
        context["review_routes"] = review_routes(self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            division, district = services.resolve_unit(data["unit"])
            job = services.start_import(
                request.user,
                form=data["form"],
                period=data["period"],
                division=division,
                district=district,
                upload=data["file"],
                original_name=data["file"].name,
            )
        except (services.SnapshotError, PermissionDenied) as error:
            form.add_error("file", str(error))
            return self.render_to_response(self.get_context_data(form=form))
        except StorageUnavailable as error:
            # Nothing was saved (no job, no object): the form again, with the outage said on it.
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=503)
        return redirect("snapshots:job", pk=job.pk)


class JobView(AdminPage):
    template_name = "snapshots/job.html"

    def get_page_title(self):
        return str(self.job)

    def dispatch(self, request, *args, **kwargs):
        # A job whose worker died shows as failed (and can be run again) within minutes.
        services.fail_stale_jobs()
        self.job = get_object_or_404(services.visible_jobs(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        """Run the job again (the "Run again" button of a job that stopped unexpectedly)."""
        try:
            services.run_again(request.user, self.job)
        except (services.SnapshotError, PermissionDenied) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The import runs again."))
        return redirect("snapshots:job", pk=self.job.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        errors = self.job.errors or []
        context.update(
            job=self.job,
            errors=errors[:200],
            more_errors=max(0, len(errors) - 200),
            may_run_again=self.job.can_run_again
            and services.can_upload(self.request.user, self.job.division, self.job.district),
        )
        return context


class JobErrorsView(View):
    def get(self, request, pk):
        job = get_object_or_404(services.visible_jobs(request.user), pk=pk)
        if not job.errors:
            raise Http404
        return xlsx_response(
            exporter.error_report_workbook(job.errors), f"{job.form}-errors-{job.pk}.xlsx"
        )


class ConsolidateView(AdminPage):
    template_name = "snapshots/consolidate.html"
    page_title = _("Consolidate district snapshots")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ConsolidateForm(user=self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        form = ConsolidateForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            snapshot = services.consolidate(
                request.user, data["division"], data["form"], data["period"]
            )
        except (services.SnapshotError, PermissionDenied) as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            ngettext(
                "%(snapshot)s holds %(count)s row.",
                "%(snapshot)s holds %(count)s rows.",
                snapshot.row_count,
            )
            % {"snapshot": snapshot, "count": snapshot.row_count},
        )
        return redirect("snapshots:detail", pk=snapshot.pk)


class DeadlinesView(AdminPage):
    template_name = "snapshots/deadlines.html"
    page_title = _("Snapshot deadlines")
    header_icon = "date"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeriodChoiceForm(self.request.GET or None)
        period = form.cleaned_data["period"] if form.is_valid() else ReportingPeriod.objects.first()
        scope = scope_for(self.request.user)
        divisions = [d for d in Division.objects.order_by("name") if scope.covers_division(d)]
        if not divisions and not scope.is_empty:
            divisions = list(scope.divisions())
        context.update(
            form=form,
            period=period,
            board=services.deadline_board(period, divisions) if period else [],
            forms=period.forms_due() if period else [],
        )
        return context


def can_see_deadlines(user):
    roles = [Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR, Role.EPSA, Role.DIVISION_FOCAL]
    return user.is_superuser or not scope_for(user, roles).is_empty
