"""An EPSA prepares an award batch from an awardees list in a real Chromium (1280 px): the
preview with the four row kinds, the corrected file, the decisions, the batch page; axe clean."""

import pytest

from credentials.models import AwardBatch
from learners.models import Learner
from tests.browser import describe_violations, guide_screenshot, sign_in

from .roster_files import four_kinds, ready, to_csv, to_xlsx

pytestmark = pytest.mark.browser


def fill_the_day(page, benguet, achievement):
    page.select_option("select[name=division]", str(benguet.pk))
    page.check(f"input[name=achievements][value='{achievement.pk}']")
    page.fill("input[name=ceremony_date]", "2025-12-19")
    page.fill("input[name=venue]", "La Trinidad Municipal Gym")
    page.fill("input[name=signatory_1_name]", "Juana Santos")
    page.fill("input[name=signatory_1_position]", "Schools Division Superintendent")
    page.fill("input[name=signatory_2_name]", "Carlo Ramos")
    page.fill("input[name=signatory_2_position]", "Education Program Specialist for ALS")


def test_epsa_prepares_a_batch_from_a_list_with_all_four_kinds(
    transactional_db,
    browser_page,
    axe,
    benguet,
    benguet_learners,
    merged_rosa,
    achievement,
    tmp_path,
):
    _survivor, alias = merged_rosa
    page = browser_page
    sign_in(page, "epsa.benguet")
    page.click("button:has-text('Micro-credentials')")
    page.click("a:has-text('Prepare an award batch')")
    page.wait_for_url("**/admin/credentials/prepare/")
    fill_the_day(page, benguet, achievement)
    first = tmp_path / "awardees.csv"
    first.write_bytes(to_csv(four_kinds(benguet_learners, alias)))
    page.set_input_files("input[name=file]", str(first))
    assert axe(page) == [], describe_violations(axe(page))
    guide_screenshot(page, "epsa-credentials-1-prepare")
    page.click("text=Upload and check the list")
    page.wait_for_url("**/admin/credentials/prepare/*/")

    rows = page.locator("[data-testid=roster-rows] tbody tr")
    assert rows.count() == 7
    shown = {
        rows.nth(i).get_attribute("data-row"): rows.nth(i).get_attribute("data-kind")
        for i in range(7)
    }
    assert shown == {
        "2": "matched",
        "3": "differing",
        "4": "new",
        "5": "new",
        "6": "refused",
        "7": "refused",
        "8": "matched",
    }
    counts = page.locator("[data-testid=roster-counts]").inner_text()
    assert "Matched: 2" in counts and "Refused: 2" in counts
    assert "was merged into" in page.locator("tr[data-row='8']").inner_text()
    assert "Possible duplicate" in page.locator("tr[data-row='5']").inner_text()
    assert "An LRN is exactly 12 digits" in page.locator("tr[data-row='6']").inner_text()
    assert page.locator("[data-testid=confirm-roster]").is_disabled()
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    guide_screenshot(page, "epsa-credentials-2-preview")

    # The refused rows are removed from the file; the day's details stay filled in.
    page.click("text=Upload a corrected file")
    assert page.input_value("input[name=venue]") == "La Trinidad Municipal Gym"
    corrected = tmp_path / "awardees-corrected.xlsx"
    corrected.write_bytes(to_xlsx(ready(benguet_learners, alias)))
    page.set_input_files("input[name=file]", str(corrected))
    page.click("text=Upload and check the list")
    page.wait_for_url("**/admin/credentials/prepare/*/")
    assert page.locator("[data-testid=roster-rows] tbody tr").count() == 5
    page.check("#row-3-file")
    page.check("#row-5-new")
    assert page.locator("[data-testid=confirm-roster]").is_enabled()
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    guide_screenshot(page, "epsa-credentials-3-decide")
    page.click("[data-testid=confirm-roster]")
    page.wait_for_url("**/admin/credentials/batches/*/")

    batch = AwardBatch.objects.get()
    assert batch.members.count() == 5 and batch.prepared_by.username == "epsa.benguet"
    assert "Pedrito Dalisay" in page.locator("[data-testid=batch-members]").inner_text()
    assert Learner.objects.filter(lrn__in=["136512259100", "136512259101"]).count() == 2
    violations = axe(page)
    assert violations == [], describe_violations(violations)
    guide_screenshot(page, "epsa-credentials-4-batch")
