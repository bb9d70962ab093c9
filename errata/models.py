"""Readers' reports of problems on published items, and the corrections they lead to.

A `ProblemReport` is what a reader sent from an item's public page: the category, what they
saw, the page and the file version they were looking at, and an optional email for the answer.
The region's LR QA pool triages it: dismissed with a note, or attached to a `Correction`, the
revision of the submission that goes back through the workflow (`request_correction`). When the
corrected version is published again, the correction's public note ("Corrected on <date>: <what
changed>") shows on the item's page.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import Division, Region
from repository.models import Submission, SubmissionFile


class Category(models.TextChoices):
    ANSWER_KEY = "answer_key", _("Wrong answer key")
    TYPO = "typo", _("Typo or wrong word")
    BROKEN_FILE = "broken_file", _("Broken file (does not open or pages missing)")
    COPYRIGHT = "copyright", _("Copyright concern")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    NEW = "new", _("New: to triage")
    DISMISSED = "dismissed", _("Dismissed")
    IN_REVISION = "in_revision", _("Correction under way")
    CORRECTED = "corrected", _("Corrected")


class Correction(models.Model):
    """One revision of a published submission opened from readers' reports.

    `public_note` says what changes, in words for the public; it shows on the item's page as
    "Corrected on <published_at>: <note>" once the corrected version is published.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="corrections")
    public_note = models.CharField(_("what changed (shown on the public page)"), max_length=300)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    published_at = models.DateTimeField(_("corrected version published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction")
        ordering = ["-opened_at"]
        constraints = [
            # One correction under way per submission: later reports join it.
            models.UniqueConstraint(
                fields=["submission"],
                condition=models.Q(published_at__isnull=True),
                name="errata_one_open_correction",
            )
        ]

    def __str__(self):
        return f"{self.submission}: {self.public_note}"


class ProblemReport(models.Model):
    """A problem a reader reported on a published item (no account needed)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    # The page as it was when reported: its id and address (the errata app knows no page types).
    page_id = models.PositiveIntegerField(_("page id"))
    page_url = models.CharField(_("page address"), max_length=500)
    page_title = models.CharField(_("page title"), max_length=255)
    # The file version the reader was looking at (None: the page itself).
    submission_file = models.ForeignKey(
        SubmissionFile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("file"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_version = models.PositiveIntegerField(_("file version"), null=True, blank=True)
    category = models.CharField(_("problem"), max_length=20, choices=Category.choices)
    description = models.TextField(_("what is wrong"), max_length=2000)
    email = models.EmailField(_("reader's email"), blank=True)
    # The reader's language, so the answer is written in it.
    language = models.CharField(max_length=10, default="en")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True
    )
    triage_note = models.TextField(_("note"), blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    correction = models.ForeignKey(
        Correction, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )

    class Meta:
        verbose_name = _("problem report")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_category_display()}: {self.page_title}"
