"""Taking a submission along the workflow as the demo users, for tests that need it done."""

from workflow.demo import passing_review
from workflow.services import perform_transition

# A division-level learning resource from submission to regional approval.
APPROVAL_STEPS = [
    ("teacher.benguet", "submit"),
    ("records.benguet", "receive_at_division"),
    ("lrqa.benguet", "claim_division_review"),
    ("lrqa.benguet", "endorse_to_region"),
    ("records.region", "receive_at_region"),
    ("lrqa.region", "claim_regional_review"),
    ("lrqa.region", "approve"),
]
REVIEWED = {"endorse_to_region", "approve"}


def approve(submission, user_named):
    """Take a complete Benguet submission through both QA levels to `approved`."""
    for username, name in APPROVAL_STEPS:
        review = passing_review(submission) if name in REVIEWED else None
        perform_transition(user_named(username), submission, name, review=review)
    return submission
