"""The micro-credentials' staff screens in a real browser (1280 px, axe clean): regional ALS defines
an achievement; the division's EPSA approves and issues a batch from the dashboard; staff re-issue
an award under a corrected name and revoke another."""

import re

import pytest

from credentials.models import Achievement, Award, AwardBatch, AwardState, BatchState
from tests.browser import assert_accessible, guide_screenshot, sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_regional_als_defines_an_achievement(browser_page, axe, demo):
    page = browser_page
    sign_in(page, "als.region")
    page.get_by_role("button", name="Micro-credentials").click()
    page.get_by_role("link", name="Achievements").click()
    page.wait_for_url(re.compile(r"/admin/credentials/$"))
    page.get_by_role("link", name="Define a micro-credential").click()
    page.fill("input[name=slug]", "problem-solving")
    page.fill("input[name=name]", "Problem-solving")
    page.fill("input[name=name_fil]", "Paglutas ng problema")
    page.fill("textarea[name=description]", "Solves everyday problems step by step.")
    page.fill(
        "textarea[name=competency_elements]", "Identifies the problem\nWeighs options\nActs on it"
    )
    page.fill("input[name=learning_strand]", "LS3 Mathematical and Problem-Solving Skills")
    page.fill("input[name=pqf_level]", "1")
    page.fill("textarea[name=criteria_narrative]", "Every rating 3 or more, mean 3 or more.")
    page.fill("textarea[name=assessment_method]", "360° assessment")
    for rater in ("Self", "Teacher", "Community"):
        page.get_by_label(rater, exact=True).check()
    page.fill("textarea[name=certificate_wording]", "has shown problem-solving skills")
    page.fill("textarea[name=certificate_wording_fil]", "ay nagpakita ng kasanayan")
    assert_accessible(page, axe)
    guide_screenshot(page, "region-credentials-1-define")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/admin/credentials/$"))
    assert "Problem-solving" in page.get_by_test_id("achievements").inner_text()
    assert_accessible(page, axe)
    guide_screenshot(page, "region-credentials-2-list")
    achievement = Achievement.objects.get(slug="problem-solving")
    assert achievement.raters == ["self", "teacher", "community"]
    assert achievement.elements == ["Identifies the problem", "Weighs options", "Acts on it"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_approver_approves_and_issues_then_staff_reissue_and_revoke(browser_page, axe, batch):
    page = browser_page
    sign_in(page, "epsa.benguet")
    tasks = page.locator("#my-tasks-section")
    assert "Award batches to approve" in tasks.inner_text()
    assert_accessible(page, axe)
    guide_screenshot(page, "epsa-credentials-approve-1-dashboard")
    tasks.get_by_role("link", name=re.compile("La Trinidad Municipal Gym")).click()
    page.wait_for_url(re.compile(rf"/admin/credentials/batches/{batch.pk}/$"))
    assert "Juana Santos" in page.get_by_test_id("signatories").inner_text()
    assert_accessible(page, axe)
    guide_screenshot(page, "epsa-credentials-approve-2-batch")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("batch-state").inner_text().strip() == "Approved"
    page.get_by_role("button", name="Issue the certificates").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("batch-state").inner_text().strip() == "Issued"
    assert AwardBatch.objects.get(pk=batch.pk).state == BatchState.ISSUED
    codes = list(Award.objects.filter(batch=batch).values_list("code", flat=True))
    table = page.get_by_test_id("batch-awards").inner_text()
    assert len(codes) == 3 and all(code in table for code in codes)
    assert_accessible(page, axe)
    guide_screenshot(page, "epsa-credentials-approve-3-issued")
    with page.expect_download() as download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = 'b.pdf';"
            " document.body.append(a); a.click(); }",
            page.get_by_test_id("batch-pdf").get_attribute("href"),
        )
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"

    # Regional ALS personnel correct a name: re-issue, then revoke another award.
    staff = page.context.browser.new_context(
        base_url=page.url.split("/admin")[0], viewport={"width": 1280, "height": 900}
    )
    region = staff.new_page()
    sign_in(region, "als.region")
    region.goto(f"/admin/credentials/awards/?batch={batch.pk}")
    assert_accessible(region, axe)
    region.get_by_role("link", name="Maria Bagtang").click()
    region.fill("input[name=name_as_printed]", "Maria Cosalan Bagtang")
    assert_accessible(region, axe)
    guide_screenshot(region, "region-credentials-3-reissue")
    region.get_by_role("button", name="Re-issue").click()
    region.wait_for_load_state()
    assert region.get_by_test_id("award-name").inner_text() == "Maria Cosalan Bagtang"
    assert "Replaces" in region.get_by_test_id("award-facts").inner_text()
    old = Award.objects.get(batch=batch, name_as_printed="Maria Bagtang")
    assert old.state == AwardState.REPLACED and old.replaced_by.name_as_printed.endswith("Bagtang")
    region.get_by_test_id("replaces").get_by_role("link").click()
    assert region.get_by_test_id("award-state").inner_text().startswith("Replaced")
    assert "Maria Cosalan Bagtang" in region.get_by_test_id("replaced-by").inner_text()

    region.goto(f"/admin/credentials/awards/?batch={batch.pk}")
    region.get_by_role("link", name="Pedro Dalisay").click()
    region.get_by_role("button", name="Revoke the award").click()
    # The reason is required: the page says so and nothing changes.
    region.wait_for_load_state()
    assert Award.objects.get(batch=batch, name_as_printed="Pedro Dalisay").state == "valid"
    region.fill("textarea[name=reason]", "Assessed in another batch already")
    guide_screenshot(region, "region-credentials-4-revoke")
    region.get_by_role("button", name="Revoke the award").click()
    region.wait_for_load_state()
    assert region.get_by_test_id("award-state").inner_text().startswith("Revoked")
    assert_accessible(region, axe)
    staff.close()
