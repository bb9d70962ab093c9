from django.apps import AppConfig
from django.db.models.signals import post_migrate
from wagtail.users.apps import WagtailUsersAppConfig


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = "Organisation"
    default = True

    def ready(self):
        from . import signals  # noqa: F401
        from .roles import sync_role_groups

        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="alsmis_sync_role_groups")


class UsersConfig(WagtailUsersAppConfig):
    """`wagtail.users` with the guarded user screens of organisation/users.py.

    Listed in INSTALLED_APPS instead of "wagtail.users" (Wagtail's documented way to replace the
    user viewset); same app label, so Wagtail's migrations and templates are unchanged.
    """

    default = False
    user_viewset = "organisation.users.UserViewSet"

    def ready(self):
        super().ready()
        from .users import register_permission_policy

        register_permission_policy()
