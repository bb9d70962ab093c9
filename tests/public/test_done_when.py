"""Issue 4's "done when": an LR approved by the demo users is published (als.region), found by a
word of its summary, opened and downloaded anonymously, harvested over OAI-PMH, then withdrawn,
after which neither its page nor its files are reachable."""

from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from cms.models import ResourcePage
from tests.journeys import approve, approved_lr
from workflow.demo import pdf_upload
from workflow.services import create_submission, perform_transition, upload_file

OAI = {"oai": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.mark.django_db
@pytest.mark.postgres
def test_published_found_downloaded_harvested_then_withdrawn(user_named, mailoutbox):
    submission = approved_lr(
        user_named,
        "Rice Terraces Arithmetic",
        summary="Learners measure the Banaue terraces to practise perimeter and area.",
    )

    # Publication by regional ALS personnel creates the live page.
    perform_transition(user_named("als.region"), submission, "publish")
    page = ResourcePage.objects.get(submission=submission)
    assert page.live
    # Through Wagtail's revisions, credited to the publishing user.
    assert page.live_revision.user == user_named("als.region")
    item_url = page.url

    visitor = Client()
    results = visitor.get("/resources/?q=terraces").content.decode()
    assert "Rice Terraces Arithmetic" in results
    assert f'href="{item_url}"' in results
    item = visitor.get(item_url)
    assert item.status_code == 200
    html = item.content.decode()
    assert "Quality assured by the Schools Division of Benguet and " in html
    file_url = page.public_files().get().get_absolute_url()
    assert file_url in html
    download = visitor.get(file_url)
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert body.startswith(b"%PDF")
    assert page.public_files().get().download_count == 1

    listing = ET.fromstring(
        visitor.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    )
    titles = [t.text for t in listing.iter(f"{{{OAI['dc']}}}title")]
    assert titles == ["Rice Terraces Arithmetic"]
    identifier = listing.find(".//oai:header/oai:identifier", OAI).text

    # Withdrawal: the page, its files and its preview are gone; harvesters see a deleted record.
    perform_transition(
        user_named("als.region"), submission, "withdraw", comment="Superseded by a new edition."
    )
    assert visitor.get(item_url).status_code == 404
    assert visitor.get(file_url).status_code == 404
    assert "Rice Terraces Arithmetic" not in visitor.get("/resources/?q=terraces").content.decode()
    record = ET.fromstring(
        visitor.get(
            "/oai/", {"verb": "GetRecord", "identifier": identifier, "metadataPrefix": "oai_dc"}
        ).content
    )
    assert record.find(".//oai:header", OAI).get("status") == "deleted"


@pytest.mark.django_db
def test_publish_transition_is_refused_and_rolled_back_for_a_story_without_consent(user_named):
    from cms.publication import PublicationRefused
    from repository.models import SubmissionFile
    from workflow.demo import story_data
    from workflow.models import Journey
    from workflow.services import WorkflowError

    teacher = user_named("teacher.benguet")
    story = create_submission(teacher, story_data("Ana Finishes A&E"))
    upload_file(teacher, story, pdf_upload("Story", "story.pdf"), "main")
    upload_file(teacher, story, pdf_upload("Consent", "consent.pdf"), "consent")
    approve(story, user_named)
    # The consent is withdrawn after approval (e.g. the parent revokes it).
    SubmissionFile.objects.filter(submission=story, role="consent").update(is_current=False)

    with pytest.raises(PublicationRefused) as refused:
        perform_transition(user_named("als.region"), story, "publish")

    # A workflow error (409), so the admin and the API answer with the reason, never a 500.
    assert isinstance(refused.value, WorkflowError) and refused.value.status_code == 409
    assert "consent" in refused.value.message
    assert Journey.objects.get(pk=story.pk).state == "approved"
    assert not ResourcePage.objects.filter(submission=story).exists()
