"""Publishing a submission makes a Wagtail page through revisions; withdrawing unpublishes it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import PageLogEntry

from cms.models import LearningResourcePage, PublicFile, ResourcePage, SuccessStoryPage
from cms.publication import PublicationRefused, publish_submission, withdraw_submission
from tests.public.conftest import pdf_bytes


@pytest.mark.django_db
def test_publish_creates_live_page_with_metadata_qa_record_and_files(
    make_submission, qa_history, user_named, client
):
    submission = make_submission()
    qa_history(submission)
    publisher = user_named("als.region")

    page = publish_submission(submission, user=publisher)

    page = ResourcePage.objects.get(submission=submission).specific
    assert isinstance(page, LearningResourcePage)
    assert page.live and page.url_path.startswith("/home/resources/")
    assert page.revisions.count() == 1
    assert page.live_revision.user == publisher
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    assert page.qa_record == [
        {"level": "division", "unit": "Benguet", "date": "2026-03-02"},
        {"level": "region", "unit": submission.region.name, "date": "2026-03-09"},
    ]
    files = list(page.public_files())
    # The main file is public; the IP declaration is not.
    assert [f.role for f in files] == ["main"]
    assert files[0].name == "Typhoon-Module-(final).pdf"

    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quality assured by the Schools Division of Benguet and " in html
    assert "March 9, 2026" in html
    assert "Reading the Weather" in html
    assert "Module" in html and "Basic Literacy Program" in html
    assert files[0].get_absolute_url() in html
    assert "How to cite" in html and "Dulnuan" in html


@pytest.mark.django_db
def test_republish_is_a_new_revision_of_the_same_page_with_a_stable_url(
    make_submission, qa_history, user_named, client
):
    from repository.services import add_file

    submission = make_submission()
    qa_history(submission)
    publisher = user_named("als.region")
    first = publish_submission(submission, user=publisher)
    url = first.url
    old_file = first.public_files().get()

    submission.title = "Reading the Weather (second edition)"
    submission.save()
    add_file(submission, SimpleUploadedFile("v2.pdf", pdf_bytes("v2")), "main", publisher)
    second = publish_submission(submission, user=publisher)

    assert second.pk == first.pk
    assert second.url == url
    assert second.revisions.count() == 2
    assert ResourcePage.objects.filter(submission=submission).count() == 1
    assert "second edition" in client.get(url).content.decode()
    # The new version is the public file now; the old one's URL stops working.
    new_file = second.public_files().get()
    assert new_file.pk != old_file.pk
    assert client.get(old_file.get_absolute_url()).status_code == 404
    assert client.get(new_file.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_withdraw_unpublishes_page_and_files(make_submission, qa_history, user_named, client):
    submission = make_submission()
    qa_history(submission)
    page = publish_submission(submission, user=user_named("als.region"))
    url = page.url
    file_url = page.public_files().get().get_absolute_url()
    assert client.get(url).status_code == 200

    withdraw_submission(submission, user=user_named("als.region"))

    page.refresh_from_db()
    assert not page.live
    assert PageLogEntry.objects.filter(page=page, action="wagtail.unpublish").exists()
    assert client.get(url).status_code == 404
    assert client.get(file_url).status_code == 404


@pytest.mark.django_db
def test_story_without_consent_cannot_be_published(make_submission):
    submission = make_submission("story", learner_named=True, consent=False)

    with pytest.raises(PublicationRefused) as refused:
        publish_submission(submission)

    assert "consent" in refused.value.message
    assert not ResourcePage.objects.filter(submission=submission).exists()


@pytest.mark.django_db
def test_story_photos_become_wagtail_images_served_as_renditions(make_submission, client):
    submission = make_submission("story", learner_named=True, consent=True, photo=True)

    page = publish_submission(submission)

    assert isinstance(page.specific, SuccessStoryPage)
    photo = PublicFile.objects.get(page=page, role="photo")
    assert photo.image is not None and photo.image.width == 800
    html = client.get(page.url).content.decode()
    # The consent form is never public.
    assert not PublicFile.objects.filter(page=page, role="consent").exists()
    src = html.split('<figure class="preview">', 1)[1].split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith("/images/")
    response = client.get(src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    image_bytes = b"".join(response.streaming_content)
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(image_bytes)).size[0] == 640


@pytest.mark.django_db
def test_regional_staff_can_edit_and_unpublish_resource_pages_in_wagtail(
    make_submission, user_named, client
):
    page = publish_submission(make_submission())
    staff = user_named("als.region")
    permissions = page.permissions_for_user(staff)
    assert permissions.can_edit() and permissions.can_unpublish()
    assert not page.permissions_for_user(user_named("teacher.benguet")).can_edit()
    client.force_login(staff)
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    # Pages of published submissions are made by publication only, never by hand.
    assert client.get(
        f"/admin/pages/add/cms/learningresourcepage/{page.get_parent().pk}/"
    ).status_code in (302, 403)
