"""AF1–AF5 data snapshots: one form, one unit (district or division), one reporting period.

A snapshot's rows keep every value of the uploaded form encrypted at rest (`SnapshotRow.payload`);
only the non-identifying keys that statistics group by (sex, age band, program, delivery mode, CLC
type, literacy level, FLT scores, A&E status, district) sit in plain columns.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from learners.crypto import EncryptedJSONField
from organisation.models import District, Division, Region, null_as_zero


class Form(models.TextChoices):
    """The ALS forms of DepEd Order 58 s. 2017, Enclosure 2."""

    AF1 = "AF1", _("AF1 List of Mapped Learners")
    AF2 = "AF2", _("AF2 Enrolment Form")
    AF3 = "AF3", _("AF3 Masterlist of Enrolled Learners with End-of-Program Status")
    AF4 = "AF4", _("AF4 Masterlist of A&E Registrants")
    AF5 = "AF5", _("AF5 Learner's Permanent Record for ALS")


class ReportingPeriod(models.Model):
    """A cycle for which snapshots are due, e.g. "SY 2024-2025 EOSY", with its deadline."""

    class Cycle(models.TextChoices):
        CALENDAR_YEAR = "calendar", _("Calendar year")
        SCHOOL_YEAR = "school", _("School year")

    class Phase(models.TextChoices):
        FULL = "full", _("Whole cycle")
        BOSY = "bosy", _("Beginning of school year (BOSY)")
        EOSY = "eosy", _("End of school year (EOSY)")

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_(
            'Short name used by the command line and the API, e.g. "2026" or "2024-2025-eosy".'
        ),
    )
    cycle = models.CharField(_("cycle"), max_length=10, choices=Cycle.choices)
    start_year = models.PositiveSmallIntegerField(
        _("start year"), help_text=_("The calendar year, or the first year of the school year.")
    )
    phase = models.CharField(_("phase"), max_length=4, choices=Phase.choices, default=Phase.FULL)
    deadline = models.DateField(_("deadline"))
    forms = models.JSONField(
        _("forms due"),
        default=list,
        blank=True,
        help_text=_('Form codes due for this period, e.g. ["AF3", "AF4"]; empty means all.'),
    )

    class Meta:
        verbose_name = _("reporting period")
        ordering = ["-start_year", "cycle", "phase"]

    def __str__(self):
        if self.cycle == self.Cycle.CALENDAR_YEAR:
            name = f"CY {self.start_year}"
        else:
            name = f"SY {self.start_year}-{self.start_year + 1}"
        if self.phase != self.Phase.FULL:
            name += f" {self.phase.upper()}"
        return name

    @property
    def label(self):
        """The period with its deadline, e.g. "SY 2024-2025 EOSY due 31 March 2025"."""
        return _("%(period)s due %(deadline)s") % {
            "period": self,
            "deadline": f"{self.deadline:%-d %B %Y}",
        }

    @property
    def years(self):
        """The calendar years a row's "Calendar Year" may name for this period."""
        if self.cycle == self.Cycle.CALENDAR_YEAR:
            return {self.start_year}
        return {self.start_year, self.start_year + 1}

    @property
    def reference_date(self):
        """The cut-off date ages are counted at: 31 December, or 31 October of a school year."""
        if self.cycle == self.Cycle.CALENDAR_YEAR:
            return datetime.date(self.start_year, 12, 31)
        return datetime.date(self.start_year, 10, 31)

    def forms_due(self):
        return list(self.forms) if self.forms else list(Form.values)

    def is_overdue(self, today=None):
        return (today or timezone.localdate()) > self.deadline


class Level(models.TextChoices):
    DISTRICT = "district", _("District")
    DIVISION = "division", _("Division")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class SnapshotQuerySet(models.QuerySet):
    def accepted(self):
        return self.filter(state=State.ACCEPTED)

    def latest_versions(self):
        """Only the newest version of each (form, period, unit)."""
        return self.filter(superseded_by__isnull=True)


