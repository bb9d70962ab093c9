"""The learner access log (scoped review by the focal person) and the data-subject access report."""

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from learners.models import LearnerAccessLog, LearnerAlias

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_learners(make_learner, enrol_at, benguet_clc, abra_clc):
    benguet = make_learner(
        "136512250001",
        "Dela Cruz",
        "Juan",
        date(2006, 3, 14),
        religion="Roman Catholic",
        address={"barangay": "Poblacion", "municipality": "La Trinidad"},
    )
    abra = make_learner("140112250009", "Bersamin", "Ana", sex="F")
    enrol_at(benguet, benguet_clc)
    enrol_at(abra, abra_clc)
    return benguet, abra


def test_viewing_a_record_is_logged(client, user_named, two_learners):
    benguet, _abra = two_learners
    client.force_login(user_named("epsa.benguet"))
    client.post(reverse("learners:enrol"), {"confirmed": "on"})
    client.get(reverse("learners:preview", args=[benguet.pk]))
    entry = LearnerAccessLog.objects.get(learner=benguet, action="view", channel="admin")
    assert entry.username == "epsa.benguet"
    assert "religion" in entry.fields and "address" in entry.fields
    client.get(reverse("learners:search"), {"last_name": "dela cruz"})
    listed = LearnerAccessLog.objects.filter(learner=benguet, action="view").order_by("-pk")[0]
    assert listed.fields == ["lrn", "name", "sex", "birthdate"]


def test_focal_person_reviews_the_log_of_their_division_only(client, user_named, two_learners):
    benguet, abra = two_learners
    for learner in two_learners:
        LearnerAccessLog.objects.create(
            learner=learner, lrn=learner.lrn, username="someone", action="view", channel="api"
        )
    client.force_login(user_named("focal.benguet"))
    response = client.get(reverse("learners:access_log"))
    assert response.status_code == 200
    assert "136512250001" in response.text
    assert "140112250009" not in response.text
    response = client.get(reverse("learners:access_log"), {"lrn": "140112250009"})
    assert "No entries." in response.text
    client.force_login(user_named("sysadmin.region"))
    response = client.get(reverse("learners:access_log"))
    assert "136512250001" in response.text and "140112250009" in response.text


def test_access_log_is_not_for_teachers_or_epsa(client, user_named, two_learners):
    for username in ("teacher.benguet", "epsa.benguet"):
        client.force_login(user_named(username))
        assert client.get(reverse("learners:access_log")).status_code == 302
        assert "Learner access log" not in client.get(reverse("wagtailadmin_home")).text
    client.force_login(user_named("focal.benguet"))
    assert "Learner access log" in client.get(reverse("wagtailadmin_home")).text


def test_learner_report_json(two_learners, capsys):
    benguet, _abra = two_learners
    LearnerAlias.objects.create(lrn="136512250104", learner=benguet)
    call_command("learner_report", "136512250104", "--requested-by", "Juan Dela Cruz (DSAR 12)")
    report = json.loads(capsys.readouterr().out)
    assert report["learner"]["lrn"] == "136512250001"
    assert report["learner"]["religion"] == "Roman Catholic"
    assert report["learner"]["address"] == {"barangay": "Poblacion", "municipality": "La Trinidad"}
    assert report["aliases"] == ["136512250104"]
    assert report["enrolments"][0]["cycle"] == "SY 2025-2026"
    assert report["access_log"][-1]["action"] == "Data-subject access report"
    entry = LearnerAccessLog.objects.get(learner=benguet, action="report")
    assert (entry.channel, entry.username) == ("command", "Juan Dela Cruz (DSAR 12)")


def test_learner_report_text_and_unknown_lrn(two_learners, capsys):
    call_command("learner_report", "136512250001", "--format", "text")
    out = capsys.readouterr().out
    assert "LEARNER RECORD" in out
    assert "religion: Roman Catholic" in out
    assert "ENROLMENTS" in out and "SY 2025-2026" in out
    with pytest.raises(CommandError, match="No learner with LRN 999999999999"):
        call_command("learner_report", "999999999999")


def test_access_log_pages_keep_the_filter(client, user_named, two_learners):
    benguet, _abra = two_learners
    LearnerAccessLog.objects.bulk_create(
        LearnerAccessLog(
            learner=benguet, lrn=benguet.lrn, username=f"user{i}", action="export", channel="api"
        )
        for i in range(55)
    )
    client.force_login(user_named("focal.benguet"))
    response = client.get(reverse("learners:access_log"), {"action": "export"})
    assert "Page 1 of 2" in response.text
    assert "?action=export&amp;p=2" in response.text
    response = client.get(reverse("learners:access_log"), {"action": "export", "p": 2})
    assert response.text.count("<td>Exported</td>") == 5
