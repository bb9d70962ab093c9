"""English and Filipino: /fil/... renders the Filipino interface; the switcher moves between them."""

import pytest

from cms.publication import publish_submission


@pytest.mark.django_db
def test_filipino_pages_render_in_filipino(make_submission, qa_history, client):
    submission = make_submission()
    qa_history(submission)
    page_path = publish_submission(submission).url

    english = client.get("/resources/").content.decode()
    assert "Search the resources" in english and '<html lang="en">' in english

    filipino = client.get("/fil/resources/")
    assert filipino.status_code == 200
    html = filipino.content.decode()
    assert '<html lang="fil">' in html
    assert "Maghanap sa mga sanggunian" in html
    assert "Lumaktaw sa nilalaman" in html
    assert "1 resulta" in html
    assert "Sanggunian sa pagkatuto" in html  # the kind facet, translated at display

    item = client.get(f"/fil{page_path}").content.decode()
    assert "Sinuri ang kalidad ng Sangay ng mga Paaralan ng Benguet at " in item
    assert (
        "Sinuri ang kalidad ng" in item and "Paano sipiin" in item and "I-download (PDF, " in item
    )
    assert "Ipakita ang mga pansala" in html  # the phone's filter toggle


@pytest.mark.django_db
def test_language_switcher_redirects_to_the_other_language(site_tree, client):
    response = client.post("/i18n/setlang/", {"language": "fil", "next": "/resources/"})
    assert response.status_code == 302
    assert response["Location"] == "/fil/resources/"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/fil/resources/"})
    assert response["Location"] == "/resources/"
