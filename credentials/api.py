"""`/api/v1/credentials`: list micro-credentials, create an award batch from an awardees list,
approve, issue, print the batch, revoke an award.

Mounted on the project's NinjaAPI (api/api.py), so every operation needs a bearer token. The
rules (who may act, in which divisions, in which state) are credentials.services'; a batch or
award outside the caller's divisions is a 404, an action outside their role a 403, one the state
does not allow a 409, bad input a 400 (`CredentialError` carries its status).
"""

import datetime
import json
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import Field

from api.errors import error_responses
from api.openapi import ListedCodes, choice
from learners.models import LearnerAccessLog
from organisation.models import Division
from snapshots.readers import UnreadableFile

from . import roster, services
from .models import Achievement, AwardState, BatchState, Rater

router = Router(tags=["credentials"])

PDF_RESPONSE = {
    "description": "The certificates as one PDF, one A4 landscape page per learner.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


def _division_slugs():
    return Division.objects.values_list("slug", flat=True)


def _achievement_slugs():
    return Achievement.objects.filter(is_active=True).values_list("slug", flat=True)


RaterCode = choice(Rater.values)
BatchStateCode = choice(BatchState.values)
AwardStateCode = choice(AwardState.values)
#: The four kinds of rows in an awardees-list preview.
RowKind = choice(roster.KINDS)
DivisionSlug = Annotated[str, ListedCodes(_division_slugs)]
AchievementSlug = Annotated[str, ListedCodes(_achievement_slugs)]


class AchievementOut(Schema):
    id: int
    slug: str
    name: str
    name_fil: str
    name_ilo: str
    description: str
    learning_strand: str
    pqf_level: int
    competency_elements: list[str]
    raters: list[RaterCode]
    pass_minimum: int
    pass_mean: float
    validity_months: int | None
    is_active: bool


class SignatoryOut(Schema):
    name: str
    position: str


class AwardOut(Schema):
    id: int
    batch_id: int
    achievement: str = Field(description="The achievement's slug.")
    name_as_printed: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    code: str
    state: AwardStateCode
    revoked_at: datetime.datetime | None
    revoke_reason: str
    replaced_by: int | None = Field(description="The id of the award that replaces this one.")


class BatchOut(Schema):
    id: int
    division: str = Field(description="The division's slug.")
    achievements: list[str] = Field(description="The achievements' slugs.")
    ceremony_date: datetime.date
    venue: str
    signatories: list[SignatoryOut]
    state: BatchStateCode
    source_name: str
    member_count: int
    awards: list[AwardOut]


class PreviewRowOut(Schema):
    row: int = Field(description="The row's number in the file.")
    kind: RowKind
    lrn: str = Field(description="The LRN as the file gives it.")
    merged_into: str = Field(description="The surviving LRN when the file's LRN was merged.")
    file_name: str = Field(description="The name as the file gives it.")
    registry_name: str = Field(description="The registry's name (matched and differing rows).")
    name_as_printed: str = Field(description="The name printed unless a decision changes it.")
    needs_decision: bool = Field(
        description="A differing row (registry or file name?) or a new learner with near "
        "duplicates (register all the same?): give a decision in `decisions`."
    )
    near_duplicates: int = Field(description="How many registered learners look alike.")
    reasons: list[str] = Field(description="Why the row is refused.")


class PreviewOut(Schema):
    """Nothing is written: send the same request with `confirm=true` to create the batch."""

    counts: dict[RowKind, int] = Field(description="Rows per kind.")
    rows: list[PreviewRowOut]


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


def achievement_out(achievement):
    return {
        "id": achievement.pk,
        "slug": achievement.slug,
        "name": achievement.name,
        "name_fil": achievement.name_fil,
        "name_ilo": achievement.name_ilo,
        "description": achievement.description,
        "learning_strand": achievement.learning_strand,
        "pqf_level": achievement.pqf_level,
        "competency_elements": achievement.elements,
        "raters": [r for r in achievement.raters if r in Rater.values],
        "pass_minimum": achievement.pass_minimum,
        "pass_mean": float(achievement.pass_mean),
        "validity_months": achievement.validity_months,
        "is_active": achievement.is_active,
    }


def award_out(award):
    return {
        "id": award.pk,
        "batch_id": award.batch_id,
        "achievement": award.achievement.slug,
        "name_as_printed": award.name_as_printed,
        "issued_on": award.issued_on,
        "valid_until": award.valid_until,
        "code": award.code,
        "state": award.state,
        "revoked_at": award.revoked_at,
        "revoke_reason": award.revoke_reason,
        "replaced_by": award.replaced_by_id,
    }


def batch_out(batch):
    awards = batch.awards.select_related("achievement").order_by("name_as_printed", "pk")
    return {
        "id": batch.pk,
        "division": batch.division.slug,
        "achievements": [a.slug for a in batch.achievements.all()],
        "ceremony_date": batch.ceremony_date,
        "venue": batch.venue,
        "signatories": [
            {"name": str(s.get("name", "")), "position": str(s.get("position", ""))}
            for s in batch.signatories
            if isinstance(s, dict)
        ],
        "state": batch.state,
        "source_name": batch.source_name,
        "member_count": batch.members.count(),
        "awards": [award_out(a) for a in awards],
    }


def _visible_batch(request, batch_id):
    queryset = services.batches_visible_to(request.user).select_related("division")
    return get_object_or_404(queryset, pk=batch_id)


def _signatories(text):
    """The `signatories` form field: a JSON list of {"name", "position"} objects."""
    try:
        value = json.loads(text) if text.strip() else []
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(
        isinstance(s, dict)
        and isinstance(s.get("name"), str)
        and isinstance(s.get("position", ""), str)
        and s["name"].strip()
        for s in value
    ):
        raise HttpError(
            400, 'signatories: a JSON list of {"name": ..., "position": ...} objects.'
        ) from None
    return [{"name": s["name"].strip(), "position": s.get("position", "").strip()} for s in value]


@router.get(
    "/achievements",
    response={200: list[AchievementOut], **error_responses(401)},
    summary="The micro-credentials that can be awarded",
)
def list_achievements(request, active: bool = True):
    """`active=false` lists the retired ones too."""
    queryset = Achievement.objects.all()
    if active:
        queryset = queryset.filter(is_active=True)
    return [achievement_out(a) for a in queryset]


@router.get(
    "/batches",
    response={200: list[BatchOut], **error_responses(401)},
    summary="Award batches in your divisions",
)
def list_batches(request, state: BatchStateCode | None = None):
    queryset = services.batches_visible_to(request.user).select_related("division")
    if state:
        queryset = queryset.filter(state=state)
    return [batch_out(b) for b in queryset.prefetch_related("achievements")[:200]]


def _decisions(text):
    """The `decisions` form field: a JSON object {row number: decision}."""
    allowed = (roster.KEEP_REGISTRY, roster.PRINT_FILE, roster.REGISTER_NEW)
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        str(key).isdigit() and decision in allowed for key, decision in value.items()
    ):
        raise HttpError(
            400,
            'decisions: a JSON object of row numbers to "registry", "file" or "new", '
            'e.g. {"4": "file"}.',
        )
    return {int(key): decision for key, decision in value.items()}


