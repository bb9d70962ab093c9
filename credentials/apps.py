from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    """Micro-credentials: achievements, assessments, award batches, awards and their proofs."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "credentials"
    verbose_name = _("Micro-credentials")

    def ready(self):
        from organisation.models import Role
        from organisation.roles import extend_role_permissions

        from . import log_actions  # noqa: F401  (registers the Wagtail log actions)

        # Settings → Certificate layout: the region's ALS personnel word the certificates.
        for role in (Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR):
            extend_role_permissions(role, "credentials.change_certificatelayout")
