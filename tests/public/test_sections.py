"""Issuances and Forms, and the ALS personnel directory: edited in Wagtail by regional staff."""

import datetime

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from cms.models import DirectoryEntry, IssuancePage, IssuancesIndexPage
from tests.public.conftest import pdf_bytes


def document(title):
    doc = Document(title=title)
    doc.file.save(f"{title}.pdf", ContentFile(pdf_bytes(title)), save=False)
    doc.save()
    return doc


@pytest.mark.django_db
def test_issuances_and_forms_are_listed_with_number_series_date_and_file(site_tree, client):
    index = IssuancesIndexPage.objects.get()
    index.add_child(
        instance=IssuancePage(
            title="Deadline for updating the ALS MIS",
            kind=IssuancePage.Kind.REGIONAL_MEMORANDUM,
            number="163",
            series=2025,
            date_issued=datetime.date(2025, 3, 3),
            document=document("rm-163"),
        )
    )
    index.add_child(
        instance=IssuancePage(
            title="Enrolment Form",
            kind=IssuancePage.Kind.FORM,
            number="AF2",
            document=document("af2"),
        )
    )
    response = client.get("/issuances/")
    html = response.content.decode()
    assert "Regional Memorandum No. 163, s. 2025" in html
    assert "March 3, 2025" in html
    assert "Blank forms" in html and "AF2: Enrolment Form" in html
    doc_url = IssuancePage.objects.get(number="AF2").document.url
    assert doc_url in html
    assert client.get(doc_url).status_code in (200, 302)
    only_forms = client.get("/issuances/?type=form").content.decode()
    assert "AF2" in only_forms and "No. 163" not in only_forms


@pytest.mark.django_db
def test_directory_shows_only_what_staff_chose_to_publish(site_tree, demo, client):
    from organisation.models import Division

    benguet = Division.objects.get(slug="benguet")
    DirectoryEntry.objects.create(
        division=benguet,
        name="Ana Palasi",
        position="EPS-ALS",
        email="ana.palasi@deped.gov.ph",
        phone="0917 000 1111",
        published=True,
        publish_email=True,
        publish_phone=False,
    )
    DirectoryEntry.objects.create(
        division=benguet, name="Hidden Person", position="Focal", published=False
    )
    DirectoryEntry.objects.create(
        division=None, name="Rex Dao-ay", position="Regional ALS", published=True
    )

    html = client.get("/directory/").content.decode()
    assert "Benguet" in html and "Ana Palasi" in html and "ana.palasi@deped.gov.ph" in html
    assert "0917 000 1111" not in html
    assert "Hidden Person" not in html
    assert "Regional Office" in html and "Rex Dao-ay" in html


@pytest.mark.django_db
def test_regional_als_staff_edit_sections_in_the_wagtail_admin(site_tree, user_named, client):
    from wagtail.models import Page

    staff = user_named("als.region")
    client.force_login(staff)
    index = IssuancesIndexPage.objects.get()
    # Page permissions: may add issuances under the index, edit the directory page, not Home.
    assert index.permissions_for_user(staff).can_add_subpage()
    assert index.permissions_for_user(staff).can_publish()
    assert not Page.objects.get(depth=2).permissions_for_user(staff).can_edit()
    response = client.get(f"/admin/pages/add/cms/issuancepage/{index.pk}/")
    assert response.status_code == 200
    # Snippet permissions: the directory entries.
    assert staff.has_perm("cms.add_directoryentry") and staff.has_perm("cms.change_directoryentry")
    assert client.get("/admin/snippets/cms/directoryentry/").status_code == 200
    teacher = user_named("teacher.benguet")
    assert not teacher.has_perm("cms.change_directoryentry")
    assert not index.permissions_for_user(teacher).can_add_subpage()
