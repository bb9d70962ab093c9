"""Done when: a district LR of teacher.benguet goes from draft to approved through both QA levels,
with a return for revision and a resubmission at each level, entirely through the API."""

import re

from repository.models import Submission
from tests.api.factories import LR_PAYLOAD, PDF_BYTES, passing_review, pdf_upload, revising_review
from workflow.models import State


def test_district_lr_from_draft_to_approved_through_the_api(api_as, mailoutbox):
    teacher = api_as("teacher.benguet")
    records = api_as("records.benguet")
    reviewer = api_as("lrqa.benguet")
    regional_records = api_as("records.region")
    regional_reviewer = api_as("lrqa.region")

    created = teacher.post("/api/v1/submissions", LR_PAYLOAD)
    assert created.status_code == 201
    sid = created.json()["id"]
    url = f"/api/v1/submissions/{sid}"
    submission = Submission.objects.get(pk=sid)

    for role in ("main", "ip_declaration"):
        response = teacher.upload(f"{url}/files", {"role": role, "file": pdf_upload()})
        assert response.status_code == 201

    def act(api, name, expected_state, **body):
        response = api.post(f"{url}/transitions/{name}", body)
        assert response.status_code == 200, (name, response.content)
        detail = response.json()
        assert detail["state"] == expected_state, name
        return detail

    act(teacher, "submit", "submitted")
    assert records.get(url).json()["available_transitions"] == [
        "receive_at_division",
        "return_incomplete",
    ]
    detail = act(records, "receive_at_division", "received_by_division")
    stamp = detail["stamps"][0]
    assert re.fullmatch(r"CAR-BEN-\d{4}-000001", stamp["control_number"])
    assert stamp["received_by"] == "records.benguet"
    assert "+08:00" in str(stamp["received_at"])

    # Division QA: claim, return for revision with a rating sheet and reasons.
    detail = act(reviewer, "claim_division_review", "under_division_review")
    assert detail["claimed_by"] == "lrqa.benguet"
    returned = act(
        reviewer,
        "return_for_revision",
        "returned_for_revision",
        comment="Revise the exercises.",
        reasons=["content-errors"],
        review=revising_review(submission),
    )
    assert returned["reviews"][0]["level"] == "division"
    assert returned["reviews"][0]["answers"]["items"]["content_3"] == 3
    # The submitter sees every comment of the return.
    seen = teacher.get(url).json()
    assert seen["available_transitions"] == ["resubmit"]
    assert seen["history"][-1]["comment"] == "Revise the exercises."
    assert seen["history"][-1]["reasons"][0]["code"] == "content-errors"
    assert seen["reviews"][0]["answers"]["item_comments"]["content_3"].startswith("Add problems")

    revised = teacher.upload(
        f"{url}/files", {"role": "main", "file": pdf_upload("v2.pdf", PDF_BYTES + b"%rev\n")}
    )
    assert revised.json()["version"] == 2
    act(teacher, "resubmit", "received_by_division")

    act(reviewer, "claim_division_review", "under_division_review")
    act(reviewer, "endorse_to_region", "endorsed_to_region", review=passing_review(submission))

    # Region.
    detail = act(regional_records, "receive_at_region", "received_by_region")
    assert re.fullmatch(r"CAR-RO-\d{4}-000001", detail["stamps"][1]["control_number"])
    act(regional_reviewer, "claim_regional_review", "under_regional_review")
    act(
        regional_reviewer,
        "return_for_revision",
        "returned_for_revision",
        comment="Cite the source of the terrace photos.",
        reasons=["copyright-concerns"],
        review=revising_review(submission, "Needs permissions."),
    )
    act(teacher, "resubmit", "received_by_region")
    act(regional_reviewer, "claim_regional_review", "under_regional_review")
    final = act(
        regional_reviewer, "approve", "approved", review=passing_review(submission, "Approved.")
    )

    assert submission.journey.__class__.objects.get(pk=sid).state == State.APPROVED
    assert [h["name"] for h in final["history"]] == [
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
    assert [r["level"] for r in final["reviews"]] == ["division", "division", "region", "region"]
    assert final["reviews"][-1]["outcome"] == "passed"
    assert final["available_transitions"] == []
    assert teacher.get(url).json()["state"] == "approved"
