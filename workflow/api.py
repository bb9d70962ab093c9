"""The submissions API (`/api/v1/submissions`): list, create, read, upload, download, transitions.

Every operation takes the caller from the bearer token and goes through the same services as the
Wagtail admin (`workflow.services`, `repository.services`), so the rules are the same: a
submission the caller may not see is a 404, an action outside their role or scope a 403, an
action the state does not allow now (or a stale one) a 409, bad input a 400 with field messages.
"""

from datetime import datetime
from typing import Annotated, Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import File, Form, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from api.errors import ConflictOut, ErrorOut, FieldErrorsOut, MissingOut, error_responses
from api.openapi import ListedCodes, choice
from organisation.models import Division, Level
from repository.models import ReturnReason, Submission, SubmissionFile
from repository.services import UploadRejected

from . import services
from .downloads import file_response
from .models import TRANSITION_NAMES, Review, State
from .serializers import (
    form_data_from_payload,
    submission_detail,
    submission_summary,
)

router = Router(tags=["submissions"])

MAX_PAGE_SIZE = 100

__all__ = ["ConflictOut", "ErrorOut", "FieldErrorsOut", "router"]


KindCode = choice(Submission.Kind.values)
StateCode = choice(State.values)
LevelCode = choice(Level.values)
FileRole = choice(SubmissionFile.Role.values)
TransitionName = choice(TRANSITION_NAMES)
SheetCode = choice(Review.Sheet.values)
OutcomeCode = choice(Review.Outcome.values)


def _vocabulary(field_name):
    """The active codes a submission field takes (SubmissionForm's queryset for it)."""

    def codes():
        from repository.forms import SubmissionForm

        return SubmissionForm().fields[field_name].queryset.values_list("code", flat=True)

    return ListedCodes(codes)


def _division_slugs():
    return Division.objects.values_list("slug", flat=True)


def _return_reasons():
    return ReturnReason.objects.filter(is_active=True).values_list("code", flat=True)


class SubmissionSummaryOut(Schema):
    id: int
    kind: KindCode
    title: str
    state: StateCode
    state_label: str
    origin_level: LevelCode
    division: str | None
    district: str | None
    school_year: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    url: str


class SubmissionPageOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[SubmissionSummaryOut]


class FileOut(Schema):
    id: int
    role: FileRole
    version: int
    is_current: bool
    original_name: str
    size: int
    sha256: str
    mime_type: str
    uploaded_by: str
    uploaded_at: datetime
    download_url: str


class StampOut(Schema):
    control_number: str
    office: str
    office_level: LevelCode
    received_at: datetime
    received_by: str


class ReviewOut(Schema):
    id: int
    level: LevelCode
    sheet: SheetCode
    outcome: OutcomeCode
    comment: str
    reviewer: str
    created_at: datetime
    answers: dict[str, Any]


class HistoryOut(Schema):
    name: str
    from_state: StateCode
    to_state: StateCode
    actor: str
    at: datetime
    comment: str
    reasons: list[Any]
    details: dict[str, Any]


class SubmissionDetailOut(SubmissionSummaryOut):
    summary: str
    metadata: dict[str, Any]
    claimed_by: str | None
    version: int
    state_changed_at: datetime
    available_transitions: list[TransitionName]
    missing_requirements: list[str]
    missing: list[MissingOut] = Field(
        description="What submitting (and receiving) still needs: the field, or `<role>_file` "
        "for a file to upload with that role, and a message. Empty when complete."
    )
    review_sheet: dict[str, Any] | None
    files: list[FileOut]
    stamps: list[StampOut]
    reviews: list[ReviewOut]
    history: list[HistoryOut]
    public_url: str | None


