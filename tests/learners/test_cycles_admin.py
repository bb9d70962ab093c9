"""Enrolment cycles are configured in the admin (cycle type and cut-off per year)."""

import pytest
from django.urls import reverse

from learners.models import SchoolYearCycle

pytestmark = pytest.mark.django_db

CYCLE = {
    "label": "SY 2027-2028",
    "cycle_type": "school_year",
    "start_date": "2027-06-14",
    "end_date": "2028-04-28",
    "enrolment_cutoff": "2027-10-31",
    "is_open": "on",
}


def test_system_administrator_configures_a_cycle(client, user_named, cycles):
    client.force_login(user_named("sysadmin.region"))
    assert "Enrolment cycles" in client.get(reverse("wagtailadmin_home")).text
    response = client.post(
        reverse("learners_cycles:add"), dict(CYCLE, enrolment_cutoff="2028-10-31")
    )
    assert response.status_code == 200
    assert "The cut-off must fall within the cycle." in response.text
    response = client.post(reverse("learners_cycles:add"), CYCLE)
    assert response.status_code == 302
    cycle = SchoolYearCycle.objects.get(label="SY 2027-2028")
    assert (cycle.cycle_type, str(cycle.enrolment_cutoff)) == ("school_year", "2027-10-31")
    response = client.get(reverse("learners_cycles:index"))
    assert "SY 2027-2028" in response.text and "CY 2024" in response.text


def test_division_staff_cannot_change_cycles(client, user_named, cycles):
    client.force_login(user_named("epsa.benguet"))
    response = client.post(reverse("learners_cycles:add"), CYCLE)
    assert response.status_code == 302
    assert not SchoolYearCycle.objects.filter(label="SY 2027-2028").exists()
