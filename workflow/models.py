"""The journey of a submission through the offices: its state machine, receipts, reviews and history.

`Journey.state` is a protected django-fsm field: it only changes through the transition methods
below, and those are only called by `workflow.services.perform_transition`, which checks role and
scope, locks the row, saves, records history and notifies, all in one transaction.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, ConcurrentTransitionMixin, FSMField, transition

from organisation.models import Division, Level, Region
from repository.models import Submission

MANILA = ZoneInfo("Asia/Manila")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the division")
    RECEIVED_BY_DIVISION = "received_by_division", _("Received by the division")
    UNDER_DIVISION_REVIEW = "under_division_review", _("Under division review")
    ENDORSED_TO_REGION = "endorsed_to_region", _("Endorsed to the region")
    RECEIVED_BY_REGION = "received_by_region", _("Received by the region")
    UNDER_REGIONAL_REVIEW = "under_regional_review", _("Under regional review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    RETURNED_INCOMPLETE = "returned_incomplete", _("Returned incomplete")
    RETURNED_FOR_REVISION = "returned_for_revision", _("Returned for revision")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = State

# Where a submission enters the offices, by origin: district items are received by the division's
# records section; division items go straight into the division's review pool; region items into
# the region's review pool.
ENTRY_STATE = {
    Level.DISTRICT: S.SUBMITTED,
    Level.DIVISION: S.RECEIVED_BY_DIVISION,
    Level.REGION: S.RECEIVED_BY_REGION,
}

# Where a resubmission goes, by the state the submission was returned from.
RESUBMIT_STATE = {
    S.SUBMITTED: S.SUBMITTED,  # returned incomplete at division receipt: to records again
    S.ENDORSED_TO_REGION: S.ENDORSED_TO_REGION,  # returned incomplete at region receipt
    S.UNDER_DIVISION_REVIEW: S.RECEIVED_BY_DIVISION,  # back to the division review pool
    S.UNDER_REGIONAL_REVIEW: S.RECEIVED_BY_REGION,  # back to the regional review pool
    # A correction of a published item (a reader's report): the region approves it again.
    S.PUBLISHED: S.RECEIVED_BY_REGION,
}

# For the generated diagram: which condition leads to which target of a computed transition.
ENTRY_WHEN = {
    S.SUBMITTED: "district origin",
    S.RECEIVED_BY_DIVISION: "division origin",
    S.RECEIVED_BY_REGION: "region origin",
}
RESUBMIT_WHEN = {
    S.SUBMITTED: "returned at division receipt",
    S.ENDORSED_TO_REGION: "returned at region receipt",
    S.RECEIVED_BY_DIVISION: "returned by division review",
    S.RECEIVED_BY_REGION: "returned by regional review or for a correction",
}

# States in which the submitter may edit metadata and upload files.
EDITABLE_STATES = {S.DRAFT, S.RETURNED_INCOMPLETE, S.RETURNED_FOR_REVISION, S.WITHDRAWN}
# States in which someone other than the submitter must act.
WAITING_STATES = {
    S.SUBMITTED,
    S.RECEIVED_BY_DIVISION,
    S.UNDER_DIVISION_REVIEW,
    S.ENDORSED_TO_REGION,
    S.RECEIVED_BY_REGION,
    S.UNDER_REGIONAL_REVIEW,
    S.APPROVED,
}


def _entry_state(journey, *args, **kwargs):
    return ENTRY_STATE[journey.submission.origin_level]


def _resubmit_state(journey, *args, **kwargs):
    # Called by django-fsm after the method ran, which noted where to go before clearing it.
    return journey._resubmit_to


def _permission(name):
    """django-fsm's `permission=` hook; the same rules perform_transition enforces."""

    def check(journey, user):
        from .rules import may_perform

        return may_perform(user, journey, name)

    check.__name__ = f"may_{name}"
    return check


