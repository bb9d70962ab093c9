from django.apps import AppConfig


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners"

    def ready(self):
        from organisation.models import Role
        from organisation.roles import extend_role_permissions

        enrolling = [
            "learners.enrol_learner",
            "learners.add_learner",
            "learners.change_learner",
            "learners.view_learner",
            "learners.add_enrolment",
            "learners.view_enrolment",
        ]
        for role in (Role.ALS_TEACHER, Role.EPSA, Role.DIVISION_FOCAL, Role.ENCODER):
            extend_role_permissions(role, *enrolling)
        oversight = [
            "learners.view_learner",
            "learners.merge_learner",
            "learners.view_learner_access_log",
        ]
        for role in (Role.DIVISION_FOCAL, Role.SYSTEM_ADMINISTRATOR):
            extend_role_permissions(role, *oversight)
        # Cycles (calendar or school year, cut-off) are set region-wide, like the LIS calendar.
        cycles = [f"learners.{a}_schoolyearcycle" for a in ("add", "change", "view")]
        for role in (Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR):
            extend_role_permissions(role, *cycles)
