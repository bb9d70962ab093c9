"""A district learning resource travels from draft to approved through both QA levels, with a
return at receipt, returns for revision at both levels and resubmissions, using the demo users."""

import re

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from repository.models import Submission
from tests.journeys import submit_before_the_rule
from workflow.demo import pdf_upload
from workflow.models import ReceiptStamp, Review, State, TransitionRecord
from workflow.services import (
    IncompleteSubmission,
    available_transitions,
    perform_transition,
    tasks_for,
    upload_file,
)

pytestmark = pytest.mark.django_db


def state_of(submission):
    return Submission.objects.get(pk=submission.pk).journey.state


def test_district_lr_goes_from_draft_to_approved(make_lr, user_named, good_review):
    teacher = user_named("teacher.benguet")
    records = user_named("records.benguet")
    lrqa = user_named("lrqa.benguet")
    records_region = user_named("records.region")
    lrqa_region = user_named("lrqa.region")

    # The teacher starts a draft without the IP declaration: submitting it is refused.
    submission = make_lr(files=False)
    upload_file(teacher, submission, pdf_upload("Module", "module.pdf"), "main")
    assert submission.journey.state == State.DRAFT
    assert available_transitions(teacher, submission) == ["submit"]
    missing_ip = [
        {"field": "ip_declaration_file", "message": "The IP / copyright declaration is missing."}
    ]
    with pytest.raises(IncompleteSubmission) as refused:
        perform_transition(teacher, submission, "submit")
    assert refused.value.details == missing_ip
    assert state_of(submission) == State.DRAFT
    assert not TransitionRecord.objects.exists()

    # One submitted before that rule arrives incomplete: it is not received, but returned.
    submit_before_the_rule(teacher, submission)
    assert state_of(submission) == State.SUBMITTED
    assert submission in tasks_for(records)

    with pytest.raises(IncompleteSubmission) as refused:
        perform_transition(records, submission, "receive_at_division")
    assert refused.value.details == missing_ip
    assert not ReceiptStamp.objects.exists()

    perform_transition(
        records,
        submission,
        "return_incomplete",
        reasons=["missing-ip-declaration"],
        comment="Attach the signed IP declaration.",
    )
    assert state_of(submission) == State.RETURNED_INCOMPLETE
    returned = TransitionRecord.objects.get(name="return_incomplete")
    assert returned.details["missing"] == ["The IP / copyright declaration is missing."]
    assert returned.reasons == [
        {"code": "missing-ip-declaration", "name": "IP / copyright declaration missing"}
    ]
    assert submission in tasks_for(teacher)

    # The teacher completes it and resubmits: back to the records section, which receives it.
    upload_file(teacher, submission, pdf_upload("IP", "ip.pdf"), "ip_declaration")
    perform_transition(teacher, submission, "resubmit")
    assert state_of(submission) == State.SUBMITTED
    perform_transition(records, submission, "receive_at_division")
    assert state_of(submission) == State.RECEIVED_BY_DIVISION
    stamp = ReceiptStamp.objects.get(submission=submission)
    year = timezone.localtime(stamp.received_at).year
    assert stamp.control_number == f"CAR-BEN-{year}-000001"
    assert stamp.received_by == records and stamp.office_level == "division"
    assert str(stamp.received_at_manila.tzinfo) == "Asia/Manila"

    # Division review: claim, return for revision, resubmit into the pool, claim, endorse.
    assert submission in tasks_for(lrqa)
    perform_transition(lrqa, submission, "claim_division_review")
    fresh = Submission.objects.get(pk=submission.pk)
    assert fresh.journey.claimed_by == lrqa
    assert set(available_transitions(lrqa, fresh)) == {
        "release_claim",
        "return_for_revision",
        "endorse_to_region",
    }
    review = good_review(fresh)
    review["items"]["presentation_2"] = 3
    review["item_comments"] = {"presentation_2": "Activity 2 comes before its explanation."}
    perform_transition(lrqa, fresh, "return_for_revision", review=review, reasons=["format-layout"])
    assert state_of(submission) == State.RETURNED_FOR_REVISION
    upload_file(teacher, submission, pdf_upload("Module v2", "module-v2.pdf"), "main")
    assert submission.files.filter(role="main").count() == 2
    perform_transition(teacher, submission, "resubmit")
    assert state_of(submission) == State.RECEIVED_BY_DIVISION  # the same level, no new stamp
    assert ReceiptStamp.objects.filter(submission=submission).count() == 1

    perform_transition(lrqa, submission, "claim_division_review")
    perform_transition(lrqa, submission, "endorse_to_region", review=good_review(submission))
    assert state_of(submission) == State.ENDORSED_TO_REGION
    assert Review.objects.filter(submission=submission, level="division").count() == 2

    # Region: records receives, regional review returns once, then approves.
    assert submission in tasks_for(records_region)
    perform_transition(records_region, submission, "receive_at_region")
    region_stamp = ReceiptStamp.objects.get(submission=submission, office_level="region")
    assert re.fullmatch(rf"CAR-RO-{year}-\d{{6}}", region_stamp.control_number)
    perform_transition(lrqa_region, submission, "claim_regional_review")
    perform_transition(
        lrqa_region,
        submission,
        "return_for_revision",
        review=good_review(submission),
        comment="Add the answer key at the end.",
    )
    perform_transition(teacher, submission, "resubmit")
    assert state_of(submission) == State.RECEIVED_BY_REGION
    perform_transition(lrqa_region, submission, "claim_regional_review")
    perform_transition(lrqa_region, submission, "approve", review=good_review(submission))
    assert state_of(submission) == State.APPROVED

    history = list(submission.history.values_list("name", "from_state", "to_state"))
    assert history == [
        ("submit", "draft", "submitted"),
        ("return_incomplete", "submitted", "returned_incomplete"),
        ("resubmit", "returned_incomplete", "submitted"),
        ("receive_at_division", "submitted", "received_by_division"),
        ("claim_division_review", "received_by_division", "under_division_review"),
        ("return_for_revision", "under_division_review", "returned_for_revision"),
        ("resubmit", "returned_for_revision", "received_by_division"),
        ("claim_division_review", "received_by_division", "under_division_review"),
        ("endorse_to_region", "under_division_review", "endorsed_to_region"),
        ("receive_at_region", "endorsed_to_region", "received_by_region"),
        ("claim_regional_review", "received_by_region", "under_regional_review"),
        ("return_for_revision", "under_regional_review", "returned_for_revision"),
        ("resubmit", "returned_for_revision", "received_by_region"),
        ("claim_regional_review", "received_by_region", "under_regional_review"),
        ("approve", "under_regional_review", "approved"),
    ]
    # Wagtail's log shows every transition too.
    logged = ModelLogEntry.objects.filter(
        object_id=str(submission.pk), action__startswith="alsmis.workflow."
    )
    assert logged.count() == len(history)
    assert (
        logged.filter(action="alsmis.workflow.receive_at_region").get().data["control_number"]
        == region_stamp.control_number
    )