@router.post(
    "/batches",
    response={200: PreviewOut, 201: BatchOut, **error_responses(401, 403)},
    summary="Preview an awardees list (CSV or .xlsx), or create the batch from it",
)
def create_batch(
    request,
    division: Form[DivisionSlug],
    achievements: Form[list[AchievementSlug]],
    ceremony_date: Form[datetime.date],
    venue: Form[str],
    file: File[UploadedFile],
    signatories: Form[str] = "[]",
    decisions: Form[str] = "{}",
    confirm: Form[bool] = False,
):
    """The file has the columns `LRN, Last Name, First Name, Middle Name, Name Extension, Sex,
    Birthdate, Narrative` (narrative optional). Without `confirm` the answer is the preview, 200:
    each row matched, differing (the LRN is known, the name is not the registry's), new (not in
    the registry: registered on confirmation) or refused (with the reasons); nothing is written.
    With `confirm=true` the batch is created, 201, and new learners registered, all or nothing:
    a refused row, or a row needing a decision without one, answers 400 with the rows' problems
    under `errors` (`"row 4": [...]`) and writes nothing.

    `achievements` repeats for each slug; `signatories` is a JSON list of
    `{"name": ..., "position": ...}`; `decisions` a JSON object of row numbers to `"registry"`
    or `"file"` (which name a differing row prints) or `"new"` (a new learner with near
    duplicates is a different person).
    """
    division_obj = Division.objects.filter(slug=division).first()
    if division_obj is None:
        raise HttpError(400, "division: no division has this slug.")
    chosen = list(Achievement.objects.filter(slug__in=achievements, is_active=True))
    if not chosen or len(chosen) != len(set(achievements)):
        raise HttpError(400, "achievements: name active micro-credentials by their slugs.")
    if not venue.strip() or len(venue) > 200:
        raise HttpError(400, "venue: name the venue (at most 200 characters).")
    people = _signatories(signatories)
    chosen_decisions = _decisions(decisions)
    if not services.may_prepare(request.user, division_obj):
        raise HttpError(403, "You may not prepare award batches for this division.")
    try:
        rows = roster.read_roster(file, file.name or "")
    except UnreadableFile as error:
        raise HttpError(400, f"file: {error}") from None
    result = roster.preview(rows, division_obj, request.user)
    if not confirm:
        return Status(200, preview_out(result))
    try:
        batch = roster.confirm(
            request.user,
            division=division_obj,
            achievements=chosen,
            ceremony_date=ceremony_date,
            venue=venue.strip(),
            signatories=people,
            rows=result,
            decisions=chosen_decisions,
            source_name=file.name or "",
            channel=LearnerAccessLog.Channel.API,
        )
    except roster.RosterRefused as error:
        errors = {}
        for number, message in error.problems:
            errors.setdefault(f"row {number}", []).append(str(message))
        # The API's domain-error handler turns `details` into the 400's field errors.
        refused = services.CredentialError(error.message, status_code=400)
        refused.details = errors
        raise refused from None
    return Status(201, batch_out(batch))


