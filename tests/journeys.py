"""Taking a submission along the workflow as the demo users, for tests that need it done."""

from functools import lru_cache

from django.core.files.uploadedfile import SimpleUploadedFile

from workflow.demo import lr_data, passing_review, sample_pdf
from workflow.services import create_submission, perform_transition, upload_file


# Pillow takes about 20 ms to draw one: each title's PDF is drawn once per session.
@lru_cache(maxsize=256)
def _pdf_bytes(title):
    return sample_pdf(title)


def pdf_upload(title, name="document.pdf"):
    """A small real PDF carrying `title`, as workflow.demo.pdf_upload makes it."""
    return SimpleUploadedFile(name, _pdf_bytes(title), content_type="application/pdf")


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


def submit_before_the_rule(user, submission):
    """Submit `submission` as the workflow let anyone before submitting needed a complete item:
    such items (or items whose files failed since) can still wait in `submitted`, and the
    records section returns them as incomplete. The receipts check completeness as always."""
    from unittest import mock

    from workflow import services

    with mock.patch.object(services, "COMPLETE_BEFORE", set(services.RECEIPTS)):
        return perform_transition(user, submission, "submit")


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
