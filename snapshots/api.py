"""`/api/v1/snapshots`: upload an AF1–AF5 file, follow its import, list and review snapshots.

Mounted on the project's NinjaAPI (api/api.py), so every operation needs a bearer token; role and
scope checks are those of snapshots.services.
"""

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import BeforeValidator

from api.errors import ErrorOut, error_responses
from api.openapi import ListedCodes, choice
from guard.spreadsheets import XLSX_CONTENT_TYPE
from learners.models import LearnerAccessLog

from . import services
from .models import Form as FormCode
from .models import ImportJob, Level, ReportingPeriod, State

router = Router(tags=["snapshots"])

__all__ = ["ErrorOut", "router"]


def _upper(value):
    return value.upper() if isinstance(value, str) else value


def _period_codes():
    return ReportingPeriod.objects.values_list("code", flat=True)


# Form codes are upper case (AF1); lower case is accepted too, as it always was.
FormName = Annotated[choice(FormCode.values), BeforeValidator(_upper)]
SnapshotState = choice(State.values)
JobStatus = choice(ImportJob.Status.values)
LevelCode = choice(Level.values)
ReviewAction = choice(services.ACTIONS)
PeriodCode = Annotated[str, ListedCodes(_period_codes)]

XLSX_RESPONSE = {
    "description": "The snapshot as an .xlsx workbook.",
    "content": {XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    message: str


class JobOut(Schema):
    id: int
    status: JobStatus
    form: FormName
    unit: str
    period: str
    processed: int
    total: int
    error_count: int
    message: str
    snapshot_id: int | None
    errors: list[RowErrorOut]


class SnapshotOut(Schema):
    id: int
    form: FormName
    unit: str
    level: LevelCode
    period: str
    version: int
    state: SnapshotState
    row_count: int
    review_comments: str


class ReviewIn(Schema):
    action: ReviewAction
    comments: str = ""


def job_out(job):
    return {
        "id": job.pk,
        "status": job.status,
        "form": job.form,
        "unit": str(job.unit),
        "period": job.period.code,
        "processed": job.processed,
        "total": job.total,
        "error_count": job.error_count,
        "message": job.message,
        "snapshot_id": job.snapshot_id,
        "errors": job.errors or [],
    }


def snapshot_out(snapshot):
    return {
        "id": snapshot.pk,
        "form": snapshot.form,
        "unit": str(snapshot.unit),
        "level": snapshot.level,
        "period": snapshot.period.code,
        "version": snapshot.version,
        "state": snapshot.state,
        "row_count": snapshot.row_count,
        "review_comments": snapshot.review_comments,
    }


@router.post(
    "",
    response={201: JobOut, 202: JobOut, **error_responses(401, 403, 503), 422: JobOut},
    summary="Upload an AF1–AF5 .xlsx or .csv file",
)
def upload_snapshot(
    request,
    form: Form[FormName],
    unit: Form[str],
    period: Form[PeriodCode],
    file: File[UploadedFile],
):
    """Validates the whole file; 201 when imported, 422 with the row errors when rejected (nothing
    is stored), 202 when a large file was queued (poll `GET /snapshots/jobs/{id}`), 503 when the
    file storage is down (nothing is stored; try again later).

    `unit` is a division slug (`benguet`) or `slug/DISTRICT-CODE` (`benguet/LTR`); `period` a
    reporting period code (`2026`).
    """
    try:
        division, district = services.resolve_unit(unit)
        job = services.start_import(
            request.user,
            form=form,
            period=services.resolve_period(period),
            division=division,
            district=district,
            upload=file,
            original_name=file.name,
        )
    except services.SnapshotError as error:
        raise HttpError(400, str(error)) from None
    job.refresh_from_db()
    if job.status == ImportJob.Status.SUCCEEDED:
        return Status(201, job_out(job))
    if job.status == ImportJob.Status.FAILED:
        return Status(422, job_out(job))
    return Status(202, job_out(job))


@router.get(
    "/jobs/{int:job_id}",
    response={200: JobOut, **error_responses(401, 404)},
    summary="Progress and result of an upload",
)
def import_job(request, job_id: int):
    services.fail_stale_jobs()
    job = get_object_or_404(services.visible_jobs(request.user), pk=job_id)
    return job_out(job)


@router.post(
    "/jobs/{int:job_id}/run-again",
    response={202: JobOut, **error_responses(401, 403, 404, 409)},
    summary="Run again an upload that stopped or failed unexpectedly",
)
def run_job_again(request, job_id: int):
    """Queues the kept upload of a job that failed without a verdict on the file (its worker
    died, storage or the database broke): 202, then poll `GET /snapshots/jobs/{id}`. A job that
    rejected its file, or whose file is no longer kept, answers 409."""
    services.fail_stale_jobs()
    job = get_object_or_404(services.visible_jobs(request.user), pk=job_id)
    try:
        job = services.run_again(request.user, job)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except services.SnapshotError as error:
        raise HttpError(409, str(error)) from None
    return Status(202, job_out(job))


@router.get(
    "",
    response={200: list[SnapshotOut], **error_responses(401)},
    summary="Snapshots in your scope",
)
def list_snapshots(
    request,
    form: FormName | None = None,
    period: PeriodCode = "",
    state: SnapshotState | None = None,
):
    queryset = services.visible_snapshots(request.user)
    if form:
        queryset = queryset.filter(form=form)
    if period:
        queryset = queryset.filter(period__code=period)
    if state:
        queryset = queryset.filter(state=state)
    return [snapshot_out(s) for s in queryset[:500]]


@router.get(
    "/{int:snapshot_id}",
    response={200: SnapshotOut, **error_responses(401, 404)},
    summary="One snapshot",
)
def get_snapshot(request, snapshot_id: int):
    return snapshot_out(get_object_or_404(services.visible_snapshots(request.user), pk=snapshot_id))


@router.get(
    "/{int:snapshot_id}/export",
    response={200: None, **error_responses(401, 403, 404)},
    openapi_extra={"responses": {"200": XLSX_RESPONSE}},
    summary="The snapshot as .xlsx in the official layout",
)
def export_snapshot(request, snapshot_id: int):
    snapshot = get_object_or_404(services.visible_snapshots(request.user), pk=snapshot_id)
    if not services.may_export(request.user, snapshot):
        raise HttpError(403, _("Exporting learner-level data needs a learner-data role."))
    response = HttpResponse(
        services.export_workbook(snapshot, request.user, LearnerAccessLog.Channel.API),
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{snapshot.form}-{snapshot.pk}.xlsx"'
    return response


@router.post(
    "/{int:snapshot_id}/review",
    response={200: SnapshotOut, **error_responses(401, 403, 404)},
    summary="Submit, accept, return (with comments) or reopen a snapshot",
)
def review_snapshot(request, snapshot_id: int, data: ReviewIn):
    snapshot = get_object_or_404(services.visible_snapshots(request.user), pk=snapshot_id)
    try:
        snapshot = services.transition(snapshot, data.action, request.user, data.comments)
    except services.SnapshotError as error:
        raise HttpError(400, str(error)) from None
    return snapshot_out(snapshot)
