"""Issue 15's whole path in one real Chromium, as the people of docs/credentials.md would walk it:
regional ALS personnel define a micro-credential; an EPSA rates a learner and uploads the
awardees list (all four row kinds), fixes it and confirms; another EPSA of the division approves,
issues and prints the batch; an employer on a phone checks a certificate from its QR code; staff
revoke it (the phone sees "revoked" at once) and re-issue another under a corrected name (its old
code says "replaced" and links to the new one)."""

import io
import re
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.conf import settings
from django.core.cache import caches
from playwright.sync_api import expect
from wagtail.models import ModelLogEntry

from credentials.models import Achievement, Award, AwardBatch, AwardState, BatchState
from learners.models import Learner
from organisation.models import Role
from organisation.services import assign_role
from tests.browser import sign_in

from .roster_files import to_csv

pytestmark = pytest.mark.browser

ELEMENTS = ["Listens to others", "Shares the work", "Resolves a disagreement"]
RATERS = ["self", "teacher", "community"]
GRACE_LRN = "136512259100"


def fill_the_day(page, benguet, achievement):
    page.select_option("select[name=division]", str(benguet.pk))
    page.check(f"input[name=achievements][value='{achievement.pk}']")
    page.fill("input[name=ceremony_date]", "2025-12-19")
    page.fill("input[name=venue]", "La Trinidad Municipal Gym")
    page.fill("input[name=signatory_1_name]", "Juana Santos")
    page.fill("input[name=signatory_1_position]", "Schools Division Superintendent")


def awardees(maria, pedro, ana, *, ana_lrn):
    """One row of each kind: Maria matched (assessed, so no narrative), Pedro under another first
    name (differing), Grace new, and Ana under `ana_lrn` (refused while it is mistyped)."""
    return to_csv(
        [
            [maria.lrn, "Bagtang", "Maria", "", "", "F", "2004-05-01", ""],
            [pedro.lrn, "Dalisay", "Pedrito", "", "", "M", "2004-05-01", "Led the clean-up."],
            [GRACE_LRN, "Lumidao", "Grase", "", "", "F", "2003-02-03", "Tutored her peers."],
            [ana_lrn, "Cosalan", "Ana", "", "", "F", "2004-05-01", "Kept the CLC's records."],
        ]
    )


def pdf_pages(content):
    """The PDF's pages as pdfium objects, with the text of each."""
    document = pdfium.PdfDocument(io.BytesIO(content))
    return [(page, page.get_textpage().get_text_range()) for page in document]


