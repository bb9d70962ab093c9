"""The permission matrix: every transition × every role, in scope and out of scope, against
perform_transition (the one entry point of the UI and the API)."""

import pytest
from django.db import transaction

from organisation.models import Role
from organisation.services import assign_role
from repository.models import Submission
from workflow.services import (
    PermissionDeniedForTransition,
    TransitionNotAvailable,
    WorkflowError,
    available_transitions,
    perform_transition,
    visible_submissions,
)

from .conftest import transition_kwargs

pytestmark = pytest.mark.django_db

ACTORS = [
    "teacher.benguet",
    "teacher.abra",
    "records.benguet",
    "records.abra",
    "epsa.benguet",
    "focal.benguet",
    "lrqa.benguet",
    "lrqa2.benguet",  # a second Benguet reviewer, not holding the claim
    "lrqa.abra",
    "records.region",
    "lrqa.region",
    "als.region",
    "sysadmin.region",
]

# transition, state it starts from, who may take it (everyone else gets 403)
MATRIX = [
    ("submit", "draft", {"teacher.benguet"}),
    ("recall", "submitted", {"teacher.benguet"}),
    ("receive_at_division", "submitted", {"records.benguet"}),
    ("return_incomplete", "submitted", {"records.benguet"}),
    ("claim_division_review", "received_by_division", {"lrqa.benguet", "lrqa2.benguet"}),
    ("release_claim", "under_division_review", {"lrqa.benguet", "sysadmin.region"}),
    ("return_for_revision", "under_division_review", {"lrqa.benguet"}),
    ("endorse_to_region", "under_division_review", {"lrqa.benguet"}),
    ("return_incomplete", "endorsed_to_region", {"records.region"}),
    ("receive_at_region", "endorsed_to_region", {"records.region"}),
    ("claim_regional_review", "received_by_region", {"lrqa.region"}),
    ("release_claim", "under_regional_review", {"lrqa.region", "sysadmin.region"}),
    ("return_for_revision", "under_regional_review", {"lrqa.region"}),
    ("approve", "under_regional_review", {"lrqa.region"}),
    ("publish", "approved", {"als.region", "sysadmin.region"}),
    ("withdraw", "published", {"als.region", "sysadmin.region"}),
    ("request_correction", "published", {"lrqa.region"}),
    ("resubmit", "returned_incomplete", {"teacher.benguet"}),
    ("resubmit", "returned_for_revision", {"teacher.benguet"}),
    ("resubmit", "withdrawn", {"teacher.benguet"}),
]


@pytest.fixture
def second_reviewer(demo, django_user_model):
    from organisation.models import Division

    user = django_user_model.objects.create_user("lrqa2.benguet", "lrqa2@deped-car.example")
    assign_role(user, Role.LR_QA_REVIEWER, Division.objects.get(slug="benguet"))
    return user


@pytest.mark.parametrize("name,state,allowed", MATRIX, ids=[f"{n}-from-{s}" for n, s, _ in MATRIX])
def test_transition_matrix(name, state, allowed, bring_to, user_named, second_reviewer):
    submission = bring_to(state)
    outcome = {}
    for username in ACTORS:
        user = user_named(username)
        fresh = Submission.objects.get(pk=submission.pk)
        offered = name in available_transitions(user, fresh)
        with transaction.atomic():
            try:
                perform_transition(user, fresh, name, **transition_kwargs(name, fresh))
                result = "ok"
            except WorkflowError as exc:
                result = exc.status_code
            transaction.set_rollback(True)  # every actor tries on the same starting state
        outcome[username] = result
        # What the UI offers is exactly what the service lets through.
        assert offered == (result == "ok"), (username, offered, result)
    expected = {u: ("ok" if u in allowed else 403) for u in ACTORS}
    assert outcome == expected


def test_not_now_is_409_and_not_yours_is_403(bring_to, user_named):
    submission = bring_to("received_by_division")
    # The records section receives, but this one is received already: 409.
    with pytest.raises(TransitionNotAvailable) as not_now:
        perform_transition(user_named("records.benguet"), submission, "receive_at_division")
    assert not_now.value.status_code == 409
    assert "not possible while the submission is Received by the division" in not_now.value.message
    # The teacher never receives: 403, whatever the state.
    with pytest.raises(PermissionDeniedForTransition) as not_yours:
        perform_transition(user_named("teacher.benguet"), submission, "receive_at_division")
    assert not_yours.value.status_code == 403
    with pytest.raises(TransitionNotAvailable):
        perform_transition(user_named("teacher.benguet"), submission, "fly_to_the_moon")


def test_scope_of_lists(bring_to, user_named, make_lr):
    submitted = bring_to("submitted")
    draft = make_lr(title="Still a draft")
    abra = make_lr("teacher.abra", title="Abra item")

    def titles(username):
        return set(visible_submissions(user_named(username)).values_list("title", flat=True))

    assert titles("teacher.benguet") == {submitted.title, draft.title}
    assert titles("records.benguet") == {submitted.title}  # drafts stay with their author
    assert titles("lrqa.abra") == set()
    assert titles("teacher.abra") == {abra.title}
    assert titles("records.region") == {submitted.title}
    # Out of scope, the submission cannot be acted on even by the right role elsewhere.
    with pytest.raises(PermissionDeniedForTransition):
        perform_transition(user_named("records.abra"), submitted, "receive_at_division")
