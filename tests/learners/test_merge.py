"""Merging two records of one person: the oldest LRN prevails, the other stays as an alias."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learners import services
from learners.models import Learner, LearnerAccessLog, LearnerMerge

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_learner, enrol_at, benguet_clc):
    older = make_learner("136512250001", "Dela Cruz", "Juan", religion="Roman Catholic")
    newer = make_learner("136512250104", "de la Cruz", "Jaun", contact_number="09170000104")
    # The record registered first prevails, whichever LRN sorts first.
    Learner.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=400))
    enrol_at(older, benguet_clc, cycle="SY 2025-2026")
    enrol_at(newer, benguet_clc, cycle="SY 2026-2027", day=date(2026, 9, 1))
    return Learner.objects.get(pk=older.pk), newer


def test_merge_keeps_the_oldest_record_and_aliases_the_other(pair, user_named):
    older, newer = pair
    focal = user_named("focal.benguet")
    merge = services.merge_learners(newer, older, user=focal, reason="RF01-2026-001")
    assert merge.surviving == older
    assert merge.merged_lrn == "136512250104"
    assert merge.enrolments_moved == 1
    assert merge.merged_record["contact_number"] == "09170000104"
    assert not Learner.objects.filter(lrn="136512250104").exists()
    assert set(older.enrolments.values_list("cycle__label", flat=True)) == {
        "SY 2025-2026",
        "SY 2026-2027",
    }
    # Searching the alias LRN finds the surviving learner.
    assert services.find_by_lrn("136512250104") == older
    assert services.lrn_in_use("136512250104")
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action="learners.merge", object_id=str(older.pk))
    assert entry.data["merged_lrn"] == "136512250104"
    assert entry.user == focal


def test_merged_record_is_stored_encrypted(pair, user_named):
    from django.db import connection

    older, newer = pair
    merge = services.merge_learners(older, newer, user=user_named("focal.benguet"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT merged_record FROM learners_learnermerge WHERE id = %s", [merge.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("fernet:") and "09170000104" not in raw


def test_a_shared_cycle_keeps_the_survivors_enrolment(
    make_learner, enrol_at, benguet_clc, user_named
):
    a = make_learner("136512250001", "Dela Cruz", "Juan")
    b = make_learner("136512250104", "de la Cruz", "Jaun")
    enrol_at(a, benguet_clc)
    enrol_at(b, benguet_clc)
    merge = services.merge_learners(a, b, user=user_named("focal.benguet"))
    assert merge.enrolments_moved == 0
    assert a.enrolments.count() == 1
    assert merge.merged_record["enrolments"][0]["cycle"] == "SY 2025-2026"


def test_cannot_merge_a_record_with_itself(pair, user_named):
    older, _newer = pair
    with pytest.raises(ValidationError):
        services.merge_learners(older, older, user=user_named("focal.benguet"))


def test_focal_person_merges_in_the_admin(client, user_named, pair):
    older, newer = pair
    client.force_login(user_named("focal.benguet"))
    data = {"lrn_a": "136512250104", "lrn_b": "136512250001", "reason": "RF01-2026-001"}
    response = client.post(reverse("learners:merge"), data)
    assert response.status_code == 200
    assert "Prevails (registered first): 136512250001" in response.text
    assert "Roman Catholic" in response.text
    assert not LearnerMerge.objects.exists()
    response = client.post(reverse("learners:merge"), dict(data, confirmed="on"), follow=True)
    assert "LRN 136512250104 merged into 136512250001" in response.text
    assert LearnerMerge.objects.get().surviving == older
    assert LearnerAccessLog.objects.filter(learner=older, action="merge").exists()
    # The enrolment flow's LRN search finds the survivor by the alias.
    client.post(reverse("learners:enrol"), {"confirmed": "on"})
    response = client.get(reverse("learners:search"), {"lrn": "136512250104"})
    assert "136512250001" in response.text
    assert "LRN 136512250104 was merged into this record" in response.text
    assert "Dela Cruz, Juan" in response.text


def test_merge_is_for_focal_persons_and_system_administrators(client, user_named, pair):
    client.force_login(user_named("epsa.benguet"))
    response = client.get(reverse("learners:merge"))
    assert response.status_code == 302
    client.force_login(user_named("sysadmin.region"))
    assert client.get(reverse("learners:merge")).status_code == 200
    client.force_login(user_named("focal.abra"))
    response = client.post(
        reverse("learners:merge"),
        {"lrn_a": "136512250104", "lrn_b": "136512250001", "reason": "x", "confirmed": "on"},
    )
    assert "No learner with this LRN in your scope." in response.text
    assert not LearnerMerge.objects.exists()


def test_merging_a_record_that_absorbed_another_keeps_the_whole_history(make_learner, user_named):
    focal = user_named("focal.benguet")
    a = make_learner("136512250001", "Dela Cruz", "Juan")
    b = make_learner("136512250104", "de la Cruz", "Jaun")
    c = make_learner("136512250205", "Dela Cruz", "Juan Jr")
    # b absorbs c (b is older than c), then a absorbs b.
    services.merge_learners(b, c, user=focal)
    services.merge_learners(a, b, user=focal)
    assert set(LearnerMerge.objects.values_list("merged_lrn", "surviving__lrn")) == {
        ("136512250205", "136512250001"),
        ("136512250104", "136512250001"),
    }
    assert services.find_by_lrn("136512250205") == a
    assert sorted(a.aliases.values_list("lrn", flat=True)) == ["136512250104", "136512250205"]
