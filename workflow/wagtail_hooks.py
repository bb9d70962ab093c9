"""Wagtail admin registrations of the workflow: the Submissions menu and screens, the bulk
"receive" action, the dashboard's "My tasks" panel and the Submission permission policy."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from repository.models import Submission

from .views import (
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


@hooks.register("construct_homepage_panels")
def add_my_tasks_panel(request, panels):
    if submission_permission_policy.user_has_permission(request.user, "view"):
        panels.append(MyTasksPanel(request.user))