class SubmissionFilters(Schema):
    state: StateCode | None = None
    kind: KindCode | None = None
    division: Annotated[str | None, ListedCodes(_division_slugs)] = None
    district: int | None = None
    q: str | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class SubmissionIn(Schema):
    """Metadata of a submission (all optional here; the submission form says what is required).

    Vocabulary fields take codes. Other keys are refused with a 400 naming them."""

    model_config = ConfigDict(extra="forbid")

    # Listed, not a Literal: the submission form checks it, with every other field at once.
    kind: Annotated[str | None, ListedCodes(lambda: Submission.Kind.values)] = None
    title: str | None = None
    summary: str | None = None
    authors: str | None = None
    keywords: str | None = None
    languages: Annotated[list[str] | None, _vocabulary("languages")] = None
    school_year: str | None = None
    learning_strands: Annotated[list[str] | None, _vocabulary("learning_strands")] = None
    program: Annotated[str | None, _vocabulary("program")] = None
    curriculum_level: Annotated[str | None, _vocabulary("curriculum_level")] = None
    material_type: Annotated[str | None, _vocabulary("material_type")] = None
    resource_type: Annotated[str | None, _vocabulary("resource_type")] = None
    education_type: Annotated[str | None, _vocabulary("education_type")] = None
    intended_users: Annotated[list[str] | None, _vocabulary("intended_users")] = None
    competencies: str | None = None
    content_topic: str | None = None
    objectives: str | None = None
    accessibility: str | None = None
    developer: str | None = None
    copyright: str | None = None
    copyright_owner: str | None = None
    research_type: Annotated[str | None, _vocabulary("research_type")] = None
    adviser: str | None = None
    year_completed: int | None = None
    learner_featured: str | None = None
    learner_named_or_pictured: bool | None = None
    origin_level: LevelCode | None = None
    division: int | None = None
    district: int | None = None


def _sent(payload):
    """The fields the client actually sent."""
    return payload.model_dump(exclude_unset=True)


class ReviewIn(Schema):
    """A rating sheet or checklist, as the submission's `review_sheet` (in GET) describes it.

    Learning resources: `items` maps every item key (`content_1`, ...) to a score from 4 to 1,
    and every score below 4 needs an `item_comments` entry. Research and success stories: `items`
    maps every checklist key to true or false, and any false needs a `comment`."""

    model_config = ConfigDict(extra="forbid")

    items: dict[str, int | bool] = Field(
        description="Item key to a score from 4 to 1 (rating sheet) or true/false (checklist)."
    )
    item_comments: dict[str, str] = {}
    comment: str = ""


class TransitionIn(Schema):
    comment: str = ""
    reasons: Annotated[list[str] | None, ListedCodes(_return_reasons)] = None
    review: ReviewIn | None = None
    expected_version: int | None = None


def _bad_query(field, message):
    return ValidationError([{"loc": ("query", field), "msg": message}])


def _visible(request):
    return services.visible_submissions(request.user)


def _get_visible(request, submission_id):
    """The submission if the caller may see it; 404 alike for missing and invisible ones."""
    return get_object_or_404(_visible(request), pk=submission_id)


def _absolute(request, path):
    return request.build_absolute_uri(path)


def _detail(request, submission):
    return submission_detail(submission, request.user, absolute=lambda p: _absolute(request, p))


@router.get(
    "",
    response={200: SubmissionPageOut, **error_responses(401)},
    summary="List the submissions the caller may see",
)
def list_submissions(request, filters: Query[SubmissionFilters]):
    """Filters: `state`, `kind`, `division` (slug), `district` (id), `q` (title, summary,
    keywords, authors); `page` and `page_size` (at most 100). Newest first."""
    queryset = _visible(request).select_related("journey", "division", "district", "created_by")
    if filters.state:
        if filters.state not in State.values:
            raise _bad_query("state", f"Unknown state. Choose one of: {', '.join(State.values)}.")
        queryset = queryset.filter(journey__state=filters.state)
    if filters.kind:
        if filters.kind not in Submission.Kind.values:
            raise _bad_query(
                "kind", f"Unknown kind. Choose one of: {', '.join(Submission.Kind.values)}."
            )
        queryset = queryset.filter(kind=filters.kind)
    if filters.division:
        if not Division.objects.filter(slug=filters.division).exists():
            raise _bad_query("division", "No division has this slug.")
        queryset = queryset.filter(division__slug=filters.division)
    if filters.district is not None:
        queryset = queryset.filter(district_id=filters.district)
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(keywords__icontains=term)
            | Q(authors__icontains=term)
        )
    if filters.page < 1:
        raise _bad_query("page", "Pages start at 1.")
    if not 1 <= filters.page_size <= MAX_PAGE_SIZE:
        raise _bad_query("page_size", f"Choose a page size from 1 to {MAX_PAGE_SIZE}.")
    paginator = Paginator(queryset.order_by("-created_at", "-pk"), filters.page_size)
    if filters.page > max(paginator.num_pages, 1):
        raise _bad_query("page", f"There are only {paginator.num_pages} pages.")
    page = paginator.page(filters.page)
    return {
        "count": paginator.count,
        "page": page.number,
        "pages": paginator.num_pages,
        "page_size": filters.page_size,
        "results": [submission_summary(s, absolute=lambda p: _absolute(request, p)) for s in page],
    }


