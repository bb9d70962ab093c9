"""Snapshots reach someone's "My tasks" (issue 14): a submitted snapshot waits in its reviewers'
tasks (district uploads for the division's EPSA and focal person, division uploads for the
region's ALS personnel) and nobody else's; drafts and returned snapshots wait for whoever
uploaded or submitted them; forms a division has not submitted for the period wait for its EPSA
and focal person, before and after the deadline. Also the role shortcuts of the dashboard."""

import datetime
import re

import pytest
from django.utils import timezone

from organisation.dashboard import shortcuts_for, task_groups_for
from snapshots import dashboard, services
from snapshots.models import ReportingPeriod, Snapshot, State

from .conftest import imported_af3

pytestmark = pytest.mark.django_db


def group(user, key):
    """The titles of the tasks in one of the user's My tasks groups ([] when there is none)."""
    for found in task_groups_for(user):
        if found.key == key:
            return found
    return None


def titles(user, key):
    found = group(user, key)
    return [task.title for task in found.tasks] if found else []


def dashboard_html(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def task_group_html(html, key):
    match = re.search(rf'<ul class="alsmis-task-list" data-task-group="{key}".*?</ul>', html, re.S)
    return match.group(0) if match else ""


def test_a_submitted_district_snapshot_waits_for_the_divisions_epsa_and_focal_person(
    client, user_named, period, af3_rows
):
    teacher = user_named("teacher.benguet")
    snapshot = imported_af3(teacher, period, af3_rows(4), "benguet/LTR")
    # A draft waits for the teacher who uploaded it, and for no reviewer yet.
    assert titles(teacher, "snapshots-to-submit") == [str(snapshot)]
    assert titles(user_named("epsa.benguet"), "snapshots-to-review") == []
    snapshot = services.transition(snapshot, "submit", teacher)

    for reviewer in ("epsa.benguet", "focal.benguet"):
        assert titles(user_named(reviewer), "snapshots-to-review") == [str(snapshot)]
    for other in ("teacher.benguet", "epsa.abra", "als.region", "records.benguet", "lrqa.benguet"):
        assert titles(user_named(other), "snapshots-to-review") == []
    assert titles(teacher, "snapshots-to-submit") == []

    # On the dashboard: a link to the snapshot, who submitted it, and when.
    html = dashboard_html(client, user_named("focal.benguet"))
    tasks = task_group_html(html, "snapshots-to-review")
    assert f'href="/admin/snapshots/{snapshot.pk}/"' in tasks
    assert "Submitted by Teacher Benguet: accept it, or return it with comments." in tasks
    submitted = timezone.localdate(snapshot.submitted_at).strftime("%-d %b %Y")
    assert "(submitted <time" in tasks and f">{submitted}</time>)" in tasks
    assert "Nothing is waiting for you." not in html

    # Accepted: it leaves every task list.
    services.transition(snapshot, "accept", user_named("focal.benguet"))
    assert titles(user_named("epsa.benguet"), "snapshots-to-review") == []


def test_a_submitted_division_snapshot_appears_in_regional_als_my_tasks(
    client, user_named, period, af3_rows
):
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, period, af3_rows(3), "benguet")
    services.transition(snapshot, "submit", epsa)

    html = dashboard_html(client, user_named("als.region"))
    tasks = task_group_html(html, "snapshots-to-review")
    assert str(snapshot) in tasks and f'href="/admin/snapshots/{snapshot.pk}/"' in tasks
    assert "Submitted by EPSA Benguet" in tasks
    for other in ("epsa.benguet", "focal.benguet", "lrqa.region", "records.region", "epsa.abra"):
        assert titles(user_named(other), "snapshots-to-review") == []


def test_nobody_finds_their_own_submission_among_their_reviews(user_named, period, af3_rows):
    # The EPSA uploads and submits a district snapshot: the focal person reviews it, not the EPSA.
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, period, af3_rows(3), "benguet/LTR")
    services.transition(snapshot, "submit", epsa)
    assert titles(epsa, "snapshots-to-review") == []
    assert titles(user_named("focal.benguet"), "snapshots-to-review") == [str(snapshot)]
    # A superuser who submits does not review either.
    admin = user_named("admin")
    other = imported_af3(admin, period, af3_rows(3, seed=5, lrn_start=200000000000), "benguet")
    services.transition(other, "submit", admin)
    assert str(other) not in titles(admin, "snapshots-to-review")
    assert str(snapshot) in titles(admin, "snapshots-to-review")


