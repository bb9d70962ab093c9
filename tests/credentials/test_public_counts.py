"""The public CLMD section counts micro-credentials awarded by division and achievement, with the
same small-cell suppression as the enrolment tables."""

import re

import pytest

from tests.credentials.certificates_world import issued_batch

pytestmark = pytest.mark.django_db

SIX = [(f"Learner{n}", "Niña", n % 2) for n in range(6)]
TWO = [("Dulnuan", "Ana", 0), ("Bahatan", "Ben", 1)]


def _cells(html, label):
    table = html[html.index("Micro-credentials awarded by division") :]
    table = table[: table.index("</table>")]
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table, re.S)
    assert match, label
    cells = re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    return [
        re.sub(r"<[^>]+>", "", re.sub(r'<span class="visually-hidden">.*?</span>', "", c))
        for c in cells
    ]


def test_clmd_page_counts_awards_standing_with_small_cells_hidden(client, achievement, benguet):
    from cms.models import ClmdPage
    from credentials.models import Achievement
    from credentials.public_counts import awarded_counts
    from credentials.services import reissue_award, revoke_award

    collaboration = Achievement.objects.create(
        slug="test-collaboration",
        name="Collaboration",
        description="Works with others.",
        competency_elements="Shares tasks",
        learning_strand="LS4 Life and Career Skills",
        pqf_level=1,
        criteria_narrative="-",
        assessment_method="360°",
        raters=["teacher"],
        certificate_wording="has shown collaboration",
    )
    batch = issued_batch(achievement, benguet, people=SIX + [("Extra", "Revoked", 0)])[0]
    revoke_award(None, batch.awards.get(name_as_printed="Revoked Extra"), "Duplicate.")
    reissue_award(
        None, batch.awards.get(name_as_printed="Niña Learner0"), name_as_printed="Niña Learner Zero"
    )
    issued_batch(collaboration, benguet, people=TWO, lrn_base=136512280000)

    table = awarded_counts()
    assert table.column_labels == ["Collaboration", "Communication"]
    assert [cell.value for cell in table.rows[0][1]] == [2, 6]  # revoked out, re-issue once

    html = client.get(ClmdPage.objects.get().url).content.decode()
    assert "Micro-credentials awarded" in html
    cells = _cells(html, "Benguet")
    assert cells[0] == "&lt;5"
    assert cells == ["&lt;5", "x", "8"]  # the 2 hidden, and the 6 that would give it away


def test_no_section_before_anything_is_awarded(client, demo):
    from cms.models import ClmdPage

    html = client.get(ClmdPage.objects.get().url).content.decode()
    assert "Micro-credentials awarded" not in html
