from django.apps import AppConfig


class RepositoryConfig(AppConfig):
    name = "repository"
    verbose_name = "Repository"

    def ready(self):
        from organisation.models import Role
        from organisation.roles import extend_role_permissions

        from .models import VOCABULARY_MODELS

        # System administrators keep the controlled vocabularies (DOMAIN.md, roles).
        extend_role_permissions(
            Role.SYSTEM_ADMINISTRATOR,
            *(
                f"repository.{action}_{model._meta.model_name}"
                for model in VOCABULARY_MODELS
                for action in ("add", "change", "delete", "view")
            ),
        )
