"""The submissions API (`/api/v1/submissions`): list, create, read, upload, download, transitions.

Every operation takes the caller from the bearer token and goes through the same services as the
Wagtail admin (`workflow.services`, `repository.services`), so the rules are the same: a
submission the caller may not see is a 404, an action outside their role or scope a 403, an
action the state does not allow now (or a stale one) a 409, bad input a 400 with field messages.
"""

from datetime import datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.files import UploadedFile
from pydantic import ConfigDict

from organisation.models import Division
from repository.models import Submission, SubmissionFile
from repository.services import UploadRejected

from . import services
from .downloads import file_response
from .models import TRANSITION_NAMES, State
from .serializers import (
    form_data_from_payload,
    submission_detail,
    submission_summary,
)

router = Router(tags=["submissions"])

MAX_PAGE_SIZE = 100


class ErrorOut(Schema):
    detail: str


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ConflictOut(Schema):
    detail: str
    missing: list[str] | None = None


class SubmissionSummaryOut(Schema):
    id: int
    kind: str
    title: str
    state: str
    state_label: str
    origin_level: str
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
    role: str
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
    office_level: str
    received_at: datetime
    received_by: str


class ReviewOut(Schema):
    id: int
    level: str
    sheet: str
    outcome: str
    comment: str
    reviewer: str
    created_at: datetime
    answers: dict[str, Any]


class HistoryOut(Schema):
    name: str
    from_state: str
    to_state: str
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
    available_transitions: list[str]
    missing_requirements: list[str]
    review_sheet: dict[str, Any] | None
    files: list[FileOut]
    stamps: list[StampOut]
    reviews: list[ReviewOut]
    history: list[HistoryOut]
    public_url: str | None


class SubmissionFilters(Schema):
    state: str | None = None
    kind: str | None = None
    division: str | None = None
    district: int | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 20


class SubmissionIn(Schema):
    """Metadata of a submission (all optional here; the submission form says what is required).

    Vocabulary fields take codes. Other keys are refused with a 400 naming them."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    title: str | None = None
    summary: str | None = None
    authors: str | None = None
    keywords: str | None = None
    languages: list[str] | None = None
    school_year: str | None = None
    learning_strands: list[str] | None = None
    program: str | None = None
    curriculum_level: str | None = None
    material_type: str | None = None
    resource_type: str | None = None
    education_type: str | None = None
    intended_users: list[str] | None = None
    competencies: str | None = None
    content_topic: str | None = None
    objectives: str | None = None
    accessibility: str | None = None
    developer: str | None = None
    copyright: str | None = None
    copyright_owner: str | None = None
    research_type: str | None = None
    adviser: str | None = None
    year_completed: int | None = None
    learner_featured: str | None = None
    learner_named_or_pictured: bool | None = None
    origin_level: str | None = None
    division: int | None = None
    district: int | None = None


def _sent(payload):
    """The fields the client actually sent."""
    return payload.model_dump(exclude_unset=True)


class TransitionIn(Schema):
    comment: str = ""
    reasons: list[str] | None = None
    review: dict[str, Any] | None = None
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
    response={200: SubmissionPageOut, 400: FieldErrorsOut, 401: ErrorOut},
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
    response={201: SubmissionDetailOut, 400: FieldErrorsOut, 401: ErrorOut, 403: ErrorOut},
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
    response={200: SubmissionDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One submission with its files, stamps, reviews, history and available actions",
)
def get_submission(request, submission_id: int):
    return _detail(request, _get_visible(request, submission_id))


@router.patch(
    "/{int:submission_id}",
    response={
        200: SubmissionDetailOut,
        400: FieldErrorsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
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
    response={
        201: FileOut,
        400: FieldErrorsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Upload a file (multipart: `file`, `role`)",
)
def upload_file(request, submission_id: int, role: Form[str], file: File[UploadedFile]):
    """`role` is one of main, supporting, consent, ip_declaration, photo. Re-uploading the main
    file, consent or IP declaration adds a new version; older versions are kept."""
    submission = _get_visible(request, submission_id)
    if role not in SubmissionFile.Role.values:
        raise ValidationError(
            [
                {
                    "loc": ("form", "role"),
                    "msg": f"Unknown role. Choose one of: {', '.join(SubmissionFile.Role.values)}.",
                }
            ]
        )
    try:
        record = services.upload_file(request.user, submission, file, role)
    except UploadRejected as rejected:
        raise ValidationError([{"loc": ("file", "file"), "msg": rejected.message}]) from None
    detail = _detail(request, submission)
    return Status(201, next(f for f in detail["files"] if f["id"] == record.pk))


@router.get(
    "/{int:submission_id}/files/{int:file_id}/download",
    response={200: None, 302: None, 401: ErrorOut, 404: ErrorOut},
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
    response={
        200: SubmissionDetailOut,
        400: FieldErrorsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
    },
    summary="Take a workflow action (submit, receive_at_division, approve ...)",
)
def take_transition(request, submission_id: int, name: str, payload: TransitionIn):
    """`review` is the rating sheet (learning resources) or checklist (research, stories) that
    endorse_to_region, approve and return_for_revision need; `reasons` are return-reason codes.
    The submission's `review_sheet` (in GET) describes the items to answer. Send the
    `version` you read as `expected_version` to be told (409) when someone acted in between."""
    submission = _get_visible(request, submission_id)
    if name not in TRANSITION_NAMES:
        return Status(404, {"detail": f"There is no action called '{name}'."})
    services.perform_transition(
        request.user,
        submission,
        name,
        comment=payload.comment,
        review=payload.review,
        reasons=payload.reasons,
        expected_version=payload.expected_version,
    )
    submission = _get_visible(request, submission_id)
    return _detail(request, submission)
