"""E-mail goes to whoever must act next, after the transaction commits, through the task worker."""

import pytest

from workflow.services import perform_transition

from .conftest import transition_kwargs

pytestmark = pytest.mark.django_db


def act(user_named, submission, username, name, capture, **extra):
    kwargs = transition_kwargs(name, submission) | extra
    with capture(execute=True):
        perform_transition(user_named(username), submission, name, **kwargs)


def test_each_step_mails_the_next_pool_or_the_submitter(
    bring_to,
    user_named,
    run_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    submission = bring_to("draft")
    capture = django_capture_on_commit_callbacks

    def step(username, name, **extra):
        mailoutbox.clear()
        act(user_named, submission, username, name, capture, **extra)
        run_tasks()
        assert len(mailoutbox) <= 1
        return mailoutbox[0] if mailoutbox else None

    mail = step("teacher.benguet", "submit")
    assert mail.to == ["records.benguet@deped-car.example"]
    assert "Submitted to the division" in mail.subject and submission.title in mail.subject

    mail = step("records.benguet", "receive_at_division")
    assert mail.to == ["lrqa.benguet@deped-car.example"]
    assert "Control number: CAR-BEN-" in mail.body

    assert step("lrqa.benguet", "claim_division_review") is None  # nobody else must act
    mail = step(
        "lrqa.benguet",
        "return_for_revision",
        reasons=["factual-errors"],
        comment="Fix page 3.",
    )
    assert mail.to == ["teacher.benguet@deped-car.example"]
    assert "Conceptual or factual errors" in mail.body and "Fix page 3." in mail.body

    mail = step("teacher.benguet", "resubmit")
    assert mail.to == ["lrqa.benguet@deped-car.example"]
    step("lrqa.benguet", "claim_division_review")
    mail = step("lrqa.benguet", "endorse_to_region")
    assert mail.to == ["records.region@deped-car.example"]
    mail = step("records.region", "receive_at_region")
    assert mail.to == ["lrqa.region@deped-car.example"]
    step("lrqa.region", "claim_regional_review")
    mail = step("lrqa.region", "approve")
    assert sorted(mail.to) == ["als.region@deped-car.example", "teacher.benguet@deped-car.example"]
    mail = step("als.region", "publish")
    assert mail.to == ["teacher.benguet@deped-car.example"]


def test_no_mail_when_the_transition_fails(bring_to, user_named, run_tasks, mailoutbox):
    from workflow.services import WorkflowError

    submission = bring_to("submitted")
    with pytest.raises(WorkflowError):
        perform_transition(user_named("records.abra"), submission, "receive_at_division")
    run_tasks()
    assert mailoutbox == []
