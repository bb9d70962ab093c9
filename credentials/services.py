"""The operations on micro-credentials: who may do what, the pass rule, and a batch's life from
preparation to issue, revocation and re-issue. Views, the API and the command call these; the
models only move states.

Who does what (docs/credentials.md, "Roles"):
- regional ALS personnel and the system administrator define achievements (`may_define`);
- an EPSA or the division ALS focal person of the division records assessments, prepares, issues
  and cancels batches (`may_prepare`);
- the division's EPSA approves a batch, and never one they prepared themselves (`may_approve`);
- the division's EPSA and regional ALS personnel revoke and re-issue awards (`may_amend`).
`user=None` is the operator at the command line (`manage.py issue_credentials`), as in
`snapshots.services`: the shell is trusted and no role is checked.
"""

import calendar
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed
from wagtail.log_actions import log

from organisation.models import Division, Role
from organisation.scope import has_role, learner_data_scope, scope_for

from . import codes
from .models import (
    Assessment,
    Award,
    AwardBatch,
    BatchMember,
    BatchState,
    Rater,
)

DEFINE_ROLES = (Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR)
PREPARE_ROLES = (Role.EPSA, Role.DIVISION_FOCAL)
APPROVE_ROLES = (Role.EPSA,)
AMEND_ROLES = (Role.EPSA, Role.REGIONAL_ALS)

RATING_FIELDS = {Rater.SELF: "self_rating", Rater.TEACHER: "teacher_rating"}
RATING_FIELDS[Rater.COMMUNITY] = "community_rating"
MAX_SIGNATORIES = 4
# Draws of a fresh code and status index before giving up (a collision is ~1 in 10^19 for the
# code; the index list is sized so that it stays sparse).
ISSUE_ATTEMPTS = 5


class CredentialError(Exception):
    """A refused operation: `message` for the person, `status_code` for the API (400 bad input,
    403 not allowed, 409 wrong state)."""

    def __init__(self, message, status_code=400):
        super().__init__(message)
        self.message = str(message)
        self.status_code = status_code


def _forbidden(message):
    return CredentialError(message, status_code=403)


# ----------------------------------------------------------------------------- who may do what


def _covers(user, roles, division):
    """The one scope check: `user` holds one of `roles` in a way that covers `division`."""
    return scope_for(user, roles).covers_division(division)


def may_define(user):
    """Regional ALS personnel and the system administrator (and superusers) define achievements."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or has_role(user, DEFINE_ROLES)


def may_prepare(user, division):
    """An EPSA or division ALS focal person of `division` records assessments and prepares,
    issues and cancels its batches."""
    return _covers(user, PREPARE_ROLES, division)


def may_prepare_somewhere(user):
    """Whether `user` may prepare batches and record assessments for at least one division
    (`may_prepare` somewhere). The admin's menus ask it on every page: the cached scope answers."""
    scope = scope_for(user, PREPARE_ROLES)
    return Division.objects.exists() if scope.is_global else bool(scope.division_ids)


def may_approve(user, batch):
    """The division's EPSA approves a prepared batch, unless they prepared it themselves."""
    if batch.state != BatchState.DRAFT or not _covers(user, APPROVE_ROLES, batch.division_id):
        return False
    return batch.prepared_by_id != user.pk


def _approver_refusal(user, batch):
    """Why `user` may not approve `batch` whatever its state, or None."""
    if not _covers(user, APPROVE_ROLES, batch.division_id):
        return _("You may not approve award batches of %s.") % batch.division
    if batch.prepared_by_id == user.pk:
        return _("You prepared this batch; another EPSA of the division approves it.")
    return None


def may_amend(user, award):
    """The division's EPSA and regional ALS personnel revoke and re-issue awards."""
    return _covers(user, AMEND_ROLES, award.batch.division_id)


def batches_visible_to(user):
    """The batches of the divisions where the user holds a learner-data role."""
    return learner_data_scope(user).filter(AwardBatch.objects.all(), division_field="division")


