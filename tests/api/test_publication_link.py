"""Once regional ALS personnel publish an approved submission, the API gives its public page."""

from urllib.parse import urlsplit

from tests.api.factories import LR_PAYLOAD, passing_review, pdf_upload
from workflow import services


def approved_lr(user_named):
    teacher = user_named("teacher.benguet")
    submission = services.create_submission(
        teacher, dict(LR_PAYLOAD), files={"main": pdf_upload(), "ip_declaration": pdf_upload()}
    )
    steps = [
        ("teacher.benguet", "submit"),
        ("records.benguet", "receive_at_division"),
        ("lrqa.benguet", "claim_division_review"),
        ("lrqa.benguet", "endorse_to_region"),
        ("records.region", "receive_at_region"),
        ("lrqa.region", "claim_regional_review"),
        ("lrqa.region", "approve"),
    ]
    for username, name in steps:
        review = passing_review(submission) if name in ("endorse_to_region", "approve") else None
        services.perform_transition(user_named(username), submission, name, review=review)
    return submission


def test_public_url_appears_once_published(api_as, user_named):
    submission = approved_lr(user_named)
    regional = api_as("als.region")
    url = f"/api/v1/submissions/{submission.pk}"
    before = regional.get(url).json()
    assert before["state"] == "approved"
    assert before["public_url"] is None
    assert "publish" in before["available_transitions"]

    published = regional.post(f"{url}/transitions/publish", {"comment": "For the portal."})
    assert published.status_code == 200, published.content
    body = published.json()
    assert body["state"] == "published"
    assert body["public_url"].startswith("http")
    page = regional.client.get(urlsplit(body["public_url"]).path)
    assert page.status_code == 200
    assert "Measuring Rice Terraces" in page.content.decode()
