from django.apps import AppConfig


class AlsmisConfig(AppConfig):
    """The project package as an app, so its management commands (seed_demo, recover_tasks) load."""

    name = "alsmis"
    verbose_name = "ALS MIS"
