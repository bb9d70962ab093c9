"""Statistics from accepted snapshots: the public CLMD section and the staff dashboard."""

import csv
import io
import re

import openpyxl
import pytest

from cms.models import ClmdPage
from stats import queries
from stats.public import public_statistics

# Benguet: 12 male BLP, 3 female BLP, 2 female A&E Elementary, 9 male A&E Secondary.
BENGUET = (
    [("Male", "BLP")] * 12
    + [("Female", "BLP")] * 3
    + [("Female", "A&E Elementary")] * 2
    + [("Male", "A&E Secondary")] * 9
)
ABRA = [("Male", "BLP")] * 20 + [("Female", "BLP")] * 25 + [("Female", "A&E Secondary")] * 7


def clmd_html(client):
    page = ClmdPage.objects.get()
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def table_after(html, caption_start):
    start = html.index(caption_start)
    return html[start : html.index("</table>", start)]


def row_cells(table_html, label):
    """The cells of a row as they show: a hidden cell's words for screen readers left out."""
    match = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', table_html, re.S)
    assert match, label
    return [shown(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1))]


def shown(cell_html):
    cell_html = re.sub(r'<span class="visually-hidden">.*?</span>', "", cell_html)
    return re.sub(r"<[^>]+>", "", cell_html)


def test_public_clmd_page_shows_benguet_enrolment_with_small_cells_suppressed(
    client, demo, period, publish
):
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    publish(period, "ifugao", [("Male", "BLP")] * 30, accept=False)  # submitted, not accepted

    html = clmd_html(client)
    by_sex = table_after(html, "Enrolment by division and sex")
    # Benguet: 21 male, 5 female, 26 in all: nothing small, all shown.
    assert row_cells(by_sex, "Benguet") == ["21", "5", "26"]
    assert row_cells(by_sex, "Abra") == ["20", "32", "52"]
    assert "Ifugao" not in html  # not accepted yet, so not published

    by_program = table_after(html, "Enrolment by division and program")
    benguet = row_cells(by_program, "Benguet")
    # BLP 15, A&E Elementary 2 (small), A&E Secondary 9; 2 is shown as "<5" and one
    # complement in its row is hidden as "x" so 2 cannot be worked out as 26 - 15 - 9.
    assert benguet[1] == "&lt;5"
    assert benguet.count("x") >= 1
    assert "2" not in benguet
    for text in map(shown, re.findall(r"<td[^>]*>(.*?)</td>", by_program + by_sex)):
        if text.isdigit():
            assert int(text) >= 5, text
    assert 'class="suppressed"' in by_program
    assert "<svg" in html and 'role="img"' in html and "<title" in html


def test_public_statistics_use_only_the_newest_accepted_version(demo, period, publish):
    publish(period, "abra", ABRA)
    assert public_statistics().by_sex.grand_total.value == 52
    publish(period, "abra", ABRA[:40])  # a corrected, accepted version 2
    assert public_statistics().by_sex.grand_total.value == 40


def test_no_data_yet_says_so(client, demo):
    assert "No statistics have been published yet." in clmd_html(client)


def test_dashboard_counts_by_dimension_and_respects_scope(client, user_named, period, publish):
    publish(period, "benguet", BENGUET)
    publish(period, "abra", ABRA)
    client.force_login(user_named("als.region"))
    response = client.get("/admin/statistics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enrolment by delivery mode and sex" in html and "Enrolment by CLC type and sex" in html
    assert "FLT overall score distribution" in html and "A&amp;E registrants" in html
    division_table = table_after(html, 'data-table="division"')
    assert row_cells(division_table, "Benguet") == ["21", "5", "26"]
    assert row_cells(division_table, "Abra") == ["20", "32", "52"]

    client.force_login(user_named("epsa.benguet"))
    html = client.get("/admin/statistics/").content.decode()
    division_table = table_after(html, 'data-table="division"')
    assert "Abra" not in division_table
    assert row_cells(division_table, "Benguet") == ["21", "5", "26"]


def test_dashboard_exports_csv_and_xlsx(client, user_named, period, publish):
    publish(period, "benguet", BENGUET)
    client.force_login(user_named("als.region"))
    response = client.get(f"/admin/statistics/?period={period.pk}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Enrolment by program and sex"] in rows
    assert ["Basic Literacy Program (BLP)", "12", "3", "15"] in rows
    response = client.get(f"/admin/statistics/?period={period.pk}&format=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["program"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["Basic Literacy Program (BLP)", 12, 3, 15] in values


def test_only_accepted_division_snapshots_count(demo, period, publish):
    publish(period, "benguet", BENGUET, accept=False)
    assert queries.rows_for("AF3", period).count() == 0
    assert public_statistics() is None


@pytest.mark.parametrize("username", ["teacher.benguet"])
def test_teacher_sees_no_other_division_figures(client, user_named, period, publish, username):
    publish(period, "abra", ABRA)
    client.force_login(user_named(username))
    html = client.get("/admin/statistics/").content.decode()
    assert "Abra" not in html
