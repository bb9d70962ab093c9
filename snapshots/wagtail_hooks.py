from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from organisation.dashboard import MY_TASKS_HOOK, SHORTCUTS_HOOK
from organisation.scope import scope_for

from . import admin_urls, dashboard
from .models import ReportingPeriod
from .views import can_see_deadlines

hooks.register(MY_TASKS_HOOK, dashboard.my_tasks)
hooks.register(SHORTCUTS_HOOK, dashboard.shortcuts)


@hooks.register("register_admin_urls")
def register_snapshot_urls():
    return [path("snapshots/", include(admin_urls, namespace="snapshots"))]


class ScopedMenuItem(MenuItem):
    """Shown to anyone with a role somewhere (the views themselves filter by scope)."""

    def is_shown(self, request):
        return request.user.is_superuser or not scope_for(request.user).is_empty


class DeadlinesMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_deadlines(request.user)


class ReportingPeriodViewSet(ModelViewSet):
    model = ReportingPeriod
    icon = "date"
    menu_label = _("Reporting periods")
    add_to_admin_menu = False
    form_fields = ["code", "cycle", "start_year", "phase", "deadline", "forms"]
    list_display = ["__str__", "code", "deadline"]


reporting_period_viewset = ReportingPeriodViewSet("reporting_periods")


@hooks.register("register_admin_viewset")
def register_reporting_periods():
    return reporting_period_viewset


@hooks.register("register_admin_menu_item")
def register_snapshots_menu():
    items = [
        ScopedMenuItem(_("Snapshots"), reverse("snapshots:index"), icon_name="table", order=100),
        ScopedMenuItem(_("Upload"), reverse("snapshots:upload"), icon_name="upload", order=110),
        DeadlinesMenuItem(
            _("Deadlines"), reverse("snapshots:deadlines"), icon_name="date", order=120
        ),
        reporting_period_viewset.get_menu_item(order=130),
    ]
    return SubmenuMenuItem(_("ALS forms"), Menu(items=items), icon_name="table", order=350)


@hooks.register("register_log_actions")
def register_snapshot_log_actions(actions):
    for name, label in (
        ("import", _("Rows imported")),
        ("submit", _("Submitted")),
        ("accept", _("Accepted")),
        ("return", _("Returned")),
        ("reopen", _("Reopened")),
        ("consolidate", _("Consolidated")),
        ("export", _("Exported")),
    ):
        actions.register_action(f"snapshots.{name}", label, label)
