"""Forms that agree with the registry (issue 16, part 5): each AF row's LRN is checked against
the learner registry when the rows are stored (unknown LRNs, another name or birthdate, merged
LRNs, and on an AF3 the learners enrolled for the period but missing from the form), as
warnings with counts on the snapshot and its review page, and a paged report for those who may
see the snapshot's learner rows, logged like the other learner-data views."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learners.demo import seed_cycles
from learners.models import Enrolment, Learner, LearnerAccessLog, LearnerAlias
from organisation.models import CommunityLearningCenter
from snapshots import forms_spec, importer, reconcile, samples, services
from snapshots.models import RegistryFinding, ReportingPeriod, Snapshot

from .conftest import BENGUET_CLCS, imported_af3

pytestmark = pytest.mark.django_db

Kind = RegistryFinding.Kind


@pytest.fixture
def school_year(db):
    """SY 2025-2026: the registry's enrolment cycle of the same name is the one compared with."""
    return ReportingPeriod.objects.create(
        code="2025-2026",
        cycle=ReportingPeriod.Cycle.SCHOOL_YEAR,
        start_year=2025,
        deadline=datetime.date(2026, 3, 31),
    )


def rows_for(count, district="La Trinidad", lrn_start=100000000000):
    return samples.af3_rows(
        count,
        region="CAR",
        division="Benguet",
        district=district,
        year=2025,
        clcs=BENGUET_CLCS,
        lrn_start=lrn_start,
    )


def set_learner(row, lrn, last, first, born):
    row[6], row[7], row[8], row[9] = lrn, last, first, ""
    row[12] = born.isoformat()
    row[13] = str(forms_spec.age_on(born.isoformat(), datetime.date(2025, 12, 31)))


@pytest.fixture
def registry(demo):
    """Learners of Benguet enrolled in SY 2025-2026 at La Trinidad (and one at Abra)."""
    cycle = seed_cycles()["SY 2025-2026"]
    ltr = CommunityLearningCenter.objects.get(code="LTR-01", district__division__slug="benguet")
    abra = CommunityLearningCenter.objects.filter(district__division__slug="abra").first()

    def learner(lrn, last, first, born, clc=ltr, middle=""):
        made = Learner.objects.create(
            lrn=lrn,
            last_name=last,
            first_name=first,
            middle_name=middle,
            sex="F",
            birthdate=born,
            division=clc.district.division,
        )
        Enrolment.objects.create(
            learner=made,
            cycle=cycle,
            clc=clc,
            program="BLP",
            delivery_mode="F2F",
            date_first_attendance=datetime.date(2025, 7, 1),
        )
        return made

    return {
        "same": learner("136512900001", "Bayang", "Maria", datetime.date(2001, 2, 3), middle="D"),
        "renamed": learner("136512900002", "Palasi", "Grace", datetime.date(1999, 5, 6)),
        "reborn": learner("136512900003", "Tindaan", "Rose", datetime.date(1995, 8, 9)),
        "survivor": learner("136512900004", "Dulnuan", "Ana", datetime.date(2000, 1, 1)),
        "missing": learner("136512900005", "Cosalan", "Liza", datetime.date(1990, 4, 4)),
        "abra": learner("136512900006", "Bersamin", "Joy", datetime.date(1992, 6, 6), abra),
    }


def af3_with_findings(registry):
    """Ten rows: four of registry learners (one alike, one renamed, one with another birthdate,
    one by a merged LRN), six LRNs the registry does not know."""
    LearnerAlias.objects.create(lrn="136512900099", learner=registry["survivor"])
    rows = rows_for(10)
    # Case, accents, spacing and a middle initial are no difference.
    set_learner(rows[0], "136512900001", "BAYÁNG", "maria", datetime.date(2001, 2, 3))
    rows[0][9] = "Dulnuan"
    set_learner(rows[1], "136512900002", "Palasi", "Gracia", datetime.date(1999, 5, 6))
    set_learner(rows[2], "136512900003", "Tindaan", "Rose", datetime.date(1995, 8, 10))
    set_learner(rows[3], "136512900099", "Dulnuan", "Ana", datetime.date(2000, 1, 1))
    return rows


def findings(snapshot):
    return sorted(
        (f.kind, f.row_number, f.lrn, f.surviving_lrn)
        for f in RegistryFinding.objects.filter(snapshot=snapshot)
    )


