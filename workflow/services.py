"""The one way in for every workflow action, from the Wagtail admin and the API alike.

`perform_transition` checks role and scope, locks the journey row, runs the django-fsm transition,
saves (with django-fsm's optimistic check on top of the lock), stamps receipts, stores the review,
records the history, writes Wagtail's log entry and queues the notification e-mail — all in one
transaction, so either everything happens or nothing does.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm
from wagtail.log_actions import log

from organisation.models import District, Division, Level, Region, Role
from organisation.scope import assignments_for
from repository.forms import SubmissionForm
from repository.models import VOCABULARY_MODELS, ReturnReason, Submission, SubmissionFile
from repository.services import (
    UploadRejected,
    add_file,
    file_key,
    missing_items,
    missing_requirements,
)

from . import notifications
from .exceptions import (
    IncompleteSubmission,
    PermissionDeniedForTransition,
    ReviewInvalid,
    StaleSubmission,
    TransitionNotAvailable,
    ValidationFailed,
    WorkflowError,
)
from .models import (
    EDITABLE_STATES,
    MANILA,
    TRANSITION_NAMES,
    ControlNumberCounter,
    Journey,
    ReceiptStamp,
    Review,
    State,
    TransitionRecord,
)
from .review import evaluate
from .rules import could_ever_perform, is_submitter, tasks_q, visibility_q

__all__ = [
    "WorkflowError",
    "PermissionDeniedForTransition",
    "TransitionNotAvailable",
    "StaleSubmission",
    "IncompleteSubmission",
    "ValidationFailed",
    "ReviewInvalid",
    "create_submission",
    "update_draft",
    "check_may_upload",
    "upload_file",
    "can_edit",
    "perform_transition",
    "available_transitions",
    "visible_submissions",
    "tasks_for",
    "is_overdue",
    "overdue_q",
    "overdue_days",
    "comments_for",
]

S = State

# Transitions that need a review, and the outcome they need.
REVIEW_REQUIRED = {"endorse_to_region", "approve", "return_for_revision"}
PASS_REQUIRED = {"endorse_to_region", "approve"}
# Transitions that need a reason (a structured reason or a comment), and which reasons fit.
REASON_REQUIRED = {
    "return_incomplete": ReturnReason.AppliesTo.INCOMPLETE,
    "return_for_revision": ReturnReason.AppliesTo.REVISION,
    "withdraw": ReturnReason.AppliesTo.WITHDRAWAL,
    "request_correction": ReturnReason.AppliesTo.REVISION,
}
RECEIPTS = {"receive_at_division": Level.DIVISION, "receive_at_region": Level.REGION}
# Transitions refused while the submission lacks anything `repository.services.missing_items`
# lists (409 with the list): a records section receives only complete documents, so nobody may
# submit (or resubmit) what it would have to return.
COMPLETE_BEFORE = {"submit", "resubmit", *RECEIPTS}

DEFAULT_OVERDUE_DAYS = {
    S.SUBMITTED: 5,
    S.RECEIVED_BY_DIVISION: 5,
    S.UNDER_DIVISION_REVIEW: 15,
    S.ENDORSED_TO_REGION: 5,
    S.RECEIVED_BY_REGION: 5,
    S.UNDER_REGIONAL_REVIEW: 15,
    S.APPROVED: 7,
    S.RETURNED_INCOMPLETE: 14,
    S.RETURNED_FOR_REVISION: 30,
}


# --------------------------------------------------------------------------------------------
# Creating and editing drafts
# --------------------------------------------------------------------------------------------

_FK_VOCABULARIES = {
    field.name: field.related_model
    for field in Submission._meta.get_fields()
    if getattr(field, "related_model", None) in VOCABULARY_MODELS
}


def _normalise(data):
    """Accept vocabulary terms by code as well as by id (the API sends codes)."""
    if isinstance(data, QueryDict):
        return data
    data = dict(data)
    for name, model in _FK_VOCABULARIES.items():
        if name not in data or data[name] in (None, ""):
            continue
        value = data[name]
        values = value if isinstance(value, list | tuple) else [value]
        converted = []
        for item in values:
            if isinstance(item, str) and not item.isdigit():
                found = model.objects.filter(code=item).values_list("pk", flat=True).first()
                converted.append(found if found is not None else item)
            else:
                converted.append(item)
        data[name] = converted if isinstance(value, list | tuple) else converted[0]
    return data


def _form_errors(form):
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def _origin_options(user):
    """(origin_level, region, division, district) a user may create submissions for."""
    if user.is_superuser:
        return None  # anything; the data must say which
    options = []
    for a in assignments_for(user, Role.ALS_TEACHER):
        if a.district_id:
            district = District.objects.select_related("division__region").get(pk=a.district_id)
            options.append((Level.DISTRICT, district.division.region, district.division, district))
    for a in assignments_for(user, Role.EPSA):
        if a.division_id:
            division = Division.objects.select_related("region").get(pk=a.division_id)
            options.append((Level.DIVISION, division.region, division, None))
    for a in assignments_for(user, [Role.REGIONAL_ALS, Role.SYSTEM_ADMINISTRATOR]):
        if a.region_id:
            options.append((Level.REGION, Region.objects.get(pk=a.region_id), None, None))
    return list(dict.fromkeys(options))


def _resolve_origin(user, data):
    wanted_level = data.get("origin_level") or None
    wanted_district = data.get("district") or None
    wanted_division = data.get("division") or None
    options = _origin_options(user)
    if options is None:  # superuser: take the units named in the data
        try:
            if wanted_district:
                district = District.objects.select_related("division__region").get(
                    pk=wanted_district
                )
                return Level.DISTRICT, district.division.region, district.division, district
            if wanted_division:
                division = Division.objects.select_related("region").get(pk=wanted_division)
                return Level.DIVISION, division.region, division, None
            region = Region.objects.get(pk=data.get("region")) if data.get("region") else None
        except (District.DoesNotExist, Division.DoesNotExist, Region.DoesNotExist, ValueError):
            region = None
        if region is None:
            raise ValidationFailed(
                _("Say which unit the submission comes from."),
                details={"origin_level": [_("Choose a district, division or region.")]},
            )
        return Level.REGION, region, None, None
    if not options:
        raise PermissionDeniedForTransition(
            _("Only ALS teachers, EPSAs and regional ALS personnel create submissions.")
        )
    if wanted_level:
        options = [o for o in options if o[0] == wanted_level]
    if wanted_district:
        options = [o for o in options if o[3] is not None and str(o[3].pk) == str(wanted_district)]
    if wanted_division:
        options = [o for o in options if o[2] is not None and str(o[2].pk) == str(wanted_division)]
    if len(options) == 1:
        return options[0]
    if not options:
        raise PermissionDeniedForTransition(
            _("You may not create submissions for that unit."),
        )
    raise ValidationFailed(
        _("You submit for more than one unit; choose which."),
        details={"origin_level": [_("Choose the district, division or region.")]},
    )


def _store_files(submission, user, files):
    """Store uploads given as {role: file} or [(role, file)]; refusals become field errors."""
    items = files.items() if isinstance(files, dict) else files
    for role, uploaded in items:
        try:
            add_file(submission, uploaded, role, user)
        except UploadRejected as exc:
            # Named as the form names the upload field of the role (`ip_declaration_file`).
            key = file_key(role) if role in SubmissionFile.Role.values else "files"
            raise ValidationFailed(exc.message, details={key: [exc.message]}) from exc
        except ValueError as exc:
            raise ValidationFailed(
                _("Unknown file role."), details={"files": [_("Unknown file role: %s") % role]}
            ) from exc


def create_submission(user, data, *, files=None):
    """Create a draft submission for the user's own unit (with optional files), atomically.

    The origin (district, division or region) comes from the user's role: an ALS teacher's
    district, an EPSA's division, or the region for regional ALS personnel and the system
    administrator. When a user holds several, `data["origin_level"]`, `data["district"]` or
    `data["division"]` choose. Raises ValidationFailed (400) or PermissionDeniedForTransition (403).
    """
    if user is None or not user.is_authenticated:
        raise PermissionDeniedForTransition()
    origin_level, region, division, district = _resolve_origin(user, data)
    form = SubmissionForm(data=_normalise(data))
    if not form.is_valid():
        raise ValidationFailed(details=_form_errors(form))
    stored = []
    try:
        with transaction.atomic():
            submission = form.save(commit=False)
            submission.origin_level = origin_level
            submission.region = region
            submission.division = division
            submission.district = district
            submission.created_by = user
            submission.save()
            form.save_m2m()
            Journey.objects.create(submission=submission)
            if files:
                _store_files(submission, user, files)
                stored = list(submission.files.values_list("file", flat=True))
            log(submission, "wagtail.create", user=user)
    except Exception:
        _delete_stored(stored)
        raise
    return submission


def _delete_stored(names):
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def can_edit(user, submission):
    """Whether the user may change the submission's metadata and files now: its submitter, while
    it is a draft, returned, or withdrawn."""
    return submission.journey.state in EDITABLE_STATES and is_submitter(user, submission)


def _check_editable(user, submission):
    if not visible_submissions(user).filter(pk=submission.pk).exists():
        raise PermissionDeniedForTransition(_("You may not change this submission."))
    if not is_submitter(user, submission):
        raise PermissionDeniedForTransition(_("Only the submitter may change this submission."))
    if submission.journey.state not in EDITABLE_STATES:
        raise TransitionNotAvailable(
            _("The submission can be changed only while it is a draft or returned to you.")
        )


def _reload_journey(submission):
    """Give `submission` its journey as the database has it now.

    Not `journey.refresh_from_db()`: django-fsm lets it write the protected state field by
    switching the field's `protected` flag off and on again — on the field, which every thread
    shares — so under concurrent requests one thread switches it back on while another is still
    refreshing, and that one fails with "Direct state modification is not allowed". A fresh
    instance sets its state once, when loaded, and needs no switch."""
    submission.journey = Journey.objects.get(pk=submission.pk)
    return submission.journey


def update_draft(user, submission, data):
    """Change the metadata of a draft (or returned) submission. `data` may be partial when it is a
    plain dict (missing fields keep their values); a QueryDict is taken as the whole form."""
    _reload_journey(submission)
    _check_editable(user, submission)
    if isinstance(data, QueryDict):
        payload = data
    else:
        payload = model_to_dict(submission, fields=SubmissionForm._meta.fields)
        for name, value in payload.items():
            if isinstance(value, list):
                payload[name] = [getattr(v, "pk", v) for v in value]
        payload.update(_normalise(data))
        payload["kind"] = submission.kind
    form = SubmissionForm(data=payload, instance=submission)
    if not form.is_valid():
        raise ValidationFailed(details=_form_errors(form))
    with transaction.atomic():
        submission = form.save()
        log(submission, "wagtail.edit", user=user)
    return submission


def check_may_upload(user, submission):
    """Raise unless the user may add files to the submission now (the check `upload_file` makes),
    for uploads that go straight to object storage (`uploads.services`).
    Raises PermissionDeniedForTransition (403) or TransitionNotAvailable (409)."""
    _reload_journey(submission)
    _check_editable(user, submission)


def upload_file(user, submission, uploaded_file, role, *, replaces=None):
    """Add a file to a submission the user may edit (see repository.services.add_file).
    Raises PermissionDeniedForTransition / TransitionNotAvailable, or UploadRejected."""
    _reload_journey(submission)
    _check_editable(user, submission)
    if role not in SubmissionFile.Role.values:
        raise UploadRejected(_("Unknown file role: %s") % role)
    return add_file(submission, uploaded_file, role, user, replaces=replaces)


# --------------------------------------------------------------------------------------------
# Transitions
# --------------------------------------------------------------------------------------------


def _resolve_reasons(reasons, applies_to):
    """ReturnReason objects from codes, ids or instances; unknown or misplaced ones are errors."""
    resolved = []
    for reason in reasons or []:
        if isinstance(reason, ReturnReason):
            obj = reason
        else:
            lookup = {"pk": reason} if str(reason).isdigit() else {"code": reason}
            obj = ReturnReason.objects.filter(**lookup).first()
        if obj is None or obj.applies_to != applies_to or not obj.is_active:
            raise ValidationFailed(
                _("Unknown reason: %s") % reason, details={"reasons": [_("Unknown reason.")]}
            )
        resolved.append(obj)
    return resolved


def _allocate_receipt(journey, user, level):
    """Stamp the submission received: the next control number of the office for this year."""
    submission = journey.submission
    region = submission.region
    if level == Level.DIVISION:
        division = submission.division
        office_code = f"{region.code}-{division.code}"
    else:
        division = None
        office_code = f"{region.code}-RO"
    now = timezone.now()
    year = timezone.localtime(now, MANILA).year
    # Insert the counter row if it is new (a concurrent insert is ignored), then lock it.
    ControlNumberCounter.objects.bulk_create(
        [ControlNumberCounter(office_code=office_code, year=year)], ignore_conflicts=True
    )
    counter = ControlNumberCounter.objects.select_for_update().get(
        office_code=office_code, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return ReceiptStamp.objects.create(
        submission=submission,
        control_number=f"{office_code}-{year}-{counter.last_number:06d}",
        office_code=office_code,
        office_level=level,
        region=region,
        division=division,
        year=year,
        sequence=counter.last_number,
        received_at=now,
        received_by=user,
    )


def _visible(user, submission):
    return Submission.objects.filter(visibility_q(user), pk=submission.pk).exists()


def perform_transition(
    user, submission, name, *, comment="", review=None, reasons=None, expected_version=None
):
    """Take transition `name` on `submission` as `user`; returns the saved Journey.

    Checks, in order: the action exists; the user may see the submission and holds a role that
    takes this action on it (403); nobody changed it since the caller loaded it — compared by
    `expected_version` when given, else by the journey the caller holds (409 StaleSubmission);
    the action is available in the current state (409); the user is the right actor now, e.g. the
    reviewer holding the claim (403); completeness on submitting and on receipt (409 with the
    missing list, `COMPLETE_BEFORE`); the review and the reasons (400). Then runs everything in one transaction under a row lock.
    """
    if name not in TRANSITION_NAMES:
        raise TransitionNotAvailable(_("Unknown action: %s") % name)
    if user is None or not user.is_authenticated:
        raise PermissionDeniedForTransition()
    seen_version = expected_version
    if seen_version is not None:
        try:
            seen_version = int(seen_version)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(
                details={"expected_version": [_("Must be a whole number.")]}
            ) from exc
    else:
        # The journey the caller loaded (e.g. to render the buttons) tells what they saw.
        cached = submission._state.fields_cache.get("journey")
        seen_version = cached.version if cached is not None else None
    comment = (comment or "").strip()
    try:
        with transaction.atomic():
            journey = (
                Journey.objects.select_for_update(of=("self",))
                .select_related("submission__region", "submission__division")
                .get(pk=submission.pk)
            )
            current = journey.submission
            if not _visible(user, current) or not could_ever_perform(user, journey, name):
                raise PermissionDeniedForTransition()
            if seen_version is not None and journey.version != seen_version:
                raise StaleSubmission()
            method = getattr(journey, name)
            if not can_proceed(method):
                raise TransitionNotAvailable(
                    _("“%(action)s” is not possible while the submission is %(state)s.")
                    % {"action": name.replace("_", " "), "state": journey.get_state_display()}
                )
            if not has_transition_perm(method, user):
                raise PermissionDeniedForTransition()
            journey = _run(user, journey, name, comment=comment, review=review, reasons=reasons)
    except ConcurrentTransition as exc:
        raise StaleSubmission() from exc
    # Keep the caller's copy in step, so a second call with the same object is not "stale".
    submission._state.fields_cache["journey"] = journey
    return journey


def _run(user, journey, name, *, comment, review, reasons):
    submission = journey.submission
    source = journey.state
    details = {}

    if name in COMPLETE_BEFORE:
        missing = missing_items(submission)
        if missing:
            text = " ".join(item.message for item in missing)
            if name in RECEIPTS:
                message = _("The submission is incomplete: %s") % text
            else:
                message = (
                    _("Complete the submission before submitting it. Still missing: %s") % text
                )
            raise IncompleteSubmission(message, details=[item.as_dict() for item in missing])
    if name == "return_incomplete":
        details["missing"] = missing_requirements(submission)

    resolved_reasons = []
    if name in REASON_REQUIRED:
        resolved_reasons = _resolve_reasons(reasons, REASON_REQUIRED[name])
        if not resolved_reasons and not comment:
            raise ValidationFailed(
                _("Give a reason."), details={"reasons": [_("Choose a reason or write a comment.")]}
            )

    evaluation = None
    if name in REVIEW_REQUIRED:
        evaluation = evaluate(submission, review)
        if name in PASS_REQUIRED and evaluation.outcome != Review.Outcome.PASSED:
            raise ReviewInvalid(
                _("Only a submission that passed the review can be endorsed or approved."),
                details={"outcome": [str(Review.Outcome(evaluation.outcome).label)]},
            )

    getattr(journey, name)(by=user)
    journey.version += 1
    journey.state_changed_at = timezone.now()
    journey.save()

    receipt = _allocate_receipt(journey, user, RECEIPTS[name]) if name in RECEIPTS else None
    review_obj = None
    if evaluation is not None:
        review_obj = Review.objects.create(
            submission=submission,
            level=Level.DIVISION if source == S.UNDER_DIVISION_REVIEW else Level.REGION,
            sheet=evaluation.sheet,
            reviewer=user,
            answers=evaluation.answers,
            outcome=evaluation.outcome,
            comment=evaluation.comment,
        )
    record = TransitionRecord.objects.create(
        submission=submission,
        name=name,
        from_state=source,
        to_state=journey.state,
        actor=user,
        at=journey.state_changed_at,
        comment=comment,
        reasons=[{"code": r.code, "name": r.name} for r in resolved_reasons],
        details=details,
        review=review_obj,
        receipt=receipt,
    )
    log(
        submission,
        f"alsmis.workflow.{name}",
        user=user,
        data={
            "from": source,
            "to": journey.state,
            "comment": comment,
            "reasons": record.reasons,
            "control_number": receipt.control_number if receipt else "",
            "outcome": review_obj.outcome if review_obj else "",
        },
    )
    notifications.transition_done(journey, record)
    return journey


def available_transitions(user, submission):
    """The transition names this user may take on the submission right now."""
    try:
        journey = submission.journey
    except Journey.DoesNotExist:
        return []
    if not _visible(user, submission):
        return []
    return [name for name in TRANSITION_NAMES if has_transition_perm(getattr(journey, name), user)]


def comments_for(submission):
    """Every comment made on the submission, oldest first, for showing the submitter on return:
    transition comments and reasons, review comments and per-item rating comments.
    Returns dicts {"at", "author", "transition", "text", "item"}."""
    from .review import sheet_for

    labels = {
        item["key"]: item["label"]
        for factor in sheet_for(submission)["factors"]
        for item in factor["items"]
    }
    comments = []
    records = submission.history.select_related("actor", "review").order_by("at", "pk")
    for record in records:
        author = record.actor.get_full_name() or record.actor.username
        base = {"at": record.at, "author": author, "transition": record.name}
        reasons = "; ".join(r["name"] for r in record.reasons)
        text = " — ".join(part for part in (reasons, record.comment) if part)
        if text:
            comments.append({**base, "text": text, "item": ""})
        review = record.review
        if review is None:
            continue
        if review.comment:
            comments.append({**base, "text": review.comment, "item": ""})
        for key, note in (review.answers.get("item_comments") or {}).items():
            comments.append({**base, "text": note, "item": labels.get(key, key)})
    return comments


# --------------------------------------------------------------------------------------------
# Lists
# --------------------------------------------------------------------------------------------


def visible_submissions(user):
    """Submissions the user may see: their own, and for staff roles everything submitted in their
    scope (drafts stay private to whoever may submit them)."""
    return Submission.objects.filter(visibility_q(user)).select_related(
        "journey", "region", "division", "district", "created_by"
    )


def tasks_for(user):
    """Submissions waiting on this user or on a pool they belong to, oldest first (who acts next
    is read from workflow.rules.ACTORS, see `rules.tasks_q`)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Submission.objects.none()
    return (
        Submission.objects.filter(tasks_q(user))
        .select_related("journey", "region", "division", "district", "created_by")
        .order_by("journey__state_changed_at")
    )


def overdue_days():
    """Days a submission may wait in each state before it is flagged overdue (setting
    WORKFLOW_OVERDUE_DAYS, merged over the defaults; a JSON string is accepted)."""
    configured = getattr(settings, "WORKFLOW_OVERDUE_DAYS", None) or {}
    if isinstance(configured, str):
        configured = json.loads(configured)
    days = {str(state): value for state, value in DEFAULT_OVERDUE_DAYS.items()}
    days.update({str(state): int(value) for state, value in configured.items()})
    return days


def is_overdue(journey, now=None):
    """Whether the submission has waited in its current state longer than allowed."""
    days = overdue_days().get(journey.state)
    if days is None:
        return False
    now = now or timezone.now()
    return now - journey.state_changed_at > timedelta(days=days)


def overdue_q(now=None, prefix="journey__"):
    """A Q over Submission (or over Journey with prefix="") matching overdue items."""
    now = now or timezone.now()
    condition = Q(pk__in=[])
    for state, days in overdue_days().items():
        condition |= Q(
            **{f"{prefix}state": state, f"{prefix}state_changed_at__lt": now - timedelta(days=days)}
        )
    return condition
