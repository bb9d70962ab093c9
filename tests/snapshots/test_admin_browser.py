"""A teacher uploads an AF3 in the Wagtail admin with a real Chromium: the rejected file's
report, the error spreadsheet, then the corrected file and its submission; the division's EPSA
(a learner-data role, which the teacher is not) exports it."""

import openpyxl
import pytest

from snapshots import samples
from snapshots.models import Snapshot
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_teacher_uploads_fixes_and_submits(
    transactional_db, demo, period, af3_rows, browser_page, tmp_path
):
    page = browser_page
    sign_in(page, "teacher.benguet")
    page.goto("/admin/snapshots/upload/")
    rows = af3_rows(5)
    rows[3][6] = "13651234567X"
    bad = tmp_path / "af3.csv"
    bad.write_bytes(samples.to_csv("AF3", rows))
    page.select_option("select[name=form]", "AF3")
    page.select_option("select[name=period]", str(period.pk))
    page.select_option("select[name=unit]", "benguet/LTR")
    page.set_input_files("input[name=file]", str(bad))
    page.click("text=Upload and validate")
    page.wait_for_url("**/admin/snapshots/jobs/*/")
    assert page.locator("[data-status]").inner_text() == "Rejected"
    table = page.locator("table.listing").inner_text()
    assert "G (Learner Reference Number (LRN))" in table and "13651234567X" in table
    with page.expect_download() as download:
        page.click("text=Download the error report (.xlsx)")
    download.value.save_as(tmp_path / "errors.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "errors.xlsx").active
    assert list(sheet.iter_rows(values_only=True))[1][:2] == (
        5,
        "G (Learner Reference Number (LRN))",
    )
    assert Snapshot.objects.count() == 0

    rows[3][6] = "136512345678"
    good = tmp_path / "af3-fixed.xlsx"
    good.write_bytes(samples.to_xlsx("AF3", rows))
    page.goto("/admin/snapshots/upload/")
    page.select_option("select[name=form]", "AF3")
    page.select_option("select[name=period]", str(period.pk))
    page.select_option("select[name=unit]", "benguet/LTR")
    page.set_input_files("input[name=file]", str(good))
    page.click("text=Upload and validate")
    page.wait_for_url("**/admin/snapshots/jobs/*/")
    assert page.locator("[data-status]").inner_text() == "Imported"
    page.click("text=Open the snapshot")
    page.click("button:has-text('Submit for review')")
    assert page.locator("dd[data-state]").inner_text() == "Submitted"
    # Exporting learner-level data needs a learner-data role: the teacher has no export.
    assert page.locator("text=Download .xlsx").count() == 0
    snapshot_url = page.url
    page.context.clear_cookies()
    sign_in(page, "epsa.benguet")
    page.goto(snapshot_url)
    with page.expect_download() as download:
        page.click("text=Download .xlsx")
    download.value.save_as(tmp_path / "export.xlsx")
    exported = openpyxl.load_workbook(tmp_path / "export.xlsx")["AF3"]
    assert exported.max_row == 6
