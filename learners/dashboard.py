"""The learners' part of the staff dashboard: transfer requests to answer ("My tasks") and the
"Enrol a learner" and "Transfer requests" shortcuts (registered in wagtail_hooks under
organisation.dashboard's hook names)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organisation.dashboard import Shortcut, Task, TaskGroup
from organisation.scope import scope_for

from . import services, transfers
from .models import TransferState


def _transfer_task(transfer, now):
    names = {"from": transfer.from_division.name, "to": transfer.to_division.name}
    if transfer.state == TransferState.ESCALATED:
        reason = _(
            "%(from)s did not answer %(to)s's request in time: approve or refuse the transfer."
        )
        when, label = transfer.escalated_at or transfer.requested_at, _("escalated")
        overdue = False
    else:
        reason = _("%(to)s asks for this learner of %(from)s: accept or decline the transfer.")
        when, label = transfer.requested_at, _("requested")
        overdue = now - transfer.requested_at > timedelta(days=transfers.answer_days())
    return Task(
        # The restricted fields only (name and LRN): what every party to the request may see.
        title=_("Transfer of %(name)s (LRN %(lrn)s)")
        % {"name": transfer.learner.full_name, "lrn": transfer.learner.lrn},
        url=reverse("learners:transfer", args=[transfer.pk]),
        reason=reason % names,
        date=when,
        overdue=overdue,
        date_label=label,
    )


def my_tasks(user):
    """Transfer requests waiting for this user's answer."""
    now = timezone.now()
    tasks = [_transfer_task(t, now) for t in transfers.waiting_for(user)]
    return [
        TaskGroup.of(
            _("Learner transfer requests to answer"),
            tasks,
            more_url=reverse("learners:transfers"),
            order=300,
            key="transfers-to-answer",
        )
    ]


def shortcuts(user):
    """Enrol a learner (enrolling roles), Transfer requests (those who answer or decide them)."""
    found = []
    if services.may_enrol(user):
        found.append(
            Shortcut(_("Enrol a learner"), reverse("learners:enrol"), "user", 200, "enrol")
        )
    roles = (*transfers.ANSWER_ROLES, *transfers.REGION_ROLES)
    if user.is_superuser or not scope_for(user, roles).is_empty:
        found.append(
            Shortcut(
                _("Transfer requests"),
                reverse("learners:transfers"),
                "resubmit",
                210,
                "transfers",
            )
        )
    return found
