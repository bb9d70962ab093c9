"""Issue 14's snapshot journey in a real Chromium at 1280 px, axe-clean at each step: the EPSA sees
the forms missing for the period in My tasks, uploads the division's AF3 from that task and sees
who will review it, submits it; regional ALS personnel find it in their My tasks, open it, read
the summary and the paged rows, and accept it. Also the role shortcuts of each dashboard.

With ALSMIS_GUIDE_SCREENSHOTS=1 the steps are saved for the training guide (epsa-*, region-als-*).
"""

import re

import pytest
from playwright.sync_api import expect

from snapshots import samples
from snapshots.models import Snapshot, State
from tests.browser import assert_accessible, guide_screenshot, sign_in

pytestmark = pytest.mark.browser


def task_group(page, key):
    return page.locator(f'[data-task-group="{key}"]')


def test_epsa_uploads_the_division_af3_and_regional_als_reviews_it(
    transactional_db, demo, period, af3_rows, browser_page, axe, tmp_path
):
    page = browser_page
    sign_in(page, "epsa.benguet")
    # My tasks: every form of the period is missing for Benguet, each a link to upload it.
    due = task_group(page, "forms-due")
    for form in ("AF1", "AF2", "AF3", "AF4", "AF5"):
        expect(due).to_contain_text(f"{form} of Benguet for CY 2026")
    expect(due).to_contain_text("Not submitted yet. (due 15 Dec 2026)")
    shortcuts = page.get_by_test_id("role-shortcuts")
    for label in ("New submission", "Enrol a learner", "Upload an AF form", "Review snapshots"):
        expect(shortcuts.get_by_role("link", name=label)).to_be_visible()
    assert_accessible(page, axe)
    guide_screenshot(page, "epsa-1-my-tasks-forms-due")

    # The AF3 task opens the upload form with the form, period and division chosen, and says
    # who will review the upload.
    due.get_by_role("link", name="AF3 of Benguet for CY 2026").click()
    page.wait_for_url("**/admin/snapshots/upload/**")
    expect(page.locator("select[name=form]")).to_have_value("AF3")
    expect(page.locator("select[name=unit]")).to_have_value("benguet")
    routes = page.get_by_test_id("review-routes")
    expect(routes).to_contain_text(
        "Benguet (division): Regional ALS personnel accept or return it. (ALS Region)"
    )
    expect(routes).to_contain_text("Districts of Benguet: Education Program Specialist for ALS")
    assert_accessible(page, axe)
    guide_screenshot(page, "epsa-2-upload-who-reviews")

    rows = af3_rows(30)
    source = tmp_path / "af3-benguet.xlsx"
    source.write_bytes(samples.to_xlsx("AF3", rows))
    page.set_input_files("input[name=file]", str(source))
    page.get_by_role("button", name="Upload and validate").click()
    page.wait_for_url("**/admin/snapshots/jobs/*/")
    expect(page.locator("[data-status]")).to_have_text("Imported")
    page.get_by_role("link", name="Open the snapshot").click()
    expect(page.get_by_test_id("review-route")).to_contain_text("Regional ALS personnel")
    expect(page.get_by_test_id("summary-errors")).to_contain_text("None")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("dd[data-state]")).to_have_text("Submitted")
    # The submitter has no review buttons, and is told who reviews instead.
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    expect(page.get_by_test_id("review-route")).to_contain_text("ALS Region")
    assert_accessible(page, axe)
    guide_screenshot(page, "epsa-3-submitted")
    snapshot = Snapshot.objects.get(form="AF3", level="division")

    # Regional ALS personnel: the snapshot waits in their My tasks.
    page.context.clear_cookies()
    sign_in(page, "als.region")
    review = task_group(page, "snapshots-to-review")
    expect(review).to_contain_text(str(snapshot))
    expect(review).to_contain_text("Submitted by EPSA Benguet")
    assert_accessible(page, axe)
    guide_screenshot(page, "region-als-1-my-tasks")
    review.get_by_role("link", name=str(snapshot)).click()
    page.wait_for_url(f"**/admin/snapshots/{snapshot.pk}/")

    # The summary and the first page of rows.
    summary = page.get_by_test_id("snapshot-summary")
    expect(summary.get_by_test_id("summary-rows")).to_have_text("30")
    expect(summary.locator('[data-summary="sex"]')).to_contain_text("Female")
    expect(summary.locator('[data-summary="clc"]')).to_contain_text("Poblacion La Trinidad CLC")
    preview = page.get_by_test_id("snapshot-preview")
    expect(preview).to_contain_text("Rows 1 to 25 of 30.")
    expect(preview).to_contain_text(rows[0][6])
    assert_accessible(page, axe)
    page.locator("#summary-heading").evaluate("(el) => el.scrollIntoView({block: 'start'})")
    guide_screenshot(page, "region-als-2-summary-and-rows")
    preview.get_by_role("link", name="Next rows").click()
    expect(page.get_by_test_id("snapshot-preview")).to_contain_text("Rows 26 to 30 of 30.")
    expect(page.get_by_test_id("snapshot-preview")).to_contain_text(rows[29][6])

    page.get_by_label("Comments").first.fill("Complete; thank you.")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("dd[data-state]")).to_have_text("Accepted")
    assert_accessible(page, axe)
    guide_screenshot(page, "region-als-3-accepted")
    snapshot.refresh_from_db()
    assert snapshot.state == State.ACCEPTED and snapshot.reviewed_by.username == "als.region"

    # Nothing left to review; the EPSA's AF3 is no longer missing.
    page.goto("/admin/")
    expect(task_group(page, "snapshots-to-review")).to_have_count(0)
    page.context.clear_cookies()
    sign_in(page, "epsa.benguet")
    expect(task_group(page, "forms-due")).not_to_contain_text("AF3 of Benguet")
    expect(task_group(page, "forms-due")).to_contain_text("AF1 of Benguet for CY 2026")


@pytest.mark.parametrize(
    ("username", "shortcuts", "absent"),
    [
        ("teacher.benguet", ["New submission", "Enrol a learner", "Upload an AF form"], []),
        (
            "focal.benguet",
            ["Enrol a learner", "Transfer requests", "Upload an AF form", "Review snapshots"],
            ["New submission"],
        ),
        (
            "als.region",
            ["New submission", "Transfer requests", "Review snapshots", "Deadlines"],
            ["Enrol a learner", "Upload an AF form"],
        ),
    ],
)
def test_role_shortcuts_on_each_dashboard(
    transactional_db, demo, browser_page, axe, username, shortcuts, absent
):
    page = browser_page
    sign_in(page, username)
    panel = page.get_by_test_id("role-shortcuts")
    for label in shortcuts:
        expect(panel.get_by_role("link", name=label)).to_be_visible()
    for label in absent:
        expect(panel.get_by_role("link", name=label)).to_have_count(0)
    assert_accessible(page, axe)
    if username == "focal.benguet":
        guide_screenshot(page, "focal-1-dashboard-shortcuts")
    # The first shortcut opens its screen.
    panel.get_by_role("link", name=shortcuts[0]).click()
    page.wait_for_load_state()
    assert re.search(r"/admin/(submissions|learners|snapshots)/", page.url)
