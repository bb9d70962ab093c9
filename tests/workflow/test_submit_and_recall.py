"""Submitting needs a complete item (the one list of `repository.services.missing_items`), and a
submitter may recall a submitted item until the records section has received it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from repository.models import Submission
from repository.services import UploadRejected, missing_items
from tests.journeys import pdf_upload, submit_before_the_rule
from workflow.demo import lr_data
from workflow.models import State, TransitionRecord
from workflow.rules import next_steps
from workflow.services import (
    IncompleteSubmission,
    PermissionDeniedForTransition,
    TransitionNotAvailable,
    available_transitions,
    create_submission,
    perform_transition,
    tasks_for,
    update_draft,
    upload_file,
)

pytestmark = pytest.mark.django_db


def state_of(submission):
    return Submission.objects.get(pk=submission.pk).journey.state


def test_an_incomplete_draft_is_not_submitted_and_is_told_what_is_missing(user_named):
    teacher = user_named("teacher.benguet")
    draft = create_submission(teacher, {"kind": "lr", "title": "Terraces", "keywords": "area"})

    with pytest.raises(IncompleteSubmission) as refused:
        perform_transition(teacher, draft, "submit")

    assert refused.value.status_code == 409
    missing = refused.value.details
    fields = [item["field"] for item in missing]
    # Every LRMDS field the form asks for, in the form's order, then the two files.
    assert fields == [
        "summary",
        "content_topic",
        "competencies",
        "authors",
        "copyright",
        "copyright_owner",
        "languages",
        "school_year",
        "learning_strands",
        "program",
        "curriculum_level",
        "material_type",
        "resource_type",
        "education_type",
        "intended_users",
        "main_file",
        "ip_declaration_file",
    ]
    assert {"field": "program", "message": "Program is required."} in missing
    assert {"field": "languages", "message": "At least one language is required."} in missing
    assert "Still missing: Summary / description is required." in refused.value.message
    assert state_of(draft) == State.DRAFT
    assert not TransitionRecord.objects.filter(submission=draft).exists()

    # Completed, it goes.
    update_draft(teacher, draft, lr_data("Terraces"))
    upload_file(teacher, draft, pdf_upload("Terraces", "module.pdf"), "main")
    upload_file(teacher, draft, pdf_upload("IP", "ip.pdf"), "ip_declaration")
    assert missing_items(draft) == []
    perform_transition(teacher, draft, "submit")
    assert state_of(draft) == State.SUBMITTED


def test_what_each_kind_needs(user_named):
    teacher = user_named("teacher.benguet")
    research = create_submission(teacher, {"kind": "research", "title": "Attendance"})
    keys = [item.key for item in missing_items(research)]
    assert {"research_type", "year_completed", "adviser", "main_file"} <= set(keys)
    assert "ip_declaration_file" not in keys and "program" not in keys

    story = create_submission(
        teacher, {"kind": "story", "title": "Maria", "learner_named_or_pictured": True}
    )
    keys = [item.key for item in missing_items(story)]
    assert {"learner_featured", "main_file", "consent_file"} <= set(keys)
    # Each missing item says which return reason a records section gives for it.
    reasons = {item.key: item.reason for item in missing_items(story)}
    assert reasons["consent_file"] == "missing-consent"
    assert reasons["main_file"] == "missing-main-file"
    assert reasons["learner_featured"] == "incomplete-metadata"


def test_division_and_region_items_are_refused_alike(user_named):
    epsa = user_named("epsa.benguet")
    item = create_submission(epsa, {"kind": "research", "title": "Division research"})
    with pytest.raises(IncompleteSubmission):
        perform_transition(epsa, item, "submit")
    assert state_of(item) == State.DRAFT


def test_a_returned_item_made_incomplete_is_not_resubmitted(make_lr, user_named):
    teacher = user_named("teacher.benguet")
    submission = make_lr()
    perform_transition(teacher, submission, "submit")
    perform_transition(
        user_named("records.benguet"),
        submission,
        "return_incomplete",
        reasons=["missing-hard-copy"],
    )
    update_draft(teacher, submission, {"summary": ""})
    with pytest.raises(IncompleteSubmission) as refused:
        perform_transition(teacher, submission, "resubmit")
    assert refused.value.details == [
        {"field": "summary", "message": "Summary / description is required."}
    ]
    assert state_of(submission) == State.RETURNED_INCOMPLETE


def test_the_submitter_recalls_a_submitted_item_until_it_is_received(
    make_lr, user_named, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    teacher = user_named("teacher.benguet")
    records = user_named("records.benguet")
    submission = make_lr()
    perform_transition(teacher, submission, "submit")
    assert available_transitions(teacher, submission) == ["recall"]
    # Waiting for the records section is not the teacher's task, recalling notwithstanding.
    assert submission not in tasks_for(teacher)
    assert submission in tasks_for(records)

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(teacher, submission, "recall", comment="Wrong file attached.")
    run_tasks()

    assert state_of(submission) == State.DRAFT
    record = TransitionRecord.objects.get(submission=submission, name="recall")
    assert (record.from_state, record.to_state, record.actor) == ("submitted", "draft", teacher)
    assert record.comment == "Wrong file attached."
    assert ModelLogEntry.objects.filter(action="alsmis.workflow.recall").count() == 1
    # The records section, told it was coming, is told it is not.
    assert [m.to for m in mailoutbox] == [["records.benguet@deped-car.example"]]
    assert "Draft" in mailoutbox[0].subject and "Wrong file attached." in mailoutbox[0].body
    assert submission not in tasks_for(records)
    # A draft again: the teacher may change it, and submit it again.
    update_draft(teacher, submission, {"title": "Fractions, corrected"})
    perform_transition(teacher, submission, "submit")
    assert state_of(submission) == State.SUBMITTED

    perform_transition(records, submission, "receive_at_division")
    assert "recall" not in available_transitions(teacher, submission)
    with pytest.raises(TransitionNotAvailable) as too_late:
        perform_transition(teacher, submission, "recall")
    assert too_late.value.status_code == 409
    assert state_of(submission) == State.RECEIVED_BY_DIVISION


@pytest.mark.parametrize(
    "username",
    ["teacher.abra", "records.benguet", "epsa.benguet", "focal.benguet", "lrqa.benguet"],
)
def test_only_the_submitter_recalls(make_lr, user_named, username):
    teacher = user_named("teacher.benguet")
    submission = make_lr()
    perform_transition(teacher, submission, "submit")
    other = user_named(username)
    assert "recall" not in available_transitions(other, submission)
    with pytest.raises(PermissionDeniedForTransition):
        perform_transition(other, submission, "recall")
    assert state_of(submission) == State.SUBMITTED


def test_recall_is_a_way_out_not_a_step_anyone_waits_for():
    assert "recall" not in next_steps()[State.SUBMITTED]


def test_an_item_submitted_before_the_rule_is_recalled_and_completed(make_lr, user_named):
    teacher = user_named("teacher.benguet")
    submission = make_lr(files=False)
    submit_before_the_rule(teacher, submission)
    perform_transition(teacher, submission, "recall")
    upload_file(teacher, submission, pdf_upload("Module", "module.pdf"), "main")
    upload_file(teacher, submission, pdf_upload("IP", "ip.pdf"), "ip_declaration")
    perform_transition(teacher, submission, "submit")
    assert state_of(submission) == State.SUBMITTED


def _docx_bytes():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _png_bytes():
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_declaration_and_consent_are_a_pdf_or_an_image_by_their_bytes(make_lr, user_named):
    teacher = user_named("teacher.benguet")
    submission = make_lr(files=False)
    renamed = SimpleUploadedFile("ip-declaration.pdf", _docx_bytes(), "application/pdf")
    with pytest.raises(UploadRejected) as refused:
        upload_file(teacher, submission, renamed, "ip_declaration")
    assert refused.value.message == (
        "The IP / copyright declaration must be a PDF or an image (JPEG, PNG or WebP): a scan or "
        "photo of the signed declaration. This file is: Word document (DOCX)."
    )
    assert not submission.files.exists()
    with pytest.raises(UploadRejected) as refused:
        upload_file(teacher, submission, renamed, "consent")
    assert "The learner's written consent must be a PDF or an image" in refused.value.message

    # The same bytes are a fine main file; a photo of the signed form is a fine declaration.
    upload_file(teacher, submission, SimpleUploadedFile("module.docx", _docx_bytes()), "main")
    photo = SimpleUploadedFile("declaration.txt", _png_bytes(), "text/plain")
    record = upload_file(teacher, submission, photo, "ip_declaration")
    assert record.mime_type == "image/png"
    assert missing_items(submission) == []
