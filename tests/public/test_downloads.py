"""Public downloads: stable URLs, sniffed type, counted, and never for anything not published."""

import uuid

import pytest

from cms.models import PublicFile
from cms.publication import publish_submission, withdraw_submission
from repository.models import SubmissionFile


@pytest.mark.django_db
def test_download_streams_the_stored_bytes_with_type_and_name_and_counts(make_submission, client):
    submission = make_submission()
    page = publish_submission(submission)
    public_file = page.public_files().get()
    stored = SubmissionFile.objects.get(submission=submission, role="main", is_current=True)

    response = client.get(public_file.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Typhoon-Module-(final).pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    with stored.file.open("rb") as handle:
        assert body == handle.read()
    assert body.startswith(b"%PDF")
    client.get(public_file.get_absolute_url())
    assert PublicFile.objects.get(pk=public_file.pk).download_count == 2
    # HEAD does not count as a download.
    assert client.head(public_file.get_absolute_url()).status_code == 200
    assert PublicFile.objects.get(pk=public_file.pk).download_count == 2


@pytest.mark.django_db
def test_wrong_name_redirects_to_the_canonical_url(make_submission, client):
    public_file = publish_submission(make_submission()).public_files().get()
    response = client.get(f"/resources/files/{public_file.uuid}/whatever.pdf")
    assert response.status_code == 301
    assert response["Location"] == public_file.get_absolute_url()


@pytest.mark.django_db
def test_files_of_unpublished_or_withdrawn_items_are_never_served(make_submission, client):
    submission = make_submission()
    page = publish_submission(submission)
    public_file = page.public_files().get()
    url = public_file.get_absolute_url()
    ip_declaration = SubmissionFile.objects.get(submission=submission, role="ip_declaration")

    # A guessed UUID, and the non-public IP declaration, are not served.
    assert client.get(f"/resources/files/{uuid.uuid4()}/x.pdf").status_code == 404
    assert not PublicFile.objects.filter(submission_file=ip_declaration).exists()

    withdraw_submission(submission)
    assert client.get(url).status_code == 404
    assert client.get(f"/resources/previews/{public_file.uuid}.png").status_code == 404
    assert PublicFile.objects.get(pk=public_file.pk).download_count == 0

    # Unpublishing through the Wagtail admin has the same effect, and so does a private page.
    publish_submission(submission)
    assert client.get(url).status_code == 200
    page.refresh_from_db()
    page.unpublish()
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_files_under_a_view_restriction_are_not_public(make_submission, client):
    from wagtail.models import PageViewRestriction

    page = publish_submission(make_submission())
    url = page.public_files().get().get_absolute_url()
    PageViewRestriction.objects.create(page=page, restriction_type="login")
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_pdf_preview_is_rendered_once_and_kept_in_storage(make_submission, client):
    import io

    from PIL import Image

    public_file = publish_submission(make_submission()).public_files().get()
    url = f"/resources/previews/{public_file.uuid}.png"

    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(first.content))
    assert image.size[0] == 640
    # The blue band drawn at the top of the PDF's first page is in the rendering.
    r, g, b = image.convert("RGB").getpixel((320, 80 * 640 // 595))
    assert b > 100 and r < 60
    public_file.refresh_from_db()
    assert public_file.preview.name.startswith("public-previews/")
    assert public_file.preview.storage.exists(public_file.preview.name)
    second = client.get(url)
    assert b"".join(second.streaming_content) == first.content
