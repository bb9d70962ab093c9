"""Admin wiring: the learners URLs, the "Learners" menu (Enrol learner, Merge, Access log), log actions."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from organisation.dashboard import MY_TASKS_HOOK, SHORTCUTS_HOOK

from . import dashboard, services, transfers, urls
from .views import SchoolYearCycleViewSet

cycle_viewset = SchoolYearCycleViewSet("learners_cycles")

hooks.register(MY_TASKS_HOOK, dashboard.my_tasks)
hooks.register(SHORTCUTS_HOOK, dashboard.shortcuts)


@hooks.register("register_admin_viewset")
def register_cycle_viewset():
    return cycle_viewset


@hooks.register("register_admin_urls")
def register_learner_urls():
    return [path("learners/", include(urls, namespace="learners"))]


class EnrolMenuItem(MenuItem):
    def is_shown(self, request):
        return services.may_enrol(request.user)


class TransferMenuItem(MenuItem):
    def is_shown(self, request):
        return transfers.may_use_transfers(request.user)


class OversightMenuItem(MenuItem):
    def is_shown(self, request):
        return services.may_oversee(request.user)


class AccessLogMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("learners.view_learner_access_log") and (
            services.may_oversee(request.user)
        )


learners_menu = Menu(
    register_hook_name="register_learners_menu_item", construct_hook_name="construct_learners_menu"
)


@hooks.register("register_learners_menu_item")
def register_enrol_item():
    return EnrolMenuItem(
        _("Enrol learner"),
        reverse("learners:enrol"),
        icon_name="user",
        name="enrol-learner",
        order=100,
    )


@hooks.register("register_learners_menu_item")
def register_transfer_item():
    return TransferMenuItem(
        _("Transfer requests"),
        reverse("learners:transfers"),
        icon_name="resubmit",
        name="learner-transfers",
        order=150,
    )


@hooks.register("register_learners_menu_item")
def register_merge_item():
    return OversightMenuItem(
        _("Merge learner records"), reverse("learners:merge"), icon_name="resubmit", order=200
    )


@hooks.register("register_learners_menu_item")
def register_duplicates_item():
    return OversightMenuItem(
        _("Likely duplicate learners"),
        reverse("learners:duplicates"),
        icon_name="resubmit",
        name="learner-duplicates",
        order=250,
    )


@hooks.register("register_learners_menu_item")
def register_access_log_item():
    return AccessLogMenuItem(
        _("Learner access log"), reverse("learners:access_log"), icon_name="history", order=300
    )


class CycleMenuItem(MenuItem):
    def is_shown(self, request):
        return cycle_viewset.permission_policy.user_has_any_permission(
            request.user, ["add", "change", "view"]
        )


@hooks.register("register_learners_menu_item")
def register_cycle_item():
    return CycleMenuItem(
        _("Enrolment cycles"), reverse("learners_cycles:index"), icon_name="date", order=400
    )


@hooks.register("register_admin_menu_item")
def register_learners_menu():
    return SubmenuMenuItem(
        _("Learners"), learners_menu, icon_name="group", name="learners", order=250
    )


@hooks.register("register_log_actions")
def register_learner_log_actions(actions):
    actions.register_action("learners.enrol", _("Enrol"), _("Learner enrolled"))
    actions.register_action(
        "learners.enrolment_status", _("Enrolment status"), _("Enrolment status changed")
    )
    actions.register_action("learners.merge", _("Merge"), _("Duplicate learner record merged"))
    for name, label, message in (
        ("request", _("Transfer request"), _("Transfer to another division requested")),
        ("accept", _("Transfer accept"), _("Transfer accepted by the learner's division")),
        ("decline", _("Transfer decline"), _("Transfer declined by the learner's division")),
        ("escalate", _("Transfer escalate"), _("Unanswered transfer escalated to the region")),
        ("approve", _("Transfer approve"), _("Transfer approved by the region")),
        ("refuse", _("Transfer refuse"), _("Transfer refused by the region")),
        ("cancel", _("Transfer cancel"), _("Transfer request cancelled")),
    ):
        actions.register_action(f"learners.transfer_{name}", label, message)
