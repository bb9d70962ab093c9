"""The snapshots' part of the staff dashboard: their "My tasks" groups and role shortcuts
(registered in wagtail_hooks under organisation.dashboard's hook names)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from organisation.dashboard import Shortcut, Task, TaskGroup

from . import services
from .models import State
from .views import can_see_deadlines


def _person(user):
    if user is None:
        return _("someone")
    return user.get_full_name() or user.get_username()


def _review_task(snapshot):
    return Task(
        title=str(snapshot),
        url=reverse("snapshots:detail", args=[snapshot.pk]),
        reason=_("Submitted by %(person)s: accept it, or return it with comments.")
        % {"person": _person(snapshot.submitted_by)},
        date=snapshot.submitted_at,
        date_label=_("submitted"),
    )


def _submit_task(snapshot):
    if snapshot.state == State.RETURNED:
        reason = _("Returned by %(person)s: upload a corrected file and submit it again.") % {
            "person": _person(snapshot.reviewed_by)
        }
        when, label = snapshot.reviewed_at, _("returned")
    else:
        reason = _("Imported as a draft: check it and submit it for review.")
        when, label = snapshot.created_at, _("imported")
    return Task(
        title=str(snapshot),
        url=reverse("snapshots:detail", args=[snapshot.pk]),
        reason=reason,
        date=when,
        date_label=label,
    )


def _due_task(due):
    title = _("%(form)s of %(division)s for %(period)s") % {
        "form": due.form,
        "division": due.division.name,
        "period": due.period,
    }
    late = _("Late: not submitted by the deadline.")
    reason = late if due.is_late else _("Not submitted yet.")
    if due.snapshot is not None:
        url = reverse("snapshots:detail", args=[due.snapshot.pk])
        reason = " ".join([reason, _("A draft is waiting to be submitted.")])
    else:
        query = urlencode({"form": due.form, "period": due.period.pk, "unit": due.division.slug})
        url = f"{reverse('snapshots:upload')}?{query}"
    return Task(
        title=title,
        url=url,
        reason=reason,
        date=due.period.deadline,
        overdue=due.is_late,
        date_label=_("due"),
    )


def my_tasks(user):
    """Snapshots to review, drafts and returned snapshots to submit, and forms due."""
    index = reverse("snapshots:index")
    review = [_review_task(s) for s in services.to_review(user)]
    submit = list(services.to_submit(user))
    drafts = {snapshot.pk for snapshot in submit}
    due = [
        _due_task(d)
        for d in services.forms_due(user)
        if d.snapshot is None or d.snapshot.pk not in drafts
    ]
    return [
        TaskGroup.of(
            _("Snapshots to review"),
            review,
            more_url=f"{index}?{urlencode({'state': State.SUBMITTED})}",
            order=200,
            key="snapshots-to-review",
        ),
        TaskGroup.of(
            _("Snapshots to submit"),
            [_submit_task(s) for s in submit],
            more_url=index,
            order=210,
            key="snapshots-to-submit",
        ),
        TaskGroup.of(
            _("ALS forms due"),
            due,
            more_url=reverse("snapshots:deadlines"),
            order=220,
            key="forms-due",
        ),
    ]


def shortcuts(user):
    """Upload an AF form, Review snapshots, Consolidate, Deadlines: each where the user may."""
    found = []
    if services.may_upload_any(user):
        found.append(
            Shortcut(_("Upload an AF form"), reverse("snapshots:upload"), "upload", 300, "upload")
        )
    if services.may_review_any(user):
        url = f"{reverse('snapshots:index')}?{urlencode({'state': State.SUBMITTED})}"
        found.append(Shortcut(_("Review snapshots"), url, "tasks", 310, "review-snapshots"))
    if services.may_consolidate_any(user):
        found.append(
            Shortcut(
                _("Consolidate district snapshots"),
                reverse("snapshots:consolidate"),
                "table",
                320,
                "consolidate",
            )
        )
    if can_see_deadlines(user):
        found.append(
            Shortcut(_("Deadlines"), reverse("snapshots:deadlines"), "date", 330, "deadlines")
        )
    return found
