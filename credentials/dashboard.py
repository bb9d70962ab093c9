"""The micro-credentials' part of the staff dashboard: batches waiting for the user's approval and
the "Micro-credentials" shortcut (registered in wagtail_hooks under organisation.dashboard's hook
names)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisation.dashboard import Shortcut, Task, TaskGroup

from . import services
from .models import BatchState


def _person(user):
    return user.get_full_name() or user.get_username()


def _approve_task(batch):
    count = batch.members.count()
    return Task(
        title=str(batch),
        url=reverse("credentials:batch", args=[batch.pk]),
        reason=ngettext(
            "%(count)s learner prepared by %(person)s: approve the batch.",
            "%(count)s learners prepared by %(person)s: approve the batch.",
            count,
        )
        % {"count": count, "person": _person(batch.prepared_by)},
        date=batch.prepared_at,
        date_label=_("prepared"),
    )


def _issue_task(batch):
    count = batch.members.count()
    return Task(
        title=str(batch),
        url=reverse("credentials:batch", args=[batch.pk]),
        reason=ngettext(
            "%(count)s learner approved: issue the certificates.",
            "%(count)s learners approved: issue the certificates.",
            count,
        )
        % {"count": count},
        date=batch.approved_at,
        date_label=_("approved"),
    )


def batches_to_approve(user):
    """Prepared batches in the user's divisions that this user may approve."""
    waiting = services.batches_visible_to(user).filter(state=BatchState.DRAFT)
    waiting = waiting.select_related("division", "prepared_by").order_by("prepared_at")
    return [batch for batch in waiting if services.may_approve(user, batch)]


def batches_to_issue(user):
    """Approved batches of divisions where this user may issue them."""
    waiting = services.batches_visible_to(user).filter(state=BatchState.APPROVED)
    waiting = waiting.select_related("division", "prepared_by").order_by("approved_at")
    return [batch for batch in waiting if services.may_prepare(user, batch.division)]


def my_tasks(user):
    """Award batches waiting for this user's approval, and approved ones waiting to be issued."""
    index = reverse("credentials:batches")
    return [
        TaskGroup.of(
            _("Award batches to approve"),
            [_approve_task(b) for b in batches_to_approve(user)],
            more_url=f"{index}?{urlencode({'state': BatchState.DRAFT})}",
            order=400,
            key="award-batches-to-approve",
        ),
        TaskGroup.of(
            _("Award batches to issue"),
            [_issue_task(b) for b in batches_to_issue(user)],
            more_url=f"{index}?{urlencode({'state': BatchState.APPROVED})}",
            order=410,
            key="award-batches-to-issue",
        ),
    ]


def shortcuts(user):
    """ "Micro-credentials" for whoever may define them, "Approve award batches" for approvers."""
    found = []
    if services.may_define(user):
        found.append(
            Shortcut(
                _("Micro-credentials"),
                reverse("credentials:achievements"),
                "pick",
                400,
                "micro-credentials",
            )
        )
    if batches_to_approve(user):
        url = f"{reverse('credentials:batches')}?{urlencode({'state': BatchState.DRAFT})}"
        found.append(Shortcut(_("Approve award batches"), url, "tasks", 410, "approve-batches"))
    return found
