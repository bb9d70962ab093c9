"""Two people act on one submission at the same moment: exactly one wins, the other is told the
submission changed; never two stamps, never a lost transition (real threads, on PostgreSQL with
row locks and on SQLite with IMMEDIATE transactions that queue for the one write lock)."""

import pytest

from organisation.models import Division, Role
from organisation.services import assign_role
from repository.models import Submission
from tests.concurrency import at_once
from workflow.models import Journey, ReceiptStamp, TransitionRecord
from workflow.services import StaleSubmission, perform_transition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def vocabularies(transactional_db):
    """Transactional tests start from a flushed database: put the seeded vocabularies back."""
    from repository.vocabularies import seed_vocabularies

    seed_vocabularies()


def race(submission_pk, name, usernames, django_user_model):
    """Each user loads the submission, all wait at a barrier, then all act at once."""

    def act(username, wait):
        user = django_user_model.objects.get(username=username)
        submission = Submission.objects.get(pk=submission_pk)
        submission.journey  # what this person saw on screen  # noqa: B018
        wait()
        perform_transition(user, submission, name)
        return "ok"

    return at_once(act, usernames)


def add_user(django_user_model, username, role, division_slug):
    user = django_user_model.objects.create_user(username, f"{username}@deped-car.example")
    assign_role(user, role, Division.objects.get(slug=division_slug))
    return user


def test_two_records_officers_receive_at_once_one_stamp(bring_to, django_user_model):
    submission = bring_to("submitted")
    add_user(django_user_model, "records2.benguet", Role.RECORDS_SECTION, "benguet")

    results = race(
        submission.pk,
        "receive_at_division",
        ["records.benguet", "records2.benguet"],
        django_user_model,
    )

    winners = [u for u, r in results.items() if r == "ok"]
    losers = [r for r in results.values() if r != "ok"]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], StaleSubmission)
    assert losers[0].status_code == 409 and losers[0].message == "This submission changed, reload."
    assert ReceiptStamp.objects.filter(submission_id=submission.pk).count() == 1
    assert ReceiptStamp.objects.get().received_by.username == winners[0]
    assert TransitionRecord.objects.filter(name="receive_at_division").count() == 1
    journey = Journey.objects.get(pk=submission.pk)
    assert journey.state == "received_by_division"


def test_two_reviewers_claim_at_once_one_claim(bring_to, django_user_model):
    submission = bring_to("received_by_division")
    add_user(django_user_model, "lrqa2.benguet", Role.LR_QA_REVIEWER, "benguet")

    results = race(
        submission.pk,
        "claim_division_review",
        ["lrqa.benguet", "lrqa2.benguet"],
        django_user_model,
    )

    winners = [u for u, r in results.items() if r == "ok"]
    assert len(winners) == 1
    assert [type(r) for r in results.values() if r != "ok"] == [StaleSubmission]
    journey = Journey.objects.get(pk=submission.pk)
    assert journey.state == "under_division_review"
    assert journey.claimed_by.username == winners[0]
    assert TransitionRecord.objects.filter(name="claim_division_review").count() == 1


def test_simultaneous_receipts_of_different_items_get_consecutive_numbers(
    make_lr, user_named, django_user_model
):
    teacher = user_named("teacher.benguet")
    items = [make_lr(title=f"Item {n}") for n in range(4)]
    for item in items:
        perform_transition(teacher, item, "submit")
    for n in range(2, 5):
        add_user(django_user_model, f"records{n}.benguet", Role.RECORDS_SECTION, "benguet")
    officers = ["records.benguet", "records2.benguet", "records3.benguet", "records4.benguet"]

    def receive(pair, wait):
        username, pk = pair
        user = django_user_model.objects.get(username=username)
        submission = Submission.objects.get(pk=pk)
        wait()
        perform_transition(user, submission, "receive_at_division")
        return "ok"

    results = at_once(receive, [(u, item.pk) for u, item in zip(officers, items, strict=True)])
    errors = [result for result in results.values() if result != "ok"]

    assert errors == []
    numbers = sorted(ReceiptStamp.objects.values_list("sequence", flat=True))
    assert numbers == [1, 2, 3, 4]
    assert ReceiptStamp.objects.values("control_number").distinct().count() == 4


def test_a_stale_copy_cannot_overwrite_the_state(bring_to, user_named):
    """django-fsm's ConcurrentTransitionMixin: saving a journey loaded before someone else's
    transition fails instead of silently overwriting it."""
    from django_fsm import ConcurrentTransition

    submission = bring_to("submitted")
    stale = Journey.objects.get(pk=submission.pk)
    perform_transition(user_named("records.benguet"), submission, "receive_at_division")
    stale.return_incomplete(by=None)
    with pytest.raises(ConcurrentTransition):
        stale.save()
    assert Journey.objects.get(pk=submission.pk).state == "received_by_division"
