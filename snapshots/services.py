"""Snapshot operations: upload and import, review transitions, consolidation, deadlines, reminders.

Every operation checks the user's role and scope here (through `organisation.scope`), so the
admin, the API and the management commands share one set of rules:

- district snapshots are uploaded and submitted by the district's ALS teacher or by the division's
  EPSA, encoder or focal person; the division's EPSA or focal person accepts or returns them;
- division snapshots are uploaded (or consolidated from the districts) and submitted by the
  division's EPSA, encoder or focal person; regional ALS personnel accept or return them.
"""

import datetime
import gc
import json
import logging
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django_fsm import TransitionNotAllowed
from wagtail.log_actions import log

from guard.logs import error_kind, redacted_traceback
from guard.storage_errors import StorageUnavailable, delete_quietly, storage_guard
from learners.models import LearnerAccessLog
from learners.services import log_bulk_access
from organisation.models import District, Division, Role
from organisation.scope import learner_data_scope, scope_for, users_covering

from . import exporter, forms_spec, importer, reconcile
from .models import (
    ImportJob,
    Level,
    RegistryFinding,
    ReminderLog,
    ReportingPeriod,
    Snapshot,
    SnapshotRow,
    State,
)
from .readers import UnreadableFile, estimate_rows, precheck, sniff

logger = logging.getLogger(__name__)

UPLOAD_ROLES = {
    Level.DISTRICT: [Role.ALS_TEACHER, Role.EPSA, Role.ENCODER, Role.DIVISION_FOCAL],
    Level.DIVISION: [Role.EPSA, Role.ENCODER, Role.DIVISION_FOCAL],
}
SUBMIT_ROLES = {
    Level.DISTRICT: [Role.ALS_TEACHER, Role.EPSA, Role.DIVISION_FOCAL],
    Level.DIVISION: [Role.EPSA, Role.DIVISION_FOCAL],
}
REVIEW_ROLES = {
    Level.DISTRICT: [Role.EPSA, Role.DIVISION_FOCAL],
    Level.DIVISION: [Role.REGIONAL_ALS],
}
CONSOLIDATE_ROLES = [Role.EPSA, Role.DIVISION_FOCAL]


class SnapshotError(Exception):
    """An operation that cannot proceed; the message is shown to the user as is."""


MAY_NOT_UPLOAD = gettext_noop("You may not upload snapshots for %(unit)s.")


def sync_row_limit():
    from django.conf import settings

    return getattr(settings, "SNAPSHOT_SYNC_MAX_ROWS", 2000)


def sync_byte_limit():
    from django.conf import settings

    return getattr(settings, "SNAPSHOT_SYNC_MAX_BYTES", 4 * 1024 * 1024)


def stale_job_minutes():
    from django.conf import settings

    return getattr(settings, "SNAPSHOT_STALE_JOB_MINUTES", 5)


def queued_job_minutes():
    from django.conf import settings

    return getattr(settings, "SNAPSHOT_QUEUED_JOB_MINUTES", 30)


STOPPED_MESSAGE = gettext_noop(
    "The import stopped unexpectedly; nothing was imported. Run it again."
)
NEVER_STARTED_MESSAGE = gettext_noop(
    "The import waited more than %(minutes)s minutes for the task worker and never started; "
    "nothing was imported. Run it again. If it keeps happening, the task worker is not running: "
    "tell the regional ALS technical assistant."
)
# Uploads of jobs that failed without a verdict on the file are kept this long for "Run again".
RETRY_KEEP_DAYS = 7


# ----------------------------------------------------------------------------- units and access


def resolve_unit(text):
    """A unit from the command line or the API: "benguet" (division slug) or "benguet/LTR"."""
    text = (text or "").strip()
    division_part, _sep, district_part = text.partition("/")
    division = Division.objects.filter(slug__iexact=division_part).select_related("region").first()
    if division is None:
        division = (
            Division.objects.filter(code__iexact=division_part).select_related("region").first()
        )
    if division is None:
        raise SnapshotError(
            _('No division "%(division)s" (use its slug, e.g. benguet).')
            % {"division": division_part}
        )
    if not district_part:
        return division, None
    district = District.objects.filter(division=division, code__iexact=district_part).first()
    if district is None:
        district = District.objects.filter(division=division, name__iexact=district_part).first()
    if district is None:
        raise SnapshotError(
            _('No district "%(district)s" in %(division)s.')
            % {"district": district_part, "division": division.name}
        )
    return division, district


def resolve_period(code):
    period = ReportingPeriod.objects.filter(code__iexact=(code or "").strip()).first()
    if period is None:
        raise SnapshotError(_('No reporting period "%(period)s".') % {"period": code})
    return period


def _covers(user, roles, division, district):
    scope = scope_for(user, roles)
    if district is not None:
        return scope.covers_district(district)
    return scope.covers_division(division)


def can_upload(user, division, district):
    level = Level.DISTRICT if district is not None else Level.DIVISION
    return _covers(user, UPLOAD_ROLES[level], division, district)


#: The actions that review a snapshot: never taken by the person who submitted it.
REVIEW_ACTIONS = ("accept", "return")


def is_own_submission(user, snapshot):
    """Whether `user` submitted `snapshot` (then someone else must review it)."""
    return snapshot.submitted_by_id is not None and snapshot.submitted_by_id == user.pk


def can_act(user, snapshot, action):
    """Whether `user` may fire `action` (submit, accept, return, reopen) on `snapshot`.

    Accepting and returning need a reviewing role covering the unit (REVIEW_ROLES), and that the
    user did not submit the snapshot: nobody reviews their own submission, superusers included."""
    if action in ("submit", "reopen"):
        return _covers(user, SUBMIT_ROLES[snapshot.level], snapshot.division, snapshot.district)
    if action in REVIEW_ACTIONS:
        if is_own_submission(user, snapshot):
            return False
        roles = REVIEW_ROLES[snapshot.level]
        scope = scope_for(user, roles)
        if snapshot.level == Level.DIVISION:
            return scope.covers_region(snapshot.region_id)
        return scope.covers_division(snapshot.division_id)
    return False