def test_the_whole_path_from_definition_to_a_replaced_certificate(
    transactional_db,
    browser_page,
    phone_page,
    benguet,
    benguet_learners,
    django_user_model,
    tmp_path,
):
    caches["shared"].clear()  # the verification rate limit counts in the shared cache
    maria, pedro, ana = benguet_learners
    # The batch's preparer is an EPSA, so another EPSA of the division approves it.
    approver = django_user_model.objects.create_user(
        "epsa2.benguet", password=settings.DEMO_PASSWORD
    )
    assign_role(approver, Role.EPSA, benguet)
    page = browser_page

    # Regional ALS personnel define the micro-credential in the admin.
    sign_in(page, "als.region")
    page.goto("/admin/credentials/achievements/add/")
    page.fill("input[name=slug]", "collaboration")
    page.fill("input[name=name]", "Collaboration")
    page.fill("input[name=name_fil]", "Pakikipagtulungan")
    page.fill("textarea[name=description]", "Works with others towards a shared goal.")
    page.fill("textarea[name=competency_elements]", "\n".join(ELEMENTS))
    page.fill("input[name=learning_strand]", "LS4 Life and Career Skills")
    page.fill("input[name=pqf_level]", "1")
    page.fill("textarea[name=criteria_narrative]", "Every rating 3 or more, mean 3 or more.")
    page.fill("textarea[name=assessment_method]", "360° assessment")
    for rater in ("Self", "Teacher", "Community"):
        page.get_by_label(rater, exact=True).check()
    page.fill("textarea[name=certificate_wording]", "has shown collaboration skills")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("achievements")).to_contain_text("Collaboration")
    achievement = Achievement.objects.get(slug="collaboration")
    assert achievement.elements == ELEMENTS and achievement.raters == RATERS

    # The division's EPSA records Maria's 360° assessment on every element.
    sign_in(page, "epsa.benguet")
    page.goto("/admin/credentials/assessments/")
    page.fill("input[name=lrn]", maria.lrn)
    page.select_option("select[name=achievement]", "collaboration")
    page.get_by_role("button", name="Open the rating sheet").click()
    qualifies = page.get_by_test_id("qualifies")
    expect(qualifies).to_have_attribute("data-qualified", "no")
    page.fill("input[name=assessed_on]", "2025-11-20")
    for row in range(len(ELEMENTS)):
        for rater, rating in zip(RATERS, ("4", "3", "4"), strict=True):
            page.select_option(f"select[name={rater}_{row}]", rating)
    page.get_by_role("button", name="Save the ratings").click()
    expect(qualifies).to_have_attribute("data-qualified", "yes")
    evidence = (
        "Assessed by self, teacher and community on 3 elements, mean 3.67 of 4 "
        "(pass: 3, each at least 3)"
    )
    expect(qualifies).to_contain_text(evidence)

    # ... then uploads the awardees list: one row of each kind, and the confirmation blocked.
    page.get_by_role("button", name="Micro-credentials").click()
    page.get_by_role("link", name="Prepare an award batch").click()
    fill_the_day(page, benguet, achievement)
    listed = tmp_path / "awardees.csv"
    listed.write_bytes(awardees(maria, pedro, ana, ana_lrn="13651225903"))
    page.set_input_files("input[name=file]", str(listed))
    page.get_by_role("button", name="Upload and check the list").click()
    rows = page.locator("[data-testid=roster-rows] tbody tr")
    expect(rows).to_have_count(4)
    assert [rows.nth(i).get_attribute("data-kind") for i in range(4)] == [
        "matched",
        "differing",
        "new",
        "refused",
    ]
    expect(rows.nth(0)).to_contain_text("In the registry; the name agrees. Printed as: Maria")
    expect(rows.nth(1)).to_contain_text("The registry's: Pedro Dalisay")
    expect(rows.nth(1)).to_contain_text("The file's: Pedrito Dalisay")
    expect(rows.nth(2)).to_contain_text("registered as a new learner of the division")
    expect(rows.nth(3)).to_contain_text("An LRN is exactly 12 digits")
    counts = page.get_by_test_id("roster-counts")
    for kind in ("matched", "differing", "new", "refused"):
        expect(counts.locator(f"li[data-kind={kind}]")).to_have_text(re.compile(r": 1$"))
    expect(page.get_by_test_id("confirm-roster")).to_be_disabled()

    # The EPSA fixes Ana's LRN, uploads again, keeps the registry's name for Pedro, confirms.
    page.get_by_role("link", name="Upload a corrected file").click()
    expect(page.locator("input[name=venue]")).to_have_value("La Trinidad Municipal Gym")
    fixed = tmp_path / "awardees-fixed.csv"
    fixed.write_bytes(awardees(maria, pedro, ana, ana_lrn=ana.lrn))
    page.set_input_files("input[name=file]", str(fixed))
    page.get_by_role("button", name="Upload and check the list").click()
    expect(rows.nth(3)).to_have_attribute("data-kind", "matched")
    page.check("#row-3-registry")
    page.get_by_test_id("confirm-roster").click()
    expect(page).to_have_url(re.compile(r"/admin/credentials/batches/\d+/$"))
    expect(page.get_by_test_id("batch-state")).to_have_text("Prepared")
    members = page.get_by_test_id("batch-members")
    for name in ("Maria Bagtang", "Pedro Dalisay", "Grase Lumidao", "Ana Cosalan"):
        expect(members).to_contain_text(name)
    # The preparer is not offered the approval.
    expect(page.locator("[data-action=approve]")).to_have_count(0)
    batch = AwardBatch.objects.get()
    assert batch.prepared_by.username == "epsa.benguet" and batch.state == BatchState.DRAFT
    grace = Learner.objects.get(lrn=GRACE_LRN)
    assert grace.division_id == benguet.pk

    # Another EPSA of the division finds it among their tasks, approves and issues it.
    sign_in(page, "epsa2.benguet")
    tasks = page.locator("#my-tasks-section")
    expect(tasks).to_contain_text("Award batches to approve")
    tasks.get_by_role("link", name=re.compile("La Trinidad Municipal Gym")).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("batch-state")).to_have_text("Approved")
    page.get_by_role("button", name="Issue the certificates").click()
    expect(page.get_by_test_id("batch-state")).to_have_text("Issued")
    issued = page.locator("[data-testid=batch-awards] tbody tr")
    expect(issued).to_have_count(4)
    awards = {award.learner_id: award for award in Award.objects.filter(batch=batch)}
    assert len(awards) == 4 and {a.state for a in awards.values()} == {AwardState.VALID}
    assert awards[maria.pk].evidence == evidence
    assert awards[pedro.pk].evidence == "Led the clean-up."
    assert awards[pedro.pk].name_as_printed == "Pedro Dalisay"
    batch_log = ModelLogEntry.objects.for_instance(batch).order_by("pk")
    assert list(batch_log.values_list("action", "user__username")) == [
        ("credentials.prepare", "epsa.benguet"),
        ("credentials.approve", "epsa2.benguet"),
        ("credentials.issue", "epsa2.benguet"),
    ]

    # The batch prints as one PDF, a page per learner, each QR code naming /verify/<code>/.
    response = page.request.get(page.get_by_test_id("batch-pdf").get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    content = response.body()
    assert content.startswith(b"%PDF")
    pages = pdf_pages(content)
    assert len(pages) == 4
    for award in awards.values():
        assert sum(award.name_as_printed in text for _page, text in pages) == 1
    ana_page = next(pdf_page for pdf_page, text in pages if "Ana Cosalan" in text)
    decoded = zxingcpp.read_barcodes(ana_page.render(scale=2.5).to_pil())
    ana_code = awards[ana.pk].code
    assert [result.text for result in decoded] == [
        f"{settings.ALSMIS_PUBLIC_URL}/verify/{ana_code}/"
    ]

    # An employer scans Ana's certificate with a phone: valid.
    phone_page.goto(urlsplit(decoded[0].text).path)
    status = phone_page.get_by_role("status")
    expect(status).to_contain_text("Valid.")
    expect(phone_page.locator(".verify-name")).to_have_text("Ana Cosalan")

    # Staff revoke Ana's award with a reason; the phone, reloaded, says revoked at once.
    page.get_by_role("link", name="Ana Cosalan", exact=True).click()
    page.fill("textarea[name=reason]", "Awarded in the Abra batch already.")
    page.get_by_role("button", name="Revoke the award").click()
    expect(page.get_by_test_id("award-state")).to_contain_text("Revoked")
    phone_page.reload()
    expect(status).to_contain_text("Revoked on")
    expect(status).not_to_contain_text("Valid.")
    assert Award.objects.get(pk=awards[ana.pk].pk).revoke_reason == (
        "Awarded in the Abra batch already."
    )

    # Grace's first name was mistyped in the list: staff re-issue her award under the right one.
    page.goto(f"/admin/credentials/awards/{awards[grace.pk].pk}/")
    page.fill("input[name=name_as_printed]", "Grace Lumidao")
    page.get_by_role("button", name="Re-issue").click()
    expect(page.get_by_test_id("award-name")).to_have_text("Grace Lumidao")
    old_grace = Award.objects.get(pk=awards[grace.pk].pk)
    new_grace = old_grace.replaced_by
    assert old_grace.state == AwardState.REPLACED and new_grace.state == AwardState.VALID
    assert new_grace.code != old_grace.code

    # The old code's page says replaced and leads to the new certificate.
    phone_page.goto(f"/verify/{old_grace.code}/")
    expect(status).to_contain_text("Replaced by a newer certificate")
    phone_page.get_by_role("link", name="See the newer certificate").click()
    expect(phone_page).to_have_url(re.compile(rf"/verify/{new_grace.code}/$"))
    expect(status).to_contain_text("Valid.")
    expect(phone_page.locator(".verify-name")).to_have_text("Grace Lumidao")
