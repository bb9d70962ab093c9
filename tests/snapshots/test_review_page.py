"""The snapshot page as a review workspace (issue 14): a summary (counts by sex, program and CLC;
errors "none"), a paged preview of the rows for those who may see learner-level data only,
who reviews it, nobody reviewing their own submission (service, API, no button), and upload
forms that start empty."""

import re

import pytest
from django.core.exceptions import PermissionDenied

from api.services import issue_token
from learners.models import LearnerAccessLog
from snapshots import services
from snapshots.models import Snapshot, State

from .conftest import imported_af3

pytestmark = pytest.mark.django_db


def counts(rows, column):
    found = {}
    for row in rows:
        found[row[column]] = found.get(row[column], 0) + 1
    return found


def test_summary_counts_by_sex_program_and_clc(client, user_named, period, af3_rows):
    rows = af3_rows(30)
    snapshot = imported_af3(user_named("teacher.benguet"), period, rows, "benguet/LTR")
    # Counted as the rows were stored (no decryption later), and the same when recounted.
    stored = Snapshot.objects.get(pk=snapshot.pk).summary
    assert stored["sex"] == {"M": counts(rows, 11)["Male"], "F": counts(rows, 11)["Female"]}
    assert stored["clc"] == counts(rows, 5)
    assert sum(stored["program"].values()) == 30
    Snapshot.objects.filter(pk=snapshot.pk).update(summary=None)
    assert services.summary(Snapshot.objects.get(pk=snapshot.pk)) == stored

    client.force_login(user_named("epsa.benguet"))
    html = client.get(f"/admin/snapshots/{snapshot.pk}/").content.decode()
    section = re.search(r'data-testid="snapshot-summary".*?</section>', html, re.S).group(0)
    assert 'data-testid="summary-errors">None: every row passed the form' in section
    for clc, count in counts(rows, 5).items():
        assert f'<th scope="row">{clc}</th><td>{count}</td>' in section
    assert f'<th scope="row">Female</th><td>{counts(rows, 11)["Female"]}</td>' in section
    assert "By program" in section and "By CLC" in section


def test_a_consolidated_snapshot_adds_up_its_districts(user_named, period, af3_rows):
    teacher = user_named("teacher.benguet")
    epsa = user_named("epsa.benguet")
    district = imported_af3(teacher, period, af3_rows(7), "benguet/LTR")
    services.transition(district, "submit", teacher)
    consolidated = services.consolidate(epsa, district.division, "AF3", period)
    assert consolidated.summary == services.summary(district)
    tables = {t.key: dict(t.rows) for t in services.summary_tables(consolidated)}
    assert sum(tables["sex"].values()) == 7 and sum(tables["clc"].values()) == 7


def test_a_new_upload_recounts_the_summary(user_named, period, af3_rows):
    epsa = user_named("epsa.benguet")
    first = imported_af3(epsa, period, af3_rows(4), "benguet")
    again = imported_af3(epsa, period, af3_rows(9, seed=3), "benguet")
    assert again.pk == first.pk
    assert sum(Snapshot.objects.get(pk=first.pk).summary["sex"].values()) == 9


def test_preview_pages_rows_for_learner_data_roles_only_and_logs_each_view(
    client, user_named, period, af3_rows
):
    rows = af3_rows(30)
    snapshot = imported_af3(user_named("teacher.benguet"), period, rows, "benguet/LTR")
    url = f"/admin/snapshots/{snapshot.pk}/"

    client.force_login(user_named("epsa.benguet"))
    first = client.get(url).content.decode()
    assert 'data-testid="snapshot-preview"' in first
    assert "Rows 1 to 25 of 30." in first and "Page 1 of 2" in first
    assert rows[0][6] in first and rows[24][6] in first and rows[25][6] not in first
    assert "Learner Reference Number (LRN)" in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "Rows 26 to 30 of 30." in second and rows[25][6] in second and rows[0][6] not in second
    # A page number that is not one shows the last page, never an error.
    assert client.get(url, {"page": "999"}).status_code == 200
    assert client.get(url, {"page": "x"}).status_code == 200
    logged = LearnerAccessLog.objects.filter(username="epsa.benguet", action="view")
    assert {rows[0][6], rows[25][6]} <= set(logged.values_list("lrn", flat=True))

    # The teacher who uploaded it, records and the region's LR QA see the summary, not the rows.
    for username in ("teacher.benguet", "records.benguet", "lrqa.region"):
        client.force_login(user_named(username))
        html = client.get(url).content.decode()
        assert 'data-testid="snapshot-summary"' in html
        assert 'data-testid="snapshot-preview"' not in html
        assert rows[0][6] not in html and rows[0][7] not in html
    assert not LearnerAccessLog.objects.filter(username="teacher.benguet").exists()
    with pytest.raises(PermissionDenied):
        services.preview(snapshot, user_named("teacher.benguet"), 1, "admin")
    # Another division's EPSA does not even find the snapshot.
    client.force_login(user_named("epsa.abra"))
    assert client.get(url).status_code == 404


