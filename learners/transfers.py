"""Learner transfers between divisions, as in DepEd's LIS.

Knowing an LRN lets a division find a learner held by another division, but not enrol them nor
read their record: it sees the name, LRN and birthdate only and may request a transfer. The
learner's current division answers (EPSA or division ALS focal person: the division-level roles
that manage its learners); with no answer within ``LEARNER_TRANSFER_ANSWER_DAYS`` the request is
escalated and regional ALS personnel approve or refuse it. On acceptance or approval the learner's
current division becomes the receiving one, which may then enrol them and see the full record;
the previous division keeps its old enrolment rows but no longer sees the learner's details.

Every step and every restricted view is written to the learner access log; both divisions' focal
persons (and, on escalation, regional ALS personnel) are e-mailed by a background task.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed
from wagtail.log_actions import log

from organisation.models import Division, Role
from organisation.scope import scope_for

from . import services
from .models import (
    OPEN_TRANSFER_STATES,
    Learner,
    LearnerAccessLog,
    TransferRequest,
    TransferState,
)

#: Roles of the learner's current division that answer a transfer request (they manage the
#: division's learners: enrol them, and for the focal person merge them and review the log).
ANSWER_ROLES = (Role.EPSA, Role.DIVISION_FOCAL)
#: Roles that decide an escalated request, for the divisions of their region.
REGION_ROLES = (Role.REGIONAL_ALS,)
#: Fields a division without the learner sees (search results, the restricted view).
RESTRICTED_FIELDS = ["lrn", "name", "birthdate"]

A = LearnerAccessLog.Action
LOG_ACTION = {
    "request": A.TRANSFER_REQUEST,
    "accept": A.TRANSFER_ACCEPT,
    "decline": A.TRANSFER_DECLINE,
    "escalate": A.TRANSFER_ESCALATE,
    "approve": A.TRANSFER_APPROVE,
    "refuse": A.TRANSFER_REFUSE,
    "cancel": A.TRANSFER_CANCEL,
}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    needs_note: bool = False
    button: str = "button"


ACTIONS = {
    "accept": Action("accept", gettext_lazy("Accept the transfer")),
    "decline": Action(
        "decline", gettext_lazy("Decline"), needs_note=True, button="button button-secondary"
    ),
    "approve": Action("approve", gettext_lazy("Approve the transfer")),
    "refuse": Action(
        "refuse", gettext_lazy("Refuse"), needs_note=True, button="button button-secondary"
    ),
    "cancel": Action(
        "cancel", gettext_lazy("Cancel the request"), button="button button-secondary"
    ),
}


class TransferError(Exception):
    """A transfer action that cannot be done; ``status_code`` says how (400, 403, 404, 409)."""

    status_code = 400

    def __init__(self, message, status_code=None):
        super().__init__(str(message))
        self.message = str(message)
        if status_code is not None:
            self.status_code = status_code


def answer_days():
    """Days the current division has to answer (setting LEARNER_TRANSFER_ANSWER_DAYS)."""
    return int(getattr(settings, "LEARNER_TRANSFER_ANSWER_DAYS", 10))


# --- who may do what ---------------------------------------------------------------------------


def _covers(user, roles, division_id):
    return scope_for(user, roles).covers_division(division_id)


def may_use_transfers(user):
    """Whether the user holds a role that requests, answers or decides transfers."""
    if user.is_superuser:
        return True
    roles = (*services.ENROL_ROLES, *ANSWER_ROLES, *REGION_ROLES)
    return not scope_for(user, roles).is_empty


def may_answer(user, transfer):
    """EPSA or focal person of the learner's current division (the request's from_division)."""
    return _covers(user, ANSWER_ROLES, transfer.from_division_id)


def may_decide_for_region(user, transfer):
    """Regional ALS personnel of the region holding the learner's current division."""
    return _covers(user, REGION_ROLES, transfer.from_division_id)


def may_cancel(user, transfer):
    """The requester, or the EPSA or focal person of the receiving division."""
    return (
        transfer.requested_by_id == user.pk
        or user.is_superuser
        or _covers(user, ANSWER_ROLES, transfer.to_division_id)
    )


