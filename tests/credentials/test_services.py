"""The service layer: the pass rule, who may do what, and a batch from preparation to re-issue."""

from datetime import date

import pytest
from wagtail.models import ModelLogEntry

from credentials import codes
from credentials.models import Award, AwardBatch, AwardState, BatchMember, BatchState
from credentials.services import (
    CredentialError,
    approve_batch,
    awards_visible_to,
    batches_visible_to,
    cancel_batch,
    issue_batch,
    may_approve,
    may_define,
    may_prepare,
    may_prepare_somewhere,
    prepare_batch,
    qualifies,
    record_assessment,
    reissue_award,
    revoke_award,
)

pytestmark = pytest.mark.django_db


def log_actions(instance):
    return list(
        ModelLogEntry.objects.for_instance(instance).order_by("pk").values_list("action", flat=True)
    )


# ----------------------------------------------------------------------------- the pass rule


def test_a_learner_rated_at_least_the_minimum_with_the_mean_qualifies(
    achievement, benguet_learners, rate
):
    learner = benguet_learners[0]
    rate(learner, achievement, 4, 3, 4)
    passed, summary = qualifies(learner, achievement)
    assert passed
    assert summary == (
        "Assessed by self, teacher and community on 3 elements, mean 3.67 of 4 "
        "(pass: 3, each at least 3)"
    )


def test_one_rating_below_the_minimum_fails_even_with_a_high_mean(
    achievement, benguet_learners, rate, user_named
):
    learner = benguet_learners[0]
    rate(learner, achievement, 4, 4, 4)
    record_assessment(
        user_named("epsa.benguet"),
        learner,
        achievement,
        "Speaks clearly",
        self_rating=4,
        teacher_rating=2,
        community_rating=4,
        assessed_on=date(2025, 11, 21),
    )
    passed, summary = qualifies(learner, achievement)
    assert not passed
    assert summary == "The teacher rating on “Speaks clearly” is 2, below 3."


def test_the_mean_must_reach_the_pass_mean(achievement, benguet_learners, rate):
    achievement.pass_mean = "3.50"
    achievement.save()
    learner = benguet_learners[0]
    rate(learner, achievement, 3, 4, 3)
    passed, summary = qualifies(learner, achievement)
    assert not passed
    assert summary == "Mean 3.33 of 4 is below the pass mark 3.5."


def test_an_element_not_assessed_fails(achievement, benguet_learners, user_named):
    learner = benguet_learners[0]
    record_assessment(
        user_named("focal.benguet"),
        learner,
        achievement,
        "Listens actively",
        self_rating=4,
        teacher_rating=4,
        community_rating=4,
        assessed_on=date(2025, 11, 20),
    )
    assert qualifies(learner, achievement) == (False, "Not assessed on “Speaks clearly”.")


def test_only_the_counted_raters_are_needed(achievement, benguet_learners, rate):
    achievement.raters = ["self", "teacher"]
    achievement.save()
    learner = benguet_learners[0]
    rate(learner, achievement, 3, 3, None)
    assert qualifies(learner, achievement) == (
        True,
        "Assessed by self and teacher on 3 elements, mean 3 of 4 (pass: 3, each at least 3)",
    )


@pytest.mark.parametrize(
    ("element", "ratings", "message"),
    [
        ("Dances", (3, 3, 3), "is not a competency element"),
        ("Speaks clearly", (3, None, 3), "The teacher rating is needed"),
        ("Speaks clearly", (3, 5, 3), "must be a whole number from 1 to 4"),
        ("Speaks clearly", (0, 3, 3), "must be a whole number from 1 to 4"),
    ],
)
def test_bad_assessments_are_refused_with_a_message(
    achievement, benguet_learners, user_named, element, ratings, message
):
    with pytest.raises(CredentialError, match=message) as refused:
        record_assessment(
            user_named("focal.benguet"),
            benguet_learners[0],
            achievement,
            element,
            self_rating=ratings[0],
            teacher_rating=ratings[1],
            community_rating=ratings[2],
            assessed_on=date(2025, 11, 20),
        )
    assert refused.value.status_code == 400


