from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import CommunityLearningCenter, District, Division, Region, RoleAssignment
from .views import OrganisationViewSetGroup, ScopedPermissionPolicy

for _model in (Region, Division, District, CommunityLearningCenter, RoleAssignment):
    register_permission_policy(_model, ScopedPermissionPolicy(_model))


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    return OrganisationViewSetGroup()
