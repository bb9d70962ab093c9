""" "My tasks" is read from the same table as the permission checks (workflow.rules.ACTORS)."""

import pytest

from repository.models import Submission
from workflow.models import Journey, State
from workflow.rules import (
    AT_REST,
    CLAIMANT,
    QA_DIVISION,
    SUBMITTER,
    _actor_matches,
    may_perform,
    next_steps,
    waiting_actors,
)
from workflow.services import create_submission, tasks_for

pytestmark = pytest.mark.django_db

REVIEW_STATES = {State.UNDER_DIVISION_REVIEW, State.UNDER_REGIONAL_REVIEW}


def test_every_state_but_those_at_rest_waits_on_someone():
    assert set(next_steps()) == set(State) - AT_REST
    for state in next_steps():
        assert waiting_actors(state), state
    # Giving a claim back is a way out, not the step a claimed review waits for.
    assert "release_claim" not in next_steps()[State.UNDER_DIVISION_REVIEW]


def _waits_on(user, journey):
    """Whether ACTORS lets `user` take a step the journey's state waits for (the rule in Python,
    as may_perform evaluates it)."""
    steps = next_steps().get(State(journey.state), [])
    if not user.is_superuser:
        return any(may_perform(user, journey, name) for name in steps)
    # A superuser may act for anyone, but only their own drafts and returns wait on them.
    own = journey.submission.created_by_id == user.pk
    return any(
        _actor_matches(user, journey, actor)
        for actor in waiting_actors(journey.state)
        if actor != SUBMITTER or own
    )


def test_tasks_are_exactly_who_actors_lets_take_a_next_step(demo, django_user_model):
    """For every state, origin level, division and claim, the users whose tasks hold a
    submission are exactly those ACTORS allows a next step from that state (the query form of
    the rule never disagrees with the permission check)."""
    # Every role of two divisions (the others are alike), the region's roles and the superuser.
    users = [
        u
        for u in django_user_model.objects.order_by("username")
        if u.username.split(".")[-1] in ("benguet", "abra", "region") or u.is_superuser
    ]
    by_name = {u.username: u for u in users}
    assert len(users) == 15
    authors = ["teacher.benguet", "teacher.abra", "epsa.benguet", "als.region"]
    ids = [
        create_submission(by_name[name], {"kind": "research", "title": f"By {name}"}).pk
        for name in authors
    ]
    levels = set(Submission.objects.filter(pk__in=ids).values_list("origin_level", flat=True))
    assert levels == {"district", "division", "region"}
    claims = [None, by_name["lrqa.benguet"], by_name["lrqa.abra"], by_name["lrqa.region"]]
    rounds = [(state, None) for state in State if state not in REVIEW_STATES]
    rounds += [(state, claim) for state in REVIEW_STATES for claim in claims]
    checked = 0
    for state, claimant in rounds:
        Journey.objects.filter(pk__in=ids).update(state=state, claimed_by=claimant)
        journeys = list(Journey.objects.filter(pk__in=ids).select_related("submission"))
        for user in users:
            tasks = set(tasks_for(user).filter(pk__in=ids).values_list("pk", flat=True))
            expected = {j.pk for j in journeys if _waits_on(user, j)}
            assert tasks == expected, (state, claimant and claimant.username, user.username)
            checked += len(expected)
    assert checked > 0


def test_a_claimed_review_waits_on_its_claimant_only(bring_to, user_named):
    submission = bring_to("under_division_review")
    holders = {
        name
        for name in ("lrqa.benguet", "sysadmin.region", "als.region", "lrqa.region", "admin")
        if submission in tasks_for(user_named(name))
    }
    assert holders == {"lrqa.benguet"}
    assert waiting_actors(State.UNDER_DIVISION_REVIEW) == [(CLAIMANT, QA_DIVISION)]