@router.post(
    "",
    response={201: SubmissionDetailOut, **error_responses(401, 403)},
    summary="Create a draft submission",
)
def create_submission(request, payload: SubmissionIn):
    """The body holds the metadata fields of the submission form (see docs/api-and-staff-ui.md):
    vocabulary fields take codes (e.g. `"languages": ["english"]`). Where the submission comes
    from is taken from the caller's role assignment."""
    data = form_data_from_payload(_sent(payload))
    submission = services.create_submission(request.user, data)
    return Status(201, _detail(request, submission))


@router.get(
    "/{int:submission_id}",
    response={200: SubmissionDetailOut, **error_responses(401, 404)},
    summary="One submission with its files, stamps, reviews, history and available actions",
)
def get_submission(request, submission_id: int):
    return _detail(request, _get_visible(request, submission_id))


@router.patch(
    "/{int:submission_id}",
    response={200: SubmissionDetailOut, **error_responses(401, 403, 404, 409)},
    summary="Change the metadata of a draft or returned submission",
)
def update_submission(request, submission_id: int, payload: SubmissionIn):
    """Only the fields sent change; the others keep their values."""
    submission = _get_visible(request, submission_id)
    data = form_data_from_payload(_sent(payload))
    submission = services.update_draft(request.user, submission, data)
    return _detail(request, submission)


@router.post(
    "/{int:submission_id}/files",
    response={201: FileOut, **error_responses(401, 403, 404, 409, 503)},
    summary="Upload a file (multipart: `file`, `role`)",
)
def upload_file(request, submission_id: int, role: Form[FileRole], file: File[UploadedFile]):
    """`role` is one of main, supporting, consent, ip_declaration, photo. Re-uploading the main
    file, consent or IP declaration adds a new version; older versions are kept."""
    submission = _get_visible(request, submission_id)
    try:
        record = services.upload_file(request.user, submission, file, role)
    except UploadRejected as rejected:
        raise ValidationError([{"loc": ("file", "file"), "msg": rejected.message}]) from None
    detail = _detail(request, submission)
    return Status(201, next(f for f in detail["files"] if f["id"] == record.pk))


@router.get(
    "/{int:submission_id}/files/{int:file_id}/download",
    response={200: None, 302: None, **error_responses(401, 404, 503)},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file's bytes, with its stored MIME type.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            },
            "302": {"description": "Redirect to a short-lived signed URL of the file."},
        }
    },
    summary="Download one file (any version) of a visible submission",
)
def download_file(request, submission_id: int, file_id: int):
    """Streams the stored bytes (or, with `SUBMISSION_DOWNLOADS_VIA_SIGNED_URL`, redirects to a
    short-lived signed URL), only after checking the caller may see the submission."""
    submission = _get_visible(request, submission_id)
    submission_file = get_object_or_404(submission.files, pk=file_id)
    return file_response(submission_file)


@router.post(
    "/{int:submission_id}/transitions/{name}",
    response={200: SubmissionDetailOut, **error_responses(401, 403, 404, 409, 503)},
    summary="Take a workflow action (submit, recall, receive_at_division, approve ...)",
)
def take_transition(
    request,
    submission_id: int,
    payload: TransitionIn,
    name: Annotated[str, Path(), ListedCodes(lambda: TRANSITION_NAMES)],
):
    """`review` is the rating sheet (learning resources) or checklist (research, stories) that
    endorse_to_region, approve and return_for_revision need; `reasons` are return-reason codes.
    The submission's `review_sheet` (in GET) describes the items to answer. Send the
    `version` you read as `expected_version` to be told (409) when someone acted in between.

    `submit` and `resubmit` (like the receipts) are refused with a 409 while the submission is
    incomplete; its `missing` lists each field (or `<role>_file` to upload) with a message, as
    the submission's `missing` does. `recall` takes a submitted item back to draft for its
    submitter until the records section has received it (409 afterwards)."""
    submission = _get_visible(request, submission_id)
    if name not in TRANSITION_NAMES:
        return Status(404, {"detail": f"There is no action called '{name}'."})
    services.perform_transition(
        request.user,
        submission,
        name,
        comment=payload.comment,
        review=payload.review.model_dump() if payload.review is not None else None,
        reasons=payload.reasons,
        expected_version=payload.expected_version,
    )
    submission = _get_visible(request, submission_id)
    return _detail(request, submission)
