"""The public pages exist and render; staff see only their own units in the Wagtail admin."""

import pytest
from django.conf import settings

from organisation.models import District, Division


def test_public_pages_render_with_real_content(client, site_tree):
    home = client.get("/")
    assert home.status_code == 200
    assert "ALS MIS" in home.content.decode()
    assert "Cordillera Administrative Region" in home.content.decode()

    resources = client.get("/resources/")
    assert resources.status_code == 200
    assert "quality assurance" in resources.content.decode()

    clmd = client.get("/clmd/")
    assert clmd.status_code == 200
    body = clmd.content.decode()
    assert "Curriculum and Learning Management Division" in body
    assert 'href="/resources/"' in body  # the main navigation links the sections


def test_unknown_page_is_a_real_404(client, site_tree):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_epsa_logs_into_admin_and_sees_only_benguet_units(client, demo):
    assert client.login(username="epsa.benguet", password=settings.DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 200

    listing = client.get("/admin/districts/").content.decode()
    for district in District.objects.filter(division__slug="benguet"):
        assert district.name in listing
    for district in District.objects.exclude(division__slug="benguet"):
        assert f">{district.name}<" not in listing

    divisions = client.get("/admin/divisions/").content.decode()
    assert "Benguet" in divisions and "Kalinga" not in divisions


def test_out_of_scope_unit_is_not_found_even_by_url(client, demo):
    client.login(username="sysadmin.region", password=settings.DEMO_PASSWORD)
    abra_district = District.objects.filter(division__slug="abra").first()
    assert client.get(f"/admin/districts/edit/{abra_district.pk}/").status_code == 200

    client.login(username="focal.benguet", password=settings.DEMO_PASSWORD)
    # Another division's district is not found, permission or not (issue 11: one scope check).
    assert client.get(f"/admin/districts/edit/{abra_district.pk}/").status_code == 404
    # No permission to change districts at all: Wagtail sends the user back to the dashboard.
    own_district = District.objects.filter(division__slug="benguet").first()
    denied = client.get(f"/admin/districts/edit/{own_district.pk}/")
    assert denied.status_code == 302 and denied["Location"] == "/admin/"
    clc = abra_district.clcs.first()
    assert client.get(f"/admin/clcs/edit/{clc.pk}/").status_code == 404
    own_clc = District.objects.filter(division__slug="benguet").first().clcs.first()
    assert client.get(f"/admin/clcs/edit/{own_clc.pk}/").status_code == 200


def test_only_system_administrators_change_divisions(client, demo):
    benguet = Division.objects.get(slug="benguet")
    client.login(username="epsa.benguet", password=settings.DEMO_PASSWORD)
    # Wagtail answers a permission denial with a redirect to the dashboard.
    denied = client.get(f"/admin/divisions/edit/{benguet.pk}/")
    assert denied.status_code == 302 and denied["Location"] == "/admin/"
    response = client.post(
        f"/admin/divisions/edit/{benguet.pk}/",
        {"region": benguet.region_id, "code": "XXX", "name": "Hacked", "slug": "benguet"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    benguet.refresh_from_db()
    assert benguet.name == "Benguet"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get("/admin/districts/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