def test_publish_and_withdraw_then_resubmit_goes_through_qa_again(make_lr, user_named, good_review):
    teacher = user_named("teacher.benguet")
    submission = make_lr()
    for username, name in [
        ("teacher.benguet", "submit"),
        ("records.benguet", "receive_at_division"),
        ("lrqa.benguet", "claim_division_review"),
    ]:
        perform_transition(user_named(username), submission, name)
    perform_transition(
        user_named("lrqa.benguet"), submission, "endorse_to_region", review=good_review(submission)
    )
    perform_transition(user_named("records.region"), submission, "receive_at_region")
    perform_transition(user_named("lrqa.region"), submission, "claim_regional_review")
    perform_transition(
        user_named("lrqa.region"), submission, "approve", review=good_review(submission)
    )
    als = user_named("als.region")
    assert submission in tasks_for(als)
    perform_transition(als, submission, "publish")
    assert state_of(submission) == State.PUBLISHED

    from workflow.services import ValidationFailed

    with pytest.raises(ValidationFailed):
        perform_transition(als, submission, "withdraw")  # a reason is required
    perform_transition(als, submission, "withdraw", reasons=["post-publication-errors"])
    assert state_of(submission) == State.WITHDRAWN
    perform_transition(teacher, submission, "resubmit")
    assert state_of(submission) == State.SUBMITTED  # through receipt and QA again


def test_division_origin_item_enters_division_review_and_region_origin_regional_review(
    user_named, good_review
):
    from workflow.demo import lr_data
    from workflow.services import create_submission

    epsa = user_named("epsa.abra")
    division_item = create_submission(epsa, lr_data("Abra research digest"))
    assert division_item.origin_level == "division" and division_item.district is None
    with pytest.raises(IncompleteSubmission):
        perform_transition(epsa, division_item, "submit")  # no receipt step: checked on submit
    upload_file(epsa, division_item, pdf_upload("Digest"), "main")
    upload_file(epsa, division_item, pdf_upload("IP"), "ip_declaration")
    perform_transition(epsa, division_item, "submit")
    assert state_of(division_item) == State.RECEIVED_BY_DIVISION
    assert not ReceiptStamp.objects.filter(submission=division_item).exists()
    assert division_item in tasks_for(user_named("lrqa.abra"))

    als = user_named("als.region")
    region_item = create_submission(als, lr_data("Regional LS6 module"))
    assert region_item.origin_level == "region" and region_item.division is None
    upload_file(als, region_item, pdf_upload("LS6"), "main")
    upload_file(als, region_item, pdf_upload("IP"), "ip_declaration")
    perform_transition(als, region_item, "submit")
    assert state_of(region_item) == State.RECEIVED_BY_REGION
    assert region_item in tasks_for(user_named("lrqa.region"))
    assert region_item not in tasks_for(user_named("lrqa.benguet"))
