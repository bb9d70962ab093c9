"""E-mail to whoever must act next, queued as a background task once the transaction commits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from alsmis.tasks import send_email
from organisation.models import Level, Role

from .models import State

S = State


def _holders(role, level, submission):
    """Active users holding `role` at `level` for the submission's division or region."""
    unit = (
        {"role_assignments__division_id": submission.division_id}
        if level == Level.DIVISION
        else {"role_assignments__region_id": submission.region_id}
    )
    users = get_user_model().objects.filter(is_active=True, role_assignments__role=role, **unit)
    return list(users.exclude(email="").values_list("email", flat=True).distinct())


def _submitter(submission):
    user = submission.created_by
    return [user.email] if user.is_active and user.email else []


def recipients_for(journey, record):
    """Who is told about this transition: the pool of the next level on arrival, the submitter
    on return, approval, publication and withdrawal, the division's records section when the
    submitter recalls what it was told to expect."""
    submission = journey.submission
    state = journey.state
    if record.name == "recall":
        # The records section was told it was coming; it need not wait for it any more.
        return _holders(Role.RECORDS_SECTION, Level.DIVISION, submission)
    if state == S.SUBMITTED:
        return _holders(Role.RECORDS_SECTION, Level.DIVISION, submission)
    if state == S.RECEIVED_BY_DIVISION and record.name != "release_claim":
        return _holders(Role.LR_QA_REVIEWER, Level.DIVISION, submission)
    if state == S.ENDORSED_TO_REGION:
        return _holders(Role.RECORDS_SECTION, Level.REGION, submission)
    if state == S.RECEIVED_BY_REGION and record.name != "release_claim":
        return _holders(Role.LR_QA_REVIEWER, Level.REGION, submission)
    if state == S.APPROVED:
        return _submitter(submission) + _holders(Role.REGIONAL_ALS, Level.REGION, submission)
    if state in (S.RETURNED_INCOMPLETE, S.RETURNED_FOR_REVISION, S.PUBLISHED, S.WITHDRAWN):
        return _submitter(submission)
    return []


def _message(journey, record):
    submission = journey.submission
    lines = [
        _("“%(title)s” (%(kind)s) is now: %(state)s.")
        % {
            "title": submission.title,
            "kind": submission.get_kind_display(),
            "state": journey.get_state_display(),
        },
        _("By %(actor)s.") % {"actor": record.actor.get_full_name() or record.actor.username},
    ]
    if record.receipt_id:
        lines.append(_("Control number: %s") % record.receipt.control_number)
    if record.reasons:
        lines.append(_("Reasons: %s") % "; ".join(r["name"] for r in record.reasons))
    if record.details.get("missing"):
        lines.append(_("Missing: %s") % " ".join(record.details["missing"]))
    if record.comment:
        lines.append(_("Comment: %s") % record.comment)
    if record.review_id:
        lines.append(_("Review outcome: %s") % record.review.get_outcome_display())
    lines.append(
        _("Open ALS MIS to see it (it is listed under My tasks where it waits on you): %s")
        % (settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_home"))
    )
    subject = _("[ALS MIS] %(state)s: %(title)s") % {
        "state": journey.get_state_display(),
        "title": submission.title[:120],
    }
    return subject, "\n\n".join(lines)


def transition_done(journey, record):
    """Queue the e-mail for this transition after the surrounding transaction commits."""
    recipients = sorted(set(recipients_for(journey, record)))
    if not recipients:
        return
    subject, body = _message(journey, record)
    transaction.on_commit(lambda: send_email.enqueue(subject, body, recipients))