def test_import_lists_what_disagrees_with_the_registry_and_never_refuses(
    user_named, school_year, registry
):
    rows = af3_with_findings(registry)
    snapshot = imported_af3(user_named("epsa.benguet"), school_year, rows, "benguet/LTR")
    assert snapshot.row_count == 10  # warnings only: every row is stored
    unknown = [(Kind.UNKNOWN, 2 + i, rows[i][6], "") for i in range(4, 10)]
    assert findings(snapshot) == sorted(
        [
            (Kind.NAME, 3, "136512900002", ""),
            (Kind.BIRTHDATE, 4, "136512900003", ""),
            (Kind.ALIAS, 5, "136512900099", "136512900004"),
            # Enrolled at La Trinidad for SY 2025-2026, not on the form (Abra's learner is not).
            (Kind.MISSING, None, "136512900005", ""),
            *unknown,
        ]
    )
    check = Snapshot.objects.get(pk=snapshot.pk).registry_check
    assert check == {
        "checked": 10,
        "cycle": "SY 2025-2026",
        "counts": {"unknown": 6, "name": 1, "birthdate": 1, "alias": 1, "missing": 1},
    }


def test_a_new_upload_checks_again_and_a_consolidation_checks_the_division(
    user_named, school_year, registry
):
    epsa = user_named("epsa.benguet")
    first = imported_af3(epsa, school_year, af3_with_findings(registry), "benguet/LTR")
    rows = rows_for(3)
    set_learner(rows[0], "136512900001", "Bayang", "Maria", datetime.date(2001, 2, 3))
    again = imported_af3(epsa, school_year, rows, "benguet/LTR")
    assert again.pk == first.pk
    assert Snapshot.objects.get(pk=first.pk).registry_check["counts"] == {
        "unknown": 2,
        "name": 0,
        "birthdate": 0,
        "alias": 0,
        # Everyone enrolled at La Trinidad but Maria Bayang.
        "missing": 4,
    }
    services.transition(again, "submit", epsa)
    division = services.consolidate(user_named("focal.benguet"), again.division, "AF3", school_year)
    assert division.registry_check["counts"]["missing"] == 4
    assert division.registry_check["counts"]["unknown"] == 2


def test_the_check_takes_the_same_few_queries_for_any_number_of_rows(
    user_named, school_year, registry
):
    LearnerAlias.objects.create(lrn="136512900099", learner=registry["survivor"])
    snapshot = imported_af3(user_named("epsa.benguet"), school_year, rows_for(2), "benguet/LTR")

    def queries_for(count):
        rows = rows_for(count)
        for index, lrn in enumerate(["136512900001", "136512900002", "136512900099"]):
            set_learner(rows[index], lrn, "Other", "Name", datetime.date(1990, 1, 1))
        result = importer.validate_file(
            io.BytesIO(samples.to_csv("AF3", rows)),
            "csv",
            "AF3",
            division=snapshot.division,
            district=snapshot.district,
            period=school_year,
        )
        assert result.ok
        with CaptureQueriesContext(connection) as captured:
            reconcile.check_prepared(snapshot, result.rows)
        assert RegistryFinding.objects.filter(snapshot=snapshot).count() >= count - 3
        return len(captured)

    # Registry (learners, aliases), cycle, enrolments, the old findings out, the new ones in, the
    # counts: the same handful for 20 rows as for 1,500.
    small, large = queries_for(20), queries_for(1500)
    assert large <= small <= 9


