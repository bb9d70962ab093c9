"""Fixtures for the public site: submissions ready to publish, real PDF and photo files."""

import io
from functools import lru_cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


# Drawing a PDF takes Pillow about 20 ms; the same text gives the same file for the session.
@lru_cache(maxsize=256)
def pdf_bytes(text="ALS learning resource"):
    """A real one-page PDF with some text on it (Pillow writes it)."""
    image = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([40, 40, 555, 120], fill=(11, 79, 138))
    draw.text((60, 70), text, fill="white")
    out = io.BytesIO()
    image.save(out, format="PDF")
    return out.getvalue()


@lru_cache(maxsize=16)
def jpeg_bytes(color=(200, 120, 40)):
    image = Image.new("RGB", (800, 600), color)
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def make_submission(demo):
    """Factory: a complete submission of a kind, with its files, as the workflow would hold it."""
    return submission_maker()


def submission_maker():
    """The factory of `make_submission`, for module-scoped fixtures too (no test fixtures)."""
    from django.contrib.auth import get_user_model

    from organisation.models import Division, Region
    from repository.models import (
        CurriculumLevel,
        EducationType,
        IntendedUser,
        Language,
        LearningStrand,
        MaterialType,
        Program,
        ResearchType,
        ResourceType,
        Submission,
    )
    from repository.services import add_file

    def make(
        kind="lr",
        *,
        title="Reading the Weather: a Module on Typhoon Signals",
        summary="Learners read PAGASA typhoon bulletins and plan what their barangay does.",
        division="benguet",
        authors="Maria Dulnuan, Jose Bayangan",
        keywords="typhoon, weather, safety",
        language="english",
        strand="ls2",
        program="blp",
        resource_type="module",
        learner_named=False,
        consent=True,
        photo=False,
        main=True,
        school_year="2025-2026",
    ):
        users = get_user_model().objects
        owner = users.get(username=f"teacher.{division}" if division else "als.region")
        div = Division.objects.get(slug=division) if division else None
        data = {
            "kind": kind,
            "title": title,
            "summary": summary,
            "authors": authors,
            "keywords": keywords,
            "school_year": school_year,
            "origin_level": "district" if div else "region",
            "region": Region.objects.get(code="CAR"),
            "division": div,
            "district": div.districts.first() if div else None,
            "created_by": owner,
        }
        if kind == "lr":
            data.update(
                program=Program.objects.get(code=program),
                curriculum_level=CurriculumLevel.objects.first(),
                material_type=MaterialType.objects.first(),
                resource_type=ResourceType.objects.get(code=resource_type),
                education_type=EducationType.objects.first(),
                content_topic="Weather and disaster preparedness",
                competencies="Interpret weather bulletins",
                copyright="No copyright: work of the Government (RA 8293 s. 176)",
                copyright_owner="DepEd CAR",
            )
        elif kind == "research":
            data.update(
                research_type=ResearchType.objects.first(),
                adviser="Dr. A. Cruz",
                year_completed=2025,
            )
        else:
            data.update(learner_featured="Juan dela Cruz", learner_named_or_pictured=learner_named)
        submission = Submission.objects.create(**data)
        submission.languages.set(Language.objects.filter(code=language))
        if kind == "lr":
            strands = LearningStrand.objects.filter(code__startswith=strand)[:1]
            submission.learning_strands.set(strands)
            submission.intended_users.set(IntendedUser.objects.all()[:1])
        if main:
            add_file(
                submission,
                SimpleUploadedFile("Typhoon Module (final).pdf", pdf_bytes(title[:40])),
                "main",
                owner,
            )
        if kind == "lr":
            add_file(
                submission, SimpleUploadedFile("ip.pdf", pdf_bytes("IP")), "ip_declaration", owner
            )
        if kind == "story" and learner_named and consent:
            add_file(
                submission,
                SimpleUploadedFile("consent.pdf", pdf_bytes("consent")),
                "consent",
                owner,
            )
        if photo:
            add_file(submission, SimpleUploadedFile("graduation.jpg", jpeg_bytes()), "photo", owner)
        return submission

    return make


@pytest.fixture
def qa_history(user_named):
    """Write the QA steps of the workflow history for a submission (endorse, approve)."""
    from datetime import datetime

    from django.utils import timezone

    from workflow.models import TransitionRecord

    def record(submission, endorsed=(2026, 3, 2), approved=(2026, 3, 9)):
        tz = timezone.get_current_timezone()
        if submission.division_id:
            TransitionRecord.objects.create(
                submission=submission,
                name="endorse_to_region",
                from_state="under_division_review",
                to_state="endorsed_to_region",
                actor=user_named(f"lrqa.{submission.division.slug}"),
                at=datetime(*endorsed, 10, 0, tzinfo=tz),
            )
        TransitionRecord.objects.create(
            submission=submission,
            name="approve",
            from_state="under_regional_review",
            to_state="approved",
            actor=user_named("lrqa.region"),
            at=datetime(*approved, 15, 30, tzinfo=tz),
        )

    return record
