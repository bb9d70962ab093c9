"""Drafts, history, overdue flags, the protected state field, the generated diagram and demo data."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from repository.models import Submission
from workflow.diagram import render
from workflow.models import Journey, State, TransitionRecord
from workflow.services import (
    PermissionDeniedForTransition,
    TransitionNotAvailable,
    ValidationFailed,
    can_edit,
    create_submission,
    is_overdue,
    overdue_q,
    perform_transition,
    tasks_for,
    update_draft,
    upload_file,
)

pytestmark = pytest.mark.django_db


def test_create_submission_takes_the_origin_from_the_role(user_named):
    teacher = user_named("teacher.benguet")
    submission = create_submission(
        teacher, {"kind": "research", "title": "Reading habits", "languages": ["english", "iloko"]}
    )
    assert (submission.origin_level, submission.district.division.slug) == ("district", "benguet")
    assert submission.division.slug == "benguet" and submission.region.code == "CAR"
    assert submission.journey.state == State.DRAFT
    assert set(submission.languages.values_list("code", flat=True)) == {"english", "iloko"}
    # A teacher cannot pick another district, and records officers don't create submissions.
    with pytest.raises(PermissionDeniedForTransition):
        create_submission(teacher, {"kind": "lr", "title": "x", "division": 999999})
    with pytest.raises(PermissionDeniedForTransition):
        create_submission(user_named("records.benguet"), {"kind": "lr", "title": "x"})


def test_bad_input_is_a_validation_error_with_field_messages(user_named):
    teacher = user_named("teacher.benguet")
    with pytest.raises(ValidationFailed) as failed:
        create_submission(
            teacher,
            {"kind": "poem", "title": "", "school_year": "2025-2027", "languages": ["klingon"]},
        )
    details = failed.value.details
    assert failed.value.status_code == 400
    assert set(details) == {"kind", "title", "school_year", "languages"}
    with pytest.raises(ValidationFailed) as failed:
        create_submission(teacher, {"kind": "lr", "title": "T", "school_year": "next year"})
    assert failed.value.details == {
        "school_year": ["Enter a school year as YYYY-YYYY, e.g. 2025-2026."]
    }
    assert not Submission.objects.exists()


def test_update_draft_is_partial_and_only_for_the_submitter_while_editable(
    bring_to, user_named, make_lr
):
    teacher = user_named("teacher.benguet")
    draft = make_lr(files=False)
    update_draft(teacher, draft, {"title": "Renamed", "program": "blp"})
    draft.refresh_from_db()
    assert (draft.title, draft.program.code, draft.content_topic) == (
        "Renamed",
        "blp",
        "Fractions in the market",
    )
    assert draft.learning_strands.count() == 1  # untouched many-to-many kept
    with pytest.raises(PermissionDeniedForTransition):
        update_draft(user_named("teacher.abra"), draft, {"title": "Hijack"})
    submitted = bring_to("submitted", title="Sent")
    assert not can_edit(teacher, submitted)
    with pytest.raises(TransitionNotAvailable):
        update_draft(teacher, submitted, {"title": "Too late"})
    from workflow.demo import pdf_upload

    with pytest.raises(TransitionNotAvailable):
        upload_file(teacher, submitted, pdf_upload("late"), "main")


def test_history_is_append_only(bring_to):
    submission = bring_to("submitted")
    record = TransitionRecord.objects.get(submission=submission)
    assert (record.name, record.actor.username) == ("submit", "teacher.benguet")
    record.comment = "rewritten"
    with pytest.raises(PermissionDenied):
        record.save()
    with pytest.raises(PermissionDenied):
        record.delete()
    with pytest.raises(PermissionDenied):
        TransitionRecord.objects.filter(pk=record.pk).update(comment="rewritten")
    with pytest.raises(PermissionDenied):
        TransitionRecord.objects.all().delete()
    assert TransitionRecord.objects.get(pk=record.pk).comment == ""


def test_state_field_is_protected(bring_to):
    journey = Journey.objects.get(pk=bring_to("draft").pk)
    with pytest.raises(AttributeError):
        journey.state = State.APPROVED


def test_claims_show_as_the_reviewers_own_and_can_be_released(bring_to, user_named):
    submission = bring_to("received_by_division")
    lrqa = user_named("lrqa.benguet")
    assert submission in tasks_for(lrqa)
    perform_transition(lrqa, submission, "claim_division_review")
    assert Journey.objects.get(pk=submission.pk).claimed_by == lrqa
    assert submission in tasks_for(lrqa)
    perform_transition(lrqa, submission, "release_claim")
    journey = Journey.objects.get(pk=submission.pk)
    assert (journey.state, journey.claimed_by) == (State.RECEIVED_BY_DIVISION, None)


def test_overdue_per_state_and_configurable(bring_to):
    submission = bring_to("submitted")
    journey = Journey.objects.get(pk=submission.pk)
    now = timezone.now()
    assert not is_overdue(journey, now=now + timedelta(days=4))
    assert is_overdue(journey, now=now + timedelta(days=6))  # default 5 days for "submitted"
    assert Submission.objects.filter(overdue_q(now + timedelta(days=6))).count() == 1
    assert not Submission.objects.filter(overdue_q(now + timedelta(days=4))).exists()
    with override_settings(WORKFLOW_OVERDUE_DAYS={"submitted": 10}):
        assert not is_overdue(journey, now=now + timedelta(days=6))
    with override_settings(WORKFLOW_OVERDUE_DAYS='{"submitted": 1}'):
        assert is_overdue(journey, now=now + timedelta(days=2))


def test_committed_diagram_matches_the_state_machine(tmp_path):
    committed = Path(settings.BASE_DIR) / "docs" / "workflow.md"
    assert committed.read_text(encoding="utf-8") == render()
    out = tmp_path / "workflow.md"
    call_command("workflow_diagram", output=str(out))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Submission workflow")
    assert "stateDiagram-v2" in text
    assert "    submitted --> received_by_division: receive_at_division" in text
    assert "    published --> withdrawn: withdraw" in text
    # Every declared transition name appears in the diagram.
    for name in ("submit", "claim_division_review", "release_claim", "approve", "publish"):
        assert f": {name}" in text


def test_demo_submissions_are_idempotent(demo, s3_storage):
    from workflow.demo import seed_submissions

    assert seed_submissions(slugs=("benguet",)) == 7
    states = sorted(Submission.objects.values_list("journey__state", flat=True))
    assert states == sorted(
        [
            "draft",
            "submitted",
            "submitted",
            "received_by_division",
            "returned_for_revision",
            "endorsed_to_region",
            "approved",
        ]
    )
    assert seed_submissions(slugs=("benguet",)) == 0
    assert Submission.objects.count() == 7
    story = Submission.objects.get(kind="story")
    assert story.files.filter(role="consent").exists()
    first = Submission.objects.get(title__contains="Fractions").files.get(role="main")
    with first.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_expected_version_from_the_form_detects_a_stale_page(bring_to, user_named):
    from workflow.services import StaleSubmission

    submission = bring_to("received_by_division")
    seen_version = Journey.objects.get(pk=submission.pk).version
    lrqa = user_named("lrqa.benguet")
    perform_transition(lrqa, submission, "claim_division_review")
    perform_transition(lrqa, submission, "release_claim")  # same state again, new version
    with pytest.raises(StaleSubmission):
        perform_transition(
            lrqa,
            Submission.objects.get(pk=submission.pk),
            "claim_division_review",
            expected_version=seen_version,
        )
    journey = perform_transition(
        lrqa,
        Submission.objects.get(pk=submission.pk),
        "claim_division_review",
        expected_version=seen_version + 2,
    )
    assert journey.version == seen_version + 3


def test_division_origin_drafts_are_shared_by_the_divisions_epsas(user_named, django_user_model):
    from organisation.models import Division, Role
    from organisation.services import assign_role
    from workflow.services import visible_submissions

    colleague = django_user_model.objects.create_user("epsa2.benguet")
    assign_role(colleague, Role.EPSA, Division.objects.get(slug="benguet"))
    draft = create_submission(user_named("epsa.benguet"), {"kind": "research", "title": "Div"})
    assert draft in visible_submissions(colleague)
    assert draft in tasks_for(colleague)
    assert can_edit(colleague, draft)
    assert draft not in visible_submissions(user_named("epsa.abra"))
    assert draft not in visible_submissions(user_named("records.benguet"))


def test_tasks_follow_the_submission(bring_to, user_named):
    def holders(submission):
        usernames = [
            "teacher.benguet",
            "records.benguet",
            "lrqa.benguet",
            "records.region",
            "lrqa.region",
            "als.region",
            "lrqa.abra",
            "records.abra",
        ]
        return {u for u in usernames if submission in tasks_for(user_named(u))}

    assert holders(bring_to("draft", title="d")) == {"teacher.benguet"}
    assert holders(bring_to("submitted", title="s")) == {"records.benguet"}
    assert holders(bring_to("received_by_division", title="r")) == {"lrqa.benguet"}
    assert holders(bring_to("endorsed_to_region", title="e")) == {"records.region"}
    assert holders(bring_to("under_regional_review", title="u")) == {"lrqa.region"}
    assert holders(bring_to("approved", title="a")) == {"als.region"}
    assert holders(bring_to("returned_for_revision", title="x")) == {"teacher.benguet"}


def test_submitter_sees_every_comment_made_on_a_returned_submission(bring_to, user_named):
    from workflow.demo import passing_review
    from workflow.services import comments_for

    submission = bring_to("under_division_review")
    review = passing_review(submission)
    review["items"]["format_3"] = 2
    review["item_comments"] = {"format_3": "The map on page 2 is unreadable."}
    review["comment"] = "Good content overall."
    perform_transition(
        user_named("lrqa.benguet"),
        submission,
        "return_for_revision",
        review=review,
        reasons=["format-layout"],
        comment="Please redraw the map.",
    )
    texts = [(c["transition"], c["item"], c["text"]) for c in comments_for(submission)]
    assert texts == [
        (
            "return_for_revision",
            "",
            "Format, layout or illustrations need work — Please redraw the map.",
        ),
        ("return_for_revision", "", "Good content overall."),
        (
            "return_for_revision",
            "Illustrations are simple, recognisable and culturally relevant.",
            "The map on page 2 is unreadable.",
        ),
    ]


def test_post_transition_signal_carries_the_actor_inside_the_transaction(bring_to, user_named):
    from django.db import connection
    from django_fsm.signals import post_transition

    seen = []

    def receiver(sender, instance, name, source, target, **kwargs):
        seen.append(
            (name, source, target, kwargs["method_kwargs"].get("by"), connection.in_atomic_block)
        )

    post_transition.connect(receiver, sender=Journey, dispatch_uid="test-receiver")
    try:
        submission = bring_to("received_by_division")
        lrqa = user_named("lrqa.benguet")
        seen.clear()
        perform_transition(lrqa, submission, "claim_division_review")
    finally:
        post_transition.disconnect(dispatch_uid="test-receiver", sender=Journey)
    assert seen == [
        ("claim_division_review", "received_by_division", "under_division_review", lrqa, True)
    ]
