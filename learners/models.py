"""Learner records (AF2 enrolment data), enrolments per cycle, LRN aliases, merges and access logs.

Sensitive personal information (RA 10173) is stored with ``learners.crypto`` fields: the database
only ever holds ciphertext for them, they are never used in search, and ``str()``/``repr()`` of a
learner show only the LRN and the name.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from organisation.models import CommunityLearningCenter, Division

from .crypto import EncryptedJSONField, EncryptedTextField
from .search_keys import fold_name, phonetic
from .vocab import CivilStatus, DeliveryMode, MotherTongue, Program, Sex

validate_lrn = RegexValidator(
    r"^\d{12}\Z", _("An LRN is exactly 12 digits, e.g. 136512150001."), code="invalid_lrn"
)


class GradeCompleted(models.TextChoices):
    """Last grade/year completed in formal school (AF1, AF2)."""

    NONE = "none", _("None")
    KINDER = "K", _("Kindergarten")
    G1 = "1", _("Grade 1")
    G2 = "2", _("Grade 2")
    G3 = "3", _("Grade 3")
    G4 = "4", _("Grade 4")
    G5 = "5", _("Grade 5")
    G6 = "6", _("Grade 6")
    G7 = "7", _("Grade 7")
    G8 = "8", _("Grade 8")
    G9 = "9", _("Grade 9")
    G10 = "10", _("Grade 10")
    G11 = "11", _("Grade 11")
    G12 = "12", _("Grade 12")


class SchoolYearCycle(models.Model):
    """An enrolment cycle: a calendar year or a school year, with its own enrolment cut-off date."""

    class CycleType(models.TextChoices):
        CALENDAR_YEAR = "calendar", _("Calendar year")
        SCHOOL_YEAR = "school_year", _("School year")

    label = models.CharField(_("label"), max_length=40, unique=True, help_text="e.g. SY 2025-2026")
    cycle_type = models.CharField(_("cycle type"), max_length=16, choices=CycleType.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    enrolment_cutoff = models.DateField(
        _("enrolment cut-off"),
        help_text=_("Last allowed date of first attendance, e.g. October 31."),
    )
    is_open = models.BooleanField(_("open for enrolment"), default=True)

    class Meta:
        verbose_name = _("enrolment cycle")
        ordering = ["-start_date"]

    def __str__(self):
        return self.label

    def clean(self):
        if self.start_date and self.end_date and self.start_date >= self.end_date:
            raise ValidationError({"end_date": _("The cycle must end after it starts.")})
        dates = (self.start_date, self.enrolment_cutoff, self.end_date)
        if all(dates) and not dates[0] <= dates[1] <= dates[2]:
            raise ValidationError(
                {"enrolment_cutoff": _("The cut-off must fall within the cycle.")}
            )


class Learner(models.Model):
    """One person, identified for life by a 12-digit LRN, with the AF2 enrolment data."""

    lrn = models.CharField(_("LRN"), max_length=12, unique=True, validators=[validate_lrn])
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    name_extension = models.CharField(
        _("name extension"), max_length=10, blank=True, help_text="Jr., Sr., III"
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birthdate = models.DateField(_("birthdate"))
    mother_tongue = models.CharField(
        _("mother tongue"), max_length=20, choices=MotherTongue.choices, blank=True
    )
    mother_tongue_other = models.CharField(
        _("mother tongue (other, specify)"),
        max_length=100,
        blank=True,
        help_text=_("The language's name, when the mother tongue is “Other (specify)”."),
    )
    last_grade_completed = models.CharField(
        _("last grade completed"), max_length=4, choices=GradeCompleted.choices, blank=True
    )
    date_mapped = models.DateField(_("date mapped"), null=True, blank=True)
    interested_in_als = models.BooleanField(_("interested in ALS"), default=True)
    remark = models.TextField(_("remark"), blank=True)

    # Sensitive personal information: stored encrypted, never filtered on, never indexed.
    civil_status = EncryptedTextField(
        _("civil status"), choices=CivilStatus.choices, blank=True, null=True
    )
    religion = EncryptedTextField(_("religion"), blank=True, null=True)
    ethnic_group = EncryptedTextField(_("IP (ethnic group)"), blank=True, null=True)
    disability = EncryptedTextField(_("PWD (disability)"), blank=True, null=True)
    is_4ps_beneficiary = EncryptedJSONField(_("4Ps beneficiary"), blank=True, null=True)
    mothers_maiden_name = EncryptedTextField(_("mother's maiden name"), blank=True, null=True)
    contact_number = EncryptedTextField(_("contact number"), blank=True, null=True)
    address = EncryptedJSONField(
        _("address"),
        blank=True,
        null=True,
        help_text="{street, barangay, municipality, province}",
    )
    birthplace = EncryptedTextField(_("place of birth (municipality)"), blank=True, null=True)

    # Non-sensitive keys for finding near matches (see learners.search_keys).
    search_last = models.CharField(max_length=100, editable=False, db_index=True)
    search_first = models.CharField(max_length=100, editable=False, db_index=True)
    phonetic_last = models.CharField(max_length=100, editable=False, db_index=True)
    phonetic_first = models.CharField(max_length=100, editable=False, db_index=True)

    # The division that holds the record now: set by the first enrolment, changed only by an
    # accepted (or region-approved) TransferRequest. Only this division's staff see the details.
    division = models.ForeignKey(
        Division,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learners",
        verbose_name=_("current division"),
    )

    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    SENSITIVE_FIELDS = (
        "civil_status",
        "religion",
        "ethnic_group",
        "disability",
        "is_4ps_beneficiary",
        "mothers_maiden_name",
        "contact_number",
        "address",
        "birthplace",
    )

    class Meta:
        verbose_name = _("learner")
        ordering = ["search_last", "search_first", "lrn"]
        permissions = [
            ("enrol_learner", "Can enrol learners"),
            ("merge_learner", "Can merge duplicate learner records"),
            ("view_learner_access_log", "Can review the learner access log"),
        ]

    def __str__(self):
        return f"{self.lrn} {self.full_name}"

    def __repr__(self):
        return f"<Learner {self.lrn} {self.full_name}>"

    def save(self, *args, **kwargs):
        self.refresh_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | {
                "search_last",
                "search_first",
                "phonetic_last",
                "phonetic_first",
            }
        super().save(*args, **kwargs)

    @property
    def full_name(self):
        """Last, First Middle Ext. — how the ALS forms print a name."""
        given = " ".join(p for p in (self.first_name, self.middle_name, self.name_extension) if p)
        return f"{self.last_name}, {given}"

    def age_on(self, day):
        """Age in whole years on ``day``."""
        born = self.birthdate
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def refresh_search_keys(self):
        """Recompute the normalised name keys from the name fields."""
        self.search_last = fold_name(self.last_name)[:100]
        self.search_first = fold_name(self.first_name)[:100]
        self.phonetic_last = phonetic(self.last_name)[:100]
        self.phonetic_first = phonetic(self.first_name)[:100]

    def clean(self):
        if self.birthdate and self.birthdate > date.today():
            raise ValidationError({"birthdate": _("The birthdate cannot be in the future.")})
        self.mother_tongue_other = (self.mother_tongue_other or "").strip()
        if self.mother_tongue == MotherTongue.OTHER and not self.mother_tongue_other:
            raise ValidationError(
                {"mother_tongue_other": _("Write the name of the mother tongue.")}
            )
        if self.mother_tongue != MotherTongue.OTHER:
            self.mother_tongue_other = ""

    @property
    def mother_tongue_label(self):
        """The mother tongue as the forms print it ("Other (specify): Bago" for another)."""
        if not self.mother_tongue:
            return ""
        label = MotherTongue(self.mother_tongue).label
        if self.mother_tongue == MotherTongue.OTHER:
            return f"{label}: {self.mother_tongue_other}"
        return label


class LearnerAlias(models.Model):
    """An LRN that once belonged to a separate record, merged into ``learner``; it still finds them."""

    lrn = models.CharField(_("LRN"), max_length=12, unique=True, validators=[validate_lrn])
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("learner LRN alias")
        verbose_name_plural = _("learner LRN aliases")

    def __str__(self):
        return f"{self.lrn} → {self.learner.lrn}"


class Enrolment(models.Model):
    """A learner enrolled in one cycle at one CLC, in one program and delivery mode."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed the program")
        DROPPED = "dropped", _("Stopped attending")

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="enrolments")
    cycle = models.ForeignKey(SchoolYearCycle, on_delete=models.PROTECT, related_name="enrolments")
    clc = models.ForeignKey(
        CommunityLearningCenter,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("CLC"),
    )
    program = models.CharField(_("program"), max_length=8, choices=Program.choices)
    delivery_mode = models.CharField(_("delivery mode"), max_length=4, choices=DeliveryMode.choices)
    date_first_attendance = models.DateField(_("date of first attendance"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ENROLLED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("enrolment")
        ordering = ["-cycle__start_date", "learner__lrn"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "cycle"], name="one_enrolment_per_learner_per_cycle"
            )
        ]

    def __str__(self):
        return f"{self.learner.lrn} {self.cycle} {self.get_program_display()}"


