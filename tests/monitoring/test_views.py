"""The monitoring dashboard and its files: who may open it, over what, and the bytes it sends."""

import csv
import io

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

# One worker takes the module: its known journeys are walked once per module and worker.
pytestmark = pytest.mark.xdist_group("monitoring_views")

URL = "/admin/monitoring/"
BENGUET = "Benguet Schools Division Office"
ABRA = "Abra Schools Division Office"


@pytest.fixture
def as_user(client, user_named, db):
    def login(username):
        client.force_login(user_named(username))
        return client

    return login


def test_a_division_sees_its_own_figures_only(known_journeys, as_user):
    response = as_user("epsa.benguet").get(URL, {"quarter": "2026-Q3"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{BENGUET} — Q3 2026 (2026-07-01 to 2026-09-30)" in html
    assert "received 3, endorsed 1, approved 1, published 1, returned 2" in html
    assert "Original hard copy not submitted" in html
    assert ABRA not in html
    assert "<svg" in html  # the server-rendered charts
    assert 'id="reader-reports"' in html  # where other apps add reports from readers


def test_the_region_sees_every_division_and_may_narrow_to_one(known_journeys, as_user):
    client = as_user("als.region")
    html = client.get(URL, {"quarter": "2026-Q3"}).content.decode()
    assert ABRA in html and BENGUET in html

    narrowed = client.get(URL, {"quarter": "2026-Q3", "division": "abra"}).content.decode()
    assert "received 1, endorsed 0, approved 0, published 0, returned 1" in narrowed


def test_a_division_cannot_open_another_division(known_journeys, as_user):
    client = as_user("epsa.benguet")
    assert client.get(URL, {"quarter": "2026-Q3", "division": "abra"}).status_code == 404
    assert client.get(URL, {"division": "abra", "format": "csv"}).status_code == 404
    assert client.get(URL, {"division": "benguet"}).status_code == 200


@pytest.mark.parametrize("username", ["teacher.benguet", "records.benguet", "lrqa.benguet"])
def test_roles_that_do_not_monitor_are_refused(db, as_user, username):
    client = as_user(username)
    refused = client.get(URL)
    assert refused.status_code == 403
    assert "Monitoring is for regional ALS personnel" in refused.content.decode()
    assert client.get(URL, {"format": "csv"}).status_code == 403
    assert "/admin/monitoring/" not in client.get("/admin/").content.decode()


def test_the_menu_and_the_shortcut_show_to_monitors(db, as_user):
    assert URL in as_user("focal.benguet").get("/admin/").content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"quarter": "2026-Q5"}, "A quarter is written like 2026-Q3."),
        ({"start": "2026-07-01"}, "Give both the first and the last date of the period."),
        ({"start": "2026-07-01", "end": "1 Aug"}, "must be written as YYYY-MM-DD"),
        ({"start": "2026-08-01", "end": "2026-07-01"}, "The last date comes before the first."),
        ({"format": "docx"}, "Unknown format"),
        ({"start": "9999-01-01", "end": "9999-12-31"}, "A period must lie between 2000 and 2100."),
        ({"quarter": "2026-Q3\x00"}, "NUL"),
    ],
)
def test_bad_periods_and_formats_are_400_with_a_message(db, as_user, params, message):
    response = as_user("epsa.benguet").get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_date_range(known_journeys, as_user):
    # Only A's receipt at the division (8 July) and B's return (7 July) fall in 7-8 July.
    response = as_user("epsa.benguet").get(URL, {"start": "2026-07-07", "end": "2026-07-08"})
    html = response.content.decode()
    assert "2026-07-07 to 2026-07-08" in html
    assert "received 1, endorsed 0, approved 0, published 0, returned 1" in html


