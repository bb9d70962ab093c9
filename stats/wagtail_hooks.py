from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from organisation.scope import scope_for

from .views import DashboardView


@hooks.register("register_admin_urls")
def register_stats_urls():
    return [path("statistics/", DashboardView.as_view(), name="stats_dashboard")]


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser or not scope_for(request.user).is_empty


@hooks.register("register_admin_menu_item")
def register_stats_menu():
    return StatisticsMenuItem(
        _("Statistics"), reverse("stats_dashboard"), icon_name="table", order=360
    )
