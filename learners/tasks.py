"""Background work for learners: transfer notices and the daily escalation of transfer requests."""

from django_tasks import task


@task()
def send_transfer_notice(transfer_id, event):
    """E-mail the focal persons of both divisions (and whoever else must act) about one step."""
    from .notifications import send_transfer_notice as send

    return send(transfer_id, event)


@task()
def escalate_learner_transfers_task():
    """Escalate unanswered transfer requests to the region; returns how many were escalated."""
    from .transfers import escalate_overdue

    return escalate_overdue()