def test_the_review_page_shows_the_counts_and_the_report_lists_the_findings(
    client, user_named, school_year, registry
):
    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, school_year, af3_with_findings(registry), "benguet")
    services.transition(snapshot, "submit", epsa)

    client.force_login(user_named("als.region"))
    page = client.get(f"/admin/snapshots/{snapshot.pk}/").content.decode()
    section = re.search(r'data-testid="registry-check".*?</section>', page, re.S).group(0)
    assert "10 rows with an LRN were compared with the learner registry." in section
    assert "Learners enrolled in SY 2025-2026 at this unit were looked for" in section
    assert re.search(r'data-kind="unknown">.*?LRN not in the registry</a></th><td>6<', section)
    assert re.search(r'data-kind="missing">.*?missing from the form</a></th><td>1<', section)
    assert f'href="/admin/snapshots/{snapshot.pk}/registry/"' in section

    LearnerAccessLog.objects.all().delete()
    report = client.get(f"/admin/snapshots/{snapshot.pk}/registry/?kind=name")
    assert report.status_code == 200
    html = report.content.decode()
    assert "Findings 1 to 1 of 1." in html
    # The form's name beside the registry's, without the other kinds.
    assert "Palasi, Gracia" in html and "Palasi, Grace" in html and "Tindaan" not in html
    logged = LearnerAccessLog.objects.get()
    assert (logged.lrn, logged.action, logged.fields) == (
        "136512900002",
        "view",
        services.REGISTRY_FIELDS,
    )
    assert logged.division_id == snapshot.division_id and logged.username == "als.region"

    every = client.get(f"/admin/snapshots/{snapshot.pk}/registry/").content.decode()
    assert "Findings 1 to 10 of 10." in every
    assert "merged into 136512900004" in every and "Cosalan, Liza" in every
    assert LearnerAccessLog.objects.count() == 11


def test_the_report_is_for_those_who_may_see_the_learner_rows(
    client, user_named, school_year, registry
):
    snapshot = imported_af3(
        user_named("epsa.benguet"), school_year, af3_with_findings(registry), "benguet"
    )
    url = f"/admin/snapshots/{snapshot.pk}/registry/"
    # Sees the snapshot, not its learners: the counts without links, and a 403 for the report.
    client.force_login(user_named("records.benguet"))
    page = client.get(f"/admin/snapshots/{snapshot.pk}/").content.decode()
    assert 'data-testid="registry-check"' in page and url not in page
    refused = client.get(url)
    assert refused.status_code == 403 and "needs a learner-data role" in refused.content.decode()
    # Another division does not see the snapshot at all.
    client.force_login(user_named("epsa.abra"))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)
    assert not LearnerAccessLog.objects.filter(action="view").exists()


def test_the_counts_and_the_report_are_in_filipino_for_a_filipino_reviewer(
    client, user_named, school_year, registry
):
    from wagtail.users.models import UserProfile

    epsa = user_named("epsa.benguet")
    snapshot = imported_af3(epsa, school_year, af3_with_findings(registry), "benguet")
    reviewer = user_named("als.region")
    # The admin speaks the language chosen in the reviewer's account.
    profile = UserProfile.get_for_user(reviewer)
    profile.preferred_language = "fil"
    profile.save()
    client.force_login(reviewer)

    page = client.get(f"/admin/snapshots/{snapshot.pk}/").content.decode()
    section = re.search(r'data-testid="registry-check".*?</section>', page, re.S).group(0)
    assert "Pagtutugma sa talaan ng mga mag-aaral" in section
    assert "10 hilerang may LRN ang inihambing sa talaan ng mga mag-aaral." in section
    assert re.search(r'data-kind="unknown">.*?Wala sa talaan ang LRN</a></th><td>6<', section)
    assert "Buksan ang ulat ng pagtutugma sa talaan" in section

    report = client.get(f"/admin/snapshots/{snapshot.pk}/registry/").content.decode()
    assert f"Pagtutugma sa talaan ng {snapshot}" in report
    assert "Mga natuklasan 1 hanggang 10 sa 10." in report
    assert "Pangalan sa form" in report and "Petsa ng kapanganakan sa talaan" in report
    assert "Naka-enrol sa talaan, wala sa form" in report
    assert "isinama sa 136512900004" in report
    assert "Findings 1 to 10" not in report and "Name on the form" not in report


def test_stored_rows_are_checked_and_reported_without_a_query_per_row(
    user_named, school_year, registry
):
    snapshot = imported_af3(
        user_named("epsa.benguet"), school_year, af3_with_findings(registry), "benguet"
    )
    with CaptureQueriesContext(connection) as checked:
        assert reconcile.check_stored(snapshot)["counts"]["unknown"] == 6
    with CaptureQueriesContext(connection) as reported:
        report = services.registry_report(
            snapshot, user_named("als.region"), 1, "", LearnerAccessLog.Channel.ADMIN
        )
    assert [entry.form["name"] for entry in report.entries if entry.finding.kind == "name"] == [
        "Palasi, Gracia"
    ]
    # About ten queries each; a query per row (a deferred snapshot_id) would add ten more.
    assert len(checked) < 15 and len(reported) < 15
