"""Wagtail log actions for the workflow, so transitions show in Wagtail's history and reports."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

LABELS = {
    "submit": _("Submitted"),
    "recall": _("Recalled to draft by the submitter"),
    "receive_at_division": _("Received by the division"),
    "return_incomplete": _("Returned incomplete"),
    "claim_division_review": _("Division review claimed"),
    "release_claim": _("Review claim released"),
    "return_for_revision": _("Returned for revision"),
    "resubmit": _("Resubmitted"),
    "endorse_to_region": _("Endorsed to the region"),
    "receive_at_region": _("Received by the region"),
    "claim_regional_review": _("Regional review claimed"),
    "approve": _("Approved"),
    "publish": _("Published"),
    "withdraw": _("Withdrawn"),
    "request_correction": _("Sent back for a correction"),
}


class TransitionFormatter(LogFormatter):
    def format_message(self, log_entry):
        data = log_entry.data or {}
        message = str(self.message)
        if data.get("control_number"):
            message += f" ({data['control_number']})"
        return message

    def format_comment(self, log_entry):
        data = log_entry.data or {}
        reasons = "; ".join(r.get("name", "") for r in data.get("reasons") or [])
        return " — ".join(part for part in (reasons, data.get("comment", "")) if part)


@hooks.register("register_log_actions")
def register_workflow_log_actions(actions):
    for name, label in LABELS.items():
        formatter = type(
            f"{name.title().replace('_', '')}Formatter",
            (TransitionFormatter,),
            {"label": _("Workflow: %s") % name.replace("_", " "), "message": label},
        )
        actions.register_action(f"alsmis.workflow.{name}")(formatter)