class Snapshot(FSMModelMixin, models.Model):
    """One form for one unit and one period, in one version; accepted versions are locked."""

    form = models.CharField(_("form"), max_length=3, choices=Form.choices)
    period = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name=_("period"),
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("division")
    )
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="snapshots",
        verbose_name=_("district"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    consolidated_from = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="consolidated_into"
    )
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    source_name = models.CharField(_("source"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    review_comments = models.TextField(_("review comments"), blank=True)
    # Counts by sex, program and CLC for the review page (services.summary): computed once from
    # the rows, cleared whenever the rows change. No personal data, only counts and CLC names.
    summary = models.JSONField(_("summary"), null=True, blank=True, editable=False)
    # How the rows agree with the learner registry (snapshots.reconcile): counts of each kind of
    # RegistryFinding and the enrolment cycle compared with, kept with the rows, cleared with them.
    registry_check = models.JSONField(_("registry check"), null=True, blank=True, editable=False)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("snapshot")
        ordering = ["-period__start_year", "form", "division__name", "district__name", "-version"]
        constraints = [
            # A division snapshot has no district: one version 1 per division too.
            models.UniqueConstraint(
                "form",
                "period",
                "division",
                null_as_zero("district"),
                "version",
                name="snapshot_version_unique",
                violation_error_message=_("This unit already has this version of the form."),
            ),
            models.CheckConstraint(
                name="snapshot_level_matches_unit",
                condition=(
                    models.Q(level="district", district__isnull=False)
                    | models.Q(level="division", district__isnull=True)
                ),
            ),
        ]
        permissions = [("review_snapshot", "Can accept or return snapshots")]

    def __str__(self):
        return f"{self.form} {self.unit} {self.period} v{self.version}"

    @property
    def unit(self):
        return self.district if self.level == Level.DISTRICT else self.division

    @property
    def is_locked(self):
        """Accepted (and submitted, while under review) snapshots take no new rows."""
        return self.state in (State.ACCEPTED, State.SUBMITTED)

    # Transitions. Who may fire them is decided in services.transition(); these only move state.
    @transition(field=state, source=[State.DRAFT, State.RETURNED], target=State.SUBMITTED)
    def submit(self, user):
        self.submitted_at = timezone.now()
        self.submitted_by = user

    @transition(field=state, source=State.SUBMITTED, target=State.ACCEPTED)
    def accept(self, user, comments=""):
        self.reviewed_at = timezone.now()
        self.reviewed_by = user
        self.review_comments = comments

    @transition(field=state, source=State.SUBMITTED, target=State.RETURNED)
    def return_for_correction(self, user, comments):
        self.reviewed_at = timezone.now()
        self.reviewed_by = user
        self.review_comments = comments

    @transition(field=state, source=State.RETURNED, target=State.DRAFT)
    def reopen(self, user):
        """A returned snapshot takes a corrected file again."""


class AgeBand(models.TextChoices):
    UNDER_15 = "0-14", _("Under 15")
    Y15_17 = "15-17", _("15–17")
    Y18_24 = "18-24", _("18–24")
    Y25_34 = "25-34", _("25–34")
    Y35_49 = "35-49", _("35–49")
    Y50_UP = "50+", _("50 and over")


class AEStatus(models.TextChoices):
    """A&E test result: pass mark 60 %, conditional pass 50–59.99 %."""

    PASSED = "passed", _("Passed")
    CONDITIONAL = "conditional", _("Conditional pass")
    FAILED = "failed", _("Did not pass")


class SnapshotRow(models.Model):
    """One row of a snapshot: the full row encrypted, and plain keys that statistics need."""

    # Only the (snapshot, row_number) index: every read starts from a snapshot, and each extra
    # index slows the bulk load of a 100,000-row file measurably. For the same reason division
    # and district carry no database constraint (PostgreSQL checks deferred foreign keys row by
    # row at commit: 1.5 s for 100,000 rows); the importer only ever writes ids of the snapshot's
    # own division and its districts, and org units are never deleted while snapshots exist
    # (Snapshot.division and .district are PROTECT).
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField()
    payload = EncryptedJSONField()
    division = models.ForeignKey(
        Division,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    district = models.ForeignKey(
        District,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    sex = models.CharField(max_length=1, blank=True)
    age_band = models.CharField(max_length=5, blank=True)
    program = models.CharField(max_length=20, blank=True)
    delivery_mode = models.CharField(max_length=30, blank=True)
    clc_type = models.PositiveSmallIntegerField(null=True, blank=True)
    literacy_level = models.CharField(max_length=20, blank=True)
    pis_score = models.PositiveSmallIntegerField(null=True, blank=True)
    flt_reading = models.PositiveSmallIntegerField(null=True, blank=True)
    flt_numeracy = models.PositiveSmallIntegerField(null=True, blank=True)
    flt_writing = models.PositiveSmallIntegerField(null=True, blank=True)
    flt_listening = models.PositiveSmallIntegerField(null=True, blank=True)
    flt_overall = models.PositiveSmallIntegerField(null=True, blank=True)
    ae_level = models.CharField(max_length=20, blank=True)
    ae_taker = models.BooleanField(null=True, blank=True)
    ae_status = models.CharField(max_length=12, blank=True, choices=AEStatus.choices)

    class Meta:
        ordering = ["snapshot", "row_number"]
        indexes = [models.Index(fields=["snapshot", "row_number"], name="snapshotrow_order")]

    def __str__(self):
        return f"{self.snapshot} row {self.row_number}"


class RegistryFinding(models.Model):
    """One disagreement between a snapshot and the learner registry, found when its rows were
    stored (snapshots.reconcile). A warning for the reviewer: it never blocks an import.

    Only the LRN and the row number are kept; what the form says is read from the (encrypted)
    row when the report is shown, and what the registry says from the learner record.
    """

    class Kind(models.TextChoices):
        UNKNOWN = "unknown", _("LRN not in the registry")
        NAME = "name", _("Name differs from the registry")
        BIRTHDATE = "birthdate", _("Birthdate differs from the registry")
        ALIAS = "alias", _("Merged LRN (an alias of another learner)")
        MISSING = "missing", _("Enrolled in the registry, missing from the form")

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="registry_findings"
    )
    kind = models.CharField(_("finding"), max_length=10, choices=Kind.choices)
    # The form's row; empty for a learner the form is missing.
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    lrn = models.CharField(_("LRN"), max_length=12)
    learner = models.ForeignKey(
        "learners.Learner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    # For an alias: the LRN of the learner it was merged into.
    surviving_lrn = models.CharField(_("surviving LRN"), max_length=12, blank=True)

    class Meta:
        verbose_name = _("registry finding")
        ordering = ["snapshot", "kind", "row_number", "lrn"]
        indexes = [models.Index(fields=["snapshot", "kind"], name="registryfinding_kind")]

    def __str__(self):
        return f"{self.snapshot} {self.kind} row {self.row_number}"


class ImportJob(models.Model):
    """One upload: validated first, stored only when every row is valid; progress for the uploader."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Validating")
        SAVING = "saving", _("Saving")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Rejected")

    form = models.CharField(_("form"), max_length=3, choices=Form.choices)
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=8, choices=Level.choices)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Empty for imports run from the command line by an operator.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    file = models.FileField(upload_to="snapshot-imports/%Y/%m/", max_length=300)
    file_kind = models.CharField(max_length=4)
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # Error values can quote personal data from the file, so the report is encrypted too.
    errors = EncryptedJSONField(null=True, blank=True)
    message = models.TextField(blank=True)
    # The uploader's language: the messages and the error report are written in it, also when
    # the import runs later in the task worker.
    language = models.CharField(max_length=15, blank=True)
    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The heartbeat: every status change and progress report moves it, so a job "validating" or
    # "saving" whose worker died is found (services.fail_stale_jobs) and marked failed.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("snapshot import")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.form} import #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def can_run_again(self):
        """A job that failed without rejecting the file (its worker died, storage or the database
        broke) and whose upload is still kept can be run again."""
        return self.status == self.Status.FAILED and bool(self.file) and not self.error_count

    @property
    def percent(self):
        if not self.total:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.processed / self.total))

    @property
    def unit(self):
        return self.district or self.division


class ReminderLog(models.Model):
    """One reminder sent to a division about forms missing after a period's deadline."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    forms = models.JSONField(default=list)
    recipients = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "division", "sent_on"], name="one_reminder_per_day"
            )
        ]

    def __str__(self):
        return f"Reminder to {self.division} for {self.period} on {self.sent_on}"