def visible_snapshots(user):
    """Snapshots in the user's scope: district ones to their district, division ones upwards."""
    scope = scope_for(user)
    queryset = Snapshot.objects.select_related("period", "division", "district")
    if scope.is_global:
        return queryset
    return queryset.filter(district_id__in=scope.district_ids) | queryset.filter(
        level=Level.DIVISION, division_id__in=scope.division_ids
    )


def visible_jobs(user):
    scope = scope_for(user)
    queryset = ImportJob.objects.select_related("period", "division", "district", "snapshot")
    if scope.is_global:
        return queryset
    return queryset.filter(uploaded_by=user) | queryset.filter(division_id__in=scope.division_ids)


# ----------------------------------------------------------------------------- import


def _latest(form, period, division, district, *, lock=False):
    queryset = Snapshot.objects.filter(
        form=form, period=period, division=division, district=district
    ).order_by("-version")
    if lock:
        queryset = queryset.select_for_update()
    return queryset.first()


def _refuse_if_under_review(form, period, division, district):
    latest = _latest(form, period, division, district)
    if latest is not None and latest.state == State.SUBMITTED:
        raise SnapshotError(
            _(
                "%(snapshot)s is under review; wait for it to be accepted or returned before "
                "uploading."
            )
            % {"snapshot": latest}
        )


def start_import(user, *, form, period, division, district, upload, original_name="", inline=None):
    """Check access and the file, record an ImportJob, and import now or in the background.

    Small files (at most SNAPSHOT_SYNC_MAX_BYTES of text to parse, counted for an .xlsx as the
    declared unpacked size of its sheet and shared strings, which the reader enforces, and at most
    SNAPSHOT_SYNC_MAX_ROWS rows) are imported before this returns; larger ones are queued for the
    task worker once the job row is committed, so a web worker never parses a big file. A file
    already refused by the zip checks (too many parts, a part too big) is "imported" inline too:
    it fails at once with the reason. `user=None` is the operator at the command line (no role
    check); `inline=True` always imports before returning.
    """
    if form not in importer.forms_spec.FORMS:
        raise SnapshotError(
            _('Unknown form "%(form)s"; use AF1, AF2, AF3, AF4 or AF5.') % {"form": form}
        )
    if district is not None and district.division_id != division.pk:
        raise SnapshotError(
            _("%(district)s is not a district of %(division)s.")
            % {"district": district, "division": division}
        )
    if user is not None and not can_upload(user, division, district):
        raise PermissionDenied(_(MAY_NOT_UPLOAD) % {"unit": district or division})
    _refuse_if_under_review(form, period, division, district)
    try:
        kind = sniff(upload)
    except UnreadableFile as error:
        raise SnapshotError(str(error)) from None
    try:
        parsed_bytes = precheck(upload, kind)
        estimate = max(0, estimate_rows(upload, kind) - 1)
        small = parsed_bytes <= sync_byte_limit() and estimate <= sync_row_limit()
    except UnreadableFile:
        estimate, small = 0, True  # refused in milliseconds by the same check in run_import
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    # The stored name is ours; the client's name is kept for display only.
    safe_name = os.path.basename(original_name or "")[:200]
    job = ImportJob(
        form=form,
        period=period,
        level=Level.DISTRICT if district is not None else Level.DIVISION,
        division=division,
        district=district,
        uploaded_by=user,
        file_kind=kind,
        original_name=safe_name,
        size=size,
        total=estimate,
        language=translation.get_language() or "",
    )
    # A random key: two uploads for one unit at the same moment must never share an object
    # (storage's "name available?" check is not atomic). The object is written before the row,
    # so storage down means no row (StorageUnavailable: the API's 503, the admin's message).
    with storage_guard("snapshot upload"):
        job.file.save(f"{form}-{division.slug}-{uuid.uuid4().hex}.{kind}", File(upload), save=False)
    try:
        job.save()
    except Exception:
        delete_quietly(job.file.storage, job.file.name)
        raise
    if inline or (inline is None and small):
        try:
            run_import(job.pk)
        except importer.ImportFailed as failed:
            if not failed.storage_outage:
                raise
            # Storage went down between writing the upload and reading it back: the user is told
            # nothing was saved, so nothing is (the object goes too if storage lets it).
            delete_quietly(job.file.storage, job.file.name)
            ImportJob.objects.filter(pk=job.pk).delete()
            raise StorageUnavailable() from None
        job.refresh_from_db()
    else:
        from .tasks import import_snapshot_task

        transaction.on_commit(lambda: import_snapshot_task.enqueue(job.pk))
    return job


def _job_update(job_id, **fields):
    # update() skips auto_now: the heartbeat is set here, with every change.
    return ImportJob.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def run_import(job_id):
    """Validate and store one ImportJob's file; the job ends succeeded or failed, never half-done.

    Its messages and error report are in the uploader's language (ImportJob.language), also in
    the task worker."""
    language = ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or None):
        return _claim_and_run(job_id)


def _claim_and_run(job_id):
    job = ImportJob.objects.select_related("period", "division__region", "district").get(pk=job_id)
    # Claimed only from "queued": a task delivered twice, or a job the sweep already failed,
    # is not run a second time behind the other run's back.
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.VALIDATING, processed=0, updated_at=timezone.now()
    ):
        return ImportJob.objects.get(pk=job.pk).status
    # Validation allocates millions of short-lived objects and keeps ~100,000 prepared rows;
    # the cyclic garbage collector would rescan the growing heap again and again (measured: it
    # halved the throughput of a 100,000-row file). Nothing here forms reference cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_import(job)
    except Exception as error:
        # Storage or database trouble: the transaction rolled back, so say so instead of leaving
        # the job "validating" for ever. The error's message may quote a cell (learner data):
        # the log and the task record get its class and stack only (guard/logs.py).
        logger.error(
            "Snapshot import job %s failed (%s)\n%s",
            job.pk,
            error_kind(error),
            redacted_traceback(error),
        )
        _job_update(
            job.pk,
            status=ImportJob.Status.FAILED,
            message=_("The import failed unexpectedly; nothing was imported. Run it again later."),
            finished_at=timezone.now(),
        )
        raise importer.ImportFailed(
            job.pk, error_kind(error), storage_outage=isinstance(error, StorageUnavailable)
        ) from None
    finally:
        if gc_was_enabled:
            gc.enable()