def test_a_returned_snapshot_waits_for_whoever_submitted_it(user_named, period, af3_rows):
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, period, af3_rows(3), "benguet")
    services.transition(snapshot, "submit", epsa)
    services.transition(snapshot, "return", user_named("als.region"), "Row 2 has no CLC type.")
    found = group(epsa, "snapshots-to-submit")
    assert [t.title for t in found.tasks] == [str(snapshot)]
    assert found.tasks[0].reason == (
        "Returned by ALS Region: upload a corrected file and submit it again."
    )
    assert titles(user_named("focal.benguet"), "snapshots-to-submit") == []
    assert titles(user_named("als.region"), "snapshots-to-review") == []


def make_period(code, deadline, forms=(), year=None):
    return ReportingPeriod.objects.create(
        code=code,
        cycle=ReportingPeriod.Cycle.CALENDAR_YEAR,
        start_year=year or deadline.year,
        deadline=deadline,
        forms=list(forms),
    )


def test_forms_missing_for_the_period_wait_for_the_divisions_epsa_and_focal_person(
    client, user_named, period, af3_rows
):
    today = timezone.localdate()
    # `period` (CY 2026) is due in the future; a past period is late.
    late = make_period("late-test", today - datetime.timedelta(days=20), ["AF1", "AF3"], 2025)
    ReportingPeriod.objects.filter(pk=period.pk).update(
        deadline=today + datetime.timedelta(days=14)
    )
    period.refresh_from_db()
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, period, af3_rows(3), "benguet")
    services.transition(snapshot, "submit", epsa)

    due = {(d.period.code, d.form): d for d in services.forms_due(epsa)}
    assert set(due) == {
        ("late-test", "AF1"),
        ("late-test", "AF3"),
        ("2026", "AF1"),
        ("2026", "AF2"),
        ("2026", "AF4"),
        ("2026", "AF5"),
    }
    assert due[("late-test", "AF1")].is_late and not due[("2026", "AF1")].is_late
    # The focal person has the same tasks; other divisions' and other roles' staff none of them.
    assert {(d.period.code, d.form) for d in services.forms_due(user_named("focal.benguet"))} == (
        set(due)
    )
    for other in ("teacher.benguet", "records.benguet", "als.region", "lrqa.benguet", "admin"):
        assert services.forms_due(user_named(other)) == []
    assert ("2026", "AF3") in {
        (d.period.code, d.form) for d in services.forms_due(user_named("epsa.abra"))
    }

    html = dashboard_html(client, epsa)
    tasks = task_group_html(html, "forms-due")
    assert f"AF1 of Benguet for CY {period.start_year}" in tasks
    assert f'Not submitted yet. <small>(due <time datetime="{period.deadline}' in tasks
    assert f">{period.deadline:%-d %b %Y}</time>)" in tasks
    assert "AF3 of Benguet for CY 2025" in tasks
    assert f'Late: not submitted by the deadline. <small>(due <time datetime="{late.deadline}' in (
        tasks
    )
    assert "AF3 of Benguet for CY 2026" not in tasks
    # The link opens the upload form with the form, period and division chosen.
    assert f'href="/admin/snapshots/upload/?form=AF1&amp;period={period.pk}&amp;unit=benguet"' in (
        tasks
    )
    assert "2 items are overdue." in html
    assert "Nothing is waiting for you." not in html
    # Records of Benguet: nothing of the snapshots, and no submissions either.
    assert "Nothing is waiting for you." in dashboard_html(client, user_named("records.benguet"))


def test_a_division_draft_is_one_task_not_two(user_named, period, af3_rows):
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, period, af3_rows(3), "benguet")
    assert titles(epsa, "snapshots-to-submit") == [str(snapshot)]
    assert not any(t.startswith("AF3 ") for t in titles(epsa, "forms-due"))
    # The focal person did not upload it: the missing AF3 leads them to the waiting draft.
    focal = [
        task
        for task in group(user_named("focal.benguet"), "forms-due").tasks
        if task.title.startswith("AF3 ")
    ]
    assert focal[0].url == f"/admin/snapshots/{snapshot.pk}/"
    assert focal[0].reason.endswith("A draft is waiting to be submitted.")