class LearnerMerge(models.Model):
    """The record of two learner records merged into one (the oldest LRN prevails)."""

    surviving = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="merges")
    merged_lrn = models.CharField(_("merged LRN"), max_length=12)
    merged_record = EncryptedJSONField(
        _("merged record"), help_text="Every field of the record merged away, kept encrypted."
    )
    enrolments_moved = models.PositiveIntegerField(default=0)
    reason = models.TextField(_("reason"), blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("learner merge")
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.merged_lrn} merged into {self.surviving.lrn}"


class LearnerAccessLog(models.Model):
    """One view, change or export of a learner's personal data: who, what, when, through what."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        ENROL = "enrol", _("Enrolled")
        MERGE = "merge", _("Merged")
        EXPORT = "export", _("Exported")
        REPORT = "report", _("Data-subject access report")
        TRANSFER_REQUEST = "transfer_request", _("Transfer requested")
        TRANSFER_ACCEPT = "transfer_accept", _("Transfer accepted")
        TRANSFER_DECLINE = "transfer_decline", _("Transfer declined")
        TRANSFER_ESCALATE = "transfer_escalate", _("Transfer escalated to the region")
        TRANSFER_APPROVE = "transfer_approve", _("Transfer approved by the region")
        TRANSFER_REFUSE = "transfer_refuse", _("Transfer refused by the region")
        TRANSFER_CANCEL = "transfer_cancel", _("Transfer request cancelled")

    class Channel(models.TextChoices):
        ADMIN = "admin", _("Staff admin")
        API = "api", _("API")
        COMMAND = "command", _("Management command")

    learner = models.ForeignKey(
        Learner, null=True, on_delete=models.SET_NULL, related_name="access_log"
    )
    lrn = models.CharField(_("LRN"), max_length=12, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(_("user"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # The division whose data was accessed (a snapshot's division, or the learner's latest
    # enrolment), so the division focal sees accesses even where no Learner record matches.
    division = models.ForeignKey(
        "organisation.Division",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("division"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("learner access log entry")
        verbose_name_plural = _("learner access log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.lrn}"


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ESCALATED = "escalated", _("Escalated to the region")
    APPROVED_BY_REGION = "approved_by_region", _("Approved by the region")
    REFUSED_BY_REGION = "refused_by_region", _("Refused by the region")
    CANCELLED = "cancelled", _("Cancelled")


#: States in which a transfer request still waits for an answer.
OPEN_TRANSFER_STATES = (TransferState.REQUESTED, TransferState.ESCALATED)


class TransferRequest(ConcurrentTransitionMixin, models.Model):
    """A receiving division asks for a learner held by another division (as in DepEd's LIS).

    requested → accepted | declined (the learner's current division answers) | cancelled
    (the requester withdraws) | escalated (no answer within LEARNER_TRANSFER_ANSWER_DAYS);
    escalated → approved_by_region | refused_by_region (regional ALS personnel) | cancelled.
    ``state`` is a protected django-fsm field: it changes only through the transition methods,
    which ``learners.transfers.perform`` calls under a row lock.
    """

    S = TransferState

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="transfer_requests")
    from_division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("from division")
    )
    to_division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("to division")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason for the request"), blank=True)
    state = FSMField(
        _("state"),
        default=TransferState.REQUESTED,
        choices=TransferState.choices,
        protected=True,
        db_index=True,
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("learner transfer request")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=models.Q(state__in=["requested", "escalated"]),
                name="one_open_transfer_per_learner",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_division=models.F("to_division")),
                name="transfer_between_two_divisions",
            ),
        ]

    def __str__(self):
        return f"{self.learner.lrn}: {self.from_division} → {self.to_division} ({self.state})"

    @property
    def is_open(self):
        return self.state in OPEN_TRANSFER_STATES

    @property
    def moves_learner(self):
        """Whether this request ended with the learner in the receiving division."""
        return self.state in (TransferState.ACCEPTED, TransferState.APPROVED_BY_REGION)

    def _decided(self, by, note):
        self.decided_by = by
        self.decided_at = timezone.now()
        self.note = note

    @transition(field=state, source=TransferState.REQUESTED, target=TransferState.ACCEPTED)
    def accept(self, by=None, note=""):
        """The learner's current division lets the learner go."""
        self._decided(by, note)

    @transition(field=state, source=TransferState.REQUESTED, target=TransferState.DECLINED)
    def decline(self, by=None, note=""):
        """The learner's current division keeps the learner (a reason is required)."""
        self._decided(by, note)

    @transition(field=state, source=TransferState.REQUESTED, target=TransferState.ESCALATED)
    def escalate(self, by=None, note=""):
        """No answer in time: regional ALS personnel decide."""
        self.escalated_at = timezone.now()

    @transition(
        field=state, source=TransferState.ESCALATED, target=TransferState.APPROVED_BY_REGION
    )
    def approve(self, by=None, note=""):
        """Regional ALS personnel move the learner to the receiving division."""
        self._decided(by, note)

    @transition(field=state, source=TransferState.ESCALATED, target=TransferState.REFUSED_BY_REGION)
    def refuse(self, by=None, note=""):
        """Regional ALS personnel leave the learner where they are."""
        self._decided(by, note)

    @transition(field=state, source=list(OPEN_TRANSFER_STATES), target=TransferState.CANCELLED)
    def cancel(self, by=None, note=""):
        """The receiving division withdraws its request."""
        self._decided(by, note)