def awards_visible_to(user):
    """The awards of the batches the user may see."""
    return learner_data_scope(user).filter(Award.objects.all(), division_field="batch__division")


# ----------------------------------------------------------------------------- assessments


def _division_of(learner):
    if learner.division_id is None:
        raise CredentialError(
            _("%(learner)s has no division yet; enrol the learner first.") % {"learner": learner}
        )
    return learner.division


def record_assessment(
    user,
    learner,
    achievement,
    element,
    *,
    self_rating,
    teacher_rating,
    community_rating,
    assessed_on,
):
    """Record (or correct) the 360° ratings of one learner on one competency element.

    Every rater the achievement counts must give a rating from 1 to 4; a rater it does not count
    may be left empty. Records need a person (no operator). Returns the Assessment."""
    division = _division_of(learner)
    if not may_prepare(user, division):
        raise _forbidden(_("You may not record assessments for learners of %s.") % division)
    if element not in achievement.elements:
        raise CredentialError(
            _("“%(element)s” is not a competency element of %(achievement)s.")
            % {"element": element, "achievement": achievement}
        )
    if assessed_on is None or assessed_on > timezone.localdate():
        raise CredentialError(_("Give the date of the assessment (not in the future)."))
    ratings = {
        "self_rating": self_rating,
        "teacher_rating": teacher_rating,
        "community_rating": community_rating,
    }
    for rater, field in RATING_FIELDS.items():
        value = ratings[field]
        if value is None:
            if rater in achievement.raters:
                raise CredentialError(
                    _("The %(rater)s rating is needed for %(achievement)s.")
                    % {"rater": str(rater.label).lower(), "achievement": achievement}
                )
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            raise CredentialError(
                _("The %(rater)s rating must be a whole number from 1 to 4.")
                % {"rater": str(rater.label).lower()}
            )
    assessment, _created = Assessment.objects.update_or_create(
        learner=learner,
        achievement=achievement,
        element=element,
        defaults={
            **ratings,
            "division": division,
            "assessed_on": assessed_on,
            "recorded_by": user,
        },
    )
    return assessment


def _number(value):
    """3.40 -> "3.4", 3.00 -> "3": the way the summary prints means and thresholds."""
    text = f"{Decimal(value):.2f}"
    return text.rstrip("0").rstrip(".")


def qualifies(learner, achievement, assessments=None):
    """Whether the learner passes the achievement's rule, with a one-line summary.

    The rule: every competency element rated by every rater the achievement counts, each rating
    at least `pass_minimum` and their mean at least `pass_mean`. The summary of a pass is the
    award's evidence; the summary of a fail says what is missing or too low. `assessments`
    (the learner's for this achievement) may be given to save the query."""
    if assessments is None:
        assessments = Assessment.objects.filter(learner=learner, achievement=achievement)
    by_element = {assessment.element: assessment for assessment in assessments}
    raters = [Rater(rater) for rater in achievement.raters if rater in Rater.values]
    rater_names = get_text_list([str(rater.label).lower() for rater in raters], _("and"))
    ratings = []
    for element in achievement.elements:
        assessment = by_element.get(element)
        if assessment is None:
            return False, _("Not assessed on “%(element)s”.") % {"element": element}
        for rater in raters:
            value = getattr(assessment, RATING_FIELDS[rater])
            if value is None:
                return False, _("No %(rater)s rating on “%(element)s”.") % {
                    "rater": str(rater.label).lower(),
                    "element": element,
                }
            if value < achievement.pass_minimum:
                return False, _(
                    "The %(rater)s rating on “%(element)s” is %(value)s, below %(minimum)s."
                ) % {
                    "rater": str(rater.label).lower(),
                    "element": element,
                    "value": value,
                    "minimum": achievement.pass_minimum,
                }
            ratings.append(value)
    if not ratings:
        return False, _("%(achievement)s has no competency elements or raters to assess.") % {
            "achievement": achievement
        }
    mean = Decimal(sum(ratings)) / len(ratings)
    facts = {
        "raters": rater_names,
        "count": len(achievement.elements),
        "mean": _number(mean.quantize(Decimal("0.01"))),
        "pass_mean": _number(achievement.pass_mean),
        "minimum": achievement.pass_minimum,
    }
    if mean < Decimal(achievement.pass_mean):
        return False, _("Mean %(mean)s of 4 is below the pass mark %(pass_mean)s.") % facts
    return True, _(
        "Assessed by %(raters)s on %(count)s elements, mean %(mean)s of 4 "
        "(pass: %(pass_mean)s, each at least %(minimum)s)"
    ) % facts


