"""Done when: a district LR of teacher.benguet goes from draft to approved through both QA levels,
with a return for revision and a resubmission at each level, entirely through the Wagtail admin
(the Django test client posting the real forms the pages render)."""

import re

from repository.models import ReturnReason, Submission
from tests.api.factories import PDF_BYTES, pdf_upload
from tests.staffui.conftest import form_data
from workflow.models import State
from workflow.review import sheet_for


def review_fields(submission, low=None):
    """The inputs of the one rating sheet: every item 4, except `low` {key: (score, note)}."""
    low = low or {}
    data = {}
    for factor in sheet_for(submission)["factors"]:
        for item in factor["items"]:
            key = item["key"]
            score, note = low.get(key, (4, ""))
            data[f"review-item_{key}"] = score
            data[f"review-note_{key}"] = note
    return data


def test_district_lr_from_draft_to_approved_through_the_admin(login, mailoutbox):
    def act(username, submission, name, extra=None, expect=None):
        client = login(username)
        page = client.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
        # The page offers this action (and the form carries the version the user saw).
        assert f'data-action-name="{name}"' in page, (username, name)
        version = re.search(rf'name="{name}-version" value="(\d+)"', page).group(1)
        data = {f"{name}-version": version, **(extra or {})}
        response = client.post(f"/admin/submissions/action/{submission.pk}/{name}/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        submission.journey.refresh_from_db()
        if expect:
            assert submission.journey.state == expect, name
        return client

    def review(username, submission, decision, extra=None, expect=None):
        """Submit the one rating sheet with the outcome `decision` chosen on it."""
        client = login(username)
        page = client.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
        # The page offers this outcome on its one sheet (with the version the user saw).
        assert page.count('id="review-sheet"') == 1, username
        assert f'name="review-decision" value="{decision}"' in page, (username, decision)
        version = re.search(r'name="review-version" value="(\d+)"', page).group(1)
        data = {"review-version": version, "review-decision": decision, **(extra or {})}
        response = client.post(f"/admin/submissions/review/{submission.pk}/", data)
        assert response.status_code == 302, response.content.decode()[:3000]
        submission.journey.refresh_from_db()
        if expect:
            assert submission.journey.state == expect, decision
        return client

    teacher = login("teacher.benguet")
    response = teacher.post(
        "/admin/submissions/new/",
        {**form_data(), "main_file": pdf_upload(), "ip_declaration_file": pdf_upload("ip.pdf")},
    )
    assert response.status_code == 302
    submission = Submission.objects.get()

    act("teacher.benguet", submission, "submit", expect=State.SUBMITTED)
    records = act(
        "records.benguet", submission, "receive_at_division", expect=State.RECEIVED_BY_DIVISION
    )
    page = records.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    stamp = submission.receipts.get()
    assert re.fullmatch(r"CAR-BEN-\d{4}-000001", stamp.control_number)
    assert stamp.control_number in page and "Print receipt slip" in page

    # Division review: claim, then a rating-sheet form whose errors come back on the page.
    reviewer = act(
        "lrqa.benguet", submission, "claim_division_review", expect=State.UNDER_DIVISION_REVIEW
    )
    page = reviewer.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert "LRMDS rating sheet" in page and "Factor 4: Accuracy" in page
    bad = reviewer.post(
        f"/admin/submissions/review/{submission.pk}/",
        {
            "review-version": submission.journey.version,
            "review-decision": "return_for_revision",
            **review_fields(submission, {"content_3": (2, "")}),
        },
    )
    assert bad.status_code == 400
    assert "A rating below 4 needs a comment." in bad.content.decode()
    submission.journey.refresh_from_db()
    assert submission.journey.state == State.UNDER_DIVISION_REVIEW

    revision_reason = ReturnReason.objects.get(code="content-errors")
    review(
        "lrqa.benguet",
        submission,
        "return_for_revision",
        {
            "review-comment": "Add harder word problems.",
            "review-reasons": [revision_reason.code],
            **review_fields(submission, {"content_3": (2, "Too few reasoning tasks.")}),
        },
        expect=State.RETURNED_FOR_REVISION,
    )

    # The submitter sees every comment, edits, uploads a new version and resubmits.
    teacher = login("teacher.benguet")
    page = teacher.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert "every comment made on this submission" in page
    assert "Add harder word problems." in page
    assert "Too few reasoning tasks." in page
    assert revision_reason.name in page
    edit = teacher.post(
        f"/admin/submissions/edit/{submission.pk}/",
        {
            **form_data(title="Measuring Rice Terraces (revised)"),
            "main_file": pdf_upload("v2.pdf", PDF_BYTES + b"%2\n"),
        },
    )
    assert edit.status_code == 302, edit.content.decode()[:2000]
    submission.refresh_from_db()
    assert submission.title == "Measuring Rice Terraces (revised)"
    assert submission.files.get(role="main", is_current=True).version == 2
    act("teacher.benguet", submission, "resubmit", expect=State.RECEIVED_BY_DIVISION)

    act("lrqa.benguet", submission, "claim_division_review", expect=State.UNDER_DIVISION_REVIEW)
    review(
        "lrqa.benguet",
        submission,
        "endorse_to_region",
        {"review-comment": "Good to go.", **review_fields(submission)},
        expect=State.ENDORSED_TO_REGION,
    )

    # The region.
    act("records.region", submission, "receive_at_region", expect=State.RECEIVED_BY_REGION)
    assert submission.receipts.filter(control_number__startswith="CAR-RO-").exists()
    act("lrqa.region", submission, "claim_regional_review", expect=State.UNDER_REGIONAL_REVIEW)
    review(
        "lrqa.region",
        submission,
        "return_for_revision",
        {
            "review-comment": "Credit the photo of the terraces.",
            "review-reasons": ["copyright-concerns"],
            **review_fields(submission),
        },
        expect=State.RETURNED_FOR_REVISION,
    )
    page = (
        login("teacher.benguet")
        .get(f"/admin/submissions/inspect/{submission.pk}/")
        .content.decode()
    )
    assert "Credit the photo of the terraces." in page
    act("teacher.benguet", submission, "resubmit", expect=State.RECEIVED_BY_REGION)
    act("lrqa.region", submission, "claim_regional_review", expect=State.UNDER_REGIONAL_REVIEW)
    approver = review(
        "lrqa.region",
        submission,
        "approve",
        {"review-comment": "Approved for the regional LR portal.", **review_fields(submission)},
        expect=State.APPROVED,
    )

    page = approver.get(f"/admin/submissions/inspect/{submission.pk}/").content.decode()
    assert "Approved" in page
    assert "There is nothing for you to do on this submission now." in page
    assert page.count("LRMDS rating sheet — ") == 4  # four reviews rendered
    assert list(submission.history.values_list("name", flat=True)) == [
        "submit",
        "receive_at_division",
        "claim_division_review",
        "return_for_revision",
        "resubmit",
        "claim_division_review",
        "endorse_to_region",
        "receive_at_region",
        "claim_regional_review",
        "return_for_revision",
        "resubmit",
        "claim_regional_review",
        "approve",
    ]
    # Wagtail's own history view lists the workflow log entries too.
    history = approver.get(f"/admin/submissions/history/{submission.pk}/")
    assert history.status_code == 200
    assert "Endorsed to the region" in history.content.decode()
