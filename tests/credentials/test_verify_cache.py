"""The verification page through the HTTP cache in front: what each credential event purges
(cms/purge.py, cms/signals.py), how long the page may be kept (cms/http_cache.py), and the
whole chain through a real Varnish (tests/http_cache.py's `cached_site`)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches

from accounts.throttle import SharedAddressRateThrottle
from cms.http_cache import POLICIES
from cms.purge import collection_version
from tests.credentials.certificates_world import issued_batch
from tests.public.test_http_cache import COLLECTION, PUBLIC

MANILA = ZoneInfo("Asia/Manila")


@pytest.fixture
def counters(settings, monkeypatch):
    """Empty rate-limit counters, and one fixed window: a run across a minute's end would reset
    them half-way."""
    settings.CREDENTIALS_VERIFY_RATE = "60/m"
    monkeypatch.setattr(SharedAddressRateThrottle, "timer", staticmethod(lambda: 1_800_000_030.0))
    caches["shared"].clear()
    yield
    caches["shared"].clear()


def verify_urls(award):
    return [f"{PUBLIC}/verify/{award.code}/", f"{PUBLIC}/fil/verify/{award.code}/"]


def test_a_verification_page_is_kept_an_hour_at_most_and_never_past_midnight():
    policy = POLICIES["verify_award"]
    assert policy.seconds(datetime(2026, 3, 2, 9, 0, tzinfo=MANILA)) == 3600
    assert policy.seconds(datetime(2026, 3, 2, 23, 30, tzinfo=MANILA)) == 1800
    # Midnight in Manila, whatever zone the moment is given in.
    assert policy.seconds(datetime(2026, 3, 2, 15, 59, 50, tzinfo=ZoneInfo("UTC"))) == 10


@pytest.mark.django_db
def test_issue_revoke_and_reissue_purge_exactly_what_they_change_once_committed(
    achievement, benguet, purges, django_capture_on_commit_callbacks
):
    from credentials.services import reissue_award, revoke_award

    # Issuing: the counts on the CLMD page.
    with django_capture_on_commit_callbacks() as callbacks:
        batch, _clcs = issued_batch(achievement, benguet)
    assert purges == []  # nothing before the issue commits
    for callback in callbacks:
        callback()
    assert sorted(purges) == sorted(COLLECTION)

    # Revoking: the award's page in both languages, and the counts; not the Resources search.
    award, other = batch.awards.order_by("pk")[:2]
    version = collection_version()
    purges.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        revoke_award(None, award, "Issued by mistake.")
    assert purges == []
    for callback in callbacks:
        callback()
    assert sorted(purges) == sorted(verify_urls(award) + COLLECTION)
    assert collection_version() == version

    # Re-issuing: the old award's page (now "replaced"); the counts stay as they were.
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reissue_award(None, other, name_as_printed="Corrected Name")
    assert sorted(purges) == sorted(verify_urls(other))


def test_the_verification_page_through_the_cache(
    cached_site, settings, counters, achievement, benguet
):
    from credentials import codes
    from credentials.services import reissue_award, revoke_award

    batch, _clcs = issued_batch(achievement, benguet)
    award = batch.awards.get(name_as_printed="Niño Peñaflor")
    other = batch.awards.get(name_as_printed="José Añonuevo")
    page, filipino = f"/verify/{award.code}/", f"/fil/verify/{award.code}/"

    # A known code is served from the cache the second time, in each language.
    first = cached_site.get(page)
    assert (first.status, first.cache) == (200, "miss") and "Valid." in first.text
    assert cached_site.get(page).cache == "hit"
    assert "May bisa." in cached_site.get(filipino).text
    assert cached_site.get(filipino).cache == "hit"

    # A revocation shows at once, in both languages.
    revoke_award(None, award, "Issued by mistake.")
    revoked = cached_site.get(page)
    assert revoked.cache == "miss" and "Revoked on" in revoked.text and "Valid." not in revoked.text
    assert "Binawi noong" in cached_site.get(filipino).text

    # So does a re-issue: the old page says "replaced" and links to the new one.
    old = f"/verify/{other.code}/"
    cached_site.get(old)
    assert cached_site.get(old).cache == "hit"
    new = reissue_award(None, other, name_as_printed="José Añonuevo Jr.")
    replaced = cached_site.get(old).text
    assert "Replaced by a newer certificate" in replaced and f"/verify/{new.code}/" in replaced

    # A guess is never served from the cache: each one reaches the application and counts.
    caches["shared"].clear()
    settings.CREDENTIALS_VERIFY_RATE = "3/m"
    guess = f"/verify/{codes.new_code()}/"
    answers = [cached_site.get(guess) for _ in range(4)]
    assert [answer.status for answer in answers] == [404, 404, 404, 429]
    assert all(answer.cache != "hit" for answer in answers)
    assert all("no-store" in answer.headers["cache-control"] for answer in answers)
    # A code someone already knew is still served, from the cache, without counting.
    assert cached_site.get(page).cache == "hit"
    assert cached_site.get(f"/verify/{new.code}/").status == 429
