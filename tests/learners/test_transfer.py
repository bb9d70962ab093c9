"""Learner transfers between divisions (issue 11): knowing an LRN is not enough to enrol a learner
held by another division or to read their record; the receiving division requests a transfer, the
learner's division (or, after LEARNER_TRANSFER_ANSWER_DAYS without an answer, the region) decides,
both focal persons are told and every step is in the learner access log."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from learners import services, transfers
from learners.models import Enrolment, Learner, LearnerAccessLog, TransferRequest
from organisation.models import CommunityLearningCenter, Division
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

LRN = "140112250077"
#: Values of the AF2 record that only the learner's division may see.
SENSITIVE = {
    "address": "Purok Sampaguita",
    "barangay": "Zone Seven",
    "contact": "09175550123",
    "religion": "Iglesia ni Cristo",
    "ip group": "Itneg",
    "mother": "Valera, Consuelo",
    "birthplace": "Tayum",
}


@pytest.fixture
def abra_learner(make_learner, enrol_at, abra_clc):
    learner = make_learner(
        LRN,
        "Bersamin",
        "Ana",
        date(2004, 7, 21),
        sex="F",
        address={"street": SENSITIVE["address"], "barangay": SENSITIVE["barangay"]},
        contact_number=SENSITIVE["contact"],
        religion=SENSITIVE["religion"],
        ethnic_group=SENSITIVE["ip group"],
        mothers_maiden_name=SENSITIVE["mother"],
        birthplace=SENSITIVE["birthplace"],
        is_4ps_beneficiary=True,
    )
    enrol_at(learner, abra_clc, cycle="SY 2025-2026")
    return learner


def login(client, user_named, username):
    client.force_login(user_named(username))
    # The data-source confirmation of the enrolment flow (seed 001, step 2).
    response = client.post(reverse("learners:enrol"), {"confirmed": "on"})
    assert response.status_code == 302
    return client


def assert_restricted(response, learner):
    """Name, LRN and birthdate are on the page; nothing else of the record is."""
    text = response.content.decode()
    assert learner.lrn in text
    assert learner.full_name in text
    assert "2004-07-21" in text
    for what, value in SENSITIVE.items():
        assert value not in text, f"{what} leaked"
    assert "4Ps" not in text


def enrol_data(cycles, clc):
    return {
        "cycle": cycles["SY 2026-2027"].pk,
        "clc": clc.pk,
        "program": "AE_JHS",
        "delivery_mode": "F2F",
        "date_first_attendance": "2026-07-01",
    }


def request_from_benguet(client, learner, reason="The family moved to La Trinidad."):
    benguet = Division.objects.get(slug="benguet")
    response = client.get(reverse("learners:search"), {"lrn": learner.lrn})
    assert response.status_code == 200
    return client.post(
        reverse("learners:transfer_request", args=[learner.pk]),
        {"to_division": benguet.pk, "reason": reason},
    )


def log_rows(learner, action, username=None):
    rows = LearnerAccessLog.objects.filter(learner=learner, action=action)
    if username:
        rows = rows.filter(username=username)
    return rows


def test_another_division_with_the_lrn_cannot_enrol_nor_see_the_record(
    client, user_named, cycles, abra_learner, benguet_clc
):
    login(client, user_named, "epsa.benguet")
    # Without the LRN: nothing at all.
    for name in ("learners:preview", "learners:enrol_existing", "learners:update"):
        assert client.get(reverse(name, args=[abra_learner.pk])).status_code == 404
    # With the LRN: found, name/LRN/birthdate only, and "Request transfer" instead of "Enrol".
    response = client.get(reverse("learners:search"), {"lrn": LRN})
    assert_restricted(response, abra_learner)
    assert "Request transfer" in response.text
    assert reverse("learners:enrol_existing", args=[abra_learner.pk]) not in response.text
    response = client.get(reverse("learners:preview", args=[abra_learner.pk]))
    assert response.status_code == 200
    assert_restricted(response, abra_learner)
    assert "Request transfer" in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text
    assert client.get(reverse("learners:update", args=[abra_learner.pk])).status_code == 404
    # Enrolling is refused, on the page and at the service.
    response = client.get(reverse("learners:enrol_existing", args=[abra_learner.pk]))
    assert response.status_code == 200
    assert_restricted(response, abra_learner)
    assert "belongs to another division" in response.text
    assert 'name="clc"' not in response.text
    response = client.post(
        reverse("learners:enrol_existing", args=[abra_learner.pk]),
        enrol_data(cycles, benguet_clc),
    )
    assert response.status_code == 409
    assert_restricted(response, abra_learner)
    assert abra_learner.enrolments.count() == 1
    with pytest.raises(ValidationError) as error:
        services.enrol(
            abra_learner,
            user=user_named("epsa.benguet"),
            channel="admin",
            **{
                "cycle": cycles["SY 2026-2027"],
                "clc": benguet_clc,
                "program": "AE_JHS",
                "delivery_mode": "F2F",
                "date_first_attendance": date(2026, 7, 1),
            },
        )
    assert error.value.error_dict["clc"][0].code == "transfer_required"
    # Every restricted view is in the access log, with the three fields shown.
    restricted = log_rows(abra_learner, "view", "epsa.benguet").filter(
        fields=transfers.RESTRICTED_FIELDS
    )
    assert restricted.count() >= 3
    assert {tuple(r.fields) for r in log_rows(abra_learner, "view", "epsa.benguet")} == {
        tuple(transfers.RESTRICTED_FIELDS)
    }


def test_request_accept_then_the_receiving_division_sees_and_enrols(
    client,
    user_named,
    cycles,
    abra_learner,
    benguet_clc,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_tasks,
):
    login(client, user_named, "epsa.benguet")
    with django_capture_on_commit_callbacks(execute=True):
        response = request_from_benguet(client, abra_learner)
    transfer = TransferRequest.objects.get(learner=abra_learner)
    assert response.status_code == 302
    assert response["Location"] == reverse("learners:transfer", args=[transfer.pk])
    assert (transfer.state, transfer.from_division.slug, transfer.to_division.slug) == (
        "requested",
        "abra",
        "benguet",
    )
    assert transfer.requested_by.username == "epsa.benguet"
    run_tasks()
    assert len(mailoutbox) == 1
    assert set(mailoutbox[0].to) == {
        "focal.abra@deped-car.example",
        "focal.benguet@deped-car.example",
    }
    assert LRN in mailoutbox[0].body
    assert SENSITIVE["contact"] not in mailoutbox[0].body
    assert log_rows(abra_learner, "transfer_request", "epsa.benguet").count() == 1

    # The requester follows the request but still sees name, LRN and birthdate only.
    response = client.get(reverse("learners:transfer", args=[transfer.pk]))
    assert_restricted(response, abra_learner)
    assert 'value="accept"' not in response.text
    # It says whose answer is awaited before the region decides.
    assert "Without an answer from Abra within" in response.text
    response = client.get(reverse("learners:preview", args=[abra_learner.pk]))
    assert_restricted(response, abra_learner)
    assert "waiting for an answer" in response.text
    # ... and cannot answer their own request.
    response = client.post(
        reverse("learners:transfer", args=[transfer.pk]), {"action": "accept", "note": ""}
    )
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    transfer.refresh_from_db()
    assert transfer.state == "requested"

    # The focal person of the learner's division finds it among the incoming requests, accepts.
    focal = login(client.__class__(), user_named, "focal.abra")
    response = focal.get(reverse("learners:transfers"))
    assert "Incoming" in response.text
    assert reverse("learners:transfer", args=[transfer.pk]) in response.text
    response = focal.get(reverse("learners:transfer", args=[transfer.pk]))
    assert 'value="accept"' in response.text and 'value="decline"' in response.text
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = focal.post(
            reverse("learners:transfer", args=[transfer.pk]),
            {"action": "accept", "note": "Records handed over."},
        )
    assert response.status_code == 302
    transfer.refresh_from_db()
    abra_learner.refresh_from_db()
    assert transfer.state == "accepted"
    assert transfer.decided_by.username == "focal.abra"
    assert transfer.decided_at is not None
    assert abra_learner.division.slug == "benguet"
    run_tasks()
    assert len(mailoutbox) == 1
    assert {"focal.abra@deped-car.example", "focal.benguet@deped-car.example"} <= set(
        mailoutbox[0].to
    )
    assert "epsa.benguet@deped-car.example" in mailoutbox[0].to
    assert log_rows(abra_learner, "transfer_accept", "focal.abra").count() == 1

    # The receiving division now sees the full record and can enrol the learner.
    response = client.get(reverse("learners:preview", args=[abra_learner.pk]))
    assert response.status_code == 200
    for value in SENSITIVE.values():
        assert value in response.text
    response = client.post(
        reverse("learners:enrol_existing", args=[abra_learner.pk]),
        enrol_data(cycles, benguet_clc),
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(learner=abra_learner, clc=benguet_clc).exists()

    # The previous division keeps its history but no longer reads the record.
    response = focal.get(reverse("learners:preview", args=[abra_learner.pk]))
    assert_restricted(response, abra_learner)
    assert not services.can_see_learner(user_named("epsa.abra"), abra_learner)
    response = focal.get(reverse("learners:search"), {"lrn": LRN})
    assert_restricted(response, abra_learner)
    response = focal.get(reverse("learners:transfer", args=[transfer.pk]))
    assert response.status_code == 200
    assert_restricted(response, abra_learner)
    # The data-subject report carries the transfer.
    report = services.learner_report(abra_learner)
    assert [(t["from_division"], t["to_division"]) for t in report["transfers"]] == [
        ("Abra", "Benguet")
    ]


def test_decline_needs_a_reason_and_keeps_the_learner(
    client, user_named, cycles, abra_learner, benguet_clc
):
    login(client, user_named, "epsa.benguet")
    request_from_benguet(client, abra_learner)
    transfer = TransferRequest.objects.get(learner=abra_learner)
    # A second request while one is open is refused.
    response = client.post(
        reverse("learners:transfer_request", args=[abra_learner.pk]),
        {"to_division": Division.objects.get(slug="benguet").pk, "reason": "again"},
    )
    assert response.status_code == 409
    assert TransferRequest.objects.filter(learner=abra_learner).count() == 1

    epsa_abra = login(client.__class__(), user_named, "epsa.abra")
    response = epsa_abra.post(
        reverse("learners:transfer", args=[transfer.pk]), {"action": "decline", "note": " "}
    )
    assert response.status_code == 400
    assert "Give a reason." in response.text
    response = epsa_abra.post(
        reverse("learners:transfer", args=[transfer.pk]),
        {"action": "decline", "note": "Still attending our CLC in Bangued."},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    abra_learner.refresh_from_db()
    assert transfer.state == "declined"
    assert transfer.note == "Still attending our CLC in Bangued."
    assert abra_learner.division.slug == "abra"
    assert log_rows(abra_learner, "transfer_decline", "epsa.abra").count() == 1
    # A declined request cannot be accepted afterwards.
    response = epsa_abra.post(
        reverse("learners:transfer", args=[transfer.pk]), {"action": "accept", "note": ""}
    )
    assert response.status_code == 409
    # The requester still sees name, LRN and birthdate only, the answer, and may not enrol.
    response = client.get(reverse("learners:transfer", args=[transfer.pk]))
    assert_restricted(response, abra_learner)
    assert "Still attending our CLC in Bangued." in response.text
    response = client.post(
        reverse("learners:enrol_existing", args=[abra_learner.pk]),
        enrol_data(cycles, benguet_clc),
    )
    assert response.status_code == 409
    # A new request is possible after the answer.
    response = request_from_benguet(client, abra_learner, reason="New address certificate.")
    assert response.status_code == 302
    assert TransferRequest.objects.filter(learner=abra_learner, state="requested").count() == 1


def test_unanswered_requests_escalate_and_the_region_decides(
    client,
    user_named,
    cycles,
    abra_learner,
    make_learner,
    enrol_at,
    abra_clc,
    benguet_clc,
    settings,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_tasks,
):
    settings.LEARNER_TRANSFER_ANSWER_DAYS = 10
    other = make_learner("140112250078", "Bersamin", "Carlo", date(2003, 1, 5))
    enrol_at(other, abra_clc)
    login(client, user_named, "epsa.benguet")
    request_from_benguet(client, abra_learner)
    request_from_benguet(client, other)
    old = TransferRequest.objects.get(learner=abra_learner)
    recent = TransferRequest.objects.get(learner=other)
    # Back-date one request past the answer period; the other is 9 days old.
    TransferRequest.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - timedelta(days=10, minutes=1)
    )
    TransferRequest.objects.filter(pk=recent.pk).update(
        requested_at=timezone.now() - timedelta(days=9)
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("escalate_learner_transfers", "--now")
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, recent.state) == ("escalated", "requested")
    assert old.escalated_at is not None
    entry = log_rows(abra_learner, "transfer_escalate").get()
    assert (entry.channel, entry.user, entry.division.slug) == ("command", None, "abra")
    run_tasks()
    assert len(mailoutbox) == 1
    assert {
        "focal.abra@deped-car.example",
        "focal.benguet@deped-car.example",
        "als.region@deped-car.example",
    } <= set(mailoutbox[0].to)
    # Running again changes nothing; the queued task (the scheduled way) does the same work.
    call_command("escalate_learner_transfers")
    run_tasks()
    recent.refresh_from_db()
    assert recent.state == "requested"
    assert log_rows(abra_learner, "transfer_escalate").count() == 1

    # The division can no longer answer; the region decides.
    focal = login(client.__class__(), user_named, "focal.abra")
    response = focal.get(reverse("learners:transfer", args=[old.pk]))
    assert 'value="accept"' not in response.text
    response = focal.post(
        reverse("learners:transfer", args=[old.pk]), {"action": "accept", "note": ""}
    )
    assert response.status_code == 409
    assert "cannot be changed now" in response.text
    old.refresh_from_db()
    assert old.state == "escalated"
    region = client.__class__()
    region.force_login(user_named("als.region"))
    response = region.get(reverse("learners:transfers"))
    assert "Escalated to the region" in response.text
    assert reverse("learners:transfer", args=[old.pk]) in response.text
    response = region.get(reverse("learners:transfer", args=[old.pk]))
    assert_restricted(response, abra_learner)
    assert 'value="approve"' in response.text and 'value="refuse"' in response.text
    # Regional ALS personnel do not get the learner's record through the transfer screens.
    assert region.get(reverse("learners:preview", args=[abra_learner.pk])).status_code != 200
    response = region.post(
        reverse("learners:transfer", args=[old.pk]), {"action": "approve", "note": "Moved."}
    )
    assert response.status_code == 302
    old.refresh_from_db()
    abra_learner.refresh_from_db()
    assert old.state == "approved_by_region"
    assert old.decided_by.username == "als.region"
    assert abra_learner.division.slug == "benguet"
    assert log_rows(abra_learner, "transfer_approve", "als.region").count() == 1
    response = client.post(
        reverse("learners:enrol_existing", args=[abra_learner.pk]),
        enrol_data(cycles, benguet_clc),
    )
    assert response.status_code == 302


def test_the_region_may_refuse_an_escalated_request(client, user_named, cycles, abra_learner):
    login(client, user_named, "epsa.benguet")
    request_from_benguet(client, abra_learner)
    transfer = TransferRequest.objects.get()
    TransferRequest.objects.filter(pk=transfer.pk).update(
        requested_at=timezone.now() - timedelta(days=30)
    )
    assert transfers.escalate_overdue() == 1
    region = client.__class__()
    region.force_login(user_named("als.region"))
    response = region.post(
        reverse("learners:transfer", args=[transfer.pk]), {"action": "refuse", "note": ""}
    )
    assert response.status_code == 400
    response = region.post(
        reverse("learners:transfer", args=[transfer.pk]),
        {"action": "refuse", "note": "No proof of residence."},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    abra_learner.refresh_from_db()
    assert transfer.state == "refused_by_region"
    assert abra_learner.division.slug == "abra"
    assert log_rows(abra_learner, "transfer_refuse", "als.region").count() == 1


def test_answer_period_is_a_setting(user_named, abra_learner, settings):
    transfer = transfers.request_transfer(
        user_named("epsa.benguet"),
        abra_learner,
        Division.objects.get(slug="benguet"),
        reason="moved",
        channel="admin",
    )
    TransferRequest.objects.filter(pk=transfer.pk).update(
        requested_at=timezone.now() - timedelta(days=4)
    )
    assert transfers.escalate_overdue() == 0
    settings.LEARNER_TRANSFER_ANSWER_DAYS = 3
    assert transfers.escalate_overdue() == 1


def test_requester_may_cancel(client, user_named, abra_learner):
    login(client, user_named, "epsa.benguet")
    request_from_benguet(client, abra_learner)
    transfer = TransferRequest.objects.get()
    response = client.post(
        reverse("learners:transfer", args=[transfer.pk]), {"action": "cancel", "note": ""}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.state == "cancelled"
    assert log_rows(abra_learner, "transfer_cancel", "epsa.benguet").count() == 1


def test_a_third_division_sees_nothing(client, user_named, abra_learner):
    login(client, user_named, "epsa.benguet")
    request_from_benguet(client, abra_learner)
    transfer = TransferRequest.objects.get()
    kalinga = client.__class__()
    login(kalinga, user_named, "epsa.kalinga")
    focal_kalinga = client.__class__()
    login(focal_kalinga, user_named, "focal.kalinga")
    for other in (kalinga, focal_kalinga):
        url = reverse("learners:transfer", args=[transfer.pk])
        assert other.get(url).status_code == 404
        assert other.post(url, {"action": "accept", "note": ""}).status_code == 404
        assert other.post(url, {"action": "cancel", "note": ""}).status_code == 404
        assert other.get(reverse("learners:preview", args=[abra_learner.pk])).status_code == 404
        assert (
            other.get(reverse("learners:enrol_existing", args=[abra_learner.pk])).status_code == 404
        )
        response = other.post(
            reverse("learners:transfer_request", args=[abra_learner.pk]),
            {"to_division": Division.objects.get(slug="kalinga").pk, "reason": "x"},
        )
        assert response.status_code == 404
        response = other.get(reverse("learners:transfers"))
        assert response.status_code == 200
        assert LRN not in response.text
    transfer.refresh_from_db()
    assert transfer.state == "requested"
    assert not LearnerAccessLog.objects.filter(
        learner=abra_learner, username__in=["epsa.kalinga", "focal.kalinga"]
    ).exists()


def test_state_changes_are_post_only_and_csrf_protected(user_named, abra_learner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_named("epsa.benguet"))
    session = client.session
    session["learners_source_confirmed"] = True
    session["learners_lrn_found"] = [abra_learner.pk]
    session.save()
    url = reverse("learners:transfer_request", args=[abra_learner.pk])
    assert client.get(url).status_code == 405
    benguet = Division.objects.get(slug="benguet")
    assert client.post(url, {"to_division": benguet.pk, "reason": "x"}).status_code == 403
    assert not TransferRequest.objects.exists()
    transfer = transfers.request_transfer(
        user_named("epsa.benguet"), abra_learner, benguet, reason="x", channel="admin"
    )
    focal = Client(enforce_csrf_checks=True)
    focal.force_login(user_named("focal.abra"))
    response = focal.post(reverse("learners:transfer", args=[transfer.pk]), {"action": "accept"})
    assert response.status_code == 403
    transfer.refresh_from_db()
    assert transfer.state == "requested"


def test_teacher_requests_and_enrols_after_acceptance(
    client, user_named, cycles, abra_learner, benguet_clc
):
    teacher = user_named("teacher.benguet")
    district = teacher.role_assignments.get().district
    clc = CommunityLearningCenter.objects.filter(district=district).first()
    login(client, user_named, "teacher.benguet")
    response = request_from_benguet(client, abra_learner)
    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    transfers.perform(user_named("focal.abra"), transfer, "accept", channel="admin")
    response = client.get(reverse("learners:transfer", args=[transfer.pk]))
    assert reverse("learners:enrol_existing", args=[abra_learner.pk]) in response.text
    response = client.post(
        reverse("learners:enrol_existing", args=[abra_learner.pk]), enrol_data(cycles, clc)
    )
    assert response.status_code == 302
    # Enrolled at the teacher's own CLC, the full record is theirs to see.
    response = client.get(reverse("learners:preview", args=[abra_learner.pk]))
    assert SENSITIVE["contact"] in response.text


@pytest.mark.django_db(transaction=True)
def test_two_people_accept_at_once_exactly_one_transition(demo, django_user_model):
    from learners.demo import seed_cycles

    seed_cycles()
    abra = CommunityLearningCenter.objects.filter(district__division__slug="abra").first()
    learner = Learner.objects.create(
        lrn=LRN, last_name="Bersamin", first_name="Ana", sex="F", birthdate=date(2004, 7, 21)
    )
    learner.division_id = abra.district.division_id
    learner.save(update_fields=["division"])
    transfer = transfers.request_transfer(
        django_user_model.objects.get(username="epsa.benguet"),
        learner,
        Division.objects.get(slug="benguet"),
        reason="moved",
        channel="admin",
    )
    usernames = ["focal.abra", "epsa.abra"]

    def act(username, wait):
        user = django_user_model.objects.get(username=username)
        seen = TransferRequest.objects.get(pk=transfer.pk)
        wait()
        transfers.perform(user, seen, "accept", channel="admin")
        return "ok"

    results = at_once(act, usernames)
    assert sorted(str(type(r).__name__) for r in results.values()) == ["TransferError", "str"]
    loser = next(r for r in results.values() if r != "ok")
    assert loser.status_code == 409
    assert LearnerAccessLog.objects.filter(action="transfer_accept").count() == 1
    learner.refresh_from_db()
    assert learner.division.slug == "benguet"
