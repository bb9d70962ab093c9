"""Public verification: what /verify/<code>/ shows for each status, what it never shows, one
answer for every wrong code, the shared rate limit, the LinkedIn link and what caches may keep."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import caches
from django.utils import timezone

from tests.credentials.certificates_world import issued_batch

pytestmark = pytest.mark.django_db

WRONG = "No certificate has this code."


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.CREDENTIALS_VERIFY_RATE = "60/m"
    caches["shared"].clear()
    yield
    caches["shared"].clear()


@pytest.fixture
def batch(achievement, benguet):
    return issued_batch(achievement, benguet)[0]


@pytest.fixture
def award(batch):
    return batch.awards.get(name_as_printed="Niño Peñaflor")


def test_a_valid_award_shows_what_the_certificate_says_and_nothing_personal(client, award):
    from learners.models import Enrolment

    response = client.get(f"/verify/{award.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    for words in (
        "Niño Peñaflor",
        "Communication",
        "Benguet",
        "Cordillera Administrative Region",
        "5 December 2025",
        "Valid.",
        "XXXX" if False else award.code[:4] + "-",
    ):
        assert words in html, words
    learner = award.learner
    clc = Enrolment.objects.get(learner=learner).clc
    for secret in (
        learner.lrn,
        "2004",
        "May 1",
        "Female",
        clc.name,
        clc.municipality or learner.lrn,
    ):
        assert secret not in html, secret
    # Shareable by the HTTP cache in front (purged on a revoke or re-issue), never past midnight.
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    s_maxage = next(part for part in cache_control if part.startswith("s-maxage="))
    assert cache_control == {"public", "max-age=0", s_maxage}
    assert 0 < int(s_maxage.split("=")[1]) <= 3600
    assert f'href="/verify/{award.code}/credential.json"' in html


def test_the_linkedin_link_fills_in_the_certification(client, award):
    response = client.get(f"/verify/{award.code}/")
    link = response.context["linkedin_url"]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Communication",
        "organizationName": "Department of Education, Benguet, Cordillera Administrative Region",
        "issueYear": "2025",
        "issueMonth": "12",
        "certUrl": f"http://testserver/verify/{award.code}/",
        "certId": award.code[:4]
        + "-"
        + award.code[4:8]
        + "-"
        + award.code[8:12]
        + "-"
        + award.code[12:],
    }
    assert "Add to LinkedIn profile" in response.content.decode()


def test_revoked_expired_and_replaced_say_so_in_plain_words(client, batch, award):
    from credentials.models import Award
    from credentials.services import reissue_award, revoke_award

    revoke_award(None, award, "Issued by mistake.")
    html = client.get(f"/verify/{award.code}/").content.decode()
    today = timezone.localdate()
    assert f"Revoked on {today.day} {today:%B} {today.year}" in html
    assert "Valid." not in html and "LinkedIn" not in html

    other = batch.awards.get(name_as_printed="Ramón Cosalan")
    Award.objects.filter(pk=other.pk).update(valid_until=date(2025, 12, 31))
    html = client.get(f"/verify/{other.code}/").content.decode()
    assert "Expired on 31 December 2025." in html

    third = batch.awards.get(name_as_printed="José Añonuevo")
    new = reissue_award(None, third, name_as_printed="José Añonuevo Jr.")
    html = client.get(f"/verify/{third.code}/").content.decode()
    assert "Replaced by a newer certificate" in html
    assert f'href="/verify/{new.code}/"' in html
    html = client.get(f"/verify/{new.code}/").content.decode()
    assert "José Añonuevo Jr." in html and "Valid." in html


def test_future_expiry_is_still_valid(client, batch):
    from credentials.models import Award

    award = batch.awards.first()
    Award.objects.filter(pk=award.pk).update(valid_until=timezone.localdate() + timedelta(days=1))
    assert "Valid." in client.get(f"/verify/{award.code}/").content.decode()


def test_the_form_takes_a_code_as_typed_from_paper(client, award):
    from credentials import codes

    typed = codes.display(award.code).lower().replace("-", " ")
    response = client.get("/verify/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == f"/verify/{award.code}/"
    # Typed with dashes straight into the address: one address per certificate.
    response = client.get(f"/verify/{codes.display(award.code)}/")
    assert response.status_code == 302 and response["Location"] == f"/verify/{award.code}/"
    form = client.get("/verify/")
    assert form.status_code == 200 and 'name="code"' in form.content.decode()


def test_every_wrong_code_gets_the_same_answer(client, award):
    from credentials import codes

    # Well-formed but unknown (a valid check character), malformed, one typo of a real code.
    unknown = codes.new_code()
    typo = award.code[:-2] + ("2" if award.code[-2] != "2" else "3") + award.code[-1]
    answers = []
    for address in (f"/verify/{unknown}/", "/verify/NOT-A-CODE/", f"/verify/{typo}/"):
        response = client.get(address)
        # Never stored: every guess reaches the application and counts against the limit.
        assert response.status_code == 404 and "no-store" in response["Cache-Control"]
        answers.append(response.content.decode())
    response = client.get("/verify/", {"code": "nonsense!"})
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    for html in answers + [response.content.decode()]:
        assert WRONG in html
    # The same words, whatever was wrong (only the echoed input differs).
    assert answers[0].replace(unknown, "") == answers[2].replace(typo, "")


def test_lookups_are_rate_limited_per_address(client, settings, award):
    settings.CREDENTIALS_VERIFY_RATE = "3/m"
    for _ in range(3):
        assert client.get(f"/verify/{award.code}/", REMOTE_ADDR="203.0.113.9").status_code == 200
    response = client.get(f"/verify/{award.code}/", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429 and "no-store" in response["Cache-Control"]
    assert "Too many certificates were checked" in response.content.decode()
    assert "Niño" not in response.content.decode()
    # Another address still gets its answer.
    assert client.get(f"/verify/{award.code}/", REMOTE_ADDR="203.0.113.10").status_code == 200


def test_the_page_speaks_filipino(client, award):
    html = client.get(f"/fil/verify/{award.code}/").content.decode()
    assert 'lang="fil"' in html
    assert "May bisa." in html
    assert "Idagdag sa LinkedIn profile" in html
