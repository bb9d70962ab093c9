"""`manage.py seed_demo` as `make run` runs it: every app's demo (organisation, users, learners,
submissions in each state, snapshots, micro-credentials, the public sections) and the published
items of each kind (cms/published_demo.py), idempotent and keeping what users changed.

One test runs the whole command (twice, for idempotence): each run takes several seconds; the
parts have their own tests in their apps (seed_learners, seed_credentials, ...).
"""

import io
import re
from collections import Counter
from xml.etree import ElementTree as ET

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command
from wagtail.models import Page

from cms.models import ResourcePage
from credentials.demo import DEMO_BATCH_FILE
from credentials.models import Achievement, AwardBatch, BatchState
from learners.models import Learner
from organisation.models import District, Division, RoleAssignment
from repository.models import Submission, SubmissionFile

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"

# The published demo items (cms/published_demo.py), by kind.
DEMO_KINDS = {"lr": 4, "research": 2, "story": 2}


def _facet_labels(html, facet):
    """The value labels listed under one facet of the Resources page."""
    section = re.search(rf'<h3 id="facet-{facet}">.*?</ul>', html, re.S).group(0)
    return re.findall(r'">(?:<span[^>]*>[^<]*</span>)?([^<]+?) <span class="count">', section)


@pytest.mark.django_db
def test_seed_demo_loads_every_part_publishes_items_and_is_idempotent(demo, user_named, client):
    epsa = user_named("epsa.benguet")
    epsa.set_password("changed-by-user")
    epsa.save()
    organisation = (
        Division.objects.count(),
        District.objects.count(),
        RoleAssignment.objects.count(),
    )
    call_command("seed_demo", stdout=io.StringIO())

    # The organisation and the users were there (the test world): nothing added, nothing the
    # users changed is undone.
    assert organisation == (
        Division.objects.count(),
        District.objects.count(),
        RoleAssignment.objects.count(),
    )
    epsa.refresh_from_db()
    assert epsa.check_password("changed-by-user")
    # Every app's demo: learners, micro-credentials, and the published items below.
    assert Learner.objects.filter(lrn="136512250001").exists()
    assert Achievement.objects.filter(slug="communication").exists()
    assert AwardBatch.objects.filter(source_name=DEMO_BATCH_FILE, state=BatchState.ISSUED).exists()

    pages = ResourcePage.objects.live()
    assert dict(Counter(pages.values_list("kind", flat=True))) == DEMO_KINDS
    for page in pages:
        # Published by the workflow: approved at the region, with its QA record.
        assert page.submission.journey.state == "published"
        assert page.qa_record[-1]["level"] == "region"

    html = client.get("/resources/").content.decode()
    assert "Nothing has been published yet" not in html
    assert f"{sum(DEMO_KINDS.values())} results" in html
    assert "Highland Harvest Math" in html and "A Tracer Study" in html
    assert "From the Coffee Farm to Senior High School" in html
    assert len(_facet_labels(html, "kind")) == 3
    assert len(_facet_labels(html, "strand")) >= 4
    assert {"English", "Filipino"} <= set(_facet_labels(html, "language"))
    assert {"Benguet", "Ifugao", "Abra", "Regional Office"} <= set(_facet_labels(html, "division"))

    # An item page with its download, a PDF whose pages carry readable text.
    page = pages.get(title__startswith="Highland Harvest Math")
    item = client.get(page.url)
    assert item.status_code == 200
    item_html = item.content.decode()
    main = page.main_file
    assert main.get_absolute_url() in item_html
    assert "answer-key.pdf" in item_html  # the supporting file, listed under "Other files"
    assert "Quality assured by the Schools Division of Benguet and " in item_html
    download = client.get(main.get_absolute_url())
    assert download.status_code == 200
    pdf = pdfium.PdfDocument(b"".join(download.streaming_content))
    assert len(pdf) >= 4
    text = " ".join(p.get_textpage().get_text_range() for p in pdf)
    assert "Highland Harvest Math" in text
    assert "trading post in La Trinidad" in " ".join(text.split())
    assert "Schools Division of Benguet" in text and "demonstration copy" in text
    preview = client.get(f"/resources/previews/{main.uuid}.png")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"

    # A success story shows its illustration through Wagtail's renditions; the consent stays private.
    story = pages.get(kind="story", title__startswith="From the Coffee Farm")
    assert story.public_files().filter(role="photo", image__isnull=False).exists()
    assert not story.public_files().filter(role="consent").exists()
    assert 'alt="Photo from' in client.get(story.url).content.decode()

    # Harvesters see every item: the Atom feed and OAI-PMH ListRecords.
    feed = ET.fromstring(client.get("/resources/feed/").content)
    feed_titles = {e.findtext(f"{{{ATOM}}}title") for e in feed.iter(f"{{{ATOM}}}entry")}
    assert set(pages.values_list("title", flat=True)) <= feed_titles
    listing = ET.fromstring(
        client.get("/oai/", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}).content
    )
    oai_titles = {t.text for t in listing.iter(f"{{{DC}}}title")}
    assert set(pages.values_list("title", flat=True)) <= oai_titles

    # A second run adds nothing.
    counts = (Submission.objects.count(), Page.objects.count(), SubmissionFile.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert counts == (
        Submission.objects.count(),
        Page.objects.count(),
        SubmissionFile.objects.count(),
    )
