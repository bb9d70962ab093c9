"""Issue 14 in the learners app: a transfer request waits in the My tasks of whoever must answer
it (the learner's division, or the region once escalated) and nobody else's; the enrolment form
assumes no program or delivery mode; the mother tongue may be "Other (specify)" with its name."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learners import transfers
from learners.models import Learner, LearnerAccessLog, TransferRequest
from organisation.dashboard import task_groups_for
from organisation.models import Division

from .test_admin_flow import enrolment_fields, start_flow

pytestmark = pytest.mark.django_db


def transfer_titles(user):
    for group in task_groups_for(user):
        if group.key == "transfers-to-answer":
            return [task.title for task in group.tasks]
    return []


@pytest.fixture
def transfer(user_named, make_learner, enrol_at, abra_clc):
    """Benguet asks for a learner Abra holds."""
    learner = make_learner("140112250091", "Bersamin", "Ana", date(2004, 7, 21), sex="F")
    enrol_at(learner, abra_clc)
    return transfers.request_transfer(
        user_named("epsa.benguet"),
        learner,
        Division.objects.get(slug="benguet"),
        reason="Moved to La Trinidad.",
        channel=LearnerAccessLog.Channel.ADMIN,
    )


def test_a_transfer_request_waits_for_the_learners_division(client, user_named, transfer):
    title = "Transfer of Bersamin, Ana (LRN 140112250091)"
    for answerer in ("epsa.abra", "focal.abra"):
        assert transfer_titles(user_named(answerer)) == [title]
    for other in ("epsa.benguet", "focal.benguet", "als.region", "epsa.ifugao", "teacher.abra"):
        assert transfer_titles(user_named(other)) == []

    client.force_login(user_named("focal.abra"))
    html = client.get("/admin/").content.decode()
    tasks = re.search(r'data-task-group="transfers-to-answer".*?</ul>', html, re.S).group(0)
    assert f'href="{reverse("learners:transfer", args=[transfer.pk])}"' in tasks
    assert "Benguet asks for this learner of Abra: accept or decline the transfer." in tasks
    assert 'data-testid="overdue"' not in tasks
    # Only what every party to a request may see: no birthdate, no record.
    assert "2004" not in tasks

    # Past the answer period it is flagged overdue.
    TransferRequest.objects.filter(pk=transfer.pk).update(
        requested_at=timezone.now() - timedelta(days=transfers.answer_days(), minutes=1)
    )
    html = client.get("/admin/").content.decode()
    assert 'data-testid="overdue"' in html and "1 item is overdue." in html


def test_an_escalated_request_waits_for_the_region_and_leaves_the_division(user_named, transfer):
    TransferRequest.objects.filter(pk=transfer.pk).update(
        requested_at=timezone.now() - timedelta(days=transfers.answer_days() + 1)
    )
    assert transfers.escalate_overdue() == 1
    assert transfer_titles(user_named("als.region")) == [
        "Transfer of Bersamin, Ana (LRN 140112250091)"
    ]
    assert transfer_titles(user_named("epsa.abra")) == []
    # Decided: no one's task any more.
    transfers.perform(
        user_named("als.region"),
        transfer,
        "approve",
        channel=LearnerAccessLog.Channel.ADMIN,
    )
    assert transfer_titles(user_named("als.region")) == []


def test_answering_takes_it_off_the_list(user_named, transfer):
    transfers.perform(
        user_named("epsa.abra"),
        transfer,
        "decline",
        note="Still attending in Bangued.",
        channel=LearnerAccessLog.Channel.ADMIN,
    )
    assert transfer_titles(user_named("epsa.abra")) == []
    assert transfer_titles(user_named("focal.abra")) == []


def test_the_enrolment_form_assumes_no_program_nor_delivery_mode(client, user_named, cycles):
    client.force_login(user_named("epsa.benguet"))
    start_flow(client)
    html = client.get(reverse("learners:create")).content.decode()
    for name in ("program", "delivery_mode"):
        select = re.search(rf'<select name="enrolment-{name}".*?</select>', html, re.S).group(0)
        assert '<option value="" selected>Choose…</option>' in select
        assert select.count("selected") == 1


def test_enrolling_without_a_program_or_delivery_mode_is_refused_with_a_message(
    client, user_named, cycles, benguet_clc
):
    client.force_login(user_named("epsa.benguet"))
    start_flow(client)
    data = enrolment_fields(cycles, benguet_clc)
    data["enrolment-program"] = ""
    del data["enrolment-delivery_mode"]
    response = client.post(reverse("learners:create"), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choose the program the learner enrols in." in text
    assert "Choose how the program is delivered to the learner." in text
    assert not Learner.objects.filter(lrn=data["learner-lrn"]).exists()


def test_other_mother_tongue_needs_its_name(client, user_named, cycles, benguet_clc):
    client.force_login(user_named("epsa.benguet"))
    start_flow(client)
    html = client.get(reverse("learners:create")).content.decode()
    select = re.search(r'<select name="learner-mother_tongue".*?</select>', html, re.S).group(0)
    for label in ("Kankanaey", "Ibaloi", "Ifugao – Tuwali", "Isnag", "Itneg", "Other (specify)"):
        assert f">{label}</option>" in select
    data = enrolment_fields(cycles, benguet_clc, **{"learner-mother_tongue": "other"})
    response = client.post(reverse("learners:create"), data)
    assert "Write the name of the mother tongue." in response.content.decode()
    assert not Learner.objects.filter(lrn=data["learner-lrn"]).exists()

    data["learner-mother_tongue_other"] = "Bago"
    response = client.post(reverse("learners:create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    learner = Learner.objects.get(lrn=data["learner-lrn"])
    assert (learner.mother_tongue, learner.mother_tongue_other) == ("other", "Bago")
    assert learner.mother_tongue_label == "Other (specify): Bago"
    preview = client.get(reverse("learners:preview", args=[learner.pk])).content.decode()
    assert "Other (specify): Bago" in preview


def test_a_listed_mother_tongue_keeps_no_other_name(make_learner):
    learner = make_learner("136512260199", "Dulnuan", "Rey", mother_tongue="kankanaey")
    learner.mother_tongue_other = "left over"
    learner.full_clean()
    assert learner.mother_tongue_other == ""
    assert learner.mother_tongue_label == "Kankanaey"


def test_the_answer_list_is_the_rule_of_who_may_answer_for_every_user(django_user_model, transfer):
    """`waiting_for` is the query form of the actions each user may take now."""
    answers = {"accept", "decline", "approve", "refuse"}
    for state in ("requested", "escalated"):
        TransferRequest.objects.filter(pk=transfer.pk).update(state=state)
        current = TransferRequest.objects.get(pk=transfer.pk)
        for user in django_user_model.objects.all():
            may = {a.name for a in transfers.available_actions(user, current)} & answers
            listed = list(transfers.waiting_for(user))
            assert (listed == [current]) == bool(may), (state, user.username)