# ----------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("als.region", True),
        ("sysadmin.region", True),
        ("admin", True),
        ("epsa.benguet", False),
        ("focal.benguet", False),
        ("teacher.benguet", False),
        ("records.region", False),
    ],
)
def test_who_may_define_achievements(user_named, username, allowed):
    assert may_define(user_named(username)) is allowed


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("epsa.benguet", True),
        ("focal.benguet", True),
        ("admin", True),
        ("epsa.abra", False),
        ("focal.abra", False),
        ("teacher.benguet", False),
        ("records.benguet", False),
        ("lrqa.benguet", False),
        ("als.region", False),
    ],
)
def test_who_may_prepare_and_assess(
    user_named, benguet, achievement, benguet_learners, username, allowed
):
    user = user_named(username)
    assert may_prepare(user, benguet) is allowed
    assess = dict(self_rating=3, teacher_rating=3, community_rating=3, assessed_on=date(2025, 1, 2))
    if allowed:
        record_assessment(user, benguet_learners[0], achievement, "Speaks clearly", **assess)
    else:
        with pytest.raises(CredentialError) as refused:
            record_assessment(user, benguet_learners[0], achievement, "Speaks clearly", **assess)
        assert refused.value.status_code == 403
        with pytest.raises(CredentialError) as refused:
            prepare_batch(
                user,
                division=benguet,
                achievements=[achievement],
                ceremony_date=date(2025, 12, 19),
                venue="Gym",
                signatories=[],
                members=[(benguet_learners[0], "Maria Bagtang", "Narrative")],
            )
        assert refused.value.status_code == 403
        assert not AwardBatch.objects.exists()


@pytest.mark.parametrize(
    ("username", "somewhere"),
    [
        ("epsa.benguet", True),
        ("focal.abra", True),
        ("admin", True),
        ("teacher.benguet", False),
        ("records.benguet", False),
        ("lrqa.region", False),
        ("als.region", False),
    ],
)
def test_who_may_prepare_somewhere_answered_from_the_cached_scope(
    user_named, django_assert_num_queries, username, somewhere
):
    """The admin's menus ask on every page: once the user's scope is known, no query (but the
    superuser's, who may prepare wherever a division exists)."""
    user = user_named(username)
    assert may_prepare_somewhere(user) is somewhere
    with django_assert_num_queries(1 if user.is_superuser else 0):
        assert may_prepare_somewhere(user) is somewhere


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("epsa.benguet", True),
        ("focal.benguet", False),  # prepared it, and not the approver's role anyway
        ("epsa.abra", False),
        ("als.region", False),
        ("records.benguet", False),
    ],
)
def test_the_divisions_epsa_approves(user_named, batch, username, allowed):
    user = user_named(username)
    assert may_approve(user, batch) is allowed
    if allowed:
        approve_batch(user, batch)
        batch.refresh_from_db()
        assert batch.state == BatchState.APPROVED
        assert batch.approved_by == user
    else:
        with pytest.raises(CredentialError) as refused:
            approve_batch(user, batch)
        assert refused.value.status_code == 403
        batch.refresh_from_db()
        assert batch.state == BatchState.DRAFT


def test_an_epsa_may_not_approve_a_batch_they_prepared(
    user_named, benguet, achievement, benguet_learners, django_user_model
):
    from organisation.models import Role
    from organisation.services import assign_role

    epsa = user_named("epsa.benguet")
    batch = prepare_batch(
        epsa,
        division=benguet,
        achievements=[achievement],
        ceremony_date=date(2025, 12, 19),
        venue="Gym",
        signatories=[],
        members=[(benguet_learners[0], "Maria Bagtang", "Narrative")],
    )
    assert not may_approve(epsa, batch)
    with pytest.raises(CredentialError, match="You prepared this batch") as refused:
        approve_batch(epsa, batch)
    assert refused.value.status_code == 403
    second = django_user_model.objects.create_user("epsa2.benguet", password="x")
    assign_role(second, Role.EPSA, benguet)
    assert may_approve(second, batch)
    approve_batch(second, batch)


def test_batches_and_awards_are_visible_within_the_division_only(user_named, batch):
    approve_batch(user_named("epsa.benguet"), batch)
    issue_batch(user_named("focal.benguet"), batch)
    for username in ("epsa.benguet", "focal.benguet", "als.region", "admin"):
        user = user_named(username)
        assert list(batches_visible_to(user)) == [batch]
        assert awards_visible_to(user).count() == 3
    for username in ("epsa.abra", "teacher.benguet", "records.benguet", "lrqa.region"):
        user = user_named(username)
        assert not batches_visible_to(user).exists()
        assert not awards_visible_to(user).exists()


# ----------------------------------------------------------------------------- preparing


def test_preparing_checks_the_list(user_named, benguet, achievement, benguet_learners, make_abra):
    focal = user_named("focal.benguet")
    base = dict(
        division=benguet,
        achievements=[achievement],
        ceremony_date=date(2025, 12, 19),
        venue="Gym",
        signatories=[],
    )
    learner = benguet_learners[0]
    cases = [
        (dict(members=[]), "no learners"),
        (dict(members=[(learner, "A", ""), (learner, "A", "")]), "listed twice"),
        (dict(members=[(learner, "  ", "")]), "Give the name to print"),
        (dict(members=[(make_abra, "Abra Person", "")]), "another division"),
        (dict(members=[(learner, "A", "")], achievements=[]), "at least one micro-credential"),
        (dict(members=[(learner, "A", "")], signatories=[{"name": "X"}]), "name and position"),
    ]
    for changes, message in cases:
        with pytest.raises(CredentialError, match=message):
            prepare_batch(focal, **{**base, **changes})
    assert not AwardBatch.objects.exists()


