"""Taking a submission along the workflow as the demo users, for tests that need it done."""

from workflow.demo import lr_data, passing_review, pdf_upload
from workflow.services import create_submission, perform_transition, upload_file

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


def approved_lr(user_named, title, **fields):
    """A Benguet teacher's learning resource (module and IP declaration), approved by the region."""
    teacher = user_named("teacher.benguet")
    submission = create_submission(teacher, lr_data(title, **fields))
    upload_file(teacher, submission, pdf_upload(title, "module.pdf"), "main")
    upload_file(teacher, submission, pdf_upload("IP", "ip.pdf"), "ip_declaration")
    return approve(submission, user_named)
