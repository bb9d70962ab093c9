"""Once regional ALS personnel publish an approved submission, the API gives its public page."""

from urllib.parse import urlsplit

from tests.api.factories import LR_PAYLOAD, pdf_upload
from tests.journeys import approve
from workflow import services


def approved_lr(user_named):
    teacher = user_named("teacher.benguet")
    submission = services.create_submission(
        teacher, dict(LR_PAYLOAD), files={"main": pdf_upload(), "ip_declaration": pdf_upload()}
    )
    return approve(submission, user_named)


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