@pytest.fixture
def make_abra(demo):
    from learners.models import Learner
    from organisation.models import Division

    return Learner.objects.create(
        lrn="140001250009",
        last_name="Abra",
        first_name="Person",
        birthdate=date(2003, 1, 1),
        sex="M",
        division=Division.objects.get(slug="abra"),
    )


def test_a_prepared_batch_keeps_the_list_and_is_logged(batch, benguet_learners):
    assert batch.state == BatchState.DRAFT
    assert batch.prepared_by.username == "focal.benguet"
    assert batch.signatories == [
        {"name": "Juana Santos", "position": "Schools Division Superintendent"}
    ]
    assert sorted(
        BatchMember.objects.filter(batch=batch).values_list("name_as_printed", flat=True)
    ) == [
        "Ana Cosalan",
        "Maria Bagtang",
        "Pedro Dalisay",
    ]
    assert log_actions(batch) == ["credentials.prepare"]


# ----------------------------------------------------------------------------- issuing


def test_issue_creates_one_award_per_member_and_achievement(
    user_named, benguet, achievement, benguet_learners, rate
):
    from credentials.models import Achievement

    second = Achievement.objects.create(
        slug="test-leadership",
        name="Leadership",
        description="Leads.",
        competency_elements="Plans a project",
        learning_strand="LS4 Life and Career Skills",
        pqf_level=1,
        criteria_narrative="-",
        assessment_method="360°",
        raters=["self", "teacher", "community"],
        validity_months=24,
        certificate_wording="has shown leadership",
    )
    rate(benguet_learners[0], achievement, 4, 4, 3)
    batch = prepare_batch(
        user_named("focal.benguet"),
        division=benguet,
        achievements=[achievement, second],
        ceremony_date=date(2024, 2, 29),
        venue="Gym",
        signatories=[("Juana Santos", "SDS")],
        members=[
            (learner, f"Printed {learner.first_name}", "Narrative") for learner in benguet_learners
        ],
    )
    approve_batch(user_named("epsa.benguet"), batch)
    awards = issue_batch(user_named("focal.benguet"), batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.ISSUED and batch.issued_at is not None
    assert len(awards) == 6
    assert Award.objects.filter(batch=batch).count() == 6
    pairs = set(Award.objects.filter(batch=batch).values_list("learner_id", "achievement_id"))
    assert pairs == {
        (learner.pk, a.pk) for learner in benguet_learners for a in (achievement, second)
    }
    assert len({award.code for award in awards}) == 6
    assert len({award.status_index for award in awards}) == 6
    for award in Award.objects.filter(batch=batch):
        assert codes.is_well_formed(award.code)
        assert 0 <= award.status_index < codes.STATUS_LIST_LENGTH
        assert award.state == AwardState.VALID
        assert award.issued_on == date(2024, 2, 29)
        assert award.name_as_printed == f"Printed {award.learner.first_name}"
    assessed = Award.objects.get(learner=benguet_learners[0], achievement=achievement)
    assert assessed.evidence.startswith("Assessed by self, teacher and community on 3 elements")
    assert assessed.valid_until is None
    narrated = Award.objects.get(learner=benguet_learners[1], achievement=second)
    assert narrated.evidence == "Narrative"
    assert narrated.valid_until == date(2026, 2, 28)  # 24 months after 29 February
    assert log_actions(batch) == ["credentials.prepare", "credentials.approve", "credentials.issue"]
    assert log_actions(assessed) == ["credentials.issue"]


def test_an_unapproved_batch_is_not_issued(user_named, batch):
    with pytest.raises(CredentialError, match="not possible now") as refused:
        issue_batch(user_named("focal.benguet"), batch)
    assert refused.value.status_code == 409
    assert not Award.objects.exists()


def test_issuing_is_all_or_nothing(user_named, benguet, achievement, benguet_learners, rate):
    """One member without evidence (no narrative, no assessments) refuses the whole batch; a
    member whose assessments fail the rule likewise."""
    rate(benguet_learners[0], achievement, 4, 4, 4)
    members = [
        (benguet_learners[0], "Maria Bagtang", ""),
        (benguet_learners[1], "Pedro Dalisay", "Narrative"),
        (benguet_learners[2], "Ana Cosalan", ""),
    ]
    batch = prepare_batch(
        user_named("focal.benguet"),
        division=benguet,
        achievements=[achievement],
        ceremony_date=date(2025, 12, 19),
        venue="Gym",
        signatories=[],
        members=members,
    )
    approve_batch(user_named("epsa.benguet"), batch)
    with pytest.raises(CredentialError, match="Ana Cosalan has neither assessments"):
        issue_batch(user_named("focal.benguet"), batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.APPROVED
    assert not Award.objects.exists()
    assert log_actions(batch) == ["credentials.prepare", "credentials.approve"]

    rate(benguet_learners[2], achievement, 2, 4, 4)
    with pytest.raises(CredentialError, match="Ana Cosalan does not qualify for Communication"):
        issue_batch(user_named("focal.benguet"), batch)
    assert not Award.objects.exists()

    rate(benguet_learners[2], achievement, 3, 4, 4)
    assert len(issue_batch(user_named("focal.benguet"), batch)) == 3


def test_only_the_divisions_preparers_issue(user_named, batch):
    approve_batch(user_named("epsa.benguet"), batch)
    for username in ("epsa.abra", "teacher.benguet", "als.region"):
        with pytest.raises(CredentialError) as refused:
            issue_batch(user_named(username), batch)
        assert refused.value.status_code == 403
    assert not Award.objects.exists()


def test_cancel_a_batch_before_issue(user_named, batch):
    with pytest.raises(CredentialError) as refused:
        cancel_batch(user_named("epsa.abra"), batch)
    assert refused.value.status_code == 403
    cancel_batch(user_named("epsa.benguet"), batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.CANCELLED
    with pytest.raises(CredentialError) as refused:
        approve_batch(user_named("epsa.benguet"), batch)
    assert refused.value.status_code == 409


# ----------------------------------------------------------------------------- revoke, re-issue


@pytest.fixture
def issued(user_named, batch):
    approve_batch(user_named("epsa.benguet"), batch)
    return issue_batch(user_named("focal.benguet"), batch)


def test_revoke_needs_a_reason_and_the_right_role(user_named, issued):
    award = issued[0]
    with pytest.raises(CredentialError, match="Say why"):
        revoke_award(user_named("epsa.benguet"), award, "  ")
    for username in ("focal.benguet", "epsa.abra", "teacher.benguet"):
        with pytest.raises(CredentialError) as refused:
            revoke_award(user_named(username), award, "Wrong learner")
        assert refused.value.status_code == 403
    revoke_award(user_named("als.region"), award, "Awarded to the wrong learner")
    award.refresh_from_db()
    assert award.state == AwardState.REVOKED
    assert award.revoked_at is not None
    assert award.revoke_reason == "Awarded to the wrong learner"
    assert log_actions(award) == ["credentials.issue", "credentials.revoke"]
    with pytest.raises(CredentialError) as refused:
        revoke_award(user_named("epsa.benguet"), award, "Again")
    assert refused.value.status_code == 409


def test_reissue_replaces_the_award_and_keeps_both(user_named, issued):
    old = issued[0]
    new = reissue_award(user_named("epsa.benguet"), old, name_as_printed="Maria  C. Bagtang")
    old.refresh_from_db()
    assert old.state == AwardState.REPLACED
    assert old.replaced_by == new
    assert new.state == AwardState.VALID
    assert new.batch_id == old.batch_id and new.learner_id == old.learner_id
    assert new.name_as_printed == "Maria C. Bagtang"
    assert new.evidence == old.evidence and new.issued_on == old.issued_on
    assert new.code != old.code and new.status_index != old.status_index
    assert codes.is_well_formed(new.code)
    assert Award.objects.filter(batch=old.batch, learner=old.learner).count() == 2
    member = BatchMember.objects.get(batch=old.batch, learner=old.learner)
    assert member.name_as_printed == "Maria C. Bagtang"
    assert log_actions(old) == ["credentials.issue", "credentials.replace"]
    assert log_actions(new) == ["credentials.reissue"]
    # A replaced award is not re-issued again; the new one is.
    with pytest.raises(CredentialError) as refused:
        reissue_award(user_named("epsa.benguet"), old, name_as_printed="Other")
    assert refused.value.status_code == 409
    newer = reissue_award(user_named("epsa.benguet"), new, name_as_printed="Maria Bagtang-Cruz")
    assert Award.objects.filter(batch=old.batch, learner=old.learner, state="valid").get() == newer


def test_reissue_refuses_bad_input_and_other_roles(user_named, issued):
    award = issued[0]
    with pytest.raises(CredentialError, match="corrected name"):
        reissue_award(user_named("epsa.benguet"), award, name_as_printed=" ")
    with pytest.raises(CredentialError, match="same as the printed"):
        reissue_award(user_named("epsa.benguet"), award, name_as_printed=award.name_as_printed)
    with pytest.raises(CredentialError) as refused:
        reissue_award(user_named("epsa.abra"), award, name_as_printed="X Y")
    assert refused.value.status_code == 403
    award.refresh_from_db()
    assert award.state == AwardState.VALID