def _discard_upload(job):
    """Delete the uploaded file once the job has finished: it holds personal data in the clear,
    and the rows now live encrypted in the snapshot (or were rejected). Until then it is kept, so
    a job whose worker died can be run again. SNAPSHOT_KEEP_UPLOADS keeps it for good."""
    from django.conf import settings

    if getattr(settings, "SNAPSHOT_KEEP_UPLOADS", False) or not job.file:
        return
    try:
        job.file.delete(save=False)
    except Exception:
        logger.exception("Could not delete the upload of snapshot import job %s", job.pk)
        return
    ImportJob.objects.filter(pk=job.pk).update(file="")


def _run_import(job):
    with tempfile.TemporaryFile() as local:
        with storage_guard("snapshot import"), job.file.open("rb") as stored:
            shutil.copyfileobj(stored, local, 1 << 20)
        local.seek(0)
        result = importer.validate_file(
            local,
            job.file_kind,
            job.form,
            division=job.division,
            district=job.district,
            period=job.period,
            progress=lambda n: _job_update(job.pk, processed=n, total=max(n, job.total)),
            timed=True,
        )
    if not result.ok:
        _job_update(
            job.pk,
            status=ImportJob.Status.FAILED,
            processed=result.total,
            total=result.total,
            error_count=result.error_count,
            message=ngettext(
                "%(count)s error; nothing was imported.",
                "%(count)s errors; nothing was imported.",
                result.error_count,
            )
            % {"count": result.error_count},
            finished_at=timezone.now(),
        )
        # The encrypted errors go through the model so the field encrypts them.
        job = ImportJob.objects.get(pk=job.pk)
        job.errors = [e.as_dict() for e in result.errors]
        job.save(update_fields=["errors"])
        _discard_upload(job)
        return job.status
    _job_update(job.pk, status=ImportJob.Status.SAVING, processed=result.total, total=result.total)
    try:
        snapshot = store_snapshot(job, result.rows)
    except SnapshotError as error:
        _job_update(
            job.pk,
            status=ImportJob.Status.FAILED,
            message=str(error),
            finished_at=timezone.now(),
        )
        _discard_upload(job)
        return ImportJob.Status.FAILED
    _job_update(
        job.pk,
        status=ImportJob.Status.SUCCEEDED,
        snapshot=snapshot,
        message=ngettext(
            "%(count)s row imported into %(snapshot)s.",
            "%(count)s rows imported into %(snapshot)s.",
            result.total,
        )
        % {"count": result.total, "snapshot": snapshot},
        finished_at=timezone.now(),
    )
    _discard_upload(job)
    return ImportJob.Status.SUCCEEDED