def preview_out(result):
    rows = [
        {
            "row": row.number,
            "kind": row.kind,
            "lrn": row.row.lrn,
            "merged_into": row.learner.lrn if row.merged_lrn and row.learner else "",
            "file_name": row.file_name,
            "registry_name": row.registry_name,
            "name_as_printed": row.name_as_printed(),
            "needs_decision": row.needs_decision,
            "near_duplicates": len(row.near_duplicates),
            "reasons": [str(reason) for reason in row.reasons],
        }
        for row in result
    ]
    return {"counts": roster.counts(result), "rows": rows}


@router.get(
    "/batches/{int:batch_id}",
    response={200: BatchOut, **error_responses(401, 404)},
    summary="One award batch, with its awards once issued",
)
def get_batch(request, batch_id: int):
    return batch_out(_visible_batch(request, batch_id))


@router.post(
    "/batches/{int:batch_id}/approve",
    response={200: BatchOut, **error_responses(401, 403, 404, 409)},
    summary="Approve a prepared batch (the division's approver)",
)
def approve_batch(request, batch_id: int):
    batch = _visible_batch(request, batch_id)
    services.approve_batch(request.user, batch)
    return batch_out(_visible_batch(request, batch_id))


@router.post(
    "/batches/{int:batch_id}/issue",
    response={200: BatchOut, **error_responses(401, 403, 404, 409)},
    summary="Issue an approved batch: one signed award per learner and achievement",
)
def issue_batch(request, batch_id: int):
    batch = _visible_batch(request, batch_id)
    services.issue_batch(request.user, batch)
    return batch_out(_visible_batch(request, batch_id))


@router.post(
    "/batches/{int:batch_id}/cancel",
    response={200: BatchOut, **error_responses(401, 403, 404, 409)},
    summary="Cancel a batch not issued yet",
)
def cancel_batch(request, batch_id: int):
    batch = _visible_batch(request, batch_id)
    services.cancel_batch(request.user, batch)
    return batch_out(_visible_batch(request, batch_id))


@router.get(
    "/batches/{int:batch_id}/pdf",
    response={200: None, **error_responses(401, 404, 409)},
    openapi_extra={"responses": {"200": PDF_RESPONSE}},
    summary="The batch's certificates as one PDF",
)
def batch_pdf(request, batch_id: int):
    from .certificates import batch_pdf as render
    from .views import pdf_response

    batch = _visible_batch(request, batch_id)
    if batch.state != BatchState.ISSUED:
        raise HttpError(409, "Certificates are printed once the batch is issued.")
    return pdf_response(render(batch), f"certificates-{batch.division.slug}-{batch.pk}.pdf")


@router.get(
    "/awards/{int:award_id}",
    response={200: AwardOut, **error_responses(401, 404)},
    summary="One award",
)
def get_award(request, award_id: int):
    queryset = services.awards_visible_to(request.user).select_related("achievement")
    return award_out(get_object_or_404(queryset, pk=award_id))


@router.post(
    "/awards/{int:award_id}/revoke",
    response={200: AwardOut, **error_responses(401, 403, 404, 409)},
    summary="Revoke an award, with the reason",
)
def revoke_award(request, award_id: int, data: RevokeIn):
    """The status list says "revoked" at once; the verification page shows the date."""
    queryset = services.awards_visible_to(request.user).select_related("achievement", "batch")
    award = get_object_or_404(queryset, pk=award_id)
    if not data.reason.strip():
        raise HttpError(400, "reason: say why the award is revoked.")
    services.revoke_award(request.user, award, data.reason.strip())
    return award_out(get_object_or_404(queryset, pk=award_id))
