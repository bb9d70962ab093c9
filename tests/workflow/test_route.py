"""The route of a submission is derived from the state machine and ACTORS, never restated."""

import pytest

from organisation.models import Level
from workflow.route import _office, route_of, route_steps
from workflow.rules import ACTORS


def test_the_route_is_the_state_machines_forward_path_grouped_by_office():
    district = route_steps(Level.DISTRICT)
    assert [step.label for step in district] == [
        "Division records",
        "Division QA",
        "Region records",
        "Regional QA",
        "Publish",
    ]
    assert [step.leaves_by for step in district] == [
        "receive_at_division",
        "endorse_to_region",
        "receive_at_region",
        "approve",
        "publish",
    ]
    for step in district:
        # Each office is the one ACTORS names for the transition that moves the item on.
        actors = ACTORS[step.leaves_by]
        first = (actors.get(step.states[-1]) or actors[None])[0]
        assert step.actor == _office(first)
    # A division's own work enters at its QA; the region's at the regional QA.
    assert [s.label for s in route_steps(Level.DIVISION)] == [s.label for s in district[1:]]
    assert [s.label for s in route_steps(Level.REGION)] == ["Regional QA", "Publish"]


@pytest.mark.parametrize(
    ("state", "current", "done", "waiting_for", "since"),
    [
        ("draft", "Submitter", [], "teacher", None),
        ("submitted", "Division records", ["Submitter"], "Records section, Benguet", "submit"),
        (
            "endorsed_to_region",
            "Region records",
            ["Submitter", "Division records", "Division QA"],
            "Records section, Cordillera Administrative Region Regional Office",
            "endorse_to_region",
        ),
        (
            # Since the office got it, not since the reviewer claimed it.
            "under_regional_review",
            "Regional QA",
            ["Submitter", "Division records", "Division QA", "Region records"],
            "LR QA reviewer, Cordillera Administrative Region Regional Office",
            "receive_at_region",
        ),
        ("returned_incomplete", "Submitter", [], "teacher", "return_incomplete"),
        (
            "returned_for_revision",
            "Submitter",
            ["Division records"],
            "teacher",
            "return_for_revision",
        ),
    ],
)
def test_where_a_submission_is_and_who_has_it(bring_to, state, current, done, waiting_for, since):
    submission = bring_to(state)
    route = route_of(submission)
    assert route.current.label == current
    assert [s.label for s in route.steps if s.is_done] == done
    assert waiting_for.lower() in route.waiting_for.lower()
    if since is None:
        assert route.since == submission.created_at
    else:
        assert route.since == submission.history.get(name=since).at


def test_a_returned_or_withdrawn_item_says_where_its_resubmission_goes(bring_to):
    assert route_of(bring_to("returned_incomplete")).returns_to == "Division records"
    assert route_of(bring_to("returned_for_revision")).returns_to == "Division QA"
    assert route_of(bring_to("withdrawn")).returns_to == "Division records"
    assert route_of(bring_to("draft")).returns_to == ""


def test_a_published_item_rests_with_every_step_done(bring_to):
    route = route_of(bring_to("published"))
    assert route.current is None and route.waiting_for == ""
    assert all(step.is_done for step in route.steps)
    assert route.published_at is not None