# ----------------------------------------------------------------------------- batches


def _clean_signatories(signatories):
    cleaned = []
    for signatory in signatories or []:
        if isinstance(signatory, dict):
            name, position = signatory.get("name", ""), signatory.get("position", "")
        else:
            name, position = (list(signatory) + ["", ""])[:2]
        name, position = str(name or "").strip(), str(position or "").strip()
        if not name or not position:
            raise CredentialError(_("Give each signatory's name and position."))
        cleaned.append({"name": name, "position": position})
    if len(cleaned) > MAX_SIGNATORIES:
        raise CredentialError(
            _("A certificate has room for at most %(count)s signatories.")
            % {"count": MAX_SIGNATORIES}
        )
    return cleaned


@transaction.atomic
def prepare_batch(
    user,
    *,
    division,
    achievements,
    ceremony_date,
    venue,
    signatories,
    members,
    source_name="",
):
    """Prepare a recognition day's batch for `division`.

    `members`: (learner, name as printed, narrative) for each learner; the learners must be
    held by the division (or not by any division yet: just registered from the awardees list).
    Returns the AwardBatch, prepared (state draft)."""
    if user is not None and not may_prepare(user, division):
        raise _forbidden(_("You may not prepare award batches for %s.") % division)
    achievements = list(achievements or [])
    if not achievements:
        raise CredentialError(_("Choose at least one micro-credential to award."))
    inactive = [str(achievement) for achievement in achievements if not achievement.is_active]
    if inactive:
        raise CredentialError(
            _("No longer awarded: %(names)s.") % {"names": ", ".join(inactive)}, status_code=409
        )
    if ceremony_date is None:
        raise CredentialError(_("Give the date of the recognition day."))
    members = list(members or [])
    if not members:
        raise CredentialError(_("The batch has no learners."))
    rows, seen = [], set()
    for learner, name_as_printed, narrative in members:
        name_as_printed = " ".join(str(name_as_printed or "").split())
        if learner.pk in seen:
            raise CredentialError(_("%(learner)s is listed twice.") % {"learner": learner})
        seen.add(learner.pk)
        if learner.division_id not in (None, division.pk):
            raise CredentialError(
                _("%(learner)s is a learner of another division.") % {"learner": learner}
            )
        if not name_as_printed:
            raise CredentialError(
                _("Give the name to print for %(learner)s.") % {"learner": learner}
            )
        if len(name_as_printed) > BatchMember._meta.get_field("name_as_printed").max_length:
            raise CredentialError(
                _("The name to print for %(learner)s is too long.") % {"learner": learner}
            )
        rows.append((learner, name_as_printed, str(narrative or "").strip()))
    batch = AwardBatch.objects.create(
        division=division,
        ceremony_date=ceremony_date,
        venue=" ".join(str(venue or "").split()),
        signatories=_clean_signatories(signatories),
        source_name=str(source_name or "")[:255],
        prepared_by=user,
    )
    batch.achievements.set(achievements)
    BatchMember.objects.bulk_create(
        BatchMember(batch=batch, learner=learner, name_as_printed=name, narrative=narrative)
        for learner, name, narrative in rows
    )
    log(batch, "credentials.prepare", user=user, data={"members": len(rows)})
    return batch


