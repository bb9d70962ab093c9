"""`/api/v1/snapshots`: upload an AF1–AF5 file, follow its import, list and review snapshots.

Mounted on the project's NinjaAPI (api/api.py), so every operation needs a bearer token; role and
scope checks are those of snapshots.services.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from learners.models import LearnerAccessLog

from . import exporter, services
from .models import ImportJob

router = Router(tags=["snapshots"])


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    message: str


class JobOut(Schema):
    id: int
    status: str
    form: str
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
    form: str
    unit: str
    level: str
    period: str
    version: int
    state: str
    row_count: int
    review_comments: str


class ReviewIn(Schema):
    action: str
    comments: str = ""


class ErrorOut(Schema):
    detail: str


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
    response={201: JobOut, 202: JobOut, 400: ErrorOut, 403: ErrorOut, 422: JobOut},
    summary="Upload an AF1–AF5 .xlsx or .csv file",
)
def upload_snapshot(
    request,
    form: Form[str],
    unit: Form[str],
    period: Form[str],
    file: File[UploadedFile],
):
    """Validates the whole file; 201 when imported, 422 with the row errors when rejected (nothing
    is stored), 202 when a large file was queued (poll `GET /snapshots/jobs/{id}`).

    `unit` is a division slug (`benguet`) or `slug/DISTRICT-CODE` (`benguet/LTR`); `period` a
    reporting period code (`2026`).
    """
    try:
        division, district = services.resolve_unit(unit)
        job = services.start_import(
            request.user,
            form=form.upper(),
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


@router.get("/jobs/{job_id}", response={200: JobOut}, summary="Progress and result of an upload")
def import_job(request, job_id: int):
    job = get_object_or_404(services.visible_jobs(request.user), pk=job_id)
    return job_out(job)


@router.get("", response=list[SnapshotOut], summary="Snapshots in your scope")
def list_snapshots(request, form: str = "", period: str = "", state: str = ""):
    queryset = services.visible_snapshots(request.user)
    if form:
        queryset = queryset.filter(form=form.upper())
    if period:
        queryset = queryset.filter(period__code=period)
    if state:
        queryset = queryset.filter(state=state)
    return [snapshot_out(s) for s in queryset[:500]]


@router.get("/{snapshot_id}", response=SnapshotOut, summary="One snapshot")
def get_snapshot(request, snapshot_id: int):
    return snapshot_out(get_object_or_404(services.visible_snapshots(request.user), pk=snapshot_id))


@router.get("/{snapshot_id}/export", summary="The snapshot as .xlsx in the official layout")
def export_snapshot(request, snapshot_id: int):
    snapshot = get_object_or_404(services.visible_snapshots(request.user), pk=snapshot_id)
    response = HttpResponse(
        services.export_workbook(snapshot, request.user, LearnerAccessLog.Channel.API),
        content_type=exporter.XLSX_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{snapshot.form}-{snapshot.pk}.xlsx"'
    return response


@router.post(
    "/{snapshot_id}/review",
    response={200: SnapshotOut, 400: ErrorOut, 403: ErrorOut},
    summary="Submit, accept, return (with comments) or reopen a snapshot",
)
def review_snapshot(request, snapshot_id: int, data: ReviewIn):
    snapshot = get_object_or_404(services.visible_snapshots(request.user), pk=snapshot_id)
    try:
        snapshot = services.transition(snapshot, data.action, request.user, data.comments)
    except services.SnapshotError as error:
        raise HttpError(400, str(error)) from None
    return snapshot_out(snapshot)
