"""Wagtail admin viewsets for the organisation, each listing only what the viewer's scope covers.

Also the one mechanism that keeps every object view of a viewset inside the viewer's scope
(`ScopedObjectsViewSetMixin`): Wagtail's generic edit, delete, inspect, history, usage and copy
views each fetch their object their own way, so the mixin checks the fetched object against the
viewset's scoped queryset and answers 404 for anything outside it, before any permission check or
rendering (an id of another unit cannot be told from an id that does not exist).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from .models import CommunityLearningCenter, District, Division, Region, Role, RoleAssignment
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
        return (
            RoleAssignment.objects.filter(district_id__in=scope.district_ids)
            | RoleAssignment.objects.filter(division_id__in=scope.division_ids)
            | RoleAssignment.objects.filter(region_id__in=scope.region_ids)
        )
    raise LookupError(model)


def may_grant_role(actor, target, role, unit):
    """Whether `actor` may make (or change, or remove) `target`'s assignment of `role` at `unit`.

    A superuser may do anything. Anyone else needs: the unit inside their own scope, a target who
    is neither themselves (nobody raises their own rights) nor a superuser (only superusers touch
    superusers), and for the system administrator role a unit where they hold that role
    themselves (nobody hands on more than they hold). No role is superuser-equivalent: roles only
    carry their groups' model permissions within their unit's scope.
    """
    if actor.is_superuser:
        return True
    if target is not None and (target.pk == actor.pk or target.is_superuser):
        return False
    if unit is None:
        return False
    scope = scope_for(actor)
    covered = {
        Region: scope.covers_region,
        Division: scope.covers_division,
        District: scope.covers_district,
    }[type(unit)](unit)
    if not covered:
        return False
    if role == Role.SYSTEM_ADMINISTRATOR:
        return scope_for(actor, [Role.SYSTEM_ADMINISTRATOR]).covers_region(
            unit if isinstance(unit, Region) else unit.region
        )
    return True


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, and on top of them: an instance outside the user's scope is off limits."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        if (
            isinstance(instance, RoleAssignment)
            and action in ("change", "delete")
            and not may_grant_role(user, instance.user, instance.role, instance.unit)
        ):
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
    """An object view whose object must be among `scoped_objects(user)`, else 404."""

    scoped_objects = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # Some views (edit) fetch their object only after the permission check; fetch it now, so
        # that an out-of-scope id is a 404 for everyone, not a 403 for some.
        if getattr(self, "object", None) is None and getattr(self, "pk_url_kwarg", "pk") in kwargs:
            self.object = self.get_object()

    def get_object(self, *args, **kwargs):
        instance = super().get_object(*args, **kwargs)
        if instance is not None and not (
            self.scoped_objects(self.request.user).filter(pk=instance.pk).exists()
        ):
            raise Http404
        return instance


class ScopedObjectsViewSetMixin:
    """For a ModelViewSet: every view that shows or acts on one object (edit, delete, inspect,
    history, usage, copy, and any added later) looks it up through `scoped_objects(user)`.

    The check wraps the view classes where the viewset constructs them, so a view class a
    subclass sets, or one a future Wagtail adds, is covered without naming it here.
    """

    def scoped_objects(self, user):
        """The instances `user` may see at all: the model's rows in their scope by default."""
        return scoped_queryset(self.model, user)

    def construct_view(self, view_class, **kwargs):
        takes_object = hasattr(view_class, "get_object") and not issubclass(
            view_class, (generic.IndexView, generic.CreateView)
        )
        if takes_object or issubclass(view_class, generic.CopyView):
            view_class = type(
                view_class.__name__,
                (ScopedObjectMixin, view_class),
                {"scoped_objects": staticmethod(self.scoped_objects)},
            )
        return super().construct_view(view_class, **kwargs)


class ScopedViewSet(ScopedObjectsViewSetMixin, ModelViewSet):
    """A ModelViewSet whose listing and object views see only in-scope rows."""

    add_to_admin_menu = False

    @property
    def index_view_class(self):
        return type("IndexView", (ScopedListingMixin, super().index_view_class), {})


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


class RoleAssignmentForm(WagtailAdminModelForm):
    """A role assignment, limited to what the person filling it in may grant (`may_grant_role`)."""

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "region", "division", "district"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = self.actor = self.for_user
        if actor is None or actor.is_superuser:
            return
        scope = scope_for(actor)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_superuser=False).exclude(pk=actor.pk)
        )
        self.fields["region"].queryset = scope.regions()
        self.fields["division"].queryset = scope.divisions()
        self.fields["district"].queryset = scope.districts()

    def clean(self):
        cleaned = super().clean()
        if self.actor is None or self.errors:
            return cleaned
        unit = cleaned.get("region") or cleaned.get("division") or cleaned.get("district")
        refused = _("You may not grant this role to this user at this unit.")
        if not may_grant_role(self.actor, cleaned.get("user"), cleaned.get("role"), unit):
            raise forms.ValidationError(refused)
        if self.instance.pk and not may_grant_role(
            self.actor, self.instance.user, self.instance.role, self.instance.unit
        ):
            raise forms.ValidationError(refused)
        return cleaned


class RoleAssignmentDeleteView(generic.DeleteView):
    """Removing an assignment follows the same rule as granting it."""

    def dispatch(self, request, *args, **kwargs):
        assignment = self.object
        if not may_grant_role(request.user, assignment.user, assignment.role, assignment.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class RoleAssignmentViewSet(ScopedViewSet):
    model = RoleAssignment
    icon = "user"
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    form_fields = ["user", "role", "region", "division", "district"]
    delete_view_class = RoleAssignmentDeleteView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return RoleAssignmentForm


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