def fail_stale_jobs(now=None):
    """Mark failed every job "validating" or "saving" without progress for
    SNAPSHOT_STALE_JOB_MINUTES (its worker died or was killed), and every job still "queued"
    after SNAPSHOT_QUEUED_JOB_MINUTES (no worker took its task: the worker is down, or the task
    row was lost); returns how many.

    Cheap (a few UPDATEs on an indexed-enough small table), so it also runs on every job status
    read. Their uploads are kept, so they can be run again (`run_again`); a task of a swept job
    that a worker takes later finds it no longer "queued" and leaves it alone (run_import).
    Uploads of jobs that failed that way RETRY_KEEP_DAYS ago are deleted."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=stale_job_minutes())
    stale = ImportJob.objects.filter(
        status__in=[ImportJob.Status.VALIDATING, ImportJob.Status.SAVING], updated_at__lt=cutoff
    )
    count = 0
    # The message in each uploader's language (a handful of languages: one UPDATE each).
    for language in set(stale.values_list("language", flat=True)):
        with translation.override(language or None):
            count += stale.filter(language=language).update(
                status=ImportJob.Status.FAILED,
                message=_(STOPPED_MESSAGE),
                finished_at=now,
                updated_at=now,
            )
    if count:
        logger.warning("Marked %s stalled snapshot import job(s) as failed", count)
    # updated_at moves when a job is queued (created, or reset by run_again) and when a worker
    # claims it, so on a queued job it says since when it has waited.
    waited = queued_job_minutes()
    never_started = ImportJob.objects.filter(
        status=ImportJob.Status.QUEUED,
        updated_at__lt=now - datetime.timedelta(minutes=waited),
    )
    swept = 0
    for language in set(never_started.values_list("language", flat=True)):
        with translation.override(language or None):
            swept += never_started.filter(language=language).update(
                status=ImportJob.Status.FAILED,
                message=_(NEVER_STARTED_MESSAGE) % {"minutes": waited},
                finished_at=now,
                updated_at=now,
            )
    if swept:
        logger.warning("Marked %s snapshot import job(s) failed that no task worker started", swept)
    count += swept
    expired = ImportJob.objects.filter(
        status=ImportJob.Status.FAILED,
        finished_at__lt=now - datetime.timedelta(days=RETRY_KEEP_DAYS),
    ).exclude(file="")
    for job in expired[:100]:
        _discard_upload(job)
    return count


def run_again(user, job):
    """Queue a job that failed without a verdict on its file (see ImportJob.can_run_again).

    `user` must be allowed to upload for the job's unit (None: the operator). Raises
    SnapshotError when the job cannot be run again; the job is then unchanged."""
    if user is not None and not can_upload(user, job.division, job.district):
        raise PermissionDenied(_(MAY_NOT_UPLOAD) % {"unit": job.unit})
    if not job.can_run_again:
        raise SnapshotError(
            _(
                "Only an import that stopped or failed unexpectedly, and whose file is still "
                "kept, can be run again; upload the file again instead."
            )
        )
    reset = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.FAILED).update(
        status=ImportJob.Status.QUEUED,
        processed=0,
        error_count=0,
        errors=None,
        message="",
        snapshot=None,
        finished_at=None,
        updated_at=timezone.now(),
    )
    if not reset:
        raise SnapshotError(_("This import is already running again."))
    from .tasks import import_snapshot_task

    transaction.on_commit(lambda: import_snapshot_task.enqueue(job.pk))
    job.refresh_from_db()
    return job


@transaction.atomic
def store_snapshot(job, prepared_rows):
    """Put validated rows into the right snapshot version (new, replaced draft, or correction)."""
    snapshot = _target_snapshot(
        job.uploaded_by, job.form, job.period, job.division, job.district, job.original_name
    )
    importer.save_rows(snapshot, prepared_rows)
    snapshot.row_count = len(prepared_rows)
    # The counts of the review page, from the rows in hand (no decryption needed).
    snapshot.summary = _tally(snapshot.form, _prepared_keys(snapshot.form, prepared_rows))
    snapshot.save(update_fields=["row_count", "summary"])
    # Warnings for the reviewer (never a refusal): how the rows agree with the learner registry.
    if reconcile.checks_registry(snapshot.form):
        reconcile.check_prepared(snapshot, prepared_rows)
    log(snapshot, "snapshots.import", user=job.uploaded_by, data={"rows": len(prepared_rows)})
    return snapshot


def _target_snapshot(user, form, period, division, district, source_name):
    """The snapshot that takes new rows, following the version rules.

    No snapshot yet: version 1. Latest is a draft or returned: its rows are replaced (a returned
    one goes back to draft). Latest is submitted: refused. Latest is accepted: it stays as it is
    and a new version supersedes it.
    """
    # The unit's row is the lock: with no snapshot yet there is no row to lock, and two first
    # imports of one unit at once would both create version 1.
    Division.objects.select_for_update().filter(pk=division.pk).first()
    latest = _latest(form, period, division, district, lock=True)
    if latest is not None and latest.state == State.SUBMITTED:
        raise SnapshotError(
            _("%(snapshot)s is under review; nothing was imported.") % {"snapshot": latest}
        )
    if latest is not None and latest.state in (State.DRAFT, State.RETURNED):
        if latest.state == State.RETURNED:
            latest.reopen(user)
        SnapshotRow.objects.filter(snapshot=latest).delete()
        latest.uploaded_by = user
        latest.source_name = source_name
        latest.summary = None
        latest.registry_check = None
        latest.save()
        latest.consolidated_from.clear()
        return latest
    return Snapshot.objects.create(
        form=form,
        period=period,
        level=Level.DISTRICT if district is not None else Level.DIVISION,
        region=division.region,
        division=division,
        district=district,
        version=(latest.version + 1) if latest else 1,
        supersedes=latest,
        uploaded_by=user,
        source_name=source_name,
    )


# ----------------------------------------------------------------------------- review


@dataclass(frozen=True)
class Action:
    """A review action: its public name (API, forms, the log's "snapshots.<name>"), the model's
    django-fsm transition it takes, its label, and whether it takes (or needs) comments."""

    name: str
    transition: str
    label: str
    takes_comments: bool = False
    needs_comments: bool = False


# The one place for names, labels and the order buttons are shown in; which action is open in
# which state is read from the model's transitions (Snapshot.get_available_state_transitions).
ACTIONS = {
    "submit": Action("submit", "submit", gettext_lazy("Submit for review")),
    "accept": Action("accept", "accept", gettext_lazy("Accept"), takes_comments=True),
    "return": Action(
        "return",
        "return_for_correction",
        gettext_lazy("Return with comments"),
        takes_comments=True,
        needs_comments=True,
    ),
    "reopen": Action("reopen", "reopen", gettext_lazy("Reopen as draft")),
}
ACTION_FOR_TRANSITION = {action.transition: action for action in ACTIONS.values()}


def is_superseded(snapshot):
    return Snapshot.objects.filter(supersedes=snapshot).exists()


def available_actions(user, snapshot):
    """The actions this user may take on this snapshot now: the model's transitions open from
    its state, for which the user has the role and scope."""
    if is_superseded(snapshot):
        return []
    open_now = {t.name for t in snapshot.get_available_state_transitions()}
    return [
        action
        for action in ACTIONS.values()
        if action.transition in open_now and can_act(user, snapshot, action.name)
    ]


@transaction.atomic
def transition(snapshot, action, user, comments=""):
    """Submit, accept, return or reopen a snapshot, after the role and scope checks."""
    snapshot = Snapshot.objects.select_for_update().get(pk=snapshot.pk)
    if action not in ACTIONS:
        raise SnapshotError(_("Unknown action %(action)s.") % {"action": action})
    step = ACTIONS[action]
    if action in REVIEW_ACTIONS and is_own_submission(user, snapshot):
        raise PermissionDenied(
            _("You submitted %(snapshot)s; someone else must accept or return it.")
            % {"snapshot": snapshot}
        )
    if not can_act(user, snapshot, action):
        raise PermissionDenied(
            _("You may not take the action “%(action)s” on %(snapshot)s.")
            % {"action": step.label, "snapshot": snapshot}
        )
    if is_superseded(snapshot):
        raise SnapshotError(
            _("%(snapshot)s has been superseded by a newer version.") % {"snapshot": snapshot}
        )
    comments = (comments or "").strip()
    if step.needs_comments and not comments:
        raise SnapshotError(_("Say what needs correcting when returning a snapshot."))
    if action == "submit" and snapshot.row_count == 0:
        raise SnapshotError(_("An empty snapshot cannot be submitted."))
    try:
        arguments = (user, comments) if step.takes_comments else (user,)
        getattr(snapshot, step.transition)(*arguments)
    except TransitionNotAllowed:
        raise SnapshotError(
            _("%(snapshot)s is %(state)s; “%(action)s” is not possible now.")
            % {
                "snapshot": snapshot,
                "state": snapshot.get_state_display().lower(),
                "action": step.label,
            }
        ) from None
    snapshot.save()
    log(
        snapshot,
        f"snapshots.{action}",
        user=user,
        data={"comments": comments} if comments else None,
    )
    return snapshot


# ----------------------------------------------------------------------------- the review page


def _column_keys(form):
    return [column.key for column in forms_spec.columns(form)]


def _program_key(form):
    """The column counted as "program": the program, or on AF4 the A&E test level registered."""
    keys = _column_keys(form)
    return next((key for key in ("program", "ae_level") if key in keys), None)


def _clc_key(form):
    """The column counted as "CLC": its name where the form has one, else its type."""
    keys = _column_keys(form)
    return next((key for key in ("clc_name", "clc_type") if key in keys), None)


def _tally(form, rows):
    """The summary of a snapshot from (sex, program, CLC type, CLC name) per row."""
    sex, program, clc = {}, {}, {}
    clc_key = _clc_key(form)
    for row_sex, row_program, clc_type, clc_name in rows:
        sex[row_sex or ""] = sex.get(row_sex or "", 0) + 1
        if _program_key(form):
            program[row_program or ""] = program.get(row_program or "", 0) + 1
        if clc_key == "clc_name":
            name = " ".join(str(clc_name or "").split())
            clc[name] = clc.get(name, 0) + 1
        elif clc_key == "clc_type":
            key = str(clc_type or "")
            clc[key] = clc.get(key, 0) + 1
    return {"sex": sex, "program": program, "clc": clc}


def _prepared_keys(form, prepared_rows):
    """(sex, program, CLC type, CLC name) of rows as the importer prepared them."""
    fields = importer.ROW_FIELDS[1:]  # a prepared row has no snapshot id
    sex, ctype = fields.index("sex"), fields.index("clc_type")
    program = fields.index(_program_key(form)) if _program_key(form) else None
    keys = _column_keys(form)
    name = keys.index("clc_name") if "clc_name" in keys else None
    for row in prepared_rows:
        clc_name = json.loads(row[1])[name] if name is not None else None
        yield row[sex], row[program] if program is not None else "", row[ctype], clc_name


def _stored_keys(snapshot):
    """(sex, program, CLC type, CLC name) of a stored snapshot's rows (decrypts the rows only
    when the form names its CLCs)."""
    program = _program_key(snapshot.form)
    keys = _column_keys(snapshot.form)
    name = keys.index("clc_name") if "clc_name" in keys else None
    fields = ["sex", "clc_type", *([program] if program else [])]
    if name is None:
        for values in snapshot.rows.values_list(*fields).iterator(chunk_size=5000):
            yield values[0], values[2] if program else "", values[1], None
        return
    for row in snapshot.rows.only("snapshot_id", "payload", *fields).iterator(chunk_size=2000):
        yield (
            row.sex,
            getattr(row, program) if program else "",
            row.clc_type,
            row.payload[name] if name < len(row.payload) else None,
        )


def _add_summaries(summaries):
    total = {"sex": {}, "program": {}, "clc": {}}
    for one in summaries:
        for part, counts in total.items():
            for key, count in one.get(part, {}).items():
                counts[key] = counts.get(key, 0) + count
    return total


def summary(snapshot):
    """The snapshot's counts by sex, program and CLC (computed once, then kept on the snapshot).

    A dict of three {value: count} dicts; see `summary_tables` for what the review page shows."""
    if snapshot.summary is None:
        snapshot.summary = _tally(snapshot.form, _stored_keys(snapshot))
        Snapshot.objects.filter(pk=snapshot.pk).update(summary=snapshot.summary)
    return snapshot.summary


@dataclass(frozen=True)
class SummaryTable:
    """One table of the review page's summary: a caption, what is counted, (label, count) rows."""

    key: str
    caption: str
    column: str
    rows: list


