from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Public site"

    def ready(self):
        from organisation.models import Role
        from organisation.roles import extend_role_permissions

        directory = [
            f"cms.{action}_directoryentry" for action in ("add", "change", "delete", "view")
        ]
        for role in (Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR):
            extend_role_permissions(role, *directory, "wagtaildocs.change_document")

        from . import signals  # noqa: F401  (publication, cache purge)
