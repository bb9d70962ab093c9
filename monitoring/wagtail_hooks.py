"""Wagtail admin registrations of monitoring: the dashboard's URL, its menu item and the
dashboard shortcut, for the roles that monitor (monitoring.access)."""

from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from organisation.dashboard import SHORTCUTS_HOOK, Shortcut

from .access import may_monitor
from .views import DashboardView


@hooks.register("register_admin_urls")
def register_monitoring_urls():
    return [path("monitoring/", DashboardView.as_view(), name="monitoring_dashboard")]


class MonitoringMenuItem(MenuItem):
    def is_shown(self, request):
        return may_monitor(request.user)


@hooks.register("register_admin_menu_item")
def register_monitoring_menu():
    return MonitoringMenuItem(
        gettext_lazy("Monitoring"), reverse("monitoring_dashboard"), icon_name="time", order=370
    )


@hooks.register(SHORTCUTS_HOOK)
def monitoring_shortcut(user):
    """The dashboard's "Monitoring and evaluation" link, for those who may open it."""
    if not may_monitor(user):
        return []
    url = reverse("monitoring_dashboard")
    return [Shortcut(_("Monitoring and evaluation"), url, "time", 500, "monitoring")]
