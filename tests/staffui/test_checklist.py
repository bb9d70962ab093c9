"""Research is reviewed with a yes/no checklist in the admin; a "no" needs a comment."""

import re

from repository.models import Submission
from tests.api.factories import pdf_upload
from tests.staffui.conftest import form_data
from workflow.models import State
from workflow.review import sheet_for

RESEARCH = {
    "kind": "research",
    "title": "Attendance of ALS learners during harvest season",
    "summary": "Action research in Benguet.",
    "authors": "EPSA Benguet",
    "keywords": "attendance, harvest",
    "languages": ["english"],
    "school_year": "2025-2026",
    "research_type": "action-research",
    "adviser": "Dr. Dela Cruz",
    "year_completed": 2025,
}


def test_epsa_research_goes_through_division_review_with_a_checklist(login):
    epsa = login("epsa.benguet")
    response = epsa.post(
        "/admin/submissions/new/", {**form_data(RESEARCH), "main_file": pdf_upload("research.pdf")}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    research = Submission.objects.get()
    assert research.origin_level == "division"
    epsa.post(
        f"/admin/submissions/action/{research.pk}/submit/",
        {"submit-version": research.journey.version},
    )
    research.journey.refresh_from_db()
    # Division-origin work enters straight into the division's review pool.
    assert research.journey.state == State.RECEIVED_BY_DIVISION

    reviewer = login("lrqa.benguet")
    reviewer.post(
        f"/admin/submissions/action/{research.pk}/claim_division_review/",
        {"claim_division_review-version": research.journey.version},
    )
    research.journey.refresh_from_db()
    page = reviewer.get(f"/admin/submissions/inspect/{research.pk}/").content.decode()
    assert "Checklist" in page and "The methodology is appropriate" in page

    keys = [item["key"] for item in sheet_for(research)["factors"][0]["items"]]
    answers = {f"review-item_{key}": "yes" for key in keys}
    answers[f"review-item_{keys[2]}"] = "no"
    chosen = {"review-version": research.journey.version, "review-decision": "endorse_to_region"}
    refused = reviewer.post(f"/admin/submissions/review/{research.pk}/", {**chosen, **answers})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Explain in a comment what needs to change." in page
    # The checklist comes back as it was answered.
    assert re.search(rf'name="review-item_{keys[2]}" value="no"[^>]*checked', page)

    answers[f"review-item_{keys[2]}"] = "yes"
    done = reviewer.post(f"/admin/submissions/review/{research.pk}/", {**chosen, **answers})
    assert done.status_code == 302
    research.journey.refresh_from_db()
    assert research.journey.state == State.ENDORSED_TO_REGION
    review = research.reviews.get()
    assert review.sheet == "research" and review.outcome == "passed"
    assert all(value is True for value in review.answers["items"].values())
