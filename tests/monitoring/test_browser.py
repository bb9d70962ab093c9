"""A division's EPSA opens the monitoring dashboard, changes the quarter and downloads the CSV."""

import csv
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from monitoring.periods import current_quarter
from repository.vocabularies import seed_vocabularies
from tests.browser import describe_violations

from .conftest import day, take


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_division_reads_its_quarter_and_downloads_the_csv(browser_page, demo, axe):
    # A transactional test starts from a flushed database: put the vocabularies back.
    seed_vocabularies()
    now = timezone.now()
    take(
        "teacher.benguet",
        "Received this quarter",
        [
            (now, "teacher.benguet", "submit", None),
            (now, "records.benguet", "receive_at_division", None),
        ],
    )
    take(
        "teacher.benguet",
        "Returned in Q3",
        [
            (day(0), "teacher.benguet", "submit", None),
            (day(1), "records.benguet", "return_incomplete", ["missing-hard-copy"]),
        ],
    )
    page = browser_page
    page.goto("/admin/login/")
    page.fill("input[name=username]", "epsa.benguet")
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    # The dashboard's shortcut opens this quarter's figures.
    page.get_by_role("link", name="Monitoring and evaluation").first.click()
    heading = page.locator("[data-period]")
    expect(heading).to_contain_text(f"Benguet Schools Division Office — {current_quarter().label}")
    expect(page.locator("[data-totals]")).to_contain_text("received 1,")
    violations = axe(page)
    assert not violations, describe_violations(violations)

    page.get_by_label("Quarter", exact=True).select_option("2026-Q3")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(heading).to_contain_text("Q3 2026")
    expect(page.locator("[data-totals]")).to_contain_text("received 0,")
    expect(page.locator("[data-totals]")).to_contain_text("returned 1.")
    expect(page.locator('[data-table="reasons_by_division"]')).to_contain_text(
        "Original hard copy not submitted"
    )

    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    download = info.value
    assert download.suggested_filename == "als-mis-monitoring-2026-Q3.csv"
    with open(download.path(), encoding="utf-8") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert ["Original hard copy not submitted", "1", "1"] in rows
    assert ["Benguet Schools Division Office", "0", "0", "0", "0", "1"] in rows