def test_task_periods_are_the_late_ones_and_the_next_one_due():
    today = datetime.date(2026, 6, 1)
    old = make_period("t-old", datetime.date(2025, 3, 31))
    make_period("t-later", datetime.date(2027, 12, 15))
    upcoming = make_period("t-next", datetime.date(2026, 12, 15))
    assert services.task_periods(today) == [old, upcoming]


def test_a_long_group_shows_ten_and_links_to_the_rest(user_named):
    today = timezone.localdate()
    for number in range(3):
        make_period(f"late-{number}", today - datetime.timedelta(days=10 + number))
    found = group(user_named("epsa.benguet"), "forms-due")
    assert found.total == 15 and len(found.tasks) == 10
    assert found.cut_short and found.more_url == "/admin/snapshots/deadlines/"
    assert found.overdue_count == 10


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("teacher.benguet", ["new-submission", "enrol", "upload"]),
        ("records.benguet", []),
        ("lrqa.region", []),
        (
            "epsa.benguet",
            [
                "new-submission",
                "enrol",
                "transfers",
                "upload",
                "review-snapshots",
                "consolidate",
                "deadlines",
                "monitoring",
            ],
        ),
        (
            "focal.benguet",
            [
                "enrol",
                "transfers",
                "upload",
                "review-snapshots",
                "consolidate",
                "deadlines",
                "monitoring",
            ],
        ),
        ("sysadmin.region", ["new-submission", "deadlines", "micro-credentials", "monitoring"]),
        (
            "als.region",
            [
                "new-submission",
                "transfers",
                "review-snapshots",
                "deadlines",
                "micro-credentials",
                "monitoring",
            ],
        ),
    ],
)
def test_role_shortcuts_are_the_links_the_role_may_use(client, user_named, username, expected):
    user = user_named(username)
    shortcuts = shortcuts_for(user)
    assert [s.key for s in shortcuts] == expected
    # Each one opens for this user (no shortcut leads to a refusal).
    client.force_login(user)
    for shortcut in shortcuts:
        response = client.get(shortcut.url)
        assert response.status_code in (200, 302), (shortcut.key, response.status_code)
        if response.status_code == 302:
            # The enrolment flow starts with its data-source step, which is the same screen.
            assert response["Location"].startswith("/admin/learners/enrol/")
    html = dashboard_html(client, user)
    if expected:
        assert 'data-testid="role-shortcuts"' in html
        for shortcut in shortcuts:
            assert f'href="{shortcut.url}"' in html.replace("&amp;", "&")
    else:
        assert 'data-testid="role-shortcuts"' not in html


def test_my_tasks_lists_every_apps_groups_from_the_hook(user_named, period, af3_rows):
    """The snapshots' groups come through organisation.dashboard's hook, as other apps' do."""
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, period, af3_rows(3), "benguet")
    keys = [g.key for g in task_groups_for(epsa)]
    assert "snapshots-to-submit" in keys and "forms-due" in keys
    assert [g.key for g in dashboard.my_tasks(epsa) if g.tasks] == [
        k for k in keys if k.startswith(("snapshots", "forms"))
    ]
    assert snapshot.state == State.DRAFT


def test_the_review_list_is_can_acts_rule_for_every_user(django_user_model, user_named, period):
    """`to_review` is `can_act(…, "accept")` as a query: for every demo user, the same snapshots."""
    from organisation.models import Division

    epsa, teacher = user_named("epsa.benguet"), user_named("teacher.benguet")
    made = []
    for slug in ("benguet", "abra"):
        division = Division.objects.get(slug=slug)
        district = division.districts.order_by("pk").first()
        for level, unit, submitter in (("division", None, epsa), ("district", district, teacher)):
            made.append(
                Snapshot.objects.create(
                    form="AF3",
                    period=period,
                    level=level,
                    region=division.region,
                    division=division,
                    district=unit,
                    state=State.SUBMITTED,
                    submitted_by=submitter,
                    row_count=1,
                )
            )
    for user in django_user_model.objects.all():
        expected = {s.pk for s in made if services.can_act(user, s, "accept")}
        assert {s.pk for s in services.to_review(user)} == expected, user.username
