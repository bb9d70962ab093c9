"""Vocabularies (seeded, editable by system administrators), completeness rules, the form."""

import pytest
from django.urls import reverse

from repository.forms import SubmissionForm
from repository.models import Language, LearningStrand, Program, ReturnReason, Submission
from repository.services import missing_requirements
from repository.vocabularies import seed_vocabularies
from workflow.demo import lr_data, pdf_upload
from workflow.services import create_submission, upload_file

pytestmark = pytest.mark.django_db


def test_vocabularies_are_seeded_and_reseeding_keeps_admin_edits(db):
    assert set(LearningStrand.objects.values_list("code", flat=True)) == {
        "ls1-english",
        "ls1-filipino",
        "ls2",
        "ls3",
        "ls4",
        "ls5",
        "ls6",
    }
    assert list(Program.objects.values_list("name", flat=True)) == [
        "Basic Literacy Program (BLP)",
        "A&E Elementary",
        "A&E Secondary (Junior High School)",
        "ALS Senior High School (ALS-SHS)",
    ]
    assert {"english", "filipino", "iloko", "kankanaey", "ibaloi"} <= set(
        Language.objects.values_list("code", flat=True)
    )
    assert ReturnReason.objects.filter(applies_to="withdrawal").exists()
    Language.objects.filter(code="iloko").update(name="Ilocano")
    assert seed_vocabularies() == 0
    assert Language.objects.get(code="iloko").name == "Ilocano"


def test_system_administrator_edits_vocabularies_teacher_cannot(client, user_named):
    url = reverse("wagtailsnippets_repository_language:list")
    client.force_login(user_named("sysadmin.region"))
    response = client.get(url)
    assert response.status_code == 200 and "Kankanaey" in response.content.decode()
    iloko = Language.objects.get(code="iloko")
    edit = reverse("wagtailsnippets_repository_language:edit", args=[iloko.pk])
    response = client.post(
        edit, {"code": "iloko", "name": "Ilokano", "sort_order": 30, "is_active": "on"}
    )
    assert response.status_code == 302
    assert Language.objects.get(code="iloko").name == "Ilokano"
    client.force_login(user_named("teacher.benguet"))
    assert client.get(url).status_code in (302, 403)


def test_inactive_terms_are_not_offered(db):
    Language.objects.filter(code="sama").update(is_active=False)
    form = SubmissionForm()
    assert not form.fields["languages"].queryset.filter(code="sama").exists()
    assert form.fields["languages"].queryset.filter(code="english").exists()


def test_completeness_per_kind(user_named):
    teacher = user_named("teacher.benguet")
    lr = create_submission(teacher, {"kind": "lr", "title": "Bare"})
    missing = missing_requirements(lr)
    for expected in [
        "Summary / description is required.",
        "Program is required.",
        "Copyright owner is required.",
        "At least one language is required.",
        "At least one learning strand is required.",
        "At least one intended user is required.",
        "The main file is missing.",
        "The IP / copyright declaration is missing.",
    ]:
        assert expected in missing
    assert not any("Adviser" in m for m in missing)

    complete = create_submission(teacher, lr_data("Complete"))
    upload_file(teacher, complete, pdf_upload("Main"), "main")
    assert missing_requirements(complete) == ["The IP / copyright declaration is missing."]
    upload_file(teacher, complete, pdf_upload("IP"), "ip_declaration")
    assert missing_requirements(complete) == []

    research = create_submission(teacher, {"kind": "research", "title": "R"})
    missing = missing_requirements(research)
    assert {
        "Research type is required.",
        "Adviser is required.",
        "Year completed is required.",
    } <= set(missing)
    assert "The IP / copyright declaration is missing." not in missing

    story = create_submission(
        teacher, {"kind": "story", "title": "S", "learner_named_or_pictured": False}
    )
    assert "Learner featured is required." in missing_requirements(story)
    assert not any("consent" in m for m in missing_requirements(story))


def test_form_drops_fields_of_other_kinds_and_fixes_the_kind(user_named):
    data = lr_data("Switch", kind="research", research_type="action-research")
    teacher = user_named("teacher.benguet")
    submission = create_submission(teacher, data)
    assert submission.kind == Submission.Kind.RESEARCH
    assert submission.program is None and submission.copyright == ""
    assert submission.learning_strands.count() == 0
    assert submission.research_type.code == "action-research"
    form = SubmissionForm(instance=submission)
    assert form.fields["kind"].disabled