def test_csv_export(known_journeys, as_user):
    response = as_user("epsa.benguet").get(URL, {"quarter": "2026-Q3", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="als-mis-monitoring-2026-Q3.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    start = rows.index(["Submissions handled, by office"])
    assert rows[start + 1] == [
        "Office",
        "Received",
        "Endorsed",
        "Approved",
        "Published",
        "Returned",
    ]
    assert [BENGUET, "2", "1", "0", "0", "2"] in rows
    reasons = rows.index(["Return reasons, by division"])
    assert rows[reasons + 1] == ["Reason", BENGUET, "Total"]
    assert sorted(rows[reasons + 2 : reasons + 5]) == [
        ["Content errors or gaps", "1", "1"],
        ["Grammar, spelling or language errors", "1", "1"],
        ["Original hard copy not submitted", "1", "1"],
    ]
    assert not any(ABRA in cell for row in rows for cell in row)


def test_xlsx_export(known_journeys, as_user):
    response = as_user("als.region").get(URL, {"quarter": "2026-Q3", "format": "xlsx"})

    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[:6] == [
        "flow",
        "time_in_state",
        "on_time",
        "overdue",
        "reasons_by_division",
        "reasons_by_kind",
    ]
    flow = list(workbook["flow"].iter_rows(values_only=True))
    assert flow[1] == ("Office", "Received", "Endorsed", "Approved", "Published", "Returned")
    assert (ABRA, 1, 0, 0, 0, 1) in flow
    reasons = list(workbook["reasons_by_division"].iter_rows(values_only=True))
    assert reasons[2] == ("Content errors or gaps", 1, 1, 2)


def test_pdf_summary_is_one_a4_page_with_the_figures(known_journeys, as_user):
    response = as_user("epsa.benguet").get(URL, {"quarter": "2026-Q3", "format": "pdf"})

    assert response["Content-Type"] == "application/pdf"
    document = pdfium.PdfDocument(io.BytesIO(response.content))
    assert len(document) == 1
    width, height = document[0].get_size()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = " ".join(document[0].get_textpage().get_text_range().split())
    assert "Monitoring of the submission flow" in text
    assert BENGUET in text and "Q3 2026" in text
    assert "Received 3, endorsed 1, approved 1, published 1, returned 2" in text
    assert "Original hard copy not submitted" in text


def test_spreadsheet_cells_are_never_formulas(db, as_user, settings):
    from guard.spreadsheets import neutralise

    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("Benguet") == "Benguet"
    assert neutralise(3) == 3


def test_other_apps_add_sections_through_the_hook(known_journeys, as_user):
    """Reports from readers (errata) join the page and the exports through SECTIONS_HOOK."""
    from wagtail import hooks

    from monitoring.figures import SECTIONS_HOOK

    asked = []

    def readers_reports(divisions, period, regions):
        asked.append((divisions, regions, period.start.isoformat(), period.end.isoformat()))
        table = {
            "key": "reader_reports",
            "title": "Reports from readers",
            "columns": ["Category", "Reports"],
        }
        return [{**table, "rows": [["Wrong answer key", 4]]}]

    with hooks.register_temporarily(SECTIONS_HOOK, readers_reports):
        client = as_user("epsa.benguet")
        html = client.get(URL, {"quarter": "2026-Q3"}).content.decode()
        exported = client.get(URL, {"quarter": "2026-Q3", "format": "csv"}).content.decode()
        as_user("als.region").get(URL, {"quarter": "2026-Q3"})

    section = html.split('id="reader-reports"')[1]
    assert "Reports from readers" in section and "Wrong answer key" in section
    assert "Wrong answer key,4" in exported
    from organisation.models import Region

    benguet = known_journeys["A"].division_id
    car = Region.objects.get(code="CAR").pk
    # A division's report covers its division; the region's, its whole region (never every
    # region: a regional role sees its own region's figures only).
    assert asked == [([benguet], None, "2026-07-01", "2026-09-30")] * 2 + [
        (None, [car], "2026-07-01", "2026-09-30")
    ]


def test_pdf_prints_names_as_text_never_as_markup(db, user_named):
    from monitoring.access import monitoring_scope
    from monitoring.exports import as_pdf
    from monitoring.figures import build_report
    from monitoring.periods import quarter

    report = build_report(monitoring_scope(user_named("als.region")), quarter(2026, 1))
    document = pdfium.PdfDocument(io.BytesIO(as_pdf(report, "Tabuk & <b>Kalinga</b>")))
    text = document[0].get_textpage().get_text_range()
    assert len(document) == 1
    assert "Tabuk & <b>Kalinga</b>" in text
