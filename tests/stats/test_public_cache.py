"""The CLMD page's statistics through the HTTP cache: an accepted snapshot is seen at once."""

import pytest

from snapshots import services

from .test_public_and_dashboard import ABRA, BENGUET


def test_an_accepted_snapshot_is_on_the_cached_clmd_page_at_once(
    cached_site, demo, period, publish
):
    publish(period, "benguet", BENGUET)
    cached_site.get("/clmd/")
    cached = cached_site.get("/clmd/")
    assert cached.cache == "hit"
    assert "Benguet" in cached.text and "Abra" not in cached.text

    publish(period, "abra", ABRA)  # imported, submitted and accepted by the region
    fresh = cached_site.get("/clmd/")
    assert fresh.cache == "miss"
    assert "Abra" in fresh.text
    assert "Abra" in cached_site.get("/fil/clmd/").text


@pytest.mark.django_db
def test_only_accepting_or_reopening_a_snapshot_purges_the_statistics(
    demo, period, publish, purges, user_named, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = publish(period, "benguet", BENGUET, accept=False)  # imported and submitted
    assert purges == []
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(snapshot, "return", user_named("als.region"), "Check the LRNs.")
    assert purges == []
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(snapshot, "reopen", user_named("epsa.benguet"))
    assert "http://testserver/clmd/" in purges
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(snapshot, "submit", user_named("epsa.benguet"))
        services.transition(snapshot, "accept", user_named("als.region"))
    assert {"http://testserver/clmd/", "http://testserver/fil/clmd/"} <= set(purges)
