"""The enrolment flow in a real browser (headless Chromium): new learner, then a near-duplicate."""

import pytest
from django.conf import settings

from learners.models import Enrolment, Learner
from tests.browser import describe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, next_url):
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_url}")


def fill_new_record(page, *, lrn, last, first, birthdate, cycle, clc):
    page.fill("#id_learner-lrn", lrn)
    page.fill("#id_learner-last_name", last)
    page.fill("#id_learner-first_name", first)
    page.select_option("#id_learner-sex", "F")
    page.fill("#id_learner-birthdate", birthdate)
    page.fill("#id_learner-religion", "Roman Catholic")
    page.select_option("#id_learner-mother_tongue", "iloko")
    page.fill("#id_learner-barangay", "Alapang")
    page.fill("#id_learner-municipality", "La Trinidad")
    page.select_option("#id_enrolment-cycle", str(cycle.pk))
    page.select_option("#id_enrolment-clc", str(clc.pk))
    page.select_option("#id_enrolment-program", "AE_JHS")
    page.select_option("#id_enrolment-delivery_mode", "F2F")
    page.fill("#id_enrolment-date_first_attendance", "2026-08-03")


def test_epsa_enrols_in_the_browser_and_is_warned_of_a_near_duplicate(
    demo, cycles, benguet_clc, browser_page, axe
):
    page = browser_page
    log_in(page, "epsa.benguet", "/admin/learners/enrol/")
    # The sidebar's Learners menu leads to "Enrol learner" (step 1).
    page.get_by_role("button", name="Learners").click()
    page.get_by_role("list", name="Learners").get_by_role("link", name="Enrol learner").click()
    page.wait_for_url("**/admin/learners/enrol/")
    page.get_by_label("I confirm the data comes from").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/admin/learners/enrol/search/")
    page.fill("#id_last_name", "Carantes")
    page.fill("#id_first_name", "Lorna")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("No learner found").wait_for()
    violations = axe(page)
    assert not violations, describe_violations(violations)
    page.get_by_role("link", name="No, this is correct. Create New Record").click()
    page.wait_for_url("**/admin/learners/enrol/new/**")
    assert page.input_value("#id_learner-last_name") == "Carantes"
    violations = axe(page)
    assert not violations, describe_violations(violations)
    fill_new_record(
        page,
        lrn="136512260101",
        last="Carantes",
        first="Lorna",
        birthdate="2001-05-09",
        cycle=cycles["SY 2026-2027"],
        clc=benguet_clc,
    )
    page.get_by_role("button", name="Enrol").click()
    page.locator("h2", has_text="Enrolment Added").wait_for()
    assert Enrolment.objects.filter(learner__lrn="136512260101").exists()

    # A near-duplicate (spacing, case, one typo, same birthdate) needs explicit confirmation.
    page.get_by_role("link", name="Enrol another learner").click()
    page.get_by_role("link", name="None of these. Create New Record").or_(
        page.get_by_role("button", name="Search")
    ).first.wait_for()
    page.goto("/admin/learners/enrol/new/")
    fill_new_record(
        page,
        lrn="136512260102",
        last="CARANTES",
        first="Lorma",
        birthdate="2001-05-09",
        cycle=cycles["SY 2026-2027"],
        clc=benguet_clc,
    )
    page.get_by_role("button", name="Enrol").click()
    alert = page.locator("#near-matches")
    alert.wait_for()
    assert "136512260101" in alert.inner_text()
    assert not Learner.objects.filter(lrn="136512260102").exists()
    page.get_by_label("I have checked the possible matches above").check()
    page.get_by_role("button", name="Enrol").click()
    page.locator("h2", has_text="Enrolment Added").wait_for()
    assert Learner.objects.filter(lrn="136512260102").exists()