class Journey(ConcurrentTransitionMixin, models.Model):
    """Where a submission is in the workflow, and who holds its review.

    Every transition method takes the acting user as `by=` (django-fsm passes it on to signal
    receivers as `method_kwargs["by"]`).

    The state machine (see docs/workflow.md for the generated diagram):
    draft → submitted → received_by_division → under_division_review → endorsed_to_region →
    received_by_region → under_regional_review → approved → published, with the side states
    returned_incomplete, returned_for_revision and withdrawn; a submitted item not yet received
    may be recalled to draft by its submitter.
    """

    submission = models.OneToOneField(
        Submission, primary_key=True, on_delete=models.CASCADE, related_name="journey"
    )
    state = FSMField(
        _("state"), default=S.DRAFT, choices=State.choices, protected=True, db_index=True
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="claimed_journeys",
        verbose_name=_("claimed by"),
    )
    state_changed_at = models.DateTimeField(_("in this state since"), default=timezone.now)
    returned_from = models.CharField(
        _("returned from"),
        max_length=32,
        blank=True,
        choices=State.choices,
        help_text=_("The state a returned submission was in; a resubmission goes back there."),
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("Goes up with every transition; a stale copy is refused.")
    )

    class Meta:
        verbose_name = _("journey")

    def __str__(self):
        return f"{self.submission} — {self.get_state_display()}"

    def delete(self, *args, **kwargs):
        raise PermissionDenied("A journey is deleted only with its submission.")

    # -- transitions (names are the public vocabulary of the UI and the API) -----------------

    @transition(
        field=state,
        source=S.DRAFT,
        target=GET_STATE(
            _entry_state, states=[S.SUBMITTED, S.RECEIVED_BY_DIVISION, S.RECEIVED_BY_REGION]
        ),
        permission=_permission("submit"),
        custom={"when": ENTRY_WHEN},
    )
    def submit(self, by=None):
        """The submitter sends the draft to the first office of its origin level."""

    @transition(field=state, source=S.SUBMITTED, target=S.DRAFT, permission=_permission("recall"))
    def recall(self, by=None):
        """The submitter takes a submission back to draft before the division's records section
        has received it (to correct or complete it); after the receipt it is the offices' turn."""

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.RECEIVED_BY_DIVISION,
        permission=_permission("receive_at_division"),
    )
    def receive_at_division(self, by=None):
        """The division's records section stamps a complete district submission received."""

    @transition(
        field=state,
        source=[S.SUBMITTED, S.ENDORSED_TO_REGION],
        target=S.RETURNED_INCOMPLETE,
        permission=_permission("return_incomplete"),
    )
    def return_incomplete(self, by=None):
        """Records does not receive an incomplete submission; it goes back to the submitter."""
        self.returned_from = self.state

    @transition(
        field=state,
        source=S.RECEIVED_BY_DIVISION,
        target=S.UNDER_DIVISION_REVIEW,
        permission=_permission("claim_division_review"),
    )
    def claim_division_review(self, by=None):
        """A division LR QA reviewer takes the submission from the pool."""
        self.claimed_by = by

    @transition(
        field=state,
        source=S.UNDER_DIVISION_REVIEW,
        target=S.RECEIVED_BY_DIVISION,
        permission=_permission("release_claim"),
    )
    @transition(
        field=state,
        source=S.UNDER_REGIONAL_REVIEW,
        target=S.RECEIVED_BY_REGION,
        permission=_permission("release_claim"),
    )
    def release_claim(self, by=None):
        """The reviewer puts the submission back into the pool of their level."""
        self.claimed_by = None

    @transition(
        field=state,
        source=[S.UNDER_DIVISION_REVIEW, S.UNDER_REGIONAL_REVIEW],
        target=S.RETURNED_FOR_REVISION,
        permission=_permission("return_for_revision"),
    )
    def return_for_revision(self, by=None):
        """The reviewer sends the submission back to the submitter with a review and reasons."""
        self.returned_from = self.state
        self.claimed_by = None

    @transition(
        field=state,
        source=S.RETURNED_INCOMPLETE,
        target=GET_STATE(_resubmit_state, states=[S.SUBMITTED, S.ENDORSED_TO_REGION]),
        permission=_permission("resubmit"),
        custom={"when": RESUBMIT_WHEN},
    )
    @transition(
        field=state,
        source=S.RETURNED_FOR_REVISION,
        target=GET_STATE(_resubmit_state, states=[S.RECEIVED_BY_DIVISION, S.RECEIVED_BY_REGION]),
        permission=_permission("resubmit"),
        custom={"when": RESUBMIT_WHEN},
    )
    @transition(
        field=state,
        source=S.WITHDRAWN,
        target=GET_STATE(
            _resubmit_state, states=[S.SUBMITTED, S.RECEIVED_BY_DIVISION, S.RECEIVED_BY_REGION]
        ),
        permission=_permission("resubmit"),
        custom={"when": ENTRY_WHEN},
    )
    def resubmit(self, by=None):
        """The submitter sends the revised submission back to the level that returned it (a
        withdrawn one starts again where its origin enters, and goes through QA again)."""
        if self.state == S.WITHDRAWN:
            self._resubmit_to = ENTRY_STATE[self.submission.origin_level]
        else:
            self._resubmit_to = RESUBMIT_STATE[self.returned_from]
        self.returned_from = ""

    @transition(
        field=state,
        source=S.UNDER_DIVISION_REVIEW,
        target=S.ENDORSED_TO_REGION,
        permission=_permission("endorse_to_region"),
    )
    def endorse_to_region(self, by=None):
        """The division reviewer endorses a passed submission to the regional office."""
        self.claimed_by = None

    @transition(
        field=state,
        source=S.ENDORSED_TO_REGION,
        target=S.RECEIVED_BY_REGION,
        permission=_permission("receive_at_region"),
    )
    def receive_at_region(self, by=None):
        """The regional records section stamps an endorsed submission received."""

    @transition(
        field=state,
        source=S.RECEIVED_BY_REGION,
        target=S.UNDER_REGIONAL_REVIEW,
        permission=_permission("claim_regional_review"),
    )
    def claim_regional_review(self, by=None):
        """A regional LR QA reviewer takes the submission from the pool."""
        self.claimed_by = by

    @transition(
        field=state,
        source=S.UNDER_REGIONAL_REVIEW,
        target=S.APPROVED,
        permission=_permission("approve"),
    )
    def approve(self, by=None):
        """The regional reviewer approves a passed submission for publication."""
        self.claimed_by = None

    @transition(
        field=state, source=S.APPROVED, target=S.PUBLISHED, permission=_permission("publish")
    )
    def publish(self, by=None):
        """Regional ALS personnel publish an approved submission on the public site."""

    @transition(
        field=state, source=S.PUBLISHED, target=S.WITHDRAWN, permission=_permission("withdraw")
    )
    def withdraw(self, by=None):
        """Regional ALS personnel take a published submission off the public site, with a reason."""

    @transition(
        field=state,
        source=S.PUBLISHED,
        target=S.RETURNED_FOR_REVISION,
        permission=_permission("request_correction"),
    )
    def request_correction(self, by=None):
        """A regional reviewer sends a published item back to its submitter for a correction
        (a reader's report, errata/). The page stays up as it is until the corrected version
        is approved by the region and published again at the same URL."""
        self.returned_from = self.state
        self.claimed_by = None


