"""Demo content of the public site: issuances and forms, and the ALS personnel directory.

Idempotent; called from `manage.py seed_demo`. Documents are small generated PDFs standing in
for the real scanned issuances.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents.models import Document

from cms.models import DirectoryEntry, IssuancePage, IssuancesIndexPage
from organisation.models import Role, RoleAssignment

ISSUANCES = [
    (
        IssuancePage.Kind.DEPED_ORDER,
        "58",
        2017,
        datetime.date(2017, 11, 27),
        "Adoption of New Forms for Kindergarten, Senior High School, Alternative Learning System, "
        "Health and Nutrition, and Permanent Records",
        "Adopts the ALS forms AF1 to AF5 for all ALS Community Learning Centers from SY 2017-2018.",
    ),
    (
        IssuancePage.Kind.REGIONAL_MEMORANDUM,
        "689",
        2024,
        datetime.date(2024, 10, 15),
        "Utilization, Management, Monitoring, and Evaluation of the ALS MIS",
        "Roles and the flow of submissions from districts through divisions to the Region.",
    ),
    (
        IssuancePage.Kind.REGIONAL_MEMORANDUM,
        "163",
        2025,
        datetime.date(2025, 3, 4),
        "Updating the Alternative Learning System Management Information System (ALS MIS)",
        "Divisions update their SY 2024-2025 ALS data in the ALS MIS by March 31, 2025.",
    ),
]
FORMS = [
    ("AF1", "List of Mapped (Potential) Learners"),
    ("AF2", "Enrolment Form"),
    ("AF3", "Masterlist of Enrolled Learners with End-of-Program Status"),
    ("AF4", "Masterlist of A&E Registrants"),
    ("AF5", "Learner's Permanent Record for ALS"),
]


def _document(title):
    from workflow.demo import sample_pdf

    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    document = Document(title=title)
    document.file.save(f"{title[:40]}.pdf", ContentFile(sample_pdf(title)), save=False)
    document.save()
    return document


@transaction.atomic
def seed_public_sections():
    """Issuances, blank forms and directory entries for the demo region (safe to re-run)."""
    index = IssuancesIndexPage.objects.first()
    if index is not None:
        for kind, number, series, date, title, summary in ISSUANCES:
            if not IssuancePage.objects.filter(kind=kind, number=number, series=series).exists():
                index.add_child(
                    instance=IssuancePage(
                        title=title,
                        kind=kind,
                        number=number,
                        series=series,
                        date_issued=date,
                        summary=summary,
                        document=_document(f"{kind} {number} s. {series}"),
                    )
                )
        for number, title in FORMS:
            if not IssuancePage.objects.filter(kind=IssuancePage.Kind.FORM, number=number).exists():
                index.add_child(
                    instance=IssuancePage(
                        title=title,
                        kind=IssuancePage.Kind.FORM,
                        number=number,
                        summary="DepEd Order 58, s. 2017, Enclosure 2.",
                        document=_document(f"ALS Form {number}"),
                    )
                )
    # One published entry per division (its EPSA, with the office email) and the regional ALS staff.
    positions = {
        Role.EPSA: "Education Program Specialist II for ALS",
        Role.REGIONAL_ALS: "Regional ALS Focal Person",
    }
    for assignment in RoleAssignment.objects.filter(role__in=positions).select_related(
        "user", "division"
    ):
        user = assignment.user
        name = user.get_full_name() or user.username
        division = assignment.division
        DirectoryEntry.objects.get_or_create(
            name=name,
            division=division,
            defaults={
                "position": positions[assignment.role],
                "office": f"SDO {division.name}" if division else "CLMD, Regional Office",
                "email": user.email,
                "publish_email": True,
                "published": True,
            },
        )
