"""Discovery and harvesting: OAI-PMH (oai_dc), the Atom feed, the sitemap, DC/citation meta tags."""

from xml.etree import ElementTree as ET

import pytest

from cms.publication import publish_submission, withdraw_submission
from tests.public.conftest import submission_maker

NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": "http://www.w3.org/2005/Atom",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
}


def oai(client, **params):
    response = client.get("/oai/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)


def error_code(root):
    error = root.find("oai:error", NS)
    return error.get("code") if error is not None else None


@pytest.fixture(scope="module")
def published_ids(module_transaction):
    """Five published items, made once for the module (tests/conftest.py module_transaction)."""
    make = submission_maker()
    return [
        publish_submission(make(title=f"Module {n}", summary=f"Summary {n}")).pk for n in range(5)
    ]


@pytest.fixture
def published(published_ids, db):
    """The five items' live pages (specific), fresh for each test."""
    from wagtail.models import Page

    pages = Page.objects.filter(pk__in=published_ids).specific().in_bulk()
    return [pages[pk] for pk in published_ids]


@pytest.mark.django_db
def test_identify_and_list_metadata_formats(published, client):
    root = oai(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:baseURL", namespaces=NS) == "http://testserver/oai/"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "transient"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    formats = oai(client, verb="ListMetadataFormats")
    assert [e.text for e in formats.iter(f"{{{NS['oai']}}}metadataPrefix")] == ["oai_dc"]


@pytest.mark.django_db
def test_list_records_pages_with_resumption_tokens(published, client, settings):
    settings.ALSMIS_OAI_PAGE_SIZE = 2
    seen = []
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    while True:
        body = root.find("oai:ListRecords", NS)
        for record in body.findall("oai:record", NS):
            dc = record.find("oai:metadata/oai_dc:dc", NS)
            seen.append(dc.findtext("dc:title", namespaces=NS))
            assert dc.findtext("dc:identifier", namespaces=NS).startswith("http://testserver/")
            assert [c.text for c in dc.findall("dc:creator", NS)] == [
                "Maria Dulnuan",
                "Jose Bayangan",
            ]
        token = body.find("oai:resumptionToken", NS)
        assert token.get("completeListSize") == "5"
        if not token.text:
            break
        root = oai(client, verb="ListRecords", resumptionToken=token.text)
    assert sorted(seen) == [f"Module {n}" for n in range(5)]


@pytest.mark.django_db
def test_get_record_list_identifiers_and_withdrawn_items_as_deleted(published, client):
    headers = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc").findall(
        "oai:ListIdentifiers/oai:header", NS
    )
    assert len(headers) == 5
    identifier = headers[0].findtext("oai:identifier", namespaces=NS)
    assert identifier.startswith("oai:alsmis.deped-car:")
    record = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert record.find("oai:GetRecord/oai:record/oai:metadata", NS) is not None

    page = next(p for p in published if str(p.submission.uuid) in identifier)
    withdraw_submission(page.submission)
    record = oai(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    header = record.find("oai:GetRecord/oai:record/oai:header", NS)
    assert header.get("status") == "deleted"
    assert record.find("oai:GetRecord/oai:record/oai:metadata", NS) is None


@pytest.mark.django_db
def test_oai_error_codes(published, client):
    assert error_code(oai(client)) == "badVerb"
    assert error_code(oai(client, verb="Frobnicate")) == "badVerb"
    assert error_code(oai(client, verb="Identify", extra="1")) == "badArgument"
    assert error_code(oai(client, verb="ListRecords")) == "badArgument"
    assert error_code(oai(client, verb="ListRecords", metadataPrefix="marc")) == (
        "cannotDisseminateFormat"
    )
    assert error_code(oai(client, verb="ListRecords", resumptionToken="garbage!")) == (
        "badResumptionToken"
    )
    assert error_code(
        oai(client, verb="GetRecord", identifier="oai:elsewhere:1", metadataPrefix="oai_dc")
    ) == ("idDoesNotExist")
    assert error_code(
        oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "2999-01-01"})
    ) == ("noRecordsMatch")
    assert error_code(
        oai(client, verb="ListRecords", metadataPrefix="oai_dc", **{"from": "yesterday"})
    ) == ("badArgument")
    assert error_code(oai(client, verb="ListSets")) == "noSetHierarchy"
    bad = oai(client, verb="Frobnicate")
    assert bad.find("oai:request", NS).attrib == {}


@pytest.mark.django_db
def test_atom_feed_lists_new_resources(published, client):
    response = client.get("/resources/feed/")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    entries = feed.findall("atom:entry", NS)
    assert len(entries) == 5
    assert {e.findtext("atom:title", namespaces=NS) for e in entries} == {
        f"Module {n}" for n in range(5)
    }
    assert entries[0].find("atom:link", NS).get("href").startswith("http://testserver/resources/")


@pytest.mark.django_db
def test_sitemap_lists_live_pages_only(published, client):
    withdraw_submission(published[0].submission)
    response = client.get("/sitemap.xml")
    locations = [e.text for e in ET.fromstring(response.content).iter(f"{{{NS['sm']}}}loc")]
    assert any(loc.endswith(published[1].url) for loc in locations)
    assert not any(loc.endswith(published[0].url) for loc in locations)
    assert any(loc.endswith("/issuances/") for loc in locations)


@pytest.mark.django_db
def test_item_page_has_dublin_core_and_citation_meta_tags(published, client):
    page = published[0]
    html = client.get(page.url).content.decode()
    assert '<meta name="DC.title" content="Module 0">' in html
    assert '<meta name="DC.creator" content="Maria Dulnuan">' in html
    assert '<meta name="citation_title" content="Module 0">' in html
    assert '<meta name="citation_author" content="Jose Bayangan">' in html
    assert (
        f'<meta name="citation_publication_date" content="{page.date_published:%Y/%m/%d}">' in html
    )
    pdf_url = page.public_files().get().get_absolute_url()
    # Absolute from the site's root URL (the page is stored whole for every visitor).
    assert f'<meta name="citation_pdf_url" content="{page.get_site().root_url}{pdf_url}">' in html
