from django.apps import AppConfig


class SnapshotsConfig(AppConfig):
    name = "snapshots"
    verbose_name = "ALS form snapshots"

    def ready(self):
        from organisation.models import Role
        from organisation.roles import extend_role_permissions

        manage_periods = [
            f"snapshots.{action}_reportingperiod" for action in ("add", "change", "delete", "view")
        ]
        extend_role_permissions(Role.REGIONAL_ALS, *manage_periods, "snapshots.review_snapshot")
        extend_role_permissions(Role.SYSTEM_ADMINISTRATOR, *manage_periods)
        for role in (Role.EPSA, Role.DIVISION_FOCAL, Role.ENCODER, Role.ALS_TEACHER):
            extend_role_permissions(role, "snapshots.view_reportingperiod")