def summary_tables(snapshot):
    """The review page's summary: counts by sex, by program (or A&E test level) and by CLC, each
    with the labels the forms print, largest first; empty values are "Not given"."""
    from learners.vocab import Program, Sex

    counts = summary(snapshot)
    not_given = _("Not given")

    def rows(part, label):
        shown = [(label(key) if key else not_given, count) for key, count in counts[part].items()]
        return sorted(shown, key=lambda pair: (-pair[1], str(pair[0])))

    def clc_type(key):
        return _("Type %(type)s") % {"type": key}

    sexes, programs = dict(Sex.choices), dict(Program.choices)
    tables = [SummaryTable("sex", _("By sex"), _("Sex"), rows("sex", lambda k: sexes.get(k, k)))]
    program = _program_key(snapshot.form)
    if program == "program":
        names = (_("By program"), _("Program"))
    else:
        names = (_("By A&E test level"), _("A&E test level"))
    if program:
        tables.append(
            SummaryTable("program", *names, rows("program", lambda k: programs.get(k, k)))
        )
    clc = _clc_key(snapshot.form)
    if clc == "clc_name":
        tables.append(SummaryTable("clc", _("By CLC"), _("CLC"), rows("clc", str)))
    elif clc == "clc_type":
        tables.append(SummaryTable("clc", _("By CLC type"), _("CLC type"), rows("clc", clc_type)))
    return tables


def import_errors(snapshot):
    """How many errors the file that made this snapshot had: always 0 for stored rows (a file
    with any error imports nothing), so the page can say "none" with the evidence."""
    job = snapshot.import_jobs.order_by("-created_at").first()
    return job.error_count if job is not None else 0


PREVIEW_PAGE_SIZE = 25


@dataclass(frozen=True)
class Preview:
    """One page of a snapshot's rows as the form prints them."""

    headers: list
    rows: list  # (row number, [cell text, ...])
    page: object  # the Paginator page, for the page links


