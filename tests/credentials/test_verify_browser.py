"""An employer (anonymous, on a phone at 360 x 740) types a code from paper at /verify/ and sees
the certificate valid; after a revocation the same check says "revoked" at once. axe-clean."""

import pytest
from django.core.cache import caches

from tests.browser import describe_violations, guide_screenshot
from tests.credentials.certificates_world import issued_batch


@pytest.mark.browser
def test_anonymous_phone_checks_a_code_then_sees_the_revocation_at_once(
    transactional_db, achievement, benguet, phone_page, axe
):
    from credentials import codes
    from credentials.services import revoke_award

    caches["shared"].clear()
    batch = issued_batch(achievement, benguet)[0]
    award = batch.awards.get(name_as_printed="Niño Peñaflor")

    phone_page.goto("/verify/")
    assert axe(phone_page) == [], describe_violations(axe(phone_page))
    # As read from paper: lower case with spaces instead of dashes.
    phone_page.get_by_label("Verification code").fill(
        codes.display(award.code).lower().replace("-", " ")
    )
    guide_screenshot(phone_page, "public-verify-1-type-code")
    phone_page.get_by_role("button", name="Check").click()
    phone_page.wait_for_url(f"**/verify/{award.code}/")
    status = phone_page.get_by_role("status")
    assert "Valid." in status.inner_text()
    assert phone_page.get_by_text("Niño Peñaflor").first.is_visible()
    assert phone_page.get_by_role("link", name="Add to LinkedIn profile").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    violations = axe(phone_page)
    assert violations == [], describe_violations(violations)
    guide_screenshot(phone_page, "public-verify-2-valid")

    revoke_award(None, award, "Issued to the wrong learner.")
    phone_page.reload()
    assert "Revoked on" in phone_page.get_by_role("status").inner_text()
    violations = axe(phone_page)
    assert violations == [], describe_violations(violations)
    guide_screenshot(phone_page, "public-verify-3-revoked")

    phone_page.goto("/verify/?code=ABCD-EFGH-JKLM-NP")
    assert "No certificate has this code." in phone_page.get_by_role("alert").inner_text()
    violations = axe(phone_page)
    assert violations == [], describe_violations(violations)
    guide_screenshot(phone_page, "public-verify-4-wrong-code")


@pytest.mark.browser
def test_clmd_counts_section_is_axe_clean_on_a_phone(
    transactional_db, achievement, benguet, phone_page, axe
):
    from cms.models import ClmdPage

    issued_batch(achievement, benguet)
    phone_page.goto(ClmdPage.objects.get().url)
    heading = phone_page.get_by_role("heading", name="Micro-credentials awarded", exact=True)
    assert heading.is_visible()
    violations = axe(phone_page)
    assert violations == [], describe_violations(violations)
