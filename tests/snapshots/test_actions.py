"""The review actions offered on a snapshot are read from the model's django-fsm transitions."""

import pytest

from organisation.models import Division
from snapshots import services
from snapshots.models import Snapshot, State

pytestmark = pytest.mark.django_db


def test_every_transition_of_the_model_has_exactly_one_action():
    transitions = {t.name for t in Snapshot._meta.get_field("state").get_all_transitions(Snapshot)}
    assert set(services.ACTION_FOR_TRANSITION) == transitions
    assert len(services.ACTION_FOR_TRANSITION) == len(services.ACTIONS)


def test_actions_offered_in_each_state_follow_the_transitions(user_named, period):
    division = Division.objects.get(slug="benguet")
    snapshot = Snapshot.objects.create(
        form="AF3",
        period=period,
        level="division",
        region=division.region,
        division=division,
        row_count=3,
    )
    admin = user_named("admin")
    offered = {}
    for state in State:
        Snapshot.objects.filter(pk=snapshot.pk).update(state=state)
        current = Snapshot.objects.get(pk=snapshot.pk)
        offered[state] = [a.name for a in services.available_actions(admin, current)]
    assert offered == {
        State.DRAFT: ["submit"],
        State.SUBMITTED: ["accept", "return"],
        State.ACCEPTED: [],
        State.RETURNED: ["submit", "reopen"],
    }
    # Each offered action can be taken from that state, and takes the state where the model says.
    Snapshot.objects.filter(pk=snapshot.pk).update(state=State.RETURNED)
    reopened = services.transition(snapshot, "reopen", admin)
    assert reopened.state == State.DRAFT
    submitted = services.transition(reopened, "submit", admin)
    # Nobody reviews their own submission: the region's ALS personnel return it.
    returned = services.transition(submitted, "return", user_named("als.region"), "Row 2 is wrong.")
    assert (returned.state, returned.review_comments) == (State.RETURNED, "Row 2 is wrong.")


def test_an_action_the_state_does_not_allow_is_refused_with_its_label(user_named, period):
    division = Division.objects.get(slug="benguet")
    snapshot = Snapshot.objects.create(
        form="AF3", period=period, level="division", region=division.region, division=division
    )
    with pytest.raises(services.SnapshotError, match="draft; “Accept” is not possible now"):
        services.transition(snapshot, "accept", user_named("admin"))