def preview(snapshot, user, page_number, channel):
    """One page of the snapshot's learner-level rows, for those who may export them.

    The same rule as the export (`may_export`: a learner-data role covering the unit); each
    view is written to the learner access log like an export, one entry per LRN shown."""
    from django.core.paginator import Paginator

    if not may_export(user, snapshot):
        raise PermissionDenied(_("Seeing learner-level rows needs a learner-data role."))
    columns = forms_spec.columns(snapshot.form)
    rows = snapshot.rows.order_by("row_number").only("snapshot_id", "row_number", "payload")
    page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(page_number)
    keys = [column.key for column in columns]
    lrn = keys.index("lrn") if "lrn" in keys else None
    shown, lrns = [], []
    for row in page.object_list:
        payload = row.payload
        shown.append(
            (
                row.row_number,
                [column.display(value) for column, value in zip(columns, payload, strict=False)],
            )
        )
        lrns.append(payload[lrn] if lrn is not None and lrn < len(payload) else "")
    log_bulk_access(
        user,
        lrns,
        LearnerAccessLog.Action.VIEW,
        personal_fields(snapshot.form),
        channel,
        division=snapshot.division,
    )
    return Preview([column.header for column in columns], shown, page)


@dataclass(frozen=True)
class RegistryCheck:
    """The registry check's counts for the review page: (kind, label, count) rows, the rows with
    an LRN that were checked, and the enrolment cycle an AF3 was compared with (or None)."""

    checked: int
    cycle: str | None
    rows: list
    total: int


def registry_summary(snapshot):
    """How the snapshot agrees with the learner registry (counts only, no personal data), or None
    for a form without LRNs. "Missing from the form" is counted on AF3 only."""
    check = reconcile.registry_check(snapshot)
    if check is None:
        return None
    kinds = RegistryFinding.Kind
    rows = [
        (kind, label, check["counts"].get(kind, 0))
        for kind, label in kinds.choices
        if kind != kinds.MISSING or snapshot.form == "AF3"
    ]
    return RegistryCheck(check["checked"], check["cycle"], rows, sum(row[2] for row in rows))


REGISTRY_PAGE_SIZE = 50
#: What the registry report shows of each learner, as the access log names it.
REGISTRY_FIELDS = ["lrn", "name", "birthdate"]
_REGISTRY_LEARNER_COLUMNS = [
    f"learner__{name}"
    for name in ("lrn", "last_name", "first_name", "middle_name", "name_extension", "birthdate")
]


@dataclass(frozen=True)
class RegistryEntry:
    """One finding of the report with what the form and the registry say (name, birthdate)."""

    finding: object
    form: dict | None
    registry: dict | None


@dataclass(frozen=True)
class RegistryReport:
    entries: list
    page: object
    kind: str


def registry_report(snapshot, user, page_number, kind, channel):
    """One page of the registry check's findings, for those who may see the snapshot's learner
    rows (`may_export`); each page shown writes one access-log entry per LRN on it."""
    from django.core.paginator import Paginator

    if not may_export(user, snapshot):
        raise PermissionDenied(_("Seeing learner-level rows needs a learner-data role."))
    reconcile.registry_check(snapshot)
    findings = snapshot.registry_findings.select_related("learner").only(
        "snapshot_id", "kind", "row_number", "lrn", "surviving_lrn", *_REGISTRY_LEARNER_COLUMNS
    )
    kind = kind if kind in RegistryFinding.Kind.values else ""
    if kind:
        findings = findings.filter(kind=kind)
    page = Paginator(findings.order_by("kind", "row_number", "lrn"), REGISTRY_PAGE_SIZE).get_page(
        page_number
    )
    numbers = [f.row_number for f in page.object_list if f.row_number is not None]
    # values_list, not only(): a related manager's deferred rows each query their snapshot_id.
    payloads = dict(
        snapshot.rows.filter(row_number__in=numbers).values_list("row_number", "payload")
    )
    entries = []
    for finding in page.object_list:
        payload = payloads.get(finding.row_number)
        learner = finding.learner
        entries.append(
            RegistryEntry(
                finding,
                reconcile.form_identity(snapshot.form, payload) if payload is not None else None,
                {"name": learner.full_name, "birthdate": learner.birthdate.isoformat()}
                if learner is not None
                else None,
            )
        )
    log_bulk_access(
        user,
        [finding.lrn for finding in page.object_list],
        LearnerAccessLog.Action.VIEW,
        REGISTRY_FIELDS,
        channel,
        division=snapshot.division,
    )
    return RegistryReport(entries, page, kind)


def reviewers(level, division):
    """Who accepts or returns a snapshot of `level` for `division` (can_act's rule): the division's
    EPSA or ALS focal person for a district snapshot, the region's ALS personnel for a division
    snapshot. Returns (the roles, the active users holding them there)."""
    roles = REVIEW_ROLES[level]
    if level == Level.DIVISION:
        return roles, users_covering(roles, region=division.region_id)
    return roles, users_covering(roles, division=division)


# ----------------------------------------------------------------------------- consolidation


@transaction.atomic
def consolidate(user, division, form, period):
    """Build the division snapshot from its districts' submitted or accepted district snapshots.

    For each district the newest accepted version is used, else the newest submitted one. The
    encrypted rows are copied as they are (no decryption needed) and renumbered.
    """
    if not scope_for(user, CONSOLIDATE_ROLES).covers_division(division):
        raise PermissionDenied(
            _("You may not consolidate snapshots for %(division)s.") % {"division": division}
        )
    _refuse_if_under_review(form, period, division, None)
    sources = []
    for district in division.districts.order_by("name"):
        candidates = Snapshot.objects.filter(
            form=form, period=period, division=division, district=district
        )
        chosen = (
            candidates.filter(state=State.ACCEPTED).order_by("-version").first()
            or candidates.filter(state=State.SUBMITTED).order_by("-version").first()
        )
        if chosen is not None:
            sources.append(chosen)
    if not sources:
        raise SnapshotError(
            _("No district of %(division)s has a submitted or accepted %(form)s for %(period)s.")
            % {"division": division, "form": form, "period": period}
        )
    _refuse_duplicate_lrns(form, sources)
    names = ", ".join(s.district.name for s in sources)
    snapshot = _target_snapshot(
        user, form, period, division, None, _("Consolidated: %(districts)s") % {"districts": names}
    )
    table = SnapshotRow._meta.db_table
    plain = [f for f in importer.ROW_FIELDS if f not in ("snapshot_id", "row_number")]
    columns = ", ".join(plain)
    placeholders = ", ".join(["%s"] * len(sources))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (snapshot_id, row_number, {columns}) "
            f"SELECT %s, ROW_NUMBER() OVER (ORDER BY r.district_id, r.snapshot_id, r.row_number), "
            f"{', '.join('r.' + c for c in plain)} FROM {table} r WHERE r.snapshot_id IN ({placeholders})",
            [snapshot.pk, *[s.pk for s in sources]],
        )
    snapshot.row_count = SnapshotRow.objects.filter(snapshot=snapshot).count()
    # Its rows are exactly its sources' rows: their counts add up.
    snapshot.summary = _add_summaries([summary(source) for source in sources])
    snapshot.save(update_fields=["row_count", "summary"])
    snapshot.consolidated_from.set(sources)
    if reconcile.checks_registry(form):
        # Against the division's enrolments now, not the districts' (their findings do not add up).
        reconcile.check_stored(snapshot)
    log(snapshot, "snapshots.consolidate", user=user, data={"from": [s.pk for s in sources]})
    return snapshot


