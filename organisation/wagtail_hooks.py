from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .dashboard import ShortcutsPanel, shortcuts_for
from .models import CommunityLearningCenter, District, Division, Region, RoleAssignment
from .users import GuardedAssignRoleBulkAction, GuardedSetActiveStateBulkAction
from .views import OrganisationViewSetGroup, ScopedPermissionPolicy

for _model in (Region, Division, District, CommunityLearningCenter, RoleAssignment):
    register_permission_policy(_model, ScopedPermissionPolicy(_model))


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()


# Registered after Wagtail's own user bulk actions (higher order), so these replace them under the
# same action names: the registry keeps the last class per action.
hooks.register("register_bulk_action", GuardedAssignRoleBulkAction, order=100)
hooks.register("register_bulk_action", GuardedSetActiveStateBulkAction, order=100)


@hooks.register("construct_homepage_panels")
def add_role_shortcuts_panel(request, panels):
    shortcuts = shortcuts_for(request.user)
    if shortcuts:
        panels.append(ShortcutsPanel(shortcuts))
