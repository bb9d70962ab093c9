"""Micro-credentials for ALS learners (RA 11510): what is certified (`Achievement`), the 360°
ratings that decide who qualifies (`Assessment`), a recognition day's list (`AwardBatch` and its
`BatchMember`s), the credential each learner receives (`Award`, with a verification code and an
index in the revocation status list) and the keys that sign them (`IssuerKey`).

Depends on `learners` and `organisation`; neither imports this app.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from learners.crypto import EncryptedTextField
from learners.models import Learner
from organisation.models import Division


class Rater(models.TextChoices):
    """Who rates a competency element in a 360° assessment."""

    SELF = "self", _("Self")
    TEACHER = "teacher", _("Teacher")
    COMMUNITY = "community", _("Community")


class Achievement(models.Model):
    """A micro-credential that can be awarded: what it certifies and how it is assessed.

    Texts are kept per language (English required; Filipino and Ilokano where given): the
    certificate and the verification page use the learner's or reader's language when given.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_fil = models.CharField(_("name (Filipino)"), max_length=200, blank=True)
    name_ilo = models.CharField(_("name (Ilokano)"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    description_fil = models.TextField(_("description (Filipino)"), blank=True)
    description_ilo = models.TextField(_("description (Ilokano)"), blank=True)
    # One competency element per line; assessments rate each.
    competency_elements = models.TextField(
        _("competency elements"), help_text=_("One element of the competency per line.")
    )
    learning_strand = models.CharField(_("learning strand"), max_length=120)
    pqf_level = models.PositiveSmallIntegerField(
        _("PQF level"), validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    criteria_narrative = models.TextField(_("criteria"))
    assessment_method = models.TextField(_("assessment method"))
    # The raters whose ratings count (Rater values), e.g. ["self", "teacher", "community"].
    raters = models.JSONField(_("raters"), default=list)
    # The pass rule: every counted rating of every element at least `pass_minimum` (1-4) and
    # their mean at least `pass_mean`.
    pass_minimum = models.PositiveSmallIntegerField(
        _("lowest passing rating"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    pass_mean = models.DecimalField(
        _("lowest passing mean"), max_digits=3, decimal_places=2, default=3
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("Empty: does not expire.")
    )
    certificate_wording = models.TextField(_("certificate wording"))
    certificate_wording_fil = models.TextField(_("certificate wording (Filipino)"), blank=True)
    certificate_wording_ilo = models.TextField(_("certificate wording (Ilokano)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("micro-credential")
        verbose_name_plural = _("micro-credentials")

    def __str__(self):
        return self.name

    @property
    def elements(self):
        """The competency elements, one per non-empty line."""
        return [line.strip() for line in self.competency_elements.splitlines() if line.strip()]


class Assessment(models.Model):
    """The 360° ratings (1-4) of one learner on one competency element of an achievement."""

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="assessments")
    achievement = models.ForeignKey(
        Achievement, on_delete=models.PROTECT, related_name="assessments"
    )
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    element = models.CharField(_("competency element"), max_length=300)
    self_rating = models.PositiveSmallIntegerField(
        _("self"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    teacher_rating = models.PositiveSmallIntegerField(
        _("teacher"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    community_rating = models.PositiveSmallIntegerField(
        _("community"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    assessed_on = models.DateField(_("assessed on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "achievement", "element"],
                name="credentials_one_rating_per_element",
            )
        ]

    def __str__(self):
        return f"{self.achievement} — {self.element}"


class BatchState(models.TextChoices):
    DRAFT = "draft", _("Prepared")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class AwardBatch(FSMModelMixin, models.Model):
    """A recognition day's awards for one division: prepared, approved, then issued at once."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="award_batches")
    achievements = models.ManyToManyField(Achievement, related_name="batches")
    ceremony_date = models.DateField(_("date of the recognition day"))
    venue = models.CharField(_("venue"), max_length=200)
    # [{"name": ..., "position": ...}], printed in this order.
    signatories = models.JSONField(_("signatories"), default=list)
    state = FSMField(
        _("state"), default=BatchState.DRAFT, choices=BatchState.choices, protected=True
    )
    source_name = models.CharField(_("file"), max_length=255, blank=True)
    # Empty: prepared by the operator at the command line (`manage.py issue_credentials`).
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    prepared_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ceremony_date", "-pk"]
        verbose_name = _("award batch")
        verbose_name_plural = _("award batches")

    def __str__(self):
        return f"{self.division} {self.ceremony_date:%Y-%m-%d} ({self.venue})"

    # The services (credentials.services) check who may act and record the log; the
    # transitions only move the state.
    @transition(field=state, source=BatchState.DRAFT, target=BatchState.APPROVED)
    def approve(self):
        pass

    @transition(field=state, source=BatchState.APPROVED, target=BatchState.ISSUED)
    def issue(self):
        pass

    @transition(
        field=state, source=[BatchState.DRAFT, BatchState.APPROVED], target=BatchState.CANCELLED
    )
    def cancel(self):
        pass


class BatchMember(models.Model):
    """One learner of a batch, with the name as it will be printed and the evidence narrative."""

    batch = models.ForeignKey(AwardBatch, on_delete=models.CASCADE, related_name="members")
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="+")
    name_as_printed = models.CharField(_("name as printed"), max_length=300)
    narrative = models.TextField(_("narrative"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "learner"], name="credentials_learner_once_per_batch"
            )
        ]

    def __str__(self):
        return self.name_as_printed


class AwardState(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    REPLACED = "replaced", _("Replaced")


class Award(FSMModelMixin, models.Model):
    """A micro-credential awarded to one learner: what the certificate and the verification page
    show, the code printed on it, and its index in the revocation status list."""

    batch = models.ForeignKey(AwardBatch, on_delete=models.PROTECT, related_name="awards")
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="awards")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="awards")
    name_as_printed = models.CharField(_("name as printed"), max_length=300)
    evidence = models.TextField(_("evidence"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Unguessable (>= 60 bits), typed from paper: grouped, no ambiguous characters, a check
    # character (credentials.codes). Stored without separators, upper case.
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    # Random, unique index into the Bitstring Status List (revocation).
    status_index = models.PositiveIntegerField(unique=True)
    state = FSMField(
        _("status"), default=AwardState.VALID, choices=AwardState.choices, protected=True
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "name_as_printed"]
        constraints = [
            # One valid award per learner and achievement in a batch; a re-issue adds a new
            # valid one beside the replaced one, which stays.
            models.UniqueConstraint(
                fields=["batch", "learner", "achievement"],
                condition=models.Q(state="valid"),
                name="credentials_one_valid_award_per_batch",
            )
        ]

    def __str__(self):
        return f"{self.achievement} — {self.name_as_printed}"

    @transition(field=state, source=AwardState.VALID, target=AwardState.REVOKED)
    def revoke(self):
        pass

    @transition(field=state, source=AwardState.VALID, target=AwardState.REPLACED)
    def replace(self):
        pass


class IssuerKey(models.Model):
    """An Ed25519 key of the region's issuer (did:web). The current one signs; earlier ones stay
    in the DID document so credentials they signed still verify. The private key is encrypted at
    rest (with the learners' data keys, learners.crypto)."""

    key_id = models.CharField(max_length=100, unique=True)  # the multibase public key (z6Mk...)
    public_key_multibase = models.CharField(max_length=100)
    # An EncryptedTextField, so `rotate_learner_keys` re-encrypts it with the learners' data.
    private_key_encrypted = EncryptedTextField()
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="credentials_one_current_key",
            )
        ]

    def __str__(self):
        return self.key_id


@register_setting(icon="doc-full")
class CertificateLayout(BaseGenericSetting):
    """The printed certificate's words, edited by staff in Settings → Certificate layout
    (credentials.certificates draws them). A batch's own signatories replace the defaults."""

    heading_lines = models.TextField(
        _("heading lines"),
        default="Republic of the Philippines\nDepartment of Education\n$region\n$division",
        help_text=_("One line per line of the heading. $region and $division are replaced."),
    )
    title = models.CharField(_("title"), max_length=200, default="Certificate of Micro-credential")
    presentation_line = models.CharField(
        _("line before the name"), max_length=200, default="This certifies that"
    )
    body_template = models.TextField(
        _("body wording"),
        default=(
            "is awarded the micro-credential $achievement.\n$wording\nGiven on $date at $venue."
        ),
        help_text=_(
            "Printed below the learner's name, one line per line. Placeholders: $achievement, "
            "$wording (the micro-credential's own wording), $date, $venue, $division, $region."
        ),
    )
    default_signatories = models.TextField(
        _("default signatories"),
        blank=True,
        help_text=_(
            'One per line as "Name | Position", printed when a batch names no signatories.'
        ),
    )

    class Meta:
        verbose_name = _("certificate layout")
