from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Workflow"

    def ready(self):
        from . import log_actions  # noqa: F401  (registers the Wagtail log actions)
