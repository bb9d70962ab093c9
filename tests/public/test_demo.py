"""The public sections' demo content (issuances, forms, directory) loads, shows on the site and is
idempotent. The whole `seed_demo`, with the published items, is tests/test_seed_demo.py."""

import pytest

from cms.models import DirectoryEntry, IssuancePage
from cms.public_demo import seed_public_sections


@pytest.mark.django_db
def test_seed_public_sections_is_idempotent_and_shows_on_the_site(demo, client):
    seed_public_sections()
    seed_public_sections()
    assert IssuancePage.objects.filter(kind="form").count() == 5
    assert IssuancePage.objects.exclude(kind="form").count() == 3
    assert DirectoryEntry.objects.filter(published=True).count() >= 8
    assert "Regional Memorandum No. 163, s. 2025" in client.get("/issuances/").content.decode()
    assert "Education Program Specialist II for ALS" in client.get("/directory/").content.decode()
