"""Fixtures for the workflow tests: demo users and complete learning resources with real PDFs."""

import pytest

from tests.journeys import pdf_upload
from workflow.demo import lr_data, passing_review
from workflow.services import create_submission, upload_file


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def new_lr(username="teacher.benguet", title="Fractions in the market", files=True, **overrides):
    """A complete draft LR with main file + IP declaration (`make_lr`, without test fixtures)."""
    user = _user(username)
    submission = create_submission(user, lr_data(title, **overrides))
    if files:
        upload_file(user, submission, pdf_upload(title, "module.pdf"), "main")
        upload_file(user, submission, pdf_upload("IP", "ip.pdf"), "ip_declaration")
    return submission


@pytest.fixture
def make_lr(demo):
    """make_lr("teacher.benguet", title=...) -> a complete draft LR with main file + IP declaration."""
    return new_lr


@pytest.fixture
def good_review():
    return passing_review


# The path of a Benguet district LR through the workflow: (transition, username, needs review).
PATH = [
    ("submit", "teacher.benguet", "submitted"),
    ("receive_at_division", "records.benguet", "received_by_division"),
    ("claim_division_review", "lrqa.benguet", "under_division_review"),
    ("endorse_to_region", "lrqa.benguet", "endorsed_to_region"),
    ("receive_at_region", "records.region", "received_by_region"),
    ("claim_regional_review", "lrqa.region", "under_regional_review"),
    ("approve", "lrqa.region", "approved"),
    ("publish", "als.region", "published"),
]
SIDE_STATES = {
    "returned_incomplete": ("submitted", "return_incomplete", "records.benguet"),
    "returned_for_revision": ("under_division_review", "return_for_revision", "lrqa.benguet"),
    "withdrawn": ("published", "withdraw", "als.region"),
}


def transition_kwargs(name, submission):
    """What a transition needs besides the actor: a review, a reason."""
    from workflow.demo import passing_review

    kwargs = {}
    if name in ("endorse_to_region", "approve", "return_for_revision"):
        kwargs["review"] = passing_review(submission)
    if name in ("return_incomplete", "return_for_revision", "withdraw", "request_correction"):
        kwargs["comment"] = "Reason given in the test."
    return kwargs


def lr_in_state(state, **make_kwargs):
    """A Benguet district LR moved to `state` (`bring_to`, without test fixtures)."""
    from workflow.services import perform_transition

    submission = new_lr(**make_kwargs)
    target = state
    side = SIDE_STATES.get(state)
    if side:
        target = side[0]
    if target != "draft":
        for name, username, reached in PATH:
            perform_transition(
                _user(username), submission, name, **transition_kwargs(name, submission)
            )
            if reached == target:
                break
    if side:
        _, name, username = side
        perform_transition(_user(username), submission, name, **transition_kwargs(name, submission))
    submission.refresh_from_db()
    assert submission.journey.state == state
    return submission


@pytest.fixture
def bring_to(demo):
    """bring_to("received_by_region") -> a Benguet district LR moved to that state."""
    return lr_in_state