def _refuse_duplicate_lrns(form, sources):
    """A learner may appear once in a division snapshot: an LRN in two districts is refused.

    The message names districts and row numbers, not the LRN, since it may end up in logs.
    """
    keys = [c.key for c in importer.forms_spec.columns(form)]
    if "lrn" not in keys:
        return
    position = keys.index("lrn")
    seen = {}
    clashes = []
    for source in sources:
        rows = SnapshotRow.objects.filter(snapshot=source).only(
            "snapshot_id", "payload", "row_number"
        )
        for row in rows.iterator(chunk_size=2000):
            lrn = row.payload[position]
            if not lrn:
                continue
            where = _("%(district)s row %(row)s") % {
                "district": source.district.name,
                "row": row.row_number,
            }
            if lrn in seen:
                clashes.append(
                    _("%(first)s and %(second)s") % {"first": seen[lrn], "second": where}
                )
            else:
                seen[lrn] = where
    if clashes:
        shown = "; ".join(clashes[:10])
        if len(clashes) > 10:
            shown = _("%(clashes)s (and %(more)s more)") % {
                "clashes": shown,
                "more": len(clashes) - 10,
            }
        raise SnapshotError(
            _(
                "The same LRN appears in more than one district snapshot: %(clashes)s. "
                "Return the district snapshots concerned for correction."
            )
            % {"clashes": shown}
        )


# ----------------------------------------------------------------------------- deadlines


@dataclass
class FormStatus:
    form: str
    status: str  # on_time, late, missing
    submitted_at: object = None
    snapshot: object = None

    @property
    def label(self):
        return {"on_time": _("On time"), "late": _("Late"), "missing": _("Missing")}[self.status]


def deadline_board(period, divisions, today=None):
    """For each division: each due form on time, late or missing (by its first submission)."""
    today = today or timezone.localdate()
    first_submitted = {
        (row["division_id"], row["form"]): row["first"]
        for row in Snapshot.objects.filter(
            period=period, level=Level.DIVISION, submitted_at__isnull=False
        )
        .values("division_id", "form")
        .annotate(first=Min("submitted_at"))
    }
    latest = {}
    for snapshot in Snapshot.objects.filter(period=period, level=Level.DIVISION).order_by(
        "version"
    ):
        latest[(snapshot.division_id, snapshot.form)] = snapshot
    board = []
    for division in divisions:
        statuses = []
        for form in period.forms_due():
            first = first_submitted.get((division.pk, form))
            if first is None:
                status = "missing"
            elif timezone.localdate(first) <= period.deadline:
                status = "on_time"
            else:
                status = "late"
            statuses.append(FormStatus(form, status, first, latest.get((division.pk, form))))
        board.append((division, statuses))
    return board


#: Who is reminded of (and given the task of) a division's missing forms: those who submit its
#: division snapshots.
REMINDED_ROLES = SUBMIT_ROLES[Level.DIVISION]


def reminder_recipients(division):
    """E-mail addresses of the division's ALS focal person(s) and EPSA(s)."""
    from organisation.models import RoleAssignment

    emails = RoleAssignment.objects.filter(
        division=division, role__in=REMINDED_ROLES, user__is_active=True
    ).values_list("user__email", flat=True)
    return sorted({e for e in emails if e})


def send_reminders(today=None):
    """E-mail every division that misses a form after a period's deadline (once a day each)."""
    from django.core.mail import send_mail

    today = today or timezone.localdate()
    sent = 0
    periods = ReportingPeriod.objects.filter(deadline__lt=today)
    for period in periods:
        divisions = Division.objects.order_by("name")
        for division, statuses in deadline_board(period, divisions, today):
            missing = [s.form for s in statuses if s.status == "missing"]
            if not missing:
                continue
            if ReminderLog.objects.filter(period=period, division=division, sent_on=today).exists():
                continue
            recipients = reminder_recipients(division)
            if not recipients:
                continue
            forms = ", ".join(missing)
            subject = _("Overdue ALS data: %(forms)s for %(period)s") % {
                "forms": forms,
                "period": period,
            }
            body = _(
                "The %(division)s division has not yet submitted %(forms)s for %(period)s, which "
                "was due on %(deadline)s.\n\n"
                "Please consolidate the district snapshots and submit the division snapshot in "
                "the ALS MIS (Snapshots in the admin).\n"
            ) % {
                "division": division.name,
                "forms": forms,
                "period": period,
                "deadline": f"{period.deadline:%-d %B %Y}",
            }
            send_mail(subject, body, None, recipients)
            ReminderLog.objects.create(
                period=period,
                division=division,
                sent_on=today,
                forms=missing,
                recipients=recipients,
            )
            sent += 1
    return sent


