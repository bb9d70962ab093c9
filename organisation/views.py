"""Wagtail admin viewsets for the organisation, each listing only what the viewer's scope covers."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from .models import CommunityLearningCenter, District, Division, Region, RoleAssignment
from .scope import scope_for


def scoped_queryset(model, user):
    """Instances of an organisation model inside the user's scope."""
    scope = scope_for(user)
    if model is Region:
        return scope.regions()
    if model is Division:
        return scope.divisions()
    if model is District:
        return scope.districts()
    if model is CommunityLearningCenter:
        return scope.clcs()
    if model is RoleAssignment:
        if scope.is_global:
            return RoleAssignment.objects.all()
        return RoleAssignment.objects.filter(
            district_id__in=scope.district_ids
        ) | RoleAssignment.objects.filter(division_id__in=scope.division_ids)
    raise LookupError(model)


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and on top of them: an instance outside the user's scope is off limits."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return scoped_queryset(self.model, user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return scoped_queryset(self.model, user)


class ScopedListingMixin:
    """Listing views start from the in-scope rows; filters, search and ordering apply on top."""

    def get_base_queryset(self):
        return scoped_queryset(self.model, self.request.user)


class ScopedObjectMixin:
    """Object views look the object up among in-scope rows, so anything else is a 404."""

    def get_queryset(self):
        return scoped_queryset(self.model, self.request.user)


class ScopedViewSet(ModelViewSet):
    """A ModelViewSet whose listing and object views see only in-scope rows."""

    add_to_admin_menu = False

    @property
    def index_view_class(self):
        return type("IndexView", (ScopedListingMixin, super().index_view_class), {})

    @property
    def edit_view_class(self):
        return type("EditView", (ScopedObjectMixin, super().edit_view_class), {})

    @property
    def delete_view_class(self):
        return type("DeleteView", (ScopedObjectMixin, super().delete_view_class), {})


class DivisionViewSet(ScopedViewSet):
    model = Division
    icon = "site"
    list_display = ["name", "code", "slug", "region"]
    search_fields = ["name", "code"]
    form_fields = ["region", "code", "name", "slug"]


class DistrictViewSet(ScopedViewSet):
    model = District
    icon = "group"
    list_display = ["name", "code", "division"]
    list_filter = ["division"]
    search_fields = ["name", "code"]
    form_fields = ["division", "code", "name"]


class CommunityLearningCenterViewSet(ScopedViewSet):
    model = CommunityLearningCenter
    icon = "home"
    list_display = ["name", "code", "district", "clc_type", "municipality"]
    list_filter = ["clc_type", "district__division"]
    search_fields = ["name", "code", "municipality", "barangay"]
    form_fields = ["district", "code", "name", "clc_type", "municipality", "barangay"]


class RegionViewSet(ScopedViewSet):
    model = Region
    icon = "globe"
    list_display = ["name", "code"]
    form_fields = ["code", "name"]


class RoleAssignmentViewSet(ScopedViewSet):
    model = RoleAssignment
    icon = "user"
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    form_fields = ["user", "role", "region", "division", "district"]


class OrganisationViewSetGroup(ModelViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "site"
    menu_order = 300
    items = (
        RegionViewSet("regions"),
        DivisionViewSet("divisions"),
        DistrictViewSet("districts"),
        CommunityLearningCenterViewSet("clcs"),
        RoleAssignmentViewSet("role_assignments"),
    )
