"""Admin wiring: the errata URLs, the "Reader reports" menu item, My tasks, the monitoring
report's section."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from organisation.dashboard import MY_TASKS_HOOK

from . import dashboard, stats, urls, views

hooks.register(MY_TASKS_HOOK, dashboard.my_tasks)
# The monitoring report's "Reports from readers" table; the hook name is monitoring's contract
# (monitoring.figures.SECTIONS_HOOK), so errata need not import it.
hooks.register("register_monitoring_sections", stats.monitoring_sections)


@hooks.register("register_admin_urls")
def register_errata_urls():
    return [path("errata/", include(urls, namespace="errata"))]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_use(request.user)


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(
        _("Reader reports"), reverse("errata:reports"), icon_name="warning", order=260
    )