def may_act(user, transfer, name):
    """Whether ``user`` may take action ``name`` on ``transfer`` (state aside)."""
    if name in ("accept", "decline"):
        return may_answer(user, transfer)
    if name in ("approve", "refuse"):
        return may_decide_for_region(user, transfer)
    if name == "cancel":
        return may_cancel(user, transfer)
    return False


def available_actions(user, transfer):
    """The actions this user may take now, for the buttons of the transfer page."""
    return [
        action
        for name, action in ACTIONS.items()
        if can_proceed(getattr(transfer, name)) and may_act(user, transfer, name)
    ]


def transfers_visible_to(user):
    """Transfer requests the user may see: those of a division in their scope, or their own.

    Enrolling and answering roles see requests to or from their divisions (a district-level
    teacher only their own requests); regional ALS personnel every request of their region.
    """
    queryset = TransferRequest.objects.select_related(
        "learner", "from_division", "to_division", "requested_by", "decided_by"
    )
    roles = (*services.ENROL_ROLES, *ANSWER_ROLES, *REGION_ROLES)
    scope = scope_for(user, roles)
    if scope.is_global:
        return queryset
    return queryset.filter(
        Q(from_division_id__in=scope.division_ids)
        | Q(to_division_id__in=scope.division_ids)
        | Q(requested_by=user)
    )


#: Who answers a request in which state: (the actions, the roles that take them). The states
#: are read from the model's transitions; the roles' scope must cover the learner's current
#: division (the request's from_division), as `may_answer` and `may_decide_for_region` say.
ANSWERERS = ((("accept", "decline"), ANSWER_ROLES), (("approve", "refuse"), REGION_ROLES))


def _opening_states(names):
    field = TransferRequest._meta.get_field("state")
    return {t.source for t in field.get_all_transitions(TransferRequest) if t.name in names}


def waiting_for(user):
    """Open requests this user must answer, oldest first: those asking for a learner of their
    division (EPSA, focal person), and those escalated in their region (regional ALS personnel)."""
    queryset = TransferRequest.objects.select_related(
        "learner", "from_division", "to_division", "requested_by"
    )
    found = TransferRequest.objects.none()
    for names, roles in ANSWERERS:
        scope = scope_for(user, roles)
        if scope.is_empty:
            continue
        found |= scope.filter(
            queryset.filter(state__in=_opening_states(names)), division_field="from_division_id"
        )
    return found.order_by("requested_at", "pk")


def request_divisions(user, learner):
    """Divisions for which this user may request ``learner`` (where they enrol, not its own)."""
    if not services.may_enrol(user):
        return Division.objects.none()
    if user.is_superuser:
        divisions = Division.objects.all()
    else:
        divisions = Division.objects.filter(pk__in=services.enrolment_division_ids(user))
    return divisions.exclude(pk=learner.division_id).order_by("name")


def has_restricted_access(user, learner, lrn_found=()):
    """Whether the user may see the name, LRN and birthdate of a learner outside their scope.

    True after finding the learner by exact LRN (``lrn_found``: learner ids the session found so),
    or while the user's divisions have a transfer request for them.
    """
    if not services.may_enrol(user):
        return False
    if learner.pk in lrn_found:
        return True
    return transfers_visible_to(user).filter(learner=learner).exists()


def open_request(learner):
    """The learner's request still waiting for an answer, or None."""
    return learner.transfer_requests.filter(state__in=OPEN_TRANSFER_STATES).first()


# --- the steps ---------------------------------------------------------------------------------


def _record(user, transfer, name, channel, note=""):
    """Access log and Wagtail log for one step, and the e-mails once the transaction commits."""
    learner = transfer.learner
    services.log_access(
        user,
        learner,
        LOG_ACTION[name],
        ["transfer", *RESTRICTED_FIELDS],
        channel,
        username="" if user else "manage.py escalate_learner_transfers",
        division=transfer.from_division,
    )
    data = {
        "transfer": transfer.pk,
        "from_division": transfer.from_division.slug,
        "to_division": transfer.to_division.slug,
    }
    log(instance=learner, action=f"learners.transfer_{name}", user=user, data=data)
    from .tasks import send_transfer_notice

    transaction.on_commit(lambda: send_transfer_notice.enqueue(transfer.pk, name))


