"""The repository: submissions (learning resources, research, success stories), their files and
the controlled vocabularies that describe them.

This app knows nothing about the workflow that moves a submission through the offices; that lives
in `workflow`, which builds on top of these models.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisation.models import District, Division, Level, Region

# --------------------------------------------------------------------------------------------
# Controlled vocabularies (Wagtail snippets, editable by system administrators)
# --------------------------------------------------------------------------------------------


class Vocabulary(models.Model):
    """One term of a controlled vocabulary: a stable code for the API plus a display name."""

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Stable identifier used by the API and imports, e.g. ls1-english."),
    )
    name = models.CharField(_("name"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive terms stay on old records but are not offered."),
    )

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class Language(Vocabulary):
    """A language a submission is written in (English, Filipino, Iloko and the region's languages)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("language")


class LearningStrand(Vocabulary):
    """A learning strand of the ALS K to 12 curriculum (LS1–LS6)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("learning strand")


class Program(Vocabulary):
    """An ALS program: BLP, A&E Elementary, A&E Secondary (JHS), ALS-SHS."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("program")


class CurriculumLevel(Vocabulary):
    """The curriculum level a learning resource is written for (LRMDS "level")."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("curriculum level")


class MaterialType(Vocabulary):
    """LRMDS material type: the medium (print, digital, audio, video ...)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("material type")


class ResourceType(Vocabulary):
    """LRMDS resource type: module, activity sheet, session guide ... ("module" adds the IP factor)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("resource type")


class EducationType(Vocabulary):
    """LRMDS education type (ALS, formal K to 12, IPEd ...)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("education type")


class IntendedUser(Vocabulary):
    """LRMDS intended users (learners, facilitators, parents ...)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("intended user")


class ResearchType(Vocabulary):
    """The type of a research submission (action research, basic research ...)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("research type")


class ReturnReason(Vocabulary):
    """A structured reason for returning or withdrawing a submission; free text goes beside it."""

    class AppliesTo(models.TextChoices):
        INCOMPLETE = "incomplete", _("Returned incomplete (not received)")
        REVISION = "revision", _("Returned for revision")
        WITHDRAWAL = "withdrawal", _("Withdrawal from publication")

    applies_to = models.CharField(_("applies to"), max_length=16, choices=AppliesTo.choices)

    class Meta(Vocabulary.Meta):
        verbose_name = _("return reason")


VOCABULARY_MODELS = [
    Language,
    LearningStrand,
    Program,
    CurriculumLevel,
    MaterialType,
    ResourceType,
    EducationType,
    IntendedUser,
    ResearchType,
    ReturnReason,
]


def _active():
    return {"is_active": True}


# --------------------------------------------------------------------------------------------
# Submissions
# --------------------------------------------------------------------------------------------

school_year_validator = RegexValidator(
    r"^\d{4}-\d{4}$", _("Enter a school year as YYYY-YYYY, e.g. 2025-2026.")
)


class Submission(models.Model):
    """A learning resource, research or success story submitted by a unit of the region.

    `origin_level` says which unit made it: a district (an ALS teacher), a division (the EPSA) or the
    region (regional ALS personnel). `division` is empty for region-origin items and `district` is
    set only for district-origin items; `region` is always set.
    """

    class Kind(models.TextChoices):
        LEARNING_RESOURCE = "lr", _("Learning resource")
        RESEARCH = "research", _("Research")
        SUCCESS_STORY = "story", _("Success story")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary / description"), blank=True)
    authors = models.CharField(
        _("authors"), max_length=500, blank=True, help_text=_("Names, separated by commas.")
    )
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="submissions", verbose_name=_("languages")
    )
    school_year = models.CharField(
        _("school year"), max_length=9, blank=True, validators=[school_year_validator]
    )

    origin_level = models.CharField(_("origin"), max_length=16, choices=Level.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="submissions")
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="submissions_created",
        verbose_name=_("submitted by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # Learning resource: LRMDS cataloguing.
    learning_strands = models.ManyToManyField(
        LearningStrand, blank=True, related_name="submissions", verbose_name=_("learning strands")
    )
    program = models.ForeignKey(
        Program,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_active,
        verbose_name=_("program"),
    )
    curriculum_level = models.ForeignKey(
        CurriculumLevel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_active,
        verbose_name=_("level"),
    )
    material_type = models.ForeignKey(
        MaterialType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_active,
        verbose_name=_("material type"),
    )
    resource_type = models.ForeignKey(
        ResourceType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_active,
        verbose_name=_("resource type"),
    )
    education_type = models.ForeignKey(
        EducationType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_active,
        verbose_name=_("education type"),
    )
    intended_users = models.ManyToManyField(
        IntendedUser, blank=True, related_name="submissions", verbose_name=_("intended users")
    )
    competencies = models.TextField(
        _("competencies"), blank=True, help_text=_("Learning competencies covered, one per line.")
    )
    content_topic = models.CharField(_("content / topic"), max_length=300, blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    accessibility = models.CharField(
        _("accessibility"),
        max_length=300,
        blank=True,
        help_text=_("e.g. large print, audio version, works offline."),
    )
    developer = models.CharField(_("developer"), max_length=300, blank=True)
    copyright = models.CharField(
        _("copyright"),
        max_length=300,
        blank=True,
        help_text=_(
            "e.g. “No copyright: work of the Government (RA 8293 s. 176)” or “© 2026 the author”."
        ),
    )
    copyright_owner = models.CharField(_("copyright owner"), max_length=300, blank=True)

    # Research.
    research_type = models.ForeignKey(
        ResearchType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to=_active,
        verbose_name=_("research type"),
    )
    adviser = models.CharField(_("adviser"), max_length=200, blank=True)
    year_completed = models.PositiveSmallIntegerField(
        _("year completed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )

    # Success story.
    learner_featured = models.CharField(
        _("learner featured"),
        max_length=200,
        blank=True,
        help_text=_("The learner the story is about (name or pseudonym)."),
    )
    learner_named_or_pictured = models.BooleanField(
        _("learner named or pictured"),
        default=False,
        help_text=_("When ticked, the learner's written consent must be attached."),
    )

    class Meta:
        verbose_name = _("submission")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "created_at"])]
        constraints = [
            models.CheckConstraint(
                name="submission_origin_units_match",
                condition=(
                    models.Q(
                        origin_level="district", division__isnull=False, district__isnull=False
                    )
                    | models.Q(
                        origin_level="division", division__isnull=False, district__isnull=True
                    )
                    | models.Q(origin_level="region", division__isnull=True, district__isnull=True)
                ),
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.district_id and self.division_id and self.district.division_id != self.division_id:
            raise ValidationError({"district": _("The district is not in the chosen division.")})
        if self.division_id and self.region_id and self.division.region_id != self.region_id:
            raise ValidationError({"division": _("The division is not in the chosen region.")})

    @property
    def origin_unit(self):
        """The district, division or region the submission comes from."""
        return {
            Level.DISTRICT: self.district,
            Level.DIVISION: self.division,
            Level.REGION: self.region,
        }[self.origin_level]

    @property
    def is_module(self):
        """Modules are rated on an extra Intellectual Property factor."""
        return (
            self.kind == self.Kind.LEARNING_RESOURCE
            and self.resource_type_id is not None
            and self.resource_type.code == "module"
        )

    def current_files(self):
        return self.files.filter(is_current=True).order_by("role", "uploaded_at")


def submission_file_key(instance, filename):
    """A non-guessable storage key; the client's file name never becomes part of it."""
    return f"submissions/{instance.submission.uuid.hex}/{uuid.uuid4().hex}"


class SubmissionFile(models.Model):
    """One uploaded file of a submission, in one version.

    Files with the same `lineage` are versions of one document; re-uploading adds a version and
    moves `is_current`, older versions stay for the history. The main file, consent form and IP
    declaration have one lineage per submission; supporting files and photos may have several.
    """

    class Role(models.TextChoices):
        MAIN = "main", _("Main file")
        SUPPORTING = "supporting", _("Supporting file")
        CONSENT = "consent", _("Learner's written consent")
        IP_DECLARATION = "ip_declaration", _("IP / copyright declaration")
        PHOTO = "photo", _("Photo")

    SINGLE_ROLES = {Role.MAIN, Role.CONSENT, Role.IP_DECLARATION}

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    lineage = models.UUIDField(editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    file = models.FileField(_("file"), upload_to=submission_file_key, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    mime_type = models.CharField(_("type"), max_length=120)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    is_current = models.BooleanField(_("current version"), default=True)

    class Meta:
        verbose_name = _("submission file")
        ordering = ["submission", "role", "lineage", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "lineage", "version"], name="submission_file_version_unique"
            ),
            models.UniqueConstraint(
                fields=["submission", "lineage"],
                condition=models.Q(is_current=True),
                name="submission_file_one_current_per_lineage",
            ),
        ]

    def __str__(self):
        return f"{self.original_name} (v{self.version})"


class FixityCheck(models.Model):
    """The last fixity check of one stored file version: was it there, and were its bytes intact.

    `manage.py verify_files` (a scheduled task) rereads the object from the file storage, hashes
    it and compares the digest with the SHA-256 recorded at upload. One row per file, updated on
    every check: the newest answer is what an administrator acts on (docs: operations, fixity).
    """

    class Result(models.TextChoices):
        OK = "ok", _("OK")
        MISSING = "missing", _("Missing")
        CHANGED = "changed", _("Changed")
        ERROR = "error", _("Could not be read")

    submission_file = models.OneToOneField(
        SubmissionFile, on_delete=models.CASCADE, related_name="fixity"
    )
    checked_at = models.DateTimeField(_("checked at"), db_index=True)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    # What the storage gave back (empty when the object was missing or unreadable).
    observed_sha256 = models.CharField(_("observed SHA-256"), max_length=64, blank=True)
    observed_size = models.PositiveBigIntegerField(_("observed size"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    # When the file last passed; stays set after a failure so the report says since when.
    last_ok_at = models.DateTimeField(_("last intact"), null=True, blank=True)

    class Meta:
        verbose_name = _("fixity check")
        ordering = ["-checked_at"]

    def __str__(self):
        return f"{self.submission_file_id}: {self.result}"
