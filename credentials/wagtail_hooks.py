"""The micro-credentials admin: one "Micro-credentials" submenu whose items each part of the app
registers through its own hook (MENU_HOOK), and the URLs under /admin/credentials/."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from organisation.dashboard import MY_TASKS_HOOK, SHORTCUTS_HOOK

from . import admin_urls, dashboard, services, views

#: Register items of the "Micro-credentials" submenu with @hooks.register(MENU_HOOK).
MENU_HOOK = "register_credentials_menu_item"


@hooks.register("register_admin_urls")
def register_credentials_urls():
    return [path("credentials/", include(admin_urls, namespace="credentials"))]


@hooks.register("register_admin_menu_item")
def register_credentials_menu():
    return SubmenuMenuItem(
        _("Micro-credentials"), Menu(register_hook_name=MENU_HOOK), icon_name="pick", order=360
    )


class PrepareBatchMenuItem(MenuItem):
    """Shown to whoever may prepare an award batch for some division."""

    def is_shown(self, request):
        return services.may_prepare_somewhere(request.user)


@hooks.register(MENU_HOOK)
def register_prepare_batch_menu_item():
    return PrepareBatchMenuItem(
        _("Prepare an award batch"), reverse("credentials:prepare"), icon_name="upload", order=200
    )


# --- the staff screens of credentials.views: achievements, assessments, batches, awards ---------

hooks.register(MY_TASKS_HOOK, dashboard.my_tasks)
hooks.register(SHORTCUTS_HOOK, dashboard.shortcuts)


class CredentialsMenuItem(MenuItem):
    """Shown to anyone with a role somewhere (the views filter by scope)."""

    def is_shown(self, request):
        return views.may_use_credentials(request.user)


class AssessmentsMenuItem(MenuItem):
    def is_shown(self, request):
        return services.may_prepare_somewhere(request.user)


class BatchesMenuItem(MenuItem):
    """Batches and awards: for the roles that see learner data (credentials.services)."""

    def is_shown(self, request):
        return views.may_see_batches(request.user)


@hooks.register(MENU_HOOK)
def register_achievements_menu_item():
    return CredentialsMenuItem(
        _("Achievements"), reverse("credentials:achievements"), icon_name="pick", order=100
    )


@hooks.register(MENU_HOOK)
def register_assessments_menu_item():
    return AssessmentsMenuItem(
        _("Assessments"), reverse("credentials:assessments"), icon_name="tasks", order=150
    )


@hooks.register(MENU_HOOK)
def register_batches_menu_item():
    return BatchesMenuItem(
        _("Award batches"),
        reverse("credentials:batches"),
        icon_name="folder-open-inverse",
        order=300,
    )


@hooks.register(MENU_HOOK)
def register_awards_menu_item():
    return BatchesMenuItem(_("Awards"), reverse("credentials:awards"), icon_name="pick", order=400)
