"""Wagtail admin registrations of the workflow: the Submissions menu and screens, the bulk
"receive" action, the dashboard's "My tasks" and "My items in progress" panels and the Submission
permission policy."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from organisation.dashboard import SHORTCUTS_HOOK, Shortcut
from organisation.models import Role
from organisation.scope import roles_of
from repository.models import Submission

from .views import (
    MyItemsPanel,
    MyTasksPanel,
    ReceiveBulkAction,
    submission_permission_policy,
    submission_viewset,
)

register_permission_policy(Submission, submission_permission_policy)


@hooks.register("register_admin_viewset")
def register_submission_viewset():
    return submission_viewset


hooks.register("register_bulk_action", ReceiveBulkAction)


@hooks.register(SHORTCUTS_HOOK)
def submission_shortcuts(user):
    """The "New submission" shortcut, for those who submit (the policy's "add")."""
    if not submission_permission_policy.user_has_permission(user, "add"):
        return []
    url = reverse(submission_viewset.get_url_name("add"))
    return [Shortcut(_("New submission"), url, "plus", 100, "new-submission")]


@hooks.register("construct_homepage_panels")
def add_my_items_panel(request, panels):
    """A submitter's own items in progress, with where each is on its route; shown to ALS
    teachers always, and to anyone else who has items of their own with an office."""
    user = request.user
    if not submission_permission_policy.user_has_permission(user, "add"):
        return
    if Role.ALS_TEACHER in roles_of(user) or MyItemsPanel.items_of(user).exists():
        panels.append(MyItemsPanel(user))


@hooks.register("construct_homepage_panels")
def add_my_tasks_panel(request, panels):
    if submission_permission_policy.user_has_permission(request.user, "view"):
        panels.append(MyTasksPanel(request.user))