def _locked(batch):
    return (
        AwardBatch.objects.select_for_update(of=("self",))
        .select_related("division")
        .get(pk=batch.pk)
    )


def _move(instance, transition_name):
    """Run a state transition; a wrong state is a 409 saying what the state is."""
    try:
        getattr(instance, transition_name)()
    except TransitionNotAllowed:
        raise CredentialError(
            _("%(object)s is %(state)s; that is not possible now.")
            % {"object": instance, "state": instance.get_state_display().lower()},
            status_code=409,
        ) from None


@transaction.atomic
def approve_batch(user, batch):
    """Approve a prepared batch (the division's EPSA, not the person who prepared it)."""
    batch = _locked(batch)
    refusal = _approver_refusal(user, batch) if user is not None else None
    if refusal:
        raise _forbidden(refusal)
    _move(batch, "approve")
    batch.approved_by = user
    batch.approved_at = timezone.now()
    batch.save(update_fields=["state", "approved_by", "approved_at"])
    log(batch, "credentials.approve", user=user)
    return batch


@transaction.atomic
def cancel_batch(user, batch):
    """Cancel a batch that has not been issued (whoever may prepare the division's batches)."""
    batch = _locked(batch)
    if user is not None and not may_prepare(user, batch.division):
        raise _forbidden(_("You may not cancel award batches of %s.") % batch.division)
    _move(batch, "cancel")
    batch.save(update_fields=["state"])
    log(batch, "credentials.cancel", user=user)
    return batch


def _valid_until(achievement, issued_on):
    """The expiry: `validity_months` later, on the same day or the month's last (31 January +
    1 month = end of February); None when the achievement does not expire."""
    if not achievement.validity_months:
        return None
    months = issued_on.month - 1 + achievement.validity_months
    year, month = issued_on.year + months // 12, months % 12 + 1
    return issued_on.replace(
        year=year, month=month, day=min(issued_on.day, calendar.monthrange(year, month)[1])
    )


def _evidence(member, achievement, assessments):
    """The assessment summary when the learner was assessed, else the member's narrative."""
    if assessments:
        passed, summary = qualifies(member.learner, achievement, assessments)
        if not passed:
            raise CredentialError(
                _("%(name)s does not qualify for %(achievement)s: %(reason)s")
                % {"name": member.name_as_printed, "achievement": achievement, "reason": summary}
            )
        return summary
    if member.narrative:
        return member.narrative
    raise CredentialError(
        _("%(name)s has neither assessments for %(achievement)s nor a narrative.")
        % {"name": member.name_as_printed, "achievement": achievement}
    )


def _fresh_keys(count):
    """`count` new (code, status index) pairs unused so far (the caller holds the batch lock;
    a concurrent issue can still collide, which the unique constraints catch)."""
    used = set(Award.objects.values_list("status_index", flat=True))
    if len(used) + count > codes.STATUS_LIST_LENGTH // 2:
        # Kept sparse so that an index says nothing about the order of issue.
        raise CredentialError(_("The status list is full; it needs to grow."), status_code=409)
    indexes = set()
    while len(indexes) < count:
        index = codes.new_status_index()
        if index not in used:
            indexes.add(index)
    return [(codes.new_code(), index) for index in indexes]


