"""Wagtail log actions for micro-credentials, so batches and awards show in Wagtail's history."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

ACTIONS = {
    "prepare": (_("Award batch prepare"), _("Award batch prepared")),
    "approve": (_("Award batch approve"), _("Award batch approved")),
    "cancel": (_("Award batch cancel"), _("Award batch cancelled")),
    "issue": (_("Micro-credential issue"), _("Micro-credential issued")),
    "revoke": (_("Micro-credential revoke"), _("Micro-credential revoked")),
    "replace": (_("Micro-credential replace"), _("Micro-credential replaced by a re-issue")),
    "reissue": (_("Micro-credential re-issue"), _("Micro-credential re-issued")),
}


@hooks.register("register_log_actions")
def register_credentials_log_actions(actions):
    for name, (label, message) in ACTIONS.items():
        actions.register_action(f"credentials.{name}", label, message)