def request_transfer(user, learner, to_division, *, reason="", channel):
    """The receiving division asks for ``learner``; returns the new TransferRequest.

    Refused (TransferError) when the learner has no division yet or already belongs to
    ``to_division``, when the user may not enrol in ``to_division``, and when a request for the
    learner is already open.
    """
    reason = (reason or "").strip()
    with transaction.atomic():
        learner = Learner.objects.select_for_update().get(pk=learner.pk)
        if learner.division_id is None:
            raise TransferError(_("This learner is not held by any division; enrol them."), 409)
        if not request_divisions(user, learner).filter(pk=to_division.pk).exists():
            raise TransferError(
                _("You cannot request a transfer of this learner to %(division)s.")
                % {"division": to_division.name},
                403,
            )
        if open_request(learner) is not None:
            raise TransferError(
                _("A transfer of this learner is already waiting for an answer."), 409
            )
        try:
            with transaction.atomic():
                transfer = TransferRequest.objects.create(
                    learner=learner,
                    from_division_id=learner.division_id,
                    to_division=to_division,
                    requested_by=user,
                    reason=reason,
                )
        except IntegrityError as exc:  # a simultaneous request won the unique constraint
            raise TransferError(
                _("A transfer of this learner is already waiting for an answer."), 409
            ) from exc
        _record(user, transfer, "request", channel)
    return transfer


def perform(user, transfer, name, *, note="", channel):
    """Take action ``name`` (accept, decline, approve, refuse, cancel) on ``transfer``.

    One transaction: the request row is locked, the role and the state are checked, django-fsm's
    optimistic check guards the save (two people answering at once: exactly one wins), and an
    accepted or approved request moves the learner to the receiving division. Raises
    TransferError (403 not allowed, 409 not possible in this state, 400 a reason is missing).
    """
    if name not in ACTIONS:
        raise TransferError(_("Unknown action."), 400)
    note = (note or "").strip()
    if ACTIONS[name].needs_note and not note:
        raise TransferError(_("Give a reason."), 400)
    try:
        with transaction.atomic():
            current = (
                TransferRequest.objects.select_for_update(of=("self",))
                .select_related("learner", "from_division", "to_division")
                .get(pk=transfer.pk)
            )
            if not may_act(user, current, name):
                raise TransferError(_("You may not take this action on this transfer."), 403)
            method = getattr(current, name)
            if not can_proceed(method):
                raise TransferError(
                    _("This transfer is %(state)s; it cannot be changed now.")
                    % {"state": current.get_state_display().lower()},
                    409,
                )
            method(by=user, note=note)
            current.save()
            if current.moves_learner:
                _move_learner(current)
            _record(user, current, name, channel)
    except ConcurrentTransition as exc:
        raise TransferError(_("This transfer changed meanwhile; reload the page."), 409) from exc
    return current


def _move_learner(transfer):
    """Make the receiving division the learner's current division (history: the request rows)."""
    learner = Learner.objects.select_for_update().get(pk=transfer.learner_id)
    if learner.division_id != transfer.from_division_id:
        raise TransferError(_("The learner has moved since the request; it cannot apply."), 409)
    learner.division_id = transfer.to_division_id
    learner.save(update_fields=["division"])
    transfer.learner = learner


def overdue(now=None):
    """Requests still waiting for the current division longer than the answer period."""
    now = now or timezone.now()
    return TransferRequest.objects.filter(
        state=TransferState.REQUESTED, requested_at__lte=now - timedelta(days=answer_days())
    )


def escalate_overdue(now=None):
    """Hand every overdue request to the region; returns how many were escalated.

    Run daily (``manage.py escalate_learner_transfers``). Each request is escalated in its own
    transaction under a row lock, so a division accepting at the same moment wins or loses whole.
    """
    escalated = 0
    for pk in list(overdue(now).values_list("pk", flat=True)):
        with transaction.atomic():
            current = (
                TransferRequest.objects.select_for_update(of=("self",))
                .select_related("learner", "from_division", "to_division")
                .filter(pk=pk, state=TransferState.REQUESTED)
                .first()
            )
            if current is None:
                continue
            current.escalate()
            try:
                current.save()
            except ConcurrentTransition:
                continue
            _record(None, current, "escalate", LearnerAccessLog.Channel.COMMAND)
            escalated += 1
    return escalated
