"""The public statistics on a phone, in a real Chromium: readable, no sideways scrolling, no small
count, and no WCAG 2.1 AA violation inside the section."""

import pytest

from tests.browser import run_axe

from .test_public_and_dashboard import ABRA, BENGUET

pytestmark = pytest.mark.browser


def test_public_statistics_read_well_on_a_phone(transactional_db, period, publish, phone_page):
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    page = phone_page
    page.goto("/clmd/")
    section = page.locator("section.public-stats")
    section.wait_for()
    assert "Benguet" in section.inner_text()
    assert "<5" in section.inner_text()
    # The page itself never scrolls sideways; wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    chart = section.locator("svg.chart").first
    box = chart.bounding_box()
    assert box["width"] <= 360 and box["height"] > 50
    # Bar labels stay readable: rendered font size of at least 12 px at 360 px wide.
    size = page.evaluate(
        "() => document.querySelector('svg.chart text').getBoundingClientRect().height"
    )
    assert size >= 12
    assert chart.get_attribute("role") == "img"
    assert page.evaluate("() => document.querySelector('svg.chart title').textContent").startswith(
        "Enrolled ALS learners by division"
    )
    # Only this section is ours; other parts of the page are tested by their owners.
    inside = page.evaluate(
        "(sel) => Array.from(document.querySelectorAll(sel)).length", "section.public-stats *"
    )
    assert inside > 10
    violations = [
        v
        for v in run_axe(page)
        if any(
            page.evaluate(
                "(t) => !!document.querySelector(t)?.closest('section.public-stats')",
                node["target"][0],
            )
            for node in v["nodes"]
        )
    ]
    assert violations == [], violations