TRANSITION_NAMES = [
    "submit",
    "recall",
    "receive_at_division",
    "return_incomplete",
    "claim_division_review",
    "release_claim",
    "return_for_revision",
    "resubmit",
    "endorse_to_region",
    "receive_at_region",
    "claim_regional_review",
    "approve",
    "publish",
    "withdraw",
    "request_correction",
]


class ControlNumberCounter(models.Model):
    """The last control number issued by one office in one year; its row is the allocation lock."""

    office_code = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office_code", "year"], name="control_counter_unique")
        ]

    def __str__(self):
        return f"{self.office_code} {self.year}: {self.last_number}"


class ReceiptStamp(models.Model):
    """A records section's "received" stamp: control number, office, date and time, receiver."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="receipts")
    control_number = models.CharField(_("control number"), max_length=40, unique=True)
    office_code = models.CharField(_("office code"), max_length=32)
    office_level = models.CharField(_("office level"), max_length=16, choices=Level.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("number"))
    received_at = models.DateTimeField(_("received at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("receipt stamp")
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["office_code", "year", "sequence"], name="receipt_number_unique_per_office"
            )
        ]

    def __str__(self):
        return self.control_number

    @property
    def office_name(self):
        if self.division_id:
            return _("%(division)s Schools Division Office") % {"division": self.division.name}
        return _("%(region)s Regional Office") % {"region": self.region.name}

    @property
    def received_at_manila(self):
        """The receipt time on the wall clock of the office (Asia/Manila)."""
        return timezone.localtime(self.received_at, MANILA)


class Review(models.Model):
    """A reviewer's assessment: the LRMDS rating sheet for learning resources, a checklist for
    research and success stories. The outcome is computed (workflow/review.py), never typed in.
    """

    class Sheet(models.TextChoices):
        LRMDS_RATING = "lrmds", _("LRMDS rating sheet")
        RESEARCH_CHECKLIST = "research", _("Research checklist")
        STORY_CHECKLIST = "story", _("Success story checklist")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        CONDITIONAL_PASS = "conditional_pass", _("Conditional pass (revise)")
        FAILED = "failed", _("Failed")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reviews")
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    sheet = models.CharField(_("sheet"), max_length=16, choices=Sheet.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # {"items": {key: score or bool}, "item_comments": {key: text}, "factors": {key: {...}}}
    answers = models.JSONField(_("answers"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_sheet_display()}: {self.get_outcome_display()}"


class AppendOnlyQuerySet(models.QuerySet):
    """History rows are written once: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionDenied("Transition history cannot be changed.")

    def delete(self):
        raise PermissionDenied("Transition history cannot be deleted.")


class TransitionRecord(models.Model):
    """One step of a submission's history: who moved it from where to where, when, and why.

    Append-only: saving an existing row, updating or deleting raises PermissionDenied.
    """

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="history")
    name = models.CharField(_("transition"), max_length=40)
    from_state = models.CharField(_("from"), max_length=32, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=32, choices=State.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    # [{"code": ..., "name": ...}] copied at the time, so later vocabulary edits don't rewrite it.
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # e.g. {"missing": [...]} for a return at receipt.
    details = models.JSONField(_("details"), default=dict, blank=True)
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.ForeignKey(
        ReceiptStamp, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("transition record")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.name}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Transition history cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Transition history cannot be deleted.")
