"""Wagtail's user screens with the escalation paths closed.

Wagtail lets anyone holding `auth.add_user`/`auth.change_user` (the system administrator role)
tick "Administrator" on a user, edit a superuser (and so set their password) and give any group.
Here, enforced on the server and not only by hiding fields:

- only a superuser may grant superuser status: others never get the field, so a posted
  `is_superuser` is ignored;
- only a superuser may edit, delete, (de)activate or re-group a superuser;
- a non-superuser may give only groups they hold themselves; groups of the edited user that they
  do not hold are kept as they were (neither shown nor removable);
- roles with a place in the organisation are given through role assignments (organisation.views),
  which have their own rule (`may_grant_role`).

Installed by `organisation.apps.UsersConfig`, which replaces `wagtail.users` in INSTALLED_APPS
(Wagtail's documented way to customise the user viewset).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users
from wagtail.users.views.bulk_actions import AssignRoleBulkAction, SetActiveStateBulkAction
from wagtail.users.views.bulk_actions.assign_role import RoleForm


def may_manage_user(actor, target):
    """Whether `actor` may change `target` at all: nobody but a superuser touches a superuser."""
    return actor.is_superuser or not target.is_superuser


def grantable_groups(actor):
    """The groups `actor` may give to others: all for a superuser, else those they hold."""
    if actor.is_superuser:
        return Group.objects.all()
    return actor.groups.all()


class UserPermissionPolicy(ModelPermissionPolicy):
    """Model permissions on users, and on top: a superuser is off limits to non-superusers."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action in ("change", "delete") and not may_manage_user(user, instance):
            return False
        return super().user_has_permission_for_instance(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = super().instances_user_has_any_permission_for(user, actions)
        if user.is_superuser or not set(actions) & {"change", "delete"}:
            return queryset
        return queryset.filter(is_superuser=False)


class ActorFormMixin:
    """Limits a user form to what `actor` may grant (see the module docstring)."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if actor is None or actor.is_superuser:
            return
        self.fields.pop("is_superuser", None)
        if "groups" in self.fields:
            self.fields["groups"].queryset = grantable_groups(actor)
            if self.instance.pk:
                self.initial["groups"] = list(
                    self.instance.groups.filter(pk__in=grantable_groups(actor)).values_list(
                        "pk", flat=True
                    )
                )

    def clean(self):
        cleaned = super().clean()
        # The field is not on the form, so a crafted POST would be ignored anyway; say so.
        posted = forms.BooleanField(required=False).to_python(self.data.get("is_superuser"))
        if posted and self.actor is not None and not self.actor.is_superuser:
            raise forms.ValidationError(_("Only a superuser may grant superuser status."))
        return cleaned

    def _save_m2m(self):
        kept = []
        if self.actor is not None and not self.actor.is_superuser and self.instance.pk:
            # Groups the actor cannot give are not on the form; keep them instead of dropping them.
            kept = list(self.instance.groups.exclude(pk__in=grantable_groups(self.actor)))
        super()._save_m2m()
        if kept:
            self.instance.groups.add(*kept)


class GuardedUserCreationForm(ActorFormMixin, UserCreationForm):
    pass


class GuardedUserEditForm(ActorFormMixin, UserEditForm):
    pass


class ActorFormViewMixin:
    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs


def _refuse_superuser_target(view, target):
    if not may_manage_user(view.request.user, target):
        raise PermissionDenied(_("Only a superuser may change a superuser."))


class IndexView(wagtail_users.IndexView):
    """The user list; a superuser's name links to nothing for a non-superuser."""

    def get_edit_url(self, instance):
        if not may_manage_user(self.request.user, instance):
            return None
        return super().get_edit_url(instance)

    def get_delete_url(self, instance):
        if not may_manage_user(self.request.user, instance):
            return None
        return super().get_delete_url(instance)


class CreateView(ActorFormViewMixin, wagtail_users.CreateView):
    pass


class EditView(ActorFormViewMixin, wagtail_users.EditView):
    def get_object(self, queryset=None):
        target = super().get_object(queryset)
        _refuse_superuser_target(self, target)
        return target


class DeleteView(wagtail_users.DeleteView):
    def get_object(self, queryset=None):
        target = super().get_object(queryset)
        _refuse_superuser_target(self, target)
        return target


class UserViewSet(wagtail_users.UserViewSet):
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    delete_view_class = DeleteView
    create_template_name = "organisation/users/create.html"

    def get_form_class(self, for_update=False):
        return GuardedUserEditForm if for_update else GuardedUserCreationForm


# --- bulk actions on the user list -----------------------------------------------------------


class GuardedRoleForm(RoleForm):
    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            self.fields["role"].queryset = grantable_groups(actor)


class GuardedAssignRoleBulkAction(AssignRoleBulkAction):
    """ "Assign role" (a Wagtail group) to many users: only groups the actor holds, never to a
    superuser unless the actor is one."""

    form_class = GuardedRoleForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def check_perm(self, obj):
        return super().check_perm(obj) and may_manage_user(self.request.user, obj)


class GuardedSetActiveStateBulkAction(SetActiveStateBulkAction):
    """(De)activate many users, never a superuser unless the actor is one."""

    def check_perm(self, obj):
        return super().check_perm(obj) and may_manage_user(self.request.user, obj)


def register_permission_policy():
    """Replace Wagtail's plain model policy for the user model (called by UsersConfig.ready)."""
    from wagtail.permissions import register_permission_policy as register

    register(get_user_model(), UserPermissionPolicy(get_user_model()))