@transaction.atomic
def issue_batch(user, batch):
    """Issue an approved batch: one award per member and achievement, all or none.

    Each award gets the name as printed, its evidence (see `_evidence`), the ceremony date as
    issue date, an expiry from the achievement's validity, a verification code and a random
    status-list index. A member without evidence refuses the whole batch. Returns the awards."""
    batch = _locked(batch)
    if user is not None and not may_prepare(user, batch.division):
        raise _forbidden(_("You may not issue award batches of %s.") % batch.division)
    _move(batch, "issue")
    achievements = list(batch.achievements.order_by("name"))
    members = list(
        batch.members.select_related("learner")
        .prefetch_related(
            Prefetch(
                "learner__assessments",
                queryset=Assessment.objects.filter(achievement__in=achievements),
                to_attr="credential_assessments",
            )
        )
        .order_by("name_as_printed", "pk")
    )
    pending = []
    for member in members:
        for achievement in achievements:
            assessments = [
                a
                for a in member.learner.credential_assessments
                if a.achievement_id == achievement.pk
            ]
            pending.append(
                Award(
                    batch=batch,
                    learner=member.learner,
                    achievement=achievement,
                    name_as_printed=member.name_as_printed,
                    evidence=_evidence(member, achievement, assessments),
                    issued_on=batch.ceremony_date,
                    valid_until=_valid_until(achievement, batch.ceremony_date),
                )
            )
    awards = _insert_with_fresh_keys(pending)
    batch.issued_at = timezone.now()
    batch.save(update_fields=["state", "issued_at"])
    log(batch, "credentials.issue", user=user, data={"awards": len(awards)})
    for award in awards:
        log(award, "credentials.issue", user=user, data={"batch": batch.pk})
    return awards


def _insert_with_fresh_keys(pending):
    """Insert the awards with new codes and indexes, drawing again on a (rare) collision."""
    for attempt in range(ISSUE_ATTEMPTS):
        for award, (code, index) in zip(pending, _fresh_keys(len(pending)), strict=True):
            award.code, award.status_index = code, index
        try:
            with transaction.atomic():
                return Award.objects.bulk_create(pending)
        except IntegrityError:
            if attempt == ISSUE_ATTEMPTS - 1:
                raise
            for award in pending:
                award.pk = None
    return []  # not reached


def _locked_award(award):
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related("batch__division")
        .get(pk=award.pk)
    )


@transaction.atomic
def revoke_award(user, award, reason):
    """Revoke a valid award, with the reason (shown to staff; the public sees the date)."""
    award = _locked_award(award)
    if user is not None and not may_amend(user, award):
        raise _forbidden(_("You may not revoke awards of %s.") % award.batch.division)
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise CredentialError(_("Say why the award is revoked."))
    _move(award, "revoke")
    award.revoked_at = timezone.now()
    award.revoke_reason = reason
    award.save(update_fields=["state", "revoked_at", "revoke_reason"])
    log(award, "credentials.revoke", user=user, data={"reason": reason})
    return award


@transaction.atomic
def reissue_award(user, award, *, name_as_printed):
    """Re-issue a valid award under a corrected name: a new award (new code and index) in the
    same batch with the same achievement, evidence and dates; the old one becomes replaced and
    points to it. Both stay. Returns the new award."""
    award = _locked_award(award)
    if user is not None and not may_amend(user, award):
        raise _forbidden(_("You may not re-issue awards of %s.") % award.batch.division)
    name_as_printed = " ".join(str(name_as_printed or "").split())
    if not name_as_printed:
        raise CredentialError(_("Give the corrected name to print."))
    if len(name_as_printed) > Award._meta.get_field("name_as_printed").max_length:
        raise CredentialError(_("The name to print is too long."))
    if name_as_printed == award.name_as_printed:
        raise CredentialError(_("The corrected name is the same as the printed one."))
    _move(award, "replace")
    award.save(update_fields=["state"])
    new = Award(
        batch=award.batch,
        learner_id=award.learner_id,
        achievement_id=award.achievement_id,
        name_as_printed=name_as_printed,
        evidence=award.evidence,
        issued_on=award.issued_on,
        valid_until=award.valid_until,
    )
    new = _insert_with_fresh_keys([new])[0]
    award.replaced_by = new
    award.save(update_fields=["replaced_by"])
    # Reprints of the batch use the corrected name.
    BatchMember.objects.filter(batch_id=award.batch_id, learner_id=award.learner_id).update(
        name_as_printed=name_as_printed
    )
    log(
        award,
        "credentials.replace",
        user=user,
        data={"replaced_by": new.pk, "name_as_printed": name_as_printed},
    )
    log(new, "credentials.reissue", user=user, data={"replaces": award.pk})
    return new
