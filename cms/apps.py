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

        _disconnect_wagtail_purges()


def _disconnect_wagtail_purges():
    """Leave purging to `cms.signals` and `cms.purge`.

    `wagtail.contrib.frontend_cache` (listed before this app in INSTALLED_APPS, so ready first)
    connects its own receivers to `page_published` and `page_unpublished`. They would queue a
    purge of the page's URL in the current language only, done whenever the task worker gets to
    it; `cms.purge` purges every language and the listings as soon as the change commits.
    """
    from django.apps import apps
    from wagtail.contrib.frontend_cache import signal_handlers
    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished

    for model in apps.get_models():
        if issubclass(model, Page):
            page_published.disconnect(signal_handlers.page_published_signal_handler, sender=model)
            page_unpublished.disconnect(
                signal_handlers.page_unpublished_signal_handler, sender=model
            )
