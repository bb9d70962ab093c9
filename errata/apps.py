from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ErrataConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "errata"
    verbose_name = _("Reports from readers")

    def ready(self):
        from . import signals  # noqa: F401  (connects the publish receiver)