def test_the_upload_form_says_who_reviews_and_starts_empty(client, user_named, period):
    client.force_login(user_named("epsa.benguet"))
    html = client.get("/admin/snapshots/upload/").content.decode()
    routes = re.search(r'data-testid="review-routes".*?</section>', html, re.S).group(0)
    assert "<strong>Benguet (division)</strong>: Regional ALS personnel accept or return it." in (
        routes
    )
    assert "(ALS Region)" in routes
    assert (
        "<strong>Districts of Benguet</strong>: Education Program Specialist for ALS (EPSA) or "
        "Division ALS focal person accept or return it." in routes
    )
    assert "(EPSA Benguet, FOCAL Benguet)" in routes
    # Form, period and unit start on the empty "Choose…" option; none is chosen silently.
    for name in ("form", "period", "unit"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        assert "selected" not in select.split("</option>", 1)[1]
        assert '<option value="" selected>Choose…</option>' in select
    # Nothing chosen: refused with a message per field, and nothing imported.
    response = client.post("/admin/snapshots/upload/", {})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choose which form this is (AF1 to AF5)." in text
    assert "Choose the reporting period." in text
    assert "Choose the district or division the file is for." in text
    # A task's link chooses the form, period and unit explicitly.
    html = client.get(
        "/admin/snapshots/upload/", {"form": "AF2", "period": period.pk, "unit": "benguet"}
    ).content.decode()
    assert '<option value="AF2" selected>' in html
    assert '<option value="benguet" selected>' in html

    # A teacher uploads for a district: the division's EPSA or focal person reviews it.
    client.force_login(user_named("teacher.benguet"))
    html = client.get("/admin/snapshots/upload/").content.decode()
    routes = re.search(r'data-testid="review-routes".*?</section>', html, re.S).group(0)
    assert "Districts of Benguet" in routes and "Benguet (division)" not in routes


def test_the_consolidation_form_starts_empty(client, user_named):
    client.force_login(user_named("epsa.benguet"))
    response = client.post("/admin/snapshots/consolidate/", {})
    text = response.content.decode()
    assert "Choose which form this is (AF1 to AF5)." in text
    assert "Choose the division." in text
    assert not Snapshot.objects.exists()


def test_nobody_accepts_or_returns_a_snapshot_they_submitted(client, user_named, period, af3_rows):
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, period, af3_rows(3), "benguet/LTR")
    snapshot = services.transition(snapshot, "submit", epsa)
    # The service refuses, saying why.
    for action, comments in (("accept", ""), ("return", "Fix row 2.")):
        with pytest.raises(PermissionDenied, match="You submitted .* someone else must"):
            services.transition(snapshot, action, epsa, comments)
    assert [a.name for a in services.available_actions(epsa, snapshot)] == []
    # No button on the page, but who reviews it and why not the submitter.
    client.force_login(epsa)
    html = client.get(f"/admin/snapshots/{snapshot.pk}/").content.decode()
    assert 'name="action" value="accept"' not in html
    assert 'name="action" value="return"' not in html
    assert 'data-testid="own-submission"' in html
    assert "FOCAL Benguet" in html
    # A crafted POST is refused with the same message; the state stays.
    response = client.post(
        f"/admin/snapshots/{snapshot.pk}/", {"action": "accept", "comments": ""}, follow=True
    )
    assert "someone else must accept or return it" in response.content.decode()
    # The API: 403 with the message.
    raw, _token = issue_token(epsa)
    response = client.post(
        f"/api/v1/snapshots/{snapshot.pk}/review",
        {"action": "accept"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403
    assert "someone else must accept or return it" in response.json()["detail"]
    snapshot.refresh_from_db()
    assert snapshot.state == State.SUBMITTED
    # The division's focal person reviews it.
    client.force_login(user_named("focal.benguet"))
    html = client.get(f"/admin/snapshots/{snapshot.pk}/").content.decode()
    assert 'name="action" value="accept"' in html
    services.transition(snapshot, "accept", user_named("focal.benguet"))


@pytest.mark.parametrize(
    ("form", "tables"),
    [
        ("AF1", {"sex": {"Male": 2, "Female": 1}}),
        (
            "AF4",
            {
                "sex": {"Male": 2, "Female": 1},
                "program": {"A&E Elementary": 2, "Not given": 1},
                "clc": {"Balili CLC": 3},
            },
        ),
        (
            "AF5",
            {
                "sex": {"Male": 2, "Female": 1},
                "program": {"A&E Elementary": 2, "Not given": 1},
                "clc": {"Type 3": 2, "Type 2": 1},
            },
        ),
    ],
)
def test_each_form_is_summed_up_by_what_it_records(user_named, period, form, tables):
    """AF1 and AF2 name no CLC nor program; AF4 counts the A&E test level and the CLC's name;
    AF5 the program and the CLC's type. Counted from stored rows (an older snapshot)."""
    from organisation.models import Division
    from snapshots import forms_spec
    from snapshots.models import SnapshotRow

    division = Division.objects.get(slug="benguet")
    snapshot = Snapshot.objects.create(
        form=form, period=period, level="division", region=division.region, division=division
    )
    keys = [c.key for c in forms_spec.columns(form)]
    for number, (sex, level, clc_type) in enumerate(
        [("M", "AE_ELEM", 3), ("M", "", 2), ("F", "AE_ELEM", 3)]
    ):
        payload = [None] * len(keys)
        if "clc_name" in keys:
            payload[keys.index("clc_name")] = "Balili  CLC"
        program = {"AF4": "ae_level", "AF5": "program"}.get(form)
        SnapshotRow.objects.create(
            snapshot=snapshot,
            row_number=number + 2,
            payload=payload,
            division=division,
            sex=sex,
            program=level if program == "program" else "",
            ae_level=level if program == "ae_level" else "",
            clc_type=clc_type,
        )
    found = {t.key: dict(t.rows) for t in services.summary_tables(snapshot)}
    assert found == tables
    captions = [t.caption for t in services.summary_tables(snapshot)]
    if form == "AF4":
        assert captions == ["By sex", "By A&E test level", "By CLC"]
