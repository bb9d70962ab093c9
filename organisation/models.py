"""The region's organisation (Region → Division → District → CLC) and who holds which role where."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


def null_as_zero(field):
    """A nullable foreign key in a unique constraint where "no unit" must count as one value.

    `nulls_distinct=False` says the same on PostgreSQL 15+, but SQLite (the `make run` default)
    cannot build it and Django then leaves the constraint out; an index on COALESCE(column, 0)
    holds on both."""
    return Coalesce(field, models.Value(0), output_field=models.BigIntegerField())


class OrgUnit(models.Model):
    """Fields shared by every level of the organisation."""

    code = models.CharField(
        _("code"), max_length=16, help_text=_("Short code used in control numbers, e.g. BEN.")
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Region(OrgUnit):
    """A DepEd region, e.g. the Cordillera Administrative Region (CAR)."""

    code = models.CharField(_("code"), max_length=16, unique=True)

    class Meta(OrgUnit.Meta):
        verbose_name = _("region")


class Division(OrgUnit):
    """A Schools Division Office (SDO)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="divisions")
    slug = models.SlugField(
        max_length=60, unique=True, help_text=_("Used in URLs and demo usernames, e.g. benguet.")
    )

    class Meta(OrgUnit.Meta):
        verbose_name = _("division")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], name="division_code_unique_in_region"
            )
        ]


class District(OrgUnit):
    """A district of a Schools Division Office."""

    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="districts")

    class Meta(OrgUnit.Meta):
        verbose_name = _("district")
        constraints = [
            models.UniqueConstraint(
                fields=["division", "code"], name="district_code_unique_in_division"
            )
        ]

    @property
    def region(self):
        return self.division.region


class CommunityLearningCenter(OrgUnit):
    """A Community Learning Center (CLC), typed 1–5 as in DepEd's classification."""

    class CLCType(models.IntegerChoices):
        MAKESHIFT = 1, _("Type 1: makeshift")
        SEMI_CONCRETE = 2, _("Type 2: semi-concrete")
        BARANGAY_CENTER = 3, _("Type 3: concrete barangay center")
        MULTI_STOREY_ICT = 4, _("Type 4: multi-storey with ICT")
        MOBILE = 5, _("Type 5: mobile / house-to-house")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="clcs")
    clc_type = models.PositiveSmallIntegerField(_("CLC type"), choices=CLCType.choices)
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    barangay = models.CharField(_("barangay"), max_length=120, blank=True)

    class Meta(OrgUnit.Meta):
        verbose_name = _("community learning center")
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="clc_code_unique_in_district")
        ]

    @property
    def division(self):
        return self.district.division


class Role(models.TextChoices):
    """The roles of RM 689 s. 2024, Enclosure 1. Each is also a Wagtail group of the same label."""

    ALS_TEACHER = "als_teacher", _("ALS teacher")
    RECORDS_SECTION = "records_section", _("Records section")
    EPSA = "epsa", _("Education Program Specialist for ALS (EPSA)")
    DIVISION_FOCAL = "division_focal", _("Division ALS focal person")
    ENCODER = "encoder", _("Encoder")
    LR_QA_REVIEWER = "lr_qa_reviewer", _("LR QA reviewer")
    REGIONAL_ALS = "regional_als", _("Regional ALS personnel")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")


class Level(models.TextChoices):
    REGION = "region", _("Region")
    DIVISION = "division", _("Division")
    DISTRICT = "district", _("District")


# Which levels each role may be held at (DOMAIN.md, Roles).
ROLE_LEVELS = {
    Role.ALS_TEACHER: {Level.DISTRICT},
    Role.RECORDS_SECTION: {Level.DIVISION, Level.REGION},
    Role.EPSA: {Level.DIVISION},
    Role.DIVISION_FOCAL: {Level.DIVISION},
    Role.ENCODER: {Level.DIVISION},
    Role.LR_QA_REVIEWER: {Level.DIVISION, Level.REGION},
    Role.REGIONAL_ALS: {Level.REGION},
    Role.SYSTEM_ADMINISTRATOR: {Level.REGION},
}


class RoleAssignment(models.Model):
    """One user holding one role at exactly one org unit (a region, a division or a district)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE)
    division = models.ForeignKey(Division, null=True, blank=True, on_delete=models.CASCADE)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                name="role_assignment_exactly_one_unit",
                condition=(
                    models.Q(region__isnull=False, division__isnull=True, district__isnull=True)
                    | models.Q(region__isnull=True, division__isnull=False, district__isnull=True)
                    | models.Q(region__isnull=True, division__isnull=True, district__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                "user",
                "role",
                null_as_zero("region"),
                null_as_zero("division"),
                null_as_zero("district"),
                name="role_assignment_unique",
                violation_error_message=_("This person already holds this role at this unit."),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.unit}"

    @property
    def unit(self):
        return self.region or self.division or self.district

    @property
    def level(self):
        if self.region_id:
            return Level.REGION
        if self.division_id:
            return Level.DIVISION
        return Level.DISTRICT

    def clean(self):
        units = [u for u in (self.region_id, self.division_id, self.district_id) if u]
        if len(units) != 1:
            raise ValidationError(_("Choose exactly one of region, division or district."))
        allowed = ROLE_LEVELS[Role(self.role)]
        if self.level not in allowed:
            raise ValidationError(
                _("%(role)s is held at %(levels)s level, not at %(level)s level.")
                % {
                    "role": self.get_role_display(),
                    "levels": " or ".join(sorted(str(Level(lv).label).lower() for lv in allowed)),
                    "level": str(Level(self.level).label).lower(),
                }
            )