# Columns that identify or describe a learner as a person (RA 10173); the unit, CLC and
# assessment columns are not listed as personal in the access log.
PERSONAL_KEYS = frozenset(
    {
        "lrn",
        "last_name",
        "first_name",
        "middle_name",
        "name_extension",
        "sex",
        "birthdate",
        "age",
        "birthplace",
        "civil_status",
        "religion",
        "mother_tongue",
        "ethnic_group",
        "disability",
        "address",
        "contact_number",
        "father_name",
        "mother_maiden_name",
        "guardian_name",
        "occupation",
    }
)


def personal_fields(form):
    """The personal columns (keys, in column order) of a form."""
    return [c.key for c in forms_spec.columns(form) if c.key in PERSONAL_KEYS]


def may_export(user, snapshot):
    """Whether the user may export the snapshot's learner-level rows: only a learner-data role
    (organisation.roles.LEARNER_DATA_ROLES) covering the snapshot's unit, or a superuser. Seeing
    the snapshot (its counts and state) is not enough."""
    scope = learner_data_scope(user)
    if snapshot.district_id:
        return scope.covers_district(snapshot.district_id)
    return scope.covers_division(snapshot.division_id)


def export_workbook(snapshot, user, channel, username=""):
    """The snapshot as xlsx bytes, with the export logged (Wagtail log and learner access log).

    One learner access-log entry per LRN in the snapshot records who exported which learners'
    personal columns, through which channel, against the snapshot's division, so the division
    focal person can review it.
    """
    lrns = []
    content = exporter.snapshot_workbook(snapshot, lrns=lrns)
    with transaction.atomic():
        log(snapshot, "snapshots.export", user=user, data={"channel": channel})
        log_bulk_access(
            user,
            lrns,
            LearnerAccessLog.Action.EXPORT,
            personal_fields(snapshot.form),
            channel,
            division=snapshot.division,
            username=username,
        )
    return content


# ----------------------------------------------------------------------------- what waits on whom


def _opening_states(action):
    """The states from which the model's transition behind `action` is open (read from the
    state machine, so the task lists follow it)."""
    name = ACTIONS[action].transition
    field = Snapshot._meta.get_field("state")
    return {t.source for t in field.get_all_transitions(Snapshot) if t.name == name}


def _current():
    """Snapshots that are no one's old version (a superseded one takes no action)."""
    return Snapshot.objects.filter(superseded_by__isnull=True).select_related(
        "period", "division", "district", "submitted_by", "uploaded_by"
    )


def to_review(user):
    """Snapshots waiting for this user to accept or return them (`can_act`'s rule as a query):
    submitted district snapshots of a division where the user is EPSA or focal person, submitted
    division snapshots of a region where the user is regional ALS personnel; never the user's
    own submissions. Oldest submission first."""
    waiting = _current().filter(state__in=_opening_states("accept")).exclude(submitted_by=user)
    district_scope = scope_for(user, REVIEW_ROLES[Level.DISTRICT])
    division_scope = scope_for(user, REVIEW_ROLES[Level.DIVISION])
    found = Snapshot.objects.none()
    if not district_scope.is_empty:
        found |= district_scope.filter(
            waiting.filter(level=Level.DISTRICT), division_field="division_id"
        )
    if not division_scope.is_empty:
        found |= division_scope.filter(
            waiting.filter(level=Level.DIVISION), region_field="region_id"
        )
    return found.order_by("submitted_at", "pk")


def to_submit(user):
    """Drafts and returned snapshots this user uploaded or submitted and may submit (again)."""
    waiting = (
        _current()
        .filter(state__in=_opening_states("submit"))
        .filter(Q(uploaded_by=user) | Q(submitted_by=user))
    )
    district_scope = scope_for(user, SUBMIT_ROLES[Level.DISTRICT])
    division_scope = scope_for(user, SUBMIT_ROLES[Level.DIVISION])
    found = Snapshot.objects.none()
    if not district_scope.is_empty:
        found |= district_scope.filter(
            waiting.filter(level=Level.DISTRICT), district_field="district_id"
        )
    if not division_scope.is_empty:
        found |= division_scope.filter(
            waiting.filter(level=Level.DIVISION), division_field="division_id"
        )
    # Returned ones first: someone is waiting for the correction.
    return found.order_by("-state", "created_at", "pk")


@dataclass(frozen=True)
class DueForm:
    """A form a division has not submitted for a period, and its deadline."""

    division: object
    period: object
    form: str
    snapshot: object  # its newest version not yet submitted (a draft), or None

    @property
    def is_late(self):
        return self.period.is_overdue()


def task_periods(today=None):
    """The periods whose missing forms are someone's task: every period past its deadline (the
    same ones `send_reminders` writes about) and the next one due."""
    today = today or timezone.localdate()
    past = list(ReportingPeriod.objects.filter(deadline__lt=today).order_by("deadline"))
    upcoming = ReportingPeriod.objects.filter(deadline__gte=today).order_by("deadline").first()
    return past + ([upcoming] if upcoming else [])


def forms_due(user, today=None):
    """Forms missing from the divisions where this user submits division snapshots (as
    REMINDED_ROLES, held for the division), for `task_periods`: by the deadline board's rule, a
    form is missing until a division snapshot of it is first submitted."""
    from organisation.scope import assignments_for

    divisions = sorted(
        {a.division for a in assignments_for(user, REMINDED_ROLES) if a.division_id},
        key=lambda division: division.name,
    )
    due = []
    if not divisions:
        return due
    for period in task_periods(today):
        for division, statuses in deadline_board(period, divisions, today):
            due.extend(
                DueForm(division, period, status.form, status.snapshot)
                for status in statuses
                if status.status == "missing"
            )
    return due


def may_review_any(user):
    """Whether the user holds a role that reviews snapshots somewhere."""
    roles = {role for level_roles in REVIEW_ROLES.values() for role in level_roles}
    return user.is_superuser or not scope_for(user, roles).is_empty


def may_upload_any(user):
    """Whether the user may upload a snapshot for some unit."""
    roles = {role for level_roles in UPLOAD_ROLES.values() for role in level_roles}
    return user.is_superuser or not scope_for(user, roles).is_empty


def may_consolidate_any(user):
    return user.is_superuser or not scope_for(user, CONSOLIDATE_ROLES).is_empty
